/*
** gen_writers.h: what a department writer gets and must do. A writer turns
** the clean population into one department's export file(s), exactly as
** ../../shared/formats/README.md describes them and with the mess of
** gen_mess.h, and records every data row it writes in truth.csv.
**
** Contract of a writer:
**   - draw only from its own named streams (gen_rng_init(&base, ctx->seed,
**     "<source>.<file>")), forked per row, so it neither depends on nor
**     disturbs any other writer;
**   - for every data row about a person call gen_truth_add(ctx->truth,
**     person id, source, the key the department's adapter reports for the
**     row (computed from the values as written), file name, 1-based data
**     row);
**   - append ", N <what> rows" to ctx->summary for the closing line;
**   - return 0, or -1 with a message in err (the run then fails).
** The writers are listed, in order, in s_writers[] in gendistrict.c.
*/
#ifndef GEN_WRITERS_H
#define GEN_WRITERS_H

#include "gen_mess.h"
#include "gen_out.h"
#include "gen_pop.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const gen_district_t *district;
    const char *outdir;
    uint64_t seed;
    int date;                 /* the export date, YYYYMMDD */
    size_t police_delta;      /* rows in hukou_<date+1>_delta.csv; 0 for none */
    gen_noise_t *noise;
    gen_truth_t *truth;
    gen_buf_t *summary;
} gen_ctx_t;

typedef struct {
    const char *source;       /* truth.csv's source, e.g. "police" */
    const char *files;        /* the file(s) it writes, for --help */
    int (*write)(gen_ctx_t *ctx, char *err, size_t errlen);
} gen_writer_t;

/* 公安 户籍: hukou_YYYYMMDD.csv (GB18030, CRLF, RFC 4180) and, with
** --police-delta N, hukou_<next day>_delta.csv. */
int gen_police_write(gen_ctx_t *ctx, char *err, size_t errlen);

/* 计生: wis_YYYYMMDD.tsv (UTF-8 with BOM, LF, tabs, no quoting). */
int gen_wis_write(gen_ctx_t *ctx, char *err, size_t errlen);

/* 劳动保障: jyzt_YYYYMMDD.jsonl (UTF-8, one JSON object per line). */
int gen_labour_write(gen_ctx_t *ctx, char *err, size_t errlen);

/* 民政: mz_roster_YYYYMM.csv for the month before --date's and for
** --date's month (GBK, CRLF, RFC 4180). */
int gen_civil_write(gen_ctx_t *ctx, char *err, size_t errlen);

/* 民政 社区服务设施: facilities.csv (UTF-8, LF, RFC 4180) and its answer
** key facilities_truth.csv (not persons, so not in truth.csv). */
#define GEN_FACILITIES_TRUTH_FILE "facilities_truth.csv"
int gen_facilities_write(gen_ctx_t *ctx, char *err, size_t errlen);

#endif
