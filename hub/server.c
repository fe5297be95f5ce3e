/* server.c: sockets, the poll loop and group commit (see server.h). */
#define _POSIX_C_SOURCE 200809L
#include "server.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "admin.h"
#include "alerts.h"
#include "audit.h"
#include "auth.h"
#include "client.h"
#include "codec.h"
#include "http.h"
#include "ingest.h"
#include "log.h"
#include "metrics.h"
#include "query.h"
#include "store.h"
#include "watch.h"

#define MAX_PENDING 4096
#define QUERIES_PER_TURN 16
#define MAX_WAITING 256          /* change-feed requests held until a change (query thread) */

typedef struct {
    zmq_msg_t peer, request;
    principal_t who;
    int64_t after, deadline_ms;
} waiting_t;

typedef struct {
    zmq_msg_t peer;        /* ROUTER identity to answer */
    ingest_reply_t reply;
    char sender[64];       /* its principal */
    int department;
} pending_t;

struct server {
    void *ctx;
    void *ingest_sock, *query_sock, *events_sock;
    auth_t *auth;
    store_t *writer, *reader;
    audit_t *audit;
    /* the query thread: the query socket, a read handle of its own; the
    ** operators' commands go to the main thread and back over a pair */
    store_t *qreader;
    void *pair_main, *pair_query;
    pthread_t query_thread;
    bool query_thread_started;
    atomic_bool stopping;
    atomic_uint_fast64_t query_seq;
    waiting_t *waiting;          /* (query thread) */
    size_t nwaiting;
    int64_t last_change;         /* (main thread) the last change seq the query thread was told of */
    pthread_mutex_t live_lock;   /* the figures both threads read or count */
    double live_rate;            /* records per second, as of the last check */
    ingest_t *ingest;
    admin_t *admin;
    adp_communities_t *communities;
    hub_config_t cfg;
    int64_t started_ms;
    /* the open transaction */
    bool txn_open;
    int64_t txn_started_ms;
    long txn_records;            /* records, a heartbeat counted as one (the group commit's size) */
    bool txn_has_records;        /* not heartbeats only */
    pending_t *pending;
    size_t npending;
    /* what operators see: metrics.c, /metrics and /healthz, the adapters */
    char home[1024];
    metrics_t *metrics;
    http_t *http;
    watch_t *watch;
    bool commit_failed;
    bool gauges_stale;           /* records committed since the gauges were read */
    double last_commit_ms;
    double commit_s;             /* time spent committing since start */
    int64_t last_check_ms, last_gauges_ms;
    int64_t last_records_ms;     /* the last commit that stored records */
    int64_t last_alerts_ms;      /* the checks' last run */
    bool alerts_more;            /* residents may be waiting for the checks */
    int64_t alerts_not_before;   /* after a failed round: not again for a second */
    char health[300];
    long queries_window[2];      /* queries in this and the previous 10 s (live_lock) */
    int64_t queries_window_start;
};

static const char *s_depts[] = {"unknown", "police", "familyplanning", "labour", "civilaffairs"};

static const char *
s_dept(int d)
{
    return d > 0 && d < 5 ? s_depts[d] : s_depts[0];
}

static void *
s_bind(server_t *self, int type, const char *endpoint, const char *domain, char *errbuf, size_t errcap)
{
    void *sock = zmq_socket(self->ctx, type);
    const keypair_t *kp = auth_server_keys(self->auth);
    int one = 1, linger = 2000;
    int64_t maxmsg = self->cfg.max_message_bytes * 2;   /* beyond this libzmq drops the peer */
    zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, kp->secret, KEY_Z85_LEN);
    zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, domain, strlen(domain));
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    if (zmq_bind(sock, endpoint) != 0) {
        snprintf(errbuf, errcap, "cannot listen on %s (%s): %s", endpoint, domain, zmq_strerror(errno));
        zmq_close(sock);
        return NULL;
    }
    log_notice("HUB-LISTEN", LOG_S("socket", domain), LOG_S("endpoint", endpoint));
    return sock;
}

server_t *
server_new(const hub_config_t *cfg, const char *home, char *errbuf, size_t errcap)
{
    server_t *self = HUB_CHECK_ALLOC(calloc(1, sizeof *self));
    self->cfg = *cfg;
    self->started_ms = client_mono_ms();
    self->alerts_more = true;   /* what an earlier run left to check */
    self->pending = HUB_CHECK_ALLOC(calloc(MAX_PENDING, sizeof *self->pending));
    self->waiting = HUB_CHECK_ALLOC(calloc(MAX_WAITING, sizeof *self->waiting));
    pthread_mutex_init(&self->live_lock, NULL);
    self->ctx = zmq_ctx_new();
    char path[1100], audit_path[1100];
    snprintf(path, sizeof path, "%s/registry.db", home);
    snprintf(audit_path, sizeof audit_path, "%s/audit.db", home);
    if (!(self->audit = audit_open(audit_path, path, errbuf, errcap))   /* first: it takes the old log's entries */
        || !(self->writer = store_open(path, cfg->sqlite_cache_mib, false, errbuf, errcap))
        || !(self->reader = store_open(path, cfg->sqlite_cache_mib, true, errbuf, errcap))
        || !(self->qreader = store_open(path, cfg->sqlite_cache_mib, true, errbuf, errcap))
        || !(self->auth = auth_new(self->ctx, home, errbuf, errcap))
        || !(self->ingest_sock = s_bind(self, ZMQ_ROUTER, cfg->ingest_endpoint, "ingest", errbuf, errcap))
        || !(self->query_sock = s_bind(self, ZMQ_ROUTER, cfg->query_endpoint, "query", errbuf, errcap))
        || !(self->events_sock = s_bind(self, ZMQ_PUB, cfg->events_endpoint, "events", errbuf, errcap))) {
        server_destroy(&self);
        return NULL;
    }
    self->pair_main = zmq_socket(self->ctx, ZMQ_PAIR);
    self->pair_query = zmq_socket(self->ctx, ZMQ_PAIR);
    zmq_bind(self->pair_main, "inproc://hub-operators");
    zmq_connect(self->pair_query, "inproc://hub-operators");
    self->ingest = ingest_new(self->writer, cfg->max_message_bytes, &cfg->weights);
    self->admin = admin_new(self->writer, self->ingest, self->auth, self->audit);
    self->last_change = store_change_last(self->writer);
    self->communities = adp_communities_load(NULL, errbuf, errcap);
    snprintf(self->home, sizeof self->home, "%s", home);
    self->metrics = metrics_new();
    self->watch = watch_new(self->metrics, cfg->adapter_silent_s * 1000);
    if (strcmp(cfg->metrics_listen, "off") != 0) {
        if (!(self->http = http_start(cfg->metrics_listen, self->metrics, errbuf, errcap))) {
            server_destroy(&self);
            return NULL;
        }
        log_notice("HUB-LISTEN", LOG_S("socket", "metrics"), LOG_S("endpoint", cfg->metrics_listen));
    }
    if (admin_upgrade(self->admin, client_now_ms()) != HUB_OK) {
        snprintf(errbuf, errcap, "could not match the stored records again after an upgrade");
        server_destroy(&self);
        return NULL;
    }
    return self;
}

void
server_destroy(server_t **self_p)
{
    server_t *self = *self_p;
    if (!self)
        return;
    if (self->query_thread_started) {
        atomic_store(&self->stopping, true);
        pthread_join(self->query_thread, NULL);
    }
    http_stop(&self->http);   /* first: its thread reads the metrics */
    watch_destroy(&self->watch);
    metrics_destroy(&self->metrics);
    if (self->ingest_sock)
        zmq_close(self->ingest_sock);
    if (self->query_sock)
        zmq_close(self->query_sock);
    if (self->events_sock)
        zmq_close(self->events_sock);
    if (self->pair_main)
        zmq_close(self->pair_main);
    if (self->pair_query)
        zmq_close(self->pair_query);
    auth_destroy(&self->auth);
    if (self->ctx)
        zmq_ctx_term(self->ctx);
    admin_destroy(&self->admin);
    adp_communities_destroy(&self->communities);
    ingest_destroy(&self->ingest);
    store_close(&self->qreader);
    store_close(&self->reader);
    store_close(&self->writer);
    audit_close(&self->audit);
    pthread_mutex_destroy(&self->live_lock);
    for (size_t i = 0; i < self->nwaiting; i++) {
        zmq_msg_close(&self->waiting[i].peer);
        zmq_msg_close(&self->waiting[i].request);
    }
    free(self->waiting);
    free(self->pending);
    free(self);
    *self_p = NULL;
}

/* Receive [identity][payload...] from a ROUTER; extra frames are dropped.
** Returns false when nothing is waiting. */
static bool
s_recv(void *sock, zmq_msg_t *peer, zmq_msg_t *payload)
{
    zmq_msg_init(peer);
    if (zmq_msg_recv(peer, sock, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(peer);
        return false;
    }
    zmq_msg_init(payload);
    if (!zmq_msg_more(peer) || zmq_msg_recv(payload, sock, 0) < 0) {
        zmq_msg_close(payload);
        zmq_msg_init(payload);
        return true;
    }
    while (zmq_msg_more(payload)) {   /* a hub message is one frame */
        zmq_msg_t extra;
        zmq_msg_init(&extra);
        zmq_msg_recv(&extra, sock, 0);
        int more = zmq_msg_more(&extra);
        zmq_msg_close(&extra);
        if (!more)
            break;
    }
    return true;
}

static void
s_send(void *sock, zmq_msg_t *peer, const uint8_t *frame, size_t len)
{
    zmq_msg_send(peer, sock, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send(sock, frame, len, ZMQ_DONTWAIT);
}

/* The principal ZAP admitted for this message (copied into who); false
** when its key was revoked since. */
static bool
s_principal(server_t *self, zmq_msg_t *payload, principal_t *who)
{
    const char *user = zmq_msg_gets(payload, "User-Id");
    return user && auth_find(self->auth, user, who);
}

/* A batch committed: its log line, its department's counters, its adapter. */
static void
s_batch_done(server_t *self, const pending_t *p, int64_t now_ms)
{
    const int *c = p->reply.counts;
    char labels[64];
    snprintf(labels, sizeof labels, "department=\"%s\"", s_dept(p->department));
    metrics_add(self->metrics, "hub_batches_total", labels, 1);
    metrics_add(self->metrics, "hub_records_received_total", labels, c[0]);
    metrics_add(self->metrics, "hub_records_accepted_total", labels, c[1]);
    metrics_add(self->metrics, "hub_records_duplicate_total", labels, c[2]);
    metrics_add(self->metrics, "hub_records_rejected_total", labels, c[3]);
    watch_batch(self->watch, p->sender, p->reply.seq, p->reply.sent_at_ms, now_ms, c);
    log_info("HUB-BATCH", LOG_S("sender", p->sender), LOG_I("seq", (long long)p->reply.seq), LOG_I("records", c[0]),
             LOG_I("accepted", c[1]), LOG_I("duplicates", c[2]), LOG_I("rejected", c[3]));
}

/* The stages' times so far (hub_stage_seconds_total), with a commit's. */
static void
s_stages(server_t *self, double commit_s)
{
    double stage[INGEST_STAGES];
    char labels[40];
    ingest_stage_seconds(self->ingest, stage);
    for (int i = 0; i < INGEST_STAGES; i++) {
        snprintf(labels, sizeof labels, "stage=\"%s\"", ingest_stage_names[i]);
        metrics_set(self->metrics, "hub_stage_seconds_total", labels, stage[i]);
    }
    self->commit_s += commit_s;
    metrics_set(self->metrics, "hub_stage_seconds_total", "stage=\"commit\"", self->commit_s);
}

/* Committed changes the query thread was not told of: it answers the
** change-feed requests it holds ([""]["changes"] on the pair). */
static void
s_tell_changes(server_t *self)
{
    int64_t last = store_change_last(self->writer);
    if (last <= self->last_change)
        return;
    self->last_change = last;
    zmq_send(self->pair_main, "", 0, ZMQ_SNDMORE);
    zmq_send(self->pair_main, "changes", 7, 0);
}

/* Close the open transaction: commit, or on failure turn every answer into
** "resend later"; then send the answers. */
static void
s_finish(server_t *self, bool commit)
{
    if (!self->txn_open)
        return;
    int64_t t0 = client_mono_ms();
    hub_err_t err = commit ? store_commit(self->writer) : HUB_EDB;
    int64_t ms = client_mono_ms() - t0, now = client_now_ms();
    if (err != HUB_OK) {
        store_rollback(self->writer);
        log_warn("HUB-COMMIT-FAIL", LOG_S("err", hub_errname(err)), LOG_I("batches", self->npending));
        metrics_add(self->metrics, "hub_commits_failed_total", "", 1);
    } else {
        metrics_observe(self->metrics, "hub_commit_seconds", "", (double)ms / 1000.0);
        s_stages(self, (double)(client_mono_ms() - t0) / 1000.0);
        if (self->txn_has_records) {
            self->last_commit_ms = (double)ms;
            self->last_records_ms = client_mono_ms();
            self->alerts_more = true;
        }
        if (ms >= self->cfg.slow_commit_ms)
            log_warn("HUB-COMMIT-SLOW", LOG_I("ms", ms), LOG_I("batches", self->npending),
                     LOG_I("records", self->txn_records));
    }
    self->commit_failed = err != HUB_OK;
    int c[4] = {0};
    for (size_t i = 0; i < self->npending; i++) {
        pending_t *p = &self->pending[i];
        if (err != HUB_OK) {
            free(p->reply.frame);
            ingest_retry_frame(self->ingest, p->reply.seq, err == HUB_EDB ? HUB_EBUSY : err,
                               &p->reply.frame, &p->reply.len);
        }
        for (int k = 0; k < 4 && err == HUB_OK; k++)
            c[k] += p->reply.counts[k];
        if (err == HUB_OK && p->reply.counts[0])
            s_batch_done(self, p, now);
        if (err == HUB_OK && p->reply.refused) {
            char labels[64];
            snprintf(labels, sizeof labels, "department=\"%s\"", s_dept(p->department));
            metrics_add(self->metrics, "hub_messages_refused_total", labels, 1);
        }
        if (p->reply.frame)
            s_send(self->ingest_sock, &p->peer, p->reply.frame, p->reply.len);
        free(p->reply.frame);
        zmq_msg_close(&p->peer);
    }
    self->gauges_stale = self->gauges_stale || (err == HUB_OK && c[0]);
    if (err == HUB_OK)
        s_tell_changes(self);
    if (err == HUB_OK && c[0]) {   /* (a group of heartbeats only is not worth a line) */
        ingest_committed(self->ingest, c[1], client_now_ms());
        log_info("HUB-COMMIT", LOG_I("batches", self->npending), LOG_I("records", c[0]),
                 LOG_I("accepted", c[1]), LOG_I("duplicates", c[2]), LOG_I("rejected", c[3]), LOG_I("ms", ms));
    }
    self->npending = 0;
    metrics_set(self->metrics, "hub_ingest_queue_depth", "", 0);
    self->txn_open = false;
    self->txn_records = 0;
    self->txn_has_records = false;
}

static void
s_on_ingest(server_t *self)
{
    while (self->npending < MAX_PENDING && self->txn_records < self->cfg.group_commit_max_records) {
        zmq_msg_t peer, payload;
        if (!s_recv(self->ingest_sock, &peer, &payload))
            return;
        principal_t who_copy;
        const principal_t *who = s_principal(self, &payload, &who_copy) ? &who_copy : NULL;
        if (!who) {   /* admitted by ZAP, revoked since: kept, not stored, not answered */
            const char *user = zmq_msg_gets(&payload, "User-Id");
            log_warn("HUB-INGEST-UNKNOWN", LOG_S("principal", user ? user : ""),
                     LOG_S("reason", "its key was revoked after it connected; kept in quarantine"));
            s_finish(self, true);   /* the quarantine entry in a transaction of its own */
            if (store_quarantine_put(self->writer, client_now_ms(), user ? user : "", 0, -1, HUB_EDENIED,
                                     "the sender's key was revoked after it connected", zmq_msg_data(&payload),
                                     zmq_msg_size(&payload)) != HUB_OK)
                log_error("HUB-QUARANTINE-FAIL", LOG_S("principal", user ? user : ""));
            zmq_msg_close(&payload);
            zmq_msg_close(&peer);
            continue;
        }
        if (!self->txn_open) {
            hub_err_t err = store_begin(self->writer);
            if (err != HUB_OK) {
                uint8_t *frame;
                size_t len;
                ingest_retry_frame(self->ingest, codec_peek_seq(zmq_msg_data(&payload), zmq_msg_size(&payload)), err,
                                   &frame, &len);   /* answered by its seq, so the adapter resends it soon */
                s_send(self->ingest_sock, &peer, frame, len);
                free(frame);
                zmq_msg_close(&payload);
                zmq_msg_close(&peer);
                return;
            }
            self->txn_open = true;
            self->txn_started_ms = client_mono_ms();
        }
        pending_t *p = &self->pending[self->npending++];
        p->peer = peer;
        snprintf(p->sender, sizeof p->sender, "%.63s", who->name);
        p->department = who->department;
        metrics_set(self->metrics, "hub_ingest_queue_depth", "", (double)self->npending);
        hub_err_t err = ingest_frame(self->ingest, who, zmq_msg_data(&payload), zmq_msg_size(&payload),
                                     client_now_ms(), &p->reply);
        watch_seen(self->watch, who->name, who->department, client_now_ms(), p->reply.heartbeat_s,
                   p->reply.leaving);
        zmq_msg_close(&payload);
        self->txn_records += p->reply.counts[0] ? p->reply.counts[0] : 1;
        self->txn_has_records |= p->reply.counts[0] > 0;
        if (err != HUB_OK) {
            s_finish(self, false);
            return;
        }
    }
}

static bool
s_readable(void *sock)
{
    int events = 0;
    size_t size = sizeof events;
    zmq_getsockopt(sock, ZMQ_EVENTS, &events, &size);
    return events & ZMQ_POLLIN;
}

/* A request answered: its counters, its latency, a line when slow. */
static void
s_query_done(server_t *self, const principal_t *who, const query_outcome_t *out, int64_t ms)
{
    char role[32], labels[160];
    snprintf(role, sizeof role, "%.*s", (int)strcspn(who->role, ":"), who->role);
    snprintf(labels, sizeof labels, "kind=\"%s\",role=\"%s\"", out->kind, role);
    metrics_add(self->metrics, out->refused ? "hub_query_refusals_total" : "hub_queries_total", labels, 1);
    snprintf(labels, sizeof labels, "kind=\"%s\"", out->kind);
    metrics_observe(self->metrics, "hub_query_seconds", labels, (double)ms / 1000.0);
    pthread_mutex_lock(&self->live_lock);
    self->queries_window[0]++;
    pthread_mutex_unlock(&self->live_lock);
    if (ms >= self->cfg.slow_query_ms)
        log_warn("HUB-QUERY-SLOW", LOG_S("principal", who->name), LOG_S("kind", out->kind), LOG_I("ms", ms));
}

/* Answer one request with ctx, timed and counted; the seq a change-feed
** request acknowledged, or -1. */
static int64_t
s_answer(server_t *self, const query_ctx_t *ctx, const principal_t *who, zmq_msg_t *payload, uint8_t **frame,
         size_t *len)
{
    int64_t t0 = client_mono_ms();
    query_outcome_t out = {"", false, -1};
    query_frame(ctx, who, zmq_msg_data(payload), zmq_msg_size(payload), atomic_fetch_add(&self->query_seq, 1) + 1,
                frame, len, &out);
    s_query_done(self, who, &out, client_mono_ms() - t0);
    return out.acked;
}

/* What both threads' answers see of the server. */
static query_ctx_t
s_query_ctx(server_t *self, store_t *reader, admin_t *admin)
{
    query_ctx_t ctx = {
        .reader = reader,
        .writer = self->writer,
        .audit = self->audit,
        .admin = admin,
        .communities = self->communities,
        .rules = &self->cfg.survivorship,
        .reviews_degraded = self->cfg.reviews_degraded,
    };
    pthread_mutex_lock(&self->live_lock);
    ctx.live.records_per_second = self->live_rate;
    ctx.queries_per_second = (double)(self->queries_window[0] + self->queries_window[1]) / 20.0;
    pthread_mutex_unlock(&self->live_lock);
    ctx.live.uptime_s = (client_mono_ms() - self->started_ms) / 1000;
    return ctx;
}

/* A read answered on the query thread and sent; a change-feed request's
** acknowledgement goes to the main thread to be kept. */
static void
s_answer_read(server_t *self, const query_ctx_t *ctx, const principal_t *who, zmq_msg_t *peer, zmq_msg_t *request)
{
    uint8_t *frame;
    size_t len;
    int64_t acked = s_answer(self, ctx, who, request, &frame, &len);
    s_send(self->query_sock, peer, frame, len);
    free(frame);
    if (acked >= 0) {
        char seq[32];
        snprintf(seq, sizeof seq, "%lld", (long long)acked);
        zmq_send(self->pair_query, "", 0, ZMQ_SNDMORE);
        zmq_send(self->pair_query, who->name, strlen(who->name), ZMQ_SNDMORE);
        zmq_send(self->pair_query, seq, strlen(seq), 0);
    }
}

/* The query thread: requests on the query socket. Reads are answered here,
** from its own read handle, whatever the writer is doing; an operator's
** command goes to the main thread as [peer][principal][request] and its
** answer comes back as [peer][answer]. */
static void
s_on_query(server_t *self)
{
    for (int i = 0; i < QUERIES_PER_TURN; i++) {
        zmq_msg_t peer, payload;
        if (!s_recv(self->query_sock, &peer, &payload))
            return;
        principal_t who;
        uint8_t *frame = NULL;
        size_t len;
        if (!s_principal(self, &payload, &who)) {   /* revoked while connected */
            const char *user = zmq_msg_gets(&payload, "User-Id");
            log_warn("HUB-QUERY-REFUSE", LOG_S("principal", user ? user : ""), LOG_S("reason", "key revoked"));
            codec_encode_error(HUB_EDENIED, "this key is no longer admitted (revoked)",
                               atomic_fetch_add(&self->query_seq, 1) + 1, &frame, &len);
        } else if (query_on_writer(zmq_msg_data(&payload), zmq_msg_size(&payload))) {
            zmq_msg_send(&peer, self->pair_query, ZMQ_SNDMORE);
            zmq_send(self->pair_query, who.name, strlen(who.name), ZMQ_SNDMORE);
            zmq_msg_send(&payload, self->pair_query, 0);
            continue;   /* (sent messages are closed by ZeroMQ) */
        } else {
            query_ctx_t ctx = s_query_ctx(self, self->qreader, NULL);
            int64_t after;
            uint32_t wait_ms;
            if (self->nwaiting < MAX_WAITING
                && query_events_wait(&ctx, &who, zmq_msg_data(&payload), zmq_msg_size(&payload), &after, &wait_ms)) {
                self->waiting[self->nwaiting++] = (waiting_t){
                    .peer = peer, .request = payload, .who = who, .after = after,
                    .deadline_ms = client_mono_ms() + wait_ms};   /* (the messages are the list's now) */
                continue;
            }
            s_answer_read(self, &ctx, &who, &peer, &payload);
        }
        if (frame) {
            s_send(self->query_sock, &peer, frame, len);
            free(frame);
        }
        zmq_msg_close(&payload);
        zmq_msg_close(&peer);
    }
}

/* The held change-feed requests whose time is up, or all of them once a
** change is committed (each is answered with what it may see; an empty
** answer still moves its position on). */
static void
s_answer_waiting(server_t *self, bool changed)
{
    int64_t now = client_mono_ms();
    size_t k = 0;
    for (size_t i = 0; i < self->nwaiting; i++) {
        waiting_t *w = &self->waiting[i];
        if (!changed && now < w->deadline_ms) {
            self->waiting[k++] = *w;
            continue;
        }
        query_ctx_t ctx = s_query_ctx(self, self->qreader, NULL);
        s_answer_read(self, &ctx, &w->who, &w->peer, &w->request);
        zmq_msg_close(&w->request);
        zmq_msg_close(&w->peer);
    }
    self->nwaiting = k;
}

/* The earliest deadline of a held request, as a poll timeout (ms). */
static long
s_waiting_timeout(const server_t *self, long cap)
{
    int64_t now = client_mono_ms();
    for (size_t i = 0; i < self->nwaiting; i++)
        if (self->waiting[i].deadline_ms - now < cap)
            cap = self->waiting[i].deadline_ms > now ? (long)(self->waiting[i].deadline_ms - now) : 0;
    return cap;
}

/* Answers of the main thread, to their peers. */
static void
s_on_answers(server_t *self)
{
    for (;;) {
        zmq_msg_t peer, answer;
        zmq_msg_init(&peer);
        if (zmq_msg_recv(&peer, self->pair_query, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&peer);
            return;
        }
        zmq_msg_init(&answer);
        zmq_msg_recv(&answer, self->pair_query, 0);
        if (zmq_msg_size(&peer) == 0)   /* [""]["changes"]: committed since */
            s_answer_waiting(self, true);
        else
            s_send(self->query_sock, &peer, zmq_msg_data(&answer), zmq_msg_size(&answer));
        zmq_msg_close(&answer);
        zmq_msg_close(&peer);
    }
}

static void *
s_query_main(void *arg)
{
    server_t *self = arg;
    while (!atomic_load(&self->stopping)) {
        zmq_pollitem_t items[] = {
            {self->query_sock, 0, ZMQ_POLLIN, 0},
            {self->pair_query, 0, ZMQ_POLLIN, 0},
            {auth_zap_socket(self->auth), 0, ZMQ_POLLIN, 0},
        };
        int rc = zmq_poll(items, 3, s_waiting_timeout(self, 200));
        if (rc < 0 && errno != EINTR) {
            log_error("HUB-POLL-FAIL", LOG_S("reason", zmq_strerror(errno)), LOG_S("thread", "query"));
            break;
        }
        if (rc > 0 && (items[2].revents & ZMQ_POLLIN))   /* every socket's handshakes, the adapters' too */
            while (s_readable(auth_zap_socket(self->auth)))
                auth_handle_zap(self->auth);
        if (rc > 0 && (items[1].revents & ZMQ_POLLIN))
            s_on_answers(self);
        if (rc > 0 && (items[0].revents & ZMQ_POLLIN))
            s_on_query(self);
        if (self->nwaiting)
            s_answer_waiting(self, false);
    }
    return NULL;
}

/* The main thread: an operator's command from the query thread. */
static void
s_on_command(server_t *self)
{
    for (int i = 0; i < QUERIES_PER_TURN; i++) {
        zmq_msg_t peer, name, payload;
        zmq_msg_init(&peer);
        if (zmq_msg_recv(&peer, self->pair_main, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&peer);
            return;
        }
        zmq_msg_init(&name);
        zmq_msg_init(&payload);
        zmq_msg_recv(&name, self->pair_main, 0);
        zmq_msg_recv(&payload, self->pair_main, 0);
        char user[64];
        snprintf(user, sizeof user, "%.*s", (int)zmq_msg_size(&name), (const char *)zmq_msg_data(&name));
        if (zmq_msg_size(&peer) == 0) {   /* [""][principal][seq]: a subscriber's acknowledged position */
            char seq[32];
            snprintf(seq, sizeof seq, "%.*s", (int)zmq_msg_size(&payload), (const char *)zmq_msg_data(&payload));
            if (store_subscription_put(self->writer, user, atoll(seq), client_now_ms()) != HUB_OK)
                log_warn("HUB-FEED-ACK-FAIL", LOG_S("principal", user), LOG_I("seq", atoll(seq)));
            zmq_msg_close(&peer);
            zmq_msg_close(&name);
            zmq_msg_close(&payload);
            continue;
        }
        principal_t who;
        uint8_t *frame;
        size_t len;
        if (!auth_find(self->auth, user, &who)) {   /* revoked in between */
            log_warn("HUB-QUERY-REFUSE", LOG_S("principal", user), LOG_S("reason", "key revoked"));
            codec_encode_error(HUB_EDENIED, "this key is no longer admitted (revoked)",
                               atomic_fetch_add(&self->query_seq, 1) + 1, &frame, &len);
        } else {
            query_ctx_t ctx = s_query_ctx(self, self->reader, self->admin);
            ctx.watch = self->watch;
            ctx.health = self->health;
            ctx.commit_ms = self->last_commit_ms;
            ctx.queue_depth = (long)self->npending;
            s_finish(self, true);   /* the commands write; a reader sees what is acknowledged */
            s_answer(self, &ctx, &who, &payload, &frame, &len);
            s_tell_changes(self);   /* a review decision, an undo: merges and splits */
            self->alerts_more = true;   /* whose residents the checks look at again */
        }
        zmq_msg_send(&peer, self->pair_main, ZMQ_SNDMORE);
        zmq_send(self->pair_main, frame, len, 0);
        free(frame);
        zmq_msg_close(&name);
        zmq_msg_close(&payload);
    }
}

static long long
s_file_size(const char *home, const char *name)
{
    char path[1100];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", home, name);
    return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

/* The cross-department checks look at the residents whose records changed
** once the load they came in has paused (no records stored for a second),
** 500 at a time, between batches, until none is left; while records keep
** coming, one round of 500 every 5 s, so that a steady trickle of batches
** cannot keep the checks waiting for ever. */
enum { ALERTS_ROUND = 500, ALERTS_QUIET_MS = 1000, ALERTS_BUSY_EVERY_MS = 5000 };

static bool
s_alerts_due(const server_t *self, int64_t mono)
{
    if (!self->alerts_more || self->txn_open || mono < self->alerts_not_before)
        return false;
    return mono - self->last_records_ms >= ALERTS_QUIET_MS || mono - self->last_alerts_ms >= ALERTS_BUSY_EVERY_MS;
}

/* One round of the checks, in a transaction of its own. */
static void
s_alerts(server_t *self)
{
    int64_t mono = client_mono_ms();
    if (!s_alerts_due(self, mono) || s_readable(self->ingest_sock))
        return;
    self->last_alerts_ms = mono;
    self->alerts_not_before = mono + 1000;   /* unless the round succeeds */
    size_t looked = 0, opened = 0, settled = 0;
    if (store_begin(self->writer) != HUB_OK)
        return;
    /* review items that later evidence answered (both records in one resident now) are settled too */
    if (store_reviews_settle(self->writer, client_now_ms(), &settled) == HUB_OK
        && alerts_run(self->writer, ALERTS_ROUND, client_now_ms(), &looked, &opened) == HUB_OK
        && store_commit(self->writer) == HUB_OK) {
        if (settled) {
            log_info("HUB-REVIEW-SETTLED", LOG_I("items", (int64_t)settled));
            metrics_add(self->metrics, "hub_reviews_settled_total", "", (double)settled);
        }
        self->alerts_not_before = 0;
        self->alerts_more = looked == ALERTS_ROUND;
        if (opened) {
            metrics_add(self->metrics, "hub_alerts_opened_total", "", (double)opened);
            s_tell_changes(self);
        }
    } else {
        store_rollback(self->writer);
    }
}

/* Once a second: adapters gone quiet, the hub's health (can it commit:
** no failed commit, the write lock free, space on disk); the registry's
** gauges every 2 s while records come in, else every 5 s. */
static void
s_check(server_t *self)
{
    int64_t mono = client_mono_ms(), now = client_now_ms();
    if (mono - self->last_check_ms < 1000)
        return;
    self->last_check_ms = mono;
    audit_sync(self->audit);   /* the looks of the last second, on disk */
    watch_tick(self->watch, now);
    pthread_mutex_lock(&self->live_lock);
    if (now / 10000 != self->queries_window_start) {
        self->queries_window_start = now / 10000;
        self->queries_window[1] = self->queries_window[0];
        self->queries_window[0] = 0;
    }
    self->live_rate = ingest_rate(self->ingest, now);
    pthread_mutex_unlock(&self->live_lock);
    char why[300] = "";
    struct statvfs fs;
    if (self->commit_failed)
        snprintf(why, sizeof why, "the last commit failed; new batches are told to resend");
    else if (!self->txn_open && store_probe_write(self->writer, why, sizeof why) != HUB_OK)
        ;
    else if (statvfs(self->home, &fs) == 0) {
        double free_b = (double)fs.f_bavail * (double)fs.f_frsize;
        metrics_set(self->metrics, "hub_disk_free_bytes", "", free_b);
        if (free_b < (double)self->cfg.disk_min_free_mib * 1048576.0)
            snprintf(why, sizeof why, "only %.0f MiB free under the hub's home (disk_min_free_mib %ld)",
                     free_b / 1048576.0, self->cfg.disk_min_free_mib);
    }
    if (strcmp(why, self->health) != 0) {
        if (*why)
            log_error("HUB-UNHEALTHY", LOG_S("reason", why));
        else
            log_notice("HUB-HEALTHY", LOG_S("reason", "the registry takes writes again"));
        snprintf(self->health, sizeof self->health, "%s", why);
    }
    metrics_health_set(self->metrics, why);
    metrics_set(self->metrics, "hub_healthy", "", !*why);
    metrics_set(self->metrics, "hub_uptime_seconds", "", (double)(mono - self->started_ms) / 1000.0);
    if (mono - self->last_gauges_ms < (self->gauges_stale ? 2000 : 5000))
        return;
    self->last_gauges_ms = mono;
    self->gauges_stale = false;
    registry_stats_t st;
    if (store_stats(self->reader, &st) == HUB_OK) {
        metrics_set(self->metrics, "hub_residents", "", (double)st.residents);
        metrics_set(self->metrics, "hub_source_records", "", (double)st.source_records);
        metrics_set(self->metrics, "hub_merges_total", "", (double)st.merges);
        metrics_set(self->metrics, "hub_splits_total", "", (double)st.splits);
        metrics_set(self->metrics, "hub_reviews_open", "", (double)st.reviews_open);
        metrics_set(self->metrics, "hub_quarantined", "", (double)st.quarantined);
    }
    metrics_set(self->metrics, "hub_database_bytes", "", (double)s_file_size(self->home, "registry.db"));
    metrics_set(self->metrics, "hub_wal_bytes", "", (double)s_file_size(self->home, "registry.db-wal"));
}

/* Each log line, also on the events socket as ["log", line], for `hubctl tail`. */
static void
s_publish_log(void *ctx, int level, const char *msgid, const char *line, size_t len)
{
    (void)level, (void)msgid;
    server_t *self = ctx;
    if (zmq_send(self->events_sock, "log", 3, ZMQ_SNDMORE | ZMQ_DONTWAIT) == 3)
        zmq_send(self->events_sock, line, len && line[len - 1] == '\n' ? len - 1 : len, ZMQ_DONTWAIT);
}

int
server_run(server_t *self, volatile sig_atomic_t *stop, volatile sig_atomic_t *reopen_log)
{
    log_set_sink(s_publish_log, self);
    config_log(&self->cfg);
    log_notice("HUB-START", LOG_I("max_message_bytes", self->cfg.max_message_bytes),
               LOG_I("group_commit_max_records", self->cfg.group_commit_max_records),
               LOG_I("group_commit_max_ms", self->cfg.group_commit_max_ms));
    if (pthread_create(&self->query_thread, NULL, s_query_main, self) != 0) {
        log_error("HUB-POLL-FAIL", LOG_S("reason", "cannot start the query thread"), LOG_S("thread", "query"));
        log_set_sink(NULL, NULL);
        return 1;
    }
    self->query_thread_started = true;
    s_check(self);   /* the gauges and health from the start */
    while (!*stop) {
        zmq_pollitem_t items[] = {
            {self->ingest_sock, 0, ZMQ_POLLIN, 0},
            {self->pair_main, 0, ZMQ_POLLIN, 0},
        };
        long timeout = s_alerts_due(self, client_mono_ms()) ? 0 : 1000;
        if (self->txn_open) {
            timeout = self->txn_started_ms + self->cfg.group_commit_max_ms - client_mono_ms();
            if (timeout < 0)
                timeout = 0;
        }
        int rc = zmq_poll(items, 2, timeout);
        if (rc < 0 && errno != EINTR) {
            log_error("HUB-POLL-FAIL", LOG_S("reason", zmq_strerror(errno)));
            break;
        }
        if (rc > 0 && (items[0].revents & ZMQ_POLLIN))
            s_on_ingest(self);
        if (self->txn_open
            && (self->txn_records >= self->cfg.group_commit_max_records
                || client_mono_ms() - self->txn_started_ms >= self->cfg.group_commit_max_ms
                || !s_readable(self->ingest_sock)))
            s_finish(self, true);
        if (rc > 0 && (items[1].revents & ZMQ_POLLIN))
            s_on_command(self);
        s_check(self);
        s_alerts(self);
        if (*reopen_log) {
            *reopen_log = 0;
            if (log_reopen() == 0)
                log_notice("HUB-LOG-REOPEN", LOG_S("reason", "SIGHUP"));
            else
                log_error("HUB-LOG-REOPEN-FAIL", LOG_S("reason", strerror(errno)));
        }
    }
    s_finish(self, true);
    atomic_store(&self->stopping, true);
    pthread_join(self->query_thread, NULL);
    self->query_thread_started = false;
    log_notice("HUB-STOP", LOG_S("reason", "signal"));
    log_set_sink(NULL, NULL);
    return 0;
}
