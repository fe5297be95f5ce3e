/*
** test_estimate.c: unit tests for hub/estimate.c with cmocka.
**
** A synthetic population of comparison vectors is drawn with known m and u
** (4,000 true matches and 40,000 non-matches as the blocked pairs, 40,000
** non-matches as the random pairs) from a small seeded PRNG, so the runs are
** the same every time. The estimate starts from deliberately wrong weights
** and must recover m, u and lambda. Then the edge cases: no pairs, no
** random pairs, every value missing, bad levels and bad starting values,
** and the report as hub.conf text.
**
** The hub links no libm: log2 is computed here by a different method
** (bit by bit, by squaring) than the module's series, as a cross-check.
*/
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>    /* isfinite, a macro */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "estimate.h"
#include "match.h"

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

static double
s_abs(double x)
{
    return x < 0 ? -x : x;
}

/* log2 bit by bit: x in [1,2) squared, one bit of the result per step. */
static double
s_log2_ref(double x)
{
    int e = 0;
    while (x >= 2) {
        x /= 2;
        e++;
    }
    while (x < 1) {
        x *= 2;
        e--;
    }
    double r = 0, bit = 1;
    for (int i = 0; i < 60; i++) {
        x *= x;
        bit /= 2;
        if (x >= 2) {
            x /= 2;
            r += bit;
        }
    }
    return e + r;
}

/* splitmix64: a small seeded PRNG. */
static uint64_t
s_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double
s_uniform(uint64_t *s)
{
    return (double)(s_next(s) >> 11) / 9007199254740992.0;
}

/* The true model. Probabilities are over the non-missing levels of each
** field and sum to 1; missing[f] is the chance the field lacks a value,
** the same for matches and non-matches. */
static double s_m[MF_COUNT][ML_COUNT], s_u[MF_COUNT][ML_COUNT], s_missing[MF_COUNT];

static void
s_truth(void)
{
    memset(s_m, 0, sizeof s_m);
    memset(s_u, 0, sizeof s_u);
#define SET(f, l, m, u) (s_m[MF_##f][ML_##l] = (m), s_u[MF_##f][ML_##l] = (u))
    SET(IDNO, EXACT, 0.85, 0.01);
    SET(IDNO, EDIT1, 0.05, 0.01);
    SET(IDNO, DIFFERENT, 0.05, 0.08);
    SET(IDNO, CONFLICT, 0.05, 0.90);
    SET(NAME, EXACT, 0.80, 0.02);
    SET(NAME, PINYIN, 0.08, 0.03);
    SET(NAME, EDIT1, 0.07, 0.05);
    SET(NAME, DIFFERENT, 0.05, 0.90);
    SET(BIRTH, EXACT, 0.85, 0.01);
    SET(BIRTH, EDIT1, 0.05, 0.04);
    SET(BIRTH, AGE, 0.05, 0.05);
    SET(BIRTH, DIFFERENT, 0.05, 0.90);
    SET(GENDER, EXACT, 0.97, 0.50);
    SET(GENDER, DIFFERENT, 0.03, 0.50);
    SET(PHONE, EXACT, 0.60, 0.01);
    SET(PHONE, DIFFERENT, 0.40, 0.99);
    SET(COMMUNITY, EXACT, 0.90, 0.30);
    SET(COMMUNITY, DIFFERENT, 0.10, 0.70);
    SET(HOUSEHOLD, EXACT, 0.70, 0.05);
    SET(HOUSEHOLD, DIFFERENT, 0.30, 0.95);
    SET(ADDRESS, EXACT, 0.70, 0.10);
    SET(ADDRESS, DIFFERENT, 0.30, 0.90);
    SET(RELATIVE, EXACT, 0.90, 0.20);
    SET(RELATIVE, DIFFERENT, 0.10, 0.80);
#undef SET
    static const double missing[MF_COUNT] = {0.20, 0.05, 0.10, 0.02, 0.30, 0.10, 0.40, 0.30, 0.70};
    memcpy(s_missing, missing, sizeof s_missing);
}

static void
s_draw(uint64_t *seed, double p[MF_COUNT][ML_COUNT], match_cmp_t *out)
{
    for (int f = 0; f < MF_COUNT; f++) {
        out->level[f] = ML_MISSING;
        if (s_uniform(seed) < s_missing[f])
            continue;
        double r = s_uniform(seed), acc = 0;
        int last = ML_MISSING;
        for (int l = 1; l < ML_COUNT; l++)
            if (p[f][l] > 0) {
                last = l;
                acc += p[f][l];
                if (r < acc)
                    break;
            }
        out->level[f] = (match_level_t)last;
    }
}

#define NMATCH 4000
#define NNON 40000
#define NPAIRS (NMATCH + NNON)
#define NRANDOM 40000
#define TOL 0.03

/* The population: pairs[0..NMATCH) are the true matches. */
typedef struct {
    match_cmp_t pairs[NPAIRS];
    match_cmp_t randoms[NRANDOM];
} population_t;

static population_t *
s_population(uint64_t seed)
{
    population_t *p = malloc(sizeof *p);
    assert_non_null(p);
    s_truth();
    for (size_t i = 0; i < NPAIRS; i++)
        s_draw(&seed, i < NMATCH ? s_m : s_u, &p->pairs[i]);
    for (size_t i = 0; i < NRANDOM; i++)
        s_draw(&seed, s_u, &p->randoms[i]);
    return p;
}

/* Wrong on purpose: every agreement worth little, every disagreement
** worth nothing, some signs reversed. */
static void
s_wrong_start(match_weights_t *w)
{
    memset(w, 0, sizeof *w);
    for (int f = 0; f < MF_COUNT; f++)
        w->w[f][ML_EXACT] = 1;
    w->w[MF_NAME][ML_PINYIN] = -3;      /* truly positive */
    w->w[MF_IDNO][ML_CONFLICT] = 2;     /* truly very negative */
    w->w[MF_PHONE][ML_EXACT] = -1;      /* truly very positive */
}

static void
s_assert_finite(const estimate_t *e)
{
    assert_true(isfinite(e->lambda));
    assert_true(e->lambda > 0 && e->lambda < 1);
    assert_true(isfinite(e->weights.upper));
    assert_true(isfinite(e->weights.lower));
    assert_true(e->weights.upper > e->weights.lower);
    for (int f = 0; f < MF_COUNT; f++)
        for (int l = 0; l < ML_COUNT; l++) {
            assert_true(isfinite(e->m[f][l]) && e->m[f][l] >= 0 && e->m[f][l] <= 1);
            assert_true(isfinite(e->u[f][l]) && e->u[f][l] >= 0 && e->u[f][l] <= 1);
            assert_true(isfinite(e->weights.w[f][l]));
        }
}

/* The posterior-odds identities of the thresholds, with log2 from here. */
static void
s_assert_thresholds(const estimate_t *e)
{
    double prior = s_log2_ref(e->lambda / (1 - e->lambda));
    assert_true(s_abs(e->weights.lower - -prior) < 1e-9);
    assert_true(s_abs(e->weights.upper - (s_log2_ref(999) - prior)) < 1e-9);
}

/* ---------------------------------------------------------------------- */
/* Recovering a known model                                                */

static void
test_recovers_truth(void **state)
{
    (void)state;
    population_t *p = s_population(20240501);
    match_weights_t start;
    s_wrong_start(&start);
    estimate_t e;
    estimate_run(p->pairs, NPAIRS, p->randoms, NRANDOM, &start, &e);
    s_assert_finite(&e);

    assert_int_equal(e.pairs, NPAIRS);
    assert_int_equal(e.randoms, NRANDOM);
    assert_true(e.converged);
    assert_true(e.iterations >= 2 && e.iterations < ESTIMATE_MAX_ITER);
    assert_true(s_abs(e.lambda - (double)NMATCH / NPAIRS) < 0.01);

    for (int f = 0; f < MF_COUNT; f++) {
        size_t np = 0, nr = 0;
        for (size_t i = 0; i < NPAIRS; i++)
            np += p->pairs[i].level[f] != ML_MISSING;
        for (size_t i = 0; i < NRANDOM; i++)
            nr += p->randoms[i].level[f] != ML_MISSING;
        assert_int_equal(e.field_pairs[f], np);
        assert_int_equal(e.field_randoms[f], nr);

        assert_false(e.seen[f][ML_MISSING]);
        assert_true(e.m[f][ML_MISSING] == 0 && e.u[f][ML_MISSING] == 0 && e.weights.w[f][ML_MISSING] == 0);
        double msum = 0, usum = 0;
        for (int l = 1; l < ML_COUNT; l++) {
            msum += e.m[f][l];
            usum += e.u[f][l];
            if (s_m[f][l] == 0 && s_u[f][l] == 0) {   /* never drawn */
                assert_false(e.seen[f][l]);
                assert_true(e.m[f][l] == 0 && e.u[f][l] == 0 && e.weights.w[f][l] == 0);
                continue;
            }
            assert_true(e.seen[f][l]);
            if (s_abs(e.m[f][l] - s_m[f][l]) >= TOL || s_abs(e.u[f][l] - s_u[f][l]) >= TOL)
                print_error("%s %s: m %.4f (true %.4f) u %.4f (true %.4f)\n", match_field_name(f),
                            match_level_name(l), e.m[f][l], s_m[f][l], e.u[f][l], s_u[f][l]);
            assert_true(s_abs(e.m[f][l] - s_m[f][l]) < TOL);
            assert_true(s_abs(e.u[f][l] - s_u[f][l]) < TOL);
            assert_true(e.m[f][l] > 0 && e.u[f][l] > 0);   /* smoothed */
            /* the weight is log2(m/u) of what is reported */
            assert_true(s_abs(e.weights.w[f][l] - s_log2_ref(e.m[f][l] / e.u[f][l])) < 1e-9);
        }
        assert_true(s_abs(msum - 1) < 1e-9);
        assert_true(s_abs(usum - 1) < 1e-9);
        assert_true(e.weights.w[f][ML_EXACT] > 0);
        assert_true(e.weights.w[f][ML_DIFFERENT] < 0);
    }
    assert_true(e.weights.w[MF_IDNO][ML_CONFLICT] < -3);
    assert_true(e.weights.w[MF_NAME][ML_PINYIN] > 0);
    assert_true(e.weights.w[MF_PHONE][ML_EXACT] > 4);
    s_assert_thresholds(&e);

    /* The weights sort the population about as well as the true ones do. */
    match_weights_t oracle;
    memset(&oracle, 0, sizeof oracle);
    for (int f = 0; f < MF_COUNT; f++)
        for (int l = 1; l < ML_COUNT; l++)
            if (s_m[f][l] > 0)
                oracle.w[f][l] = s_log2_ref(s_m[f][l] / s_u[f][l]);
    oracle.lower = -s_log2_ref((double)NMATCH / NNON);
    oracle.upper = s_log2_ref(999) + oracle.lower;
    size_t missed = 0, false_links = 0, oracle_missed = 0, oracle_false = 0;
    for (size_t i = 0; i < NPAIRS; i++) {
        double s = match_score(&p->pairs[i], &e.weights), o = match_score(&p->pairs[i], &oracle);
        if (i < NMATCH) {
            missed += s < e.weights.lower;
            oracle_missed += o < oracle.lower;
        } else {
            false_links += s >= e.weights.upper;
            oracle_false += o >= oracle.upper;
        }
    }
    if (missed > oracle_missed + NMATCH / 200 || false_links > oracle_false + 5)
        print_error("missed %zu (true weights %zu), false links %zu (%zu)\n", missed, oracle_missed, false_links,
                    oracle_false);
    assert_true(missed <= oracle_missed + NMATCH / 200);
    assert_true(missed < NMATCH / 20);
    assert_true(false_links <= oracle_false + 5);
    free(p);
}

/* The result is a fixed point: started from it, EM stops at once, unmoved. */
static void
test_fixed_point(void **state)
{
    (void)state;
    population_t *p = s_population(7);
    match_weights_t start;
    s_wrong_start(&start);
    estimate_t a, b;
    estimate_run(p->pairs, NPAIRS, p->randoms, NRANDOM, &start, &a);
    assert_true(a.converged);
    estimate_run_from(p->pairs, NPAIRS, p->randoms, NRANDOM, &a.weights, a.lambda, &b);
    assert_true(b.converged);
    assert_true(b.iterations <= 2);
    assert_true(b.iterations < a.iterations);
    for (int f = 0; f < MF_COUNT; f++)
        for (int l = 0; l < ML_COUNT; l++) {
            assert_true(s_abs(a.m[f][l] - b.m[f][l]) < 1e-5);
            assert_true(a.u[f][l] == b.u[f][l]);
        }
    assert_true(s_abs(a.lambda - b.lambda) < 1e-5);
    free(p);
}

/* Another start (the defaults, lambda 0.5) reaches the same answer. */
static void
test_other_start(void **state)
{
    (void)state;
    population_t *p = s_population(20240501);
    match_weights_t start;
    s_wrong_start(&start);
    estimate_t a, b;
    estimate_run(p->pairs, NPAIRS, p->randoms, NRANDOM, &start, &a);
    estimate_run_from(p->pairs, NPAIRS, p->randoms, NRANDOM, NULL, 0.5, &b);
    s_assert_finite(&b);
    assert_true(b.converged);
    assert_true(s_abs(a.lambda - b.lambda) < 1e-3);
    for (int f = 0; f < MF_COUNT; f++)
        for (int l = 0; l < ML_COUNT; l++)
            assert_true(s_abs(a.m[f][l] - b.m[f][l]) < 1e-3);
    free(p);
}

/* ---------------------------------------------------------------------- */
/* Edge cases                                                              */

/* No blocked pairs: u is estimated, m and lambda are the start. */
static void
test_no_pairs(void **state)
{
    (void)state;
    population_t *p = s_population(3);
    estimate_t e;
    estimate_run(NULL, 0, p->randoms, NRANDOM, NULL, &e);
    s_assert_finite(&e);
    assert_int_equal(e.iterations, 0);
    assert_false(e.converged);
    assert_true(e.lambda == ESTIMATE_LAMBDA0);
    s_assert_thresholds(&e);
    assert_true(s_abs(e.weights.lower - s_log2_ref(9)) < 1e-9);   /* odds 1:9 */
    assert_true(s_abs(e.u[MF_GENDER][ML_EXACT] - 0.5) < TOL);
    /* m from the default weights: m proportional to u * 2^w */
    match_weights_t d;
    match_weights_default(&d);
    double ratio = e.m[MF_PHONE][ML_EXACT] / e.m[MF_PHONE][ML_DIFFERENT];
    double want = e.u[MF_PHONE][ML_EXACT] / e.u[MF_PHONE][ML_DIFFERENT];
    assert_true(s_abs(s_log2_ref(ratio) - s_log2_ref(want) - (d.w[MF_PHONE][ML_EXACT] - d.w[MF_PHONE][ML_DIFFERENT])) <
                1e-9);

    /* lambda from the caller */
    estimate_run_from(NULL, 0, p->randoms, NRANDOM, NULL, 0.25, &e);
    assert_true(e.lambda == 0.25);
    assert_true(s_abs(e.weights.lower - s_log2_ref(3)) < 1e-9);

    /* nothing at all */
    estimate_run(NULL, 0, NULL, 0, NULL, &e);
    s_assert_finite(&e);
    for (int f = 0; f < MF_COUNT; f++)
        for (int l = 0; l < ML_COUNT; l++) {
            assert_false(e.seen[f][l]);
            assert_true(e.m[f][l] == 0 && e.u[f][l] == 0 && e.weights.w[f][l] == 0);
        }
    free(p);
}

/* Bad starting lambdas are taken into range; bad weights count as 0. */
static void
test_bad_start(void **state)
{
    (void)state;
    estimate_t e;
    estimate_run_from(NULL, 0, NULL, 0, NULL, 0.0, &e);
    s_assert_finite(&e);
    assert_true(e.lambda == ESTIMATE_LAMBDA_MIN);
    estimate_run_from(NULL, 0, NULL, 0, NULL, 2.0, &e);
    s_assert_finite(&e);
    assert_true(e.lambda == 1 - ESTIMATE_LAMBDA_MIN);
    estimate_run_from(NULL, 0, NULL, 0, NULL, NAN, &e);
    assert_true(e.lambda == ESTIMATE_LAMBDA0);

    match_cmp_t r[4] = {{{0}}};
    for (int i = 0; i < 4; i++)
        r[i].level[MF_PHONE] = i == 0 ? ML_EXACT : ML_DIFFERENT;   /* u 2/6 and 4/6 */
    match_weights_t w;
    memset(&w, 0, sizeof w);
    w.w[MF_PHONE][ML_EXACT] = NAN;
    w.w[MF_PHONE][ML_DIFFERENT] = INFINITY;
    estimate_run(NULL, 0, r, 4, &w, &e);
    s_assert_finite(&e);
    assert_true(s_abs(e.u[MF_PHONE][ML_EXACT] - 2.0 / 6) < 1e-12);
    assert_true(s_abs(e.m[MF_PHONE][ML_EXACT] - 2.0 / 6) < 1e-12);   /* both weights 0: m = u */
    assert_true(s_abs(e.weights.w[MF_PHONE][ML_EXACT]) < 1e-12);
}

/* Every value missing: nothing seen, nothing moves, nothing is NaN. */
static void
test_all_missing(void **state)
{
    (void)state;
    match_cmp_t pairs[50], randoms[50];
    memset(pairs, 0, sizeof pairs);   /* ML_MISSING is 0 */
    memset(randoms, 0, sizeof randoms);
    assert_int_equal(ML_MISSING, 0);
    estimate_t e;
    estimate_run(pairs, 50, randoms, 50, NULL, &e);
    s_assert_finite(&e);
    assert_true(e.converged);
    assert_int_equal(e.iterations, 1);
    assert_true(s_abs(e.lambda - ESTIMATE_LAMBDA0) < 1e-12);
    for (int f = 0; f < MF_COUNT; f++) {
        assert_int_equal(e.field_pairs[f], 0);
        assert_int_equal(e.field_randoms[f], 0);
        for (int l = 0; l < ML_COUNT; l++) {
            assert_false(e.seen[f][l]);
            assert_true(e.weights.w[f][l] == 0);
        }
    }
    char buf[4096];
    size_t n = estimate_report(&e, buf, sizeof buf);
    assert_true(n < sizeof buf);
    assert_null(strstr(buf, "weight."));
    assert_non_null(strstr(buf, "match_upper = "));
    assert_null(strstr(buf, "nan"));
}

/* Pairs but no random pairs: u uniform over the levels seen. A field with
** no value in any pair keeps its starting m. */
static void
test_no_randoms_and_empty_field(void **state)
{
    (void)state;
    population_t *p = s_population(11);
    for (size_t i = 0; i < NPAIRS; i++)
        p->pairs[i].level[MF_HOUSEHOLD] = ML_MISSING;
    for (size_t i = 0; i < NRANDOM; i++)
        p->randoms[i].level[MF_HOUSEHOLD] = i % 4 ? ML_DIFFERENT : ML_EXACT;
    match_weights_t start;
    s_wrong_start(&start);
    start.w[MF_HOUSEHOLD][ML_EXACT] = 3;
    start.w[MF_HOUSEHOLD][ML_DIFFERENT] = -1;
    estimate_t e;
    estimate_run(p->pairs, NPAIRS, p->randoms, NRANDOM, &start, &e);
    s_assert_finite(&e);
    /* u 1/4, 3/4 (add one to each count); m proportional to u * 2^w */
    double me = (NRANDOM / 4 + 1.0) / (NRANDOM + 2) * 8, md = (NRANDOM * 3 / 4 + 1.0) / (NRANDOM + 2) * 0.5;
    assert_true(s_abs(e.m[MF_HOUSEHOLD][ML_EXACT] - me / (me + md)) < 1e-12);
    assert_true(s_abs(e.m[MF_HOUSEHOLD][ML_DIFFERENT] - md / (me + md)) < 1e-12);
    for (int f = 0; f < MF_COUNT; f++)   /* the other fields are learnt as before */
        for (int l = 1; l < ML_COUNT && f != MF_HOUSEHOLD; l++)
            assert_true(s_abs(e.m[f][l] - s_m[f][l]) < TOL);

    estimate_run(p->pairs, NPAIRS, NULL, 0, &start, &e);
    s_assert_finite(&e);
    assert_int_equal(e.randoms, 0);
    assert_true(s_abs(e.u[MF_IDNO][ML_EXACT] - 0.25) < 1e-12);    /* four levels seen */
    assert_true(s_abs(e.u[MF_GENDER][ML_EXACT] - 0.5) < 1e-12);
    assert_false(e.seen[MF_HOUSEHOLD][ML_EXACT]);
    free(p);
}

/* A level only the random pairs show still gets m > 0 (smoothed), so its
** weight is finite and negative rather than minus infinity. */
static void
test_smoothing(void **state)
{
    (void)state;
    match_cmp_t pairs[100], randoms[100];
    memset(pairs, 0, sizeof pairs);
    memset(randoms, 0, sizeof randoms);
    for (int i = 0; i < 100; i++) {
        pairs[i].level[MF_IDNO] = i < 30 ? ML_EXACT : ML_DIFFERENT;
        pairs[i].level[MF_NAME] = i < 30 ? ML_EXACT : ML_DIFFERENT;
        randoms[i].level[MF_IDNO] = i < 50 ? ML_CONFLICT : ML_DIFFERENT;
        randoms[i].level[MF_NAME] = i < 2 ? ML_EXACT : ML_DIFFERENT;
    }
    estimate_t e;
    estimate_run(pairs, 100, randoms, 100, NULL, &e);
    s_assert_finite(&e);
    assert_true(e.seen[MF_IDNO][ML_CONFLICT] && e.seen[MF_IDNO][ML_EXACT]);
    assert_true(e.m[MF_IDNO][ML_CONFLICT] > 0);
    assert_true(e.weights.w[MF_IDNO][ML_CONFLICT] < 0 && e.weights.w[MF_IDNO][ML_CONFLICT] > -20);
    assert_true(s_abs(e.u[MF_IDNO][ML_EXACT] - 1.0 / 103) < 1e-12);   /* seen in pairs only */
    assert_true(e.weights.w[MF_IDNO][ML_EXACT] > 0 && e.weights.w[MF_IDNO][ML_EXACT] < 20);
}

/* A level outside the enum counts as missing and is not read out of bounds. */
static void
test_bad_level(void **state)
{
    (void)state;
    match_cmp_t c[3];
    memset(c, 0, sizeof c);
    c[0].level[MF_NAME] = (match_level_t)(ML_COUNT + 5);
    c[1].level[MF_NAME] = (match_level_t)-1;
    c[2].level[MF_NAME] = ML_EXACT;
    estimate_t e;
    estimate_run(c, 3, c, 3, NULL, &e);
    s_assert_finite(&e);
    assert_int_equal(e.field_pairs[MF_NAME], 1);
    assert_int_equal(e.field_randoms[MF_NAME], 1);
    assert_true(e.seen[MF_NAME][ML_EXACT]);
    assert_true(s_abs(e.u[MF_NAME][ML_EXACT] - 1) < 1e-12);
}

/* ---------------------------------------------------------------------- */
/* The report                                                              */

static void
test_report(void **state)
{
    (void)state;
    population_t *p = s_population(20240501);
    estimate_t e;
    estimate_run(p->pairs, NPAIRS, p->randoms, NRANDOM, NULL, &e);
    free(p);

    size_t need = estimate_report(&e, NULL, 0);
    assert_true(need > 0);
    char *buf = malloc(need + 1);
    assert_non_null(buf);
    assert_int_equal(estimate_report(&e, buf, need + 1), need);
    assert_int_equal(strlen(buf), need);

    char line[128];
    snprintf(line, sizeof line, "\nweight.name.same_pinyin = %.3f\n", e.weights.w[MF_NAME][ML_PINYIN]);
    assert_non_null(strstr(buf, line));
    snprintf(line, sizeof line, "\nweight.idno.two_different_valid_numbers = %.3f\n",
             e.weights.w[MF_IDNO][ML_CONFLICT]);
    assert_non_null(strstr(buf, line));
    snprintf(line, sizeof line, "\nmatch_upper = %.3f\n", e.weights.upper);
    assert_non_null(strstr(buf, line));
    snprintf(line, sizeof line, "\nmatch_lower = %.3f\n", e.weights.lower);
    assert_non_null(strstr(buf, line));
    assert_non_null(strstr(buf, "#   same pinyin"));   /* the table */
    assert_null(strstr(buf, "missing ="));
    assert_null(strstr(buf, "weight.gender.one_edit"));   /* never seen */
    assert_null(strstr(buf, "nan"));

    /* Every line is a comment or a key hub.conf knows, with the weight. */
    match_weights_t w;
    memset(&w, 0, sizeof w);
    size_t keys = 0;
    for (char *s = strtok(buf, "\n"); s; s = strtok(NULL, "\n")) {
        if (s[0] == '#')
            continue;
        char name[96];
        double v;
        assert_int_equal(sscanf(s, "%95s = %lf", name, &v), 2);
        assert_true(match_weight_set(&w, name, v));
        keys++;
    }
    size_t want = 2;
    for (int f = 0; f < MF_COUNT; f++)
        for (int l = 0; l < ML_COUNT; l++) {
            want += e.seen[f][l];
            assert_true(s_abs(w.w[f][l] - e.weights.w[f][l]) < 0.0006);
        }
    assert_int_equal(keys, want);
    assert_true(s_abs(w.upper - e.weights.upper) < 0.0006);
    assert_true(s_abs(w.lower - e.weights.lower) < 0.0006);

    /* Truncated: a NUL-terminated prefix, and the length still the whole. */
    char *full = malloc(need + 1);
    char small[40];
    assert_non_null(full);
    estimate_report(&e, full, need + 1);
    memset(small, 'x', sizeof small);
    assert_int_equal(estimate_report(&e, small, sizeof small), need);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, full, sizeof small - 1);
    free(full);
    free(buf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recovers_truth),
        cmocka_unit_test(test_fixed_point),
        cmocka_unit_test(test_other_start),
        cmocka_unit_test(test_no_pairs),
        cmocka_unit_test(test_bad_start),
        cmocka_unit_test(test_all_missing),
        cmocka_unit_test(test_no_randoms_and_empty_field),
        cmocka_unit_test(test_smoothing),
        cmocka_unit_test(test_bad_level),
        cmocka_unit_test(test_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
