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
**   - return 0, or -1 with a message in err (the run then fails);
**   - a person writer other than police also has a cover function, which
**     sets its bit (GEN_SRC_*) in mask[i] for every person i it will write a
**     row about, drawing exactly as the writer does (it must not count
**     noise); and it writes the previous address and community
**     (prev_address, prev_community) of a person whose ctx->stale[i] holds
**     its bit (MOVED: the one department that missed the move);
**   - a writer whose values persons.csv reports (labour's 就业状态, civil
**     affairs' entitlements) records them in ctx->facts[i] as it writes
**     them, drawing nothing more for it (so the files stay as they were).
** The writers are listed, in order, in s_writers[] in gendistrict.c.
*/
#ifndef GEN_WRITERS_H
#define GEN_WRITERS_H

#include "gen_mess.h"
#include "gen_out.h"
#include "gen_pop.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The person sources as bits, for ctx->stale and the cover functions. */
#define GEN_SRC_POLICE         0x01
#define GEN_SRC_FAMILYPLANNING 0x02
#define GEN_SRC_LABOUR         0x04
#define GEN_SRC_CIVILAFFAIRS   0x08

/* The civil-affairs roster's categories (类别), 城市低保 … 社区志愿者, in the
** order gen_civil_category_text() gives them. */
#define GEN_CIVIL_CATEGORIES 7
const char *gen_civil_category_text(int category);

/* What the departments' exports say of one person beyond the population,
** for persons.csv; recorded by the writers from the values they write.
** Texts are static, clean (as written without mess). */
typedef struct {
    /* labour: 就业状态 (jyzt) of the person's registration and, when
    ** registered twice (DUPLICATE), of the second; NULL for none */
    const char *employment[2];
    /* civil affairs, the roster of --date's month (the latest): 状态 of the
    ** person's row of each category (在保, 暂停, 停保), NULL when not on it;
    ** and its 月发放金额 in fen, -1 when empty (社区志愿者) */
    const char *civil_status[GEN_CIVIL_CATEGORIES];
    long civil_amount_fen[GEN_CIVIL_CATEGORIES];
} gen_facts_t;

typedef struct {
    const gen_district_t *district;
    const char *outdir;
    uint64_t seed;
    int date;                 /* the export date, YYYYMMDD */
    size_t police_delta;      /* rows in hukou_<date+1>_delta.csv; 0 for none */
    gen_noise_t *noise;
    gen_truth_t *truth;
    gen_buf_t *summary;
    const unsigned char *stale;  /* per person: the GEN_SRC_* bit of the department
                                 ** still holding the previous address, or 0 */
    gen_facts_t *facts;          /* per person, for persons.csv; NULL: not recorded */
} gen_ctx_t;

typedef struct {
    const char *source;       /* truth.csv's source, e.g. "police" */
    const char *files;        /* the file(s) it writes, for --help */
    int (*write)(gen_ctx_t *ctx, char *err, size_t errlen);
    /* NULL, or marks (ORs its GEN_SRC_* bit into) mask[i] for each person
    ** i the writer will write about */
    void (*cover)(gen_ctx_t *ctx, unsigned char *mask);
} gen_writer_t;

/* Whether the writer of source bit src shows person i at the previous address. */
static inline bool
gen_ctx_stale(const gen_ctx_t *ctx, size_t i, unsigned src)
{
    return ctx->stale && (ctx->stale[i] & src) != 0;
}

/* 公安 户籍: hukou_YYYYMMDD.csv (GB18030, CRLF, RFC 4180) and, with
** --police-delta N, hukou_<next day>_delta.csv. */
int gen_police_write(gen_ctx_t *ctx, char *err, size_t errlen);

/* 计生: wis_YYYYMMDD.tsv (UTF-8 with BOM, LF, tabs, no quoting). */
int gen_wis_write(gen_ctx_t *ctx, char *err, size_t errlen);
void gen_wis_cover(gen_ctx_t *ctx, unsigned char *mask);

/* 劳动保障: jyzt_YYYYMMDD.jsonl (UTF-8, one JSON object per line). */
int gen_labour_write(gen_ctx_t *ctx, char *err, size_t errlen);
void gen_labour_cover(gen_ctx_t *ctx, unsigned char *mask);

/* 民政: mz_roster_YYYYMM.csv for the month before --date's and for
** --date's month (GBK, CRLF, RFC 4180). */
int gen_civil_write(gen_ctx_t *ctx, char *err, size_t errlen);
void gen_civil_cover(gen_ctx_t *ctx, unsigned char *mask);

/* 民政 社区服务设施: facilities.csv (UTF-8, LF, RFC 4180) and its answer
** key facilities_truth.csv (not persons, so not in truth.csv). */
#define GEN_FACILITIES_TRUTH_FILE "facilities_truth.csv"
int gen_facilities_write(gen_ctx_t *ctx, char *err, size_t errlen);

#endif
