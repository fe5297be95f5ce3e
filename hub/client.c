/* client.c: CURVE DEALER to the hub, whole messages in and out (see client.h). */
#define _POSIX_C_SOURCE 200809L
#include "client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "config.h"
#include "keys.h"

struct client {
    void *ctx;
    void *sock;
    char principal[64];
    char endpoint[256];
};

int64_t
client_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
client_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
s_setint(void *sock, int opt, int value)
{
    zmq_setsockopt(sock, opt, &value, sizeof value);
}

client_t *
client_new(const client_opts_t *opts, char *errbuf, size_t errcap)
{
    char path[1024];
    hub_config_t cfg;
    config_defaults(&cfg);
    if (opts->home) {
        snprintf(path, sizeof path, "%s/hub.conf", opts->home);
        if (access(path, F_OK) == 0 && config_load(&cfg, path, errbuf, errcap) != HUB_OK)
            return NULL;
    }
    if (!opts->principal || !*opts->principal) {
        snprintf(errbuf, errcap, "no principal name given");
        return NULL;
    }
    if (!opts->home && (!opts->key_file || !opts->hub_key_file || !opts->endpoint)) {
        snprintf(errbuf, errcap, "without --home, the endpoint, the key file and the hub's key file must all be given");
        return NULL;
    }
    keypair_t me, hub;
    if (opts->key_file)
        snprintf(path, sizeof path, "%s", opts->key_file);
    else
        snprintf(path, sizeof path, "%s/keys/%s.key", opts->home, opts->principal);
    if (keys_load(path, &me, true, errbuf, errcap) != HUB_OK)
        return NULL;
    if (opts->hub_key_file)
        snprintf(path, sizeof path, "%s", opts->hub_key_file);
    else
        snprintf(path, sizeof path, "%s/keys/hub.pub", opts->home);
    if (keys_load(path, &hub, false, errbuf, errcap) != HUB_OK)
        return NULL;

    client_t *self = HUB_CHECK_ALLOC(calloc(1, sizeof *self));
    snprintf(self->principal, sizeof self->principal, "%s", opts->principal);
    if (opts->endpoint)
        snprintf(self->endpoint, sizeof self->endpoint, "%s", opts->endpoint);
    else
        snprintf(self->endpoint, sizeof self->endpoint, "%s",
                 opts->port == CLIENT_INGEST  ? cfg.ingest_endpoint
                 : opts->port == CLIENT_QUERY ? cfg.query_endpoint
                                              : cfg.events_endpoint);
    self->ctx = zmq_ctx_new();
    self->sock = zmq_socket(self->ctx, opts->port == CLIENT_EVENTS ? ZMQ_SUB : ZMQ_DEALER);
    zmq_setsockopt(self->sock, ZMQ_CURVE_SERVERKEY, hub.public_, KEY_Z85_LEN);
    zmq_setsockopt(self->sock, ZMQ_CURVE_PUBLICKEY, me.public_, KEY_Z85_LEN);
    zmq_setsockopt(self->sock, ZMQ_CURVE_SECRETKEY, me.secret, KEY_Z85_LEN);
    s_setint(self->sock, ZMQ_LINGER, 0);
    if (opts->port != CLIENT_EVENTS)
        s_setint(self->sock, ZMQ_IMMEDIATE, 1);
    s_setint(self->sock, ZMQ_RECONNECT_IVL, 100);
    s_setint(self->sock, ZMQ_RECONNECT_IVL_MAX, 2000);
    s_setint(self->sock, ZMQ_HEARTBEAT_IVL, 1000);
    s_setint(self->sock, ZMQ_HEARTBEAT_TIMEOUT, 5000);
    if (zmq_connect(self->sock, self->endpoint) != 0) {
        snprintf(errbuf, errcap, "cannot connect to %s: %s", self->endpoint, zmq_strerror(errno));
        client_destroy(&self);
        return NULL;
    }
    return self;
}

void
client_destroy(client_t **self_p)
{
    client_t *self = *self_p;
    if (!self)
        return;
    if (self->sock) {   /* a last message (an adapter's goodbye) gets half a second to leave */
        s_setint(self->sock, ZMQ_LINGER, 500);
        zmq_close(self->sock);
    }
    if (self->ctx)
        zmq_ctx_term(self->ctx);
    free(self);
    *self_p = NULL;
}

const char *
client_principal(const client_t *self)
{
    return self->principal;
}

const char *
client_endpoint(const client_t *self)
{
    return self->endpoint;
}

void *
client_socket(client_t *self)
{
    return self->sock;
}

hub_err_t
client_send_raw(client_t *self, const void *data, size_t size)
{
    if (zmq_send(self->sock, data, size, ZMQ_DONTWAIT) < 0)
        return errno == EAGAIN ? HUB_EBUSY : HUB_EIO;
    return HUB_OK;
}

hub_err_t
client_send(client_t *self, Hub__Message *msg, uint64_t seq)
{
    Hub__Envelope env = HUB__ENVELOPE__INIT;
    Hub__Envelope *saved = msg->env;
    env.sender = self->principal;
    env.has_seq = 1;
    env.seq = seq;
    env.has_schema_version = 1;
    env.schema_version = HUB_SCHEMA_VERSION;
    env.has_sent_at_ms = 1;
    env.sent_at_ms = client_now_ms();
    if (saved) {   /* a caller-built envelope wins field by field (tests) */
        if (saved->sender)
            env.sender = saved->sender;
        if (saved->has_schema_version)
            env.schema_version = saved->schema_version;
    }
    msg->env = &env;
    size_t size = hub__message__get_packed_size(msg);
    uint8_t *buf = HUB_CHECK_ALLOC(malloc(size ? size : 1));
    hub__message__pack(msg, buf);
    msg->env = saved;
    hub_err_t rc = client_send_raw(self, buf, size);
    free(buf);
    return rc;
}

Hub__Message *
client_recv(client_t *self, int timeout_ms)
{
    zmq_pollitem_t item = {self->sock, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, timeout_ms) <= 0)
        return NULL;
    zmq_msg_t frame;
    zmq_msg_init(&frame);
    if (zmq_msg_recv(&frame, self->sock, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&frame);
        return NULL;
    }
    Hub__Message *m = hub__message__unpack(NULL, zmq_msg_size(&frame), zmq_msg_data(&frame));
    zmq_msg_close(&frame);
    return m;
}

int
client_subscribe(client_t *self, const char *topic)
{
    return zmq_setsockopt(self->sock, ZMQ_SUBSCRIBE, topic, strlen(topic)) == 0 ? 0 : -1;
}

char *
client_recv_event(client_t *self, int timeout_ms, char *topic, size_t cap)
{
    zmq_pollitem_t item = {self->sock, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, timeout_ms) <= 0)
        return NULL;
    zmq_msg_t part;
    zmq_msg_init(&part);
    if (zmq_msg_recv(&part, self->sock, 0) < 0) {
        zmq_msg_close(&part);
        return NULL;
    }
    snprintf(topic, cap, "%.*s", (int)zmq_msg_size(&part), (const char *)zmq_msg_data(&part));
    char *body = NULL;
    if (zmq_msg_more(&part)) {
        zmq_msg_close(&part);
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, self->sock, 0) >= 0) {
            body = HUB_CHECK_ALLOC(malloc(zmq_msg_size(&part) + 1));
            memcpy(body, zmq_msg_data(&part), zmq_msg_size(&part));
            body[zmq_msg_size(&part)] = 0;
        }
        while (zmq_msg_more(&part)) {   /* an event is two frames; drop the rest */
            zmq_msg_close(&part);
            zmq_msg_init(&part);
            zmq_msg_recv(&part, self->sock, 0);
        }
    }
    zmq_msg_close(&part);
    return body ? body : HUB_CHECK_ALLOC(calloc(1, 1));
}

Hub__Message *
client_ask(client_t *self, Hub__Query *q, const char *purpose, uint64_t seq, int timeout_ms)
{
    q->purpose = (char *)purpose;
    Hub__Message m = HUB__MESSAGE__INIT;
    m.body_case = HUB__MESSAGE__BODY_QUERY;
    m.query = q;
    int64_t deadline = client_mono_ms() + timeout_ms;
    while (client_send(self, &m, seq) == HUB_EBUSY) {   /* not yet connected */
        if (client_mono_ms() > deadline)
            break;
        struct timespec ts = {0, 2 * 1000000};
        nanosleep(&ts, NULL);
    }
    long left = (long)(deadline - client_mono_ms());
    Hub__Message *a = client_recv(self, left > 0 ? (int)left : 0);
    if (a && a->body_case != HUB__MESSAGE__BODY_ANSWER) {
        hub__message__free_unpacked(a, NULL);
        a = NULL;
    }
    return a;
}
