/*
** codec.h: bytes on the wire <-> the hub's structs, with structural
** validation. The only user of protobuf-c inside the hub.
*/
#ifndef HUB_CODEC_H
#define HUB_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "record.h"
#include "report.h"
#include "proto/hub.pb-c.h"

typedef enum { MSG_BATCH, MSG_HEARTBEAT, MSG_QUERY } msg_kind_t;
typedef enum {
    QUERY_GET, QUERY_STATS, QUERY_EXPORT_LINKS, QUERY_FACILITIES, QUERY_ADMIN, QUERY_SEARCH, QUERY_HOUSEHOLD,
    QUERY_EVENTS, QUERY_RECORDS
} query_kind_t;

typedef struct {
    query_kind_t kind;
    const char *idno;          /* QUERY_GET by number, else NULL */
    int64_t resident_id;       /* QUERY_GET by id, else 0 */
    int64_t after;             /* QUERY_EXPORT_LINKS cursor; QUERY_EVENTS: after this seq (-1: the acked one) */
    uint32_t wait_ms;          /* QUERY_EVENTS */
    int source;                /* QUERY_RECORDS (with after, limit) */
    uint32_t limit;
    const char *community;     /* QUERY_FACILITIES: as asked (NULL: every facility) */
    const char *command;       /* QUERY_ADMIN, with resident_id as its id and limit */
    const char *name, *role, *public_key;   /* QUERY_ADMIN principal-add/-revoke */
    const char *filter;        /* QUERY_ADMIN roster (with after as the page cursor) */
    const char *purpose;       /* why the reader asks ("" when not said) */
    const char *s_name, *s_birth, *s_phone, *s_address;   /* QUERY_SEARCH; QUERY_HOUSEHOLD: s_name is the number */
} query_t;


/* A decoded message. Strings point into the protobuf message it owns. */
typedef struct {
    const char *sender;
    uint64_t seq;
    uint32_t schema_version;
    int64_t sent_at_ms;
    msg_kind_t kind;
    rec_t *recs;               /* MSG_BATCH */
    size_t nrecs;
    query_t query;             /* MSG_QUERY */
    uint32_t heartbeat_s;      /* MSG_HEARTBEAT: the interval it announces (0: none) */
    bool leaving;              /* MSG_HEARTBEAT: the adapter stops */
    uint8_t digest[DIGEST_LEN];   /* of the whole frame */
    void *pb;
    void *arena;               /* where pb was decoded: freed whole by codec_msg_fini */
} msg_t;

/* Same values as the proto enums RecordResult and AckStatus. */
enum { RESULT_ACCEPTED = 1, RESULT_DUPLICATE = 2, RESULT_REJECTED = 3 };
enum { ACK_OK = 1, ACK_REJECTED = 2, ACK_RETRY = 3 };

typedef struct {
    int result;
    hub_err_t code;
    const char *reason;        /* not owned */
    resident_id_t resident;
} rec_result_t;

typedef struct {
    uint64_t seq;
    int status;
    hub_err_t code;
    const char *reason;
    const rec_result_t *results;
    size_t n;
} ack_t;

/* Decode one frame. A message that is not a well-formed hub.Message with an
** envelope and a body the hub accepts on this socket, that does not pack
** back to its own size (a string cut at a NUL byte, a field given twice),
** or whose envelope holds a string that is not UTF-8, gives HUB_EPROTO and
** a reason in why; a batch of more than HUB_MAX_BATCH_RECORDS records
** HUB_ETOOBIG; a query with a string that is not UTF-8 or is longer than
** HUB_MAX_QUERY_TEXT HUB_EINVAL. out is then empty (codec_msg_fini is
** still safe). Records of a batch that are individually unusable (also a
** string not UTF-8 or over HUB_MAX_VALUE_BYTES) keep rec_t.err/why and do
** not fail the message. */
hub_err_t codec_decode(const uint8_t *data, size_t size, msg_t *out, char *why, size_t whycap);
void codec_msg_fini(msg_t *m);

/* Encoders return a malloc'd frame in *out (caller frees). out_seq is the
** hub's own envelope sequence number. */
void codec_encode_ack(const ack_t *ack, uint64_t out_seq, uint8_t **out, size_t *len);
/* An answer with a report in plain words (status 0 or the error). */
void codec_encode_report(hub_err_t status, const char *report, uint64_t out_seq, uint8_t **out, size_t *len);
/* The envelope's seq of a frame too large to decode whole (0 when it
** cannot be read), so that even its refusal answers the batch it refuses. */
uint64_t codec_peek_seq(const uint8_t *data, size_t size);
/* One record's protobuf (as the quarantine keeps it) as a batch of its own
** from sender with seq: what an adapter would have sent. */
hub_err_t codec_wrap_record(const char *sender, uint64_t seq, const uint8_t *body, size_t body_len, uint8_t **out,
                            size_t *len);
/* A table answer: r's title as the report, its columns and cells. */
void codec_encode_report_table(const report_t *r, uint64_t out_seq, uint8_t **out, size_t *len);
void codec_encode_hits(const search_hit_t *hits, size_t n, uint64_t out_seq, uint8_t **out, size_t *len);
void codec_encode_error(hub_err_t code, const char *text, uint64_t out_seq, uint8_t **out, size_t *len);
/* The department payload of a record (police, family planning, ...), or NULL. */
const ProtobufCMessage *codec_payload(const Hub__Record *r);

/* A page of a department's current records: their ids and bodies (each a
** Record packed without origin), the next cursor, whether it is the last. */
void codec_encode_records(const int64_t *ids, uint8_t *const *bodies, const size_t *lens, size_t n, int64_t next_after,
                          bool done, uint64_t out_seq, uint8_t **out, size_t *len);
/* The change feed's answer: rows (in seq order) after `after`, every
** event up to `to` considered, the hub's last seq. */
void codec_encode_events(const change_row_t *rows, size_t n, int64_t after, int64_t to, int64_t last,
                         uint64_t out_seq, uint8_t **out, size_t *len);
/* What a reader may see of the records: identity numbers masked, and the
** department whose sensitive fields may show (0: none). */
typedef struct {
    bool mask_idno;
    int sensitive_department;
} view_policy_t;

/* "350802********123X": the region and the last four kept (in place). */
void codec_mask_idno(char *s);

void codec_encode_residents(const resident_view_t *views, size_t n, const view_policy_t *policy, uint64_t out_seq,
                            uint8_t **out, size_t *len);
void codec_encode_stats(const registry_stats_t *stats, uint64_t out_seq, uint8_t **out, size_t *len);
void codec_encode_links(const link_row_t *rows, size_t n, int64_t next_after, bool done,
                        uint64_t out_seq, uint8_t **out, size_t *len);
/* Facilities, each with the community codes it serves (comma-separated in
** the row, repeated on the wire); done false when more matched than sent. */
void codec_encode_facilities(const facility_row_t *rows, size_t n, bool done, uint64_t out_seq,
                             uint8_t **out, size_t *len);

/* The facts of record i of a decoded batch (m->recs[i].err == HUB_OK), as
** the hub normalises them (see facts_t in record.h). *out is initialised
** here; the caller frees it with facts_fini. */
void codec_record_facts(const msg_t *m, size_t i, facts_t *out);
/* The same from a stored body (a hub.Record as kept in the registry).
** HUB_EPROTO when the bytes are not a hub.Record; *out is then empty
** (facts_fini is still safe). */
hub_err_t codec_body_facts(const uint8_t *body, size_t len, facts_t *out);
/* The identity number a stored body carries, as received, into raw ("" when none). */
hub_err_t codec_body_idno(const uint8_t *body, size_t len, char *raw, size_t cap);

#endif
