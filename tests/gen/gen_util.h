/*
** gen_util.h: the small pieces the synthetic-district generator is built
** from: allocation that aborts on failure, a seeded PRNG with named streams,
** calendar dates as YYYYMMDD integers, UTF-8 of our own strings, and a set
** of 64-bit keys. Pure, no I/O (except the out-of-memory message).
**
** Limits: the UTF-8 helpers assume well-formed input (they only ever see the
** generator's own literals); dates are proleptic Gregorian, years 1..9999.
*/
#ifndef GEN_UTIL_H
#define GEN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Allocation: never returns NULL; out of memory aborts with file:line. */
void *gen_xmalloc_at(size_t size, const char *file, int line);
void *gen_xcalloc_at(size_t count, size_t size, const char *file, int line);
void *gen_xrealloc_at(void *ptr, size_t size, const char *file, int line);
#define gen_xmalloc(n)     gen_xmalloc_at((n), __FILE__, __LINE__)
#define gen_xcalloc(c, n)  gen_xcalloc_at((c), (n), __FILE__, __LINE__)
#define gen_xrealloc(p, n) gen_xrealloc_at((p), (n), __FILE__, __LINE__)

/* Bounded copy: copies at most cap - 1 bytes of src and a NUL; cap > 0. */
void gen_strlcpy(char *dst, const char *src, size_t cap);
/* Bounded append of src to the NUL-terminated dst (total size cap). */
void gen_strlcat(char *dst, const char *src, size_t cap);

/* ---- PRNG ---------------------------------------------------------------
** splitmix64. A stream is named: gen_rng_init(&r, seed, "police.snapshot")
** gives a sequence that depends only on (seed, name), so a new writer or a
** new population stage draws from its own stream and never shifts what the
** existing ones produce. gen_rng_fork(&base, i) derives an independent
** stream for item i (a household, a row), so one row's noise never moves the
** next row's draws. Never rand(), never time(). */
typedef struct {
    uint64_t state;
} gen_rng_t;

void gen_rng_init(gen_rng_t *rng, uint64_t seed, const char *stream);
gen_rng_t gen_rng_fork(const gen_rng_t *base, uint64_t index);
uint64_t gen_rng_next(gen_rng_t *rng);
/* Uniform in [0, n); n > 0. */
uint32_t gen_rng_below(gen_rng_t *rng, uint32_t n);
/* Uniform in [lo, hi]; lo <= hi. */
int gen_rng_range(gen_rng_t *rng, int lo, int hi);
/* Uniform in [0, 1). */
double gen_rng_unit(gen_rng_t *rng);
/* True with probability p (p <= 0 never, p >= 1 always). Always draws once. */
bool gen_rng_chance(gen_rng_t *rng, double p);
/* Index i in [0, n) with probability weights[i] / sum; sum > 0. */
size_t gen_rng_weighted(gen_rng_t *rng, const unsigned *weights, size_t n);

/* ---- dates --------------------------------------------------------------
** A date is an int YYYYMMDD; a day number counts days from 1970-01-01. */
bool gen_date_valid(int ymd);
long gen_date_days(int ymd);
int gen_date_from_days(long days);
/* Whole years from birth to on (both YYYYMMDD), as an age is counted. */
int gen_date_age(int birth, int on);
/* Whole months added to ymd, the day clamped to the month's last. */
int gen_date_add_months(int ymd, int months);

/* How a date is written. */
typedef enum {
    GEN_DATE_ISO,     /* 2019-03-01 */
    GEN_DATE_SLASH,   /* 2019/3/1 */
    GEN_DATE_DOT,     /* 2019.03.01 */
    GEN_DATE_CN,      /* 2019年3月1日 */
} gen_date_form_t;
#define GEN_DATE_TEXT_MAX 32
/* ymd written in form, into out (GEN_DATE_TEXT_MAX bytes). */
void gen_date_text(int ymd, gen_date_form_t form, char *out);

/* ---- UTF-8 of our own, well-formed strings ------------------------------ */
/* Decodes one character at s into *cp; returns its length (0 at the NUL). */
size_t gen_utf8_decode(const char *s, uint32_t *cp);
/* Encodes cp into out (4 bytes at most, no NUL); returns the length. */
size_t gen_utf8_encode(uint32_t cp, char *out);
/* Number of characters in s. */
size_t gen_utf8_count(const char *s);
/* Copies the idx-th character of s (idx < gen_utf8_count(s)) into out as a
** NUL-terminated string. */
void gen_utf8_nth(const char *s, size_t idx, char out[5]);
/* A uniformly chosen character of the non-empty s, into out. */
void gen_utf8_pick(gen_rng_t *rng, const char *s, char out[5]);

/* ---- a set of non-zero 64-bit keys (open addressing) -------------------- */
typedef struct {
    uint64_t *slot;
    size_t cap;
    size_t count;
} gen_set_t;

void gen_set_init(gen_set_t *set, size_t expected);
void gen_set_fini(gen_set_t *set);
/* Adds key (!= 0); false when it was already there. */
bool gen_set_add(gen_set_t *set, uint64_t key);

#endif
