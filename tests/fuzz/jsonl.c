/*
** jsonl.c: fuzz target for the JSON Lines reader adapters/core/jsonl.c
** (labour's jyzt_*.jsonl).
**
** Input: byte 0 picks the read buffer size (bits 0-2; tiny ones split lines
** and characters across reads) and the line limit (bits 3-5); the rest is
** the file. Checked beyond crashes: what jsonl.h promises: objects only,
** no key twice, rising line numbers, raw within the limit, a problem and a
** reason for every bad line, and that EOF and ERROR repeat.
*/
#define _POSIX_C_SOURCE 200809L
#include "fuzz.h"

#include "jsonl.h"

static const size_t s_buffers[8] = {0, 1, 2, 3, 5, 16, 64, 4096};
static const size_t s_limits[8] = {0, 1, 4, 16, 64, 256, 4096, 65536};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    adp_jsonl_opts_t opts = {
        .buffer_size = s_buffers[data[0] & 7],
        .max_line_bytes = s_limits[(data[0] >> 3) & 7],
    };
    size_t limit = opts.max_line_bytes ? opts.max_line_bytes : ADP_JSONL_MAX_LINE_DEFAULT;
    const char *path = fuzz_file("jyzt_20261101.jsonl", data + 1, size - 1);

    char err[300];
    adp_jsonl_t *in = adp_jsonl_open(path, &opts, err, sizeof err);
    if (!in) {
        FUZZ_CHECK(memchr(err, 0, sizeof err) != NULL && err[0]);
        return 0;
    }
    adp_jsonl_row_t row;
    adp_jsonl_status_t st;
    size_t last = 0;
    while ((st = adp_jsonl_next(in, &row)) == ADP_JSONL_OBJECT || st == ADP_JSONL_BAD) {
        FUZZ_CHECK(row.row > last);
        last = row.row;
        FUZZ_CHECK(row.raw != NULL && row.raw[row.raw_len] == 0 && row.raw_len <= limit);
        if (st == ADP_JSONL_OBJECT) {
            FUZZ_CHECK(json_is_object(row.object) && !row.raw_truncated);
            FUZZ_CHECK(row.problem == ADP_JSONL_NONE && row.reason == NULL);
            FUZZ_CHECK(fuzz_utf8(row.raw, row.raw_len));
            const char *key;
            json_t *v;
            json_object_foreach(row.object, key, v)
                FUZZ_CHECK(adp_jsonl_type_name(v) != NULL);
        } else {
            FUZZ_CHECK(row.object == NULL);
            FUZZ_CHECK(row.problem > ADP_JSONL_NONE && row.problem < ADP_JSONL_PROBLEM_COUNT);
            FUZZ_CHECK(row.reason != NULL && row.reason[0]);
            FUZZ_CHECK(strcmp(adp_jsonl_problem_name(row.problem), "") != 0);
        }
    }
    FUZZ_CHECK(st == ADP_JSONL_EOF || st == ADP_JSONL_ERROR);
    FUZZ_CHECK(adp_jsonl_next(in, &row) == st);
    FUZZ_CHECK(st == ADP_JSONL_EOF || adp_jsonl_error(in)[0]);
    adp_jsonl_destroy(&in);
    FUZZ_CHECK(in == NULL);
    return 0;
}
