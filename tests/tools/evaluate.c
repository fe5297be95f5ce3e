/*
** evaluate.c: how well the hub resolved a generated district.
**   evaluate TRUTH.csv LINKS.csv VALID.csv
** TRUTH: the generator's person_id,source,source_key,file,row; LINKS: the
** output of `hubctl export-links`; VALID: source,source_key,1|0 (whether
** the hub holds a valid identity number for the record). Records are keyed
** by (source, source_key). Prints pairwise precision, recall and F1,
** B-cubed precision and recall, over-merged residents and split persons,
** for all records and again for those without a valid number.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key;        /* "source,source_key" */
    char *person;
    long resident;
    int valid;
} rec_t;

static rec_t *s_recs;
static size_t s_n, s_cap;

static int
s_cmp_key(const void *a, const void *b)
{
    return strcmp(((const rec_t *)a)->key, ((const rec_t *)b)->key);
}

static rec_t *
s_find(const char *key)
{
    rec_t probe = {.key = (char *)key};
    return bsearch(&probe, s_recs, s_n, sizeof *s_recs, s_cmp_key);
}

/* Split a CSV line (no quotes expected in these fields) into at most n fields. */
static int
s_split(char *line, char **f, int n)
{
    int k = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line; k < n;) {
        f[k++] = p;
        p = strchr(p, ',');
        if (!p)
            break;
        *p++ = 0;
    }
    return k;
}

/* Counts of a group of records: all, and those with a valid number. */
typedef struct {
    double all, valid;
} count_t;

static int
s_cmp_person(const void *x, const void *y)
{
    const rec_t *p = x, *q = y;
    int c = strcmp(p->person, q->person);
    return c ? c : (p->resident > q->resident) - (p->resident < q->resident);
}

static double
s_pairs(double n)
{
    return n * (n - 1) / 2;
}

/* Pairs of a group that include at least one record without a valid number
** (only_invalid), or all its pairs. */
static double
s_group_pairs(count_t c, int only_invalid)
{
    return only_invalid ? s_pairs(c.all) - s_pairs(c.valid) : s_pairs(c.all);
}

/* Metrics over all records, or over those without a valid number: B-cubed
** averaged over them, pairs that include one of them, persons and residents
** that hold one of them. */
static void
s_report(const char *title, int only_invalid)
{
    rec_t *r = calloc(s_n, sizeof *r);
    size_t n = 0;
    for (size_t i = 0; i < s_n; i++)
        if (s_recs[i].person && s_recs[i].resident)
            r[n++] = s_recs[i];
    qsort(r, n, sizeof *r, s_cmp_person);
    long maxres = 0;
    for (size_t i = 0; i < n; i++)
        if (r[i].resident > maxres)
            maxres = r[i].resident;
    count_t *res = calloc((size_t)maxres + 1, sizeof *res);
    long *res_persons = calloc((size_t)maxres + 1, sizeof *res_persons);
    for (size_t i = 0; i < n; i++) {
        res[r[i].resident].all++;
        res[r[i].resident].valid += r[i].valid;
        if (i == 0 || strcmp(r[i - 1].person, r[i].person) || r[i - 1].resident != r[i].resident)
            res_persons[r[i].resident]++;
    }
    double tp = 0, same_person = 0, same_resident = 0, b3p = 0, b3r = 0, counted = 0;
    long persons = 0, split = 0, residents = 0, over = 0;
    for (size_t i = 0; i < n;) {                     /* one person */
        size_t j = i;
        count_t pc = {0, 0};
        int with_invalid = 0;
        while (j < n && strcmp(r[j].person, r[i].person) == 0) {
            pc.all++;
            pc.valid += r[j].valid;
            with_invalid |= !r[j].valid;
            j++;
        }
        long nres = 0;
        for (size_t k = i; k < j;) {                 /* one (person, resident) cell */
            size_t l = k;
            count_t cc = {0, 0};
            while (l < j && r[l].resident == r[k].resident) {
                cc.all++;
                cc.valid += r[l].valid;
                l++;
            }
            nres++;
            tp += s_group_pairs(cc, only_invalid);
            for (size_t x = k; x < l; x++)
                if (!only_invalid || !r[x].valid) {
                    b3p += cc.all / res[r[x].resident].all;
                    b3r += cc.all / pc.all;
                    counted++;
                }
            k = l;
        }
        if (!only_invalid || with_invalid) {
            persons++;
            split += nres > 1;
        }
        same_person += s_group_pairs(pc, only_invalid);
        i = j;
    }
    for (long x = 1; x <= maxres; x++)
        if (res[x].all > 0 && (!only_invalid || res[x].valid < res[x].all)) {
            residents++;
            over += res_persons[x] > 1;
        }
    for (long x = 1; x <= maxres; x++)
        same_resident += s_group_pairs(res[x], only_invalid);
    double p = same_resident ? tp / same_resident : 1, rc = same_person ? tp / same_person : 1;
    printf("%s\n", title);
    printf("  records %.0f, persons %ld, residents %ld\n", counted, persons, residents);
    printf("  pairwise precision %.4f  recall %.4f  F1 %.4f\n", p, rc, p + rc ? 2 * p * rc / (p + rc) : 0);
    printf("  B-cubed  precision %.4f  recall %.4f\n", counted ? b3p / counted : 1, counted ? b3r / counted : 1);
    printf("  over-merged residents %ld, split persons %ld\n", over, split);
    free(res_persons);
    free(res);
    free(r);
}

int
main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: evaluate TRUTH.csv LINKS.csv VALID.csv\n");
        return 2;
    }
    char line[4096], key[1024];
    char *f[6];
    FILE *t = fopen(argv[1], "r"), *l = fopen(argv[2], "r"), *v = fopen(argv[3], "r");
    if (!t || !l || !v) {
        fprintf(stderr, "evaluate: cannot read the inputs\n");
        return 2;
    }
    /* the hub's records */
    while (fgets(line, sizeof line, l))
        if (s_split(line, f, 5) == 5 && strcmp(f[0], "source") != 0) {
            if (s_n == s_cap) {
                s_cap = s_cap ? s_cap * 2 : 1024;
                s_recs = realloc(s_recs, s_cap * sizeof *s_recs);
            }
            snprintf(key, sizeof key, "%s,%s", f[0], f[1]);
            s_recs[s_n++] = (rec_t){strdup(key), NULL, atol(f[4]), 0};
        }
    qsort(s_recs, s_n, sizeof *s_recs, s_cmp_key);
    while (fgets(line, sizeof line, v))
        if (s_split(line, f, 3) == 3) {
            snprintf(key, sizeof key, "%s,%s", f[0], f[1]);
            rec_t *r = s_find(key);
            if (r)
                r->valid = atoi(f[2]);
        }
    long unknown = 0, conflicting = 0;
    while (fgets(line, sizeof line, t))
        if (s_split(line, f, 5) == 5 && strcmp(f[0], "person_id") != 0) {
            snprintf(key, sizeof key, "%s,%s", f[1], f[2]);
            rec_t *r = s_find(key);
            if (!r)
                unknown++;
            else if (r->person && strcmp(r->person, f[0]) != 0)
                conflicting++;
            else if (!r->person)
                r->person = strdup(f[0]);
        }
    long missing = 0;
    for (size_t i = 0; i < s_n; i++)
        missing += !s_recs[i].person;
    printf("truth rows not in the hub: %ld; hub records not in the truth: %ld; keys with two persons: %ld\n",
           unknown, missing, conflicting);
    s_report("all records", 0);
    s_report("records without a valid identity number", 1);
    return 0;
}
