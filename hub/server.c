/* server.c: sockets, the poll loop and group commit (see server.h). */
#define _POSIX_C_SOURCE 200809L
#include "server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "admin.h"
#include "auth.h"
#include "client.h"
#include "codec.h"
#include "ingest.h"
#include "log.h"
#include "query.h"
#include "store.h"

#define MAX_PENDING 4096
#define QUERIES_PER_TURN 16

typedef struct {
    zmq_msg_t peer;        /* ROUTER identity to answer */
    ingest_reply_t reply;
} pending_t;

struct server {
    void *ctx;
    void *ingest_sock, *query_sock, *events_sock;
    auth_t *auth;
    store_t *writer, *reader;
    ingest_t *ingest;
    admin_t *admin;
    adp_communities_t *communities;
    hub_config_t cfg;
    int64_t started_ms;
    uint64_t query_seq;
    /* the open transaction */
    bool txn_open;
    int64_t txn_started_ms;
    long txn_records;
    pending_t *pending;
    size_t npending;
};

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
    self->pending = HUB_CHECK_ALLOC(calloc(MAX_PENDING, sizeof *self->pending));
    self->ctx = zmq_ctx_new();
    char path[1100];
    snprintf(path, sizeof path, "%s/registry.db", home);
    if (!(self->writer = store_open(path, cfg->sqlite_cache_mib, false, errbuf, errcap))
        || !(self->reader = store_open(path, cfg->sqlite_cache_mib, true, errbuf, errcap))
        || !(self->auth = auth_new(self->ctx, home, errbuf, errcap))
        || !(self->ingest_sock = s_bind(self, ZMQ_ROUTER, cfg->ingest_endpoint, "ingest", errbuf, errcap))
        || !(self->query_sock = s_bind(self, ZMQ_ROUTER, cfg->query_endpoint, "query", errbuf, errcap))
        || !(self->events_sock = s_bind(self, ZMQ_PUB, cfg->events_endpoint, "events", errbuf, errcap))) {
        server_destroy(&self);
        return NULL;
    }
    self->ingest = ingest_new(self->writer, cfg->max_message_bytes, &cfg->weights);
    self->admin = admin_new(self->writer, ingest_resolver(self->ingest), self->auth);
    self->communities = adp_communities_load(NULL, errbuf, errcap);
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
    if (self->ingest_sock)
        zmq_close(self->ingest_sock);
    if (self->query_sock)
        zmq_close(self->query_sock);
    if (self->events_sock)
        zmq_close(self->events_sock);
    auth_destroy(&self->auth);
    if (self->ctx)
        zmq_ctx_term(self->ctx);
    admin_destroy(&self->admin);
    adp_communities_destroy(&self->communities);
    ingest_destroy(&self->ingest);
    store_close(&self->reader);
    store_close(&self->writer);
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

static const principal_t *
s_principal(server_t *self, zmq_msg_t *payload)
{
    const char *user = zmq_msg_gets(payload, "User-Id");
    return user ? auth_find(self->auth, user) : NULL;
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
    if (err != HUB_OK) {
        store_rollback(self->writer);
        log_warn("HUB-COMMIT-FAIL", LOG_S("err", hub_errname(err)), LOG_I("batches", self->npending));
    }
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
        if (p->reply.frame)
            s_send(self->ingest_sock, &p->peer, p->reply.frame, p->reply.len);
        free(p->reply.frame);
        zmq_msg_close(&p->peer);
    }
    if (err == HUB_OK) {
        ingest_committed(self->ingest, c[1], client_now_ms());
        log_info("HUB-COMMIT", LOG_I("batches", self->npending), LOG_I("records", c[0]),
                 LOG_I("accepted", c[1]), LOG_I("duplicates", c[2]), LOG_I("rejected", c[3]),
                 LOG_I("ms", client_mono_ms() - t0));
    }
    self->npending = 0;
    self->txn_open = false;
    self->txn_records = 0;
}

static void
s_on_ingest(server_t *self)
{
    while (self->npending < MAX_PENDING && self->txn_records < self->cfg.group_commit_max_records) {
        zmq_msg_t peer, payload;
        if (!s_recv(self->ingest_sock, &peer, &payload))
            return;
        const principal_t *who = s_principal(self, &payload);
        if (!who) {   /* ZAP admitted it, so this is a principal list change: drop */
            log_warn("HUB-INGEST-UNKNOWN", LOG_S("reason", "no principal on message"));
            zmq_msg_close(&payload);
            zmq_msg_close(&peer);
            continue;
        }
        if (!self->txn_open) {
            hub_err_t err = store_begin(self->writer);
            if (err != HUB_OK) {
                uint8_t *frame;
                size_t len;
                ingest_retry_frame(self->ingest, 0, err, &frame, &len);
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
        hub_err_t err = ingest_frame(self->ingest, who, zmq_msg_data(&payload), zmq_msg_size(&payload),
                                     client_now_ms(), &p->reply);
        zmq_msg_close(&payload);
        self->txn_records += p->reply.counts[0] ? p->reply.counts[0] : 1;
        if (err != HUB_OK) {
            s_finish(self, false);
            return;
        }
    }
}

static void
s_on_query(server_t *self)
{
    for (int i = 0; i < QUERIES_PER_TURN; i++) {
        zmq_msg_t peer, payload;
        if (!s_recv(self->query_sock, &peer, &payload))
            return;
        const principal_t *found = s_principal(self, &payload);
        if (found) {
            principal_t who_copy = *found;   /* a principal command may reload the list */
            const principal_t *who = &who_copy;
            query_ctx_t ctx = {
                .reader = self->reader,
                .writer = self->writer,
                .admin = self->admin,
                .communities = self->communities,
                .rules = &self->cfg.survivorship,
                .live = {.records_per_second = ingest_rate(self->ingest, client_now_ms()),
                         .uptime_s = (client_mono_ms() - self->started_ms) / 1000},
            };
            uint8_t *frame;
            size_t len;
            s_finish(self, true);   /* a reader sees what is acknowledged; operators' commands write */
            query_frame(&ctx, who, zmq_msg_data(&payload), zmq_msg_size(&payload), ++self->query_seq, &frame, &len);
            s_send(self->query_sock, &peer, frame, len);
            free(frame);
        } else {   /* revoked while connected */
            uint8_t *frame;
            size_t len;
            const char *user = zmq_msg_gets(&payload, "User-Id");
            log_warn("HUB-QUERY-REFUSE", LOG_S("principal", user ? user : ""), LOG_S("reason", "key revoked"));
            codec_encode_error(HUB_EDENIED, "this key is no longer admitted (revoked)", ++self->query_seq, &frame, &len);
            s_send(self->query_sock, &peer, frame, len);
            free(frame);
        }
        zmq_msg_close(&payload);
        zmq_msg_close(&peer);
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

int
server_run(server_t *self, volatile sig_atomic_t *stop)
{
    log_notice("HUB-START", LOG_I("max_message_bytes", self->cfg.max_message_bytes),
               LOG_I("group_commit_max_records", self->cfg.group_commit_max_records),
               LOG_I("group_commit_max_ms", self->cfg.group_commit_max_ms));
    while (!*stop) {
        zmq_pollitem_t items[] = {
            {auth_zap_socket(self->auth), 0, ZMQ_POLLIN, 0},
            {self->ingest_sock, 0, ZMQ_POLLIN, 0},
            {self->query_sock, 0, ZMQ_POLLIN, 0},
        };
        long timeout = 1000;
        if (self->txn_open) {
            timeout = self->txn_started_ms + self->cfg.group_commit_max_ms - client_mono_ms();
            if (timeout < 0)
                timeout = 0;
        }
        int rc = zmq_poll(items, 3, timeout);
        if (rc < 0 && errno != EINTR) {
            log_error("HUB-POLL-FAIL", LOG_S("reason", zmq_strerror(errno)));
            break;
        }
        if (rc > 0 && (items[0].revents & ZMQ_POLLIN))
            while (s_readable(auth_zap_socket(self->auth)))
                auth_handle_zap(self->auth);
        if (rc > 0 && (items[1].revents & ZMQ_POLLIN))
            s_on_ingest(self);
        if (self->txn_open
            && (self->txn_records >= self->cfg.group_commit_max_records
                || client_mono_ms() - self->txn_started_ms >= self->cfg.group_commit_max_ms
                || !s_readable(self->ingest_sock)))
            s_finish(self, true);
        if (rc > 0 && (items[2].revents & ZMQ_POLLIN))
            s_on_query(self);
    }
    s_finish(self, true);
    log_notice("HUB-STOP", LOG_S("reason", "signal"));
    return 0;
}
