/*
** ingest.h: one frame from an adapter -> validated records -> resolved ->
** stored in the writer's open transaction with its facts (structured
** values, see facts_t), and the acknowledgement to send once that
** transaction commits. Bad frames and bad records are kept in quarantine
** with their reason. Also keeps the accepted-records rate.
*/
#ifndef HUB_INGEST_H
#define HUB_INGEST_H

#include <stddef.h>
#include <stdint.h>
#include "auth.h"
#include "err.h"
#include "match.h"
#include "resolve.h"
#include "store.h"

typedef struct ingest ingest_t;

/* What to send back after commit: a malloc'd frame (NULL when none) and
** the seq it answers (to turn it into a retry if the commit fails). */
typedef struct {
    uint8_t *frame;
    size_t len;
    uint64_t seq;
    int counts[4];     /* records, accepted, duplicates, rejected */
} ingest_reply_t;

/* Before it returns, records stored before the registry kept facts (an
** upgraded registry) get their facts, in transactions of their own on
** writer (none may be open); logged as HUB-FACTS-BACKFILL. */
ingest_t *ingest_new(store_t *writer, long max_message_bytes, const match_weights_t *weights);
void ingest_destroy(ingest_t **self_p);

/* Handle one frame from principal who (authenticated by ZAP) inside the
** open transaction. HUB_OK: *reply is set (it may be a negative ack). Any
** other code: the store failed; the caller rolls back and answers every
** frame of the transaction with ingest_retry_frame. */
hub_err_t ingest_frame(ingest_t *self, const principal_t *who, const uint8_t *data, size_t size,
                       int64_t now_ms, ingest_reply_t *reply);

/* A "resend later" ack for seq (malloc'd frame). */
void ingest_retry_frame(ingest_t *self, uint64_t seq, hub_err_t why, uint8_t **frame, size_t *len);

/* The resolver ingest resolves with (operators' commands use it too). */
resolver_t *ingest_resolver(ingest_t *self);

/* Count records accepted by a committed transaction; rate over the last minute. */
void ingest_committed(ingest_t *self, int accepted, int64_t now_ms);
double ingest_rate(const ingest_t *self, int64_t now_ms);

#endif
