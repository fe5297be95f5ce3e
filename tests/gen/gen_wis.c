/*
** gen_wis.c: family planning (计生), women of child-bearing age and their
** families, format section 2.
**
** wis_YYYYMMDD.tsv holds, for most (S_COVERAGE) women aged 15-49 on --date
** who are 正常 in the population, a block of rows: the woman (育龄妇女), her
** husband (配偶) when he lives in the household, and her children (子女)
** living in the household, in household order. Who is whose comes from the
** household's relations: a head or a head's spouse has the other as spouse
** and the 子/女 as children; a head's mother has the head's father as
** spouse and the head and the head's siblings as children. Dead members are
** left out (the woman is then 丧偶). A person can appear twice: as a child
** in her mother's block and as a woman in her own, or as the head's husband
** in his wife's block and as a child in his mother's.
**
** Every row has its own 记录编号 JS + year of the record + 6-digit serial
** (serials rise through the file with gaps, so numbers are unique); spouse
** and child rows carry the woman's 记录编号 in 关联记录编号. 子女数,
** 生育服务证号 and 节育措施 are on the woman's row only; 婚姻状况 is empty for
** children.
**
** UTF-8 with a BOM, LF, tabs, no quoting, the 15 columns of the format page.
** Mess (gen_mess.h): identity numbers as typed (empty for most children under
** 16 and a few adults, 15 digits, lower x, spaces, full-width, mistyped),
** record numbers with a space or full-width, three date forms, spaces and
** traditional characters in names and addresses, community and phone forms.
** Each woman's block draws from its own fork of "familyplanning.wis", each
** row from a fork of that. A same-sounding character in the given name
** (HOMOPHONE) draws from the row's fork GEN_MESS_EXTRA, a data clerk's
** kinds from its fork GEN_MESS_CLERK: a child's placeholder name and no
** number (CHILD_PLACEHOLDER), the mother's number on a child's row
** (CHILD_MOTHER_ID), a child's old phone (CHILD_PHONE_OLD), the former name,
** typos in the name, the registered address, another form of the address
** (twice as often on a child's row), the old village as community, a
** relative's or an old phone, the birth date's month and day swapped or day
** 01, the gender code flipped (not the woman's); a person the district's
** MOVED gives to family planning has the previous address and community on
** every row. A member registered twice (DUPLICATE, from
** "familyplanning.dup" forked per block and member) has a second row right
** after the first, with a later serial of the same or a later year and its
** own mess. truth.csv: source familyplanning, source_key norm_key(记录编号
** as written), the row's tags. --plant: a woman planted for fp-woman-gone keeps her block
** though no longer 正常; a person planted for community-disagrees through
** family planning has the planted community on every row.
*/
#include "gen_writers.h"
#include "normalize.h"

#include <stdio.h>
#include <string.h>

#define S_SOURCE     "familyplanning"
#define S_COVERAGE   0.95     /* share of eligible women on the register */
#define S_NONE       ((size_t) -1)
#define N_OF(a)      (sizeof(a) / sizeof((a)[0]))

static const char *const s_columns[] = {
    "记录编号", "人员类型", "姓名", "身份证号", "出生日期", "性别", "婚姻状况", "关联记录编号",
    "现居住地址", "所属社区", "联系电话", "子女数", "生育服务证号", "节育措施", "更新时间",
};

typedef enum { S_WOMAN, S_SPOUSE, S_CHILD } s_kind_t;
static const char *const s_kind_text[] = { "育龄妇女", "配偶", "子女" };

/* One woman's block: who, and the values only her row carries. */
typedef struct {
    size_t woman;
    size_t spouse;            /* S_NONE when not listed */
    size_t children[6];
    size_t nchildren;
    int year;                 /* year of her record */
    char key[32];             /* her 记录编号, clean */
} s_family_t;

/* Finds w's husband and children in her household. */
static void
s_find_family(const gen_district_t *d, size_t w, s_family_t *f)
{
    const gen_person_t *p = &d->persons[w];
    const gen_household_t *h = &d->households[p->household];
    f->woman = w;
    f->spouse = S_NONE;
    f->nchildren = 0;
    for (size_t i = h->first; i < h->first + h->size; i++) {
        const gen_person_t *q = &d->persons[i];
        if (i == w || q->status == GEN_STATUS_DEAD)
            continue;
        gen_relation_t a = p->relation, b = q->relation;
        bool spouse = false, child = false;
        if (a == GEN_REL_HEAD || a == GEN_REL_SPOUSE) {
            spouse = b == GEN_REL_HEAD || b == GEN_REL_SPOUSE;
            child = b == GEN_REL_SON || b == GEN_REL_DAUGHTER;
        } else if (a == GEN_REL_MOTHER) {
            spouse = b == GEN_REL_FATHER;
            child = b == GEN_REL_HEAD || b == GEN_REL_BROTHER || b == GEN_REL_SISTER;
        }
        if (spouse && q->gender == GEN_MALE)
            f->spouse = i;
        else if (child && q->birth / 10000 - p->birth / 10000 >= 15 && f->nchildren < 6)
            f->children[f->nchildren++] = i;
    }
}

/* 婚姻状况 of the woman as the register has it. */
static const char *
s_woman_marital(const gen_district_t *d, const s_family_t *f)
{
    const gen_person_t *p = &d->persons[f->woman];
    if (f->spouse != S_NONE)
        return gen_marital_text(p->marital);
    if (p->marital == GEN_MARITAL_MARRIED || p->marital == GEN_MARITAL_REMARRIED) {
        /* the husband should be at home: is he dead? */
        const gen_household_t *h = &d->households[p->household];
        for (size_t i = h->first; i < h->first + h->size; i++)
            if (i != f->woman && d->persons[i].gender == GEN_MALE
                && d->persons[i].status == GEN_STATUS_DEAD
                && (d->persons[i].relation == GEN_REL_HEAD
                    || d->persons[i].relation == GEN_REL_SPOUSE
                    || d->persons[i].relation == GEN_REL_FATHER))
                return gen_marital_text(GEN_MARITAL_WIDOWED);
    }
    return gen_marital_text(p->marital);
}

static const char *
s_method(gen_rng_t *r, const s_family_t *f)
{
    static const char *const methods[] = { "宫内节育器", "皮下埋植", "避孕药", "男性结扎",
                                           "女性结扎", "无" };
    static const unsigned with_kids[] = { 42, 6, 10, 3, 14, 25 },
                          no_kids[] = { 5, 3, 20, 0, 0, 72 };
    if (f->spouse == S_NONE)
        return gen_rng_chance(r, 0.9) ? "无" : "避孕药";
    const unsigned *w = f->nchildren > 0 ? with_kids : no_kids;
    return methods[gen_rng_weighted(r, w, N_OF(methods))];
}

/* A time on a day between Jan 1 of year (or from) and the export date. */
static void
s_update_time(gen_rng_t *r, int year, int from, int date, char out[32])
{
    long lo = gen_date_days(year * 10000 + 101), hi = gen_date_days(date);
    if (from && gen_date_days(from) > lo)
        lo = gen_date_days(from);
    if (lo > hi)
        lo = hi;
    int day = gen_date_from_days(lo + (long) gen_rng_below(r, (uint32_t) (hi - lo + 1)));
    int hh = gen_rng_range(r, 8, 18), mm = gen_rng_range(r, 0, 59), ss = gen_rng_range(r, 0, 59);
    snprintf(out, 32, "%04d-%02d-%02d %02d:%02d:%02d", day / 10000, day / 100 % 100, day % 100,
             hh, mm, ss);
}

/* Writes one row of f's block: person q as kind, with record number key
** (clean); key_out receives it as written. The community is the previous
** one for a person MOVED gives to family planning, the planted one for a
** person --plant has family planning file under another. */
static void
s_row(gen_ctx_t *ctx, gen_table_t *t, gen_rng_t *r, const s_family_t *f, size_t q,
      s_kind_t kind, const char *key, int year, char key_out[GEN_KEY_TEXT_MAX], gen_tags_t *tags)
{
    const gen_district_t *d = ctx->district;
    gen_noise_t *n = gen_ctx_noise(ctx, q);
    const gen_person_t *p = &d->persons[q];
    const gen_person_t *mother = &d->persons[f->woman];
    int age = gen_date_age(p->birth, ctx->date);
    gen_rng_t x = gen_rng_fork(r, GEN_MESS_EXTRA);
    gen_rng_t c = gen_rng_fork(r, GEN_MESS_CLERK);
    bool stale = gen_ctx_stale(ctx, q, GEN_SRC_FAMILYPLANNING);
    const gen_plant_t *pl = gen_ctx_plant(ctx, q);
    int cindex = stale ? p->prev_community : p->community;
    if (pl && pl->src == GEN_SRC_FAMILYPLANNING)
        cindex = pl->community;
    const gen_community_t *cm = &d->communities[cindex];
    gen_tags_t scratch = { "" };
    if (!tags)
        tags = &scratch;
    gen_tags_person(p, tags);

    gen_mess_key(n, r, key, key_out);
    char link[GEN_KEY_TEXT_MAX] = "";
    if (kind != S_WOMAN)
        gen_mess_key(n, r, f->key, link);

    char idno[GEN_IDNO_TEXT_MAX];
    bool invalid;
    bool no_child_id = kind == S_CHILD && age < 16 && gen_noise_roll(n, r, GEN_NOISE_CHILD_NO_ID);
    bool empty = gen_noise_roll(n, r, GEN_NOISE_ID_EMPTY);
    gen_mess_idno(n, r, p, idno, &invalid);
    if (no_child_id || empty)
        idno[0] = '\0';
    /* a child registered before it was named: a placeholder, no number */
    bool placeholder = kind == S_CHILD && age < 16
                       && gen_noise_roll_scaled(n, &c, GEN_NOISE_CHILD_PLACEHOLDER,
                                                age < 2 ? 1.0 : 0.1);
    if (placeholder)
        idno[0] = '\0';
    if (kind == S_CHILD && gen_noise_roll(n, &c, GEN_NOISE_CHILD_MOTHER_ID)) {
        gen_mess_idno(n, &c, mother, idno, &invalid);
        gen_tags_add(tags, "mother_id");
    }
    gen_tags_idno(idno, false, p, tags);

    char name[2 * GEN_NAME_MAX], addr[2 * GEN_ADDR_MAX], before[2 * GEN_NAME_MAX];
    if (placeholder) {
        gen_mess_placeholder(&c, p, mother, name, sizeof name);
        gen_tags_add(tags, "placeholder");
    } else {
        gen_mess_base_name(n, &c, p, name, sizeof name, tags);
        gen_mess_name_slips(n, &c, p, name, sizeof name, tags);
    }
    gen_mess_base_address(n, &c, d, p, stale, kind == S_CHILD ? 2.0 : 1.0, addr, sizeof addr,
                          tags);
    gen_strlcpy(before, name, sizeof before);
    gen_mess_homophone(n, &x, name, sizeof name, strlen(p->surname));
    if (strcmp(before, name) != 0)
        gen_tags_add(tags, "homophone");
    gen_strlcpy(before, name, sizeof before);
    gen_mess_trad(n, r, name, sizeof name, addr, sizeof addr);
    if (strcmp(before, name) != 0)
        gen_tags_add(tags, "trad");
    if (p->rare_name)
        gen_tags_add(tags, "rare_name");
    gen_mess_spaces(n, r, name, sizeof name, strlen(p->surname));
    gen_mess_spaces(n, r, addr, sizeof addr, 0);

    static const gen_date_form_t alts[] = { GEN_DATE_SLASH, GEN_DATE_DOT };
    char birth[GEN_DATE_TEXT_MAX], community[160], phone[32], updated[32];
    gen_mess_date(n, r, gen_mess_birth(n, &c, p->birth, tags), alts, N_OF(alts), birth);
    gen_mess_community(n, r, cm, community);
    gen_mess_village(n, &c, cm, community, tags);
    gen_mess_phone(n, r, p, phone);
    if (kind == S_CHILD && age < 16 && gen_noise_roll(n, &c, GEN_NOISE_CHILD_PHONE_OLD)) {
        char old[16];
        do
            gen_mobile(&c, old);
        while (strcmp(old, p->phone) == 0 || strcmp(old, mother->phone) == 0);
        snprintf(phone, sizeof phone, "%s", old);
        gen_tags_add(tags, "phone_old");
    } else {
        gen_mess_phone_slips(n, &c, d, p, ctx->date, phone, tags);
    }
    gen_gender_t gender = kind == S_WOMAN ? p->gender : gen_mess_gender(n, &c, p->gender, tags);
    s_update_time(r, year, kind == S_WOMAN ? 0 : p->birth, ctx->date, updated);

    char children[8] = "", cert[32] = "";
    const char *marital = "", *method = "";
    if (kind == S_WOMAN) {
        snprintf(children, sizeof children, "%zu", f->nchildren);
        marital = s_woman_marital(d, f);
        method = s_method(r, f);
        if (f->nchildren > 0 && gen_rng_chance(r, 0.45)) {
            int first = d->persons[f->children[0]].birth / 10000;
            for (size_t k = 1; k < f->nchildren; k++)
                if (d->persons[f->children[k]].birth / 10000 < first)
                    first = d->persons[f->children[k]].birth / 10000;
            snprintf(cert, sizeof cert, "%.6s%04d%05u", cm->code,
                     first - 1, (unsigned) gen_rng_below(r, 100000));
        }
    } else if (kind == S_SPOUSE) {
        marital = gen_marital_text(p->marital);
    }

    gen_table_cell(t, key_out);
    gen_table_cell(t, s_kind_text[kind]);
    gen_table_cell(t, name);
    gen_table_cell(t, idno);
    gen_table_cell(t, birth);
    gen_table_cell(t, gender == GEN_MALE ? "1" : "2");
    gen_table_cell(t, marital);
    gen_table_cell(t, link);
    gen_table_cell(t, addr);
    gen_table_cell(t, community);
    gen_table_cell(t, phone);
    gen_table_cell(t, children);
    gen_table_cell(t, cert);
    gen_table_cell(t, method);
    gen_table_cell(t, updated);

    if (ctx->seen) {
        gen_seen_t seen = { q, GEN_SRC_FAMILYPLANNING, -1, true, gen_seen_sure(idno, p),
                            gen_seen_name_differs(name, p), cindex, 0, s_kind_text[kind],
                            gen_tags_has(tags, "village_name") };
        gen_seen_add(ctx, &seen);
    }
}

/* Whether woman i has a block on the register: then block is the block's
** stream, r its fork 0 past the choice, and f her family. A woman --plant
** made 死亡 or 迁出 for fp-woman-gone keeps hers: the register has not
** learnt of it. */
static bool
s_select(const gen_ctx_t *ctx, const gen_rng_t *base, size_t i, gen_rng_t *block, gen_rng_t *r,
         s_family_t *f)
{
    const gen_district_t *d = ctx->district;
    const gen_person_t *p = &d->persons[i];
    int age = gen_date_age(p->birth, ctx->date);
    const gen_plant_t *pl = gen_ctx_plant(ctx, i);
    bool listed = p->status == GEN_STATUS_NORMAL || (pl && pl->rule == GEN_RULE_FP_WOMAN_GONE);
    if (p->gender != GEN_FEMALE || age < 15 || age > 49 || !listed)
        return false;
    *block = gen_rng_fork(base, i);
    *r = gen_rng_fork(block, 0);
    if (!gen_rng_chance(r, S_COVERAGE))
        return false;
    s_find_family(d, i, f);
    return true;
}

void
gen_wis_roles(gen_ctx_t *ctx, unsigned char *roles)
{
    gen_rng_t base;
    gen_rng_init(&base, ctx->seed, S_SOURCE ".wis");
    for (size_t i = 0; i < ctx->district->npersons; i++) {
        gen_rng_t block, r;
        s_family_t f;
        if (!s_select(ctx, &base, i, &block, &r, &f))
            continue;
        roles[i] |= 1;
        if (f.spouse != S_NONE)
            roles[f.spouse] |= 2;
        for (size_t k = 0; k < f.nchildren; k++)
            roles[f.children[k]] |= 2;
    }
}

void
gen_wis_row(gen_ctx_t *ctx, gen_table_t *t, gen_rng_t *r, size_t w, const char *key, int year,
            char key_out[GEN_KEY_TEXT_MAX])
{
    s_family_t f = { w, S_NONE, { 0 }, 0, year, "" };
    gen_strlcpy(f.key, key, sizeof f.key);
    s_row(ctx, t, r, &f, w, S_WOMAN, key, year, key_out, NULL);
    gen_table_end_row(t);
}

void
gen_wis_cover(gen_ctx_t *ctx, unsigned char *mask)
{
    gen_rng_t base;
    gen_rng_init(&base, ctx->seed, S_SOURCE ".wis");
    for (size_t i = 0; i < ctx->district->npersons; i++) {
        gen_rng_t block, r;
        s_family_t f;
        if (!s_select(ctx, &base, i, &block, &r, &f))
            continue;
        mask[i] |= GEN_SRC_FAMILYPLANNING;
        if (f.spouse != S_NONE)
            mask[f.spouse] |= GEN_SRC_FAMILYPLANNING;
        for (size_t k = 0; k < f.nchildren; k++)
            mask[f.children[k]] |= GEN_SRC_FAMILYPLANNING;
    }
}

int
gen_wis_write(gen_ctx_t *ctx, char *err, size_t errlen)
{
    const gen_district_t *d = ctx->district;
    char file[64];
    snprintf(file, sizeof file, "wis_%08d.tsv", ctx->date);
    gen_table_t t;
    gen_table_init(&t, '\t', false, "\n");
    gen_buf_puts(&t.buf, "\xEF\xBB\xBF");
    gen_table_header(&t, s_columns, N_OF(s_columns));

    gen_rng_t base, dbase;
    gen_rng_init(&base, ctx->seed, S_SOURCE ".wis");
    gen_rng_init(&dbase, ctx->seed, S_SOURCE ".dup");
    int this_year = ctx->date / 10000;
    unsigned long serial = 0;
    for (size_t i = 0; i < d->npersons; i++) {
        gen_rng_t block, r;
        s_family_t f;
        if (!s_select(ctx, &base, i, &block, &r, &f))
            continue;
        const gen_person_t *p = &d->persons[i];
        int first = p->birth / 10000 + 15;
        f.year = gen_rng_range(&r, first > 2000 ? first : 2000, this_year);

        size_t members[8], nm = 0;
        members[nm++] = i;
        if (f.spouse != S_NONE)
            members[nm++] = f.spouse;
        for (size_t k = 0; k < f.nchildren; k++)
            members[nm++] = f.children[k];
        char keys[8][32];
        int years[8];
        for (size_t k = 0; k < nm; k++) {
            serial += 1 + gen_rng_below(&r, 3);
            int y = f.year, by = d->persons[members[k]].birth / 10000;
            years[k] = k > 0 && by > y ? by : y;
            snprintf(keys[k], sizeof keys[k], "JS%04d%06lu", years[k], serial);
        }
        gen_strlcpy(f.key, keys[0], sizeof f.key);

        gen_rng_t dblock = gen_rng_fork(&dbase, i);
        for (size_t k = 0; k < nm; k++) {
            gen_rng_t rr = gen_rng_fork(&block, k + 1);
            s_kind_t kind = k == 0 ? S_WOMAN : members[k] == f.spouse ? S_SPOUSE : S_CHILD;
            char written[GEN_KEY_TEXT_MAX];
            gen_tags_t tags = { "" };
            s_row(ctx, &t, &rr, &f, members[k], kind, keys[k], years[k], written, &tags);
            size_t row = gen_table_end_row(&t);
            char clean[GEN_KEY_TEXT_MAX];
            norm_key(written, clean, sizeof clean);
            gen_truth_add(ctx->truth, d->persons[members[k]].pid, S_SOURCE, clean, file, row,
                          &tags);

            /* registered twice: a second record number (a later serial, of
            ** the same or a later year), right after the first; a planted
            ** person is registered once, though the serial moves on as if
            ** not, so the record numbers after stay as they were */
            gen_rng_t dr = gen_rng_fork(&dblock, k);
            bool planted = gen_ctx_plant(ctx, members[k]) != NULL;
            gen_noise_t uncounted = *ctx->noise;
            if (!gen_noise_roll(planted ? &uncounted : ctx->noise, &dr, GEN_NOISE_DUPLICATE))
                continue;
            serial += 1 + gen_rng_below(&dr, 3);
            if (planted)
                continue;
            int y = gen_rng_range(&dr, years[k], this_year > years[k] ? this_year : years[k]);
            char key2[32];
            snprintf(key2, sizeof key2, "JS%04d%06lu", y, serial);
            gen_tags_t tags2 = { "duplicate" };
            s_row(ctx, &t, &dr, &f, members[k], kind, key2, y, written, &tags2);
            row = gen_table_end_row(&t);
            norm_key(written, clean, sizeof clean);
            gen_truth_add(ctx->truth, d->persons[members[k]].pid, S_SOURCE, clean, file, row,
                          &tags2);
        }
    }
    int rc = gen_file_write(ctx->outdir, file, &t.buf, "UTF-8", err, errlen);
    if (rc == 0) {
        char text[96];
        snprintf(text, sizeof text, ", %zu family planning rows", t.rows);
        gen_buf_puts(ctx->summary, text);
    }
    gen_table_fini(&t);
    return rc;
}
