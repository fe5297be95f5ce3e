/*
** report.h: a table of plain values the hub answers with (figures,
** history): named columns and cells row after row, all text. The hub
** fills one; codec.c sends it; hubctl prints it aligned, as CSV or as
** JSON. A report carries no layout: how it reads is hubctl's business.
*/
#ifndef HUB_REPORT_H
#define HUB_REPORT_H

#include <stddef.h>

typedef struct {
    char title[600];             /* the lines above the table */
    const char *const *columns;  /* static names */
    size_t ncols;
    char **cells;                /* ncells = rows * ncols, each malloc'd */
    size_t ncells, cap;
    int verdict;                 /* status only: 0 healthy, 1 degraded, 2 down; -1 none */
} report_t;

void report_init(report_t *r, const char *const *columns, size_t ncols);
/* Append one cell, printf-style; rows fill left to right. */
void report_cell(report_t *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
size_t report_rows(const report_t *r);
void report_free(report_t *r);

#endif
