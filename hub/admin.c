/* admin.c: operators' work on resolution (see admin.h). */
#define _POSIX_C_SOURCE 200809L
#include "admin.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "audit.h"
#include "codec.h"
#include "estimate.h"
#include "facts.h"
#include "log.h"

#define LIST_MAX 200

struct admin {
    store_t *store;
    resolver_t *resolver;
    ingest_t *ingest;          /* quarantine replay */
    auth_t *auth;
    audit_t *audit;
};

typedef struct {
    char *s;
    size_t len, cap;
} text_t;

static void
s_say(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
s_say(text_t *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if (t->s && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        t->cap = (t->cap + (size_t)n + 1) * 2;
        t->s = HUB_CHECK_ALLOC(realloc(t->s, t->cap));
        t->s[t->len] = 0;
    }
}

static const char *
s_dept(int d)
{
    static const char *names[] = {"?", "police", "familyplanning", "labour", "civilaffairs"};
    return d > 0 && d < 5 ? names[d] : names[0];
}

admin_t *
admin_new(store_t *writer, ingest_t *ingest, auth_t *auth, audit_t *audit)
{
    admin_t *self = HUB_CHECK_ALLOC(calloc(1, sizeof *self));
    self->audit = audit;
    self->store = writer;
    self->ingest = ingest;
    self->resolver = ingest_resolver(ingest);
    self->auth = auth;
    return self;
}

void
admin_destroy(admin_t **self_p)
{
    free(*self_p);
    *self_p = NULL;
}

/* ---- review ---- */

static hub_err_t
s_review_list(admin_t *self, int64_t limit, text_t *t)
{
    review_row_t *rows = HUB_CHECK_ALLOC(calloc(LIST_MAX, sizeof *rows));
    size_t n = 0;
    hub_err_t err = store_reviews(self->store, "open", limit > 0 && limit < LIST_MAX ? (size_t)limit : LIST_MAX,
                                  rows, &n);
    if (err == HUB_OK && n == 0)
        s_say(t, "no open review items\n");
    for (size_t i = 0; i < n && err == HUB_OK; i++) {
        record_card_t a, b;
        if ((err = store_record_card(self->store, rows[i].a, &a)) != HUB_OK
            || (err = store_record_card(self->store, rows[i].b, &b)) != HUB_OK)
            break;
        s_say(t, "#%lld  score %.1f  %s record %lld (resident %lld) ~ %s record %lld (resident %lld)\n    %s\n",
              (long long)rows[i].id, rows[i].score, s_dept(a.source), (long long)a.id.v, (long long)a.resident.v,
              s_dept(b.source), (long long)b.id.v, (long long)b.resident.v, rows[i].evidence);
    }
    free(rows);
    return err;
}

static void
s_card_line(text_t *t, const char *label, const char *a, const char *b)
{
    s_say(t, "  %-14s %-34s %s%s\n", label, a[0] ? a : "-", b[0] ? b : "-",
          a[0] && b[0] && strcmp(a, b) != 0 ? "   <- differ" : "");
}

static hub_err_t
s_review_show(admin_t *self, int64_t id, text_t *t)
{
    review_row_t r;
    record_card_t a, b;
    hub_err_t err = store_review_get(self->store, id, &r);
    if (err == HUB_OK)
        err = store_record_card(self->store, r.a, &a);
    if (err == HUB_OK)
        err = store_record_card(self->store, r.b, &b);
    if (err != HUB_OK) {
        s_say(t, "no review item #%lld\n", (long long)id);
        return err;
    }
    char sa[64], sb[64], ra[64], rb[64], oa[200], ob[200];
    s_say(t, "review item #%lld (%s), score %.1f\n  evidence: %s\n", (long long)r.id, r.status, r.score, r.evidence);
    snprintf(sa, sizeof sa, "%s %lld", s_dept(a.source), (long long)a.id.v);
    snprintf(sb, sizeof sb, "%s %lld", s_dept(b.source), (long long)b.id.v);
    snprintf(ra, sizeof ra, "%lld", (long long)a.resident.v);
    snprintf(rb, sizeof rb, "%lld", (long long)b.resident.v);
    snprintf(oa, sizeof oa, "%s row %u", a.origin_file, a.origin_row);
    snprintf(ob, sizeof ob, "%s row %u", b.origin_file, b.origin_row);
    s_card_line(t, "record", sa, sb);
    s_card_line(t, "resident", ra, rb);
    s_card_line(t, "key", a.key, b.key);
    s_card_line(t, "origin", oa, ob);
    s_card_line(t, "idno", a.idno, b.idno);
    s_card_line(t, "name", a.name, b.name);
    s_card_line(t, "gender", a.gender, b.gender);
    s_card_line(t, "birth", a.birth, b.birth);
    s_card_line(t, "community", a.community, b.community);
    s_card_line(t, "address", a.address, b.address);
    s_card_line(t, "phone", a.phone, b.phone);
    return HUB_OK;
}

static hub_err_t
s_review_decide(admin_t *self, const char *by, const char *decision, int64_t id, int64_t now_ms, text_t *t)
{
    review_row_t r;
    hub_err_t err = store_review_get(self->store, id, &r);
    if (err != HUB_OK) {
        s_say(t, "no review item #%lld\n", (long long)id);
        return err;
    }
    if (strcmp(decision, "link") == 0) {
        char evidence[128];
        snprintf(evidence, sizeof evidence, "linked by %s (review #%lld)", by, (long long)id);
        err = store_cannot_link_del(self->store, r.a, r.b);
        if (err == HUB_OK)
            err = store_link_put(self->store, r.a, r.b, 1000, evidence);
    } else if (strcmp(decision, "split") == 0) {
        err = store_cannot_link_put(self->store, r.a, r.b);
    }
    if (err == HUB_OK && strcmp(decision, "dismiss") != 0)
        err = resolver_recluster(self->resolver, r.a, by, now_ms, NULL, NULL);
    static const char *status[][2] = {{"link", "linked"}, {"split", "split"}, {"dismiss", "dismissed"}};
    for (size_t k = 0; k < 3 && err == HUB_OK; k++)
        if (strcmp(decision, status[k][0]) == 0)
            err = store_review_decide(self->store, id, status[k][1], by, now_ms);
    resident_id_t ra, rb;
    bool cur;
    if (err == HUB_OK && (err = store_record_resident(self->store, r.a, &ra, &cur)) == HUB_OK
        && (err = store_record_resident(self->store, r.b, &rb, &cur)) == HUB_OK) {
        if (ra.v == rb.v)
            s_say(t, "review item #%lld %s by %s: records %lld and %lld are now in resident %lld\n", (long long)id,
                  decision, by, (long long)r.a.v, (long long)r.b.v, (long long)ra.v);
        else
            s_say(t, "review item #%lld %s by %s: records %lld and %lld are in residents %lld and %lld\n",
                  (long long)id, decision, by, (long long)r.a.v, (long long)r.b.v, (long long)ra.v, (long long)rb.v);
    }
    size_t settled = 0;   /* items this decision answered too */
    if (err == HUB_OK && (err = store_reviews_settle(self->store, now_ms, &settled)) == HUB_OK && settled)
        s_say(t, "%zu other review item%s now in one resident: settled\n", settled, settled == 1 ? "" : "s");
    log_notice("HUB-REVIEW-DECIDED", LOG_I("review", id), LOG_S("decision", decision), LOG_S("by", by),
               LOG_I("settled", (int64_t)settled));
    return err;
}

/* ---- history ---- */

static hub_err_t
s_events(admin_t *self, int64_t resident, int64_t limit, text_t *t)
{
    event_row_t *rows = HUB_CHECK_ALLOC(calloc(LIST_MAX, sizeof *rows));
    size_t n = 0;
    hub_err_t err = store_events(self->store, (resident_id_t){resident},
                                 limit > 0 && limit < LIST_MAX ? (size_t)limit : LIST_MAX, rows, &n);
    if (err == HUB_OK && n == 0)
        s_say(t, "no merges or splits recorded%s\n", resident ? " for this resident" : "");
    for (size_t i = 0; i < n; i++)
        s_say(t, "event %lld: %s of resident %lld and %lld by %s, score %.1f, records %s%s\n    evidence: %s\n",
              (long long)rows[i].id, rows[i].kind, (long long)rows[i].resident.v, (long long)rows[i].other.v,
              rows[i].decided_by, rows[i].score, rows[i].records, rows[i].undone_by ? " (undone)" : "",
              rows[i].evidence);
    free(rows);
    return err;
}

/* Put a merge or split back as it was, and make the person's decision stick. */
static hub_err_t
s_undo(admin_t *self, const char *by, int64_t id, int64_t now_ms, text_t *t)
{
    event_row_t e;
    hub_err_t err = store_event_get(self->store, id, &e);
    if (err != HUB_OK) {
        s_say(t, "no event %lld\n", (long long)id);
        return err;
    }
    if (e.undone_by || strcmp(e.kind, "undo") == 0) {
        s_say(t, "event %lld is %s\n", (long long)id, e.undone_by ? "undone already" : "itself an undo");
        return HUB_EINVAL;
    }
    bool merge = strcmp(e.kind, "merge") == 0;
    /* merge: records went from other (now an alias) to resident; split: from resident to other */
    resident_id_t back = merge ? e.other : e.resident, from = merge ? e.resident : e.other;
    record_id_t moved[512], stay[512];
    size_t nm = 0, ns = 0;
    for (char *save = NULL, *tok = strtok_r(e.records, ",", &save); tok && nm < 512; tok = strtok_r(NULL, ",", &save))
        moved[nm++].v = atoll(tok);
    for (size_t i = 0; i < nm && err == HUB_OK; i++)
        err = store_record_assign(self->store, moved[i], back);
    if (err == HUB_OK)
        err = store_resident_records(self->store, from, stay, 512, &ns);
    /* the person's decision: never again (merge undone), or together (split undone) */
    for (size_t i = 0; i < nm && err == HUB_OK; i++)
        for (size_t k = 0; k < ns && err == HUB_OK; k++) {
            if (merge) {
                err = store_cannot_link_put(self->store, moved[i], stay[k]);
            } else {
                char evidence[96];
                snprintf(evidence, sizeof evidence, "linked by %s (undo of event %lld)", by, (long long)id);
                err = store_cannot_link_del(self->store, moved[i], stay[k]);
                if (err == HUB_OK && k == 0)
                    err = store_link_put(self->store, moved[i], stay[k], 1000, evidence);
            }
        }
    if (err == HUB_OK)
        err = store_resident_refresh(self->store, back, now_ms);
    if (err == HUB_OK)
        err = store_resident_refresh(self->store, from, now_ms);
    char records[1024];
    size_t len = 0;
    records[0] = 0;
    for (size_t i = 0; i < nm && len < sizeof records - 24; i++)
        len += (size_t)snprintf(records + len, sizeof records - len, "%s%lld", i ? "," : "", (long long)moved[i].v);
    resolution_event_t u = {.at_ms = now_ms, .kind = "undo", .decided_by = by, .resident = from, .other = back,
                            .evidence = merge ? "merge undone" : "split undone", .records = records};
    int64_t undo_id = 0;
    if (err == HUB_OK)
        err = store_event_put(self->store, &u, &undo_id);
    if (err == HUB_OK)
        err = store_event_undone(self->store, id, undo_id);
    if (err == HUB_OK) {
        s_say(t, "event %lld undone by %s: %zu record%s back in resident %lld; %s\n", (long long)id, by, nm,
              nm == 1 ? "" : "s", (long long)back.v,
              merge ? "they will not be merged again automatically" : "they stay together");
        log_notice("HUB-UNDO", LOG_I("event", id), LOG_S("kind", e.kind), LOG_S("by", by), LOG_I("records", nm));
    }
    return err;
}

/* ---- rematch ---- */

static hub_err_t
s_rematch(admin_t *self, const char *by, int64_t now_ms, text_t *t)
{
    /* before: who was where */
    size_t cap = 1024, n = 0;
    record_id_t *ids = HUB_CHECK_ALLOC(malloc(cap * sizeof *ids));
    resident_id_t *before = NULL;
    hub_err_t err = HUB_OK;
    for (record_id_t after = {0};;) {
        record_id_t chunk[1000];
        size_t got = 0;
        if ((err = store_person_records(self->store, after, 1000, chunk, &got)) != HUB_OK || got == 0)
            break;
        if (n + got > cap) {
            cap = (n + got) * 2;
            ids = HUB_CHECK_ALLOC(realloc(ids, cap * sizeof *ids));
        }
        memcpy(ids + n, chunk, got * sizeof *chunk);
        n += got;
        after = chunk[got - 1];
    }
    before = HUB_CHECK_ALLOC(calloc(n ? n : 1, sizeof *before));
    resolve_stats_t s0, s1;
    resolver_stats(self->resolver, &s0);
    if (err == HUB_OK)
        err = store_match_clear(self->store);
    for (size_t i = 0; i < n && err == HUB_OK; i++) {   /* features again, from the records as received */
        int source;
        char origin[256], idno[64];
        uint8_t *body = NULL;
        size_t len = 0;
        bool cur;
        record_card_t card;
        if ((err = store_record_resident(self->store, ids[i], &before[i], &cur)) != HUB_OK
            || (err = store_record_card(self->store, ids[i], &card)) != HUB_OK
            || (err = store_record_body(self->store, ids[i], &source, origin, sizeof origin, &body, &len)) != HUB_OK)
            break;
        facts_t facts;
        codec_body_facts(body, len, &facts);
        codec_body_idno(body, len, idno, sizeof idno);
        err = resolver_features(self->resolver, ids[i], &facts, source, card.key, idno, origin, now_ms);
        facts_fini(&facts);
        free(body);
    }
    for (size_t i = 0; i < n && err == HUB_OK; i++)
        err = resolver_score(self->resolver, ids[i]);
    /* every component clustered again, once */
    record_id_t *seen = HUB_CHECK_ALLOC(calloc(512, sizeof *seen));
    uint8_t *done = HUB_CHECK_ALLOC(calloc(n ? n : 1, 1));
    for (size_t i = 0; i < n && err == HUB_OK; i++) {
        if (done[i])
            continue;
        size_t nseen = 0;
        err = resolver_recluster(self->resolver, ids[i], by, now_ms, seen, &nseen);
        for (size_t k = 0; k < nseen; k++) {
            size_t lo = 0, hi = n;   /* ids are ascending */
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (ids[mid].v < seen[k].v)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < n && ids[lo].v == seen[k].v)
                done[lo] = 1;
        }
    }
    size_t changed = 0;
    for (size_t i = 0; i < n && err == HUB_OK; i++) {
        resident_id_t now;
        bool cur;
        if ((err = store_record_resident(self->store, ids[i], &now, &cur)) == HUB_OK && now.v != before[i].v)
            changed++;
    }
    resolver_stats(self->resolver, &s1);
    if (err == HUB_OK) {
        s_say(t, "rematched %zu records: %zu moved to another resident, %ld merges, %ld splits\n", n, changed,
              s1.merges - s0.merges, s1.splits - s0.splits);
        log_notice("HUB-REMATCH", LOG_I("records", n), LOG_I("moved", changed), LOG_I("merges", s1.merges - s0.merges),
                   LOG_I("splits", s1.splits - s0.splits), LOG_S("by", by));
    }
    free(done);
    free(seen);
    free(before);
    free(ids);
    return err;
}

/* ---- estimate ---- */

#define EST_MAX_PAIRS 200000
#define EST_RANDOMS 50000
#define EST_BLOCK_MAX 50   /* larger blocks say little and cost much */

/* Splink's way around blocked pairs agreeing by construction: one EM
** session per kind of blocking key, in which the fields that key is made of
** count as missing; each field's m comes from the sessions not blocked on it. */
enum { SESSION_NUMBER, SESSION_NAME, SESSION_PHONE, NSESSIONS };
static const char *s_session_names[NSESSIONS] = {"identity number", "name", "phone"};

static int
s_session_of(const char *key)
{
    return key[0] == 'v' || key[0] == 'i' ? SESSION_NUMBER : key[0] == 't' ? SESSION_PHONE : SESSION_NAME;
}

static bool
s_session_masks(int session, int field)
{
    switch (session) {
    case SESSION_NUMBER: return field == MF_IDNO;
    case SESSION_PHONE: return field == MF_PHONE;
    default: return field == MF_NAME || field == MF_BIRTH || field == MF_COMMUNITY || field == MF_HOUSEHOLD;
    }
}

typedef struct {
    match_rec_t *recs;
    size_t n, cap;
    match_cmp_t *pairs;
    size_t npairs;
    match_cmp_t *spairs[NSESSIONS];
    size_t nspairs[NSESSIONS];
    char key[MATCH_KEY_LEN];
    size_t block[EST_BLOCK_MAX];   /* indexes of the records under the current key */
    size_t nblock;
    bool overflow;
} est_ctx_t;

static void
s_est_feature(void *ctx, record_id_t id, const match_rec_t *m)
{
    est_ctx_t *e = ctx;
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 4096;
        e->recs = HUB_CHECK_ALLOC(realloc(e->recs, e->cap * sizeof *e->recs));
    }
    e->recs[e->n] = *m;
    e->recs[e->n++].record = id;
}

/* One blocking key of one record (est_key_t), ordered by key then record. */
typedef struct {
    char *key;
    size_t rec;
} est_key_t;

static int
s_cmp_est_keys(const void *x, const void *y)
{
    const est_key_t *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    return c ? c : (a->rec > b->rec) - (a->rec < b->rec);
}

/* The pairs of one block, compared, into its session with the key's own fields masked. */
static void
s_est_flush(est_ctx_t *e)
{
    int s = s_session_of(e->key);
    for (size_t i = 0; i < e->nblock && !e->overflow; i++)
        for (size_t j = i + 1; j < e->nblock; j++) {
            if (e->nspairs[s] == EST_MAX_PAIRS) {
                e->overflow = true;
                break;
            }
            match_cmp_t *c = &e->spairs[s][e->nspairs[s]++];
            match_compare(&e->recs[e->block[i]], &e->recs[e->block[j]], c);
            for (int f = 0; f < MF_COUNT; f++)
                if (s_session_masks(s, f))
                    c->level[f] = ML_MISSING;
            e->npairs++;
        }
    e->nblock = 0;
}

/* Every record's blocking keys, grouped by key: the pairs of each block
** (the keys are held by the writer in memory only, so they are made again
** here from the features, in record order as the features come). */
static void
s_est_blocks(est_ctx_t *e)
{
    size_t n = 0, cap = e->n * 4 + 1;
    est_key_t *all = HUB_CHECK_ALLOC(malloc(cap * sizeof *all));
    for (size_t i = 0; i < e->n; i++) {
        match_key_t keys[MATCH_MAX_KEYS];
        size_t nkeys = match_blocking_keys(&e->recs[i], keys);
        for (size_t k = 0; k < nkeys; k++) {
            if (n == cap)
                all = HUB_CHECK_ALLOC(realloc(all, (cap *= 2) * sizeof *all));
            all[n++] = (est_key_t){.key = HUB_CHECK_ALLOC(strdup(keys[k])), .rec = i};
        }
    }
    qsort(all, n, sizeof *all, s_cmp_est_keys);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(all[i].key, e->key) != 0) {
            s_est_flush(e);
            snprintf(e->key, sizeof e->key, "%s", all[i].key);
        }
        if (e->nblock < EST_BLOCK_MAX && (e->nblock == 0 || e->block[e->nblock - 1] != all[i].rec))
            e->block[e->nblock++] = all[i].rec;
    }
    for (size_t i = 0; i < n; i++)
        free(all[i].key);
    free(all);
}

static hub_err_t
s_estimate(admin_t *self, text_t *t)
{
    est_ctx_t e = {0};
    for (int s = 0; s < NSESSIONS; s++)
        e.spairs[s] = HUB_CHECK_ALLOC(malloc(EST_MAX_PAIRS * sizeof *e.spairs[s]));
    hub_err_t err = store_each_feature(self->store, s_est_feature, &e);
    if (err == HUB_OK)
        s_est_blocks(&e);
    s_est_flush(&e);
    /* random pairs from a fixed seed: the same data gives the same estimate */
    size_t nrandoms = e.n > 1 ? EST_RANDOMS : 0;
    match_cmp_t *randoms = HUB_CHECK_ALLOC(malloc((nrandoms ? nrandoms : 1) * sizeof *randoms));
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (size_t k = 0; k < nrandoms; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t a = (size_t)(x % e.n);
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t b = (size_t)(x % e.n);
        if (a == b)
            b = (b + 1) % e.n;
        match_compare(&e.recs[a], &e.recs[b], &randoms[k]);
    }
    if (err == HUB_OK) {
        estimate_t sess[NSESSIONS], est;
        for (int s = 0; s < NSESSIONS; s++) {
            estimate_run(e.spairs[s], e.nspairs[s], randoms, nrandoms, resolver_weights(self->resolver), &sess[s]);
            s_say(t, "# session blocked on %s: %zu pairs, share matching %.3f, %d iterations%s\n",
                  s_session_names[s], e.nspairs[s], sess[s].lambda, sess[s].iterations,
                  sess[s].converged ? "" : " (not converged)");
        }
        /* each field's m: the mean of the sessions not blocked on it, weighted by pairs with a value */
        est = sess[SESSION_NAME];
        est.pairs = e.npairs;
        for (int f = 0; f < MF_COUNT; f++) {
            double total = 0;
            double m[ML_COUNT] = {0};
            for (int s = 0; s < NSESSIONS; s++) {
                if (s_session_masks(s, f) || sess[s].field_pairs[f] == 0)
                    continue;
                total += (double)sess[s].field_pairs[f];
                for (int l = 0; l < ML_COUNT; l++)
                    m[l] += sess[s].m[f][l] * (double)sess[s].field_pairs[f];
            }
            est.field_pairs[f] = (size_t)total;
            for (int l = 0; l < ML_COUNT && total > 0; l++) {
                est.m[f][l] = m[l] / total;
                est.seen[f][l] = est.seen[f][l] || est.m[f][l] > 0;
                if (est.seen[f][l] && est.m[f][l] > 0 && est.u[f][l] > 0)
                    est.weights.w[f][l] = log2(est.m[f][l] / est.u[f][l]);
            }
        }
        /* thresholds: the most cautious session's */
        for (int s = 0; s < NSESSIONS; s++)
            if (sess[s].iterations && sess[s].weights.upper > est.weights.upper) {
                est.weights.upper = sess[s].weights.upper;
                est.weights.lower = sess[s].weights.lower;
                est.lambda = sess[s].lambda;
            }
        if (est.lambda > 0.99) {   /* thresholds from a prior that says "all match" mean nothing */
            est.weights.upper = resolver_weights(self->resolver)->upper;
            est.weights.lower = resolver_weights(self->resolver)->lower;
            s_say(t, "# the blocked pairs are nearly all matches (share %.4f): the thresholds cannot be\n"
                     "# estimated from them, so the configured ones are shown; judge them with make eval\n",
                  est.lambda);
        }
        size_t need = estimate_report(&est, NULL, 0) + 1;
        char *buf = HUB_CHECK_ALLOC(malloc(need));
        estimate_report(&est, buf, need);
        s_say(t, "# estimated from %zu records: %zu pairs under blocking keys%s, %zu random pairs\n", e.n,
              e.npairs, e.overflow ? " (capped)" : "", nrandoms);
        s_say(t, "%s", buf);
        free(buf);
        log_notice("HUB-ESTIMATE", LOG_I("records", e.n), LOG_I("pairs", e.npairs), LOG_R("lambda", est.lambda),
                   LOG_I("iterations", est.iterations));
    }
    free(randoms);
    for (int s = 0; s < NSESSIONS; s++)
        free(e.spairs[s]);
    free(e.recs);
    return err;
}

hub_err_t
admin_upgrade(admin_t *self, int64_t now_ms)
{
    int64_t n = 0;
    hub_err_t err = store_unmatched(self->store, &n);
    if (err != HUB_OK || n == 0)
        return err;
    log_notice("HUB-REMATCH-UPGRADE", LOG_I("records_without_features", n));
    char *report = NULL;
    query_t q = {.kind = QUERY_ADMIN, .command = "rematch"};
    err = admin_run(self, "upgrade", &q, now_ms, &report);
    free(report);
    return err;
}

/* ---- the cross-department checks ---- */

/* A time in ms since the epoch as 2026-11-27T13:52:48Z. */
static void
s_when(int64_t ms, char out[32])
{
    time_t sec = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
s_alert_line(void *ctx, const alert_row_t *a)
{
    text_t *t = ctx;
    char when[32];
    s_when(a->opened_ms, when);
    s_say(t, "%lld\t%s\t%s\t%s\t%lld\t%s\t%s\t%s", (long long)a->id, a->status, a->rule, a->severity,
          (long long)a->resident.v, a->community, when, a->evidence);
    if (!strcmp(a->status, "closed"))
        s_say(t, "\tclosed by %s: %s", a->closed_by, a->note);
    s_say(t, "\n");
}

/* alerts: filter "rule=R,community=C,status=S" (each optional). */
static hub_err_t
s_alerts_list(admin_t *self, const char *filter, int64_t limit, text_t *t)
{
    char rule[64] = "", community[16] = "", status[16] = "", buf[256];
    snprintf(buf, sizeof buf, "%s", filter ? filter : "");
    for (char *save = NULL, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        if (!strncmp(kv, "rule=", 5) && rule_find(kv + 5))
            snprintf(rule, sizeof rule, "%s", kv + 5);
        else if (!strncmp(kv, "community=", 10))
            snprintf(community, sizeof community, "%s", kv + 10);
        else if (!strcmp(kv, "status=open") || !strcmp(kv, "status=closed"))
            snprintf(status, sizeof status, "%s", kv + 7);
        else {
            s_say(t, "filters: rule=ID (");
            for (size_t i = 0; i < rules_count; i++)
                s_say(t, "%s%s", i ? ", " : "", rules[i].id);
            s_say(t, "), community=CODE, status=open|closed\n");
            return HUB_EINVAL;
        }
    }
    hub_err_t err = store_alerts(self->store, rule, community, status, limit > 0 ? (size_t)limit : 1000,
                                 s_alert_line, t);
    if (err == HUB_OK && !t->len)
        s_say(t, "no alerts\n");
    return err;
}

static void
s_alert_count(void *ctx, const char *rule, int64_t open)
{
    s_say(ctx, "  %-28s %lld open\n", rule, (long long)open);
}

/* alerts check: every resident looked at again now. */
static hub_err_t
s_alerts_check(admin_t *self, int64_t now_ms, text_t *t)
{
    size_t looked = 0, opened = 0, total = 0, new_alerts = 0;
    hub_err_t err = store_rules_dirty_all(self->store);
    do {
        if (err == HUB_OK)
            err = alerts_run(self->store, 1000, now_ms, &looked, &opened);
        total += looked;
        new_alerts += opened;
    } while (err == HUB_OK && looked);
    if (err != HUB_OK)
        return err;
    s_say(t, "looked at %zu residents: %zu new alerts\nopen alerts by rule:\n", total, new_alerts);
    return store_alert_counts(self->store, s_alert_count, t);
}

/* ---- principals and the audit log ---- */

static void
s_audit_line(void *ctx, const audit_row_t *a)
{
    text_t *t = ctx;
    char when[32];
    s_when(a->at_ms, when);
    s_say(t, "%lld  %s  %s (%s)  %s  purpose: %s  -> %s\n", (long long)a->id, when, a->principal, a->role, a->kind,
          a->purpose, a->outcome);
}

static void
s_quarantine_line(void *ctx, const quarantine_row_t *q)
{
    text_t *t = ctx;
    char when[32], what[48];
    s_when(q->received_ms, when);
    if (q->record_index < 0)
        snprintf(what, sizeof what, "whole message");
    else
        snprintf(what, sizeof what, "record %d of batch %lld", q->record_index, (long long)q->batch_seq);
    s_say(t, "%lld  %s  from %s  %s  %s (%lld bytes): %s", (long long)q->id, when, q->sender[0] ? q->sender : "?",
          what, hub_errname(q->reason_code), (long long)q->bytes, q->reason);
    if (strcmp(q->status, "held") != 0)
        s_say(t, "  [%s by %s%s%s]", q->status, q->decided_by, *q->note ? ": " : "", q->note);
    s_say(t, "\n");
}

/* The one entry found by store_quarantine_list (id > 0), copied. */
typedef struct {
    bool found;
    int64_t id, batch_seq, bytes;
    int record_index;
    char sender[64], status[16];
} quarantine_pick_t;

static void
s_quarantine_pick(void *ctx, const quarantine_row_t *q)
{
    quarantine_pick_t *p = ctx;
    *p = (quarantine_pick_t){true, q->id, q->batch_seq, q->bytes, q->record_index, "", ""};
    snprintf(p->sender, sizeof p->sender, "%s", q->sender);
    snprintf(p->status, sizeof p->status, "%s", q->status);
}

/* quarantine-show ID, -replay ID, -drop ID (note: the reason). Replay runs
** the kept bytes through ingest again as from their sender, once the cause
** is fixed (a principal added, a department's mapping corrected). */
static hub_err_t
s_quarantine(admin_t *self, const char *by, const char *what, int64_t id, const char *note, int64_t now_ms,
             text_t *t)
{
    quarantine_pick_t p = {0};
    hub_err_t err = store_quarantine_list(self->store, id, 1, s_quarantine_pick, &p);
    if (err != HUB_OK)
        return err;
    if (!p.found) {
        s_say(t, "no quarantine entry has id %lld\n", (long long)id);
        return HUB_ENOTFOUND;
    }
    if (strcmp(what, "show") == 0) {
        err = store_quarantine_list(self->store, id, 1, s_quarantine_line, t);
        if (err == HUB_OK)
            s_say(t, "%s\n", strcmp(p.status, "held") == 0 ? "held: `hubctl quarantine replay ID` once the cause is "
                                                              "fixed, or `hubctl quarantine drop ID --reason TEXT`"
                                                            : "decided; nothing more to do");
        return err;
    }
    if (strcmp(p.status, "held") != 0) {
        s_say(t, "entry %lld was %s already\n", (long long)id, p.status);
        return HUB_EINVAL;
    }
    if (strcmp(what, "drop") == 0) {
        if (!note || !*note) {
            s_say(t, "say why it is dropped: hubctl quarantine drop ID --reason TEXT\n");
            return HUB_EINVAL;
        }
        err = store_quarantine_decide(self->store, id, "dropped", by, now_ms, note);
        if (err == HUB_OK) {
            log_notice("HUB-QUARANTINE-DROP", LOG_I("entry", id), LOG_S("by", by), LOG_S("reason", note));
            s_say(t, "entry %lld dropped: %s\n", (long long)id, note);
        }
        return err;
    }
    principal_t sender;
    if (!auth_find(self->auth, p.sender, &sender) || sender.kind != ROLE_ADAPTER) {
        s_say(t, "its sender %s is not a listed adapter; add it (hubctl principal add) and replay again\n",
              p.sender[0] ? p.sender : "(unknown)");
        return HUB_EINVAL;
    }
    uint8_t *bytes;
    size_t len;
    if ((err = store_quarantine_bytes(self->store, id, &bytes, &len)) != HUB_OK)
        return err;
    int counts[4] = {0};
    char why[300] = "";
    err = ingest_replay(self->ingest, &sender, id, p.record_index, bytes, len, now_ms, counts, why, sizeof why);
    free(bytes);
    if (err != HUB_OK) {
        s_say(t, "entry %lld would be refused again: %s\n", (long long)id, why[0] ? why : hub_strerror(err));
        return err == HUB_EDB || err == HUB_EBUSY ? err : HUB_EINVAL;
    }
    char done[160];
    snprintf(done, sizeof done, "%d records: %d accepted, %d duplicates, %d rejected", counts[0], counts[1], counts[2],
             counts[3]);
    err = store_quarantine_decide(self->store, id, "replayed", by, now_ms, done);
    if (err == HUB_OK) {
        log_notice("HUB-QUARANTINE-REPLAY", LOG_I("entry", id), LOG_S("by", by), LOG_I("records", counts[0]),
                   LOG_I("accepted", counts[1]), LOG_I("duplicates", counts[2]), LOG_I("rejected", counts[3]));
        s_say(t, "entry %lld replayed: %s\n", (long long)id, done);
    }
    return err;
}

static hub_err_t
s_principals(admin_t *self, const char *by, const query_t *q, text_t *t)
{
    char err_text[300] = "";
    hub_err_t err = HUB_OK;
    if (strcmp(q->command, "principal-list") == 0) {
        char *list = auth_list(self->auth);
        s_say(t, "%s", list);
        free(list);
    } else if (strcmp(q->command, "principal-add") == 0) {
        err = auth_add(self->auth, q->name, q->role, q->public_key, by, err_text, sizeof err_text);
        if (err == HUB_OK)
            s_say(t, "principal %s added as %s; it may connect now\n", q->name, q->role);
    } else if (strcmp(q->command, "principal-revoke") == 0) {
        err = auth_revoke(self->auth, q->name, by, err_text, sizeof err_text);
        if (err == HUB_OK)
            s_say(t, "principal %s revoked; it is refused from now on\n", q->name);
    } else {
        err = HUB_EINVAL;
        snprintf(err_text, sizeof err_text, "unknown command %s", q->command);
    }
    if (err != HUB_OK)
        s_say(t, "%s\n", err_text);
    return err;
}

hub_err_t
admin_run(admin_t *self, const char *by, const query_t *q, int64_t now_ms, char **report)
{
    const char *command = q->command;
    int64_t id = q->resident_id, limit = q->limit;
    text_t t = {0};
    if (strncmp(command, "principal-", 10) == 0) {   /* the principals file, not the registry */
        hub_err_t err = s_principals(self, by, q, &t);
        *report = t.s;
        return err;
    }
    if (strcmp(command, "backup") == 0) {   /* outside a transaction: the copy is one read of its own */
        char why[512] = "";
        int64_t bytes = 0;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        const char *dest = q->name ? q->name : "";
        char audit_dest[4200];
        snprintf(audit_dest, sizeof audit_dest, "%s.audit", dest);
        struct stat sb;
        hub_err_t err = HUB_EINVAL;
        if (*dest == '/' && stat(audit_dest, &sb) == 0)
            snprintf(why, sizeof why, "%.400s exists already; a backup never overwrites a file", audit_dest);
        else if ((err = store_backup(self->store, dest, &bytes, why, sizeof why)) == HUB_OK
                 && (err = audit_backup(self->audit, audit_dest, why, sizeof why)) != HUB_OK)
            unlink(dest);   /* the two files go together */
        clock_gettime(CLOCK_MONOTONIC, &t1);
        int64_t ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        if (err == HUB_OK) {
            log_notice("HUB-BACKUP", LOG_I("bytes", bytes), LOG_I("ms", ms), LOG_S("by", by));
            s_say(&t, "backup written to %s: %lld bytes in %lld ms, checked\naudit log written to %s\n", q->name,
                  (long long)bytes, (long long)ms, audit_dest);
        } else {
            log_warn("HUB-BACKUP-FAIL", LOG_S("reason", why), LOG_S("by", by));
            s_say(&t, "no backup: %s\n", why);
        }
        *report = t.s;
        return err;
    }
    s_say(&t, "%s", "");
    hub_err_t err = store_begin(self->store);
    if (err != HUB_OK) {
        *report = t.s;
        return err;
    }
    if (strcmp(command, "review-list") == 0)
        err = s_review_list(self, limit, &t);
    else if (strcmp(command, "review-show") == 0)
        err = s_review_show(self, id, &t);
    else if (strncmp(command, "review-", 7) == 0
             && (!strcmp(command + 7, "link") || !strcmp(command + 7, "split") || !strcmp(command + 7, "dismiss")))
        err = s_review_decide(self, by, command + 7, id, now_ms, &t);
    else if (strcmp(command, "events") == 0)
        err = s_events(self, id, limit, &t);
    else if (strcmp(command, "undo") == 0)
        err = s_undo(self, by, id, now_ms, &t);
    else if (strcmp(command, "rematch") == 0)
        err = s_rematch(self, by, now_ms, &t);
    else if (strcmp(command, "estimate") == 0)
        err = s_estimate(self, &t);
    else if (strcmp(command, "quarantine") == 0) {
        err = store_quarantine_list(self->store, 0, limit > 0 ? (size_t)limit : 100, s_quarantine_line, &t);
        if (err == HUB_OK && !t.len)
            s_say(&t, "nothing in quarantine\n");
    } else if (strncmp(command, "quarantine-", 11) == 0
               && (!strcmp(command + 11, "show") || !strcmp(command + 11, "replay") || !strcmp(command + 11, "drop"))) {
        err = s_quarantine(self, by, command + 11, id, q->name, now_ms, &t);
    } else if (strcmp(command, "audit") == 0) {
        if (id > 0)
            err = audit_of(self->audit, (resident_id_t){id}, limit > 0 ? (size_t)limit : 200, s_audit_line, &t);
        else
            err = HUB_EINVAL;
        if (err == HUB_EINVAL)
            s_say(&t, "give the resident: hubctl audit --resident ID\n");
        else if (!t.len)
            s_say(&t, "nobody has looked at resident %lld\n", (long long)id);
    } else if (strcmp(command, "alerts") == 0) {
        err = s_alerts_list(self, q->filter, limit, &t);
    } else if (strcmp(command, "alerts-check") == 0) {
        err = s_alerts_check(self, now_ms, &t);
    } else if (strcmp(command, "alert-close") == 0) {
        if (!q->name || !*q->name) {
            s_say(&t, "say why it is closed: hubctl alerts close ID --note TEXT\n");
            err = HUB_EINVAL;
        } else if ((err = store_alert_close(self->store, id, by, q->name, now_ms)) == HUB_ENOTFOUND) {
            s_say(&t, "no open alert %lld\n", (long long)id);
        } else if (err == HUB_OK) {
            s_say(&t, "alert %lld closed\n", (long long)id);
            log_notice("HUB-ALERT-CLOSE", LOG_I("alert", id), LOG_S("by", by));
        }
    } else if (strcmp(command, "audit-verify") == 0) {
        int64_t checked, bad;
        err = audit_verify(self->audit, &checked, &bad);
        if (err == HUB_OK && bad) {
            s_say(&t, "the audit log is broken at entry %lld (of %lld): it was removed or edited\n", (long long)bad,
                  (long long)checked);
            err = HUB_EINVAL;
        } else if (err == HUB_OK) {
            s_say(&t, "the audit log is whole: %lld entries, every hash follows from the one before\n",
                  (long long)checked);
        }
    }
    else {
        s_say(&t, "unknown command `%s`\n", command);
        err = HUB_EINVAL;
    }
    if (err == HUB_OK)
        err = store_commit(self->store);
    if (err != HUB_OK) {
        store_rollback(self->store);
        if (err != HUB_ENOTFOUND && err != HUB_EINVAL)
            s_say(&t, "nothing was changed: %s\n", hub_strerror(err));
    }
    *report = t.s;
    return err;
}
