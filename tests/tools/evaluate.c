/*
** evaluate.c: how well the hub resolved a generated (or hand-written) district.
**   evaluate TRUTH.csv LINKS.csv VALID.csv [EARLIER-LINKS.csv ...]
** TRUTH: person_id,source,source_key,file,row[,tags] (gen-district's
** truth.csv, or a fixture's); LINKS: the output of `hubctl export-links`
** (source,source_key,origin_file,origin_row,resident_id) after the load;
** VALID: source,source_key,1|0 (whether the hub holds a valid identity
** number for the record). The hub's records are keyed by (source,
** source_key); a truth row is the record of its (source, source_key), or,
** when its source_key is empty, the record whose origin_file and origin_row
** are its file and row. A record's origin is the last row that carried it
** (a roster row unchanged in the next month's roster moves its record's
** origin there), so a hand-written truth.csv whose earlier rows are known
** by file and row only can also give export-links taken earlier in the
** load (EARLIER-LINKS: after the earlier roster, say): their origins find
** the record (by its key) when LINKS has none for the row; residents are
** always LINKS'. A record's tags are those of its truth rows (one record
** may have a row in each monthly roster).
**
** Prints, in this order (the first "pairwise" line is the overall one, which
** tests/eval.sh and bench/run.sh read):
**   truth rows not in the hub (rows missing: must be 0), hub records not in
**   the truth, keys with two persons;
**   for all records, for those without a valid number, and for those whose
**   valid number is someone else's (tag foreign_id): pairwise precision,
**   recall and F1, B-cubed precision and recall, over-merged residents and
**   split persons (a subset's figures count the pairs with at least one of
**   its records);
**   pairwise figures by source pair (both records from the named sources;
**   police-police: two police records);
**   pairwise figures by tag (pairs with at least one record so tagged) with
**   the split persons among those holding one;
**   hard negatives: for twin, namesake and sibling_name, the residents
**   holding records of two or more different persons so tagged (groups
**   merged: must be 0);
**   one closing line, "summary: ..." with the figures tests/eval.sh tabulates.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TAGS    64
#define MAX_SOURCES 16

typedef struct {
    char *key;        /* "source,source_key" */
    char *origin;     /* "origin_file,origin_row" */
    char *person;     /* NULL until a truth row names it */
    long resident;
    int valid;
    int source;       /* index into s_source */
    uint64_t tags;    /* bits of s_tag */
} rec_t;

static rec_t *s_recs;
static size_t s_n, s_cap;
static size_t *s_by_origin;       /* indices of s_recs sorted by origin */
static char *s_source[MAX_SOURCES];
static int s_nsources;
static char *s_tag[MAX_TAGS];
static long s_tag_rows[MAX_TAGS]; /* truth rows carrying each tag */
static int s_ntags;

static int
s_source_index(const char *name)
{
    for (int i = 0; i < s_nsources; i++)
        if (strcmp(s_source[i], name) == 0)
            return i;
    if (s_nsources == MAX_SOURCES)
        return MAX_SOURCES - 1;
    s_source[s_nsources] = strdup(name);
    return s_nsources++;
}

static int
s_tag_index(const char *name, int make)
{
    for (int i = 0; i < s_ntags; i++)
        if (strcmp(s_tag[i], name) == 0)
            return i;
    if (!make || s_ntags == MAX_TAGS)
        return -1;
    s_tag[s_ntags] = strdup(name);
    return s_ntags++;
}

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

static int
s_cmp_origin(const void *a, const void *b)
{
    return strcmp(s_recs[*(const size_t *)a].origin, s_recs[*(const size_t *)b].origin);
}

/* Earlier export-links: origin -> key, sorted by origin. */
typedef struct {
    char *origin, *key;
} early_t;
static early_t *s_early;
static size_t s_nearly, s_capearly;

static int
s_cmp_early(const void *a, const void *b)
{
    return strcmp(((const early_t *)a)->origin, ((const early_t *)b)->origin);
}

static rec_t *s_find(const char *key);

/* The record an earlier export-links gave origin to, or NULL. */
static rec_t *
s_find_early(const char *origin)
{
    early_t probe = {(char *)origin, NULL};
    early_t *hit = bsearch(&probe, s_early, s_nearly, sizeof *s_early, s_cmp_early);
    return hit ? s_find(hit->key) : NULL;
}

static rec_t *
s_find_origin(const char *origin)
{
    size_t lo = 0, hi = s_n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s_recs[s_by_origin[mid]].origin, origin);
        if (c == 0)
            return &s_recs[s_by_origin[mid]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Splits a CSV line (RFC 4180 quoting; no line end inside a field) into at
** most n fields, in place; returns how many. */
static int
s_split(char *line, char **f, int n)
{
    int k = 0;
    line[strcspn(line, "\r\n")] = 0;
    char *p = line;
    while (k < n) {
        char *out = p;
        f[k++] = out;
        if (*p == '"') {
            for (p++; *p; p++) {
                if (*p == '"' && p[1] == '"')
                    *out++ = *p++;
                else if (*p == '"')
                    break;
                else
                    *out++ = *p;
            }
            if (*p == '"')
                p++;
            while (*p && *p != ',')
                *out++ = *p++;
        } else {
            while (*p && *p != ',')
                out++, p++;
        }
        if (!*p) {
            *out = 0;
            break;
        }
        *out = 0;
        p++;
    }
    return k;
}

/* ---- figures ------------------------------------------------------------ */

static double
s_pairs(double n)
{
    return n * (n - 1) / 2;
}

/* Pairs of a group of all records, in of them in the subset: those with at
** least one record of the subset. */
static double
s_sub_pairs(double all, double in)
{
    return s_pairs(all) - s_pairs(all - in);
}

typedef struct {
    double records, persons, residents;   /* of the subset */
    double tp, same_person, same_resident;
    double b3p, b3r;
    long over, split;
} fig_t;

/* The resolved records (person and resident known), sorted by person then
** resident; dense resident numbers in res_of. */
static rec_t *s_r;
static size_t s_nr;
static size_t *s_res_of;      /* per s_r entry: dense resident index */
static size_t s_nres;

static int
s_cmp_person(const void *x, const void *y)
{
    const rec_t *p = x, *q = y;
    int c = strcmp(p->person, q->person);
    return c ? c : (p->resident > q->resident) - (p->resident < q->resident);
}

static int
s_cmp_long(const void *x, const void *y)
{
    long a = *(const long *)x, b = *(const long *)y;
    return (a > b) - (a < b);
}

static void
s_prepare(void)
{
    s_r = calloc(s_n + 1, sizeof *s_r);
    for (size_t i = 0; i < s_n; i++)
        if (s_recs[i].person && s_recs[i].resident)
            s_r[s_nr++] = s_recs[i];
    qsort(s_r, s_nr, sizeof *s_r, s_cmp_person);
    long *ids = malloc((s_nr + 1) * sizeof *ids);
    for (size_t i = 0; i < s_nr; i++)
        ids[i] = s_r[i].resident;
    qsort(ids, s_nr, sizeof *ids, s_cmp_long);
    size_t u = 0;
    for (size_t i = 0; i < s_nr; i++)
        if (u == 0 || ids[u - 1] != ids[i])
            ids[u++] = ids[i];
    s_nres = u;
    s_res_of = malloc((s_nr + 1) * sizeof *s_res_of);
    for (size_t i = 0; i < s_nr; i++) {
        long *hit = bsearch(&s_r[i].resident, ids, u, sizeof *ids, s_cmp_long);
        s_res_of[i] = (size_t)(hit - ids);
    }
    free(ids);
}

/* The figures of the subset in[] (per s_r entry). */
static fig_t
s_figures(const unsigned char *in)
{
    fig_t g = {0};
    double *res_all = calloc(s_nres + 1, sizeof *res_all), *res_in = calloc(s_nres + 1, sizeof *res_in);
    long *res_persons = calloc(s_nres + 1, sizeof *res_persons);
    for (size_t i = 0; i < s_nr; i++) {
        size_t x = s_res_of[i];
        res_all[x]++;
        res_in[x] += in[i];
        if (i == 0 || strcmp(s_r[i - 1].person, s_r[i].person) || s_r[i - 1].resident != s_r[i].resident)
            res_persons[x]++;
    }
    for (size_t i = 0; i < s_nr;) {                     /* one person */
        size_t j = i;
        double p_all = 0, p_in = 0;
        while (j < s_nr && strcmp(s_r[j].person, s_r[i].person) == 0) {
            p_all++;
            p_in += in[j];
            j++;
        }
        long nres = 0;
        for (size_t k = i; k < j;) {                    /* one (person, resident) cell */
            size_t l = k;
            double c_all = 0, c_in = 0;
            while (l < j && s_r[l].resident == s_r[k].resident) {
                c_all++;
                c_in += in[l];
                l++;
            }
            nres++;
            g.tp += s_sub_pairs(c_all, c_in);
            for (size_t x = k; x < l; x++)
                if (in[x]) {
                    g.b3p += c_all / res_all[s_res_of[x]];
                    g.b3r += c_all / p_all;
                    g.records++;
                }
            k = l;
        }
        if (p_in > 0) {
            g.persons++;
            g.split += nres > 1;
        }
        g.same_person += s_sub_pairs(p_all, p_in);
        i = j;
    }
    for (size_t x = 0; x < s_nres; x++) {
        if (res_in[x] > 0) {
            g.residents++;
            g.over += res_persons[x] > 1;
        }
        g.same_resident += s_sub_pairs(res_all[x], res_in[x]);
    }
    free(res_all);
    free(res_in);
    free(res_persons);
    return g;
}

static double
s_precision(const fig_t *g)
{
    return g->same_resident ? g->tp / g->same_resident : 1;
}

static double
s_recall(const fig_t *g)
{
    return g->same_person ? g->tp / g->same_person : 1;
}

static double
s_f1(double p, double r)
{
    return p + r ? 2 * p * r / (p + r) : 0;
}

static void
s_report(const char *title, const unsigned char *in)
{
    fig_t g = s_figures(in);
    double p = s_precision(&g), rc = s_recall(&g);
    printf("%s\n", title);
    printf("  records %.0f, persons %.0f, residents %.0f\n", g.records, g.persons, g.residents);
    printf("  pairwise precision %.4f  recall %.4f  F1 %.4f\n", p, rc, s_f1(p, rc));
    printf("  B-cubed  precision %.4f  recall %.4f\n", g.records ? g.b3p / g.records : 1,
           g.records ? g.b3r / g.records : 1);
    printf("  over-merged residents %ld, split persons %ld\n", g.over, g.split);
}

/* Pairs of records from sources a and b (a <= b): true (one person, one
** resident), of one person, of one resident. */
static void
s_source_pairs(int a, int b, double *tp, double *sp, double *sr)
{
    *tp = *sp = *sr = 0;
    double *ra = calloc(s_nres + 1, sizeof *ra), *rb = calloc(s_nres + 1, sizeof *rb);
    for (size_t i = 0; i < s_nr;) {
        size_t j = i;
        double pa = 0, pb = 0;
        while (j < s_nr && strcmp(s_r[j].person, s_r[i].person) == 0) {
            pa += s_r[j].source == a;
            pb += s_r[j].source == b;
            j++;
        }
        *sp += a == b ? s_pairs(pa) : pa * pb;
        for (size_t k = i; k < j;) {
            size_t l = k;
            double ca = 0, cb = 0;
            while (l < j && s_r[l].resident == s_r[k].resident) {
                ca += s_r[l].source == a;
                cb += s_r[l].source == b;
                l++;
            }
            *tp += a == b ? s_pairs(ca) : ca * cb;
            k = l;
        }
        i = j;
    }
    for (size_t i = 0; i < s_nr; i++) {
        ra[s_res_of[i]] += s_r[i].source == a;
        rb[s_res_of[i]] += s_r[i].source == b;
    }
    for (size_t x = 0; x < s_nres; x++)
        *sr += a == b ? s_pairs(ra[x]) : ra[x] * rb[x];
    free(ra);
    free(rb);
}

/* Residents holding records of two or more different persons whose record
** there carries tag t; *persons receives the persons carrying it. */
static long
s_merged_groups(int t, long *persons)
{
    long *distinct = calloc(s_nres + 1, sizeof *distinct);
    *persons = 0;
    for (size_t i = 0; i < s_nr;) {             /* one person */
        size_t j = i;
        int any = 0;
        while (j < s_nr && strcmp(s_r[j].person, s_r[i].person) == 0)
            any |= (int)(s_r[j++].tags >> t & 1);
        *persons += any;
        for (size_t k = i; k < j;) {            /* one (person, resident) cell */
            size_t l = k;
            int tagged = 0;
            while (l < j && s_r[l].resident == s_r[k].resident)
                tagged |= (int)(s_r[l++].tags >> t & 1);
            distinct[s_res_of[k]] += tagged;
            k = l;
        }
        i = j;
    }
    long merged = 0;
    for (size_t x = 0; x < s_nres; x++)
        merged += distinct[x] > 1;
    free(distinct);
    return merged;
}

/* The order tags are listed in: these first, then the rest as met. */
static const char *const s_tag_order[] = {
    "no_id", "id_typo", "foreign_id", "head_id", "mother_id", "placeholder", "former_name",
    "village_name", "age_off", "stale_address", "reg_address", "addr_form", "homophone",
    "surname_homophone", "shape_typo", "name_drop", "trad", "rare_name", "birth_swap",
    "birth_day01", "gender_flip", "phone_relative", "phone_old", "duplicate", "row_twice",
    "twin", "namesake", "sibling_name",
};

int
main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: evaluate TRUTH.csv LINKS.csv VALID.csv [EARLIER-LINKS.csv ...]\n");
        return 2;
    }
    char line[8192], key[2048];
    char *f[8];
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
            char origin[2048];
            snprintf(origin, sizeof origin, "%s,%s", f[2], f[3]);
            s_recs[s_n++] = (rec_t){strdup(key), strdup(origin), NULL, atol(f[4]), 0,
                                    s_source_index(f[0]), 0};
        }
    qsort(s_recs, s_n, sizeof *s_recs, s_cmp_key);
    s_by_origin = malloc((s_n + 1) * sizeof *s_by_origin);
    for (size_t i = 0; i < s_n; i++)
        s_by_origin[i] = i;
    qsort(s_by_origin, s_n, sizeof *s_by_origin, s_cmp_origin);
    for (int a = 4; a < argc; a++) {   /* earlier export-links: origins only */
        FILE *e = fopen(argv[a], "r");
        if (!e) {
            fprintf(stderr, "evaluate: cannot read %s\n", argv[a]);
            return 2;
        }
        while (fgets(line, sizeof line, e))
            if (s_split(line, f, 5) == 5 && strcmp(f[0], "source") != 0) {
                if (s_nearly == s_capearly) {
                    s_capearly = s_capearly ? s_capearly * 2 : 1024;
                    s_early = realloc(s_early, s_capearly * sizeof *s_early);
                }
                char origin[2048];
                snprintf(key, sizeof key, "%s,%s", f[0], f[1]);
                snprintf(origin, sizeof origin, "%s,%s", f[2], f[3]);
                s_early[s_nearly++] = (early_t){strdup(origin), strdup(key)};
            }
        fclose(e);
    }
    qsort(s_early, s_nearly, sizeof *s_early, s_cmp_early);
    while (fgets(line, sizeof line, v))
        if (s_split(line, f, 3) == 3) {
            snprintf(key, sizeof key, "%s,%s", f[0], f[1]);
            rec_t *r = s_find(key);
            if (r)
                r->valid = atoi(f[2]);
        }
    /* the truth */
    for (size_t k = 0; k < sizeof s_tag_order / sizeof s_tag_order[0]; k++)
        s_tag_index(s_tag_order[k], 1);
    long unknown = 0, conflicting = 0, rows = 0;
    char missing_rows[5][256];
    int nmissing_shown = 0;
    while (fgets(line, sizeof line, t)) {
        int nf = s_split(line, f, 6);
        if (nf < 5 || strcmp(f[0], "person_id") == 0)
            continue;
        rows++;
        rec_t *r;
        if (f[2][0]) {
            snprintf(key, sizeof key, "%s,%s", f[1], f[2]);
            r = s_find(key);
        } else {
            snprintf(key, sizeof key, "%s,%s", f[3], f[4]);
            r = s_find_origin(key);
            if (!r)
                r = s_find_early(key);
        }
        uint64_t tags = 0;
        if (nf == 6)
            for (char *w = strtok(f[5], " "); w; w = strtok(NULL, " ")) {
                int ti = s_tag_index(w, 1);
                if (ti >= 0) {
                    tags |= UINT64_C(1) << ti;
                    s_tag_rows[ti]++;
                }
            }
        if (!r) {
            unknown++;
            if (nmissing_shown < 5)
                snprintf(missing_rows[nmissing_shown++], sizeof missing_rows[0], "%s %s %s row %s%s%s",
                         f[0], f[1], f[3], f[4], f[2][0] ? " key " : "", f[2]);
            continue;
        }
        r->tags |= tags;
        if (r->person && strcmp(r->person, f[0]) != 0)
            conflicting++;
        else if (!r->person)
            r->person = strdup(f[0]);
    }
    long extra = 0;
    for (size_t i = 0; i < s_n; i++)
        extra += !s_recs[i].person;
    printf("truth rows not in the hub: %ld; hub records not in the truth: %ld; keys with two persons: %ld\n",
           unknown, extra, conflicting);
    printf("ROWS MISSING FROM THE HUB: %ld of %ld truth rows (must be 0)\n", unknown, rows);
    for (int i = 0; i < nmissing_shown; i++)
        printf("  missing: %s\n", missing_rows[i]);

    s_prepare();
    unsigned char *in = malloc(s_nr + 1);
    for (size_t i = 0; i < s_nr; i++)
        in[i] = 1;
    s_report("all records", in);
    fig_t all = s_figures(in);
    for (size_t i = 0; i < s_nr; i++)
        in[i] = !s_r[i].valid;
    s_report("records without a valid identity number", in);
    int foreign = s_tag_index("foreign_id", 0);
    for (size_t i = 0; i < s_nr; i++)
        in[i] = foreign >= 0 && (s_r[i].tags >> foreign & 1);
    s_report("records whose valid number is someone else's (foreign_id: the head's, the mother's)", in);
    fig_t fid = s_figures(in);
    int noid = s_tag_index("no_id", 0);
    for (size_t i = 0; i < s_nr; i++)
        in[i] = noid >= 0 && (s_r[i].tags >> noid & 1);
    fig_t nid = s_figures(in);

    printf("by source pair (both records from these sources)\n");
    printf("  %-30s %10s %10s %10s %9s %9s %7s\n", "sources", "true", "same-pers", "same-res",
           "precision", "recall", "F1");
    for (int a = 0; a < s_nsources; a++)
        for (int b = a; b < s_nsources; b++) {
            double tp, sp, sr;
            s_source_pairs(a, b, &tp, &sp, &sr);
            if (sp == 0 && sr == 0)
                continue;
            double p = sr ? tp / sr : 1, rc = sp ? tp / sp : 1;
            char name[128];
            snprintf(name, sizeof name, "%s-%s", s_source[a], s_source[b]);
            printf("  %-30s %10.0f %10.0f %10.0f %9.4f %9.4f %7.4f\n", name, tp, sp, sr, p, rc,
                   s_f1(p, rc));
        }

    printf("by tag (pairs with a record so tagged; split: persons holding one, in two residents or more)\n");
    printf("  %-18s %7s %8s %8s %9s %9s %7s %6s %6s\n", "tag", "rows", "records", "persons",
           "precision", "recall", "F1", "split", "over");
    for (int ti = 0; ti < s_ntags; ti++) {
        size_t n = 0;
        for (size_t i = 0; i < s_nr; i++)
            n += in[i] = (unsigned char)(s_r[i].tags >> ti & 1);
        if (n == 0 && s_tag_rows[ti] == 0)
            continue;
        fig_t g = s_figures(in);
        double p = s_precision(&g), rc = s_recall(&g);
        printf("  %-18s %7ld %8.0f %8.0f %9.4f %9.4f %7.4f %6ld %6ld\n", s_tag[ti], s_tag_rows[ti],
               g.records, g.persons, p, rc, s_f1(p, rc), g.split, g.over);
    }

    printf("hard negatives (residents holding records of two or more different persons of the kind: must be 0)\n");
    static const char *const hard[] = { "twin", "namesake", "sibling_name" };
    long merged_total = 0;
    char merged_text[256] = "";
    for (size_t k = 0; k < sizeof hard / sizeof hard[0]; k++) {
        int ti = s_tag_index(hard[k], 0);
        long persons = 0, merged = ti >= 0 ? s_merged_groups(ti, &persons) : 0;
        merged_total += merged;
        printf("  %-12s groups merged %ld (persons so tagged: %ld)\n", hard[k], merged, persons);
        size_t o = strlen(merged_text);
        snprintf(merged_text + o, sizeof merged_text - o, " %s %ld", hard[k], merged);
    }
    double p = s_precision(&all), rc = s_recall(&all);
    double np = s_precision(&nid), nr = s_recall(&nid), fp = s_precision(&fid), fr = s_recall(&fid);
    printf("summary: precision %.4f recall %.4f F1 %.4f rows-missing %ld split %ld over-merged %ld"
           " no_id-recall %.4f no_id-precision %.4f foreign_id-recall %.4f foreign_id-precision %.4f"
           " merged%s\n",
           p, rc, s_f1(p, rc), unknown, all.split, all.over, nr, np, fr, fp, merged_text);
    free(in);
    return 0;
}
