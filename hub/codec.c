/* codec.c: hub.Message <-> hub structs (see codec.h). */
#include "codec.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/hub.pb-c.h"

_Static_assert((int)RESULT_ACCEPTED == (int)HUB__RECORD_RESULT__ACCEPTED, "enum mirror");
_Static_assert((int)RESULT_DUPLICATE == (int)HUB__RECORD_RESULT__DUPLICATE, "enum mirror");
_Static_assert((int)RESULT_REJECTED == (int)HUB__RECORD_RESULT__REJECTED, "enum mirror");
_Static_assert((int)ACK_OK == (int)HUB__ACK_STATUS__ACK_OK, "enum mirror");
_Static_assert((int)ACK_REJECTED == (int)HUB__ACK_STATUS__ACK_REJECTED, "enum mirror");
_Static_assert((int)ACK_RETRY == (int)HUB__ACK_STATUS__ACK_RETRY, "enum mirror");

#define HUB_SENDER "hub"

static const char *
s_raw(const Hub__Field *f)
{
    return f && f->raw && *f->raw ? f->raw : NULL;
}

/* Which department may carry which payload, and where its identity number is. */
static bool
s_payload(const Hub__Record *r, const char **idno_raw)
{
    switch (r->payload_case) {
    case HUB__RECORD__PAYLOAD_POLICE:
        *idno_raw = s_raw(r->police->idno);
        return r->source == HUB__DEPARTMENT__POLICE;
    case HUB__RECORD__PAYLOAD_FAMILY_PLANNING:
        *idno_raw = s_raw(r->family_planning->idno);
        return r->source == HUB__DEPARTMENT__FAMILY_PLANNING;
    case HUB__RECORD__PAYLOAD_LABOUR:
        *idno_raw = s_raw(r->labour->idno);
        return r->source == HUB__DEPARTMENT__LABOUR;
    case HUB__RECORD__PAYLOAD_CIVIL_AFFAIRS:
        *idno_raw = s_raw(r->civil_affairs->doc_no);
        return r->source == HUB__DEPARTMENT__CIVIL_AFFAIRS;
    case HUB__RECORD__PAYLOAD_FACILITY:
        *idno_raw = NULL;
        return r->source == HUB__DEPARTMENT__CIVIL_AFFAIRS;
    default:
        *idno_raw = NULL;
        return false;
    }
}

static void
s_reject(rec_t *rec, const char *why)
{
    rec->err = HUB_EINVAL;
    snprintf(rec->why, sizeof rec->why, "%s", why);
}

static void
s_decode_record(Hub__Record *r, rec_t *rec)
{
    memset(rec, 0, sizeof *rec);
    rec->source = r->has_source ? (int)r->source : 0;
    rec->source_key = r->source_key;
    rec->changed_at = r->has_changed_at ? r->changed_at : 0;
    if (r->origin) {
        rec->origin_file = r->origin->file;
        rec->origin_row = r->origin->has_row ? r->origin->row : 0;
    }
    if (rec->source < 1 || rec->source >= HUB_DEPARTMENTS) {
        s_reject(rec, "record has no known source department");
        return;
    }
    if (!r->source_key || !*r->source_key) {
        s_reject(rec, "record has no source key");
        return;
    }
    if (!rec->origin_file || !*rec->origin_file || rec->origin_row == 0) {
        s_reject(rec, "record has no origin (file and row)");
        return;
    }
    if (!s_payload(r, &rec->idno_raw)) {
        s_reject(rec, "record payload is missing or not of its department");
        return;
    }

    /* The body is the record without its origin: the same content from
    ** another file is the same record, seen again. */
    Hub__Origin *origin = r->origin;
    r->origin = NULL;
    rec->body_len = hub__record__get_packed_size(r);
    rec->body = HUB_CHECK_ALLOC(malloc(rec->body_len ? rec->body_len : 1));
    hub__record__pack(r, rec->body);
    r->origin = origin;
    crypto_generichash(rec->digest, DIGEST_LEN, rec->body, rec->body_len, NULL, 0);
}

hub_err_t
codec_decode(const uint8_t *data, size_t size, msg_t *out, char *why, size_t whycap)
{
    memset(out, 0, sizeof *out);
    Hub__Message *m = hub__message__unpack(NULL, size, data);
    if (!m) {
        snprintf(why, whycap, "not a hub.Message (undecodable protobuf)");
        return HUB_EPROTO;
    }
    out->pb = m;
    crypto_generichash(out->digest, DIGEST_LEN, data, size, NULL, 0);
    if (!m->env || !m->env->sender || !m->env->has_seq || !m->env->has_schema_version) {
        snprintf(why, whycap, "envelope missing or incomplete (sender, seq, schema_version)");
        return HUB_EPROTO;
    }
    out->sender = m->env->sender;
    out->seq = m->env->seq;
    out->schema_version = m->env->schema_version;
    out->sent_at_ms = m->env->has_sent_at_ms ? m->env->sent_at_ms : 0;
    switch (m->body_case) {
    case HUB__MESSAGE__BODY_BATCH:
        out->kind = MSG_BATCH;
        out->nrecs = m->batch->n_records;
        out->recs = HUB_CHECK_ALLOC(calloc(out->nrecs ? out->nrecs : 1, sizeof *out->recs));
        for (size_t i = 0; i < out->nrecs; i++)
            s_decode_record(m->batch->records[i], &out->recs[i]);
        return HUB_OK;
    case HUB__MESSAGE__BODY_HEARTBEAT:
        out->kind = MSG_HEARTBEAT;
        return HUB_OK;
    case HUB__MESSAGE__BODY_QUERY: {
        Hub__Query *q = m->query;
        out->kind = MSG_QUERY;
        switch (q->q_case) {
        case HUB__QUERY__Q_GET:
            out->query.kind = QUERY_GET;
            out->query.idno = q->get->idno;
            out->query.resident_id = q->get->has_resident_id ? q->get->resident_id : 0;
            return HUB_OK;
        case HUB__QUERY__Q_STATS:
            out->query.kind = QUERY_STATS;
            return HUB_OK;
        case HUB__QUERY__Q_EXPORT_LINKS:
            out->query.kind = QUERY_EXPORT_LINKS;
            out->query.after = q->export_links->has_after ? q->export_links->after : 0;
            out->query.limit = q->export_links->has_limit ? q->export_links->limit : 0;
            return HUB_OK;
        default:
            snprintf(why, whycap, "query of an unknown kind");
            return HUB_EPROTO;
        }
    }
    default:
        snprintf(why, whycap, "message body is missing or not accepted here");
        return HUB_EPROTO;
    }
}

void
codec_msg_fini(msg_t *m)
{
    for (size_t i = 0; i < m->nrecs; i++)
        free(m->recs[i].body);
    free(m->recs);
    if (m->pb)
        hub__message__free_unpacked(m->pb, NULL);
    memset(m, 0, sizeof *m);
}

/* Pack msg with the hub's envelope into a malloc'd frame. */
static void
s_pack(Hub__Message *msg, uint64_t out_seq, uint8_t **out, size_t *len)
{
    Hub__Envelope env = HUB__ENVELOPE__INIT;
    env.sender = HUB_SENDER;
    env.has_seq = 1;
    env.seq = out_seq;
    env.has_schema_version = 1;
    env.schema_version = HUB_SCHEMA_VERSION;
    msg->env = &env;
    *len = hub__message__get_packed_size(msg);
    *out = HUB_CHECK_ALLOC(malloc(*len ? *len : 1));
    hub__message__pack(msg, *out);
    msg->env = NULL;
}

void
codec_encode_ack(const ack_t *ack, uint64_t out_seq, uint8_t **out, size_t *len)
{
    Hub__Ack a = HUB__ACK__INIT;
    a.has_seq = 1;
    a.seq = ack->seq;
    a.has_status = 1;
    a.status = (Hub__AckStatus)ack->status;
    if (ack->code != HUB_OK) {
        a.has_reason_code = 1;
        a.reason_code = ack->code;
        a.reason = (char *)ack->reason;
    }
    Hub__RecordAck *items = HUB_CHECK_ALLOC(calloc(ack->n ? ack->n : 1, sizeof *items));
    Hub__RecordAck **ptrs = HUB_CHECK_ALLOC(calloc(ack->n ? ack->n : 1, sizeof *ptrs));
    for (size_t i = 0; i < ack->n; i++) {
        const rec_result_t *r = &ack->results[i];
        Hub__RecordAck *it = &items[i];
        hub__record_ack__init(it);
        it->has_index = 1;
        it->index = (uint32_t)i;
        it->has_result = 1;
        it->result = (Hub__RecordResult)r->result;
        if (r->code != HUB_OK) {
            it->has_reason_code = 1;
            it->reason_code = r->code;
            it->reason = (char *)r->reason;
        }
        if (r->resident.v) {
            it->has_resident_id = 1;
            it->resident_id = r->resident.v;
        }
        ptrs[i] = it;
    }
    a.n_results = ack->n;
    a.results = ptrs;
    Hub__Message m = HUB__MESSAGE__INIT;
    m.body_case = HUB__MESSAGE__BODY_ACK;
    m.ack = &a;
    s_pack(&m, out_seq, out, len);
    free(ptrs);
    free(items);
}

void
codec_encode_error(hub_err_t code, const char *text, uint64_t out_seq, uint8_t **out, size_t *len)
{
    Hub__Answer a = HUB__ANSWER__INIT;
    a.has_status = 1;
    a.status = code;
    a.error = (char *)text;
    a.has_done = 1;
    a.done = 1;
    Hub__Message m = HUB__MESSAGE__INIT;
    m.body_case = HUB__MESSAGE__BODY_ANSWER;
    m.answer = &a;
    s_pack(&m, out_seq, out, len);
}

void
codec_encode_residents(const resident_view_t *views, size_t n, uint64_t out_seq,
                       uint8_t **out, size_t *len)
{
    size_t nrecs = 0;
    for (size_t i = 0; i < n; i++)
        nrecs += views[i].nrecs;
    Hub__Resident *res = HUB_CHECK_ALLOC(calloc(n ? n : 1, sizeof *res));
    Hub__Resident **resp = HUB_CHECK_ALLOC(calloc(n ? n : 1, sizeof *resp));
    Hub__StoredRecord *srs = HUB_CHECK_ALLOC(calloc(nrecs ? nrecs : 1, sizeof *srs));
    Hub__StoredRecord **srp = HUB_CHECK_ALLOC(calloc(nrecs ? nrecs : 1, sizeof *srp));
    Hub__Record **recs = HUB_CHECK_ALLOC(calloc(nrecs ? nrecs : 1, sizeof *recs));
    Hub__Origin *origins = HUB_CHECK_ALLOC(calloc(nrecs ? nrecs : 1, sizeof *origins));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        hub__resident__init(&res[i]);
        res[i].has_id = 1;
        res[i].id = views[i].id.v;
        res[i].idno = views[i].idno;
        res[i].records = &srp[k];
        res[i].n_records = views[i].nrecs;
        resp[i] = &res[i];
        for (size_t j = 0; j < views[i].nrecs; j++, k++) {
            const stored_rec_t *s = &views[i].recs[j];
            Hub__StoredRecord *sr = &srs[k];
            hub__stored_record__init(sr);
            sr->has_record_id = 1;
            sr->record_id = s->id.v;
            sr->sender = s->sender;
            sr->has_batch_seq = 1;
            sr->batch_seq = s->batch_seq;
            sr->has_received_at_ms = 1;
            sr->received_at_ms = s->received_ms;
            sr->has_current = 1;
            sr->current = s->current;
            sr->idno = s->idno;
            recs[k] = hub__record__unpack(NULL, s->body_len, s->body);
            if (recs[k]) {   /* the stored body is the record without its origin */
                hub__origin__init(&origins[k]);
                origins[k].file = s->origin_file;
                origins[k].has_row = 1;
                origins[k].row = s->origin_row;
                recs[k]->origin = &origins[k];
            }
            sr->record = recs[k];
            srp[k] = sr;
        }
    }
    Hub__Answer a = HUB__ANSWER__INIT;
    a.has_status = 1;
    a.status = HUB_OK;
    a.n_residents = n;
    a.residents = resp;
    a.has_done = 1;
    a.done = 1;
    Hub__Message m = HUB__MESSAGE__INIT;
    m.body_case = HUB__MESSAGE__BODY_ANSWER;
    m.answer = &a;
    s_pack(&m, out_seq, out, len);
    for (size_t i = 0; i < nrecs; i++)
        if (recs[i]) {
            recs[i]->origin = NULL;   /* ours, not the unpacker's */
            hub__record__free_unpacked(recs[i], NULL);
        }
    free(origins);
    free(recs);
    free(srp);
    free(srs);
    free(resp);
    free(res);
}

void
codec_encode_stats(const registry_stats_t *st, uint64_t out_seq, uint8_t **out, size_t *len)
{
    Hub__Stats s = HUB__STATS__INIT;
    s.has_residents = s.has_source_records = s.has_quarantined = 1;
    s.has_records_per_second = s.has_uptime_s = 1;
    s.residents = st->residents;
    s.source_records = st->source_records;
    s.quarantined = st->quarantined;
    s.records_per_second = st->records_per_second;
    s.uptime_s = st->uptime_s;
    Hub__DepartmentCount dc[HUB_DEPARTMENTS], *dcp[HUB_DEPARTMENTS];
    for (int d = 1; d < HUB_DEPARTMENTS; d++) {
        hub__department_count__init(&dc[d]);
        dc[d].has_department = dc[d].has_records = 1;
        dc[d].department = (Hub__Department)d;
        dc[d].records = st->by_department[d];
        dcp[d - 1] = &dc[d];
    }
    s.n_by_department = HUB_DEPARTMENTS - 1;
    s.by_department = dcp;
    Hub__Answer a = HUB__ANSWER__INIT;
    a.has_status = 1;
    a.status = HUB_OK;
    a.stats = &s;
    a.has_done = 1;
    a.done = 1;
    Hub__Message m = HUB__MESSAGE__INIT;
    m.body_case = HUB__MESSAGE__BODY_ANSWER;
    m.answer = &a;
    s_pack(&m, out_seq, out, len);
}

void
codec_encode_links(const link_row_t *rows, size_t n, int64_t next_after, bool done,
                   uint64_t out_seq, uint8_t **out, size_t *len)
{
    Hub__Link *links = HUB_CHECK_ALLOC(calloc(n ? n : 1, sizeof *links));
    Hub__Link **lp = HUB_CHECK_ALLOC(calloc(n ? n : 1, sizeof *lp));
    for (size_t i = 0; i < n; i++) {
        Hub__Link *l = &links[i];
        hub__link__init(l);
        l->has_source = l->has_origin_row = l->has_resident_id = l->has_record_id = 1;
        l->source = (Hub__Department)rows[i].source;
        l->source_key = rows[i].source_key;
        l->origin_file = rows[i].origin_file;
        l->origin_row = rows[i].origin_row;
        l->resident_id = rows[i].resident.v;
        l->record_id = rows[i].record.v;
        lp[i] = l;
    }
    Hub__Answer a = HUB__ANSWER__INIT;
    a.has_status = 1;
    a.status = HUB_OK;
    a.n_links = n;
    a.links = lp;
    a.has_next_after = 1;
    a.next_after = next_after;
    a.has_done = 1;
    a.done = done;
    Hub__Message m = HUB__MESSAGE__INIT;
    m.body_case = HUB__MESSAGE__BODY_ANSWER;
    m.answer = &a;
    s_pack(&m, out_seq, out, len);
    free(lp);
    free(links);
}
