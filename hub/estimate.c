/*
** estimate.c: Fellegi-Sunter m, u, lambda and weights estimated from
** comparison vectors (see estimate.h for the model and its limits). Pure:
** no I/O, no globals, no allocation.
**
** The hub links no libm, so the two functions of it needed here (log2 and
** exp2) are computed below to double precision from series.
*/
#include "estimate.h"

#include <assert.h>
#include <float.h>
#include <math.h>      /* isfinite only (a macro, no libm) */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- log2 and exp2 without libm ---- */

#define S_LN2 0.69314718055994530941723212145818
#define S_SQRT2 1.41421356237309504880168872420970

/* log2(x) for finite x > 0 (else -DBL_MAX or DBL_MAX), to about 1e-15. */
static double
s_log2(double x)
{
    if (!(x > 0))
        return -DBL_MAX;
    if (!isfinite(x))
        return DBL_MAX;
    int e = 0;
    while (x >= 4294967296.0) {
        x /= 4294967296.0;
        e += 32;
    }
    while (x < 1.0 / 4294967296.0) {
        x *= 4294967296.0;
        e -= 32;
    }
    while (x >= S_SQRT2) {
        x /= 2;
        e++;
    }
    while (x < S_SQRT2 / 2) {
        x *= 2;
        e--;
    }
    /* ln x = 2 atanh t with t = (x-1)/(x+1), |t| <= 0.172 */
    double t = (x - 1) / (x + 1), t2 = t * t, term = t, sum = 0;
    for (int k = 1; k <= 31; k += 2) {
        sum += term / k;
        term *= t2;
    }
    return e + 2 * sum / S_LN2;
}

/* 2^y, to about 1e-15 relative; 0 below -1074, DBL_MAX above 1023. */
static double
s_exp2(double y)
{
    if (y != y)
        return 0;
    if (y < -1074)
        return 0;
    if (y > 1023)
        return DBL_MAX;
    int n = (int)y;
    if ((double)n > y)
        n--;                        /* floor */
    double x = (y - n) * S_LN2, term = 1, sum = 1;   /* e^x, 0 <= x < ln 2 */
    for (int k = 1; k <= 22; k++) {
        term *= x / k;
        sum += term;
    }
    for (; n >= 32; n -= 32)
        sum *= 4294967296.0;
    for (; n <= -32; n += 32)
        sum /= 4294967296.0;
    for (; n > 0; n--)
        sum *= 2;
    for (; n < 0; n++)
        sum /= 2;
    return sum;
}

/* ---- estimation ---- */

static match_level_t
s_level(const match_cmp_t *c, int f)
{
    int l = (int)c->level[f];
    return l > ML_MISSING && l < ML_COUNT ? (match_level_t)l : ML_MISSING;
}

static double
s_clamp_lambda(double lambda)
{
    if (!isfinite(lambda))
        return ESTIMATE_LAMBDA0;
    if (lambda < ESTIMATE_LAMBDA_MIN)
        return ESTIMATE_LAMBDA_MIN;
    if (lambda > 1 - ESTIMATE_LAMBDA_MIN)
        return 1 - ESTIMATE_LAMBDA_MIN;
    return lambda;
}

/* Number of seen levels of field f. */
static int
s_nseen(const estimate_t *e, int f)
{
    int n = 0;
    for (int l = 1; l < ML_COUNT; l++)
        n += e->seen[f][l];
    return n;
}

/* u per field: Laplace-smoothed frequencies among the random pairs. */
static void
s_estimate_u(estimate_t *e, const match_cmp_t *randoms, size_t nrandoms)
{
    for (int f = 0; f < MF_COUNT; f++) {
        double count[ML_COUNT] = {0};
        for (size_t i = 0; i < nrandoms; i++)
            count[s_level(&randoms[i], f)] += 1;
        int nseen = s_nseen(e, f);
        double total = (double)e->field_randoms[f] + nseen;
        for (int l = 1; l < ML_COUNT; l++)
            if (e->seen[f][l])
                e->u[f][l] = (count[l] + 1) / total;
    }
}

/* m per field from the start weights: m proportional to u * 2^w. */
static void
s_start_m(estimate_t *e, const match_weights_t *start)
{
    for (int f = 0; f < MF_COUNT; f++) {
        double w[ML_COUNT], wmax = -DBL_MAX, total = 0;
        for (int l = 1; l < ML_COUNT; l++) {
            w[l] = isfinite(start->w[f][l]) ? start->w[f][l] : 0;
            w[l] = w[l] < -500 ? -500 : w[l] > 500 ? 500 : w[l];
            if (e->seen[f][l] && w[l] > wmax)
                wmax = w[l];
        }
        for (int l = 1; l < ML_COUNT; l++)
            if (e->seen[f][l]) {
                e->m[f][l] = e->u[f][l] * s_exp2(w[l] - wmax);
                total += e->m[f][l];
            }
        for (int l = 1; l < ML_COUNT; l++)
            if (e->seen[f][l])
                e->m[f][l] = total > 0 ? e->m[f][l] / total : 1.0 / s_nseen(e, f);
    }
}

/* One EM iteration over the pairs; returns the largest change in any m. */
static double
s_em_step(estimate_t *e, const match_cmp_t *pairs, size_t npairs)
{
    double lw[MF_COUNT][ML_COUNT] = {{0}};   /* log2(m/u) of the current m */
    for (int f = 0; f < MF_COUNT; f++)
        for (int l = 1; l < ML_COUNT; l++)
            if (e->seen[f][l])
                lw[f][l] = s_log2(e->m[f][l]) - s_log2(e->u[f][l]);
    double prior = s_log2(e->lambda) - s_log2(1 - e->lambda);

    double count[MF_COUNT][ML_COUNT] = {{0}}, total[MF_COUNT] = {0}, psum = 0;
    for (size_t i = 0; i < npairs; i++) {
        /* E: posterior of a match, 1 / (1 + 2^-(prior + score)) */
        double s = prior;
        for (int f = 0; f < MF_COUNT; f++)
            s += lw[f][s_level(&pairs[i], f)];
        double p = s > 60 ? 1 : s < -1100 ? 0 : 1 / (1 + s_exp2(-s));
        psum += p;
        for (int f = 0; f < MF_COUNT; f++) {
            match_level_t l = s_level(&pairs[i], f);
            if (l != ML_MISSING) {
                count[f][l] += p;
                total[f] += p;
            }
        }
    }

    /* M: smoothed weighted frequencies; lambda the mean posterior */
    double delta = 0;
    for (int f = 0; f < MF_COUNT; f++) {
        if (e->field_pairs[f] == 0)
            continue;               /* nothing to learn: keep the start */
        double denom = total[f] + s_nseen(e, f);
        for (int l = 1; l < ML_COUNT; l++)
            if (e->seen[f][l]) {
                double m = (count[f][l] + 1) / denom;
                double d = m > e->m[f][l] ? m - e->m[f][l] : e->m[f][l] - m;
                if (d > delta)
                    delta = d;
                e->m[f][l] = m;
            }
    }
    e->lambda = s_clamp_lambda(psum / (double)npairs);
    return delta;
}

void
estimate_run(const match_cmp_t *pairs, size_t npairs, const match_cmp_t *randoms, size_t nrandoms,
             const match_weights_t *start, estimate_t *out)
{
    estimate_run_from(pairs, npairs, randoms, nrandoms, start, ESTIMATE_LAMBDA0, out);
}

void
estimate_run_from(const match_cmp_t *pairs, size_t npairs, const match_cmp_t *randoms, size_t nrandoms,
                  const match_weights_t *start, double lambda0, estimate_t *out)
{
    assert(out);
    assert(pairs || npairs == 0);
    assert(randoms || nrandoms == 0);
    match_weights_t defaults;
    if (!start) {
        match_weights_default(&defaults);
        start = &defaults;
    }
    memset(out, 0, sizeof *out);
    out->pairs = npairs;
    out->randoms = nrandoms;
    out->lambda = s_clamp_lambda(lambda0);

    for (int f = 0; f < MF_COUNT; f++) {
        for (size_t i = 0; i < npairs; i++) {
            match_level_t l = s_level(&pairs[i], f);
            out->seen[f][l] = true;
            out->field_pairs[f] += l != ML_MISSING;
        }
        for (size_t i = 0; i < nrandoms; i++) {
            match_level_t l = s_level(&randoms[i], f);
            out->seen[f][l] = true;
            out->field_randoms[f] += l != ML_MISSING;
        }
        out->seen[f][ML_MISSING] = false;
    }

    s_estimate_u(out, randoms, nrandoms);
    s_start_m(out, start);

    if (npairs > 0)
        while (out->iterations < ESTIMATE_MAX_ITER) {
            out->iterations++;
            if (s_em_step(out, pairs, npairs) < ESTIMATE_TOLERANCE) {
                out->converged = true;
                break;
            }
        }

    for (int f = 0; f < MF_COUNT; f++)
        for (int l = 1; l < ML_COUNT; l++)
            if (out->seen[f][l])
                out->weights.w[f][l] = s_log2(out->m[f][l]) - s_log2(out->u[f][l]);
    double prior = s_log2(out->lambda) - s_log2(1 - out->lambda);
    out->weights.lower = -prior;
    out->weights.upper = s_log2(ESTIMATE_UPPER_POSTERIOR) - s_log2(1 - ESTIMATE_UPPER_POSTERIOR) - prior;
}

/* ---- report ---- */

typedef struct {
    char *out;
    size_t cap, len;
} s_buf_t;

/* Append as snprintf would, counting what does not fit. */
static void
s_put(s_buf_t *b, const char *fmt, ...)
{
    char scratch[1];
    va_list ap;
    va_start(ap, fmt);
    char *at = b->len < b->cap ? b->out + b->len : scratch;
    size_t room = b->len < b->cap ? b->cap - b->len : 0;
    int n = vsnprintf(at, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        b->len += (size_t)n;
}

/* "weight.name.same_pinyin" */
static void
s_conf_name(int f, int l, char *out, size_t cap)
{
    snprintf(out, cap, "weight.%s.%s", match_field_name(f), match_level_name(l));
    for (char *p = out; *p; p++)
        if (*p == ' ')
            *p = '_';
}

size_t
estimate_report(const estimate_t *e, char *out, size_t cap)
{
    assert(e);
    assert(out || cap == 0);
    s_buf_t b = {out, cap, 0};
    if (cap)
        out[0] = 0;

    s_put(&b, "# Fellegi-Sunter estimate: u from %zu random pairs; m and lambda by EM over %zu blocked pairs\n",
          e->randoms, e->pairs);
    if (e->pairs == 0)
        s_put(&b, "# no blocked pairs: m and lambda are the starting values, not estimates\n");
    else
        s_put(&b, "# EM %s after %d iterations; lambda (share of blocked pairs that match) %.6f\n",
              e->converged ? "converged" : "did NOT converge", e->iterations, e->lambda);
    for (int f = 0; f < MF_COUNT; f++) {
        s_put(&b, "#\n# %s: a value in %zu blocked pairs, %zu random pairs\n", match_field_name(f),
              e->field_pairs[f], e->field_randoms[f]);
        s_put(&b, "#   %-28s %10s %10s %9s\n", "level", "m", "u", "weight");
        for (int l = 1; l < ML_COUNT; l++)
            if (e->seen[f][l])
                s_put(&b, "#   %-28s %10.6f %10.6f %9.3f\n", match_level_name(l), e->m[f][l], e->u[f][l],
                      e->weights.w[f][l]);
    }
    s_put(&b, "#\n# hub.conf: link at posterior %.3f, review from posterior 0.5\n", ESTIMATE_UPPER_POSTERIOR);
    for (int f = 0; f < MF_COUNT; f++)
        for (int l = 1; l < ML_COUNT; l++)
            if (e->seen[f][l]) {
                char name[96];
                s_conf_name(f, l, name, sizeof name);
                s_put(&b, "%s = %.3f\n", name, e->weights.w[f][l]);
            }
    s_put(&b, "match_upper = %.3f\n", e->weights.upper);
    s_put(&b, "match_lower = %.3f\n", e->weights.lower);
    return b.len;
}
