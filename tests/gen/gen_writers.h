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
**     row, the row's tags: gen_tags_person, gen_tags_idno and one word per
**     hard thing the row's mess did, gen_mess.h), in file order; a writer
**     whose adapter derives keys from the values (civil affairs) calls
**     gen_truth_add_derived instead, which counts the ~N of a key repeated
**     in the file as the adapter does;
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
**     them, drawing nothing more for it (so the files stay as they were);
**   - with --plant (ctx->plant set), a person writer writes a planted
**     person's rows with gen_ctx_noise() (no mess) and never twice, shows
**     what the plan says (gen_plant_t), keeps every other row as it was
**     (a serial moves on as if the planted person had drawn as usual), and
**     records every person row it writes with gen_seen_add() for
**     findings.csv; a writer gets none of this when ctx->plant is NULL.
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

/* The cross-department rules of findings.csv (gen_plant.h), in its order:
** X(name, the rule's id, severity). */
#define GEN_RULES(X)                                                   \
    X(GONE_BUT_PAID,      "gone-but-paid",               "high")       \
    X(ALLOWANCE_EMPLOYED, "allowance-while-employed",    "medium")     \
    X(CONSCRIPT,          "conscript-without-conscript", "medium")     \
    X(FP_WOMAN_GONE,      "fp-woman-gone",               "medium")     \
    X(OLD_AGE_UNDER_80,   "old-age-under-80",            "medium")     \
    X(COMMUNITY,          "community-disagrees",         "low")
typedef enum {
    GEN_RULE_NONE,
#define X(name, id, severity) GEN_RULE_##name,
    GEN_RULES(X)
#undef X
    GEN_RULE_END
} gen_rule_t;

/* What --plant decided for one person (gen_plant.c), for the writers to
** show: rule GEN_RULE_NONE for everyone not planted. A planted person's
** rows are written without mess (ctx->clean) and never twice (no
** DUPLICATE); the population already holds the planted 人员状态. */
typedef struct {
    unsigned char rule;       /* gen_rule_t */
    signed char category;     /* civil affairs: the 类别 planted 在保 on both
                              ** rosters (gen_civil_category_text), or -1 */
    int start;                /* its 起始日期, YYYYMMDD (first of a month) */
    unsigned char src;        /* COMMUNITY: GEN_SRC_* of the department that
                              ** names another community, else 0 */
    int community;            /* COMMUNITY: that community (index) */
} gen_plant_t;

/* One person row as a writer wrote it, in the values the rules of
** findings.csv read (clean texts, static). Recorded only with --plant. */
typedef struct {
    size_t person;
    unsigned char source;     /* GEN_SRC_* */
    signed char category;     /* civil affairs: 类别 (0..6); else -1 */
    bool latest;              /* civil affairs: on the latest roster; police: the
                              ** snapshot (not the delta); else true */
    bool sure;                /* its identity number as written cleans to the
                              ** person's own (valid) number: the hub links it */
    bool name_differs;        /* its name as written is not the person's after
                              ** norm_name (a homophone, a GBK substitute) */
    int community;            /* the community written (index) */
    int date;                 /* police 变动日期, labour the status's date (zjyrq
                              ** for 再就业, else djrq), civil 起始日期; 0 none */
    const char *status;       /* police 人员状态, family planning 人员类型,
                              ** labour jyzt, civil affairs 状态 */
    bool community_unsure;    /* the community is written in a form the adapters
                              ** may not map (VILLAGE_NAME: 林邦村) */
} gen_seen_t;

typedef struct {
    gen_seen_t *v;
    size_t n, cap;
} gen_seen_log_t;

/* The civil-affairs roster's categories (类别), 城市低保 … 社区志愿者, in the
** order gen_civil_category_text() gives them. */
#define GEN_CIVIL_CATEGORIES 7
enum {
    GEN_CIVIL_DIBAO,      /* 城市低保 */
    GEN_CIVIL_TEKUN,      /* 特困供养 */
    GEN_CIVIL_GAOLING,    /* 高龄津贴 */
    GEN_CIVIL_YOUFU,      /* 重点优抚对象 */
    GEN_CIVIL_YIWUBING,   /* 义务兵家庭优待 */
    GEN_CIVIL_CANJI,      /* 残疾人两项补贴 */
    GEN_CIVIL_ZHIYUAN,    /* 社区志愿者 */
};
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
    /* --plant only (else NULL): */
    const gen_plant_t *plant;    /* per person */
    gen_noise_t *clean;          /* every probability 0: a planted person's rows */
    gen_seen_log_t *seen;        /* every person row written, for findings.csv */
    /* the communities file (--communities), which the civil-affairs writer
    ** maps written community names with as the adapter does; NULL: the
    ** list built into the programs */
    const char *communities_path;
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

/* What --plant decided for person i, or NULL when i is not planted. */
static inline const gen_plant_t *
gen_ctx_plant(const gen_ctx_t *ctx, size_t i)
{
    return ctx->plant && ctx->plant[i].rule != GEN_RULE_NONE ? &ctx->plant[i] : NULL;
}

/* The noise of person i's rows: none for a planted person. */
static inline gen_noise_t *
gen_ctx_noise(const gen_ctx_t *ctx, size_t i)
{
    return gen_ctx_plant(ctx, i) ? ctx->clean : ctx->noise;
}

/* The row log (gen_findings.c): appends s when ctx->seen is set; and the
** two judgements a writer makes of a row as written. */
void gen_seen_add(const gen_ctx_t *ctx, const gen_seen_t *s);
bool gen_seen_sure(const char *idno_written, const gen_person_t *p);
bool gen_seen_name_differs(const char *name_written, const gen_person_t *p);

/* 公安 户籍: hukou_YYYYMMDD.csv (GB18030, CRLF, RFC 4180) and, with
** --police-delta N, hukou_<next day>_delta.csv. */
int gen_police_write(gen_ctx_t *ctx, char *err, size_t errlen);
/* One snapshot row of p (of ctx->district) with ctx->noise, drawing from r,
** into t; key receives the adapter's key (norm_idno). For reconcile/. */
void gen_police_row(gen_ctx_t *ctx, gen_table_t *t, const gen_person_t *p, gen_rng_t *r,
                    char key[32]);

/* 计生: wis_YYYYMMDD.tsv (UTF-8 with BOM, LF, tabs, no quoting). */
int gen_wis_write(gen_ctx_t *ctx, char *err, size_t errlen);
void gen_wis_cover(gen_ctx_t *ctx, unsigned char *mask);
/* roles[i] |= 1 when woman i has a block of her own, 2 when i is listed in
** another woman's block (as she will be written; draws as the writer). */
void gen_wis_roles(gen_ctx_t *ctx, unsigned char *roles);
/* The row of woman w (育龄妇女) alone, record number key of year, drawing
** from r, into t; key_out receives 记录编号 as written. For reconcile/. */
void gen_wis_row(gen_ctx_t *ctx, gen_table_t *t, gen_rng_t *r, size_t w, const char *key,
                 int year, char key_out[GEN_KEY_TEXT_MAX]);

/* 劳动保障: jyzt_YYYYMMDD.jsonl (UTF-8, one JSON object per line). */
int gen_labour_write(gen_ctx_t *ctx, char *err, size_t errlen);
void gen_labour_cover(gen_ctx_t *ctx, unsigned char *mask);
/* Whether person i is on the register; then its (first) registration's
** jyzt and the date of that status (zjyrq for 再就业, else djrq), as the
** writer will write them. Counts no noise. */
bool gen_labour_probe(gen_ctx_t *ctx, size_t i, const char **jyzt, int *date);
/* A line of its own for person i, drawing from r, after *serial; djbh_out
** receives djbh as written. For reconcile/. */
void gen_labour_line(gen_ctx_t *ctx, gen_buf_t *b, gen_rng_t *r, size_t i,
                     unsigned long *serial, char djbh_out[GEN_KEY_TEXT_MAX]);

/* 民政: mz_roster_YYYYMM.csv for the month before --date's and for
** --date's month (GBK, CRLF, RFC 4180). */
int gen_civil_write(gen_ctx_t *ctx, char *err, size_t errlen);
void gen_civil_cover(gen_ctx_t *ctx, unsigned char *mask);
/* cats[i] |= 1 << category for each category person i is on the roster of
** --date's month for (any 状态). Counts no noise. */
void gen_civil_categories(gen_ctx_t *ctx, unsigned char *cats);
/* The row of person i and category, added this month, numbered seq, drawn
** from base's fork for it, into t; key receives the derived key. For
** reconcile/. */
#define GEN_CIVIL_KEY_SIZE 20
void gen_civil_row(gen_ctx_t *ctx, gen_table_t *t, const gen_rng_t *base, size_t i, int category,
                   size_t seq, char key[GEN_CIVIL_KEY_SIZE]);

/* 民政 社区服务设施: facilities.csv (UTF-8, LF, RFC 4180) and its answer
** key facilities_truth.csv (not persons, so not in truth.csv). */
#define GEN_FACILITIES_TRUTH_FILE "facilities_truth.csv"
int gen_facilities_write(gen_ctx_t *ctx, char *err, size_t errlen);

#endif
