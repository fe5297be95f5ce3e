/*
** audit.h: the record of every look. Each query and each refusal is an
** entry (principal, role, purpose, kind, arguments, residents returned,
** outcome, time) appended to audit_log; each entry carries the BLAKE2b-256
** of the previous entry's hash and its own fields, so removing or editing an
** entry breaks the chain from there on (audit_verify finds where).
*/
#ifndef HUB_AUDIT_H
#define HUB_AUDIT_H

#include "store.h"

/* Append e (its hashes are computed here) in the writer's own transaction. */
hub_err_t audit_append(store_t *writer, audit_row_t *e);

/* Walk the chain: *checked entries; *first_bad the first id whose hash does
** not follow (0 when the chain is whole). */
hub_err_t audit_verify(store_t *store, int64_t *checked, int64_t *first_bad);

/* The hash of an entry given its predecessor's. */
void audit_hash(const audit_row_t *e, uint8_t out[32]);

#endif
