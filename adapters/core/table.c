/* table.c: delimited exports read by header names (see table.h). */
#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"

/* A header that does not read in the department's encoding: the other
** encoding the departments use when the header reads in it with every
** required column (a file saved in the wrong encoding), else NULL. */
static const char *
s_other_encoding(const char *path, const adp_csv_opts_t *opts, const adp_column_t *cols, size_t ncols)
{
    adp_csv_opts_t o = *opts;
    o.encoding = !opts->encoding || strcasecmp(opts->encoding, "UTF-8") == 0 ? "GB18030" : "UTF-8";
    char err[512];
    adp_csv_t *csv = adp_csv_open(path, &o, err, sizeof err);
    bool all = csv != NULL;
    for (size_t c = 0; all && c < ncols; c++)
        all = !cols[c].required || adp_csv_column(csv, cols[c].name) >= 0;
    adp_csv_destroy(&csv);
    return all ? o.encoding : NULL;
}

/* The file error, with the encoding it seems to be in when that is why. */
static void
s_header_error(adp_t *a, const char *path, const adp_csv_opts_t *opts, const adp_column_t *cols, size_t ncols,
               const char *err)
{
    const char *other = s_other_encoding(path, opts, cols, ncols);
    if (!other) {
        adp_file_error(a, err);
        return;
    }
    char why[800];
    snprintf(why, sizeof why, "%s; read as %s the header is right: the file seems to be in %s%s, not %s", err,
             other, other, strcmp(other, "GB18030") == 0 ? " (or GBK)" : "", opts->encoding ? opts->encoding : "UTF-8");
    adp_file_error(a, why);
}

int
adp_read_table(adp_t *a, const char *path, const adp_csv_opts_t *opts, const adp_column_t *cols, size_t ncols,
               adp_row_fn fn)
{
    char err[512];
    adp_set_file_encoding(a, opts->encoding);
    adp_csv_t *csv = adp_csv_open(path, opts, err, sizeof err);
    if (!csv) {
        s_header_error(a, path, opts, cols, ncols, err);
        return -1;
    }
    int *col = HUB_CHECK_ALLOC(calloc(ncols, sizeof *col));
    const char **v = HUB_CHECK_ALLOC(calloc(ncols, sizeof *v));
    for (size_t c = 0; c < ncols; c++) {
        col[c] = adp_csv_column(csv, cols[c].name);
        if (col[c] < 0 && cols[c].required) {
            snprintf(err, sizeof err, "required column %s is missing from the header", cols[c].name);
            s_header_error(a, path, opts, cols, ncols, err);
            adp_csv_destroy(&csv);
            free(col);
            free(v);
            return -1;
        }
    }
    adp_csv_row_t row;
    adp_csv_status_t st;
    while ((st = adp_csv_next(csv, &row)) == ADP_CSV_ROW || st == ADP_CSV_BAD) {
        uint32_t n = (uint32_t)row.row;
        if (st == ADP_CSV_BAD) {
            adp_reject(a, n, row.column_name, row.reason, row.raw, row.raw_len);
            continue;
        }
        for (size_t c = 0; c < ncols; c++)
            v[c] = col[c] >= 0 ? row.fields[col[c]] : "";
        fn(a, v, n, row.raw, row.raw_len);
    }
    if (st == ADP_CSV_ERROR)
        adp_file_error(a, adp_csv_error(csv));
    adp_csv_destroy(&csv);
    free(col);
    free(v);
    return st == ADP_CSV_ERROR ? -1 : 0;
}
