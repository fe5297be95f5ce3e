/*
** query.h: a reader's question -> the answer, scoped by principal. Reads
** (get, search, household, facilities, export of links, stats, rosters,
** figures, history) are answered on the query thread from a read handle
** of its own; the operators' commands (review, undo, rematch, quarantine,
** principals, audit, backup, status) run on the main thread, which owns
** the writer. Every request, answered or refused, is put on the audit log
** before its answer is sent.
*/
#ifndef HUB_QUERY_H
#define HUB_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "admin.h"
#include "audit.h"
#include "community.h"
#include "auth.h"
#include "golden.h"
#include "record.h"
#include "store.h"
#include "watch.h"

#define QUERY_MAX_RESIDENTS 20
#define QUERY_LINKS_PAGE 5000
#define QUERY_LINKS_MAX 50000
#define QUERY_FACILITIES_MAX 10000   /* one answer; Answer.done is false beyond */

/* What answering needs: the read handle, the writer (its matching index,
** for search; NULL: search reads every record), the audit log, the
** operators' commands (main thread only: NULL on the query thread), the
** survivorship rules, and what only the server knows (rate, uptime). */
typedef struct {
    store_t *reader;
    store_t *writer;
    audit_t *audit;
    admin_t *admin;
    const adp_communities_t *communities;   /* a street's communities */
    const golden_rules_t *rules;
    registry_stats_t live;
    /* for `status`: the adapters, the hub's health, the loop's figures */
    const watch_t *watch;
    const char *health;              /* "" healthy, else why not */
    long reviews_degraded;
    double commit_ms, queries_per_second;
    long queue_depth;
} query_ctx_t;

/* What a request was, for the metrics: its kind ("get", "admin:roster")
** and whether it was refused. */
typedef struct {
    char kind[64];
    bool refused;
    int64_t acked;        /* an events request acknowledged this seq (else -1) */
} query_outcome_t;

/* Must the request in data run on the main thread (it writes, or needs
** the main thread's state)? A frame that does not decode does not. */
bool query_on_writer(const uint8_t *data, size_t size);

/* Is data an events request that should wait (wait_ms given, nothing
** after its position yet)? Then *after is its position and *wait_ms how
** long it may wait; the server holds it and answers it with query_frame
** when a change is committed or the time is up. */
bool query_events_wait(const query_ctx_t *ctx, const principal_t *who, const uint8_t *data, size_t size,
                       int64_t *after, uint32_t *wait_ms);

/* Answer one frame from principal who. Always yields a frame in *frame
** (malloc'd), an error answer when the question is bad. */
void query_frame(const query_ctx_t *ctx, const principal_t *who, const uint8_t *data, size_t size, uint64_t out_seq,
                 uint8_t **frame, size_t *len, query_outcome_t *outcome);

#endif
