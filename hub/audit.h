/*
** audit.h: the record of every look. Each query and each refusal is an
** entry (principal, role, purpose, kind, arguments, residents returned,
** outcome, time) appended to audit_log; each entry carries the BLAKE2b-256
** of the previous entry's hash and its own fields, so removing or editing an
** entry breaks the chain from there on (audit_verify finds where).
**
** The log is a database of its own, audit.db beside registry.db, so a
** look is written while the registry's writer holds a long transaction:
** the query thread and the main thread append through one audit_t (its
** own connection, behind a lock). An entry is committed before its answer
** is sent, to the write-ahead log without waiting for the disk
** (synchronous=NORMAL): a crash of hubd loses no entry; a crash of the
** machine loses at most the entries since the last audit_sync, which the
** main thread calls every second (on a connection of its own: the disk's
** time holds up neither the appends nor the query thread).
*/
#ifndef HUB_AUDIT_H
#define HUB_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "record.h"

typedef struct {
    int64_t id, at_ms;
    const char *principal, *role, *purpose, *kind, *args, *residents, *outcome;
    uint8_t prev_hash[32], hash[32];
} audit_row_t;

typedef struct audit audit_t;

/* Open (or create) the log at path. A registry made when the log was a
** table of its own (registry_path, schema version < 8) still holds it:
** its entries are copied over first, ids and hashes as they were (run
** again after a crash, the copy adds nothing twice). */
audit_t *audit_open(const char *path, const char *registry_path, char *errbuf, size_t errcap);
void audit_close(audit_t **self_p);

/* Append e (its id and hashes are set here) in a transaction of its own. */
hub_err_t audit_append(audit_t *self, audit_row_t *e);

/* Walk the chain: *checked entries; *first_bad the first id whose hash does
** not follow (0 when the chain is whole). */
hub_err_t audit_verify(audit_t *self, int64_t *checked, int64_t *first_bad);

/* The entries naming a resident, newest first, at most limit. */
hub_err_t audit_of(audit_t *self, resident_id_t resident, size_t limit, void (*fn)(void *ctx, const audit_row_t *a),
                   void *ctx);

/* Put the entries appended so far on disk (a checkpoint of the log's WAL).
** One thread only (the main thread's check). */
void audit_sync(audit_t *self);

/* A consistent copy of the log into a new file dest. */
hub_err_t audit_backup(audit_t *self, const char *dest, char *why, size_t cap);

/* The hash of an entry given its predecessor's. */
void audit_hash(const audit_row_t *e, uint8_t out[32]);

#endif
