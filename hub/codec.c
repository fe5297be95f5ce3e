/* codec.c: hub.Message <-> hub structs, and a record's facts (see codec.h). */
#define _POSIX_C_SOURCE 200809L
#include "codec.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "normalize.h"
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
    case HUB__RECORD__PAYLOAD_CIVIL_AFFAIRS: {
        /* 证件号码 is an identity number unless the document is 其他 */
        const char *type = s_raw(r->civil_affairs->doc_type);
        *idno_raw = type && strstr(type, "其他") ? NULL : s_raw(r->civil_affairs->doc_no);
        return r->source == HUB__DEPARTMENT__CIVIL_AFFAIRS;
    }
    case HUB__RECORD__PAYLOAD_FACILITY:
        *idno_raw = NULL;
        return r->source == HUB__DEPARTMENT__CIVIL_AFFAIRS;
    default:
        *idno_raw = NULL;
        return false;
    }
}

/* ---- what the wire must hold: well-formed UTF-8 strings, bounded sizes ---- */

/* Offset of the first byte of s[0..n) that does not start a well-formed
** UTF-8 sequence (RFC 3629: no overlong forms, surrogates or code points
** above U+10FFFF), or n when all of it is well-formed. */
static size_t
s_utf8_bad_at(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF;   /* bounds of the second byte */
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            lo = c == 0xE0 ? 0xA0 : 0x80;
            hi = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF;
        } else {
            return i;
        }
        if (i + len > n)
            return i;
        for (size_t k = 1; k < len; k++)
            if (k == 1 ? (s[i + k] < lo || s[i + k] > hi) : (s[i + k] < 0x80 || s[i + k] > 0xBF))
                return i;
        i += len;
    }
    return n;
}

/* Every string of m (and of the messages in it), by the descriptors: well-
** formed UTF-8 and at most max bytes. False at the first that is not, with
** why naming its path ("police.name.raw") and what is wrong; its bytes are
** never quoted (the log and the ack must stay UTF-8). */
static bool
s_strings_ok(const ProtobufCMessage *m, size_t max, const char *path, char *why, size_t whycap)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned f = 0; f < d->n_fields; f++) {
        const ProtobufCFieldDescriptor *fd = &d->fields[f];
        if (fd->type != PROTOBUF_C_TYPE_STRING && fd->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        const char *base = (const char *)m;
        size_t n = 1;
        const void *const *items = (const void *const *)(base + fd->offset);
        if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
            n = *(const size_t *)(base + fd->quantifier_offset);
            items = *(const void *const *const *)(base + fd->offset);
        } else if ((fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
                   && *(const uint32_t *)(base + fd->quantifier_offset) != fd->id) {
            continue;   /* another member of the oneof is set */
        }
        char sub[160];
        snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", fd->name);
        for (size_t i = 0; i < n; i++) {
            if (!items[i])
                continue;
            if (fd->type == PROTOBUF_C_TYPE_MESSAGE) {
                if (!s_strings_ok(items[i], max, sub, why, whycap))
                    return false;
                continue;
            }
            const unsigned char *s = items[i];
            size_t len = strlen(items[i]);
            size_t at = s_utf8_bad_at(s, len);
            if (at < len) {
                snprintf(why, whycap, "%.100s is not valid UTF-8 (byte %zu of %zu is 0x%02X)", sub, at + 1, len,
                         s[at]);
                return false;
            }
            if (len > max) {
                snprintf(why, whycap, "%.100s is %zu bytes, over the limit of %zu", sub, len, max);
                return false;
            }
        }
    }
    return true;
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
    if (!s_strings_ok(&r->base, HUB_MAX_VALUE_BYTES, "", rec->why, sizeof rec->why)) {
        rec->err = HUB_EINVAL;
        return;
    }
    rec->person = r->payload_case != HUB__RECORD__PAYLOAD_FACILITY;

    /* The digest leaves out what says where the record was, not what it
    ** says: its origin, and the roster's 序号 (a row number of one export).
    ** The same content from another file is the same record, seen again. */
    Hub__Origin *origin = r->origin;
    r->origin = NULL;
    Hub__Field *serial = NULL;
    if (r->payload_case == HUB__RECORD__PAYLOAD_CIVIL_AFFAIRS) {
        serial = r->civil_affairs->serial_no;
        r->civil_affairs->serial_no = NULL;
    }
    size_t len = hub__record__get_packed_size(r);
    uint8_t *buf = HUB_CHECK_ALLOC(malloc(len ? len : 1));
    hub__record__pack(r, buf);
    crypto_generichash(rec->digest, DIGEST_LEN, buf, len, NULL, 0);
    free(buf);
    if (r->payload_case == HUB__RECORD__PAYLOAD_CIVIL_AFFAIRS)
        r->civil_affairs->serial_no = serial;
    r->origin = origin;
}

/* The record as received, without its origin (kept in columns): what the
** store keeps, and what quarantine keeps of a rejected record. A record
** whose body would not decode again is rejected: protobuf-c takes a field
** numbered 0 when its tag is padded (0x82 0x00) but writes it back as 0x02,
** which it then refuses, and the message's size can still add up when
** another value grows as much (a negative enum sent in 5 bytes takes 10). */
static void
s_pack_body(Hub__Record *r, rec_t *rec)
{
    Hub__Origin *origin = r->origin;
    r->origin = NULL;
    rec->body_len = hub__record__get_packed_size(r);
    rec->body = HUB_CHECK_ALLOC(malloc(rec->body_len ? rec->body_len : 1));
    hub__record__pack(r, rec->body);
    r->origin = origin;
    Hub__Record *again = hub__record__unpack(NULL, rec->body_len, rec->body);
    if (!again && rec->err == HUB_OK)
        s_reject(rec, "record does not decode again once re-encoded (a field numbered 0?)");
    if (again)
        hub__record__free_unpacked(again, NULL);
}

/* A decoded message lives in an arena: chunks taken from malloc, each
** allocation a bump of a pointer, all freed at once (protobuf-c frees
** nothing itself then: s_arena_free does nothing). */
typedef struct arena_chunk {
    struct arena_chunk *prev;
    size_t used, cap;
    max_align_t data[];
} arena_chunk_t;

#define ARENA_CHUNK (64u << 10)

/* data: where the newest chunk is kept */
static void *
s_arena_alloc(void *data, size_t size)
{
    arena_chunk_t **top = (arena_chunk_t **)data, *c = *top;
    size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!c || c->cap - c->used < size) {
        size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
        arena_chunk_t *n = malloc(sizeof *n + cap);
        if (!n)
            return NULL;
        *n = (arena_chunk_t){.prev = c, .used = 0, .cap = cap};
        *top = c = n;
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    return p;
}

static void
s_arena_free(void *data, void *p)
{
    (void)data, (void)p;
}

static void
s_arena_destroy(void *top)
{
    for (arena_chunk_t *c = top; c;) {
        arena_chunk_t *prev = c->prev;
        free(c);
        c = prev;
    }
}

hub_err_t
codec_decode(const uint8_t *data, size_t size, msg_t *out, char *why, size_t whycap)
{
    memset(out, 0, sizeof *out);
    arena_chunk_t *top = NULL;
    ProtobufCAllocator arena = {s_arena_alloc, s_arena_free, &top};
    Hub__Message *m = hub__message__unpack(&arena, size, data);
    out->arena = top;
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
    out->seq = m->env->seq;
    /* What the hub keeps and answers is decoded from m: bytes that do not
    ** come back from it (a string cut at a NUL byte, a field given twice)
    ** would be altered silently. */
    if (hub__message__get_packed_size(m) != size) {
        snprintf(why, whycap, "message does not survive decoding unchanged (%zu bytes, %zu decoded): a NUL byte "
                 "in a string, a field given twice, or a padded encoding", size, hub__message__get_packed_size(m));
        return HUB_EPROTO;
    }
    if (!s_strings_ok(&m->env->base, HUB_MAX_QUERY_TEXT, "envelope", why, whycap))
        return HUB_EPROTO;
    out->sender = m->env->sender;
    out->seq = m->env->seq;
    out->schema_version = m->env->schema_version;
    out->sent_at_ms = m->env->has_sent_at_ms ? m->env->sent_at_ms : 0;
    switch (m->body_case) {
    case HUB__MESSAGE__BODY_BATCH:
        out->kind = MSG_BATCH;
        if (m->batch->n_records > HUB_MAX_BATCH_RECORDS) {
            snprintf(why, whycap, "batch of %zu records is over the limit of %d", m->batch->n_records,
                     HUB_MAX_BATCH_RECORDS);
            return HUB_ETOOBIG;
        }
        out->nrecs = m->batch->n_records;
        out->recs = HUB_CHECK_ALLOC(calloc(out->nrecs ? out->nrecs : 1, sizeof *out->recs));
        for (size_t i = 0; i < out->nrecs; i++) {
            s_decode_record(m->batch->records[i], &out->recs[i]);
            s_pack_body(m->batch->records[i], &out->recs[i]);
        }
        return HUB_OK;
    case HUB__MESSAGE__BODY_HEARTBEAT:
        out->kind = MSG_HEARTBEAT;
        out->heartbeat_s = m->heartbeat->has_interval_s ? m->heartbeat->interval_s : 0;
        out->leaving = m->heartbeat->has_leaving && m->heartbeat->leaving;
        return HUB_OK;
    case HUB__MESSAGE__BODY_QUERY: {
        Hub__Query *q = m->query;
        out->kind = MSG_QUERY;
        if (!s_strings_ok(&q->base, HUB_MAX_QUERY_TEXT, "query", why, whycap))
            return HUB_EINVAL;
        out->query.purpose = q->purpose ? q->purpose : "";
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
        case HUB__QUERY__Q_FACILITIES:
            out->query.kind = QUERY_FACILITIES;
            out->query.community = q->facilities->community;
            return HUB_OK;
        case HUB__QUERY__Q_SEARCH:
            out->query.kind = QUERY_SEARCH;
            out->query.s_name = q->search->name;
            out->query.s_birth = q->search->birth;
            out->query.s_phone = q->search->phone;
            out->query.s_address = q->search->address;
            out->query.limit = q->search->has_limit ? q->search->limit : 0;
            return HUB_OK;
        case HUB__QUERY__Q_HOUSEHOLD:
            out->query.kind = QUERY_HOUSEHOLD;
            out->query.s_name = q->household->number;
            return HUB_OK;
        case HUB__QUERY__Q_RECORDS:
            out->query.kind = QUERY_RECORDS;
            out->query.source = q->records->has_source ? (int)q->records->source : 0;
            out->query.after = q->records->has_after ? q->records->after : 0;
            out->query.limit = q->records->has_limit ? q->records->limit : 0;
            return HUB_OK;
        case HUB__QUERY__Q_EVENTS:
            out->query.kind = QUERY_EVENTS;
            out->query.after = q->events->has_after ? (int64_t)(q->events->after & INT64_MAX) : -1;
            out->query.limit = q->events->has_limit ? q->events->limit : 0;
            out->query.wait_ms = q->events->has_wait_ms ? q->events->wait_ms : 0;
            return HUB_OK;
        case HUB__QUERY__Q_ADMIN:
            out->query.kind = QUERY_ADMIN;
            out->query.command = q->admin->command ? q->admin->command : "";
            out->query.resident_id = q->admin->has_id ? q->admin->id : 0;
            out->query.limit = q->admin->has_limit && q->admin->limit > 0 ? (uint32_t)q->admin->limit : 0;
            out->query.name = q->admin->name;
            out->query.role = q->admin->role;
            out->query.public_key = q->admin->public_key;
            out->query.filter = q->admin->filter;
            out->query.after = q->admin->has_after ? q->admin->after : 0;
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
    s_arena_destroy(m->arena);   /* the decoded message with it */
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

/* An answer in its message, packed. */
static void
s_pack_answer(Hub__Answer *a, uint64_t out_seq, uint8_t **out, size_t *len)
{
    Hub__Message m = HUB__MESSAGE__INIT;
    m.body_case = HUB__MESSAGE__BODY_ANSWER;
    m.answer = a;
    s_pack(&m, out_seq, out, len);
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
codec_encode_report(hub_err_t status, const char *report, uint64_t out_seq, uint8_t **out, size_t *len)
{
    Hub__Answer a = HUB__ANSWER__INIT;
    a.has_status = 1;
    a.status = status;
    if (status != HUB_OK)
        a.error = (char *)hub_strerror(status);
    a.report = (char *)report;
    a.has_done = 1;
    a.done = 1;
    s_pack_answer(&a, out_seq, out, len);
}

void
codec_encode_report_table(const report_t *r, uint64_t out_seq, uint8_t **out, size_t *len)
{
    Hub__Table t = HUB__TABLE__INIT;
    t.n_columns = r->ncols;
    t.columns = (char **)r->columns;
    t.n_cells = r->ncells;
    t.cells = r->cells;
    Hub__Answer a = HUB__ANSWER__INIT;
    a.has_status = a.has_done = 1;
    a.status = HUB_OK;
    a.done = 1;
    a.report = (char *)r->title;
    a.table = &t;
    if (r->verdict >= 0) {
        a.has_verdict = 1;
        a.verdict = (uint32_t)r->verdict;
    }
    s_pack_answer(&a, out_seq, out, len);
}

void
codec_encode_hits(const search_hit_t *hits, size_t n, uint64_t out_seq, uint8_t **out, size_t *len)
{
    Hub__SearchHit *h = HUB_CHECK_ALLOC(calloc(n ? n : 1, sizeof *h));
    Hub__SearchHit **hp = HUB_CHECK_ALLOC(calloc(n ? n : 1, sizeof *hp));
    for (size_t i = 0; i < n; i++) {
        hub__search_hit__init(&h[i]);
        h[i].has_resident_id = h[i].has_score = 1;
        h[i].resident_id = hits[i].resident.v;
        h[i].score = hits[i].score;
        h[i].name = (char *)hits[i].name;
        h[i].birth_date = (char *)hits[i].birth;
        h[i].community = (char *)hits[i].community;
        h[i].why = (char *)hits[i].why;
        hp[i] = &h[i];
    }
    Hub__Answer a = HUB__ANSWER__INIT;
    a.has_status = 1;
    a.status = HUB_OK;
    a.n_hits = n;
    a.hits = hp;
    a.has_done = 1;
    a.done = 1;
    s_pack_answer(&a, out_seq, out, len);
    free(hp);
    free(h);
}

const ProtobufCMessage *
codec_payload(const Hub__Record *r)
{
    switch (r->payload_case) {
    case HUB__RECORD__PAYLOAD_POLICE: return &r->police->base;
    case HUB__RECORD__PAYLOAD_FAMILY_PLANNING: return &r->family_planning->base;
    case HUB__RECORD__PAYLOAD_LABOUR: return &r->labour->base;
    case HUB__RECORD__PAYLOAD_CIVIL_AFFAIRS: return &r->civil_affairs->base;
    case HUB__RECORD__PAYLOAD_FACILITY: return &r->facility->base;
    default: return NULL;
    }
}

void
codec_encode_records(const int64_t *ids, uint8_t *const *bodies, const size_t *lens, size_t n, int64_t next_after,
                     bool done, uint64_t out_seq, uint8_t **out, size_t *len)
{
    Hub__StoredRecord *sr = HUB_CHECK_ALLOC(calloc(n ? n : 1, sizeof *sr));
    Hub__StoredRecord **srp = HUB_CHECK_ALLOC(calloc(n ? n : 1, sizeof *srp));
    Hub__Record **recs = HUB_CHECK_ALLOC(calloc(n ? n : 1, sizeof *recs));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(recs[k] = hub__record__unpack(NULL, lens[i], bodies[i])))
            continue;   /* (stored as received: always decodes) */
        hub__stored_record__init(&sr[k]);
        sr[k].has_record_id = 1;
        sr[k].record_id = ids[i];
        sr[k].record = recs[k];
        srp[k] = &sr[k];
        k++;
    }
    Hub__Answer a = HUB__ANSWER__INIT;
    a.has_status = a.has_done = a.has_next_after = 1;
    a.status = HUB_OK;
    a.done = done;
    a.next_after = next_after;
    a.n_records = k;
    a.records = srp;
    s_pack_answer(&a, out_seq, out, len);
    for (size_t i = 0; i < k; i++)
        hub__record__free_unpacked(recs[i], NULL);
    free(recs);
    free(srp);
    free(sr);
}

void
codec_encode_events(const change_row_t *rows, size_t n, int64_t after, int64_t to, int64_t last, uint64_t out_seq,
                    uint8_t **out, size_t *len)
{
    Hub__Event *e = HUB_CHECK_ALLOC(calloc(n ? n : 1, sizeof *e));
    Hub__Event **ep = HUB_CHECK_ALLOC(calloc(n ? n : 1, sizeof *ep));
    for (size_t i = 0; i < n; i++) {
        const change_row_t *c = &rows[i];
        hub__event__init(&e[i]);
        e[i].has_event_seq = e[i].has_at_ms = 1;
        e[i].event_seq = (uint64_t)c->seq;
        e[i].at_ms = c->at_ms;
        e[i].kind = (char *)c->kind;
        e[i].has_resident_id = c->resident.v != 0;
        e[i].resident_id = c->resident.v;
        e[i].has_other_resident = c->other.v != 0;
        e[i].other_resident = c->other.v;
        e[i].has_source = c->source != 0;
        e[i].source = (Hub__Department)c->source;
        e[i].community = (char *)c->community;
        e[i].source_key = (char *)c->source_key;
        e[i].field = (char *)c->field;
        e[i].old_value = (char *)c->old_value;
        e[i].new_value = (char *)c->new_value;
        ep[i] = &e[i];
    }
    Hub__Answer a = HUB__ANSWER__INIT;
    a.has_status = a.has_done = a.has_events_to = a.has_events_last = a.has_events_after = 1;
    a.events_after = (uint64_t)after;
    a.status = HUB_OK;
    a.done = 1;
    a.n_events = n;
    a.events = ep;
    a.events_to = (uint64_t)to;
    a.events_last = (uint64_t)last;
    s_pack_answer(&a, out_seq, out, len);
    free(ep);
    free(e);
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
    s_pack_answer(&a, out_seq, out, len);
}

/* The golden record of a view into r (freed by s_golden_free). */
static void
s_golden(const resident_view_t *v, Hub__Resident *r)
{
    r->n_golden = v->ngolden;
    r->golden = HUB_CHECK_ALLOC(calloc(v->ngolden ? v->ngolden : 1, sizeof *r->golden));
    for (size_t g = 0; g < v->ngolden; g++) {
        const golden_item_t *it = &v->golden[g];
        Hub__GoldenField *f = HUB_CHECK_ALLOC(malloc(sizeof *f));
        hub__golden_field__init(f);
        f->field = (char *)it->field;
        f->value = (char *)it->value;
        f->has_source = 1;
        f->source = (Hub__Department)it->source;
        f->n_others = it->nothers;
        f->others = HUB_CHECK_ALLOC(calloc(it->nothers ? it->nothers : 1, sizeof *f->others));
        for (size_t k = 0; k < it->nothers; k++) {
            Hub__GoldenValue *o = HUB_CHECK_ALLOC(malloc(sizeof *o));
            hub__golden_value__init(o);
            o->value = (char *)it->others[k].value;
            o->has_source = 1;
            o->source = (Hub__Department)it->others[k].source;
            f->others[k] = o;
        }
        r->golden[g] = f;
    }
}

static void
s_golden_free(Hub__Resident *r)
{
    for (size_t g = 0; g < r->n_golden; g++) {
        for (size_t k = 0; k < r->golden[g]->n_others; k++)
            free(r->golden[g]->others[k]);
        free(r->golden[g]->others);
        free(r->golden[g]);
    }
    free(r->golden);
}

void
codec_mask_idno(char *s)
{
    size_t n = s ? strlen(s) : 0;
    for (size_t i = 0; i < n; i++)
        if (n <= 10 || (i >= 6 && i < n - 4))
            s[i] = '*';
}

/* Apply policy to a record's payload: mask numbers, drop sensitive fields. */
static void
s_apply_policy(Hub__Record *r, const view_policy_t *policy)
{
    const ProtobufCFieldDescriptor *pf = protobuf_c_message_descriptor_get_field(&hub__record__descriptor,
                                                                                  (unsigned)r->payload_case);
    if (!pf)
        return;
    ProtobufCMessage *payload = *(ProtobufCMessage **)((char *)r + pf->offset);
    if (!payload)
        return;
    const ProtobufCMessageDescriptor *d = payload->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE || f->label == PROTOBUF_C_LABEL_REPEATED
            || f->descriptor != &hub__field__descriptor)
            continue;
        Hub__Field **slot = (Hub__Field **)((char *)payload + f->offset);
        if (!*slot)
            continue;
        if (facts_sensitive(pf->name, f->name) && policy->sensitive_department != (int)r->source) {
            hub__field__free_unpacked(*slot, NULL);
            *slot = NULL;
        } else if (policy->mask_idno && (strcmp(f->name, "idno") == 0 || strcmp(f->name, "doc_no") == 0)) {
            codec_mask_idno((*slot)->raw);
            codec_mask_idno((*slot)->norm);
        }
    }
    if (policy->mask_idno && r->source == HUB__DEPARTMENT__POLICE)
        codec_mask_idno(r->source_key);   /* the police key is the number */
}

void
codec_encode_residents(const resident_view_t *views, size_t n, const view_policy_t *policy, uint64_t out_seq,
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
        if (views[i].asked.v) {
            res[i].has_asked_id = 1;
            res[i].asked_id = views[i].asked.v;
        }
        s_golden(&views[i], &res[i]);
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
            if (recs[k])
                s_apply_policy(recs[k], policy);
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
    s_pack_answer(&a, out_seq, out, len);
    for (size_t i = 0; i < nrecs; i++)
        if (recs[i]) {
            recs[i]->origin = NULL;   /* ours, not the unpacker's */
            hub__record__free_unpacked(recs[i], NULL);
        }
    for (size_t i = 0; i < n; i++)
        s_golden_free(&res[i]);
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
    s_pack_answer(&a, out_seq, out, len);
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
    s_pack_answer(&a, out_seq, out, len);
    free(lp);
    free(links);
}

void
codec_encode_facilities(const facility_row_t *rows, size_t n, bool done, uint64_t out_seq,
                        uint8_t **out, size_t *len)
{
    Hub__Facility *fac = HUB_CHECK_ALLOC(calloc(n ? n : 1, sizeof *fac));
    Hub__Facility **fp = HUB_CHECK_ALLOC(calloc(n ? n : 1, sizeof *fp));
    char **copies = HUB_CHECK_ALLOC(calloc(n ? n : 1, sizeof *copies));
    for (size_t i = 0; i < n; i++) {
        const facility_row_t *r = &rows[i];
        Hub__Facility *f = &fac[i];
        hub__facility__init(f);
        f->has_record_id = 1;
        f->record_id = r->record.v;
        f->facility_no = r->facility_no;
        f->name = r->name;
        f->type = r->type;
        f->address = r->address;
        f->has_floor_area = r->has_floor_area;
        f->floor_area = r->floor_area;
        f->authority = r->authority;
        f->status = r->status;
        if (r->communities && *r->communities) {   /* "a,b,c" -> repeated string, in place in a copy */
            copies[i] = HUB_CHECK_ALLOC(strdup(r->communities));
            size_t k = 1;
            for (const char *c = copies[i]; *c; c++)
                k += *c == ',';
            f->communities = HUB_CHECK_ALLOC(calloc(k, sizeof *f->communities));
            for (char *c = copies[i], *next; c; c = next) {
                next = strchr(c, ',');
                if (next)
                    *next++ = 0;
                f->communities[f->n_communities++] = c;
            }
        }
        fp[i] = f;
    }
    Hub__Answer a = HUB__ANSWER__INIT;
    a.has_status = 1;
    a.status = HUB_OK;
    a.n_facilities = n;
    a.facilities = fp;
    a.has_done = 1;
    a.done = done;
    s_pack_answer(&a, out_seq, out, len);
    for (size_t i = 0; i < n; i++) {
        free(fac[i].communities);
        free(copies[i]);
    }
    free(copies);
    free(fp);
    free(fac);
}

/* ---------------------------------------------------------------------- */
/* Facts: every value re-normalised by the hub (adapters' norms are not     */
/* trusted, except a community code that is not flagged unmapped).         */

/* Tidied text (norm_text), or NULL when absent or blank. */
static const char *
s_fact_text(facts_t *f, const Hub__Field *v)
{
    const char *raw = s_raw(v);
    if (!raw)
        return NULL;
    size_t cap = strlen(raw) + 1;
    char *out = facts_strbuf(f, cap);
    return norm_text(raw, out, cap) ? out : NULL;
}

/* A department's key or document number (norm_key: tidied, no spaces). */
static const char *
s_fact_key(facts_t *f, const Hub__Field *v)
{
    const char *raw = s_raw(v);
    if (!raw)
        return NULL;
    size_t cap = strlen(raw) + 1;
    char *out = facts_strbuf(f, cap);
    return norm_key(raw, out, cap) ? out : NULL;
}

/* A present value that did not normalise: keep its tidied raw text. */
static void
s_fact_bad(facts_t *f, const char *name, const Hub__Field *v)
{
    const char *t = s_fact_text(f, v);
    if (t)
        facts_add_raw(f, name, t);
}

static const char *
s_fact_date(facts_t *f, const char *name, const Hub__Field *v)
{
    char ymd[11];
    if (!s_raw(v))
        return NULL;
    if (norm_date(v->raw, ymd))
        return facts_strndup(f, ymd, 10);
    s_fact_bad(f, name, v);
    return NULL;
}

static const char *
s_fact_phone(facts_t *f, const char *name, const Hub__Field *v)
{
    char digits[32];
    if (!s_raw(v))
        return NULL;
    if (norm_phone(v->raw, digits, sizeof digits))
        return facts_strndup(f, digits, strlen(digits));
    s_fact_bad(f, name, v);
    return NULL;
}

static const char *
s_fact_gender(facts_t *f, const char *name, const Hub__Field *v)
{
    char mf;
    if (!s_raw(v))
        return NULL;
    if (norm_gender(v->raw, &mf))
        return mf == 'M' ? "M" : "F";
    s_fact_bad(f, name, v);
    return NULL;
}

static void
s_fact_count(facts_t *f, const char *name, const Hub__Field *v, int64_t max, fact_int_t *out)
{
    if (!s_raw(v))
        return;
    out->set = facts_count(v->raw, max, &out->v);
    if (!out->set)
        s_fact_bad(f, name, v);
}

static void
s_fact_amount(facts_t *f, const char *name, const Hub__Field *v, fact_int_t *out)
{
    if (!s_raw(v))
        return;
    out->set = facts_amount_fen(v->raw, &out->v);
    if (!out->set)
        s_fact_bad(f, name, v);
}

static bool
s_unmapped(const Hub__Field *v)
{
    return v->has_flags && (v->flags & HUB__FIELD_FLAG__FIELD_UNMAPPED);
}

/* The adapter's code (or the raw text, when the adapter sent no norm
** because it equals the raw) when it is a 12-digit code and not flagged
** unmapped: the hub has no community list of its own yet. */
static const char *
s_fact_community(facts_t *f, const char *name, const Hub__Field *v)
{
    if (!s_raw(v))
        return NULL;
    const char *code = v->norm ? v->norm : s_fact_text(f, v);
    if (!s_unmapped(v) && facts_is_community_code(code))
        return facts_strndup(f, code, 12);
    s_fact_bad(f, name, v);
    return NULL;
}

/* A facility's communities: every 12-digit code of the adapter's
** comma-separated norm. Unlike a person's single community, the codes
** found are kept even when the field is flagged unmapped (one name of
** several was not found); the raw text is then kept as well. */
static void
s_fact_communities(facts_t *f, const char *name, const Hub__Field *v)
{
    if (!s_raw(v))
        return;
    const char *codes = v->norm ? v->norm : s_fact_text(f, v);
    bool bad = s_unmapped(v) || !codes;
    for (const char *c = codes; c && *c;) {
        const char *end = strchr(c, ',');
        size_t n = end ? (size_t)(end - c) : strlen(c);
        char *part = facts_strndup(f, c, n);
        if (facts_is_community_code(part))
            facts_add_community(f, part);
        else
            bad = true;
        c = end ? end + 1 : c + n;
    }
    if (bad || f->facility.ncommunities == 0)
        s_fact_bad(f, name, v);
}

static void
s_facts_police(const Hub__PoliceRecord *p, facts_t *f)
{
    person_facts_t *pe = &f->person;
    police_facts_t *po = &f->police;
    pe->name = s_fact_text(f, p->name);
    pe->gender = s_fact_gender(f, "gender", p->gender);
    pe->birth_date = s_fact_date(f, "birth_date", p->birth_date);
    pe->ethnicity = s_fact_text(f, p->ethnicity);
    pe->community_code = s_fact_community(f, "community", p->community);
    pe->phone = s_fact_phone(f, "phone", p->phone);
    po->household_no = s_fact_key(f, p->household_no);
    po->relation = s_fact_text(f, p->relation);
    po->category = s_fact_text(f, p->category);
    po->status = s_fact_text(f, p->status);
    po->change_type = s_fact_text(f, p->change_type);
    po->change_date = s_fact_date(f, "change_date", p->change_date);
    po->registered_address = s_fact_text(f, p->registered_address);
    po->current_address = s_fact_text(f, p->current_address);
    po->former_name = s_fact_text(f, p->former_name);
    /* 现住址 is empty when the person lives at the registered address */
    pe->address = po->current_address ? po->current_address : po->registered_address;
}

static void
s_facts_family_planning(const Hub__FamilyPlanningRecord *p, facts_t *f)
{
    person_facts_t *pe = &f->person;
    fp_facts_t *fp = &f->fp;
    pe->name = s_fact_text(f, p->name);
    pe->gender = s_fact_gender(f, "gender", p->gender);
    pe->birth_date = s_fact_date(f, "birth_date", p->birth_date);
    pe->community_code = s_fact_community(f, "community", p->community);
    pe->address = s_fact_text(f, p->address);
    pe->phone = s_fact_phone(f, "phone", p->phone);
    fp->record_no = s_fact_key(f, p->record_no);
    fp->person_type = s_fact_text(f, p->person_type);
    fp->linked_record_no = s_fact_key(f, p->linked_record_no);
    fp->marital_status = s_fact_text(f, p->marital_status);
    s_fact_count(f, "children_count", p->children_count, 30, &fp->children_count);
    fp->certificate_no = s_fact_key(f, p->certificate_no);
    fp->contraception = s_fact_text(f, p->contraception);   /* text: never in raws */
}

static void
s_facts_labour(const Hub__LabourRecord *p, facts_t *f)
{
    person_facts_t *pe = &f->person;
    labour_facts_t *l = &f->labour;
    pe->name = s_fact_text(f, p->name);
    pe->gender = s_fact_gender(f, "gender", p->gender);
    pe->birth_date = s_fact_date(f, "birth_date", p->birth_date);
    pe->ethnicity = s_fact_text(f, p->ethnicity);
    pe->community_code = s_fact_community(f, "community", p->community);
    pe->address = s_fact_text(f, p->address);
    pe->phone = s_fact_phone(f, "phone", p->phone);
    l->reg_no = s_fact_key(f, p->reg_no);
    l->education = s_fact_text(f, p->education);
    l->employment_status = s_fact_text(f, p->employment_status);
    l->status_date = s_fact_date(f, "status_date", p->status_date);
    l->reemployed_date = s_fact_date(f, "reemployed_date", p->reemployed_date);
    l->unemployment_cert = s_fact_key(f, p->unemployment_cert);
    for (size_t k = 0; k < p->n_training; k++) {
        const Hub__Training *t = p->training[k];
        char name[48];
        snprintf(name, sizeof name, "training[%zu].end_date", k + 1);
        training_fact_t *tf = facts_add_training(f);
        if (!t)
            continue;
        tf->course = s_fact_text(f, t->course);
        tf->end_date = s_fact_date(f, name, t->end_date);
    }
}

static void
s_facts_civil_affairs(const Hub__CivilAffairsRecord *p, facts_t *f)
{
    person_facts_t *pe = &f->person;
    civil_facts_t *c = &f->civil;
    pe->name = s_fact_text(f, p->name);
    pe->gender = s_fact_gender(f, "gender", p->gender);
    s_fact_count(f, "age", p->age, 150, &pe->age);
    pe->community_code = s_fact_community(f, "community", p->community);
    pe->address = s_fact_text(f, p->address);
    pe->phone = s_fact_phone(f, "phone", p->phone);
    c->street = s_fact_text(f, p->street);
    c->head_name = s_fact_text(f, p->head_name);
    c->doc_type = s_fact_text(f, p->doc_type);
    c->doc_no = s_fact_key(f, p->doc_no);
    c->category = s_fact_text(f, p->category);
    s_fact_count(f, "covered_count", p->covered_count, 1000, &c->covered_count);
    s_fact_amount(f, "monthly_amount", p->monthly_amount, &c->monthly_amount_fen);
    c->start_date = s_fact_date(f, "start_date", p->start_date);
    c->status = s_fact_text(f, p->status);
}

static void
s_facts_facility(const Hub__FacilityRecord *p, facts_t *f)
{
    facility_facts_t *fa = &f->facility;
    fa->facility_no = s_fact_key(f, p->facility_no);
    fa->name = s_fact_text(f, p->name);
    fa->type = s_fact_text(f, p->type);
    fa->address = s_fact_text(f, p->address);
    if (s_raw(p->floor_area)) {
        fa->has_floor_area = facts_area_m2(p->floor_area->raw, &fa->floor_area);
        if (!fa->has_floor_area)
            s_fact_bad(f, "floor_area", p->floor_area);
    }
    fa->authority = s_fact_text(f, p->authority);
    fa->status = s_fact_text(f, p->status);
    s_fact_communities(f, "communities", p->communities);
}

static void
s_facts(const Hub__Record *r, facts_t *f)
{
    switch (r->payload_case) {
    case HUB__RECORD__PAYLOAD_POLICE:
        facts_init(f, FACTS_POLICE);
        s_facts_police(r->police, f);
        break;
    case HUB__RECORD__PAYLOAD_FAMILY_PLANNING:
        facts_init(f, FACTS_FAMILY_PLANNING);
        s_facts_family_planning(r->family_planning, f);
        break;
    case HUB__RECORD__PAYLOAD_LABOUR:
        facts_init(f, FACTS_LABOUR);
        s_facts_labour(r->labour, f);
        break;
    case HUB__RECORD__PAYLOAD_CIVIL_AFFAIRS:
        facts_init(f, FACTS_CIVIL_AFFAIRS);
        s_facts_civil_affairs(r->civil_affairs, f);
        break;
    case HUB__RECORD__PAYLOAD_FACILITY:
        facts_init(f, FACTS_FACILITY);
        s_facts_facility(r->facility, f);
        break;
    default:
        facts_init(f, FACTS_NONE);
        break;
    }
}

void
codec_record_facts(const msg_t *m, size_t i, facts_t *out)
{
    const Hub__Message *pb = m->pb;
    if (!pb || pb->body_case != HUB__MESSAGE__BODY_BATCH || i >= pb->batch->n_records) {
        facts_init(out, FACTS_NONE);
        return;
    }
    s_facts(pb->batch->records[i], out);
}

hub_err_t
codec_body_idno(const uint8_t *body, size_t len, char *raw, size_t cap)
{
    Hub__Record *r = hub__record__unpack(NULL, len, body);
    if (!r) {
        raw[0] = 0;
        return HUB_EPROTO;
    }
    const char *idno = NULL;
    s_payload(r, &idno);
    snprintf(raw, cap, "%s", idno ? idno : "");
    hub__record__free_unpacked(r, NULL);
    return HUB_OK;
}

hub_err_t
codec_body_facts(const uint8_t *body, size_t len, facts_t *out)
{
    Hub__Record *r = hub__record__unpack(NULL, len, body);
    if (!r) {
        facts_init(out, FACTS_NONE);
        return HUB_EPROTO;
    }
    s_facts(r, out);
    hub__record__free_unpacked(r, NULL);
    return HUB_OK;
}

hub_err_t
codec_wrap_record(const char *sender, uint64_t seq, const uint8_t *body, size_t body_len, uint8_t **out,
                  size_t *len)
{
    Hub__Record *rec = hub__record__unpack(NULL, body_len, body);
    if (!rec)
        return HUB_EPROTO;
    Hub__Batch batch = HUB__BATCH__INIT;
    batch.n_records = 1;
    batch.records = &rec;
    Hub__Envelope env = HUB__ENVELOPE__INIT;
    env.sender = (char *)sender;
    env.has_seq = env.has_schema_version = 1;
    env.seq = seq;
    env.schema_version = HUB_SCHEMA_VERSION;
    Hub__Message m = HUB__MESSAGE__INIT;
    m.env = &env;
    m.body_case = HUB__MESSAGE__BODY_BATCH;
    m.batch = &batch;
    *len = hub__message__get_packed_size(&m);
    *out = HUB_CHECK_ALLOC(malloc(*len ? *len : 1));
    hub__message__pack(&m, *out);
    hub__record__free_unpacked(rec, NULL);
    return HUB_OK;
}

uint64_t
codec_peek_seq(const uint8_t *data, size_t size)
{
    /* Message field 1 (env), length-delimited, is packed first: tag 0x0A, a varint length, the envelope */
    if (size < 2 || data[0] != 0x0A)
        return 0;
    uint64_t n = 0;
    size_t i = 1;
    for (int shift = 0; i < size && shift < 64; shift += 7) {
        n |= (uint64_t)(data[i] & 0x7F) << shift;
        if (!(data[i++] & 0x80))
            break;
    }
    if (n > size - i || n > 4096)
        return 0;
    Hub__Envelope *env = hub__envelope__unpack(NULL, (size_t)n, data + i);
    uint64_t seq = env && env->has_seq ? env->seq : 0;
    if (env)
        hub__envelope__free_unpacked(env, NULL);
    return seq;
}
