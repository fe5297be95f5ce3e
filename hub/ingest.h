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
#include "codec.h"
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
    bool heartbeat;    /* it was a heartbeat: */
    uint32_t heartbeat_s;   /* the interval it announces */
    bool leaving;           /* the adapter stops */
    int64_t sent_at_ms;     /* the envelope's send time (0 unknown) */
    bool refused;           /* the whole message was refused and quarantined */
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

/* The checks ingest_frame makes before it touches the store, pure (the
** fuzz target tests/fuzz/ingest.c runs them on arbitrary bytes): the size
** against max_bytes, codec_decode, then the envelope (schema version,
** sender = who, not a query). HUB_OK: *m is a batch or a heartbeat from
** who. Otherwise the code and why (whycap bytes) say why it is refused.
** Either way the caller finishes *m with codec_msg_fini. */
hub_err_t ingest_check_frame(const principal_t *who, long max_bytes, const uint8_t *data, size_t size, msg_t *m,
                             char *why, size_t whycap);

/* Whether a record of a checked batch may be stored: the codec's own
** verdict on it, then its department against who's. HUB_OK, or the code
** with the reason in *reason (not owned; valid as long as rec). */
hub_err_t ingest_check_record(const principal_t *who, const rec_t *rec, const char **reason);

/* A "resend later" ack for seq (malloc'd frame). */
void ingest_retry_frame(ingest_t *self, uint64_t seq, hub_err_t why, uint8_t **frame, size_t *len);

/* The resolver ingest resolves with (operators' commands use it too). */
resolver_t *ingest_resolver(ingest_t *self);

/* A record quarantined alone is replayed as a batch with this seq + its
** quarantine id: above any adapter's (they start at the clock in ms). */
#define INGEST_REPLAY_SEQ_BASE (UINT64_C(1) << 62)

/* Quarantine entry qid again, from its sender who, inside the caller's
** transaction: the whole message (record_index < 0) or the one record.
** Refused without a write when it would still be refused (why says why);
** else counts get records, accepted, duplicates, rejected. */
hub_err_t ingest_replay(ingest_t *self, const principal_t *who, int64_t qid, int record_index, const uint8_t *data,
                        size_t size, int64_t now_ms, int counts[4], char *why, size_t whycap);

/* Count records accepted by a committed transaction; rate over the last minute. */
void ingest_committed(ingest_t *self, int accepted, int64_t now_ms);

/* Seconds spent since start in each stage of taking batches in (the
** commit is the server's): decode (protobuf and validation), normalise
** (facts and identity number), match (block, score, cluster, with the
** resolver's own reads and writes), store (the record, its facts, the
** batch and its ack). */
typedef enum { STAGE_DECODE, STAGE_NORMALISE, STAGE_MATCH, STAGE_STORE, INGEST_STAGES } ingest_stage_t;
extern const char *const ingest_stage_names[INGEST_STAGES];
void ingest_stage_seconds(const ingest_t *self, double out[INGEST_STAGES]);
double ingest_rate(const ingest_t *self, int64_t now_ms);

#endif
