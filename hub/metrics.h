/*
** metrics.h: the hub's figures for Prometheus. Counters, gauges and
** histograms by family name and label set, kept in memory; the poll loop
** updates them, the HTTP thread (http.c) renders them in the Prometheus
** text format (version 0.0.4). One mutex guards it all: an update is a few
** additions, a render a walk over a few hundred series.
**
** Every family is declared in metrics.c with its type and help text; an
** update to an undeclared family is a programming error (it aborts).
** Labels are given preformatted: `department="police"`, or "" for none.
*/
#ifndef HUB_METRICS_H
#define HUB_METRICS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct metrics metrics_t;

metrics_t *metrics_new(void);
void metrics_destroy(metrics_t **self_p);

/* counter += v */
void metrics_add(metrics_t *self, const char *family, const char *labels, double v);
/* gauge = v */
void metrics_set(metrics_t *self, const char *family, const char *labels, double v);
/* one observation (seconds) into a histogram */
void metrics_observe(metrics_t *self, const char *family, const char *labels, double v);
/* The value of one series (0 when absent); for tests and `hubctl status`. */
double metrics_get(metrics_t *self, const char *family, const char *labels);

/* The whole text exposition, malloc'd. */
char *metrics_render(metrics_t *self);

/* Health as the poll loop last found it: NULL reason when healthy. */
void metrics_health_set(metrics_t *self, const char *reason);
/* Copies the reason into buf (cap bytes) and returns false when unhealthy;
** also unhealthy when the poll loop has not reported for stall_ms. */
bool metrics_health(metrics_t *self, long stall_ms, char *buf, size_t cap);

#endif
