/*
** store.h: the registry in SQLite (WAL, synchronous=FULL): residents, their
** source records with provenance, processed batches and their acks, and
** quarantined input. The only user of sqlite3. One handle is the writer
** (owned by the ingest loop); readers open their own read-only handles.
** Every call returns HUB_OK, HUB_ENOTFOUND where a lookup finds nothing,
** HUB_EBUSY when the database is locked, or HUB_EDB (the error is logged).
*/
#ifndef HUB_STORE_H
#define HUB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "record.h"

typedef struct store store_t;

/* Open (and create or migrate, unless readonly) the registry at path. */
store_t *store_open(const char *path, long cache_mib, bool readonly, char *errbuf, size_t errcap);
void store_close(store_t **self_p);

hub_err_t store_begin(store_t *self);
hub_err_t store_commit(store_t *self);   /* durable when it returns HUB_OK */
void store_rollback(store_t *self);

/* Batches already processed, with the ack that was sent: found only when
** (sender, seq) and the digest of the frame all match (a true replay). */
hub_err_t store_batch_ack(store_t *self, const char *sender, uint64_t seq, const uint8_t digest[DIGEST_LEN],
                          uint8_t **ack, size_t *len);
hub_err_t store_batch_put(store_t *self, const char *sender, uint64_t seq, int64_t received_ms,
                          const int counts[4], const uint8_t digest[DIGEST_LEN], const uint8_t *ack, size_t len);

/* The stored record with this exact content, if any. */
hub_err_t store_record_seen(store_t *self, const rec_t *rec, record_id_t *id, resident_id_t *resident);
/* Move a record's origin to the file and row that delivered it last. */
hub_err_t store_record_touch(store_t *self, record_id_t id, const char *file, uint32_t row);
/* The resident of the latest stored version of (source, source_key). */
hub_err_t store_record_latest(store_t *self, int source, const char *key, resident_id_t *resident);
/* Store a new record (version); it becomes current unless a stored
** version of the same key changed later. */
hub_err_t store_record_put(store_t *self, const store_put_t *put, record_id_t *id);

hub_err_t store_resident_by_idno(store_t *self, const char *idno, resident_id_t *id);
/* Residents with a current record whose source key is exactly key (at most max). */
hub_err_t store_residents_by_key(store_t *self, const char *key, resident_id_t *out, size_t max, size_t *n);
hub_err_t store_resident_new(store_t *self, const char *idno, int64_t now_ms, resident_id_t *id);

/* Keep bad input: whole messages (index < 0) or single records. */
hub_err_t store_quarantine_put(store_t *self, int64_t received_ms, const char *sender, uint64_t seq, int index,
                               hub_err_t code, const char *reason, const uint8_t *bytes, size_t len);

/* Reads. A view is freed with store_view_free. */
hub_err_t store_resident_view(store_t *self, resident_id_t id, resident_view_t *out);
void store_view_free(resident_view_t *v);
/* Current records with id > after, by id, at most limit; rows freed with store_links_free. */
hub_err_t store_links(store_t *self, int64_t after, size_t limit, link_row_t **rows, size_t *n);
void store_links_free(link_row_t *rows, size_t n);
hub_err_t store_stats(store_t *self, registry_stats_t *out);

#endif
