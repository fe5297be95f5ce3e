/*
** resolve.h: which resident a source record belongs to (entity resolution),
** incrementally, as each record arrives, inside the writer's transaction.
**
** A record's features (match.h) are stored with its blocking keys; the
** records sharing a key are its candidates; each candidate pair is scored
** with Fellegi-Sunter weights and kept when it reaches the lower threshold.
** Pairs at or above the upper threshold link. The residents are the
** clusters of linked records, under two constraints: a cluster never holds
** two different valid identity numbers, and never two records a person said
** are different people (cannot_link). When a record links one resident
** without conflict it simply joins it; otherwise the component of linked
** records around it is clustered again from scratch: pairs in descending
** score (ties by record ids), joined unless a constraint forbids. The result
** therefore depends only on the records, not on the order they came in.
** Resident ids are stable: a cluster keeps the id most of its records had
** (the older on a tie); an id that loses all its records becomes an alias of
** the one that took them. Every merge and split is recorded with its evidence.
**
** Relatives: a record without a number of its own (none, or one that is
** evidently a relative's: match_idno_foreign, or the head's on a roster
** member's row) also takes as candidates the police members of the
** households of the relatives it names (the number's owner, the
** family-planning woman, the roster's head), scored with relative=exact.
** So that the result does not depend on which department came first, a
** police record that comes wakes the records naming a relative in its
** household, and a record holding a number as its own wakes the roster
** members' rows carrying it: they are worked out, scored and clustered
** again (index keys R:, L:, B:, W:, M: of match.h).
*/
#ifndef HUB_RESOLVE_H
#define HUB_RESOLVE_H

#include "match.h"
#include "normalize.h"
#include "record.h"
#include "store.h"

typedef struct resolver resolver_t;

resolver_t *resolver_new(store_t *writer, const match_weights_t *weights);
void resolver_destroy(resolver_t **self_p);

/* The canonical identity number of a record (valid) into idno, and its
** cleaned form when invalid into typed; returns the status. A valid number
** that is evidently someone else's (match_idno_foreign: a relative's, by
** the record's own birth date, age or gender) goes to foreign instead of
** idno (foreign may be NULL: then it is dropped). facts may be NULL (no
** such check). */
norm_idno_status_t resolve_idno(const rec_t *rec, const facts_t *facts, int64_t now_ms, char idno[NORM_IDNO_SIZE],
                                char typed[NORM_IDNO_SIZE], char foreign[NORM_IDNO_SIZE]);

/* Resolve the person record id just stored (with its facts) inside the open
** transaction. version is what store_record_put said of it. *resident gets
** the resident it now belongs to; *created whether that resident is new. */
hub_err_t resolver_add(resolver_t *self, const rec_t *rec, record_id_t id, const facts_t *facts,
                       const store_version_t *version, int64_t now_ms, resident_id_t *resident, bool *created);

/* The steps of resolver_add, for work over stored records (rematch):
** store the features and blocking keys of a person record; score it
** against its candidates (keeping pairs at or above the lower threshold);
** cluster the component around seed again, recording merges and splits as
** decided by `by`; the records of that component are appended to seen
** (when not NULL; at most 512). */
hub_err_t resolver_features(resolver_t *self, record_id_t id, const facts_t *facts, int source, const char *key,
                            const char *idno_raw, const char *origin_file, int64_t now_ms);
hub_err_t resolver_score(resolver_t *self, record_id_t id);
hub_err_t resolver_recluster(resolver_t *self, record_id_t seed, const char *by, int64_t now_ms, record_id_t *seen,
                             size_t *nseen);
const match_weights_t *resolver_weights(const resolver_t *self);

/* The records resolver_add woke since the last call (records naming a
** relative in a household whose police records came, rows carrying a
** number its owner now claims), each worked on once: call at the end of a
** batch, inside its transaction. resolver_discard forgets them (the batch
** failed). */
hub_err_t resolver_flush(resolver_t *self, int64_t now_ms);
void resolver_discard(resolver_t *self);

/* Counters since start, for the log and stats. */
typedef struct {
    long records, new_residents, joined, reclusters, merges, splits, reviews;
} resolve_stats_t;
void resolver_stats(const resolver_t *self, resolve_stats_t *out);

#endif
