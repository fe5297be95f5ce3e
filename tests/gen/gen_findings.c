/*
** gen_findings.c: the row log the writers keep with --plant (ctx->seen),
** and findings.csv, the rules of gendistrict.c's header evaluated over it
** (gen_plant.h). The log holds, per person row, the clean values a rule
** reads as the writer wrote them; nothing here draws.
*/
#include "gen_plant.h"
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
gen_seen_add(const gen_ctx_t *ctx, const gen_seen_t *s)
{
    gen_seen_log_t *log = ctx->seen;
    if (!log)
        return;
    if (log->n == log->cap) {
        log->cap = log->cap ? log->cap * 2 : 4096;
        log->v = gen_xrealloc(log->v, log->cap * sizeof *log->v);
    }
    log->v[log->n++] = *s;
}

bool
gen_seen_sure(const char *idno_written, const gen_person_t *p)
{
    char clean[NORM_IDNO_SIZE];
    norm_idno(idno_written, clean);
    return strcmp(clean, p->idno) == 0;
}

bool
gen_seen_name_differs(const char *name_written, const gen_person_t *p)
{
    char a[4 * GEN_NAME_MAX], b[4 * GEN_NAME_MAX];
    norm_name(name_written, a, sizeof a);
    norm_name(p->name, b, sizeof b);
    return strcmp(a, b) != 0;
}

/* ---- the rules ------------------------------------------------------------ */

/* One person's rows, for the rules. */
typedef struct {
    const gen_ctx_t *ctx;
    const gen_seen_t *const *row;   /* in writer order */
    size_t nrows;
    const gen_seen_t *police;       /* the first snapshot row, or NULL */
    bool police_sure;               /* some snapshot row is sure */
    int cur_start;                  /* first day of the latest roster's month */
} s_view_t;

static bool
s_is(const char *a, const char *b)
{
    return a && strcmp(a, b) == 0;
}

/* An active entitlement: on the latest roster, 在保. */
static bool
s_active(const gen_seen_t *s, int category)
{
    return s->source == GEN_SRC_CIVILAFFAIRS && s->latest && s_is(s->status, "在保")
           && (category < 0 || s->category == category);
}

static void
s_date(int ymd, char out[16])
{
    if (ymd)
        snprintf(out, 16, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
    else
        out[0] = '\0';
}

/* Appends text to out (cap bytes). */
static void
s_put(char *out, size_t cap, const char *text)
{
    gen_strlcat(out, text, cap);
}

/* "; unsure: what" for a finding resting on rows the hub may not link:
** every row of which (what) lacks a valid number of the person's own. */
static void
s_unsure(char *why, size_t cap, const char *what, bool name_differs)
{
    s_put(why, cap, why[0] ? ", " : "");
    s_put(why, cap, what);
    s_put(why, cap, " without a valid number");
    if (name_differs)
        s_put(why, cap, " and with the name written otherwise");
}

/* The police part of a detail: "police 死亡 2026-10-15". */
static void
s_police_detail(const s_view_t *v, char *out, size_t cap)
{
    char date[16], text[64];
    s_date(v->police->date, date);
    snprintf(text, sizeof text, "police %s%s%s", v->police->status, date[0] ? " " : "", date);
    s_put(out, cap, text);
}

/* gone-but-paid: police 死亡, 迁出 or 注销 and an active entitlement other
** than 社区志愿者. */
static bool
s_gone_but_paid(const s_view_t *v, char *out, size_t cap, char *why, size_t wcap)
{
    const gen_seen_t *p = v->police;
    if (!p || !(s_is(p->status, "死亡") || s_is(p->status, "迁出") || s_is(p->status, "注销")))
        return false;
    bool any = false, sure = false, differs = true;
    s_police_detail(v, out, cap);
    for (size_t k = 0; k < v->nrows; k++) {
        const gen_seen_t *s = v->row[k];
        if (!s_active(s, -1) || s->category == GEN_CIVIL_ZHIYUAN)
            continue;
        any = true;
        sure |= s->sure;
        differs &= s->name_differs;
        s_put(out, cap, "; ");
        s_put(out, cap, gen_civil_category_text(s->category));
        s_put(out, cap, " 在保");
    }
    if (!any)
        return false;
    if (!v->police_sure)
        s_unsure(why, wcap, "police row", false);
    if (!sure)
        s_unsure(why, wcap, "civil affairs row", differs);
    return true;
}

/* allowance-while-employed: an active 城市低保 or 特困供养 and a labour
** registration 在岗 or 再就业 dated strictly after its 起始日期. */
static bool
s_allowance_employed(const s_view_t *v, char *out, size_t cap, char *why, size_t wcap)
{
    const gen_seen_t *best_a = NULL, *best_w = NULL;
    for (size_t a = 0; a < v->nrows; a++) {
        const gen_seen_t *sa = v->row[a];
        if (!s_active(sa, GEN_CIVIL_DIBAO) && !s_active(sa, GEN_CIVIL_TEKUN))
            continue;
        for (size_t w = 0; w < v->nrows; w++) {
            const gen_seen_t *sw = v->row[w];
            if (sw->source != GEN_SRC_LABOUR
                || !(s_is(sw->status, "在岗") || s_is(sw->status, "再就业"))
                || sw->date <= sa->date)
                continue;
            bool sure = sa->sure && sw->sure;
            if (!best_a || (sure && !(best_a->sure && best_w->sure))) {
                best_a = sa;
                best_w = sw;
            }
        }
    }
    if (!best_a)
        return false;
    char from[16], since[16], text[192];
    s_date(best_a->date, from);
    s_date(best_w->date, since);
    snprintf(text, sizeof text, "%s 在保 from %s; labour %s from %s",
             gen_civil_category_text(best_a->category), from, best_w->status, since);
    s_put(out, cap, text);
    if (!best_a->sure)
        s_unsure(why, wcap, "civil affairs row", best_a->name_differs);
    if (!best_w->sure)
        s_unsure(why, wcap, "labour row", best_w->name_differs);
    return true;
}

/* conscript-without-conscript: an active 义务兵家庭优待 and no other member
** of the police household 正常 aged 17-24 on the first of the latest month. */
static bool
s_conscript(const s_view_t *v, const gen_seen_t *const *police_of, size_t person, char *out,
            size_t cap, char *why, size_t wcap)
{
    const gen_district_t *d = v->ctx->district;
    bool any = false, sure = false, differs = true;
    for (size_t k = 0; k < v->nrows; k++) {
        const gen_seen_t *s = v->row[k];
        if (s_active(s, GEN_CIVIL_YIWUBING)) {
            any = true;
            sure |= s->sure;
            differs &= s->name_differs;
        }
    }
    if (!any || !v->police)
        return false;
    const gen_household_t *h = &d->households[d->persons[person].household];
    for (size_t j = h->first; j < h->first + h->size; j++) {
        int age = gen_date_age(d->persons[j].birth, v->cur_start);
        if (j != person && police_of[j] && s_is(police_of[j]->status, "正常") && age >= 17
            && age <= 24)
            return false;
    }
    char text[160];
    snprintf(text, sizeof text, "义务兵家庭优待 在保; household %s has no other member 正常 aged 17-24",
             h->number);
    s_put(out, cap, text);
    if (!v->police_sure)
        s_unsure(why, wcap, "police row", false);
    if (!sure)
        s_unsure(why, wcap, "civil affairs row", differs);
    return true;
}

/* fp-woman-gone: a family-planning row 育龄妇女 and police 死亡 or 迁出. */
static bool
s_fp_woman_gone(const s_view_t *v, char *out, size_t cap, char *why, size_t wcap)
{
    const gen_seen_t *p = v->police;
    if (!p || !(s_is(p->status, "死亡") || s_is(p->status, "迁出")))
        return false;
    bool any = false, sure = false, differs = true;
    for (size_t k = 0; k < v->nrows; k++) {
        const gen_seen_t *s = v->row[k];
        if (s->source == GEN_SRC_FAMILYPLANNING && s_is(s->status, "育龄妇女")) {
            any = true;
            sure |= s->sure;
            differs &= s->name_differs;
        }
    }
    if (!any)
        return false;
    s_put(out, cap, "family planning 育龄妇女; ");
    s_police_detail(v, out, cap);
    if (!v->police_sure)
        s_unsure(why, wcap, "police row", false);
    if (!sure)
        s_unsure(why, wcap, "family planning row", differs);
    return true;
}

/* old-age-under-80: an active 高龄津贴, under 80 on the first of the latest
** month by the birth date of the identity number. */
static bool
s_old_age(const s_view_t *v, size_t person, char *out, size_t cap, char *why, size_t wcap)
{
    const gen_person_t *p = &v->ctx->district->persons[person];
    int age = gen_date_age(p->birth, v->cur_start);
    if (age >= 80)
        return false;
    bool any = false, sure = false, differs = true;
    for (size_t k = 0; k < v->nrows; k++) {
        const gen_seen_t *s = v->row[k];
        if (s_active(s, GEN_CIVIL_GAOLING)) {
            any = true;
            sure |= s->sure;
            differs &= s->name_differs;
        }
    }
    if (!any)
        return false;
    char born[16], on[16], text[128];
    s_date(p->birth, born);
    s_date(v->cur_start, on);
    snprintf(text, sizeof text, "高龄津贴 在保; born %s, %d on %s", born, age, on);
    s_put(out, cap, text);
    if (!sure)
        s_unsure(why, wcap, "civil affairs row", differs);
    return true;
}

/* community-disagrees: the communities of the police snapshot, family
** planning, labour and the latest roster (any 状态) are not all one. */
static bool
s_community(const s_view_t *v, char *out, size_t cap, char *why, size_t wcap)
{
    static const struct {
        unsigned src;
        const char *name;
    } sources[] = {
        { GEN_SRC_POLICE, "police" },
        { GEN_SRC_FAMILYPLANNING, "familyplanning" },
        { GEN_SRC_LABOUR, "labour" },
        { GEN_SRC_CIVILAFFAIRS, "civilaffairs" },
    };
    int first = -1, first_sure = -1;
    bool differ = false, differ_sure = false, differs_name = true;
    for (size_t k = 0; k < v->nrows; k++) {
        const gen_seen_t *s = v->row[k];
        if (!s->latest)
            continue;
        if (first < 0)
            first = s->community;
        if (s->community != first) {
            differ = true;
            differs_name &= s->name_differs;
        }
        if (s->sure && !s->community_unsure) {   /* 林邦村: the hub may not map it */
            if (first_sure < 0)
                first_sure = s->community;
            differ_sure |= s->community != first_sure;
        }
    }
    if (!differ)
        return false;
    const gen_community_t *cm = v->ctx->district->communities;
    for (size_t k = 0; k < sizeof sources / sizeof sources[0]; k++) {
        char codes[256] = "";
        for (size_t j = 0; j < v->nrows; j++) {
            const gen_seen_t *s = v->row[j];
            if (s->source != sources[k].src || !s->latest || strstr(codes, cm[s->community].code))
                continue;
            s_put(codes, sizeof codes, codes[0] ? " " : "");
            s_put(codes, sizeof codes, cm[s->community].code);
        }
        if (!codes[0])
            continue;
        s_put(out, cap, out[0] ? "; " : "");
        s_put(out, cap, sources[k].name);
        s_put(out, cap, " ");
        s_put(out, cap, codes);
    }
    if (!differ_sure)
        s_unsure(why, wcap, "the rows naming another community", differs_name);
    return true;
}

static int
s_cmp_seen_person(const void *a, const void *b)
{
    const gen_seen_t *x = *(const gen_seen_t *const *) a, *y = *(const gen_seen_t *const *) b;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    return x < y ? -1 : x > y;   /* writer order */
}

int
gen_findings_write(const gen_ctx_t *ctx, gen_finding_count_t counts[GEN_RULE_END], char *err,
                   size_t errlen)
{
    const gen_district_t *d = ctx->district;
    const gen_seen_log_t *log = ctx->seen;
    size_t np = d->npersons;
    memset(counts, 0, GEN_RULE_END * sizeof *counts);

    /* the rows by person, and each person's first snapshot row */
    const gen_seen_t **rows = gen_xmalloc((log->n + 1) * sizeof *rows);
    for (size_t k = 0; k < log->n; k++)
        rows[k] = &log->v[k];
    qsort(rows, log->n, sizeof *rows, s_cmp_seen_person);
    size_t *first = gen_xcalloc(np + 1, sizeof *first);
    const gen_seen_t **police_of = gen_xcalloc(np, sizeof *police_of);
    bool *police_sure = gen_xcalloc(np, sizeof *police_sure);
    for (size_t k = 0; k < log->n; k++) {
        const gen_seen_t *s = rows[k];
        first[s->person + 1]++;
        if (s->source == GEN_SRC_POLICE && s->latest) {
            if (!police_of[s->person])
                police_of[s->person] = s;
            police_sure[s->person] |= s->sure;
        }
    }
    for (size_t i = 0; i < np; i++)
        first[i + 1] += first[i];

    static const char *const columns[] = { "rule", "person_id", "planted", "detail" };
    gen_table_t t;
    gen_table_init(&t, ',', true, "\n");
    gen_table_header(&t, columns, sizeof columns / sizeof columns[0]);
    int rc = 0;
    for (int rule = GEN_RULE_NONE + 1; rule < GEN_RULE_END; rule++) {
        for (size_t i = 0; i < np; i++) {
            s_view_t v = { ctx, rows + first[i], first[i + 1] - first[i], police_of[i],
                           police_sure[i], ctx->date / 100 * 100 + 1 };
            char detail[1024] = "", why[256] = "";
            bool found;
            switch ((gen_rule_t) rule) {
            case GEN_RULE_GONE_BUT_PAID:
                found = s_gone_but_paid(&v, detail, sizeof detail, why, sizeof why);
                break;
            case GEN_RULE_ALLOWANCE_EMPLOYED:
                found = s_allowance_employed(&v, detail, sizeof detail, why, sizeof why);
                break;
            case GEN_RULE_CONSCRIPT:
                found = s_conscript(&v, police_of, i, detail, sizeof detail, why, sizeof why);
                break;
            case GEN_RULE_FP_WOMAN_GONE:
                found = s_fp_woman_gone(&v, detail, sizeof detail, why, sizeof why);
                break;
            case GEN_RULE_OLD_AGE_UNDER_80:
                found = s_old_age(&v, i, detail, sizeof detail, why, sizeof why);
                break;
            default:
                found = s_community(&v, detail, sizeof detail, why, sizeof why);
                break;
            }
            const gen_plant_t *pl = gen_ctx_plant(ctx, i);
            bool planted = pl && pl->rule == rule;
            if (!found) {
                if (planted && rc == 0) {
                    snprintf(err, errlen, "%s: %s was planted for %s but the files do not show it",
                             GEN_FINDINGS_FILE, d->persons[i].pid, gen_rule_id((gen_rule_t) rule));
                    rc = -1;
                }
                continue;
            }
            if (why[0]) {
                gen_strlcat(detail, "; unsure: ", sizeof detail);
                gen_strlcat(detail, why, sizeof detail);
                counts[rule].unsure++;
            }
            if (planted)
                counts[rule].planted++;
            else
                counts[rule].natural++;
            if (pl && !planted)
                counts[rule].crossed++;
            gen_table_cell(&t, gen_rule_id((gen_rule_t) rule));
            gen_table_cell(&t, d->persons[i].pid);
            gen_table_cell(&t, planted ? "1" : "0");
            gen_table_cell(&t, detail);
            gen_table_end_row(&t);
        }
    }
    if (rc == 0)
        rc = gen_file_write(ctx->outdir, GEN_FINDINGS_FILE, &t.buf, "UTF-8", err, errlen);
    gen_table_fini(&t);
    free(rows);
    free(first);
    free(police_of);
    free(police_sure);
    return rc;
}
