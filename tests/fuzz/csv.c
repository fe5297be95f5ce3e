/*
** csv.c: fuzz target for the delimited-file reader adapters/core/csv.c in
** each form the adapters read (adapters/NAME.c): the police register
** (GB18030, CSV), family planning (UTF-8 with a BOM, TSV without quoting),
** the civil-affairs roster (GBK, CSV) and the facilities register (UTF-8,
** CSV). Bad rows go through adapters/core/encoding.c as the reject file
** does.
**
** Input: byte 0 picks the form (bits 0-1), the read buffer size (bits 2-4;
** tiny ones split every structure across reads) and the row limit (bits
** 5-7); the rest is the file. Checked beyond crashes: what csv.h promises
** of rows (field count, lengths, UTF-8 fields, rising row numbers, the
** limit), of bad rows (a problem, a reason, a column of the header), of
** the header, and that EOF and ERROR repeat.
*/
#define _POSIX_C_SOURCE 200809L
#include "fuzz.h"

#include <stdbool.h>

#include "csv.h"
#include "encoding.h"

static const adp_csv_opts_t s_forms[4] = {
    {.encoding = "GB18030", .separator = ',', .quoting = true},   /* hukou_*.csv */
    {.encoding = "UTF-8", .separator = '\t', .quoting = false},   /* wis_*.tsv */
    {.encoding = "GBK", .separator = ',', .quoting = true},       /* mz_roster_*.csv */
    {.encoding = "UTF-8", .separator = ',', .quoting = true},     /* facilities.csv */
};
static const size_t s_buffers[8] = {0, 1, 2, 3, 7, 16, 64, 4096};
static const size_t s_limits[8] = {0, 1, 8, 32, 100, 512, 4096, 65536};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    adp_csv_opts_t opts = s_forms[data[0] & 3];
    opts.buffer_size = s_buffers[(data[0] >> 2) & 7];
    opts.max_row_bytes = s_limits[(data[0] >> 5) & 7];
    size_t limit = opts.max_row_bytes ? opts.max_row_bytes : ADP_CSV_MAX_ROW_DEFAULT;
    const char *path = fuzz_file("export.csv", data + 1, size - 1);

    char err[300];
    adp_csv_t *csv = adp_csv_open(path, &opts, err, sizeof err);
    if (!csv) {
        FUZZ_CHECK(memchr(err, 0, sizeof err) != NULL && err[0]);
        return 0;
    }
    size_t ncols = adp_csv_ncolumns(csv);
    FUZZ_CHECK(ncols >= 1);
    FUZZ_CHECK(adp_csv_header_line(csv) >= 1);
    for (size_t c = 0; c < ncols; c++) {
        const char *name = adp_csv_column_name(csv, c);
        FUZZ_CHECK(name && fuzz_utf8(name, strlen(name)));
        int at = adp_csv_column(csv, name);
        FUZZ_CHECK(at >= 0 && (size_t)at <= c && strcmp(adp_csv_column_name(csv, (size_t)at), name) == 0);
    }
    FUZZ_CHECK(adp_csv_column_name(csv, ncols) == NULL);

    adp_csv_row_t row;
    adp_csv_status_t st;
    size_t last = 0;
    while ((st = adp_csv_next(csv, &row)) == ADP_CSV_ROW || st == ADP_CSV_BAD) {
        FUZZ_CHECK(row.row > last);
        last = row.row;
        FUZZ_CHECK(row.line > adp_csv_header_line(csv));
        FUZZ_CHECK(row.raw != NULL && row.raw[row.raw_len] == 0);
        FUZZ_CHECK(row.raw_len <= limit);
        if (st == ADP_CSV_ROW) {
            FUZZ_CHECK(row.nfields == ncols && !row.raw_truncated);
            FUZZ_CHECK(row.problem == ADP_CSV_NONE && row.reason == NULL);
            for (size_t c = 0; c < row.nfields; c++) {
                FUZZ_CHECK(strlen(row.fields[c]) == row.lengths[c]);
                FUZZ_CHECK(fuzz_utf8(row.fields[c], row.lengths[c]));
            }
        } else {
            FUZZ_CHECK(row.problem > ADP_CSV_NONE && row.problem < ADP_CSV_PROBLEM_COUNT);
            FUZZ_CHECK(row.reason != NULL && row.reason[0]);
            FUZZ_CHECK(row.nfields == 0 && row.fields == NULL);
            if (row.column_name)
                FUZZ_CHECK(row.column >= 1 && row.column <= ncols
                           && strcmp(row.column_name, adp_csv_column_name(csv, row.column - 1)) == 0);
            /* what the adapter writes to its reject file */
            char *text = adp_to_utf8_escaped(opts.encoding, row.raw, row.raw_len);
            FUZZ_CHECK(fuzz_utf8(text, strlen(text)) && 2 * strlen(text) >= row.raw_len);
            free(text);
        }
    }
    FUZZ_CHECK(st == ADP_CSV_EOF || st == ADP_CSV_ERROR);
    FUZZ_CHECK(adp_csv_next(csv, &row) == st);
    FUZZ_CHECK(st == ADP_CSV_EOF || adp_csv_error(csv)[0]);
    adp_csv_destroy(&csv);
    FUZZ_CHECK(csv == NULL);
    adp_csv_destroy(&csv);
    return 0;
}
