/*
** table.h: read a department's delimited export by its header names.
** Columns may come in any order; a missing required column stops the file
** (adp_file_error) before any row of it is sent; bad rows are rejected with
** the reader's reason; rows already finished are skipped.
*/
#ifndef ADP_TABLE_H
#define ADP_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "adapter.h"
#include "csv.h"

typedef struct {
    const char *name;      /* header name, e.g. 公民身份号码 */
    bool required;
} adp_column_t;

/* Called for each good row: values[i] is column i of cols as read (UTF-8,
** "" when the column is absent from the file); raw is the row as in the
** file. The callback calls adp_emit or adp_reject for the row. */
typedef void (*adp_row_fn)(adp_t *a, const char *const *values, uint32_t row, const char *raw, size_t raw_len);

/* Read the file at path. Returns 0, or -1 after adp_file_error. */
int adp_read_table(adp_t *a, const char *path, const adp_csv_opts_t *opts, const adp_column_t *cols, size_t ncols,
                   adp_row_fn fn);

#endif
