/*
** mindex.h: the matching index in memory, for the writer (store.c).
**
** Each current person record's feature blob (match_rec_pack) by record id,
** and its blocking keys as 64-bit hashes, each with the records under it.
** The blobs are also stored in match_features (so a restart loads them
** back in one pass); the blocking keys live only here: looking candidates
** up costs no disk page and adding a record writes none.
**
** Changes follow the writer's transaction: mindex_commit forgets how to
** undo them, mindex_rollback undoes every change since the last commit
** (a record id freed by a rolled-back insert may be used again by SQLite).
** A record id must fit in 32 bits.
*/
#ifndef HUB_MINDEX_H
#define HUB_MINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mindex mindex_t;

mindex_t *mindex_new(void);
void mindex_destroy(mindex_t **self_p);

/* Replace record id's blob (copied) and blocking keys. */
void mindex_put(mindex_t *self, int64_t id, const void *data, size_t len, const char *const *keys, size_t nkeys);
/* Forget record id (its entries under keys are skipped from now on). */
void mindex_drop(mindex_t *self, int64_t id);

/* Record id's blob, or false. The pointer is valid until the next change. */
bool mindex_get(const mindex_t *self, int64_t id, const void **data, size_t *len);
/* Records under key, lowest ids first, at most limit; returns how many
** were written to out (at most cap). */
size_t mindex_block(const mindex_t *self, const char *key, size_t limit, int64_t *out, size_t cap);
/* Every record under key, lowest id first, into *out (malloc'd, may be NULL). */
size_t mindex_lookup(const mindex_t *self, const char *key, int64_t **out);

void mindex_commit(mindex_t *self);
void mindex_rollback(mindex_t *self);

/* Records held, and the bytes the index holds in memory. */
size_t mindex_records(const mindex_t *self);
size_t mindex_bytes(const mindex_t *self);

#endif
