/*
** http.h: the operators' HTTP endpoint (libmicrohttpd, its own thread):
**   GET /metrics   the Prometheus text exposition of metrics.c
**   GET /healthz   200 "ok" when the hub can commit and answer, else 503
**                  with the reason in one plain sentence
** Listens on metrics_listen (HOST:PORT, loopback by default).
*/
#ifndef HUB_HTTP_H
#define HUB_HTTP_H

#include <stddef.h>

#include "metrics.h"

typedef struct http http_t;

/* NULL (and why in errbuf) when it cannot listen. */
http_t *http_start(const char *listen, metrics_t *metrics, char *errbuf, size_t errcap);
void http_stop(http_t **self_p);

#endif
