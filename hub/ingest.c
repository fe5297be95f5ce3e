/* ingest.c: frames from adapters into the open transaction (see ingest.h). */
#define _POSIX_C_SOURCE 200809L
#include "ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "changes.h"
#include "codec.h"
#include "facts.h"
#include "log.h"
#include "resolve.h"

#define RATE_SECONDS 60
#define BACKFILL_CHUNK 2000

struct ingest {
    store_t *store;
    resolver_t *resolver;
    long max_bytes;
    uint64_t out_seq;
    int64_t rate_sec[RATE_SECONDS];   /* which second each bucket holds */
    int64_t rate_count[RATE_SECONDS];
    double stage_s[INGEST_STAGES];
};

const char *const ingest_stage_names[INGEST_STAGES] = {"decode", "normalise", "match", "store"};

static double
s_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The time since *t goes to stage; *t becomes now. */
static void
s_stage(ingest_t *self, ingest_stage_t stage, double *t)
{
    double now = s_seconds();
    self->stage_s[stage] += now - *t;
    *t = now;
}

void
ingest_stage_seconds(const ingest_t *self, double out[INGEST_STAGES])
{
    memcpy(out, self->stage_s, sizeof self->stage_s);
}

/* One transaction of the facts backfill: up to BACKFILL_CHUNK pending
** records. Sets *n to how many were taken off the list. */
static hub_err_t
s_backfill_chunk(ingest_t *self, size_t *n, size_t *unreadable)
{
    record_body_t *rows = NULL;
    *n = 0;
    hub_err_t err = store_begin(self->store);
    if (err == HUB_OK)
        err = store_facts_pending(self->store, BACKFILL_CHUNK, &rows, n);
    for (size_t i = 0; err == HUB_OK && i < *n; i++) {
        facts_t facts;
        if (codec_body_facts(rows[i].body, rows[i].body_len, &facts) == HUB_OK)
            err = store_facts_put(self->store, rows[i].id, &facts);
        else
            ++*unreadable;   /* nothing to extract; the blob stays as it is */
        facts_fini(&facts);
        if (err == HUB_OK)
            err = store_facts_pending_done(self->store, rows[i].id);
    }
    store_bodies_free(rows, *n);
    if (err == HUB_OK)
        err = store_commit(self->store);
    if (err != HUB_OK)
        store_rollback(self->store);
    return err;
}

/* Give records stored before the registry kept facts their facts. A
** failure leaves the rest pending for the next start. */
static void
s_backfill(ingest_t *self)
{
    size_t total = 0, unreadable = 0, n;
    hub_err_t err;
    while ((err = s_backfill_chunk(self, &n, &unreadable)) == HUB_OK && n > 0)
        total += n;
    if (err != HUB_OK)
        log_error("HUB-FACTS-BACKFILL-FAILED", LOG_I("records", total), LOG_S("err", hub_errname(err)));
    else if (total > 0)
        log_notice("HUB-FACTS-BACKFILL", LOG_I("records", total), LOG_I("unreadable", unreadable));
}

ingest_t *
ingest_new(store_t *writer, long max_message_bytes, const match_weights_t *weights)
{
    ingest_t *self = HUB_CHECK_ALLOC(calloc(1, sizeof *self));
    self->store = writer;
    self->max_bytes = max_message_bytes;
    self->resolver = resolver_new(writer, weights);
    s_backfill(self);
    return self;
}

void
ingest_destroy(ingest_t **self_p)
{
    if (*self_p)
        resolver_destroy(&(*self_p)->resolver);
    free(*self_p);
    *self_p = NULL;
}

static void
s_nack(ingest_t *self, uint64_t seq, int status, hub_err_t code, const char *why, ingest_reply_t *reply)
{
    ack_t ack = {.seq = seq, .status = status, .code = code, .reason = why};
    reply->seq = seq;
    codec_encode_ack(&ack, ++self->out_seq, &reply->frame, &reply->len);
}

void
ingest_retry_frame(ingest_t *self, uint64_t seq, hub_err_t why, uint8_t **frame, size_t *len)
{
    ack_t ack = {.seq = seq, .status = ACK_RETRY, .code = why, .reason = hub_strerror(why)};
    codec_encode_ack(&ack, ++self->out_seq, frame, len);
}

/* The whole frame is unusable: keep it, say why, answer no. */
static hub_err_t
s_refuse(ingest_t *self, const principal_t *who, uint64_t seq, hub_err_t code, const char *why,
         const uint8_t *data, size_t size, int64_t now_ms, ingest_reply_t *reply)
{
    log_warn("HUB-INGEST-REFUSE", LOG_S("principal", who->name), LOG_I("seq", seq),
             LOG_S("err", hub_errname(code)), LOG_S("reason", why), LOG_I("bytes", size));
    hub_err_t err = store_quarantine_put(self->store, now_ms, who->name, seq, -1, code, why, data, size);
    if (err != HUB_OK)
        return err;
    s_nack(self, seq, ACK_REJECTED, code, why, reply);
    return HUB_OK;
}

hub_err_t
ingest_check_record(const principal_t *who, const rec_t *rec, const char **reason)
{
    *reason = rec->why;
    if (rec->err != HUB_OK)
        return rec->err;
    if (rec->source != who->department) {
        *reason = "an adapter may write only its own department's records";
        return HUB_EDENIED;
    }
    return HUB_OK;
}

/* The change events of a record just stored as its key's current version
** (changes.h), and resident.created when resolution made a resident for it. */
static hub_err_t
s_changes(ingest_t *self, const rec_t *rec, const store_version_t *version, const facts_t *facts,
          resident_id_t resident, bool created, int64_t now_ms)
{
    facts_t old;
    bool had_old = false;
    hub_err_t err = HUB_OK;
    if (version->other.v) {   /* the version it replaces */
        int source;
        char origin[256];
        uint8_t *body = NULL;
        size_t len = 0;
        if ((err = store_record_body(self->store, version->other, &source, origin, sizeof origin, &body, &len)) != HUB_OK)
            return err;
        had_old = codec_body_facts(body, len, &old) == HUB_OK;
        free(body);
    }
    change_t changes[CHANGES_MAX];
    size_t n = changes_diff(had_old ? &old : NULL, facts, changes, CHANGES_MAX);
    const char *community = facts->kind == FACTS_FACILITY
                                ? (facts->facility.ncommunities ? facts->facility.communities[0] : NULL)
                                : facts->person.community_code;
    change_row_t c = {.at_ms = now_ms, .resident = resident, .community = community, .source = rec->source,
                      .source_key = rec->source_key};
    if (created) {
        c.kind = "resident.created";
        err = store_change_put(self->store, &c);
    }
    for (size_t i = 0; i < n && err == HUB_OK; i++) {
        c.kind = changes[i].kind;
        c.field = changes[i].field;
        c.old_value = changes[i].old_value;
        c.new_value = changes[i].new_value;
        c.sensitive = changes[i].sensitive;
        err = store_change_put(self->store, &c);
    }
    if (err == HUB_OK && resident.v)   /* the cross-department checks look again (a record */
        err = store_rules_dirty(self->store, resident);   /* that starts nothing may still complete a finding) */
    /* a household's members too: a rule reads the others (a conscript-age member) */
    if (err == HUB_OK && facts->kind == FACTS_POLICE && facts->police.household_no && *facts->police.household_no)
        err = store_rules_dirty_household(self->store, facts->police.household_no);
    if (err == HUB_OK && had_old && old.kind == FACTS_POLICE && old.police.household_no && *old.police.household_no
        && (!facts->police.household_no || strcmp(old.police.household_no, facts->police.household_no)))
        err = store_rules_dirty_household(self->store, old.police.household_no);
    if (had_old)
        facts_fini(&old);
    return err;
}

/* One record: validated, duplicate, or resolved and stored. */
static hub_err_t
s_record(ingest_t *self, const principal_t *who, const msg_t *m, size_t i, int64_t now_ms,
         rec_result_t *res)
{
    const rec_t *rec = &m->recs[i];
    res->code = ingest_check_record(who, rec, &res->reason);
    if (res->code != HUB_OK) {
        res->result = RESULT_REJECTED;
        log_warn("HUB-INGEST-REJECT", LOG_S("principal", who->name), LOG_I("seq", m->seq),
                 LOG_I("index", i), LOG_S("err", hub_errname(res->code)), LOG_S("reason", res->reason));
        return store_quarantine_put(self->store, now_ms, who->name, m->seq, (int)i, res->code, res->reason,
                                    rec->body, rec->body_len);
    }
    record_id_t id;
    double t = s_seconds();
    hub_err_t err = store_record_seen(self->store, rec, &id, &res->resident);
    if (err == HUB_OK) {
        res->result = RESULT_DUPLICATE;
        err = store_record_touch(self->store, id, rec);
        s_stage(self, STAGE_STORE, &t);
        return err;
    }
    s_stage(self, STAGE_STORE, &t);
    if (err != HUB_ENOTFOUND)
        return err;
    facts_t facts;
    codec_record_facts(m, i, &facts);
    char idno[NORM_IDNO_SIZE], typed[NORM_IDNO_SIZE];
    norm_idno_status_t status = resolve_idno(rec, &facts, now_ms, idno, typed, NULL);
    s_stage(self, STAGE_NORMALISE, &t);
    store_put_t put = {
        .rec = rec,
        .idno = idno[0] ? idno : NULL,
        .idno_status = (int)status,
        .sender = who->name,
        .batch_seq = m->seq,
        .received_ms = now_ms,
    };
    store_version_t version;
    res->result = RESULT_ACCEPTED;
    err = store_record_put(self->store, &put, &id, &version);
    if (err == HUB_OK)
        err = store_facts_put(self->store, id, &facts);
    s_stage(self, STAGE_STORE, &t);
    bool created = false;
    if (err == HUB_OK && rec->person) {
        err = resolver_add(self->resolver, rec, id, &facts, &version, now_ms, &res->resident, &created);
        s_stage(self, STAGE_MATCH, &t);
    }
    if (err == HUB_OK && version.current)
        err = s_changes(self, rec, &version, &facts, res->resident, created, now_ms);
    s_stage(self, STAGE_STORE, &t);
    facts_fini(&facts);
    return err;
}

/* A batch is known by (sender, seq): the same bytes again are a replay and
** get the stored ack; other bytes under a used seq are refused (the first
** batch and its ack stay); a seq below the sender's highest is taken and
** logged (a resend after a failed commit can arrive so); a gap is normal
** (heartbeats and restarts use seqs too). */
static hub_err_t
s_batch(ingest_t *self, const principal_t *who, const msg_t *m, const uint8_t *data, size_t size, int64_t now_ms,
        ingest_reply_t *reply)
{
    uint64_t highest = 0;
    double t = s_seconds();
    hub_err_t err = store_batch_ack(self->store, who->name, m->seq, m->digest, &reply->frame, &reply->len, &highest);
    s_stage(self, STAGE_STORE, &t);
    if (err == HUB_OK) {  /* delivered again: the same answer as the first time */
        log_info("HUB-INGEST-REPLAY", LOG_S("principal", who->name), LOG_I("seq", m->seq));
        return HUB_OK;
    }
    if (err == HUB_ESEQ) {
        char why[200];
        snprintf(why, sizeof why, "seq %llu was used for another batch already; this one is not stored",
                 (unsigned long long)m->seq);
        return s_refuse(self, who, m->seq, HUB_ESEQ, why, data, size, now_ms, reply);
    }
    if (err != HUB_ENOTFOUND)
        return err;
    if (m->seq < highest)
        log_warn("HUB-INGEST-SEQ-BACK", LOG_S("principal", who->name), LOG_I("seq", m->seq),
                   LOG_I("highest", highest));
    rec_result_t *results = HUB_CHECK_ALLOC(calloc(m->nrecs ? m->nrecs : 1, sizeof *results));
    int *c = reply->counts;
    c[0] = (int)m->nrecs;
    for (size_t i = 0; i < m->nrecs && err == HUB_ENOTFOUND; i++) {
        hub_err_t rc = s_record(self, who, m, i, now_ms, &results[i]);
        if (rc != HUB_OK)   /* (ENOTFOUND here means "go on": a record's is a failure) */
            err = rc == HUB_ENOTFOUND ? HUB_EDB : rc;
        else
            c[results[i].result]++;
    }
    if (err == HUB_ENOTFOUND) {   /* what the batch's records woke, once each */
        double t0 = s_seconds();
        hub_err_t rc = resolver_flush(self->resolver, now_ms);
        s_stage(self, STAGE_MATCH, &t0);
        if (rc != HUB_OK)
            err = rc;
    } else {
        resolver_discard(self->resolver);
    }
    if (err == HUB_ENOTFOUND) {
        ack_t ack = {.seq = m->seq, .status = ACK_OK, .results = results, .n = m->nrecs};
        codec_encode_ack(&ack, ++self->out_seq, &reply->frame, &reply->len);
        t = s_seconds();
        err = store_batch_put(self->store, who->name, m->seq, now_ms, c, m->digest, reply->frame, reply->len);
        s_stage(self, STAGE_STORE, &t);
        log_debug("HUB-INGEST-BATCH", LOG_S("principal", who->name), LOG_I("seq", m->seq),
                  LOG_I("records", c[0]), LOG_I("accepted", c[1]), LOG_I("duplicates", c[2]),
                  LOG_I("rejected", c[3]));
    }
    free(results);
    return err;
}

hub_err_t
ingest_check_frame(const principal_t *who, long max_bytes, const uint8_t *data, size_t size, msg_t *m,
                   char *why, size_t whycap)
{
    if ((long)size > max_bytes) {
        memset(m, 0, sizeof *m);
        snprintf(why, whycap, "message of %zu bytes is over the limit of %ld", size, max_bytes);
        return HUB_ETOOBIG;
    }
    hub_err_t code = codec_decode(data, size, m, why, whycap);
    if (code != HUB_OK)
        return code;
    if (m->schema_version != HUB_SCHEMA_VERSION) {
        snprintf(why, whycap, "schema version %u is not the hub's %d", m->schema_version, HUB_SCHEMA_VERSION);
        return HUB_EVERSION;
    }
    if (strcmp(m->sender, who->name) != 0) {
        snprintf(why, whycap, "envelope sender is not the authenticated principal");
        return HUB_EDENIED;
    }
    if (m->kind == MSG_QUERY) {
        snprintf(why, whycap, "queries go to the query endpoint, not ingest");
        return HUB_EPROTO;
    }
    return HUB_OK;
}

hub_err_t
ingest_frame(ingest_t *self, const principal_t *who, const uint8_t *data, size_t size,
             int64_t now_ms, ingest_reply_t *reply)
{
    memset(reply, 0, sizeof *reply);
    char why[200];
    msg_t m;
    double t = s_seconds();
    hub_err_t code = ingest_check_frame(who, self->max_bytes, data, size, &m, why, sizeof why);
    s_stage(self, STAGE_DECODE, &t);
    uint64_t seq = m.pb ? m.seq : code == HUB_ETOOBIG ? codec_peek_seq(data, size) : 0;
    hub_err_t err = HUB_OK;
    if (code != HUB_OK)
        err = s_refuse(self, who, seq, code, why, data, size, now_ms, reply);
    else if (m.kind == MSG_HEARTBEAT)
        log_debug("HUB-ADAPTER-HEARTBEAT", LOG_S("principal", who->name), LOG_I("seq", m.seq));
    else
        err = s_batch(self, who, &m, data, size, now_ms, reply);
    reply->seq = seq;
    reply->refused = code != HUB_OK;
    if (m.pb) {
        reply->heartbeat = m.kind == MSG_HEARTBEAT;
        reply->heartbeat_s = m.heartbeat_s;
        reply->leaving = m.leaving;
        reply->sent_at_ms = m.sent_at_ms;
    }
    codec_msg_fini(&m);
    return err;
}

resolver_t *
ingest_resolver(ingest_t *self)
{
    return self->resolver;
}

void
ingest_committed(ingest_t *self, int accepted, int64_t now_ms)
{
    int64_t sec = now_ms / 1000;
    int b = (int)(sec % RATE_SECONDS);
    if (self->rate_sec[b] != sec) {
        self->rate_sec[b] = sec;
        self->rate_count[b] = 0;
    }
    self->rate_count[b] += accepted;
}

double
ingest_rate(const ingest_t *self, int64_t now_ms)
{
    int64_t sec = now_ms / 1000, total = 0;
    for (int b = 0; b < RATE_SECONDS; b++)
        if (self->rate_sec[b] > sec - RATE_SECONDS && self->rate_sec[b] <= sec)
            total += self->rate_count[b];
    return (double)total / RATE_SECONDS;
}

hub_err_t
ingest_replay(ingest_t *self, const principal_t *who, int64_t qid, int record_index, const uint8_t *data,
              size_t size, int64_t now_ms, int counts[4], char *why, size_t whycap)
{
    uint8_t *frame = (uint8_t *)data, *wrapped = NULL;
    size_t len = size;
    if (record_index >= 0) {   /* one record of a batch: a batch of its own, under a seq no adapter uses */
        if (codec_wrap_record(who->name, INGEST_REPLAY_SEQ_BASE + (uint64_t)qid, data, size, &wrapped, &len)
            != HUB_OK) {
            snprintf(why, whycap, "the kept record does not decode");
            return HUB_EPROTO;
        }
        frame = wrapped;
    }
    msg_t m;
    hub_err_t code = ingest_check_frame(who, self->max_bytes, frame, len, &m, why, whycap);
    for (size_t i = 0; code == HUB_OK && i < m.nrecs; i++) {   /* would any record be refused again? */
        const char *reason;
        if ((code = ingest_check_record(who, &m.recs[i], &reason)) != HUB_OK)
            snprintf(why, whycap, "record %zu: %s", i, reason ? reason : hub_strerror(code));
    }
    if (code == HUB_OK && m.kind != MSG_BATCH) {
        code = HUB_EINVAL;
        snprintf(why, whycap, "it is not a batch of records");
    }
    codec_msg_fini(&m);
    ingest_reply_t reply;
    hub_err_t err = code != HUB_OK ? code : ingest_frame(self, who, frame, len, now_ms, &reply);
    if (code == HUB_OK) {
        memcpy(counts, reply.counts, sizeof reply.counts);
        free(reply.frame);
    }
    free(wrapped);
    return err;
}
