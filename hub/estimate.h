/*
** estimate.h: Fellegi-Sunter parameters estimated from data, as Splink does
** it, as pure functions (no I/O, no globals). What `hubctl estimate` prints.
**
**  - u (how often a level occurs between two different people) is counted
**    on random record pairs, which are almost all non-matches;
**  - m (how often it occurs between two records of one person) and the
**    match proportion lambda are found by expectation-maximisation over the
**    candidate pairs that blocking found, with u held fixed;
**  - the weights are log2(m/u); the thresholds follow from lambda.
**
** Limits. The model assumes the fields agree independently of each other
** given match status (conditional independence); correlated fields (a
** household and an address, an identity number and a birth date) are
** counted twice, so the weights come out too confident. u is only as good
** as the random sample: a level rarer than 1 in the number of random pairs
** is seen too seldom, and add-one smoothing sets its u near 1/n, capping the
** weight. A level that appears in neither sample is unknown: its m and u
** are 0 and its weight is 0. EM finds a local optimum; a start far off can
** swap the two classes, which the weights' signs show.
*/
#ifndef HUB_ESTIMATE_H
#define HUB_ESTIMATE_H

#include <stdbool.h>
#include <stddef.h>
#include "match.h"

#define ESTIMATE_LAMBDA0 0.1        /* starting match proportion */
#define ESTIMATE_MAX_ITER 100       /* EM stops after this many iterations */
#define ESTIMATE_TOLERANCE 1e-6     /* or once no m moves by this much */
#define ESTIMATE_LAMBDA_MIN 1e-9    /* lambda is kept in [MIN, 1 - MIN] */
#define ESTIMATE_UPPER_POSTERIOR 0.999

typedef struct {
    /* Per field and level, summing to 1 over the field's seen levels;
    ** 0 for ML_MISSING and for unseen levels. */
    double m[MF_COUNT][ML_COUNT], u[MF_COUNT][ML_COUNT];
    double lambda;                  /* share of the blocked pairs that match */
    int iterations;                 /* EM iterations run (0: no blocked pairs) */
    bool converged;                 /* EM settled within ESTIMATE_MAX_ITER */
    size_t pairs, randoms;          /* how many of each were given */
    /* Pairs and random pairs in which the field has a value (not missing). */
    size_t field_pairs[MF_COUNT], field_randoms[MF_COUNT];
    /* Whether the level occurs (not missing) in either sample. */
    bool seen[MF_COUNT][ML_COUNT];
    /* w = log2(m/u) for seen levels, else 0; upper is the score at which
    ** a pair's posterior match probability is 0.999, lower where it is 0.5. */
    match_weights_t weights;
} estimate_t;

/* Estimate u from randoms[0..nrandoms) and m, lambda from pairs[0..npairs)
** into *out (every member is set). Either array may be NULL when its count
** is 0. start gives the starting m (m proportional to u * 2^w over a
** field's seen levels; non-finite weights count as 0); NULL means
** match_weights_default(). Starts at lambda ESTIMATE_LAMBDA0.
**
** u: per field, counts of each level among the random pairs that have a
** value, plus one for every seen level (Laplace), normalised. m: EM with u
** fixed; a field that no blocked pair has a value for keeps its starting m.
** Stops when the largest change in any m is below ESTIMATE_TOLERANCE
** (converged) or after ESTIMATE_MAX_ITER iterations (not converged). With
** no blocked pairs nothing is estimated: m is the starting m, lambda the
** starting lambda, iterations 0, converged false. A level outside
** 0..ML_COUNT-1 is taken as missing. The results are always finite. */
void estimate_run(const match_cmp_t *pairs, size_t npairs, const match_cmp_t *randoms, size_t nrandoms,
                  const match_weights_t *start, estimate_t *out);

/* As estimate_run, starting EM at lambda0 (taken into
** [ESTIMATE_LAMBDA_MIN, 1 - ESTIMATE_LAMBDA_MIN]; not finite: ESTIMATE_LAMBDA0). */
void estimate_run_from(const match_cmp_t *pairs, size_t npairs, const match_cmp_t *randoms, size_t nrandoms,
                       const match_weights_t *start, double lambda0, estimate_t *out);

/* The estimate as text: a summary line, per field a table of its seen levels
** (level, m, u, weight), then the hub.conf lines
** `weight.FIELD.LEVEL = W` (spaces in level names as '_'; seen levels only,
** so unseen ones keep their configured weight), `match_upper = ...` and
** `match_lower = ...`. Lines starting with '#' are comments for hub.conf.
** Writes at most cap bytes including the terminating NUL (out may be NULL
** when cap is 0) and returns the length the whole text needs, as snprintf;
** the text is complete when the result is < cap. */
size_t estimate_report(const estimate_t *e, char *out, size_t cap);

#endif
