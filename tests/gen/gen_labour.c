/*
** gen_labour.c: labour and social security (劳动保障), the unemployment and
** re-employment register, format section 3.
**
** jyzt_YYYYMMDD.jsonl holds one JSON object per line for a subset
** (S_SHARE) of the persons aged 16-64 on --date who are 正常 or 迁出 (the
** register does not learn of a move), in population order. jyzt follows
** the person: past the retirement age (men 60, women 50 or 55) mostly 退休
** with djrq the first day of the month after that birthday; otherwise
** 在岗, 下岗, 失业 or 再就业, registered (djrq) within the last ten years and
** not before 16. zjyrq is set only for 再就业 (on or before djrq); sybh (an
** unemployment certificate) mostly for 失业, often for 再就业, sometimes for
** 下岗, else null. pxjl holds 0-3 courses finished before --date; gxsj is
** on or after every other date, ISO 8601 with +08:00. djbh is LD + 350802 +
** djrq's year + a 6-digit serial rising through the file, so unique.
**
** Keys in the order of the format page; unknown keys bz and czy follow on
** some lines (EXTRA_KEY; bz values hold quotes, a backslash or a tab, to
** test escaping). Mess: sfzh as typed (15 digits, lower x, spaces,
** full-width, mistyped; never empty: the register needs it), djbh with a
** space or full-width, mz and lxdh sometimes null, spaces and traditional
** characters in xm and jzdz, a same-sounding character in the given name
** (HOMOPHONE, from the line's fork GEN_MESS_EXTRA), community and phone
** forms; from the line's fork GEN_MESS_CLERK the former name, typos in the
** name, the registered address, another form of jzdz, the old village as
** sqjwh, a relative's or an old phone, csrq with month and day swapped or
** day 01, xb flipped; the previous jzdz and sqjwh for a person MOVED gives
** to labour.
** Each line draws from its own fork of "labour.jyzt". A person registered
** twice (DUPLICATE, "labour.dup" forked per person) has a second line right
** after, a registration of its own (djbh with the next serial, jyzt, dates,
** mess) drawn from that fork. truth.csv: source labour, source_key
** norm_key(djbh as written). ctx->facts gets each person's jyzt (of both
** registrations when there are two), for persons.csv. truth.csv also gets
** each line's tags. --plant: a person
** planted for community-disagrees through labour has the planted sqjwh.
*/
#include "gen_writers.h"
#include "normalize.h"

#include <stdio.h>
#include <string.h>

#define S_SOURCE "labour"
#define S_SHARE  0.15
#define N_OF(a)  (sizeof(a) / sizeof((a)[0]))

typedef enum { S_EMPLOYED, S_LAID_OFF, S_UNEMPLOYED, S_REEMPLOYED, S_RETIRED } s_status_t;
static const char *const s_status_text[] = { "在岗", "下岗", "失业", "再就业", "退休" };

static const char *const s_courses[] = {
    "电工", "育婴师", "中式烹调师", "电子商务", "家政服务员", "计算机操作员", "养老护理员",
    "叉车司机", "美容美发", "焊工", "茶艺师", "汽车维修工",
};

static const char *const s_remarks[] = {
    "已核实", "电话待核实", "材料齐全", "本人申请\"灵活就业\"", "原单位：龙岩\\新罗机械厂",
    "见附件\t2页", "",
};

/* A day number uniformly in [lo, hi] (hi < lo gives hi). */
static long
s_day_between(gen_rng_t *r, long lo, long hi)
{
    if (hi <= lo)
        return hi;
    return lo + (long) gen_rng_below(r, (uint32_t) (hi - lo + 1));
}

static void
s_ymd_text(long days, char out[GEN_DATE_TEXT_MAX])
{
    gen_date_text(gen_date_from_days(days), GEN_DATE_ISO, out);
}

/* "key": */
static void
s_key(gen_buf_t *b, const char *key)
{
    gen_buf_puts(b, ",\"");
    gen_buf_puts(b, key);
    gen_buf_puts(b, "\":");
}

/* Appends p's line with the mess of n to b; djbh_out receives djbh as
** written. Returns the line's jyzt (static text). seen (NULL: not wanted)
** receives what findings.csv reads of the line. The serial moves on by a
** draw made before any of n's, so the mess never moves the next line's
** djbh. sqjwh is the previous community for a person MOVED gives to labour,
** the planted one for a person --plant has labour file under another. */
static const char *
s_line(gen_ctx_t *ctx, gen_noise_t *n, gen_buf_t *b, gen_rng_t *r, const gen_person_t *p,
       unsigned long *serial, char djbh_out[GEN_KEY_TEXT_MAX], gen_seen_t *seen, gen_tags_t *tags)
{
    const gen_district_t *d = ctx->district;
    size_t i = (size_t) (p - d->persons);
    gen_rng_t x = gen_rng_fork(r, GEN_MESS_EXTRA);
    gen_rng_t c = gen_rng_fork(r, GEN_MESS_CLERK);
    gen_tags_t scratch = { "" };
    if (!tags)
        tags = &scratch;
    gen_tags_person(p, tags);
    bool stale = gen_ctx_stale(ctx, i, GEN_SRC_LABOUR);
    const gen_plant_t *pl = gen_ctx_plant(ctx, i);
    int cindex = stale ? p->prev_community : p->community;
    if (pl && pl->src == GEN_SRC_LABOUR)
        cindex = pl->community;
    const gen_community_t *cm = &d->communities[cindex];
    long today = gen_date_days(ctx->date);
    long adult = gen_date_days(gen_date_add_months(p->birth, 16 * 12));
    long lo = today - 3652 > adult ? today - 3652 : adult;
    int age = gen_date_age(p->birth, ctx->date);
    int retire = p->gender == GEN_MALE ? 60 : gen_rng_chance(r, 0.6) ? 50 : 55;

    s_status_t status;
    if (age >= retire && gen_rng_chance(r, 0.85)) {
        status = S_RETIRED;
    } else {
        static const unsigned w[] = { 30, 8, 35, 27 };
        status = (s_status_t) gen_rng_weighted(r, w, N_OF(w));
    }
    long djrq, zjyrq = 0;
    char sybh[32] = "";
    bool has_sybh = false;
    if (status == S_RETIRED) {
        int at = gen_date_add_months(p->birth, retire * 12 + 1);
        djrq = gen_date_days(at / 100 * 100 + 1);
        if (djrq > today)
            djrq = today;
    } else {
        djrq = s_day_between(r, status == S_REEMPLOYED ? lo + 45 : lo, today);
        if (status == S_REEMPLOYED) {
            zjyrq = djrq - gen_rng_below(r, 46);
            if (zjyrq < adult)
                zjyrq = adult;
        }
        double psybh = status == S_UNEMPLOYED   ? 0.85
                       : status == S_REEMPLOYED ? 0.75
                       : status == S_LAID_OFF   ? 0.30
                                                : 0.0;
        has_sybh = gen_rng_chance(r, psybh);
        if (has_sybh) {
            long issued = status == S_UNEMPLOYED ? djrq : djrq - gen_rng_range(r, 60, 700);
            if (issued < adult)
                issued = adult;
            snprintf(sybh, sizeof sybh, "%.6s%04d%06u", cm->code,
                     gen_date_from_days(issued) / 10000, (unsigned) gen_rng_below(r, 1000000));
        }
    }
    int djrq_ymd = gen_date_from_days(djrq);

    *serial += 1 + gen_rng_below(r, 5);
    char djbh[GEN_KEY_TEXT_MAX];
    snprintf(djbh, sizeof djbh, "LD%.6s%04d%06lu", gen_region(GEN_REGION_LOCAL)->code,
             djrq_ymd / 10000, *serial);
    gen_mess_key(n, r, djbh, djbh_out);

    char idno[GEN_IDNO_TEXT_MAX];
    bool invalid;
    gen_mess_idno(n, r, p, idno, &invalid);
    gen_tags_idno(idno, false, p, tags);
    char name[2 * GEN_NAME_MAX], addr[2 * GEN_ADDR_MAX], community[160], phone[32];
    char before[2 * GEN_NAME_MAX];
    gen_mess_base_name(n, &c, p, name, sizeof name, tags);
    gen_mess_name_slips(n, &c, p, name, sizeof name, tags);
    gen_mess_base_address(n, &c, d, p, stale, 1.0, addr, sizeof addr, tags);
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
    gen_mess_community(n, r, cm, community);
    gen_mess_village(n, &c, cm, community, tags);
    gen_mess_phone(n, r, p, phone);
    gen_mess_phone_slips(n, &c, d, p, ctx->date, phone, tags);
    gen_gender_t gender = gen_mess_gender(n, &c, p->gender, tags);
    bool mz_null = gen_noise_roll(n, r, GEN_NOISE_VALUE_NULL);
    bool phone_null = gen_noise_roll(n, r, GEN_NOISE_VALUE_NULL);

    char csrq[GEN_DATE_TEXT_MAX], djrq_text[GEN_DATE_TEXT_MAX], zjyrq_text[GEN_DATE_TEXT_MAX];
    gen_date_text(gen_mess_birth(n, &c, p->birth, tags), GEN_DATE_ISO, csrq);
    s_ymd_text(djrq, djrq_text);
    if (zjyrq)
        s_ymd_text(zjyrq, zjyrq_text);

    /* training: 0-3 courses, in the order finished */
    long course_days[3];
    size_t ncourses = 0;
    double ptrain = status == S_UNEMPLOYED || status == S_REEMPLOYED ? 0.55 : 0.25;
    if (status != S_RETIRED && gen_rng_chance(r, ptrain)) {
        ncourses = 1 + gen_rng_below(r, 3);
        long from = djrq - 730 > adult ? djrq - 730 : adult;
        for (size_t k = 0; k < ncourses; k++)
            course_days[k] = s_day_between(r, from, today);
        for (size_t k = 1; k < ncourses; k++)   /* sort three at most */
            for (size_t j = k; j > 0 && course_days[j] < course_days[j - 1]; j--) {
                long tmp = course_days[j];
                course_days[j] = course_days[j - 1];
                course_days[j - 1] = tmp;
            }
    }
    long last = djrq;
    for (size_t k = 0; k < ncourses; k++)
        if (course_days[k] > last)
            last = course_days[k];
    long upd = s_day_between(r, last, today);
    int upd_ymd = gen_date_from_days(upd);
    char gxsj[48];
    snprintf(gxsj, sizeof gxsj, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", upd_ymd / 10000,
             upd_ymd / 100 % 100, upd_ymd % 100, gen_rng_range(r, 8, 18), gen_rng_range(r, 0, 59),
             gen_rng_range(r, 0, 59));

    gen_buf_puts(b, "{\"djbh\":");
    gen_buf_json_str(b, djbh_out);
    s_key(b, "sfzh");
    gen_buf_json_str(b, idno);
    s_key(b, "xm");
    gen_buf_json_str(b, name);
    s_key(b, "xb");
    gen_buf_json_str(b, gender == GEN_MALE ? "1" : "2");
    s_key(b, "csrq");
    gen_buf_json_str(b, csrq);
    s_key(b, "mz");
    gen_buf_json_str(b, mz_null ? NULL : p->ethnicity);
    s_key(b, "whcd");
    gen_buf_json_str(b, p->education);
    s_key(b, "jyzt");
    gen_buf_json_str(b, s_status_text[status]);
    s_key(b, "djrq");
    gen_buf_json_str(b, djrq_text);
    s_key(b, "zjyrq");
    gen_buf_json_str(b, zjyrq ? zjyrq_text : NULL);
    s_key(b, "sybh");
    gen_buf_json_str(b, has_sybh ? sybh : NULL);
    s_key(b, "lxdh");
    gen_buf_json_str(b, phone_null ? NULL : phone);
    s_key(b, "jzdz");
    gen_buf_json_str(b, addr);
    s_key(b, "sqjwh");
    gen_buf_json_str(b, community);
    s_key(b, "pxjl");
    gen_buf_puts(b, "[");
    for (size_t k = 0; k < ncourses; k++) {
        char jsrq[GEN_DATE_TEXT_MAX];
        s_ymd_text(course_days[k], jsrq);
        gen_buf_puts(b, k ? ",{\"kc\":" : "{\"kc\":");
        gen_buf_json_str(b, s_courses[gen_rng_below(r, (uint32_t) N_OF(s_courses))]);
        gen_buf_puts(b, ",\"jsrq\":");
        gen_buf_json_str(b, jsrq);
        gen_buf_puts(b, "}");
    }
    gen_buf_puts(b, "]");
    s_key(b, "gxsj");
    gen_buf_json_str(b, gxsj);
    if (gen_noise_roll(n, r, GEN_NOISE_EXTRA_KEY)) {
        s_key(b, "bz");
        gen_buf_json_str(b, s_remarks[gen_rng_below(r, (uint32_t) N_OF(s_remarks))]);
        char czy[16];
        snprintf(czy, sizeof czy, "ld%02u", (unsigned) gen_rng_range(r, 1, 24));
        s_key(b, "czy");
        gen_buf_json_str(b, czy);
    }
    gen_buf_puts(b, "}\n");
    if (seen) {
        seen->person = i;
        seen->source = GEN_SRC_LABOUR;
        seen->category = -1;
        seen->latest = true;
        seen->sure = gen_seen_sure(idno, p);
        seen->name_differs = gen_seen_name_differs(name, p);
        seen->community = cindex;
        seen->date = gen_date_from_days(status == S_REEMPLOYED && zjyrq ? zjyrq : djrq);
        seen->status = s_status_text[status];
        seen->community_unsure = gen_tags_has(tags, "village_name");
    }
    return s_status_text[status];
}

/* Whether person i is on the register; r is then its line's stream. */
static bool
s_select(const gen_ctx_t *ctx, const gen_rng_t *base, size_t i, gen_rng_t *r)
{
    const gen_person_t *p = &ctx->district->persons[i];
    int age = gen_date_age(p->birth, ctx->date);
    if (age < 16 || age > 64
        || (p->status != GEN_STATUS_NORMAL && p->status != GEN_STATUS_MOVED_OUT))
        return false;
    *r = gen_rng_fork(base, i);
    return gen_rng_chance(r, S_SHARE);
}

bool
gen_labour_probe(gen_ctx_t *ctx, size_t i, const char **jyzt, int *date)
{
    gen_rng_t base, r;
    gen_rng_init(&base, ctx->seed, S_SOURCE ".jyzt");
    if (!s_select(ctx, &base, i, &r))
        return false;
    gen_noise_t uncounted = *ctx->noise;
    gen_buf_t scratch;
    gen_buf_init(&scratch);
    unsigned long serial = 0;
    char djbh[GEN_KEY_TEXT_MAX];
    gen_seen_t seen;
    *jyzt = s_line(ctx, &uncounted, &scratch, &r, &ctx->district->persons[i], &serial, djbh,
                   &seen, NULL);
    *date = seen.date;
    gen_buf_fini(&scratch);
    return true;
}

void
gen_labour_line(gen_ctx_t *ctx, gen_buf_t *b, gen_rng_t *r, size_t i, unsigned long *serial,
                char djbh_out[GEN_KEY_TEXT_MAX])
{
    s_line(ctx, ctx->noise, b, r, &ctx->district->persons[i], serial, djbh_out, NULL, NULL);
}

void
gen_labour_cover(gen_ctx_t *ctx, unsigned char *mask)
{
    gen_rng_t base;
    gen_rng_init(&base, ctx->seed, S_SOURCE ".jyzt");
    for (size_t i = 0; i < ctx->district->npersons; i++) {
        gen_rng_t r;
        if (s_select(ctx, &base, i, &r))
            mask[i] |= GEN_SRC_LABOUR;
    }
}

int
gen_labour_write(gen_ctx_t *ctx, char *err, size_t errlen)
{
    const gen_district_t *d = ctx->district;
    char file[64];
    snprintf(file, sizeof file, "jyzt_%08d.jsonl", ctx->date);
    gen_buf_t b;
    gen_buf_init(&b);
    gen_rng_t base, dbase;
    gen_rng_init(&base, ctx->seed, S_SOURCE ".jyzt");
    gen_rng_init(&dbase, ctx->seed, S_SOURCE ".dup");
    unsigned long serial = 0;
    size_t rows = 0;
    for (size_t i = 0; i < d->npersons; i++) {
        gen_rng_t r;
        if (!s_select(ctx, &base, i, &r))
            continue;
        const gen_person_t *p = &d->persons[i];
        char djbh[GEN_KEY_TEXT_MAX], clean[GEN_KEY_TEXT_MAX];
        gen_seen_t seen = { .person = i };
        gen_tags_t tags = { "" };
        const char *jyzt = s_line(ctx, gen_ctx_noise(ctx, i), &b, &r, p, &serial, djbh,
                                  ctx->seen ? &seen : NULL, &tags);
        gen_seen_add(ctx, &seen);
        if (ctx->facts)
            ctx->facts[i].employment[0] = jyzt;
        norm_key(djbh, clean, sizeof clean);
        gen_truth_add(ctx->truth, p->pid, S_SOURCE, clean, file, ++rows, &tags);
        /* registered twice: a second registration with its own djbh (a later
        ** serial), status and dates, on the next line; a planted person is
        ** registered once, though the serial moves on as if not */
        gen_rng_t dr = gen_rng_fork(&dbase, i);
        if (gen_ctx_plant(ctx, i)) {
            gen_noise_t uncounted = *ctx->noise;
            if (gen_noise_roll(&uncounted, &dr, GEN_NOISE_DUPLICATE)) {
                gen_buf_t scratch;
                gen_buf_init(&scratch);
                s_line(ctx, &uncounted, &scratch, &dr, p, &serial, djbh, NULL, NULL);
                gen_buf_fini(&scratch);
            }
            continue;
        }
        if (!gen_noise_roll(ctx->noise, &dr, GEN_NOISE_DUPLICATE))
            continue;
        gen_tags_t tags2 = { "duplicate" };
        jyzt = s_line(ctx, ctx->noise, &b, &dr, p, &serial, djbh, ctx->seen ? &seen : NULL,
                      &tags2);
        gen_seen_add(ctx, &seen);
        if (ctx->facts)
            ctx->facts[i].employment[1] = jyzt;
        norm_key(djbh, clean, sizeof clean);
        gen_truth_add(ctx->truth, p->pid, S_SOURCE, clean, file, ++rows, &tags2);
    }
    int rc = gen_file_write(ctx->outdir, file, &b, "UTF-8", err, errlen);
    if (rc == 0) {
        char text[96];
        snprintf(text, sizeof text, ", %zu labour rows", rows);
        gen_buf_puts(ctx->summary, text);
    }
    gen_buf_fini(&b);
    return rc;
}
