/*
** gen_util.c: allocation, PRNG streams, dates, UTF-8 and a key set for the
** synthetic-district generator. See gen_util.h for the contracts.
*/
#include "gen_util.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
s_oom(const char *file, int line)
{
    fprintf(stderr, "gen-district: out of memory at %s:%d\n", file, line);
    abort();
}

void *
gen_xmalloc_at(size_t size, const char *file, int line)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        s_oom(file, line);
    return p;
}

void *
gen_xcalloc_at(size_t count, size_t size, const char *file, int line)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        s_oom(file, line);
    return p;
}

void *
gen_xrealloc_at(void *ptr, size_t size, const char *file, int line)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        s_oom(file, line);
    return p;
}

void
gen_strlcpy(char *dst, const char *src, size_t cap)
{
    assert(cap > 0);
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void
gen_strlcat(char *dst, const char *src, size_t cap)
{
    size_t len = strlen(dst);
    assert(len < cap);
    gen_strlcpy(dst + len, src, cap - len);
}

/* ---- PRNG ------------------------------------------------------------- */

static uint64_t
s_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void
gen_rng_init(gen_rng_t *rng, uint64_t seed, const char *stream)
{
    uint64_t h = UINT64_C(14695981039346656037);   /* FNV-1a of the name */
    for (const unsigned char *p = (const unsigned char *) stream; *p; p++) {
        h ^= *p;
        h *= UINT64_C(1099511628211);
    }
    rng->state = s_mix64(seed ^ s_mix64(h + UINT64_C(0x9e3779b97f4a7c15)));
}

gen_rng_t
gen_rng_fork(const gen_rng_t *base, uint64_t index)
{
    gen_rng_t r;
    r.state = s_mix64(base->state ^ s_mix64(index * UINT64_C(0xd1b54a32d192ed03)
                                            + UINT64_C(0x632be59bd9b4e019)));
    return r;
}

uint64_t
gen_rng_next(gen_rng_t *rng)
{
    rng->state += UINT64_C(0x9e3779b97f4a7c15);
    return s_mix64(rng->state);
}

uint32_t
gen_rng_below(gen_rng_t *rng, uint32_t n)
{
    assert(n > 0);
    /* Lemire's multiply-shift with rejection: exactly uniform. */
    uint64_t m = (gen_rng_next(rng) >> 32) * n;
    uint32_t low = (uint32_t) m;
    if (low < n) {
        uint32_t threshold = (uint32_t) (0u - n) % n;
        while (low < threshold) {
            m = (gen_rng_next(rng) >> 32) * n;
            low = (uint32_t) m;
        }
    }
    return (uint32_t) (m >> 32);
}

int
gen_rng_range(gen_rng_t *rng, int lo, int hi)
{
    assert(lo <= hi);
    return lo + (int) gen_rng_below(rng, (uint32_t) (hi - lo) + 1u);
}

double
gen_rng_unit(gen_rng_t *rng)
{
    return (double) (gen_rng_next(rng) >> 11) * 0x1.0p-53;
}

bool
gen_rng_chance(gen_rng_t *rng, double p)
{
    double u = gen_rng_unit(rng);
    return u < p;
}

size_t
gen_rng_weighted(gen_rng_t *rng, const unsigned *weights, size_t n)
{
    unsigned long total = 0;
    for (size_t i = 0; i < n; i++)
        total += weights[i];
    assert(total > 0 && total <= UINT32_MAX);
    unsigned long pick = gen_rng_below(rng, (uint32_t) total);
    for (size_t i = 0; i < n; i++) {
        if (pick < weights[i])
            return i;
        pick -= weights[i];
    }
    assert(0);
    return n - 1;
}

/* ---- dates -------------------------------------------------------------- */

static int
s_days_in_month(int y, int m)
{
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : mdays[m - 1];
}

bool
gen_date_valid(int ymd)
{
    int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1
           && d <= s_days_in_month(y, m);
}

/* Howard Hinnant's days_from_civil / civil_from_days. */
long
gen_date_days(int ymd)
{
    long y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int
gen_date_from_days(long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    return (int) (y * 10000 + m * 100 + d);
}

int
gen_date_age(int birth, int on)
{
    return (on - birth) / 10000;
}

int
gen_date_add_months(int ymd, int months)
{
    int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    int total = y * 12 + (m - 1) + months;
    y = total / 12;
    m = total % 12 + 1;
    int last = s_days_in_month(y, m);
    return y * 10000 + m * 100 + (d > last ? last : d);
}

void
gen_date_text(int ymd, gen_date_form_t form, char *out)
{
    int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    switch (form) {
    case GEN_DATE_SLASH: snprintf(out, GEN_DATE_TEXT_MAX, "%04d/%d/%d", y, m, d); break;
    case GEN_DATE_DOT:   snprintf(out, GEN_DATE_TEXT_MAX, "%04d.%02d.%02d", y, m, d); break;
    case GEN_DATE_CN:    snprintf(out, GEN_DATE_TEXT_MAX, "%04d年%d月%d日", y, m, d); break;
    default:             snprintf(out, GEN_DATE_TEXT_MAX, "%04d-%02d-%02d", y, m, d); break;
    }
}

/* ---- UTF-8 -------------------------------------------------------------- */

size_t
gen_utf8_decode(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *) s;
    if (u[0] == 0) {
        *cp = 0;
        return 0;
    }
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if (u[0] < 0xE0) {
        *cp = ((uint32_t) (u[0] & 0x1F) << 6) | (u[1] & 0x3F);
        return 2;
    }
    if (u[0] < 0xF0) {
        *cp = ((uint32_t) (u[0] & 0x0F) << 12) | ((uint32_t) (u[1] & 0x3F) << 6)
              | (u[2] & 0x3F);
        return 3;
    }
    *cp = ((uint32_t) (u[0] & 0x07) << 18) | ((uint32_t) (u[1] & 0x3F) << 12)
          | ((uint32_t) (u[2] & 0x3F) << 6) | (u[3] & 0x3F);
    return 4;
}

size_t
gen_utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char) cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char) (0xC0 | (cp >> 6));
        out[1] = (char) (0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char) (0xE0 | (cp >> 12));
        out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char) (0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char) (0xF0 | (cp >> 18));
    out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char) (0x80 | (cp & 0x3F));
    return 4;
}

size_t
gen_utf8_count(const char *s)
{
    size_t n = 0;
    uint32_t cp;
    for (size_t len; (len = gen_utf8_decode(s, &cp)) > 0; s += len)
        n++;
    return n;
}

void
gen_utf8_nth(const char *s, size_t idx, char out[5])
{
    uint32_t cp;
    size_t len;
    for (;;) {
        len = gen_utf8_decode(s, &cp);
        assert(len > 0);
        if (idx == 0)
            break;
        s += len;
        idx--;
    }
    memcpy(out, s, len);
    out[len] = '\0';
}

void
gen_utf8_pick(gen_rng_t *rng, const char *s, char out[5])
{
    size_t n = gen_utf8_count(s);
    assert(n > 0);
    gen_utf8_nth(s, gen_rng_below(rng, (uint32_t) n), out);
}

/* ---- key set ------------------------------------------------------------ */

void
gen_set_init(gen_set_t *set, size_t expected)
{
    size_t cap = 64;
    while (cap < expected * 2)
        cap *= 2;
    set->slot = gen_xcalloc(cap, sizeof *set->slot);
    set->cap = cap;
    set->count = 0;
}

void
gen_set_fini(gen_set_t *set)
{
    free(set->slot);
    set->slot = NULL;
    set->cap = set->count = 0;
}

static bool
s_set_put(uint64_t *slot, size_t cap, uint64_t key)
{
    size_t i = (size_t) (s_mix64(key) & (cap - 1));
    while (slot[i] != 0) {
        if (slot[i] == key)
            return false;
        i = (i + 1) & (cap - 1);
    }
    slot[i] = key;
    return true;
}

bool
gen_set_add(gen_set_t *set, uint64_t key)
{
    assert(key != 0);
    if ((set->count + 1) * 2 > set->cap) {
        size_t cap = set->cap * 2;
        uint64_t *slot = gen_xcalloc(cap, sizeof *slot);
        for (size_t i = 0; i < set->cap; i++)
            if (set->slot[i])
                s_set_put(slot, cap, set->slot[i]);
        free(set->slot);
        set->slot = slot;
        set->cap = cap;
    }
    if (!s_set_put(set->slot, set->cap, key))
        return false;
    set->count++;
    return true;
}
