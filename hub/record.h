/*
** record.h: the hub's own plain structs for what travels between modules:
** an incoming source record, a stored one, a resident view, a link row and
** the registry counts. No functions; protobuf-c types stay in codec.c and
** SQLite in store.c, and these are what they hand each other.
*/
#ifndef HUB_RECORD_H
#define HUB_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

#define HUB_DEPARTMENTS 5          /* codes 1..4 as in proto Department */
#define DIGEST_LEN 16

/* The wire schema version this build speaks (Envelope.schema_version).
** Bumped only for a change old peers must not silently misread. */
#define HUB_SCHEMA_VERSION 1

typedef struct { int64_t v; } resident_id_t;
typedef struct { int64_t v; } record_id_t;

/* A source record as decoded from a batch. Strings point into the decoded
** message and live as long as it does. */
typedef struct {
    int source;                /* proto Department */
    const char *source_key;
    const char *origin_file;
    uint32_t origin_row;
    int64_t changed_at;        /* s since epoch, 0 = unknown */
    const char *idno_raw;      /* identity number as received, NULL when none */
    uint8_t *body;             /* the Record packed without its origin (owned by the msg) */
    size_t body_len;
    uint8_t digest[DIGEST_LEN];/* of body: same content, same digest */
    hub_err_t err;             /* HUB_OK, or why the record cannot be stored */
    char why[160];
} rec_t;

/* What the store keeps of a record, for insert. */
typedef struct {
    const rec_t *rec;
    resident_id_t resident;
    const char *idno;          /* canonical valid number, or NULL */
    int idno_status;           /* norm_idno_status_t */
    const char *sender;
    uint64_t batch_seq;
    int64_t received_ms;
} store_put_t;

/* A stored record with provenance, as read back. Strings are owned by the
** enclosing resident_view_t. */
typedef struct {
    record_id_t id;
    int source;
    char *source_key;
    char *origin_file;
    uint32_t origin_row;
    char *sender;
    uint64_t batch_seq;
    int64_t received_ms;
    bool current;
    char *idno;
    uint8_t *body;
    size_t body_len;
} stored_rec_t;

typedef struct {
    resident_id_t id;
    char *idno;
    stored_rec_t *recs;
    size_t nrecs;
} resident_view_t;

typedef struct {
    int source;
    char *source_key;
    char *origin_file;
    uint32_t origin_row;
    resident_id_t resident;
    record_id_t record;
} link_row_t;

typedef struct {
    int64_t residents;
    int64_t source_records;
    int64_t by_department[HUB_DEPARTMENTS];
    int64_t quarantined;
    double records_per_second;
    int64_t uptime_s;
} registry_stats_t;

#endif
