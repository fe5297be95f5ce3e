#define _POSIX_C_SOURCE 200809L
/* query.c: answers from the registry (see query.h). */
#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "codec.h"
#include "facts.h"
#include "log.h"
#include "golden.h"
#include "report.h"
#include "match.h"
#include "normalize.h"

/* The golden record of a view, by the survivorship rules. */
static int64_t
s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the audit log keeps of one request. */
typedef struct {
    char args[160];
    char residents[1024];      /* ",12,34," */
    char outcome[200];
    hub_err_t err;
} look_t;

static const char *s_may(const principal_t *who, const query_t *q);

/* Cut a text that snprintf cut short back to its last whole UTF-8
** character, so the audit log and the log keep well-formed UTF-8. */
static void
s_utf8_whole(char *s)
{
    size_t n = strlen(s), start = n;
    while (start > 0 && ((unsigned char)s[start - 1] & 0xC0) == 0x80)
        start--;
    if (start == 0)
        return;
    unsigned char lead = (unsigned char)s[start - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (start - 1) < want)
        s[start - 1] = 0;
}

static void
s_refuse(look_t *look, hub_err_t err, const char *why, uint64_t out_seq, uint8_t **frame, size_t *len)
{
    look->err = err;
    snprintf(look->outcome, sizeof look->outcome, "refused: %.180s", why);
    codec_encode_error(err, why, out_seq, frame, len);
}

static hub_err_t
s_golden(store_t *reader, const golden_rules_t *rules, resident_view_t *v)
{
    hub_err_t err = store_observations(reader, v->id, &v->obs, &v->nobs);
    if (err != HUB_OK)
        return err;
    golden_obs_t *obs = HUB_CHECK_ALLOC(calloc(v->nobs ? v->nobs : 1, sizeof *obs));
    for (size_t i = 0; i < v->nobs; i++)
        obs[i] = (golden_obs_t){golden_field_by_name(v->obs[i].field), v->obs[i].value, v->obs[i].source,
                                v->obs[i].record_id, v->obs[i].seen_ms};
    golden_value_t out[GOLDEN_COUNT];
    golden_compute(rules, obs, v->nobs, out);
    v->ngolden = 0;
    for (int f = 0; f < GOLDEN_COUNT && v->ngolden < sizeof v->golden / sizeof v->golden[0]; f++) {
        if (!out[f].chosen)
            continue;
        golden_item_t *g = &v->golden[v->ngolden++];
        g->field = golden_field_name(f);
        g->value = out[f].chosen->value;
        g->source = out[f].chosen->source;
        g->nothers = out[f].nothers;
        for (size_t k = 0; k < out[f].nothers; k++)
            g->others[k] = (golden_alt_t){out[f].others[k]->value, out[f].others[k]->source};
    }
    free(obs);
    return HUB_OK;
}

static bool
s_community_in_scope(const query_ctx_t *ctx, const principal_t *who, const char *community)
{
    if (who->kind == ROLE_COMMITTEE)
        return strcmp(community, who->scope) == 0;
    if (who->kind == ROLE_STREET) {
        const char *street = adp_community_street(ctx->communities, community);
        return street && strcmp(street, who->scope) == 0;
    }
    return true;
}

/* May who see this resident? committee: its community; street: its street
** (the resident's community as store_resident_community places it). */
static bool
s_in_scope(const query_ctx_t *ctx, const principal_t *who, resident_id_t id)
{
    if (who->kind != ROLE_COMMITTEE && who->kind != ROLE_STREET)
        return true;
    char community[32];
    return store_resident_community(ctx->reader, id, community, sizeof community) == HUB_OK
           && s_community_in_scope(ctx, who, community);
}

/* Mask what a reader may not see in full: numbers in the view's own strings. */
static void
s_mask_view(resident_view_t *v)
{
    codec_mask_idno(v->idno);
    for (size_t i = 0; i < v->nrecs; i++) {
        codec_mask_idno(v->recs[i].idno);
        if (v->recs[i].source == 1)   /* the police key is the number */
            codec_mask_idno(v->recs[i].source_key);
    }
    for (size_t i = 0; i < v->nobs; i++)
        if (strcmp(v->obs[i].field, "idno") == 0)
            codec_mask_idno(v->obs[i].value);
}

static void
s_get(const query_ctx_t *ctx, const principal_t *who, const query_t *q, look_t *look, uint64_t out_seq,
      uint8_t **frame, size_t *len)
{
    store_t *reader = ctx->reader;
    resident_id_t ids[QUERY_MAX_RESIDENTS];
    size_t n = 0;
    hub_err_t err = HUB_OK;
    if (q->resident_id) {
        ids[n++].v = q->resident_id;
        snprintf(look->args, sizeof look->args, "resident=%lld", (long long)q->resident_id);
    } else if (q->idno && *q->idno) {
        char idno[NORM_IDNO_SIZE];
        if (norm_idno(q->idno, idno) == NORM_IDNO_VALID)
            err = store_residents_by_number(reader, idno, ids, QUERY_MAX_RESIDENTS, &n);
        if (err == HUB_OK && n == 0)   /* an invalid number is still a department's key */
            err = store_residents_by_key(reader, q->idno, ids, QUERY_MAX_RESIDENTS, &n);
        snprintf(look->args, sizeof look->args, "number=%s", q->idno);
    } else {
        s_refuse(look, HUB_EINVAL, "give an identity number or a resident id", out_seq, frame, len);
        return;
    }
    resident_view_t views[QUERY_MAX_RESIDENTS];
    size_t nv = 0, hidden = 0;
    for (size_t i = 0; i < n && (err == HUB_OK || err == HUB_ENOTFOUND); i++) {
        resident_id_t final;
        err = store_resident_follow(reader, ids[i], &final);   /* an alias answers as its resident */
        if (err == HUB_OK)
            err = store_resident_view(reader, final, &views[nv]);
        if (err == HUB_OK && (err = s_golden(reader, ctx->rules, &views[nv])) == HUB_OK) {
            views[nv].asked.v = final.v != ids[i].v ? ids[i].v : 0;
            if (s_in_scope(ctx, who, views[nv].id)) {
                nv++;
            } else {   /* refused, but on that resident's record of looks */
                size_t l = strlen(look->residents);
                snprintf(look->residents + l, sizeof look->residents - l, "%s%lld,", l ? "" : ",",
                         (long long)views[nv].id.v);
                store_view_free(&views[nv]);
                hidden++;
            }
        }
    }
    view_policy_t policy = {
        .mask_idno = who->kind == ROLE_COMMITTEE || who->kind == ROLE_STREET,
        .sensitive_department = who->kind == ROLE_DEPARTMENT ? who->department : 0,
    };
    if (nv == 0 && hidden)
        s_refuse(look, HUB_EDENIED, who->kind == ROLE_COMMITTEE ? "that resident does not live in your community"
                                                                : "that resident does not live in your street",
                 out_seq, frame, len);
    else if (nv == 0 && (err == HUB_OK || err == HUB_ENOTFOUND))
        s_refuse(look, HUB_ENOTFOUND, "no resident has that identity number or id", out_seq, frame, len);
    else if (err != HUB_OK && err != HUB_ENOTFOUND)
        s_refuse(look, err, hub_strerror(err), out_seq, frame, len);
    else {
        for (size_t i = 0; i < nv; i++) {
            if (policy.mask_idno)
                s_mask_view(&views[i]);
            size_t l = strlen(look->residents);
            snprintf(look->residents + l, sizeof look->residents - l, "%s%lld,", l ? "" : ",",
                     (long long)views[i].id.v);
        }
        codec_encode_residents(views, nv, &policy, out_seq, frame, len);
    }
    for (size_t i = 0; i < nv; i++)
        store_view_free(&views[i]);
}

static void
s_links(store_t *reader, const query_t *q, uint64_t out_seq, uint8_t **frame, size_t *len)
{
    size_t limit = q->limit ? q->limit : QUERY_LINKS_PAGE;
    if (limit > QUERY_LINKS_MAX)
        limit = QUERY_LINKS_MAX;
    link_row_t *rows;
    size_t n;
    hub_err_t err = store_links(reader, q->after, limit, &rows, &n);
    if (err != HUB_OK) {
        codec_encode_error(err, hub_strerror(err), out_seq, frame, len);
        return;
    }
    int64_t next = n ? rows[n - 1].record.v : q->after;
    codec_encode_links(rows, n, next, n < limit, out_seq, frame, len);
    store_links_free(rows, n);
}

static void
s_facilities(store_t *reader, const query_t *q, uint64_t out_seq, uint8_t **frame, size_t *len)
{
    char code[64] = "";
    if (q->community) {
        if (strlen(q->community) < sizeof code)
            norm_key(q->community, code, sizeof code);   /* spaces and full-width digits */
        if (!facts_is_community_code(code)) {
            codec_encode_error(HUB_EINVAL, "give the community as its 12-digit code", out_seq, frame, len);
            return;
        }
    }
    facility_row_t *rows;
    size_t n;
    hub_err_t err = store_facilities(reader, q->community ? code : NULL, QUERY_FACILITIES_MAX + 1, &rows, &n);
    if (err != HUB_OK) {
        codec_encode_error(err, hub_strerror(err), out_seq, frame, len);
        return;
    }
    bool done = n <= QUERY_FACILITIES_MAX;
    codec_encode_facilities(rows, done ? n : QUERY_FACILITIES_MAX, done, out_seq, frame, len);
    store_facilities_free(rows, n);
}

/* ---- search and household ---- */

#define SEARCH_MAX 2000

typedef struct {
    const query_t *q;
    char name[96], pinyin[192], phone[32], address[160];
    bool latin;
    search_hit_t *hits;
    record_id_t *records;
    size_t n;
} search_t;


static void
s_search_one(void *ctx, record_id_t id, const match_rec_t *m)
{
    search_t *s = ctx;
    if (s->n == SEARCH_MAX)
        return;
    const query_t *q = s->q;
    double score = 0;
    char why[160] = "";
#define WHY(text, points)                                                                     \
    do {                                                                                      \
        size_t l_ = strlen(why);                                                              \
        snprintf(why + l_, sizeof why - l_, "%s%s", l_ ? ", " : "", text);                   \
        score += (points);                                                                    \
    } while (0)
    if (q->s_name && *q->s_name) {
        if (!s->latin && strcmp(m->name, s->name) == 0)
            WHY("name", 3);
        else if (s->latin ? strcmp(m->pinyin, s->pinyin) == 0 : norm_pinyin_match(s->name, m->name))
            WHY(s->latin ? "pinyin" : "same pinyin", 2);
        else
            return;
    }
    if (q->s_birth && *q->s_birth) {
        if (strlen(q->s_birth) == 10 && strcmp(m->birth, q->s_birth) == 0)
            WHY("birth date", 2);
        else if (strlen(q->s_birth) == 4 && (strncmp(m->birth, q->s_birth, 4) == 0
                                             || (m->birth_lo && atoi(q->s_birth) >= m->birth_lo
                                                 && atoi(q->s_birth) <= m->birth_hi)))
            WHY("birth year", 1);
        else
            return;
    }
    if (q->s_phone && *q->s_phone) {
        if (s->phone[0] && strcmp(m->phone, s->phone) == 0)
            WHY("phone", 3);
        else
            return;
    }
    if (q->s_address && *q->s_address) {
        if (s->address[0] && strstr(m->address, s->address))
            WHY("address", 1);
        else
            return;
    }
#undef WHY
    search_hit_t *h = &s->hits[s->n];
    memset(h, 0, sizeof *h);
    s->records[s->n++] = id;
    snprintf(h->name, sizeof h->name, "%s", m->name);
    snprintf(h->birth, sizeof h->birth, "%s", m->birth);
    snprintf(h->community, sizeof h->community, "%s", m->community);
    snprintf(h->why, sizeof h->why, "%s", why);
    h->score = score;
}

static int
s_cmp_hits(const void *x, const void *y)
{
    const search_hit_t *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->resident.v < b->resident.v ? -1 : a->resident.v > b->resident.v;
}

/* Hits to residents: in scope, one per resident (its best), ranked; audit list. */
static size_t
s_finish_hits(const query_ctx_t *ctx, const principal_t *who, search_hit_t *hits, size_t n, size_t limit, look_t *look)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!hits[i].resident.v)
            continue;
        resident_id_t final;
        if (store_resident_follow(ctx->reader, hits[i].resident, &final) == HUB_OK)
            hits[i].resident = final;
        char community[sizeof hits[i].community];
        if (store_resident_community(ctx->reader, hits[i].resident, community, sizeof community) == HUB_OK)
            memcpy(hits[i].community, community, sizeof community);
        if (!s_in_scope(ctx, who, hits[i].resident))
            continue;
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            if (hits[j].resident.v == hits[i].resident.v) {
                dup = true;
                if (hits[i].score > hits[j].score)
                    hits[j] = hits[i];
            }
        if (!dup)
            hits[k++] = hits[i];
    }
    qsort(hits, k, sizeof *hits, s_cmp_hits);
    if (k > limit)
        k = limit;
    for (size_t i = 0; i < k; i++) {
        size_t l = strlen(look->residents);
        snprintf(look->residents + l, sizeof look->residents - l, "%s%lld,", l ? "" : ",",
                 (long long)hits[i].resident.v);
    }
    return k;
}

/* The keys of the writer's index that hold every record a search by
** name or phone can find (match_index_keys); 0 when only a look at every
** record will do (birth date or address alone, a name of too many
** readings). */
static size_t
s_search_keys(const query_t *q, const search_t *s, match_key_t keys[MATCH_SOUND_KEYS + 2])
{
    if (q->s_name && *q->s_name) {
        if (s->latin) {
            snprintf(keys[0], MATCH_KEY_LEN, "Y:%s", s->pinyin);
            return s->pinyin[0] ? 1 : 0;
        }
        char sound[MATCH_SOUND_KEYS][NORM_SOUND_KEY];
        bool many;
        size_t n = norm_sound_keys(s->name, sound, MATCH_SOUND_KEYS, &many);
        if (!s->name[0] || many || n == 0)
            return 0;
        for (size_t i = 0; i < n; i++)
            snprintf(keys[i], MATCH_KEY_LEN, "S:%.*s", NORM_SOUND_KEY - 1, sound[i]);
        snprintf(keys[n++], MATCH_KEY_LEN, "S*");   /* names of too many readings, each compared */
        snprintf(keys[n++], MATCH_KEY_LEN, "N:%s", s->name);
        return n;
    }
    if (q->s_phone && *q->s_phone) {
        snprintf(keys[0], MATCH_KEY_LEN, "T:%s", s->phone);
        return 1;
    }
    return 0;
}

/* Every record the search may find, in record order: from the writer's
** index in memory when the search names a name or phone (records of the
** writer's open transaction too: they are dropped when their resident is
** read from the reader's snapshot), else every record. */
static hub_err_t
s_search_scan(const query_ctx_t *ctx, const query_t *q, search_t *s)
{
    match_key_t keys[MATCH_SOUND_KEYS + 2];
    const char *kp[MATCH_SOUND_KEYS + 2];
    size_t nkeys = ctx->writer ? s_search_keys(q, s, keys) : 0;
    for (size_t i = 0; i < nkeys; i++)
        kp[i] = keys[i];
    if (!nkeys || store_index_search(ctx->writer, kp, nkeys, s_search_one, s) != HUB_OK)
        return store_each_feature(ctx->reader, s_search_one, s);
    return HUB_OK;
}

static void
s_search(const query_ctx_t *ctx, const principal_t *who, const query_t *q, look_t *look, uint64_t out_seq,
         uint8_t **frame, size_t *len)
{
    if (!(q->s_name && *q->s_name) && !(q->s_birth && *q->s_birth) && !(q->s_phone && *q->s_phone)
        && !(q->s_address && *q->s_address)) {
        s_refuse(look, HUB_EINVAL, "give a name, a birth date or year, a phone or an address", out_seq, frame, len);
        return;
    }
    search_t s = {.q = q, .latin = true};
    s.hits = HUB_CHECK_ALLOC(calloc(SEARCH_MAX, sizeof *s.hits));
    s.records = HUB_CHECK_ALLOC(calloc(SEARCH_MAX, sizeof *s.records));
    if (q->s_name) {
        for (const unsigned char *c = (const unsigned char *)q->s_name; *c; c++)
            s.latin = s.latin && *c < 0x80;
        if (s.latin) {   /* "Zhang  Wei" -> "zhang wei" */
            size_t k = 0;
            for (const char *c = q->s_name; *c && k + 2 < sizeof s.pinyin; c++) {
                if (*c == ' ' && (k == 0 || s.pinyin[k - 1] == ' '))
                    continue;
                s.pinyin[k++] = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
            }
            while (k && s.pinyin[k - 1] == ' ')
                k--;
            s.pinyin[k] = 0;
        } else {
            norm_name(q->s_name, s.name, sizeof s.name);
        }
    }
    if (q->s_phone)
        norm_phone(q->s_phone, s.phone, sizeof s.phone);
    if (q->s_address)
        norm_address(q->s_address, s.address, sizeof s.address);
    snprintf(look->args, sizeof look->args, "search name=%s birth=%s phone=%s address=%s", q->s_name ? q->s_name : "",
             q->s_birth ? q->s_birth : "", q->s_phone ? q->s_phone : "", q->s_address ? q->s_address : "");
    hub_err_t err = s_search_scan(ctx, q, &s);
    for (size_t i = 0; i < s.n && err == HUB_OK; i++) {
        bool current;
        if (store_record_resident(ctx->reader, s.records[i], &s.hits[i].resident, &current) != HUB_OK || !current)
            s.hits[i].resident.v = 0;
    }
    if (err != HUB_OK) {
        s_refuse(look, err, hub_strerror(err), out_seq, frame, len);
    } else {
        size_t k = s_finish_hits(ctx, who, s.hits, s.n, q->limit ? (q->limit < 200 ? q->limit : 200) : 20, look);
        codec_encode_hits(s.hits, k, out_seq, frame, len);
    }
    free(s.records);
    free(s.hits);
}

static void
s_household(const query_ctx_t *ctx, const principal_t *who, const query_t *q, look_t *look, uint64_t out_seq,
            uint8_t **frame, size_t *len)
{
    char number[64];
    norm_key(q->s_name ? q->s_name : "", number, sizeof number);
    snprintf(look->args, sizeof look->args, "household=%s", number);
    search_hit_t hits[64];
    size_t n = 0;
    hub_err_t err = store_household(ctx->reader, number, hits, 64, &n);
    for (size_t i = 0; i < n; i++)
        hits[i].score = (double)(n - i);   /* keep the order: eldest first */
    size_t k = err == HUB_OK ? s_finish_hits(ctx, who, hits, n, 64, look) : 0;
    if (err != HUB_OK)
        s_refuse(look, err, hub_strerror(err), out_seq, frame, len);
    else if (n && !k)
        s_refuse(look, HUB_EDENIED, "that household does not live in your community", out_seq, frame, len);
    else if (!n)
        s_refuse(look, HUB_ENOTFOUND, "no household has that number", out_seq, frame, len);
    else
        codec_encode_hits(hits, k, out_seq, frame, len);
}

/* ---- a department's records, for its reconciliation ---- */

#define RECORDS_PAGE 5000

typedef struct {
    int64_t *ids;
    uint8_t **bodies;
    size_t *lens;
    size_t n;
} records_t;

static void
s_record_one(void *ctx, int64_t id, const void *body, size_t len)
{
    records_t *r = ctx;
    r->ids[r->n] = id;
    r->bodies[r->n] = HUB_CHECK_ALLOC(malloc(len ? len : 1));
    memcpy(r->bodies[r->n], body, len);
    r->lens[r->n++] = len;
}

static void
s_records(const query_ctx_t *ctx, const query_t *q, look_t *look, uint64_t out_seq, uint8_t **frame, size_t *len)
{
    size_t limit = q->limit && q->limit < RECORDS_PAGE ? q->limit : RECORDS_PAGE;
    snprintf(look->args, sizeof look->args, "records source=%d after=%lld limit=%zu", q->source, (long long)q->after,
             limit);
    records_t r = {
        .ids = HUB_CHECK_ALLOC(calloc(limit, sizeof *r.ids)),
        .bodies = HUB_CHECK_ALLOC(calloc(limit, sizeof *r.bodies)),
        .lens = HUB_CHECK_ALLOC(calloc(limit, sizeof *r.lens)),
    };
    hub_err_t err = store_department_records(ctx->reader, q->source, q->after, limit, s_record_one, &r);
    if (err != HUB_OK)
        s_refuse(look, err, hub_strerror(err), out_seq, frame, len);
    else
        codec_encode_records(r.ids, r.bodies, r.lens, r.n, r.n ? r.ids[r.n - 1] : q->after, r.n < limit, out_seq,
                             frame, len);
    for (size_t i = 0; i < r.n; i++)
        free(r.bodies[i]);
    free(r.ids), free(r.bodies), free(r.lens);
}

/* ---- the change feed ---- */

#define EVENTS_PAGE 500
#define EVENTS_PAGE_MAX 5000
#define EVENTS_SCAN_MAX 20000   /* events read for one answer at most (the query thread serves everyone) */

typedef struct {
    const query_ctx_t *ctx;
    const principal_t *who;
    change_row_t *rows;
    size_t n, cap;
    int64_t to;            /* the last seq considered */
    look_t *look;
} events_t;

/* May who see change c? As its queries: a department every resident and
** its own sensitive fields; a committee its community's residents (a move:
** both communities); a street its communities'; the administrator every
** resident without sensitive fields. */
static bool
s_event_visible(const query_ctx_t *ctx, const principal_t *who, const change_row_t *c)
{
    if (c->sensitive && !(who->kind == ROLE_DEPARTMENT && who->department == c->source))
        return false;
    if (who->kind == ROLE_DEPARTMENT || who->kind == ROLE_ADMIN)
        return true;
    const char *codes[2] = {c->community, !strcmp(c->kind, "community.moved") ? c->old_value : NULL};
    for (int i = 0; i < 2; i++) {
        if (!codes[i] || !*codes[i])
            continue;
        if (who->kind == ROLE_COMMITTEE && !strcmp(codes[i], who->scope))
            return true;
        const char *street = who->kind == ROLE_STREET ? adp_community_street(ctx->communities, codes[i]) : NULL;
        if (street && !strcmp(street, who->scope))
            return true;
    }
    return false;
}

/* Every identity number (18 characters, 17 digits and a check digit) in a
** text masked as codec_mask_idno does. */
static void
s_mask_numbers(char *s)
{
    for (size_t i = 0; s && s[i];) {
        size_t n = 0;
        while (s[i + n] >= '0' && s[i + n] <= '9')
            n++;
        if (n == 17 && (s[i + n] == 'X' || s[i + n] == 'x'))
            n++;
        if (n == 18) {
            char one[19];
            memcpy(one, s + i, 18);
            one[18] = 0;
            codec_mask_idno(one);
            memcpy(s + i, one, 18);
        }
        i += n ? n : 1;
    }
}

static char *
s_dup(const char *s)
{
    return s ? HUB_CHECK_ALLOC(strdup(s)) : NULL;
}

static void
s_event_one(void *arg, const change_row_t *c)
{
    events_t *e = arg;
    e->to = c->seq;
    if (!s_event_visible(e->ctx, e->who, c))
        return;
    if (e->n == e->cap)
        e->rows = HUB_CHECK_ALLOC(realloc(e->rows, (e->cap = e->cap ? e->cap * 2 : 64) * sizeof *e->rows));
    change_row_t *r = &e->rows[e->n++];
    *r = *c;
    r->kind = s_dup(c->kind);
    r->community = s_dup(c->community);
    r->field = s_dup(c->field);
    r->old_value = s_dup(c->old_value);
    r->new_value = s_dup(c->new_value);
    r->source_key = s_dup(c->source_key);
    if (e->who->kind == ROLE_COMMITTEE || e->who->kind == ROLE_STREET) {
        if (r->source == 1 && r->source_key)   /* the police key is the identity number */
            codec_mask_idno((char *)r->source_key);
        s_mask_numbers((char *)r->new_value);   /* an alert's evidence names police records by it */
    }
    if (r->resident.v) {   /* on the audit record: which residents it told of */
        char id[32];
        snprintf(id, sizeof id, "%lld,", (long long)r->resident.v);
        size_t used = strlen(e->look->residents);
        if (used == 0)
            snprintf(e->look->residents, sizeof e->look->residents, ",");
        if (strlen(e->look->residents) + strlen(id) < sizeof e->look->residents)
            strcat(e->look->residents, id);
    }
}

/* Where a request for events starts: after its `after`, else after the
** principal's acknowledged position. */
static int64_t
s_events_after(const query_ctx_t *ctx, const principal_t *who, const query_t *q)
{
    int64_t acked = 0;
    if (q->after >= 0)
        return q->after;
    store_subscription_get(ctx->reader, who->name, &acked);
    return acked;
}

static void
s_events(const query_ctx_t *ctx, const principal_t *who, const query_t *q, look_t *look, uint64_t out_seq,
         uint8_t **frame, size_t *len)
{
    int64_t after = s_events_after(ctx, who, q);
    uint32_t limit = q->limit ? (q->limit < EVENTS_PAGE_MAX ? q->limit : EVENTS_PAGE_MAX) : EVENTS_PAGE;
    snprintf(look->args, sizeof look->args, "events after=%lld limit=%u", (long long)after, limit);
    events_t e = {.ctx = ctx, .who = who, .to = after, .look = look};
    int64_t last = store_change_last(ctx->reader);
    if (after > last) {   /* a registry restored from a backup: its numbers went back */
        char why[200];
        snprintf(why, sizeof why, "your position %lld is beyond the hub's last event %lld (a restored registry?): "
                                  "ask again from %lld or lower", (long long)after, (long long)last, (long long)last);
        s_refuse(look, HUB_EINVAL, why, out_seq, frame, len);
        return;
    }
    hub_err_t err = HUB_OK;
    /* filtered events are skipped, not counted: read on until a page is
    ** full, the feed's end, or EVENTS_SCAN_MAX read (a committee far behind
    ** sees a small share: it asks again from events_to) */
    while (err == HUB_OK && e.n < limit && e.to < last && e.to - after < EVENTS_SCAN_MAX) {
        int64_t from = e.to;
        err = store_changes_after(ctx->reader, from, limit - e.n + (limit - e.n) / 4 + 16, s_event_one, &e);
        if (e.to == from)
            break;
    }
    if (err != HUB_OK)
        s_refuse(look, err, hub_strerror(err), out_seq, frame, len);
    else
        codec_encode_events(e.rows, e.n, after, e.to, last, out_seq, frame, len);
    for (size_t i = 0; i < e.n; i++) {
        change_row_t *r = &e.rows[i];
        free((char *)r->kind), free((char *)r->community), free((char *)r->field);
        free((char *)r->old_value), free((char *)r->new_value), free((char *)r->source_key);
    }
    free(e.rows);
}

bool
query_events_wait(const query_ctx_t *ctx, const principal_t *who, const uint8_t *data, size_t size, int64_t *after,
                  uint32_t *wait_ms)
{
    msg_t m;
    char why[200];
    if (codec_decode(data, size, &m, why, sizeof why) != HUB_OK) {
        codec_msg_fini(&m);
        return false;
    }
    bool waits = m.kind == MSG_QUERY && m.query.kind == QUERY_EVENTS && m.query.wait_ms > 0
                 && m.query.purpose && *m.query.purpose && !s_may(who, &m.query);
    if (waits) {
        *after = s_events_after(ctx, who, &m.query);
        *wait_ms = m.query.wait_ms < 60000 ? m.query.wait_ms : 60000;
        waits = store_change_last(ctx->reader) == *after;   /* (beyond it: refused at once) */
    }
    codec_msg_fini(&m);
    return waits;
}

/* ---- figures of an area ---- */

/* The communities of an area (a code, a street, "" for the reader's whole
** scope) that the reader may see, as ",code,code,"; how many. */
static size_t
s_area_codes(const query_ctx_t *ctx, const principal_t *who, const char *area, char *codes, size_t cap)
{
    size_t n = 0;
    snprintf(codes, cap, ",");
    for (size_t i = 0; i < adp_communities_count(ctx->communities); i++) {
        const char *code = adp_community_code_at(ctx->communities, i);
        const char *street = adp_community_street(ctx->communities, code);
        bool in_area = !*area || strcmp(area, code) == 0 || strcmp(area, street) == 0;
        if (in_area && s_community_in_scope(ctx, who, code)) {
            size_t l = strlen(codes);
            snprintf(codes + l, cap - l, "%s,", code);
            n++;
        }
    }
    return n;
}

static void
s_today(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static bool
s_no_area(look_t *look, const principal_t *who, const char *area, size_t n, uint64_t out_seq, uint8_t **frame,
          size_t *len)
{
    if (n)
        return false;
    s_refuse(look, *area && who->kind != ROLE_COMMITTEE && who->kind != ROLE_STREET ? HUB_ENOTFOUND : HUB_EDENIED,
             *area ? "no community or street of yours has that name or code" : "no area in your scope", out_seq,
             frame, len);
    return true;
}

/* "age=18-60,gender=F,status=正常,category=流动人口,employment=失业,
** entitlement=城市低保[:在保],volunteer,household=N" into f (strings point into buf). */
static bool
s_roster_filter(const char *text, char *buf, size_t cap, roster_filter_t *f, const char **why)
{
    *f = (roster_filter_t){.age_min = -1, .age_max = -1};
    snprintf(buf, cap, "%s", text ? text : "");
    for (char *save = NULL, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *v = strchr(kv, '=');
        if (v)
            *v++ = 0;
        if (!strcmp(kv, "age") && v && sscanf(v, "%d-%d", &f->age_min, &f->age_max) == 2) ;
        else if (!strcmp(kv, "gender") && v && (!strcmp(v, "M") || !strcmp(v, "F"))) f->gender = v;
        else if (!strcmp(kv, "status") && v) f->status = v;
        else if (!strcmp(kv, "category") && v) f->category = v;
        else if (!strcmp(kv, "employment") && v) f->employment = v;
        else if (!strcmp(kv, "household") && v) f->household = v;
        else if (!strcmp(kv, "volunteer") && !v) f->entitlement = "社区志愿者", f->entitlement_status = "在保";
        else if (!strcmp(kv, "entitlement") && v) {
            f->entitlement = v;
            char *colon = strchr(v, ':');
            if (colon) {
                *colon = 0;
                f->entitlement_status = colon + 1;
            }
        } else {
            *why = "filters: age=LO-HI, gender=M|F, status=, category=, employment=, entitlement=CAT[:STATUS], "
                   "volunteer, household=";
            return false;
        }
    }
    return true;
}

#define ROSTER_PAGE 100

static void
s_roster(const query_ctx_t *ctx, const principal_t *who, const query_t *q, look_t *look, uint64_t out_seq,
         uint8_t **frame, size_t *len)
{
    const char *area = q->name ? q->name : "";
    char codes[2048], buf[512], today[11];
    const char *why = NULL;
    roster_filter_t f;
    size_t n = s_area_codes(ctx, who, area, codes, sizeof codes);
    snprintf(look->args, sizeof look->args, "roster area=%s filter=%.100s after=%lld", area,
             q->filter ? q->filter : "", (long long)q->after);
    if (s_no_area(look, who, area, n, out_seq, frame, len))
        return;
    if (!s_roster_filter(q->filter, buf, sizeof buf, &f, &why)) {
        s_refuse(look, HUB_EINVAL, why, out_seq, frame, len);
        return;
    }
    s_today(today);
    search_hit_t *hits = HUB_CHECK_ALLOC(calloc(ROSTER_PAGE, sizeof *hits));
    size_t k = 0;
    hub_err_t err = store_roster(ctx->reader, codes, today, &f, q->after, ROSTER_PAGE, hits, &k);
    if (err != HUB_OK) {
        s_refuse(look, err, hub_strerror(err), out_seq, frame, len);
    } else {
        for (size_t i = 0; i < k; i++) {
            size_t l = strlen(look->residents);
            if (l < sizeof look->residents - 24)
                snprintf(look->residents + l, sizeof look->residents - l, "%s%lld,", l ? "" : ",",
                         (long long)hits[i].resident.v);
        }
        codec_encode_hits(hits, k, out_seq, frame, len);
    }
    free(hits);
}

static void
s_area(const query_ctx_t *ctx, const principal_t *who, const query_t *q, look_t *look, uint64_t out_seq,
       uint8_t **frame, size_t *len)
{
    const char *area = q->name && *q->name ? q->name : who->kind == ROLE_COMMITTEE || who->kind == ROLE_STREET
                                                            ? who->scope : "";
    char codes[2048];
    size_t n = s_area_codes(ctx, who, area, codes, sizeof codes);
    snprintf(look->args, sizeof look->args, "area=%s", area);
    if (s_no_area(look, who, area, n, out_seq, frame, len))
        return;
    char today[11];
    s_today(today);
    area_stats_t st;
    hub_err_t err = store_area_stats(ctx->reader, codes, today, &st);
    if (err != HUB_OK) {
        s_refuse(look, err, hub_strerror(err), out_seq, frame, len);
        return;
    }
    static const char *const columns[] = {"section", "item", "count", "amount", "unit"};
    report_t rep;
    report_init(&rep, columns, 5);
    snprintf(rep.title, sizeof rep.title, "figures for %s (%zu communit%s), ages at %s", *area ? area : "the district",
             n, n == 1 ? "y" : "ies", today);
    int64_t population = 0, volunteers = 0;
    for (size_t i = 0; i < st.n; i++) {
        const area_row_t *r = &st.rows[i];
        if (strcmp(r->table, "population") == 0)
            population = r->count;
        if (strcmp(r->label, "社区志愿者") == 0)
            volunteers = r->count;
        bool money = strcmp(r->table, "entitlements in force") == 0, area_m2 = strcmp(r->table, "facilities") == 0;
        report_cell(&rep, "%s", r->table);
        report_cell(&rep, "%s", r->label);
        report_cell(&rep, "%lld", (long long)r->count);
        if (money || area_m2)
            report_cell(&rep, money ? "%.2f" : "%.1f", r->sum);
        else
            report_cell(&rep, "%s", "");
        report_cell(&rep, "%s", money ? "yuan a month" : area_m2 ? "m2" : "");
    }
    if (population) {
        report_cell(&rep, "registered volunteers");
        report_cell(&rep, "share of the population");
        report_cell(&rep, "%lld", (long long)volunteers);
        report_cell(&rep, "%.2f", 100.0 * (double)volunteers / (double)population);
        report_cell(&rep, "%%");
    }
    codec_encode_report_table(&rep, out_seq, frame, len);
    report_free(&rep);
}

/* ---- what changed for a resident ---- */

static int
s_cmp_received(const void *x, const void *y)
{
    const stored_rec_t *a = x, *b = y;
    if (a->received_ms != b->received_ms)
        return a->received_ms < b->received_ms ? -1 : 1;
    return a->id.v < b->id.v ? -1 : a->id.v > b->id.v;
}

static void
s_history(const query_ctx_t *ctx, const principal_t *who, const query_t *q, look_t *look, uint64_t out_seq,
          uint8_t **frame, size_t *len)
{
    static const char *depts[] = {"?", "police", "familyplanning", "labour", "civilaffairs"};
    resident_id_t final;
    resident_view_t v;
    snprintf(look->args, sizeof look->args, "history resident=%lld", (long long)q->resident_id);
    hub_err_t err = store_resident_follow(ctx->reader, (resident_id_t){q->resident_id}, &final);
    if (err == HUB_OK)
        err = store_resident_view(ctx->reader, final, &v);
    if (err != HUB_OK) {
        s_refuse(look, err, err == HUB_ENOTFOUND ? "no resident has that id" : hub_strerror(err), out_seq, frame, len);
        return;
    }
    if ((err = s_golden(ctx->reader, ctx->rules, &v)) != HUB_OK || !s_in_scope(ctx, who, v.id)) {
        snprintf(look->residents, sizeof look->residents, ",%lld,", (long long)v.id.v);
        s_refuse(look, err != HUB_OK ? err : HUB_EDENIED,
                 err != HUB_OK ? hub_strerror(err) : "that resident does not live in your community or street",
                 out_seq, frame, len);
        store_view_free(&v);
        return;
    }
    if (who->kind == ROLE_COMMITTEE || who->kind == ROLE_STREET)
        s_mask_view(&v);
    snprintf(look->residents, sizeof look->residents, ",%lld,", (long long)v.id.v);
    qsort(v.recs, v.nrecs, sizeof *v.recs, s_cmp_received);
    event_row_t ev[64];
    size_t ne = 0;
    if (store_events(ctx->reader, v.id, 64, ev, &ne) != HUB_OK)
        ne = 0;
    static const char *const columns[] = {"when", "change", "department", "record", "file", "row", "note"};
    report_t rep;
    report_init(&rep, columns, 7);
    snprintf(rep.title, sizeof rep.title, "history of resident %lld, oldest first", (long long)v.id.v);
    /* record versions (oldest first) and merges and splits (store: newest first), by time */
    for (size_t i = 0, e = ne; i < v.nrecs || e > 0;) {
        bool rec = i < v.nrecs && (e == 0 || v.recs[i].received_ms <= ev[e - 1].at_ms);
        char when[32];
        time_t sec = (time_t)((rec ? v.recs[i].received_ms : ev[e - 1].at_ms) / 1000);
        struct tm tm;
        gmtime_r(&sec, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        report_cell(&rep, "%s", when);
        if (rec) {
            const stored_rec_t *r = &v.recs[i++];
            report_cell(&rep, "record");
            report_cell(&rep, "%s", depts[r->source >= 1 && r->source <= 4 ? r->source : 0]);
            report_cell(&rep, "%s", r->source_key);
            report_cell(&rep, "%s", r->origin_file);
            report_cell(&rep, "%u", r->origin_row);
            report_cell(&rep, "%s", r->current ? "" : "since replaced by a newer version");
        } else {
            const event_row_t *x = &ev[--e];
            report_cell(&rep, "%s", x->kind);
            for (int k = 0; k < 4; k++)
                report_cell(&rep, "%s", "");
            report_cell(&rep, "with resident %lld by %s (score %.1f)%s",
                        (long long)(x->resident.v == v.id.v ? x->other.v : x->resident.v), x->decided_by, x->score,
                        x->undone_by ? ", undone" : "");
        }
    }
    codec_encode_report_table(&rep, out_seq, frame, len);
    report_free(&rep);
    store_view_free(&v);
}

/* ---- the hub at a glance: `hubctl status` and `hubctl top` ---- */

static void
s_status(const query_ctx_t *ctx, uint64_t out_seq, uint8_t **frame, size_t *len)
{
    static const char *const columns[] = {"adapter", "state", "last seen", "last seq", "records/s", "records",
                                          "rejected"};
    report_t rep;
    report_init(&rep, columns, 7);
    int64_t now = s_now_ms();
    if (ctx->watch)
        watch_report(ctx->watch, now, &rep);
    int silent = ctx->watch ? watch_silent(ctx->watch) : 0;
    registry_stats_t st = {0};
    hub_err_t err = store_stats(ctx->reader, &st);
    const registry_stats_t *live = &ctx->live;
    char verdict[400];
    rep.verdict = 0;
    if (ctx->health && *ctx->health) {
        rep.verdict = 2;
        snprintf(verdict, sizeof verdict, "hub down: %s", ctx->health);
    } else if (err != HUB_OK) {
        rep.verdict = 2;
        snprintf(verdict, sizeof verdict, "hub down: the registry cannot be read (%s)", hub_strerror(err));
    } else if (silent || st.reviews_open >= ctx->reviews_degraded) {
        rep.verdict = 1;
        snprintf(verdict, sizeof verdict, "hub degraded:%s%s%s", silent ? " adapter(s) silent" : "",
                 silent && st.reviews_open >= ctx->reviews_degraded ? ";" : "",
                 st.reviews_open >= ctx->reviews_degraded ? " review items piling up" : "");
    } else {
        snprintf(verdict, sizeof verdict, "hub healthy");
    }
    snprintf(rep.title, sizeof rep.title,
             "%s\nup %llds  residents %lld  source records %lld  open reviews %lld  quarantined %lld\n"
             "ingest %.1f records/s  last commit %.1f ms  queue %ld batches  queries %.1f/s",
             verdict, (long long)live->uptime_s, (long long)st.residents, (long long)st.source_records,
             (long long)st.reviews_open, (long long)st.quarantined, live->records_per_second, ctx->commit_ms,
             ctx->queue_depth, ctx->queries_per_second);
    codec_encode_report_table(&rep, out_seq, frame, len);
    report_free(&rep);
}

/* Which roles may ask what; NULL when who may, else why not. */
static const char *
s_may(const principal_t *who, const query_t *q)
{
    role_kind_t k = who->kind;
    bool personal = k == ROLE_DEPARTMENT || k == ROLE_COMMITTEE || k == ROLE_STREET || k == ROLE_ADMIN;
    switch (q->kind) {
    case QUERY_GET:
    case QUERY_SEARCH:
    case QUERY_HOUSEHOLD:
        return personal ? NULL : "operators see personal data only inside a review item they decide";
    case QUERY_EXPORT_LINKS:
        return k == ROLE_DEPARTMENT || k == ROLE_ADMIN ? NULL
               : "export-links covers the whole district: beyond your scope";
    case QUERY_STATS:
        return NULL;
    case QUERY_EVENTS:
        return personal ? NULL : "the change feed tells of residents: operators read the log and the metrics instead";
    case QUERY_RECORDS:
        if (q->source < 1 || q->source > 4)
            return "say which department's records (1 police, 2 family planning, 3 labour, 4 civil affairs)";
        return k == ROLE_DEPARTMENT && who->department == q->source ? NULL   /* sensitive fields too: its own */
               : "a department's records are reconciled by that department's own principal "
                 "(hubctl --principal DESK --key FILE reconcile ...)";
    case QUERY_FACILITIES:
        if (k == ROLE_COMMITTEE && (!q->community || strcmp(q->community, who->scope) != 0))
            return "ask for the facilities of your own community";
        return NULL;
    case QUERY_ADMIN:
        if (strcmp(q->command, "area-stats") == 0)
            return NULL;   /* within the reader's scope: s_area */
        if (strcmp(q->command, "history") == 0 || strcmp(q->command, "roster") == 0)
            return personal ? NULL : "operators see personal data only inside a review item they decide";
        if (!strcmp(q->command, "alerts-check"))   /* counts only; a pass over everyone, on the writer */
            return k == ROLE_OPERATOR || k == ROLE_ADMIN ? NULL : "alerts check is operators' work";
        if (!strncmp(q->command, "alert", 5))   /* the findings name records and their values */
            return k == ROLE_DEPARTMENT || k == ROLE_ADMIN ? NULL
                   : "alerts are read and closed by the departments and the administrator; "
                     "committees get those of their residents on the change feed";
        if (!strncmp(q->command, "principal-", 10) || !strncmp(q->command, "audit", 5))
            return k == ROLE_ADMIN ? NULL : "only an administrator manages principals and reads the audit log";
        return k == ROLE_OPERATOR || k == ROLE_ADMIN ? NULL : "review, rematch and quarantine are operators' work";
    }
    return "unknown question";
}

/* The operators' commands that only read (rosters, figures, a resident's
** history) run on the query thread with the other reads. */
static bool
s_reads_only(const char *command)
{
    return !strcmp(command, "area-stats") || !strcmp(command, "roster") || !strcmp(command, "history");
}

bool
query_on_writer(const uint8_t *data, size_t size)
{
    msg_t m;
    char why[200];
    if (codec_decode(data, size, &m, why, sizeof why) != HUB_OK) {
        codec_msg_fini(&m);   /* (what was decoded before the fault) */
        return false;
    }
    bool on = m.kind == MSG_QUERY && m.query.kind == QUERY_ADMIN && (!m.query.command || !s_reads_only(m.query.command));
    codec_msg_fini(&m);
    return on;
}

void
query_frame(const query_ctx_t *ctx, const principal_t *who, const uint8_t *data, size_t size, uint64_t out_seq,
            uint8_t **frame, size_t *len, query_outcome_t *outcome)
{
    store_t *reader = ctx->reader;
    const registry_stats_t *live = &ctx->live;
    msg_t m;
    char why[200];
    look_t look = {.outcome = "answered"};
    const char *kind = "unreadable";
    outcome->acked = -1;
    static const char *kinds[] = {"get",    "stats",     "export-links", "facilities",
                                  "admin",  "search",    "household",    "events",    "records"};
    hub_err_t err = codec_decode(data, size, &m, why, sizeof why);
    if (err == HUB_OK && m.kind != MSG_QUERY) {
        err = HUB_EPROTO;
        snprintf(why, sizeof why, "only queries are answered on this endpoint");
    }
    if (err == HUB_OK) {
        kind = kinds[m.query.kind];
        const char *no = NULL;
        if (!*m.query.purpose) {
            err = HUB_EINVAL;
            no = "every request states its purpose (hubctl --purpose TEXT)";
        } else if ((no = s_may(who, &m.query)) != NULL) {
            err = HUB_EDENIED;
        }
        if (no)
            snprintf(why, sizeof why, "%s", no);
    }
    char akind[64];
    snprintf(akind, sizeof akind, "%s%s%s", kind, err == HUB_OK && m.query.kind == QUERY_ADMIN ? ":" : "",
             err == HUB_OK && m.query.kind == QUERY_ADMIN ? m.query.command : "");
    s_utf8_whole(akind);
    if (err != HUB_OK) {
        log_warn("HUB-QUERY-REFUSE", LOG_S("principal", who->name), LOG_S("kind", akind), LOG_S("reason", why));
        s_refuse(&look, err, why, out_seq, frame, len);
    } else {
        log_info("HUB-QUERY", LOG_S("principal", who->name), LOG_S("kind", akind));
        const query_t *q = &m.query;
        switch (q->kind) {
        case QUERY_GET:
            s_get(ctx, who, q, &look, out_seq, frame, len);
            break;
        case QUERY_STATS: {
            registry_stats_t st;
            if ((err = store_stats(reader, &st)) != HUB_OK) {
                s_refuse(&look, err, hub_strerror(err), out_seq, frame, len);
                break;
            }
            st.records_per_second = live->records_per_second;
            st.uptime_s = live->uptime_s;
            codec_encode_stats(&st, out_seq, frame, len);
            break;
        }
        case QUERY_EXPORT_LINKS:
            snprintf(look.args, sizeof look.args, "after=%lld", (long long)q->after);
            s_links(reader, q, out_seq, frame, len);
            break;
        case QUERY_FACILITIES:
            snprintf(look.args, sizeof look.args, "community=%s", q->community ? q->community : "");
            s_facilities(reader, q, out_seq, frame, len);
            break;
        case QUERY_SEARCH:
            s_search(ctx, who, q, &look, out_seq, frame, len);
            break;
        case QUERY_HOUSEHOLD:
            s_household(ctx, who, q, &look, out_seq, frame, len);
            break;
        case QUERY_RECORDS:
            s_records(ctx, q, &look, out_seq, frame, len);
            break;
        case QUERY_EVENTS:
            s_events(ctx, who, q, &look, out_seq, frame, len);
            if (look.err == HUB_OK && q->after >= 0)
                outcome->acked = q->after;
            break;
        case QUERY_ADMIN: {
            if (strcmp(q->command, "area-stats") == 0) {
                s_area(ctx, who, q, &look, out_seq, frame, len);
                break;
            }
            if (strcmp(q->command, "roster") == 0) {
                s_roster(ctx, who, q, &look, out_seq, frame, len);
                break;
            }
            if (strcmp(q->command, "history") == 0) {
                s_history(ctx, who, q, &look, out_seq, frame, len);
                break;
            }
            if (strcmp(q->command, "status") == 0) {
                s_status(ctx, out_seq, frame, len);
                break;
            }
            char *report = NULL;
            snprintf(look.args, sizeof look.args, "id=%lld name=%s", (long long)q->resident_id,
                     q->name ? q->name : "");
            err = ctx->admin ? admin_run(ctx->admin, who->name, q, s_now_ms(), &report) : HUB_EINVAL;
            if (err != HUB_OK)
                snprintf(look.outcome, sizeof look.outcome, "failed: %s", hub_strerror(err));
            codec_encode_report(err, report ? report : "", out_seq, frame, len);
            free(report);
            break;
        }
        }
    }
    s_utf8_whole(look.args);
    s_utf8_whole(look.outcome);
    audit_row_t a = {
        .at_ms = s_now_ms(), .principal = who->name, .role = who->role, .purpose = err == HUB_EPROTO ? "" : m.query.purpose,
        .kind = akind, .args = look.args, .residents = look.residents, .outcome = look.outcome,
    };
    if (!a.purpose)
        a.purpose = "";
    snprintf(outcome->kind, sizeof outcome->kind, "%s", akind);
    outcome->refused = look.err != HUB_OK && look.err != HUB_ENOTFOUND;
    if (audit_append(ctx->audit, &a) != HUB_OK) {   /* no look off the record: the answer is withheld */
        log_error("HUB-AUDIT-FAIL", LOG_S("principal", who->name), LOG_S("kind", akind));
        free(*frame);
        codec_encode_error(HUB_EDB, "this request could not be put on the audit record, so nothing is shown; "
                                    "tell the hub's operator",
                           out_seq, frame, len);
        outcome->refused = true;
        outcome->acked = -1;
    } else
        log_debug("HUB-AUDIT", LOG_I("entry", a.id));
    codec_msg_fini(&m);
}
