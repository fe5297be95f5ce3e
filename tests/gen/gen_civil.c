/*
** gen_civil.c: civil affairs (民政), the assistance, allowance and volunteer
** roster, format section 4.
**
** Two monthly exports: mz_roster_YYYYMM.csv for --date's month and for the
** month before, one row per person and category (类别), so a person has as
** many rows as categories. Who is on the roster, from the population:
**   城市低保        every member of a few registered households (保障人数 =
**                   the household's living members)
**   特困供养        some people 60+ living alone, some severely disabled
**                   adults without a spouse
**   高龄津贴        most people 80+ at the export month (100/200/500 元 by age)
**   重点优抚对象    a few men 40+ and widowed women 65+
**   义务兵家庭优待  the head of a few households with a member aged 18-22
**   残疾人两项补贴  most people with a disability
**   社区志愿者      a few people 18-75 (保障人数 and 月发放金额 empty)
** A person-and-category is in both months, or only in the current one
** (added; also whoever turned 80 in the current month), or only in the
** previous one (ended; also everyone who died or moved out since the start
** of the previous month). 序号 is the row number of each export: rows are
** grouped by community and shuffled within it by a per-month stream, so
** the two months differ in order.
**
** A row's values, mess included, are drawn from a stream keyed by person
** and category ("civilaffairs.row", forked by person * 8 + category), never
** by month or row, so a person-and-category present in both months is
** written identically in both except for 序号 and 年龄 (whole years on the
** first day of the export month). Its derived key is therefore equal.
**
** GBK, CRLF, RFC 4180, the 16 columns of the format page. Mess: names in
** their GBK same-sounding substitute (gen_name_gbk), spaces and traditional
** characters in names and addresses, 证件号码 as typed (empty, 15 digits,
** lower x, spaces, full-width, mistyped), 证件类型 户口簿 for some (the
** number is then still the identity number) and 其他 with a 20-character
** disability card number (identity number + category + level) or empty,
** amounts as 570 / 570元 / 570.00, 起始日期 as 2019-03-01 or 2019年3月1日,
** community forms (always one that maps), phone forms, a same-sounding
** character in the given name (HOMOPHONE, from the row stream's fork
** GEN_MESS_EXTRA, so alike in both months); from its fork GEN_MESS_CLERK
** (alike in both months too) the former name, typos in the name, the
** registered address, another form of 住址, the old village as 社区, a
** relative's or an old phone, 证件号码 empty on a member's row
** (MEMBER_NO_ID), 年龄 one or two years off (AGE_OFF); a member other than
** the head on the head's number (HEAD_ID: drawn from "civilaffairs.headid"
** per household and category, so every member of the household in that
** category, 证件类型 户口簿 or 居民身份证). A person MOVED gives to civil
** affairs is on the roster of the previous community, at the previous
** address. A person-and-category typed twice (ROW_TWICE, "civilaffairs.twice"
** at enrolment, never for a planted person) has the same row twice in each
** month it is on, each with its own place (序号); truth.csv keys the later
** one in the file KEY~2, as the adapter does. A person-and-category registered twice (DUPLICATE, drawn at
** enrolment from "civilaffairs.dup", only for numbers the hub takes as
** valid) has two rows in each month it is on: one with the valid number
** (证件类型 居民身份证) and one with 证件号码 empty (the phone sometimes too),
** otherwise alike, so the two derive different keys.
** truth.csv: source civilaffairs, source_key adp_civil_key(证件号码 (NULL
** with 其他), 姓名, the code the adapters map 社区 as written to (NULL when
** none: then 社区's text), 社区, 住址, 类别), each as written, and the row's
** tags.
** ctx->facts gets, per person and category on the roster of --date's month,
** 状态 and 月发放金额 (in fen) as written there, for persons.csv. --plant:
** the category planted for a person is on both rosters, 在保, from the
** planted 起始日期, whatever the person's own draws say; a planted person's
** rows show the identity number as 居民身份证.
*/
#include "gen_writers.h"
#include "civilkey.h"
#include "community.h"
#include "normalize.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_SOURCE   "civilaffairs"
#define S_ENCODING "GBK"
#define N_OF(a)    (sizeof(a) / sizeof((a)[0]))

static const char *const s_columns[] = {
    "序号", "街道", "社区", "户主姓名", "姓名", "证件类型", "证件号码", "性别",
    "年龄", "住址", "类别", "保障人数", "月发放金额", "起始日期", "状态", "联系电话",
};

#define S_CATEGORIES(X)                     \
    X(DIBAO,    "城市低保")                 \
    X(TEKUN,    "特困供养")                 \
    X(GAOLING,  "高龄津贴")                 \
    X(YOUFU,    "重点优抚对象")             \
    X(YIWUBING, "义务兵家庭优待")           \
    X(CANJI,    "残疾人两项补贴")           \
    X(ZHIYUAN,  "社区志愿者")
typedef enum {
#define X(name, text) S_CAT_##name,
    S_CATEGORIES(X)
#undef X
    S_CAT_COUNT
} s_category_t;
static const char *const s_category_text[] = {
#define X(name, text) text,
    S_CATEGORIES(X)
#undef X
};
_Static_assert(S_CAT_COUNT == GEN_CIVIL_CATEGORIES, "gen_writers.h: GEN_CIVIL_CATEGORIES");
_Static_assert((int) S_CAT_DIBAO == GEN_CIVIL_DIBAO && (int) S_CAT_TEKUN == GEN_CIVIL_TEKUN
                   && (int) S_CAT_GAOLING == GEN_CIVIL_GAOLING
                   && (int) S_CAT_YOUFU == GEN_CIVIL_YOUFU
                   && (int) S_CAT_YIWUBING == GEN_CIVIL_YIWUBING
                   && (int) S_CAT_CANJI == GEN_CIVIL_CANJI
                   && (int) S_CAT_ZHIYUAN == GEN_CIVIL_ZHIYUAN,
               "gen_writers.h: GEN_CIVIL_*");

const char *
gen_civil_category_text(int category)
{
    return category >= 0 && category < S_CAT_COUNT ? s_category_text[category] : NULL;
}

enum { S_PREV = 1, S_CUR = 2 };

typedef struct {
    size_t person;
    s_category_t category;
    unsigned months;          /* S_PREV | S_CUR */
    uint64_t order;           /* sort key within the community, per month */
    int community;            /* as the roster has it (the previous one when stale) */
    bool has_dup;             /* registered twice: this row shows the number */
    bool dup;                 /* the second registration: no number */
    bool planted;             /* --plant's entitlement: 在保 from the planted 起始日期 */
    bool copy;                /* ROW_TWICE: the same row typed again */
    bool has_copy;            /* ROW_TWICE: the row this one is a copy of */
} s_entry_t;

typedef struct {
    s_entry_t *v;
    size_t n, cap;
} s_entries_t;

static void
s_push(s_entries_t *e, size_t person, s_category_t c, unsigned months, int community)
{
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 256;
        e->v = gen_xrealloc(e->v, e->cap * sizeof *e->v);
    }
    e->v[e->n++] = (s_entry_t) { person, c, months, 0, community, false, false, false, false,
                                 false };
}

static uint64_t
s_stream_index(size_t person, s_category_t c)
{
    return (uint64_t) person * 8 + (uint64_t) c;
}

/* Which months p is on the roster for a category it qualifies for at the
** current month (cur_ok) and/or the previous one (prev_ok); 0 for none. */
static unsigned
s_months(gen_rng_t *r, const gen_person_t *p, int prev_start, bool prev_ok, bool cur_ok)
{
    double u = gen_rng_unit(r);
    if (p->status == GEN_STATUS_CANCELLED)
        return 0;
    if (p->status != GEN_STATUS_NORMAL)   /* dead or moved out: ended, if lately */
        return p->change_date >= prev_start && prev_ok ? S_PREV : 0;
    if (!prev_ok)
        return cur_ok ? S_CUR : 0;
    if (!cur_ok)
        return S_PREV;
    return u < 0.04 ? S_CUR : u < 0.07 ? S_PREV : S_PREV | S_CUR;
}

/* Decides every person-and-category on either roster, and which are
** registered twice (an entry with dup right after its original), counting
** those in noise. */
static void
s_enrol(const gen_ctx_t *ctx, gen_noise_t *noise, int prev_start, int cur_start,
        s_entries_t *e)
{
    const gen_district_t *d = ctx->district;
    gen_rng_t hbase, pbase, dbase, tbase;
    gen_rng_init(&hbase, ctx->seed, S_SOURCE ".household");
    gen_rng_init(&pbase, ctx->seed, S_SOURCE ".enrol");
    gen_rng_init(&dbase, ctx->seed, S_SOURCE ".dup");
    gen_rng_init(&tbase, ctx->seed, S_SOURCE ".twice");
    for (size_t h = 0; h < d->nhouseholds; h++) {
        const gen_household_t *hh = &d->households[h];
        gen_rng_t hr = gen_rng_fork(&hbase, h);
        bool dibao = !hh->floating && gen_rng_chance(&hr, 0.04);
        bool conscript = false;
        for (size_t i = hh->first; i < hh->first + hh->size; i++) {
            int age = gen_date_age(d->persons[i].birth, cur_start);
            if (d->persons[i].relation != GEN_REL_HEAD && age >= 18 && age <= 22
                && d->persons[i].status == GEN_STATUS_NORMAL)
                conscript = true;
        }
        conscript = gen_rng_chance(&hr, 0.12) && conscript;
        bool alone = hh->size == 1;
        bool has_spouse[2] = { false, false };   /* of the head, of the spouse */
        for (size_t i = hh->first; i < hh->first + hh->size; i++) {
            has_spouse[0] |= d->persons[i].relation == GEN_REL_SPOUSE;
            has_spouse[1] |= d->persons[i].relation == GEN_REL_HEAD;
        }
        for (size_t i = hh->first; i < hh->first + hh->size; i++) {
            const gen_person_t *p = &d->persons[i];
            int age_prev = gen_date_age(p->birth, prev_start);
            int age_cur = gen_date_age(p->birth, cur_start);
            bool born = p->birth < prev_start;
            bool spouse = (p->relation == GEN_REL_HEAD && has_spouse[0])
                          || (p->relation == GEN_REL_SPOUSE && has_spouse[1]);
            const gen_plant_t *pl = gen_ctx_plant(ctx, i);
            for (int c = 0; c < S_CAT_COUNT; c++) {
                if (pl && pl->category == c) {   /* on both rosters, whatever it drew */
                    s_push(e, i, (s_category_t) c, S_PREV | S_CUR, p->community);
                    e->v[e->n - 1].planted = true;
                    continue;
                }
                gen_rng_t r = gen_rng_fork(&pbase, s_stream_index(i, (s_category_t) c));
                double u = gen_rng_unit(&r);
                bool prev_ok = born, cur_ok = true;
                bool wants;
                switch ((s_category_t) c) {
                case S_CAT_DIBAO:
                    wants = dibao;
                    break;
                case S_CAT_TEKUN:
                    prev_ok = age_prev >= 18;
                    wants = age_cur >= 18
                            && ((alone && age_cur >= 60 && u < 0.25)
                                || (!spouse && p->disability && p->disability_level <= 2
                                    && u < 0.10));
                    break;
                case S_CAT_GAOLING:
                    prev_ok = age_prev >= 80;
                    cur_ok = age_cur >= 80;
                    wants = (prev_ok || cur_ok) && u < 0.90;
                    break;
                case S_CAT_YOUFU:
                    wants = (p->gender == GEN_MALE && age_cur >= 40 && u < 0.03)
                            || (p->gender == GEN_FEMALE && age_cur >= 65
                                && p->marital == GEN_MARITAL_WIDOWED && u < 0.01);
                    break;
                case S_CAT_YIWUBING:
                    wants = conscript && p->relation == GEN_REL_HEAD;
                    break;
                case S_CAT_CANJI:
                    wants = p->disability != 0 && u < 0.75;
                    break;
                default:   /* S_CAT_ZHIYUAN */
                    prev_ok = age_prev >= 18 && age_prev <= 75;
                    cur_ok = age_cur >= 18 && age_cur <= 75;
                    wants = (prev_ok || cur_ok) && u < 0.04;
                    break;
                }
                if (!wants)
                    continue;
                unsigned months = s_months(&r, p, prev_start, prev_ok, cur_ok);
                if (!months)
                    continue;
                int community = gen_ctx_stale(ctx, i, GEN_SRC_CIVILAFFAIRS) ? p->prev_community
                                                                           : p->community;
                s_push(e, i, (s_category_t) c, months, community);
                /* (only with a number the hub takes as valid: else the two
                ** rows would have one key; never for a planted person) */
                gen_rng_t dr = gen_rng_fork(&dbase, s_stream_index(i, (s_category_t) c));
                char clean[NORM_IDNO_SIZE];
                size_t original = e->n - 1;
                if (!pl && norm_idno(p->idno, clean) == NORM_IDNO_VALID
                    && gen_noise_roll(noise, &dr, GEN_NOISE_DUPLICATE)) {
                    e->v[e->n - 1].has_dup = true;
                    s_push(e, i, (s_category_t) c, months, community);
                    e->v[e->n - 1].dup = true;
                }
                /* typed twice: the same row again (never for a planted person) */
                gen_rng_t tr = gen_rng_fork(&tbase, s_stream_index(i, (s_category_t) c));
                if (!pl && gen_noise_roll(noise, &tr, GEN_NOISE_ROW_TWICE)) {
                    e->v[original].has_copy = true;
                    s_entry_t again = e->v[original];
                    again.copy = true;
                    s_push(e, i, (s_category_t) c, months, community);
                    e->v[e->n - 1] = again;
                }
            }
        }
    }
}

/* Living members of p's household (those on the roster's books). */
static int
s_household_count(const gen_district_t *d, const gen_person_t *p, int prev_start)
{
    const gen_household_t *h = &d->households[p->household];
    int n = 0;
    for (size_t i = h->first; i < h->first + h->size; i++) {
        const gen_person_t *q = &d->persons[i];
        n += q->status == GEN_STATUS_NORMAL || q->change_date >= prev_start;
    }
    return n > 0 ? n : 1;
}

/* amount (in tenths of a yuan) as written: 570, 570元 or 570.00. */
static void
s_amount(gen_noise_t *n, gen_rng_t *r, int tenths, char out[32])
{
    char plain[24];
    if (tenths % 10)
        snprintf(plain, sizeof plain, "%d.%d", tenths / 10, tenths % 10);
    else
        snprintf(plain, sizeof plain, "%d", tenths / 10);
    if (!gen_noise_roll(n, r, GEN_NOISE_AMOUNT_FORM)) {
        snprintf(out, 32, "%s", plain);
    } else if (gen_rng_chance(r, 0.5)) {
        snprintf(out, 32, "%s元", plain);
    } else {
        snprintf(out, 32, "%d.%d0", tenths / 10, tenths % 10);
    }
}

/* The first day of a month between from and to (YYYYMMDD, from <= to). */
static int
s_month_start_between(gen_rng_t *r, int from, int to)
{
    int a = from / 10000 * 12 + from / 100 % 100 - 1, b = to / 10000 * 12 + to / 100 % 100 - 1;
    if (b < a)
        b = a;
    int m = gen_rng_range(r, a, b);
    return (m / 12) * 10000 + (m % 12 + 1) * 100 + 1;
}

/* Writes the row of entry e for the export month starting month_start;
** key receives the derived key of the row and tags (NULL: not wanted) what
** makes it hard. A planted person's rows are without mess and show the
** identity number as 居民身份证. comms maps the community as written to its
** code, as the adapter does (NULL: the code of e's community). */
static void
s_row(gen_ctx_t *ctx, gen_table_t *t, const gen_rng_t *base, const s_entry_t *e, size_t seq,
      int month_start, int prev_start, int cur_start, const adp_communities_t *comms,
      char key[ADP_CIVIL_KEY_SIZE], gen_tags_t *tags)
{
    const gen_district_t *d = ctx->district;
    gen_noise_t *n = gen_ctx_noise(ctx, e->person);
    const gen_plant_t *pl = gen_ctx_plant(ctx, e->person);
    const gen_person_t *p = &d->persons[e->person];
    const gen_household_t *h = &d->households[p->household];
    const gen_person_t *head = &d->persons[h->first];
    const gen_community_t *cm = &d->communities[e->community];
    bool stale = gen_ctx_stale(ctx, e->person, GEN_SRC_CIVILAFFAIRS);
    gen_rng_t r = gen_rng_fork(base, s_stream_index(e->person, e->category));
    gen_rng_t x = gen_rng_fork(&r, GEN_MESS_EXTRA);
    gen_rng_t c = gen_rng_fork(&r, GEN_MESS_CLERK);
    int age_cur = gen_date_age(p->birth, cur_start);
    gen_tags_t scratch = { "" };
    if (!tags)
        tags = &scratch;
    gen_tags_person(p, tags);
    if (e->dup)
        gen_tags_add(tags, "duplicate");
    if (e->copy || e->has_copy)
        gen_tags_add(tags, "row_twice");

    /* 证件类型 and 证件号码 */
    const char *doc = "居民身份证";
    char number[GEN_IDNO_TEXT_MAX];
    bool invalid;
    double u = gen_rng_unit(&r);
    bool empty = gen_noise_roll(n, &r, GEN_NOISE_ID_EMPTY);
    gen_mess_idno(n, &r, p, number, &invalid);
    if (e->category == S_CAT_CANJI && u < 0.45) {
        doc = "其他";
        if (gen_rng_chance(&r, 0.9))
            snprintf(number, sizeof number, "%s%d%d", p->idno, p->disability,
                     p->disability_level);
        else
            number[0] = '\0';
    } else if (u < 0.01) {
        doc = "其他";
        number[0] = '\0';
    } else {
        double booklet = age_cur < 16 ? 0.40 : age_cur >= 80 ? 0.15 : 0.06;
        if (gen_rng_chance(&r, booklet))
            doc = "户口簿";
        if (empty)
            number[0] = '\0';
    }
    if (e->dup) {   /* the second registration: without the number */
        number[0] = '\0';
    } else if (e->has_dup) {   /* the first: with it, valid */
        char clean[NORM_IDNO_SIZE];
        if (strcmp(doc, "其他") == 0)
            doc = "居民身份证";
        if (norm_idno(number, clean) != NORM_IDNO_VALID)
            gen_strlcpy(number, p->idno, sizeof number);
    } else if (p->relation != GEN_REL_HEAD && strcmp(doc, "其他") != 0) {
        /* the roster is kept by household: a member on the head's number
        ** (drawn per household and category, so alike for every member and
        ** month), or on none */
        gen_rng_t hbase;
        gen_rng_init(&hbase, ctx->seed, S_SOURCE ".headid");
        gen_rng_t hr = gen_rng_fork(&hbase, (uint64_t) p->household * 8 + (uint64_t) e->category);
        if (gen_noise_roll(n, &hr, GEN_NOISE_HEAD_ID)) {
            bool head_invalid;
            gen_mess_idno(n, &c, head, number, &head_invalid);
            doc = gen_rng_chance(&c, 0.5) ? "户口簿" : "居民身份证";
            gen_tags_add(tags, "head_id");
        } else if (number[0] && gen_noise_roll(n, &c, GEN_NOISE_MEMBER_NO_ID)) {
            number[0] = '\0';
        }
    }
    if (pl) {
        doc = "居民身份证";
        gen_strlcpy(number, p->idno, sizeof number);
    }
    gen_tags_idno(number, strcmp(doc, "其他") == 0, p, tags);

    char name[4 * GEN_NAME_MAX], head_name[4 * GEN_NAME_MAX], addr[2 * GEN_ADDR_MAX];
    char base_name[4 * GEN_NAME_MAX], before[4 * GEN_NAME_MAX];
    gen_mess_base_name(n, &c, p, base_name, sizeof base_name, tags);
    gen_name_gbk(base_name, name, sizeof name);
    gen_mess_name_slips(n, &c, p, name, sizeof name, tags);
    gen_name_gbk(head->name, head_name, sizeof head_name);
    gen_mess_base_address(n, &c, d, p, stale, 1.0, addr, sizeof addr, tags);
    gen_strlcpy(before, name, sizeof before);
    gen_mess_homophone(n, &x, name, sizeof name, strlen(p->surname));
    if (strcmp(before, name) != 0)
        gen_tags_add(tags, "homophone");
    gen_strlcpy(before, name, sizeof before);
    gen_mess_trad(n, &r, name, sizeof name, addr, sizeof addr);
    if (strcmp(before, name) != 0)
        gen_tags_add(tags, "trad");
    if (p->rare_name)
        gen_tags_add(tags, "rare_name");
    gen_mess_spaces(n, &r, name, sizeof name, strlen(p->surname));
    gen_mess_spaces(n, &r, addr, sizeof addr, 0);
    char community[160], phone[32];
    gen_mess_community(n, &r, cm, community);
    gen_mess_village(n, &c, cm, community, tags);
    gen_mess_phone(n, &r, p, phone);
    if (e->dup && gen_rng_chance(&x, 0.5))
        phone[0] = '\0';
    gen_mess_phone_slips(n, &c, d, p, ctx->date, phone, tags);

    /* 年龄: off by one or two, the same way in both months */
    int age_off = 0;
    if (gen_noise_roll(n, &c, GEN_NOISE_AGE_OFF)) {
        static const int offs[] = { 1, -1, 2, -2 };
        static const unsigned w[] = { 40, 30, 20, 10 };
        age_off = offs[gen_rng_weighted(&c, w, 4)];
        if (gen_date_age(p->birth, prev_start) + age_off < 0)
            age_off = -age_off;
        gen_tags_add(tags, "age_off");
    }

    /* what is paid, since when */
    int people = 1, tenths = 0;
    int adult = gen_date_add_months(p->birth, 18 * 12);
    int from = gen_date_add_months(cur_start, -12 * 12);
    switch (e->category) {
    case S_CAT_DIBAO:
        people = s_household_count(d, p, prev_start);
        tenths = (810 - 10 * (int) gen_rng_below(&r, 50)) * 10 + (gen_rng_chance(&r, 0.1) ? 5 : 0);
        from = from > p->birth ? from : p->birth;
        break;
    case S_CAT_TEKUN:
        tenths = (1060 + 20 * (int) gen_rng_below(&r, 21)) * 10;
        from = from > adult ? from : adult;
        break;
    case S_CAT_GAOLING:
        tenths = (age_cur >= 100 ? 500 : age_cur >= 90 ? 200 : 100) * 10;
        from = gen_date_add_months(p->birth, 80 * 12 + 1);
        break;
    case S_CAT_YOUFU:
        tenths = (1200 + 10 * (int) gen_rng_below(&r, 261)) * 10;
        from = from > adult ? from : adult;
        break;
    case S_CAT_YIWUBING:
        people = s_household_count(d, p, prev_start);
        tenths = (1500 + 50 * (int) gen_rng_below(&r, 23)) * 10;
        from = gen_date_add_months(cur_start, -24);
        break;
    case S_CAT_CANJI:
        tenths = (80 + (p->disability_level <= 2 ? 100 : 60)) * 10;
        from = from > p->birth ? from : p->birth;
        break;
    default:
        from = from > adult ? from : adult;
        break;
    }
    int start;
    if (e->months == S_CUR)   /* added this month */
        start = cur_start;
    else if (e->category == S_CAT_GAOLING)   /* the month after turning 80 */
        start = from / 100 * 100 + 1;
    else
        start = s_month_start_between(&r, from, prev_start);
    if (e->planted)
        start = pl->start;
    static const gen_date_form_t alts[] = { GEN_DATE_CN };
    char start_text[GEN_DATE_TEXT_MAX], people_text[16] = "", amount[32] = "";
    gen_mess_date(n, &r, start, alts, N_OF(alts), start_text);
    if (e->category != S_CAT_ZHIYUAN) {
        snprintf(people_text, sizeof people_text, "%d", people);
        s_amount(n, &r, tenths, amount);
    }
    double s = gen_rng_unit(&r);
    const char *status = s < 0.90 ? "在保" : s < 0.94 ? "暂停" : "停保";
    if (e->planted)
        status = "在保";

    char seq_text[24], age_text[16];
    snprintf(seq_text, sizeof seq_text, "%zu", seq);
    snprintf(age_text, sizeof age_text, "%d", gen_date_age(p->birth, month_start) + age_off);
    const char *category = s_category_text[e->category];

    gen_table_cell(t, seq_text);
    gen_table_cell(t, cm->street);
    gen_table_cell(t, community);
    gen_table_cell(t, head_name);
    gen_table_cell(t, name);
    gen_table_cell(t, doc);
    gen_table_cell(t, number);
    gen_table_cell(t, gen_gender_text(p->gender));
    gen_table_cell(t, age_text);
    gen_table_cell(t, addr);
    gen_table_cell(t, category);
    gen_table_cell(t, people_text);
    gen_table_cell(t, amount);
    gen_table_cell(t, start_text);
    gen_table_cell(t, status);
    gen_table_cell(t, phone);

    if (ctx->facts && month_start == cur_start) {   /* the latest roster's */
        gen_facts_t *f = &ctx->facts[e->person];
        f->civil_status[e->category] = status;
        f->civil_amount_fen[e->category] = e->category == S_CAT_ZHIYUAN ? -1 : (long) tenths * 10;
    }

    /* the key as the adapter derives it: no number with 其他, the
    ** community's code when the adapter maps the community as written */
    const char *code = comms ? adp_community_code(comms, community) : cm->code;
    bool other = strcmp(doc, "其他") == 0;
    bool theirs = !other && adp_civil_number_theirs(number, gen_gender_text(p->gender), age_text,
                                                    month_start / 10000);   /* the head's on a member's row */
    adp_civil_key(other || theirs ? NULL : number, name, code, community, addr, category, key);

    if (ctx->seen) {
        gen_seen_t seen = { e->person, GEN_SRC_CIVILAFFAIRS, (signed char) e->category,
                            month_start == cur_start,
                            strcmp(doc, "其他") != 0 && gen_seen_sure(number, p),
                            gen_seen_name_differs(name, p), e->community, start, status,
                            gen_tags_has(tags, "village_name") };
        gen_seen_add(ctx, &seen);
    }
}

_Static_assert(GEN_CIVIL_KEY_SIZE == ADP_CIVIL_KEY_SIZE, "gen_writers.h: GEN_CIVIL_KEY_SIZE");

void
gen_civil_row(gen_ctx_t *ctx, gen_table_t *t, const gen_rng_t *base, size_t i, int category,
              size_t seq, char key[GEN_CIVIL_KEY_SIZE])
{
    int cur_start = ctx->date / 100 * 100 + 1;
    int prev_start = gen_date_add_months(cur_start, -1);
    s_entry_t e = { i, (s_category_t) category, S_CUR, 0, ctx->district->persons[i].community,
                    false, false, false, false, false };
    s_row(ctx, t, base, &e, seq, cur_start, prev_start, cur_start, NULL, key, NULL);
    gen_table_end_row(t);
}

static int
s_cmp_entry(const void *a, const void *b)
{
    const s_entry_t *x = a, *y = b;
    if (x->community != y->community)
        return x->community < y->community ? -1 : 1;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    if (x->category != y->category)
        return (int) x->category - (int) y->category;
    if (x->dup != y->dup)
        return (int) x->dup - (int) y->dup;
    return (int) x->copy - (int) y->copy;
}

/* Writes the export of one month (which: S_PREV or S_CUR). */
static int
s_month(gen_ctx_t *ctx, const s_entries_t *all, unsigned which, int prev_start, int cur_start,
        const adp_communities_t *comms, char *err, size_t errlen)
{
    const gen_district_t *d = ctx->district;
    int month_start = which == S_CUR ? cur_start : prev_start;
    char file[64];
    snprintf(file, sizeof file, "mz_roster_%06d.csv", month_start / 100);

    s_entry_t *v = gen_xmalloc((all->n + 1) * sizeof *v);
    size_t nv = 0;
    gen_rng_t obase;
    gen_rng_init(&obase, ctx->seed, S_SOURCE ".order");
    gen_rng_t order = gen_rng_fork(&obase, (uint64_t) (month_start / 100));
    for (size_t k = 0; k < all->n; k++) {
        if (!(all->v[k].months & which))
            continue;
        v[nv] = all->v[k];
        gen_rng_t r = gen_rng_fork(&order, s_stream_index(v[nv].person, v[nv].category));
        v[nv].order = gen_rng_next(&r);
        if (v[nv].dup)   /* its own place in the community */
            v[nv].order = gen_rng_next(&r);
        if (v[nv].copy) {   /* typed again: a place of its own too */
            gen_rng_next(&r);
            v[nv].order = gen_rng_next(&r);
        }
        nv++;
    }
    qsort(v, nv, sizeof *v, s_cmp_entry);

    gen_table_t t;
    gen_table_init(&t, ',', true, "\r\n");
    gen_table_header(&t, s_columns, N_OF(s_columns));
    gen_rng_t base;
    gen_rng_init(&base, ctx->seed, S_SOURCE ".row");
    for (size_t k = 0; k < nv; k++) {
        char key[ADP_CIVIL_KEY_SIZE];
        gen_tags_t tags = { "" };
        s_row(ctx, &t, &base, &v[k], k + 1, month_start, prev_start, cur_start, comms, key,
              &tags);
        size_t row = gen_table_end_row(&t);
        gen_truth_add_derived(ctx->truth, d->persons[v[k].person].pid, S_SOURCE, key, file, row,
                              &tags);
    }
    free(v);
    int rc = gen_file_write(ctx->outdir, file, &t.buf, S_ENCODING, err, errlen);
    if (rc == 0) {
        char text[96];
        snprintf(text, sizeof text, ", %zu civil affairs %06d rows", t.rows, month_start / 100);
        gen_buf_puts(ctx->summary, text);
    }
    gen_table_fini(&t);
    return rc;
}

int
gen_civil_write(gen_ctx_t *ctx, char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium cannot be initialised (civil-affairs keys)");
        return -1;
    }
    int cur_start = ctx->date / 100 * 100 + 1;
    int prev_start = gen_date_add_months(cur_start, -1);
    adp_communities_t *comms = adp_communities_load(ctx->communities_path, err, errlen);
    if (!comms)
        return -1;
    s_entries_t e = { NULL, 0, 0 };
    s_enrol(ctx, ctx->noise, prev_start, cur_start, &e);
    int rc = s_month(ctx, &e, S_PREV, prev_start, cur_start, comms, err, errlen);
    if (rc == 0)
        rc = s_month(ctx, &e, S_CUR, prev_start, cur_start, comms, err, errlen);
    free(e.v);
    adp_communities_destroy(&comms);
    return rc;
}

void
gen_civil_categories(gen_ctx_t *ctx, unsigned char *cats)
{
    int cur_start = ctx->date / 100 * 100 + 1;
    int prev_start = gen_date_add_months(cur_start, -1);
    gen_noise_t quiet = *ctx->noise;
    s_entries_t e = { NULL, 0, 0 };
    s_enrol(ctx, &quiet, prev_start, cur_start, &e);
    for (size_t k = 0; k < e.n; k++)
        if (e.v[k].months & S_CUR)
            cats[e.v[k].person] |= (unsigned char) (1u << e.v[k].category);
    free(e.v);
}

void
gen_civil_cover(gen_ctx_t *ctx, unsigned char *mask)
{
    int cur_start = ctx->date / 100 * 100 + 1;
    int prev_start = gen_date_add_months(cur_start, -1);
    gen_noise_t quiet = *ctx->noise;   /* the writer counts */
    s_entries_t e = { NULL, 0, 0 };
    s_enrol(ctx, &quiet, prev_start, cur_start, &e);
    for (size_t k = 0; k < e.n; k++)
        mask[e.v[k].person] |= GEN_SRC_CIVILAFFAIRS;
    free(e.v);
}
