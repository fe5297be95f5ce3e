/* http.c: /metrics and /healthz over libmicrohttpd (see http.h). */
#define _POSIX_C_SOURCE 200809L
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

#define HEALTH_STALL_MS 10000   /* a poll loop silent this long is not answering */

struct http {
    struct MHD_Daemon *daemon;
    metrics_t *metrics;
};

static enum MHD_Result
s_reply(struct MHD_Connection *conn, unsigned code, const char *type, char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", type);
    enum MHD_Result ok = MHD_queue_response(conn, code, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result
s_handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method, const char *version,
         const char *upload, size_t *upload_size, void **state)
{
    (void)version, (void)upload, (void)upload_size, (void)state;
    http_t *self = cls;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return s_reply(conn, 405, "text/plain", HUB_CHECK_ALLOC(strdup("only GET\n")));
    if (strcmp(url, "/metrics") == 0)
        return s_reply(conn, 200, "text/plain; version=0.0.4; charset=utf-8", metrics_render(self->metrics));
    if (strcmp(url, "/healthz") == 0) {
        char why[300], *body = HUB_CHECK_ALLOC(malloc(320));
        bool ok = metrics_health(self->metrics, HEALTH_STALL_MS, why, sizeof why);
        snprintf(body, 320, "%s\n", ok ? "ok" : why);
        return s_reply(conn, ok ? 200 : 503, "text/plain; charset=utf-8", body);
    }
    return s_reply(conn, 404, "text/plain", HUB_CHECK_ALLOC(strdup("not found: try /metrics or /healthz\n")));
}

http_t *
http_start(const char *listen, metrics_t *metrics, char *errbuf, size_t errcap)
{
    char host[64];
    unsigned port = 0;
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host || sscanf(colon + 1, "%u", &port) != 1 || !port
        || port > 65535) {
        snprintf(errbuf, errcap, "metrics_listen `%s`: expected HOST:PORT", listen);
        return NULL;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = 0;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        snprintf(errbuf, errcap, "metrics_listen `%s`: %s is not an IPv4 address", listen, host);
        return NULL;
    }
    http_t *self = HUB_CHECK_ALLOC(calloc(1, sizeof *self));
    self->metrics = metrics;
    self->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL, s_handle, self,
                                    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT,
                                    (unsigned)16, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
    if (!self->daemon) {
        snprintf(errbuf, errcap, "cannot listen on %s for metrics (in use?)", listen);
        free(self);
        return NULL;
    }
    return self;
}

void
http_stop(http_t **self_p)
{
    http_t *self = *self_p;
    if (!self)
        return;
    MHD_stop_daemon(self->daemon);
    free(self);
    *self_p = NULL;
}
