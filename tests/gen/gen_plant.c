/*
** gen_plant.c: --plant N, who is planted for each rule and what changes
** (gen_plant.h). A planted person is ordinary: 正常 before planting, not a
** twin, namesake, MOVED or with a rare name, planted for one rule only. The
** writers write every row of theirs without mess and once (no DUPLICATE).
**
** Per rule, among the eligible persons, the n with the smallest draw from
** "plant.pick" (forked per rule, then per person); what each gets is drawn
** from "plant" forked per person. A rule's eligibility also keeps the other
** persons' rows as they were and the planted person off the other rules:
**   gone-but-paid       25 or older, not on the labour register, in a
**                       household nobody of which family planning lists (a
**                       death there would change a block); becomes 死亡 (mostly
**                       at 60+), 迁出 or 注销 with 变动类型 死亡/迁出/变更 and a
**                       变动日期 since the first of the previous month; gets
**                       高龄津贴 (when 80 by then), 残疾人两项补贴 (when
**                       disabled), else 城市低保 or 重点优抚对象, 在保 on both
**                       rosters
**   allowance-while-employed  18 or older, on the labour register (once)
**                       as 在岗 or 再就业, no 城市低保 or 特困供养 of their
**                       own; gets one of them, 在保 on both rosters, from a
**                       month before the status's date
**   conscript-without-conscript  a household head aged 38-65, not on
**                       the labour register, no other member 正常 aged 17-24;
**                       gets 义务兵家庭优待 在保 on both rosters
**   fp-woman-gone       a woman 25-49 with a family-planning block of her
**                       own; becomes 迁出, or 死亡 when she is neither on the
**                       labour register nor listed in another woman's block;
**                       her block stays as it was
**   old-age-under-80    aged 70-79 on the first of --date's month; gets
**                       高龄津贴 (100元) 在保 on both rosters
**   community-disagrees on the labour register or in family planning, no
**                       城市低保 or 特困供养 when on the labour register;
**                       one of the two files the person under another
**                       community (drawn)
** Status changes avoid ages 17-24 (the conscript households) and date from
** the previous month on (so 保障人数 of 城市低保 stays as it was).
*/
#include "gen_plant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_rule_id[] = {
    "",
#define X(name, id, severity) id,
    GEN_RULES(X)
#undef X
};
static const char *const s_rule_severity[] = {
    "",
#define X(name, id, severity) severity,
    GEN_RULES(X)
#undef X
};

const char *
gen_rule_id(gen_rule_t rule)
{
    return rule < GEN_RULE_END ? s_rule_id[rule] : "";
}

const char *
gen_rule_severity(gen_rule_t rule)
{
    return rule < GEN_RULE_END ? s_rule_severity[rule] : "";
}

/* What the eligibility tests read, probed before anything is planted. */
typedef struct {
    const gen_district_t *d;
    int cur_start, prev_start;    /* first days of --date's month and the one before */
    unsigned char *labour;        /* GEN_SRC_LABOUR: on the labour register */
    unsigned char *roles;         /* gen_wis_roles */
    unsigned char *cats;          /* gen_civil_categories */
    unsigned char *hh_wis;        /* per household: someone of it is in family planning */
    int *work_date;               /* allowance-while-employed: the status's date, else 0 */
} s_probe_t;

static int
s_age(const gen_person_t *p, int on)
{
    return gen_date_age(p->birth, on);
}

/* Other members of p's household 正常 and aged 17-24 on the first of the
** latest month. */
static int
s_young_others(const gen_district_t *d, size_t i, int cur_start)
{
    const gen_household_t *h = &d->households[d->persons[i].household];
    int n = 0;
    for (size_t j = h->first; j < h->first + h->size; j++) {
        const gen_person_t *q = &d->persons[j];
        int age = s_age(q, cur_start);
        n += j != i && q->status == GEN_STATUS_NORMAL && age >= 17 && age <= 24;
    }
    return n;
}

static bool
s_eligible(gen_ctx_t *ctx, const s_probe_t *pr, const gen_plant_t *plan, gen_rule_t rule,
           size_t i)
{
    const gen_person_t *p = &pr->d->persons[i];
    if (plan[i].rule != GEN_RULE_NONE || p->status != GEN_STATUS_NORMAL || p->twin
        || p->namesake || p->home_namesake || p->moved || p->rare_name)
        return false;
    int age = s_age(p, pr->cur_start);
    bool allowance = pr->cats[i] & ((1u << GEN_CIVIL_DIBAO) | (1u << GEN_CIVIL_TEKUN));
    switch (rule) {
    case GEN_RULE_GONE_BUT_PAID:
        return age >= 25 && !pr->labour[i] && !pr->hh_wis[p->household];
    case GEN_RULE_ALLOWANCE_EMPLOYED: {
        const char *jyzt;
        int date;
        if (age < 18 || !pr->labour[i] || allowance || !gen_labour_probe(ctx, i, &jyzt, &date)
            || (strcmp(jyzt, "在岗") != 0 && strcmp(jyzt, "再就业") != 0))
            return false;
        pr->work_date[i] = date;
        return true;
    }
    case GEN_RULE_CONSCRIPT:
        return p->relation == GEN_REL_HEAD && age >= 38 && age <= 65 && !pr->labour[i]
               && s_young_others(pr->d, i, pr->cur_start) == 0;
    case GEN_RULE_FP_WOMAN_GONE: {
        int on_date = s_age(p, ctx->date);
        return (pr->roles[i] & 1) && on_date >= 25 && on_date <= 49;
    }
    case GEN_RULE_OLD_AGE_UNDER_80:
        return age >= 70 && age <= 79;
    case GEN_RULE_COMMUNITY:
        return pr->d->ncommunities > 1 && (pr->labour[i] || pr->roles[i])
               && !(pr->labour[i] && allowance);
    default:
        return false;
    }
}

/* A day between from and to (YYYYMMDD, from <= to). */
static int
s_day_between(gen_rng_t *r, int from, int to)
{
    long a = gen_date_days(from), b = gen_date_days(to);
    if (b < a)
        b = a;
    return gen_date_from_days(a + (long) gen_rng_below(r, (uint32_t) (b - a + 1)));
}

/* The first day of a month between from (the month after, unless from is
** a first) and to's month; to's month when there is none. */
static int
s_month_between(gen_rng_t *r, int from, int to)
{
    int a = from / 10000 * 12 + from / 100 % 100 - 1 + (from % 100 != 1);
    int b = to / 10000 * 12 + to / 100 % 100 - 1;
    if (a > b)
        a = b;
    int m = gen_rng_range(r, a, b);
    return (m / 12) * 10000 + (m % 12 + 1) * 100 + 1;
}

static int
s_later(int a, int b)
{
    return a > b ? a : b;
}

/* Gives p a 人员状态 other than 正常, lately. */
static void
s_gone(gen_rng_t *r, const s_probe_t *pr, int date, gen_person_t *p, gen_status_t status)
{
    p->status = status;
    p->change = status == GEN_STATUS_DEAD        ? GEN_CHANGE_DEATH
                : status == GEN_STATUS_MOVED_OUT ? GEN_CHANGE_MOVED_OUT
                                                 : GEN_CHANGE_UPDATE;
    p->change_date = s_day_between(r, pr->prev_start, date);
}

static void
s_apply(gen_ctx_t *ctx, const s_probe_t *pr, gen_district_t *d, gen_rule_t rule, size_t i,
        gen_plant_t *pl)
{
    gen_rng_t base;
    gen_rng_init(&base, ctx->seed, "plant");
    gen_rng_t r = gen_rng_fork(&base, i);
    gen_person_t *p = &d->persons[i];
    int age = s_age(p, pr->cur_start), adult = gen_date_add_months(p->birth, 18 * 12);
    int back6 = gen_date_add_months(pr->cur_start, -72);
    *pl = (gen_plant_t) { (unsigned char) rule, -1, 0, 0, -1 };
    switch (rule) {
    case GEN_RULE_GONE_BUT_PAID: {
        double u = gen_rng_unit(&r);
        gen_status_t st = age >= 60 ? (u < 0.75 ? GEN_STATUS_DEAD
                                       : u < 0.95 ? GEN_STATUS_MOVED_OUT : GEN_STATUS_CANCELLED)
                                    : (u < 0.20 ? GEN_STATUS_DEAD
                                       : u < 0.90 ? GEN_STATUS_MOVED_OUT : GEN_STATUS_CANCELLED);
        s_gone(&r, pr, ctx->date, p, st);
        int eighty = gen_date_add_months(p->birth, 80 * 12 + 1) / 100 * 100 + 1;
        int from;
        if (eighty <= pr->prev_start) {
            pl->category = GEN_CIVIL_GAOLING;
            from = eighty;
        } else if (p->disability) {
            pl->category = GEN_CIVIL_CANJI;
            from = s_later(back6, p->birth);
        } else {
            pl->category = gen_rng_chance(&r, 0.5) ? GEN_CIVIL_DIBAO : GEN_CIVIL_YOUFU;
            from = s_later(back6, pl->category == GEN_CIVIL_DIBAO ? p->birth : adult);
        }
        pl->start = s_month_between(&r, from, pr->prev_start);
        break;
    }
    case GEN_RULE_ALLOWANCE_EMPLOYED: {
        /* the month before the status's date at the latest */
        int hi = gen_date_from_days(gen_date_days(pr->work_date[i]) - 1) / 100 * 100 + 1;
        if (hi > pr->prev_start)
            hi = pr->prev_start;
        pl->category = gen_rng_chance(&r, 0.7) || hi < adult ? GEN_CIVIL_DIBAO : GEN_CIVIL_TEKUN;
        int from = s_later(gen_date_add_months(hi, -60), pl->category == GEN_CIVIL_TEKUN ? adult : p->birth);
        pl->start = s_month_between(&r, from, hi);
        break;
    }
    case GEN_RULE_CONSCRIPT:
        pl->category = GEN_CIVIL_YIWUBING;
        pl->start = s_month_between(&r, gen_date_add_months(pr->cur_start, -24), pr->prev_start);
        break;
    case GEN_RULE_FP_WOMAN_GONE: {
        bool may_die = !(pr->roles[i] & 2) && !pr->labour[i];
        s_gone(&r, pr, ctx->date, p,
               may_die && gen_rng_chance(&r, 0.3) ? GEN_STATUS_DEAD : GEN_STATUS_MOVED_OUT);
        break;
    }
    case GEN_RULE_OLD_AGE_UNDER_80:
        pl->category = GEN_CIVIL_GAOLING;
        pl->start = s_month_between(&r, gen_date_add_months(pr->cur_start, -36), pr->prev_start);
        break;
    case GEN_RULE_COMMUNITY: {
        bool labour = pr->labour[i], fp = pr->roles[i] != 0;
        pl->src = labour && fp ? (gen_rng_chance(&r, 0.5) ? GEN_SRC_LABOUR : GEN_SRC_FAMILYPLANNING)
                  : labour     ? GEN_SRC_LABOUR
                               : GEN_SRC_FAMILYPLANNING;
        int c = (int) gen_rng_below(&r, (uint32_t) (d->ncommunities - 1));
        pl->community = c >= p->community ? c + 1 : c;
        break;
    }
    default:
        break;
    }
}

typedef struct {
    uint64_t score;
    size_t person;
} s_cand_t;

static int
s_cmp_cand(const void *a, const void *b)
{
    const s_cand_t *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    return x->person < y->person ? -1 : x->person > y->person;
}

void
gen_plant_choose(gen_ctx_t *ctx, gen_district_t *d, size_t n, gen_plant_t *plan,
                 size_t planted[GEN_RULE_END])
{
    size_t np = d->npersons;
    s_probe_t pr = { d, 0, 0, NULL, NULL, NULL, NULL, NULL };
    pr.cur_start = ctx->date / 100 * 100 + 1;
    pr.prev_start = gen_date_add_months(pr.cur_start, -1);
    pr.labour = gen_xcalloc(np, 1);
    pr.roles = gen_xcalloc(np, 1);
    pr.cats = gen_xcalloc(np, 1);
    pr.hh_wis = gen_xcalloc(d->nhouseholds, 1);
    pr.work_date = gen_xcalloc(np, sizeof *pr.work_date);
    gen_labour_cover(ctx, pr.labour);
    gen_wis_roles(ctx, pr.roles);
    gen_civil_categories(ctx, pr.cats);
    for (size_t i = 0; i < np; i++) {
        if (pr.roles[i])
            pr.hh_wis[d->persons[i].household] = 1;
        plan[i] = (gen_plant_t) { GEN_RULE_NONE, -1, 0, 0, -1 };
    }

    gen_rng_t pick;
    gen_rng_init(&pick, ctx->seed, "plant.pick");
    s_cand_t *cand = gen_xmalloc(np * sizeof *cand);
    planted[GEN_RULE_NONE] = 0;
    for (int rule = GEN_RULE_NONE + 1; rule < GEN_RULE_END; rule++) {
        gen_rng_t rr = gen_rng_fork(&pick, (uint64_t) rule);
        size_t nc = 0;
        for (size_t i = 0; i < np; i++) {
            if (!s_eligible(ctx, &pr, plan, (gen_rule_t) rule, i))
                continue;
            gen_rng_t r = gen_rng_fork(&rr, i);
            cand[nc++] = (s_cand_t) { gen_rng_next(&r), i };
        }
        qsort(cand, nc, sizeof *cand, s_cmp_cand);
        size_t take = nc < n ? nc : n;
        for (size_t k = 0; k < take; k++)
            s_apply(ctx, &pr, d, (gen_rule_t) rule, cand[k].person, &plan[cand[k].person]);
        planted[rule] = take;
    }
    free(cand);
    free(pr.labour);
    free(pr.roles);
    free(pr.cats);
    free(pr.hh_wis);
    free(pr.work_date);
}
