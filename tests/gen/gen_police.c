/*
** gen_police.c: the police household register (公安 户籍), format section 1.
**
** hukou_YYYYMMDD.csv is a full snapshot: one row per person of the
** population, dead and moved-out ones included (only 人员状态 says so), in
** household order; a person registered twice (DUPLICATE, drawn from
** "police.dup" forked per person, so the other rows stay as they were) has a
** second row right after the first: a mistyped number (never the first
** row's key) and the phone sometimes missing, the rest with its own mess.
** The register always has the current address (MOVED does not touch it)
** and no HOMOPHONE. hukou_<next day>_delta.csv (--police-delta N) holds N
** changes of the next day for N distinct persons who are 正常 in the
** snapshot: a new phone, a new current address, a new name (the old one
** becomes 曾用名), a 迁出, or a death of someone 60 or older; 变动日期 is the
** next day. The population itself is not changed, so other writers keep
** seeing the snapshot's state. With --plant the delta draws from those 正常
** before planting and passes over anyone planting made 死亡, 迁出 or 注销 for
** the next one drawn.
**
** Both files: GB18030, CRLF, RFC 4180, the 16 columns of the format page,
** each row's mess drawn from its own fork of "police.snapshot" or
** "police.delta". truth.csv's source_key is the adapter's key for the row:
** 公民身份号码 cleaned by norm_idno (canonical 18 characters when valid,
** else as typed without spaces, full-width folded, x upper-cased); its tags
** the person's (twin, namesake, sibling_name), no_id/id_typo for a
** mistyped number, duplicate, trad. The register is the reference: none of
** a data clerk's kinds (RENAMED on) touches its rows but what the
** population holds (曾用名, siblings' and namesakes' names).
*/
#include "gen_writers.h"
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_SOURCE   "police"
#define S_ENCODING "GB18030"

static const char *const s_columns[] = {
    "公民身份号码", "姓名", "曾用名", "性别", "民族", "出生日期", "户号", "与户主关系",
    "户籍地址", "现住址", "所属社区", "人员类别", "人员状态", "变动类型", "变动日期", "联系电话",
};

_Static_assert(NORM_IDNO_SIZE == 32, "gen_writers.h: gen_police_row's key");

/* Writes p's row with the mess of n; key receives 公民身份号码 as written. A
** duplicate registration (dup) has a mistyped number and maybe no phone.
** seen (NULL: not wanted) receives what findings.csv reads of the row. */
static void
s_row(gen_ctx_t *ctx, gen_noise_t *n, gen_table_t *t, const gen_person_t *p, gen_rng_t *r,
      char key[GEN_IDNO_TEXT_MAX], bool dup, gen_seen_t *seen, gen_tags_t *tags)
{
    const gen_district_t *d = ctx->district;
    bool invalid;
    if (dup)
        gen_mess_idno_mistyped(n, r, p, key);
    else
        gen_mess_idno(n, r, p, key, &invalid);

    char name[2 * GEN_NAME_MAX], reg[2 * GEN_ADDR_MAX], cur[2 * GEN_ADDR_MAX];
    gen_strlcpy(name, p->name, sizeof name);
    gen_strlcpy(reg, p->reg_address, sizeof reg);
    gen_strlcpy(cur, p->cur_address, sizeof cur);
    gen_mess_trad(n, r, name, sizeof name, reg, sizeof reg);
    if (tags) {
        gen_tags_person(p, tags);
        gen_tags_idno(key, false, p, tags);
        if (dup)
            gen_tags_add(tags, "duplicate");
        if (strcmp(name, p->name) != 0)
            gen_tags_add(tags, "trad");
        if (p->rare_name)
            gen_tags_add(tags, "rare_name");
    }
    gen_mess_spaces(n, r, name, sizeof name, strlen(p->surname));
    gen_mess_spaces(n, r, reg, sizeof reg, 0);
    gen_mess_spaces(n, r, cur, sizeof cur, 0);

    char community[160], phone[32], birth[16], change_date[16];
    gen_mess_community(n, r, &d->communities[p->community], community);
    gen_mess_phone(n, r, p, phone);
    if (dup && gen_rng_chance(r, 0.5))
        phone[0] = '\0';
    snprintf(birth, sizeof birth, "%08d", p->birth);
    if (p->change_date)
        snprintf(change_date, sizeof change_date, "%08d", p->change_date);
    else
        change_date[0] = '\0';

    gen_table_cell(t, key);
    gen_table_cell(t, name);
    gen_table_cell(t, p->former_name);
    gen_table_cell(t, gen_gender_text(p->gender));
    gen_table_cell(t, p->ethnicity);
    gen_table_cell(t, birth);
    gen_table_cell(t, d->households[p->household].number);
    gen_table_cell(t, gen_relation_text(p->relation));
    gen_table_cell(t, reg);
    gen_table_cell(t, cur);
    gen_table_cell(t, community);
    gen_table_cell(t, p->floating ? "流动人口" : "户籍人口");
    gen_table_cell(t, gen_status_text(p->status));
    gen_table_cell(t, gen_change_text(p->change));
    gen_table_cell(t, change_date);
    gen_table_cell(t, phone);

    if (seen) {
        seen->source = GEN_SRC_POLICE;
        seen->category = -1;
        seen->sure = gen_seen_sure(key, p);
        seen->name_differs = gen_seen_name_differs(name, p);
        seen->community = p->community;
        seen->date = p->change_date;
        seen->status = gen_status_text(p->status);
    }
}

void
gen_police_row(gen_ctx_t *ctx, gen_table_t *t, const gen_person_t *p, gen_rng_t *r, char key[32])
{
    char typed[GEN_IDNO_TEXT_MAX];
    s_row(ctx, ctx->noise, t, p, r, typed, false, NULL, NULL);
    gen_table_end_row(t);
    norm_idno(typed, key);
}

static void
s_summary(gen_ctx_t *ctx, size_t rows, const char *what)
{
    char text[96];
    snprintf(text, sizeof text, ", %zu %s rows", rows, what);
    gen_buf_puts(ctx->summary, text);
}

static int
s_snapshot(gen_ctx_t *ctx, char *err, size_t errlen)
{
    const gen_district_t *d = ctx->district;
    char file[64];
    snprintf(file, sizeof file, "hukou_%08d.csv", ctx->date);
    gen_table_t t;
    gen_table_init(&t, ',', true, "\r\n");
    gen_table_header(&t, s_columns, sizeof s_columns / sizeof s_columns[0]);
    gen_rng_t base, dbase;
    gen_rng_init(&base, ctx->seed, "police.snapshot");
    gen_rng_init(&dbase, ctx->seed, "police.dup");
    for (size_t i = 0; i < d->npersons; i++) {
        gen_rng_t r = gen_rng_fork(&base, i);
        char key[GEN_IDNO_TEXT_MAX];
        gen_seen_t seen = { .person = i, .latest = true };
        gen_tags_t tags = { "" };
        s_row(ctx, gen_ctx_noise(ctx, i), &t, &d->persons[i], &r, key, false,
              ctx->seen ? &seen : NULL, &tags);
        size_t row = gen_table_end_row(&t);
        gen_seen_add(ctx, &seen);
        char clean[NORM_IDNO_SIZE];
        norm_idno(key, clean);
        gen_truth_add(ctx->truth, d->persons[i].pid, S_SOURCE, clean, file, row, &tags);

        /* registered twice: the same person again, right after, under a
        ** mistyped number (never the first row's key); a planted person is
        ** registered once */
        gen_rng_t dr = gen_rng_fork(&dbase, i);
        if (gen_ctx_plant(ctx, i) || !gen_noise_roll(ctx->noise, &dr, GEN_NOISE_DUPLICATE))
            continue;
        char key2[GEN_IDNO_TEXT_MAX], clean2[NORM_IDNO_SIZE];
        gen_rng_t r2;
        for (uint64_t attempt = 0;; attempt++) {
            r2 = gen_rng_fork(&dr, attempt);
            gen_rng_t probe = r2;
            gen_noise_t quiet = *ctx->noise;   /* the row below counts */
            gen_mess_idno_mistyped(&quiet, &probe, &d->persons[i], key2);
            norm_idno(key2, clean2);
            if (strcmp(clean2, clean) != 0)
                break;
        }
        gen_tags_t tags2 = { "" };
        s_row(ctx, ctx->noise, &t, &d->persons[i], &r2, key2, true, ctx->seen ? &seen : NULL,
              &tags2);
        row = gen_table_end_row(&t);
        gen_seen_add(ctx, &seen);
        norm_idno(key2, clean2);
        gen_truth_add(ctx->truth, d->persons[i].pid, S_SOURCE, clean2, file, row, &tags2);
    }
    int rc = gen_file_write(ctx->outdir, file, &t.buf, S_ENCODING, err, errlen);
    if (rc == 0)
        s_summary(ctx, t.rows, "police");
    gen_table_fini(&t);
    return rc;
}

static int
s_cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *) a, y = *(const size_t *) b;
    return x < y ? -1 : x > y;
}

/* Applies one next-day change to q (a copy of a 正常 person). */
static void
s_change(gen_ctx_t *ctx, gen_rng_t *r, gen_person_t *q, int day)
{
    double u = gen_rng_unit(r);
    int age = gen_date_age(q->birth, day);
    q->change = GEN_CHANGE_UPDATE;
    q->change_date = day;
    if (u < 0.10 && age >= 60) {
        q->status = GEN_STATUS_DEAD;
        q->change = GEN_CHANGE_DEATH;
    } else if (u < 0.30 && age >= 16) {
        q->status = GEN_STATUS_MOVED_OUT;
        q->change = GEN_CHANGE_MOVED_OUT;
    } else if (u < 0.50 || age < 12) {   /* young children get no phone */
        gen_local_address(r, ctx->district, q->community, q->cur_address, sizeof q->cur_address);
    } else if (u < 0.60 && age >= 12) {
        char given[GEN_NAME_MAX];
        do
            gen_given_name(r, q->gender, given);
        while (strcmp(given, q->given) == 0);
        gen_strlcpy(q->former_name, q->name, sizeof q->former_name);
        gen_strlcpy(q->given, given, sizeof q->given);
        gen_strlcpy(q->name, q->surname, sizeof q->name);
        gen_strlcat(q->name, q->given, sizeof q->name);
        q->rare_name = false;
    } else {
        q->phone_kind = GEN_PHONE_MOBILE;
        gen_mobile(r, q->phone);
    }
}

static int
s_delta(gen_ctx_t *ctx, char *err, size_t errlen)
{
    const gen_district_t *d = ctx->district;
    int day = gen_date_from_days(gen_date_days(ctx->date) + 1);
    char file[64];
    snprintf(file, sizeof file, "hukou_%08d_delta.csv", day);

    /* who was 正常 before --plant gave some a new 人员状态 (planted persons
    ** all were): drawn from as without --plant, those no longer 正常
    ** passed over */
    size_t *pick = gen_xmalloc((d->npersons + 1) * sizeof *pick), eligible = 0;
    for (size_t i = 0; i < d->npersons; i++)
        if (d->persons[i].status == GEN_STATUS_NORMAL || gen_ctx_plant(ctx, i))
            pick[eligible++] = i;
    size_t want = ctx->police_delta;
    if (want > eligible) {
        fprintf(stderr, "gen-district: only %zu persons can change; --police-delta %zu "
                        "writes %zu rows\n", eligible, want, eligible);
        want = eligible;
    }
    gen_rng_t choose;
    gen_rng_init(&choose, ctx->seed, "police.delta.pick");
    size_t taken = 0;
    for (size_t k = 0; k < eligible && taken < want; k++) {   /* partial Fisher-Yates */
        size_t j = k + gen_rng_below(&choose, (uint32_t) (eligible - k));
        size_t t = pick[k];
        pick[k] = pick[j];
        pick[j] = t;
        if (d->persons[pick[k]].status == GEN_STATUS_NORMAL)
            pick[taken++] = pick[k];
    }
    want = taken;
    qsort(pick, want, sizeof *pick, s_cmp_size);

    gen_table_t t;
    gen_table_init(&t, ',', true, "\r\n");
    gen_table_header(&t, s_columns, sizeof s_columns / sizeof s_columns[0]);
    gen_rng_t base;
    gen_rng_init(&base, ctx->seed, "police.delta");
    for (size_t k = 0; k < want; k++) {
        const gen_person_t *p = &d->persons[pick[k]];
        gen_rng_t r = gen_rng_fork(&base, pick[k]);
        gen_person_t q = *p;
        s_change(ctx, &r, &q, day);
        char key[GEN_IDNO_TEXT_MAX];
        gen_tags_t tags = { "" };
        s_row(ctx, gen_ctx_noise(ctx, pick[k]), &t, &q, &r, key, false, NULL, &tags);
        size_t row = gen_table_end_row(&t);
        char clean[NORM_IDNO_SIZE];
        norm_idno(key, clean);
        gen_truth_add(ctx->truth, p->pid, S_SOURCE, clean, file, row, &tags);
    }
    free(pick);
    int rc = gen_file_write(ctx->outdir, file, &t.buf, S_ENCODING, err, errlen);
    if (rc == 0)
        s_summary(ctx, t.rows, "police delta");
    gen_table_fini(&t);
    return rc;
}

int
gen_police_write(gen_ctx_t *ctx, char *err, size_t errlen)
{
    if (s_snapshot(ctx, err, errlen) != 0)
        return -1;
    if (ctx->police_delta > 0 && s_delta(ctx, err, errlen) != 0)
        return -1;
    return 0;
}
