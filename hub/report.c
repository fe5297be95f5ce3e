/* report.c: the hub's tables of plain values (see report.h). */
#define _POSIX_C_SOURCE 200809L
#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

void
report_init(report_t *r, const char *const *columns, size_t ncols)
{
    memset(r, 0, sizeof *r);
    r->columns = columns;
    r->ncols = ncols;
    r->verdict = -1;
}

void
report_cell(report_t *r, const char *fmt, ...)
{
    if (r->ncells == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->cells = HUB_CHECK_ALLOC(realloc(r->cells, r->cap * sizeof *r->cells));
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *cell = HUB_CHECK_ALLOC(malloc((size_t)(n > 0 ? n : 0) + 1));
    va_start(ap, fmt);
    vsnprintf(cell, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
    va_end(ap);
    r->cells[r->ncells++] = cell;
}

size_t
report_rows(const report_t *r)
{
    return r->ncols ? r->ncells / r->ncols : 0;
}

void
report_free(report_t *r)
{
    for (size_t i = 0; i < r->ncells; i++)
        free(r->cells[i]);
    free(r->cells);
    memset(r, 0, sizeof *r);
}
