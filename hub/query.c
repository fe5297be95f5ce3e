#define _POSIX_C_SOURCE 200809L
/* query.c: answers from the registry (see query.h). */
#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec.h"
#include "facts.h"
#include "log.h"
#include "golden.h"
#include "normalize.h"

/* The golden record of a view, by the survivorship rules. */
static int64_t
s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

static void
s_get(store_t *reader, const golden_rules_t *rules, const query_t *q, uint64_t out_seq, uint8_t **frame,
      size_t *len)
{
    resident_id_t ids[QUERY_MAX_RESIDENTS];
    size_t n = 0;
    hub_err_t err = HUB_OK;
    if (q->resident_id) {
        ids[n++].v = q->resident_id;
    } else if (q->idno && *q->idno) {
        char idno[NORM_IDNO_SIZE];
        if (norm_idno(q->idno, idno) == NORM_IDNO_VALID)
            err = store_residents_by_number(reader, idno, ids, QUERY_MAX_RESIDENTS, &n);
        if (err == HUB_OK && n == 0)   /* an invalid number is still a department's key */
            err = store_residents_by_key(reader, q->idno, ids, QUERY_MAX_RESIDENTS, &n);
    } else {
        codec_encode_error(HUB_EINVAL, "give an identity number or a resident id", out_seq, frame, len);
        return;
    }
    resident_view_t views[QUERY_MAX_RESIDENTS];
    size_t nv = 0;
    for (size_t i = 0; i < n && (err == HUB_OK || err == HUB_ENOTFOUND); i++) {
        resident_id_t final;
        err = store_resident_follow(reader, ids[i], &final);   /* an alias answers as its resident */
        if (err == HUB_OK)
            err = store_resident_view(reader, final, &views[nv]);
        if (err == HUB_OK && (err = s_golden(reader, rules, &views[nv])) == HUB_OK) {
            views[nv].asked.v = final.v != ids[i].v ? ids[i].v : 0;
            nv++;
        }
    }
    if (nv == 0 && (err == HUB_OK || err == HUB_ENOTFOUND))
        codec_encode_error(HUB_ENOTFOUND, "no resident has that identity number or id", out_seq, frame, len);
    else if (err != HUB_OK && err != HUB_ENOTFOUND)
        codec_encode_error(err, hub_strerror(err), out_seq, frame, len);
    else
        codec_encode_residents(views, nv, out_seq, frame, len);
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

void
query_frame(const query_ctx_t *ctx, const principal_t *who, const uint8_t *data, size_t size, uint64_t out_seq,
            uint8_t **frame, size_t *len)
{
    store_t *reader = ctx->reader;
    const registry_stats_t *live = &ctx->live;
    const golden_rules_t *rules = ctx->rules;
    msg_t m;
    char why[200];
    hub_err_t err = codec_decode(data, size, &m, why, sizeof why);
    if (err == HUB_OK && m.kind != MSG_QUERY) {
        err = HUB_EPROTO;
        snprintf(why, sizeof why, "only queries are answered on this endpoint");
    }
    if (err != HUB_OK) {
        log_warn("HUB-QUERY-REFUSE", LOG_S("principal", who->name), LOG_S("reason", why));
        codec_encode_error(err, why, out_seq, frame, len);
        codec_msg_fini(&m);
        return;
    }
    static const char *kinds[] = {"get", "stats", "export-links", "facilities", "admin"};
    log_info("HUB-QUERY", LOG_S("principal", who->name), LOG_S("kind", kinds[m.query.kind]),
             LOG_I("resident", m.query.resident_id));
    switch (m.query.kind) {
    case QUERY_GET:
        s_get(reader, rules, &m.query, out_seq, frame, len);
        break;
    case QUERY_STATS: {
        registry_stats_t st;
        err = store_stats(reader, &st);
        if (err != HUB_OK) {
            codec_encode_error(err, hub_strerror(err), out_seq, frame, len);
            break;
        }
        st.records_per_second = live->records_per_second;
        st.uptime_s = live->uptime_s;
        codec_encode_stats(&st, out_seq, frame, len);
        break;
    }
    case QUERY_EXPORT_LINKS:
        s_links(reader, &m.query, out_seq, frame, len);
        break;
    case QUERY_FACILITIES:
        s_facilities(reader, &m.query, out_seq, frame, len);
        break;
    case QUERY_ADMIN: {
        char *report = NULL;
        err = admin_run(ctx->admin, who->name, m.query.command, m.query.resident_id, m.query.limit,
                        s_now_ms(), &report);
        codec_encode_report(err, report ? report : "", out_seq, frame, len);
        free(report);
        break;
    }
    }
    codec_msg_fini(&m);
}
