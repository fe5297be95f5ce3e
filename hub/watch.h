/*
** watch.h: what the hub knows of each adapter that talks to it: up (it
** sends or heartbeats), silent (nothing for longer than it should be),
** left (it said goodbye); when it was last seen, its last sequence number
** and lag, its records and rejects, its rate over the last minute. The
** poll loop tells it every message and every committed batch and ticks it;
** it logs each change of state (HUB-ADAPTER-UP, -SILENT, -BACK, -LEFT) and
** keeps the hub_adapter_* metrics. Pure bookkeeping: no I/O but the log.
*/
#ifndef HUB_WATCH_H
#define HUB_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "metrics.h"
#include "report.h"

typedef struct watch watch_t;

/* silent_ms: how long an adapter may say nothing when it did not announce
** its heartbeat interval. */
watch_t *watch_new(metrics_t *metrics, long silent_ms);
void watch_destroy(watch_t **self_p);

/* A message from name (department code 1..4) at now_ms. interval_s: the
** heartbeat interval it announced (0 unknown); leaving: it says it stops. */
void watch_seen(watch_t *self, const char *name, int department, int64_t now_ms, uint32_t interval_s, bool leaving);
/* A batch of name's committed: its seq, when it was sent, and its counts
** (records, accepted, duplicates, rejected). */
void watch_batch(watch_t *self, const char *name, uint64_t seq, int64_t sent_ms, int64_t now_ms, const int counts[4]);
/* Time passes: adapters quiet for too long become silent. */
void watch_tick(watch_t *self, int64_t now_ms);
/* How many are silent now. */
int watch_silent(const watch_t *self);
/* One row per adapter into r (columns: adapter, state, last seen, last seq,
** records/s, records, rejected). */
void watch_report(const watch_t *self, int64_t now_ms, report_t *r);

#endif
