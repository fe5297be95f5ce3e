/*
** client.h: the small shared client of the hub, for adapters and hubctl.
** It finds the hub's endpoint and the keys (from a hub home directory for
** local use, or from explicit files in a deployment), opens a CURVE DEALER
** socket, and sends and receives whole hub.Message frames.
** The only other code outside hub/ that sees ZeroMQ is the test tooling.
*/
#ifndef HUB_CLIENT_H
#define HUB_CLIENT_H

#include <stdint.h>
#include "err.h"
#include "record.h"
#include "proto/hub.pb-c.h"

typedef enum { CLIENT_INGEST, CLIENT_QUERY, CLIENT_EVENTS } client_port_t;

typedef struct {
    const char *home;         /* hub home dir: hub.conf, keys/ (may be NULL when all below are set) */
    const char *principal;    /* principal name; its key is HOME/keys/NAME.key unless key_file */
    const char *endpoint;     /* overrides the endpoint from HOME/hub.conf */
    const char *key_file;     /* this principal's secret key file */
    const char *hub_key_file; /* the hub's public key file (default HOME/keys/hub.pub) */
    client_port_t port;
} client_opts_t;

typedef struct client client_t;

/* Connect (ZeroMQ connects lazily: no hub needs to be up). Returns NULL with
** a plain-words reason in errbuf when a key or the config cannot be read. */
client_t *client_new(const client_opts_t *opts, char *errbuf, size_t errcap);
void client_destroy(client_t **self_p);

/* CLIENT_EVENTS: receive what starts with topic ("log": the hub's log). */
int client_subscribe(client_t *self, const char *topic);
/* The next event within timeout_ms: its topic into topic, its body
** (malloc'd, NUL-terminated); NULL when none came. */
char *client_recv_event(client_t *self, int timeout_ms, char *topic, size_t cap);

const char *client_principal(const client_t *self);
const char *client_endpoint(const client_t *self);
void *client_socket(client_t *self);

/* Fill msg's envelope (sender, schema version, send time; seq as given)
** and send it. Does not block: HUB_EBUSY when no connection can take it. */
hub_err_t client_send(client_t *self, Hub__Message *msg, uint64_t seq);

/* Send raw bytes as one frame (tests of bad input). */
hub_err_t client_send_raw(client_t *self, const void *data, size_t size);

/* Wait up to timeout_ms (-1 = forever) for one message. Returns it (free
** with hub__message__free_unpacked(m, NULL)), or NULL on timeout, on an
** interrupted wait, or when the frame cannot be decoded. */
Hub__Message *client_recv(client_t *self, int timeout_ms);

/* One query with its purpose, sent (waiting for the connection) and
** answered within timeout_ms: the answer (free with
** hub__message__free_unpacked(m, NULL)), or NULL when none came or what
** came is not an answer. */
Hub__Message *client_ask(client_t *self, Hub__Query *q, const char *purpose, uint64_t seq, int timeout_ms);

/* Milliseconds since the epoch / a monotonic clock. */
int64_t client_now_ms(void);
int64_t client_mono_ms(void);

#endif
