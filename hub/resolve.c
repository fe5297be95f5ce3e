/* resolve.c: incremental entity resolution (see resolve.h). */
#define _POSIX_C_SOURCE 200809L
#include "resolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "facts.h"
#include "log.h"

#define CANDIDATES_PER_KEY 200
#define MAX_CANDIDATES 1024
#define COMPONENT_MAX 512
#define LINKS_MAX 1024

struct resolver {
    store_t *store;
    match_weights_t w;
    resolve_stats_t stats;
    bool dependents;   /* records that may name a relative (family planning, civil affairs) are in:
                       ** only then does a police record wake any (s_wake_relatives) */
    /* records woken by this batch's records, each worked on once at its end
    ** (resolver_flush): a household's members come together, and would each
    ** wake the same records */
    record_id_t *woken, *again;   /* to score again; to work out again from the body */
    size_t nwoken, nagain, cap_woken, cap_again;
};

resolver_t *
resolver_new(store_t *writer, const match_weights_t *weights)
{
    resolver_t *self = HUB_CHECK_ALLOC(calloc(1, sizeof *self));
    self->store = writer;
    self->w = *weights;
    store_match_index(writer);
    registry_stats_t st;
    self->dependents = store_stats(writer, &st) != HUB_OK || st.by_department[2] + st.by_department[4] > 0;
    return self;
}

void
resolver_destroy(resolver_t **self_p)
{
    if (*self_p) {
        free((*self_p)->woken);
        free((*self_p)->again);
    }
    free(*self_p);
    *self_p = NULL;
}

static void
s_pend(record_id_t **list, size_t *n, size_t *cap, record_id_t id)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        *list = HUB_CHECK_ALLOC(realloc(*list, *cap * sizeof **list));
    }
    (*list)[(*n)++] = id;
}

static int
s_cmp_ids(const void *x, const void *y)
{
    const record_id_t *a = x, *b = y;
    return (a->v > b->v) - (a->v < b->v);
}

/* Sort and drop repeats; returns the count left. */
static size_t
s_unique(record_id_t *ids, size_t n)
{
    if (n < 2)
        return n;
    qsort(ids, n, sizeof *ids, s_cmp_ids);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (ids[i].v != ids[k - 1].v)
            ids[k++] = ids[i];
    return k;
}

void
resolver_stats(const resolver_t *self, resolve_stats_t *out)
{
    *out = self->stats;
}

/* The year and month an age refers to: a roster's export month, from its
** file name (mz_roster_YYYYMM.csv), else when the record arrived. */
static void
s_ref_date(const rec_t *rec, int64_t now_ms, int *year, int *month)
{
    const char *p = rec->origin_file ? strstr(rec->origin_file, "mz_roster_") : NULL;
    if (p && sscanf(p + 10, "%4d%2d", year, month) == 2 && *year > 1900 && *month >= 1 && *month <= 12)
        return;
    int64_t days = now_ms / 86400000 + 719468;   /* civil_from_days (Hinnant) */
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (*month <= 2));
}

norm_idno_status_t
resolve_idno(const rec_t *rec, const facts_t *facts, int64_t now_ms, char idno[NORM_IDNO_SIZE],
             char typed[NORM_IDNO_SIZE], char foreign[NORM_IDNO_SIZE])
{
    idno[0] = typed[0] = 0;
    if (foreign)
        foreign[0] = 0;
    if (!rec->idno_raw)
        return NORM_IDNO_EMPTY;
    char clean[NORM_IDNO_SIZE];
    norm_idno_status_t st = norm_idno(rec->idno_raw, clean);
    int year = 0, month = 0;
    if (st == NORM_IDNO_VALID && facts)
        s_ref_date(rec, now_ms, &year, &month);
    if (st == NORM_IDNO_VALID && facts && match_idno_foreign(facts, clean, year)) {
        if (foreign)
            memcpy(foreign, clean, NORM_IDNO_SIZE);
    } else if (st == NORM_IDNO_VALID) {
        memcpy(idno, clean, NORM_IDNO_SIZE);
    } else if (st != NORM_IDNO_EMPTY) {
        memcpy(typed, clean, NORM_IDNO_SIZE);
    }
    return st;
}

/* ---- relatives: records without a number of their own, reached through
** the relative they name ---- */

#define RELATIVE_HOUSEHOLDS 4
#define RELATIVE_HEADS 16
typedef char household_t[40];

static void
s_add_household(household_t *hh, size_t *n, const char *h)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(hh[i], h) == 0)
            return;
    if (*n < RELATIVE_HOUSEHOLDS)
        snprintf(hh[(*n)++], sizeof *hh, "%s", h);
}

/* The police households of a resident's records. */
static hub_err_t
s_resident_households(resolver_t *self, resident_id_t r, household_t *hh, size_t *n)
{
    record_id_t recs[64];
    size_t nr = 0;
    hub_err_t err = r.v ? store_resident_records(self->store, r, recs, 64, &nr) : HUB_OK;
    for (size_t i = 0; i < nr && err == HUB_OK; i++) {
        match_rec_t o;
        if (store_match_get(self->store, recs[i], &o) == HUB_OK && o.source == 1 && o.household[0])
            s_add_household(hh, n, o.household);
    }
    return err;
}

/* The police households of the relatives m names: the owner of the number
** it carries that is not its own, the woman a family-planning spouse or
** child row names, the head of household a roster row names (a police
** 户主 whose name sounds the same, in the row's community, or anywhere when the row has
** none). */
static hub_err_t
s_relative_households(resolver_t *self, const match_rec_t *m, household_t *hh, size_t *n)
{
    hub_err_t err = HUB_OK;
    char key[MATCH_KEY_LEN];
    record_id_t found[RELATIVE_HEADS];
    size_t nf = 0;
    *n = 0;
    if (m->rel_idno[0]) {
        snprintf(key, sizeof key, "v:%s", m->rel_idno);
        err = store_block_records(self->store, key, RELATIVE_HEADS, found, RELATIVE_HEADS, &nf);
        for (size_t i = 0; i < nf && err == HUB_OK; i++) {
            resident_id_t r;
            bool current;
            if ((err = store_record_resident(self->store, found[i], &r, &current)) == HUB_OK)
                err = s_resident_households(self, r, hh, n);
        }
    }
    if (err == HUB_OK && (m->flags & MATCH_F_LINKED)) {
        resident_id_t r;
        hub_err_t e = store_record_latest(self->store, 2, m->household + 2, &r);
        if (e == HUB_OK)
            err = s_resident_households(self, r, hh, n);
        else if (e != HUB_ENOTFOUND)
            err = e;
    }
    if (err == HUB_OK && m->head[0] && !m->idno[0]) {
        char py[sizeof m->pinyin];
        norm_pinyin(m->head, py, sizeof py);
        snprintf(key, sizeof key, MATCH_KEY_HEAD "%s", py);
        nf = 0;
        err = store_block_records(self->store, key, RELATIVE_HEADS, found, RELATIVE_HEADS, &nf);
        for (size_t i = 0; i < nf && err == HUB_OK; i++) {
            match_rec_t h;
            if (store_match_get(self->store, found[i], &h) == HUB_OK && h.household[0]
                && (!m->community[0] || !h.community[0] || strcmp(m->community, h.community) == 0))
                s_add_household(hh, n, h.household);
        }
    }
    return err;
}

/* ---- the fast path: score against candidates ---- */

typedef struct {
    record_id_t id;
    bool relative;          /* found in a named relative's household */
    double score;
    match_cmp_t cmp;
} cand_t;

static int
s_cmp_links(const void *x, const void *y)
{
    const scored_link_t *a = x, *b = y;
    return (a->other.v > b->other.v) - (a->other.v < b->other.v);
}

static size_t
s_cand_add(cand_t *c, size_t n, record_id_t id, bool relative, record_id_t self)
{
    if (id.v == self.v)
        return n;
    for (size_t i = 0; i < n; i++)
        if (c[i].id.v == id.v) {
            c[i].relative = c[i].relative || relative;
            return n;
        }
    if (n < MAX_CANDIDATES)
        c[n++] = (cand_t){.id = id, .relative = relative};
    return n;
}

/* A record reached through a relative's household with a placeholder name
** or its surname alone must not take one of two members alike in all else
** (twins before naming): when the best two such candidates are closer than
** RELATIVE_MARGIN (less than an exact name is above a same-sounding one),
** neither links; both go to review. */
#define RELATIVE_MARGIN 4
static hub_err_t
s_relative_ambiguity(resolver_t *self, cand_t *c, size_t n, const match_weights_t *w)
{
    cand_t *best = NULL, *second = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!c[i].relative)
            continue;
        if (!best || c[i].score > best->score) {
            second = best;
            best = &c[i];
        } else if (!second || c[i].score > second->score) {
            second = &c[i];
        }
    }
    if (!best || !second || best->score < w->upper || best->score - second->score >= RELATIVE_MARGIN)
        return HUB_OK;
    resident_id_t rb, rs;   /* one person's two records (registered twice) are no doubt */
    bool current;
    hub_err_t err = store_record_resident(self->store, best->id, &rb, &current);
    if (err == HUB_OK)
        err = store_record_resident(self->store, second->id, &rs, &current);
    if (err != HUB_OK || (rb.v && rb.v == rs.v))
        return err;
    /* nor through another record of either (a twin's own family-planning row) */
    double cap = w->upper - 0.5;
    for (size_t i = 0; i < n && err == HUB_OK; i++) {
        resident_id_t r = {0};
        if (c[i].score <= cap)
            continue;
        if (&c[i] != best && &c[i] != second)
            err = store_record_resident(self->store, c[i].id, &r, &current);
        if (&c[i] == best || &c[i] == second || (r.v && (r.v == rb.v || r.v == rs.v)))
            c[i].score = cap;
    }
    return err;
}

/* Candidates of m under its keys and in its named relatives' households;
** score each; keep pairs >= lower (and any pair sharing a valid number).
** The pairs kept also go to out (when not NULL, up to cap), by the other
** record's id: what store_links_of answers for a record that had no pairs
** before. */
static hub_err_t
s_score_candidates(resolver_t *self, const match_rec_t *m, match_key_t *keys, size_t nkeys, scored_link_t *out,
                   size_t cap, size_t *nout)
{
    *nout = 0;
    cand_t *cands = HUB_CHECK_ALLOC(malloc(MAX_CANDIDATES * sizeof *cands));
    size_t n = 0;
    hub_err_t err = HUB_OK;
    record_id_t found[CANDIDATES_PER_KEY];
    for (size_t k = 0; k < nkeys && err == HUB_OK; k++) {
        size_t nf = 0;
        err = store_block_records(self->store, keys[k], CANDIDATES_PER_KEY, found, CANDIDATES_PER_KEY, &nf);
        for (size_t i = 0; i < nf; i++)
            n = s_cand_add(cands, n, found[i], false, m->record);
    }
    household_t hh[RELATIVE_HOUSEHOLDS];
    size_t nh = 0;
    if (err == HUB_OK && !m->idno[0] && m->source != 1)
        err = s_relative_households(self, m, hh, &nh);
    for (size_t h = 0; h < nh && err == HUB_OK; h++) {
        char key[MATCH_KEY_LEN];
        size_t nf = 0;
        snprintf(key, sizeof key, MATCH_KEY_HOUSEHOLD "%s", hh[h]);
        err = store_block_records(self->store, key, CANDIDATES_PER_KEY, found, CANDIDATES_PER_KEY, &nf);
        for (size_t i = 0; i < nf; i++)
            n = s_cand_add(cands, n, found[i], true, m->record);
    }
    size_t kept = 0;
    for (size_t i = 0; i < n && err == HUB_OK; i++) {
        match_rec_t c;
        if ((err = store_match_get(self->store, cands[i].id, &c)) == HUB_ENOTFOUND) {
            err = HUB_OK;
            continue;
        }
        match_compare(m, &c, &cands[i].cmp);
        if (cands[i].relative) {   /* what a household shares tells its members apart no more */
            cands[i].cmp.level[MF_HOUSEHOLD] = ML_EXACT;
            cands[i].cmp.level[MF_RELATIVE] = ML_EXACT;
            cands[i].cmp.level[MF_PHONE] = cands[i].cmp.level[MF_ADDRESS] = ML_MISSING;
            cands[i].cmp.level[MF_COMMUNITY] = ML_MISSING;
        }
        cands[i].score = match_score(&cands[i].cmp, &self->w);
        if (m->source == 2 && c.source == 2 && (m->flags & c.flags & MATCH_F_LINKED)
            && !strcmp(m->household, c.household) && cands[i].cmp.level[MF_NAME] != ML_EXACT
            && cands[i].score >= self->w.upper)   /* two children of one woman, named apart: twins, to review */
            cands[i].score = self->w.upper - 0.5;
        cands[kept++] = cands[i];
    }
    n = kept;
    if (err == HUB_OK)
        err = s_relative_ambiguity(self, cands, n, &self->w);
    for (size_t i = 0; i < n && err == HUB_OK; i++) {
        bool same_number = cands[i].cmp.level[MF_IDNO] == ML_EXACT;
        if (cands[i].score >= self->w.lower || same_number) {
            char evidence[240];
            match_evidence(&cands[i].cmp, evidence, sizeof evidence);
            err = store_link_put(self->store, m->record, cands[i].id, cands[i].score, evidence);
            if (out && *nout < cap) {
                out[*nout] = (scored_link_t){.other = cands[i].id, .score = cands[i].score};
                snprintf(out[(*nout)++].evidence, sizeof out->evidence, "%s", evidence);
            }
        }
    }
    if (out && *nout > 1)
        qsort(out, *nout, sizeof *out, s_cmp_links);
    free(cands);
    return err;
}

/* ---- the component, clustered again ---- */

typedef struct {
    record_id_t id;
    resident_id_t before;   /* resident before (0: none) */
    char idno[20];
    char key[72];           /* source and key: what a tie between equal scores is broken by */
    int parent;             /* union-find */
} node_t;

typedef struct {
    int a, b;               /* node indexes */
    const char *ka, *kb;    /* their keys, ka < kb */
    double score;
    char evidence[240];
} pair_t;

static int
s_find(node_t *n, int i)
{
    while (n[i].parent != i) {
        n[i].parent = n[n[i].parent].parent;
        i = n[i].parent;
    }
    return i;
}

static int
s_cmp_pairs(const void *x, const void *y)
{
    const pair_t *p = x, *q = y;
    if (p->score != q->score)
        return p->score > q->score ? -1 : 1;
    int c = strcmp(p->ka, q->ka);   /* by content, not by arrival */
    return c ? c : strcmp(p->kb, q->kb);
}

static int
s_cmp_nodes(const void *x, const void *y)
{
    const node_t *p = x, *q = y;
    return p->id.v < q->id.v ? -1 : p->id.v > q->id.v;
}

static int
s_index(const node_t *nodes, size_t n, record_id_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (nodes[mid].id.v < id.v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && nodes[lo].id.v == id.v ? (int)lo : -1;
}

/* May the clusters rooted at ra and rb become one? */
static hub_err_t
s_allowed(resolver_t *self, node_t *nodes, size_t n, int ra, int rb, const char *const *cluster_idno, bool *ok)
{
    *ok = !(cluster_idno[ra][0] && cluster_idno[rb][0] && strcmp(cluster_idno[ra], cluster_idno[rb]) != 0);
    for (size_t i = 0; i < n && *ok; i++) {
        if (s_find(nodes, (int)i) != ra)
            continue;
        for (size_t j = 0; j < n && *ok; j++) {
            if (s_find(nodes, (int)j) != rb)
                continue;
            bool forbidden;
            hub_err_t err = store_cannot_link(self->store, nodes[i].id, nodes[j].id, &forbidden);
            if (err != HUB_OK)
                return err;
            *ok = !forbidden;
        }
    }
    return HUB_OK;
}

/* Gather the component around seed: records linked at >= upper, and every
** current record of the residents they belong to, transitively. */
static hub_err_t
s_gather(resolver_t *self, record_id_t seed, node_t *nodes, size_t *n, bool *truncated)
{
    scored_link_t *links = HUB_CHECK_ALLOC(malloc(LINKS_MAX * sizeof *links));
    record_id_t *recs = HUB_CHECK_ALLOC(malloc(COMPONENT_MAX * sizeof *recs));
    hub_err_t err = HUB_OK;
    *n = 0;
    *truncated = false;
    nodes[(*n)++].id = seed;
    for (size_t q = 0; q < *n && err == HUB_OK; q++) {
        bool current;
        err = store_record_resident(self->store, nodes[q].id, &nodes[q].before, &current);
        size_t nl = 0, nr = 0;
        if (err == HUB_OK)
            err = store_links_of(self->store, nodes[q].id, self->w.upper, links, LINKS_MAX, &nl);
        if (err == HUB_OK && nodes[q].before.v)
            err = store_resident_records(self->store, nodes[q].before, recs, COMPONENT_MAX, &nr);
        for (size_t i = 0; i < nl + nr; i++) {
            record_id_t x = i < nl ? links[i].other : recs[i - nl];
            bool seen = false;
            for (size_t k = 0; k < *n && !seen; k++)
                seen = nodes[k].id.v == x.v;
            if (seen)
                continue;
            if (*n == COMPONENT_MAX) {
                *truncated = true;
                break;
            }
            memset(&nodes[*n], 0, sizeof nodes[*n]);
            nodes[(*n)++].id = x;
        }
    }
    free(recs);
    free(links);
    return err;
}

/* A resident id for each cluster; move records; aliases and events. */
static hub_err_t
s_assign(resolver_t *self, node_t *nodes, size_t n, const pair_t *pairs, size_t npairs, const char *by,
         int64_t now_ms)
{
    int *root = HUB_CHECK_ALLOC(calloc(n, sizeof *root));
    resident_id_t *chosen = HUB_CHECK_ALLOC(calloc(n, sizeof *chosen));   /* by root */
    int *order = HUB_CHECK_ALLOC(calloc(n, sizeof *order));
    size_t nroots = 0;
    for (size_t i = 0; i < n; i++) {
        root[i] = s_find(nodes, (int)i);
        if (root[i] == (int)i)
            order[nroots++] = (int)i;
    }
    /* clusters in a fixed order: larger first, then by their first record */
    for (size_t i = 1; i < nroots; i++)
        for (size_t j = i; j > 0; j--) {
            size_t sa = 0, sb = 0;
            for (size_t k = 0; k < n; k++) {
                sa += root[k] == order[j - 1];
                sb += root[k] == order[j];
            }
            if (sb > sa) {
                int t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        }
    hub_err_t err = HUB_OK;
    for (size_t c = 0; c < nroots && err == HUB_OK; c++) {
        int r = order[c];
        /* the id most of its records had, not yet taken; the older on a tie */
        resident_id_t best = {0};
        size_t best_count = 0;
        for (size_t i = 0; i < n; i++) {
            if (root[i] != r || !nodes[i].before.v)
                continue;
            bool taken = false;
            for (size_t k = 0; k < c && !taken; k++)
                taken = chosen[order[k]].v == nodes[i].before.v;
            if (taken)
                continue;
            size_t count = 0;
            for (size_t k = 0; k < n; k++)
                count += root[k] == r && nodes[k].before.v == nodes[i].before.v;
            if (count > best_count || (count == best_count && nodes[i].before.v < best.v)) {
                best = nodes[i].before;
                best_count = count;
            }
        }
        if (!best.v)
            err = store_resident_new(self->store, NULL, now_ms, &best);
        chosen[r] = best;
    }
    /* move records, grouped by (from, to), each group one event */
    for (size_t i = 0; i < n && err == HUB_OK; i++) {
        resident_id_t to = chosen[root[i]], from = nodes[i].before;
        if (from.v == to.v)
            continue;
        if (from.v == 0) {   /* a new record joins */
            err = store_record_assign(self->store, nodes[i].id, to);
            nodes[i].before = to;
            continue;
        }
        bool from_kept = false;
        for (size_t k = 0; k < nroots; k++)
            from_kept = from_kept || chosen[order[k]].v == from.v;
        char records[1024];
        size_t len = 0;
        records[0] = 0;
        double score = 0;
        const char *evidence = "";
        for (size_t k = i; k < n && err == HUB_OK; k++) {
            if (nodes[k].before.v != from.v || chosen[root[k]].v != to.v)
                continue;
            if (len < sizeof records - 24)
                len += (size_t)snprintf(records + len, sizeof records - len, "%s%lld", len ? "," : "",
                                        (long long)nodes[k].id.v);
            err = store_record_assign(self->store, nodes[k].id, to);
            nodes[k].before = to;   /* moved: not counted again */
            for (size_t p = 0; p < npairs; p++)   /* the strongest pair that carried it */
                if ((pairs[p].a == (int)k || pairs[p].b == (int)k) && pairs[p].score > score
                    && chosen[root[pairs[p].a]].v == to.v && chosen[root[pairs[p].b]].v == to.v) {
                    score = pairs[p].score;
                    evidence = pairs[p].evidence;
                }
        }
        resolution_event_t e = {
            .at_ms = now_ms, .kind = from_kept ? "split" : "merge", .decided_by = by,
            .resident = from_kept ? from : to, .other = from_kept ? to : from,
            .score = score, .evidence = evidence, .records = records,
        };
        if (err == HUB_OK)
            err = store_event_put(self->store, &e, NULL);
        if (err == HUB_OK && !from_kept)
            err = store_resident_alias(self->store, from, to, now_ms);
        if (from_kept)
            self->stats.splits++;
        else
            self->stats.merges++;
        log_info(from_kept ? "HUB-SPLIT" : "HUB-MERGE", LOG_I("resident", e.resident.v), LOG_I("other", e.other.v),
                 LOG_R("score", score), LOG_S("evidence", evidence), LOG_S("by", by));
    }
    for (size_t c = 0; c < nroots && err == HUB_OK; c++)
        err = store_resident_refresh(self->store, chosen[order[c]], now_ms);
    free(order);
    free(chosen);
    free(root);
    return err;
}

hub_err_t
resolver_recluster(resolver_t *self, record_id_t seed, const char *by, int64_t now_ms, record_id_t *seen,
                   size_t *nseen)
{
    node_t *nodes = HUB_CHECK_ALLOC(calloc(COMPONENT_MAX, sizeof *nodes));
    size_t n = 0;
    bool truncated;
    hub_err_t err = s_gather(self, seed, nodes, &n, &truncated);
    if (truncated)
        log_warn("HUB-RESOLVE-LARGE", LOG_I("record", seed.v), LOG_I("limit", COMPONENT_MAX));
    qsort(nodes, n, sizeof *nodes, s_cmp_nodes);
    for (size_t i = 0; i < n && err == HUB_OK; i++) {
        match_rec_t m;
        nodes[i].parent = (int)i;
        if (store_match_get(self->store, nodes[i].id, &m) == HUB_OK) {
            snprintf(nodes[i].idno, sizeof nodes[i].idno, "%s", m.idno);
            snprintf(nodes[i].key, sizeof nodes[i].key, "%d:%s", m.source, m.key);
        }
    }
    /* the pairs inside the component at or above the upper threshold */
    pair_t *pairs = HUB_CHECK_ALLOC(malloc(LINKS_MAX * sizeof *pairs));
    scored_link_t *links = HUB_CHECK_ALLOC(malloc(LINKS_MAX * sizeof *links));
    size_t npairs = 0;
    for (size_t i = 0; i < n && err == HUB_OK; i++) {
        size_t nl = 0;
        err = store_links_of(self->store, nodes[i].id, self->w.upper, links, LINKS_MAX, &nl);
        for (size_t k = 0; k < nl && npairs < LINKS_MAX; k++) {
            int j = s_index(nodes, n, links[k].other);
            if (j > (int)i) {
                bool lt = strcmp(nodes[i].key, nodes[j].key) < 0;
                pairs[npairs] = (pair_t){.a = (int)i, .b = j, .score = links[k].score,
                                         .ka = lt ? nodes[i].key : nodes[j].key, .kb = lt ? nodes[j].key : nodes[i].key};
                snprintf(pairs[npairs++].evidence, sizeof pairs->evidence, "%s", links[k].evidence);
            }
        }
    }
    qsort(pairs, npairs, sizeof *pairs, s_cmp_pairs);
    const char **cluster_idno = HUB_CHECK_ALLOC(calloc(n ? n : 1, sizeof *cluster_idno));
    for (size_t i = 0; i < n; i++)
        cluster_idno[i] = nodes[i].idno;
    for (size_t p = 0; p < npairs && err == HUB_OK; p++) {
        int ra = s_find(nodes, pairs[p].a), rb = s_find(nodes, pairs[p].b);
        bool ok;
        if (ra == rb || (err = s_allowed(self, nodes, n, ra, rb, cluster_idno, &ok)) != HUB_OK || !ok)
            continue;
        int keep = ra < rb ? ra : rb, gone = ra < rb ? rb : ra;
        nodes[gone].parent = keep;
        if (!cluster_idno[keep][0])
            cluster_idno[keep] = cluster_idno[gone];
    }
    if (err == HUB_OK)
        err = s_assign(self, nodes, n, pairs, npairs, by, now_ms);
    self->stats.reclusters++;
    for (size_t i = 0; seen && i < n && *nseen < COMPONENT_MAX; i++)
        seen[(*nseen)++] = nodes[i].id;
    free(cluster_idno);
    free(links);
    free(pairs);
    free(nodes);
    return err;
}

/* Open review items for pairs between the thresholds (and for any pair
** sharing a valid number) that ended in different residents. */
static hub_err_t
s_reviews(resolver_t *self, record_id_t id, const scored_link_t *links, size_t nl, resident_id_t mine,
          int64_t now_ms)
{
    hub_err_t err = HUB_OK;
    for (size_t i = 0; i < nl && err == HUB_OK; i++) {
        resident_id_t other;
        bool current;
        if (links[i].score >= self->w.upper)
            continue;
        if ((err = store_record_resident(self->store, links[i].other, &other, &current)) != HUB_OK)
            break;
        if (other.v == mine.v)
            continue;
        err = store_review_put(self->store, id, links[i].other, links[i].score, links[i].evidence, now_ms);
        if (err == HUB_OK)
            log_info("HUB-REVIEW-OPEN", LOG_I("record", id.v), LOG_I("other", links[i].other.v),
                     LOG_R("score", links[i].score), LOG_I("resident", mine.v));
        self->stats.reviews++;
    }
    return err;
}

static hub_err_t s_quality(resolver_t *self, record_id_t id, const facts_t *facts, const char *idno);

/* Is the number on a roster member's row (match_roster_member) its head's?
** It is when a record holding it as its own is of a person named like the
** head on the row and not like the member: any record but another member's
** roster row (a police record, the head's own roster row, the head's
** labour or family-planning record). */
static hub_err_t
s_number_is_heads(resolver_t *self, const match_rec_t *m, bool *heads)
{
    char key[MATCH_KEY_LEN];
    record_id_t found[RELATIVE_HEADS];
    size_t nf = 0;
    *heads = false;
    snprintf(key, sizeof key, "v:%s", m->idno);
    hub_err_t err = store_block_records(self->store, key, RELATIVE_HEADS, found, RELATIVE_HEADS, &nf);
    for (size_t i = 0; i < nf && err == HUB_OK && !*heads; i++) {
        match_rec_t o;
        if (found[i].v == m->record.v || store_match_get(self->store, found[i], &o) != HUB_OK)
            continue;
        if (o.source == 4 && match_roster_member(&o))
            continue;
        bool like_head = norm_pinyin_match(o.name, m->head) || (o.former[0] && norm_pinyin_match(o.former, m->head));
        bool like_member = norm_pinyin_match(o.name, m->name) || (o.former[0] && norm_pinyin_match(o.former, m->name));
        *heads = like_head && !like_member;
    }
    return err;
}

/* Is the valid number on a record of another department a housemate's? It
** is when its police owner is named otherwise (not the same, alike in sound,
** nor transposed) and another member of the owner's household is named as
** the record is, of its gender and birth date: a twin's number on the
** other twin's family-planning row. A name typed wrong on a record with its
** own number has no such housemate, and keeps its number. */
static hub_err_t
s_number_is_housemates(resolver_t *self, const match_rec_t *m, bool *theirs)
{
    char key[MATCH_KEY_LEN];
    record_id_t found[RELATIVE_HEADS], members[CANDIDATES_PER_KEY];
    size_t nf = 0;
    *theirs = false;
    snprintf(key, sizeof key, "v:%s", m->idno);
    hub_err_t err = store_block_records(self->store, key, RELATIVE_HEADS, found, RELATIVE_HEADS, &nf);
    for (size_t i = 0; i < nf && err == HUB_OK && !*theirs; i++) {
        match_rec_t o;
        match_cmp_t c;
        if (found[i].v == m->record.v || store_match_get(self->store, found[i], &o) != HUB_OK || o.source != 1
            || !o.household[0])
            continue;
        match_compare(m, &o, &c);
        if (c.level[MF_NAME] == ML_EXACT || c.level[MF_NAME] == ML_PINYIN || c.level[MF_NAME] == ML_TRANSPOSE
            || c.level[MF_NAME] == ML_MISSING)
            return HUB_OK;   /* its owner's, by name */
        size_t nm = 0;
        snprintf(key, sizeof key, MATCH_KEY_HOUSEHOLD "%s", o.household);
        err = store_block_records(self->store, key, CANDIDATES_PER_KEY, members, CANDIDATES_PER_KEY, &nm);
        for (size_t k = 0; k < nm && err == HUB_OK && !*theirs; k++) {
            match_rec_t h;
            if (members[k].v == found[i].v || store_match_get(self->store, members[k], &h) != HUB_OK)
                continue;
            match_compare(m, &h, &c);
            *theirs = (c.level[MF_NAME] == ML_EXACT || c.level[MF_NAME] == ML_PINYIN)
                      && c.level[MF_GENDER] != ML_DIFFERENT
                      && (c.level[MF_BIRTH] == ML_EXACT || c.level[MF_BIRTH] == ML_AGE
                          || c.level[MF_BIRTH] == ML_MISSING);
        }
    }
    return err;
}

hub_err_t
resolver_features(resolver_t *self, record_id_t id, const facts_t *facts, int source, const char *key,
                  const char *idno_raw, const char *origin_file, int64_t now_ms)
{
    rec_t rec = {.source = source, .idno_raw = idno_raw && *idno_raw ? idno_raw : NULL, .origin_file = origin_file};
    char idno[NORM_IDNO_SIZE], typed[NORM_IDNO_SIZE], foreign[NORM_IDNO_SIZE];
    resolve_idno(&rec, facts, now_ms, idno, typed, foreign);
    int year, month;
    s_ref_date(&rec, now_ms, &year, &month);
    match_rec_t m;
    match_rec_from_facts(&m, facts, source, idno[0] ? idno : NULL, typed[0] ? typed : NULL,
                         foreign[0] ? foreign : NULL, year, month);
    m.record = id;
    snprintf(m.key, sizeof m.key, "%s", key ? key : "");
    self->dependents = self->dependents || source == 2 || source == 4;
    bool heads = false, housemates = false;
    hub_err_t err = m.idno[0] && match_roster_member(&m) ? s_number_is_heads(self, &m, &heads) : HUB_OK;
    if (err == HUB_OK && m.idno[0] && !heads && source != 1)
        err = s_number_is_housemates(self, &m, &housemates);
    if (err == HUB_OK && (heads || housemates)) {   /* a relative's number: not the record's own */
        snprintf(foreign, sizeof foreign, "%s", idno);
        idno[0] = 0;
        match_rec_from_facts(&m, facts, source, NULL, NULL, foreign, year, month);   /* nothing of it as its own */
        m.record = id;
        snprintf(m.key, sizeof m.key, "%s", key ? key : "");
        err = store_record_idno_clear(self->store, id);
    }
    match_key_t keys[MATCH_MAX_INDEX_KEYS];
    size_t nkeys = match_index_keys(&m, keys);
    const char *kp[MATCH_MAX_INDEX_KEYS];
    for (size_t k = 0; k < nkeys; k++)
        kp[k] = keys[k];
    if (err == HUB_OK)
        err = s_quality(self, id, facts, idno);
    if (err == HUB_OK && foreign[0])
        err = store_quality_put(self->store, id, "idno-other-person",
                                heads ? "the number is the head of household's named on the row: "
                                        "not taken as this member's own"
                                : housemates ? "the number's owner is named otherwise, and a member of "
                                               "his household is named as this record: a housemate's number"
                                      : "the number's birth date or gender is another person's (a relative's?): "
                                        "not taken as this record's own");
    return err == HUB_OK ? store_match_put(self->store, id, &m, kp, nkeys) : err;
}

/* What a valid number says (birth date, gender) against the record's own
** values: a disagreement is a data-quality flag, not a reason to reject. */
static hub_err_t
s_quality(resolver_t *self, record_id_t id, const facts_t *facts, const char *idno)
{
    hub_err_t err = HUB_OK;
    if (!idno || !idno[0])
        return HUB_OK;
    char birth[11];
    norm_idno_birth(idno, birth);
    if (facts->person.birth_date && strcmp(facts->person.birth_date, birth) != 0)
        err = store_quality_put(self->store, id, "idno-birth-date",
                                "the number's birth date differs from the record's");
    char g = norm_idno_gender(idno);
    if (err == HUB_OK && facts->person.gender && facts->person.gender[0] != g)
        err = store_quality_put(self->store, id, "idno-gender", "the number's gender digit differs from the record's");
    return err;
}

static hub_err_t
s_score(resolver_t *self, record_id_t id, scored_link_t *out, size_t cap, size_t *nout)
{
    match_rec_t m;
    hub_err_t err = store_match_get(self->store, id, &m);
    if (err != HUB_OK)
        return err;
    match_key_t keys[MATCH_MAX_KEYS];
    size_t nkeys = match_blocking_keys(&m, keys);
    return s_score_candidates(self, &m, keys, nkeys, out, cap, nout);
}

hub_err_t
resolver_score(resolver_t *self, record_id_t id)
{
    size_t n;
    return s_score(self, id, NULL, 0, &n);
}

const match_weights_t *
resolver_weights(const resolver_t *self)
{
    return &self->w;
}

/* A police record of household H has come or changed: the records that
** name a relative in H (by the relative's number, the family-planning
** woman's record of a member (by her number or her name and birth date),
** or the head's name) may find their
** person now, whatever the order the departments delivered in. Each is
** scored again and its component clustered again. The lookups are in the
** writer's index in memory. */
#define WAKE_MAX 64
static hub_err_t s_refeature(resolver_t *self, record_id_t id, int64_t now_ms);

static hub_err_t
s_wake_relatives(resolver_t *self, record_id_t police, int64_t now_ms)
{
    match_rec_t p;
    hub_err_t err = store_match_get(self->store, police, &p);
    if (err != HUB_OK || !p.household[0])
        return err == HUB_ENOTFOUND ? HUB_OK : err;
    char key[MATCH_KEY_LEN];
    record_id_t members[CANDIDATES_PER_KEY], found[WAKE_MAX], woken[WAKE_MAX], again[WAKE_MAX];
    size_t nm = 0, nw = 0, na = 0;
    snprintf(key, sizeof key, MATCH_KEY_HOUSEHOLD "%s", p.household);
    err = store_block_records(self->store, key, CANDIDATES_PER_KEY, members, CANDIDATES_PER_KEY, &nm);
    for (size_t i = 0; i < nm && err == HUB_OK; i++) {
        match_rec_t mb;
        if (store_match_get(self->store, members[i], &mb) != HUB_OK)
            continue;
        char keys[6][MATCH_KEY_LEN];
        size_t nk = 0, nf = 0;
        if (mb.idno[0]) {   /* records of other departments on this member's number, named otherwise */
            snprintf(key, sizeof key, "v:%s", mb.idno);
            err = store_block_records(self->store, key, WAKE_MAX, found, WAKE_MAX, &nf);
            for (size_t f = 0; f < nf && na < WAKE_MAX; f++) {
                match_rec_t r;
                match_cmp_t c;
                if (store_match_get(self->store, found[f], &r) != HUB_OK || r.source == 1)
                    continue;
                match_compare(&r, &mb, &c);
                bool theirs = false;
                if (c.level[MF_NAME] != ML_EXACT && c.level[MF_NAME] != ML_PINYIN && c.level[MF_NAME] != ML_TRANSPOSE
                    && (err = s_number_is_housemates(self, &r, &theirs)) == HUB_OK && theirs)
                    again[na++] = found[f];   /* a housemate's number, seen now */
            }
            nf = 0;
        }
        if (mb.idno[0])
            snprintf(keys[nk++], MATCH_KEY_LEN, MATCH_KEY_BY_NUMBER "%s", mb.idno);
        if ((mb.flags & MATCH_F_HEAD) && mb.pinyin[0])
            snprintf(keys[nk++], MATCH_KEY_LEN, MATCH_KEY_BY_HEAD "%s", mb.pinyin);
        /* her family-planning record, by her number or her name and birth date: its children */
        for (int by = 0; by < 2 && err == HUB_OK; by++) {
            if (by == 0 && !mb.idno[0])
                continue;
            if (by == 1 && (!mb.pinyin[0] || !mb.birth[0]))
                continue;
            if (by == 0)
                snprintf(key, sizeof key, MATCH_KEY_WOMAN "%s", mb.idno);
            else
                snprintf(key, sizeof key, MATCH_KEY_WOMAN "%s|%s", mb.pinyin, mb.birth);
            nf = 0;
            err = store_block_records(self->store, key, 2, found, 2, &nf);
            for (size_t f = 0; f < nf && nk < 6; f++) {
                match_rec_t w;
                if (store_match_get(self->store, found[f], &w) == HUB_OK)
                    snprintf(keys[nk++], MATCH_KEY_LEN, MATCH_KEY_BY_WOMAN "%s", w.key);
            }
        }
        for (size_t k = 0; k < nk && err == HUB_OK; k++) {
            nf = 0;
            err = store_block_records(self->store, keys[k], WAKE_MAX, found, WAKE_MAX, &nf);
            for (size_t f = 0; f < nf && nw < WAKE_MAX; f++) {
                bool seen = false;
                for (size_t x = 0; x < nw && !seen; x++)
                    seen = woken[x].v == found[f].v;
                if (!seen)
                    woken[nw++] = found[f];
            }
        }
    }
    /* worked on at the batch's end (resolver_flush) */
    (void)now_ms;
    for (size_t i = 0; i < nw; i++)
        s_pend(&self->woken, &self->nwoken, &self->cap_woken, woken[i]);
    for (size_t i = 0; i < na; i++)
        s_pend(&self->again, &self->nagain, &self->cap_again, again[i]);
    return err;
}

/* The features of a stored record worked out again from its body (what it
** says may read otherwise now that other records are in), then scored and
** clustered again. */
static hub_err_t
s_refeature(resolver_t *self, record_id_t id, int64_t now_ms)
{
    int source;
    char origin[256], idno[64];
    uint8_t *body = NULL;
    size_t len = 0, nl = 0;
    record_card_t card;
    hub_err_t err = store_record_card(self->store, id, &card);
    if (err == HUB_OK)
        err = store_record_body(self->store, id, &source, origin, sizeof origin, &body, &len);
    if (err != HUB_OK)
        return err == HUB_ENOTFOUND ? HUB_OK : err;
    facts_t facts;
    codec_body_facts(body, len, &facts);
    codec_body_idno(body, len, idno, sizeof idno);
    err = resolver_features(self, id, &facts, source, card.key, idno, origin, now_ms);
    facts_fini(&facts);
    free(body);
    if (err == HUB_OK)
        err = s_score(self, id, NULL, 0, &nl);
    return err == HUB_OK ? resolver_recluster(self, id, "auto", now_ms, NULL, NULL) : err;
}

/* A record holding number as its own has come: roster members' rows that
** carry that number (MATCH_KEY_MEMBER_NUMBER) may now be seen to carry
** their head's (s_number_is_heads). */
static hub_err_t
s_wake_members(resolver_t *self, const match_rec_t *owner)
{
    char key[MATCH_KEY_LEN];
    record_id_t found[WAKE_MAX];
    size_t nf = 0;
    snprintf(key, sizeof key, MATCH_KEY_MEMBER_NUMBER "%s", owner->idno);
    hub_err_t err = store_block_records(self->store, key, WAKE_MAX, found, WAKE_MAX, &nf);
    for (size_t i = 0; i < nf && err == HUB_OK; i++) {
        match_rec_t r;   /* only rows whose head is named as the owner */
        if (store_match_get(self->store, found[i], &r) == HUB_OK
            && (norm_pinyin_match(owner->name, r.head) || (owner->former[0] && norm_pinyin_match(owner->former, r.head))))
            s_pend(&self->again, &self->nagain, &self->cap_again, found[i]);
    }
    return err;
}

hub_err_t
resolver_flush(resolver_t *self, int64_t now_ms)
{
    /* scored again (its pairs may rise, or fall: twins now seen), then its
    ** component clustered again; a record on a member's number but named
    ** otherwise, or on its head's, is worked out again from its body */
    size_t nw = s_unique(self->woken, self->nwoken), na = s_unique(self->again, self->nagain);
    hub_err_t err = HUB_OK;
    for (size_t i = 0, j = 0; i < nw && err == HUB_OK; i++) {
        while (j < na && self->again[j].v < self->woken[i].v)
            j++;
        if (j < na && self->again[j].v == self->woken[i].v)
            continue;   /* worked out again below */
        record_id_t id = self->woken[i], mates[2];
        scored_link_t *links = HUB_CHECK_ALLOC(malloc(LINKS_MAX * sizeof *links));
        size_t nl = 0, nm = 0;
        resident_id_t mine, other;
        bool current, again = false;
        if ((err = s_score(self, id, links, LINKS_MAX, &nl)) == HUB_ENOTFOUND) {
            err = HUB_OK;   /* superseded since */
            free(links);
            continue;
        }
        /* clustered again only when it can change: a link to another resident now,
        ** or a resident of several records (a pair in it may have fallen) */
        if (err == HUB_OK && (err = store_record_resident(self->store, id, &mine, &current)) == HUB_OK && mine.v)
            err = store_resident_records(self->store, mine, mates, 2, &nm);
        again = nm > 1 || !mine.v;
        for (size_t l = 0; l < nl && err == HUB_OK && !again; l++)
            if (links[l].score >= self->w.upper
                && (err = store_record_resident(self->store, links[l].other, &other, &current)) == HUB_OK)
                again = other.v != mine.v;
        free(links);
        if (err == HUB_OK && again)
            err = resolver_recluster(self, id, "auto", now_ms, NULL, NULL);
    }
    for (size_t i = 0; i < na && err == HUB_OK; i++)
        err = s_refeature(self, self->again[i], now_ms);
    resolver_discard(self);
    return err;
}

void
resolver_discard(resolver_t *self)
{
    self->nwoken = self->nagain = 0;
}

hub_err_t
resolver_add(resolver_t *self, const rec_t *rec, record_id_t id, const facts_t *facts,
             const store_version_t *version, int64_t now_ms, resident_id_t *resident, bool *created)
{
    hub_err_t err;
    *created = false;
    self->stats.records++;
    if (!version->current) {   /* an older version: it belongs where the current one is */
        *resident = version->other_resident;
        return store_record_assign(self->store, id, *resident);
    }
    if (version->other.v && (err = store_match_drop(self->store, version->other)) != HUB_OK)
        return err;
    char idno[NORM_IDNO_SIZE], typed[NORM_IDNO_SIZE];
    resolve_idno(rec, facts, now_ms, idno, typed, NULL);
    /* a new record: its pairs are the ones scored now */
    scored_link_t *links = HUB_CHECK_ALLOC(malloc(LINKS_MAX * sizeof *links));
    size_t nl = 0;
    match_rec_t mine;
    if ((err = resolver_features(self, id, facts, rec->source, rec->source_key, rec->idno_raw, rec->origin_file, now_ms)) != HUB_OK
        || (err = store_match_get(self->store, id, &mine)) != HUB_OK
        || (err = s_score(self, id, links, LINKS_MAX, &nl)) != HUB_OK) {
        free(links);
        return err;
    }
    if (!mine.idno[0])   /* a number the features found to be someone else's */
        idno[0] = 0;

    /* A new version starts where its key was: the department says it is
    ** the same record. Then: the residents it links to. */
    resident_id_t one = version->other.v ? version->other_resident : (resident_id_t){0};
    if (one.v && (err = store_record_assign(self->store, id, one)) != HUB_OK) {
        free(links);
        return err;
    }
    bool several = false;
    for (size_t i = 0; i < nl && err == HUB_OK; i++) {
        resident_id_t r;
        bool current;
        if (links[i].score < self->w.upper)
            continue;
        if ((err = store_record_resident(self->store, links[i].other, &r, &current)) != HUB_OK || !r.v)
            continue;
        if (one.v && one.v != r.v)
            several = true;
        one = r;
    }
    if (err != HUB_OK) {
        free(links);
        return err;
    }
    bool conflict = false;
    if (one.v && !several && idno[0]) {   /* does it bring a second number into the resident? */
        record_id_t recs[COMPONENT_MAX];
        size_t nr = 0;
        err = store_resident_records(self->store, one, recs, COMPONENT_MAX, &nr);
        for (size_t i = 0; i < nr && err == HUB_OK && !conflict; i++) {
            match_rec_t o;
            if (recs[i].v != id.v && store_match_get(self->store, recs[i], &o) == HUB_OK)
                conflict = o.idno[0] && strcmp(o.idno, idno) != 0;
        }
    }
    if (err != HUB_OK) {
        free(links);
        return err;
    }
    /* a record without other versions is moved by its id alone */
    hub_err_t (*assign)(store_t *, record_id_t, resident_id_t) =
        version->other.v ? store_record_assign : store_record_assign_one;
    if (!one.v) {
        err = store_resident_new(self->store, idno[0] ? idno : NULL, now_ms, resident);
        if (err == HUB_OK)
            err = assign(self->store, id, *resident);
        *created = true;
        self->stats.new_residents++;
    } else if (!several && !conflict) {
        *resident = one;
        err = assign(self->store, id, one);
        if (err == HUB_OK && idno[0])
            err = store_resident_refresh(self->store, one, now_ms);
        self->stats.joined++;
    } else {
        err = resolver_recluster(self, id, "auto", now_ms, NULL, NULL);
        bool current;
        if (err == HUB_OK)
            err = store_record_resident(self->store, id, resident, &current);
    }
    if (err == HUB_OK)
        err = s_reviews(self, id, links, nl, *resident, now_ms);
    if (err == HUB_OK && rec->source == 1 && self->dependents)
        err = s_wake_relatives(self, id, now_ms);
    if (err == HUB_OK && self->dependents && mine.idno[0] && !(rec->source == 4 && match_roster_member(&mine)))
        err = s_wake_members(self, &mine);
    free(links);
    return err;
}
