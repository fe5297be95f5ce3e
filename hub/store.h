/*
** store.h: the registry in SQLite (WAL, synchronous=FULL): residents, their
** source records with provenance, each record's facts as structured rows,
** processed batches and their acks, and quarantined input. The only user of
** sqlite3. One handle is the writer (owned by the ingest loop); readers open
** their own read-only handles. A writable open also rewrites the field
** catalogue (fact_fields) from facts.c.
** Every call returns HUB_OK, HUB_ENOTFOUND where a lookup finds nothing,
** HUB_EBUSY when the database is locked, or HUB_EDB (the error is logged).
*/
#ifndef HUB_STORE_H
#define HUB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "match.h"
#include "record.h"
#include "rules.h"

typedef struct store store_t;

/* Open (and create or migrate, unless readonly) the registry at path. */
store_t *store_open(const char *path, long cache_mib, bool readonly, char *errbuf, size_t errcap);
void store_close(store_t **self_p);

hub_err_t store_begin(store_t *self);
hub_err_t store_commit(store_t *self);   /* durable when it returns HUB_OK */
void store_rollback(store_t *self);

/* Batches already processed, with the ack that was sent: HUB_OK with it
** when (sender, seq) and the digest of the frame all match (a true replay);
** HUB_ESEQ when sender used seq for another frame; else HUB_ENOTFOUND with
** *highest the sender's highest stored seq (0: none). */
hub_err_t store_batch_ack(store_t *self, const char *sender, uint64_t seq, const uint8_t digest[DIGEST_LEN],
                          uint8_t **ack, size_t *len, uint64_t *highest);
hub_err_t store_batch_put(store_t *self, const char *sender, uint64_t seq, int64_t received_ms,
                          const int counts[4], const uint8_t digest[DIGEST_LEN], const uint8_t *ack, size_t len);

/* The stored record with this exact content, if any. */
hub_err_t store_record_seen(store_t *self, const rec_t *rec, record_id_t *id, resident_id_t *resident);
/* The same record delivered again: its origin (and body, which may differ
** in what the digest leaves out, such as 序号) become the latest ones. */
hub_err_t store_record_touch(store_t *self, record_id_t id, const rec_t *rec);
/* The resident of the latest stored version of (source, source_key). */
hub_err_t store_record_latest(store_t *self, int source, const char *key, resident_id_t *resident);
/* Store a new record (version); it becomes current unless a stored
** version of the same key changed later. version says which: current, and
** the version it superseded or that stays current (other, 0 when none). */
typedef struct {
    bool current;
    record_id_t other;
    resident_id_t other_resident;
} store_version_t;
hub_err_t store_record_put(store_t *self, const store_put_t *put, record_id_t *id, store_version_t *version);

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

/* ---- facts (schema version 2): each stored record version's values as
** structured rows, beside its blob; see the migration in store.c ---- */

/* Store the facts of the record version id in the open transaction: the
** person columns (person kinds), the department's row(s), the facility and
** its communities, and the values that did not normalise. Once per id. */
hub_err_t store_facts_put(store_t *self, record_id_t id, const facts_t *facts);

/* Current facilities serving community (a 12-digit code; NULL: all), by
** facility number, at most max; rows freed with store_facilities_free. */
hub_err_t store_facilities(store_t *self, const char *community, size_t max, facility_row_t **rows, size_t *n);
void store_facilities_free(facility_row_t *rows, size_t n);

/* Records stored before the registry kept facts (listed by the migration),
** oldest first, at most limit, with their bodies (freed with
** store_bodies_free); store_facts_pending_done takes one off the list. */
hub_err_t store_facts_pending(store_t *self, size_t limit, record_body_t **rows, size_t *n);
void store_bodies_free(record_body_t *rows, size_t n);
hub_err_t store_facts_pending_done(store_t *self, record_id_t id);

/* ---- entity resolution (resolve.c) ----
** Matching features (an opaque blob) and blocking keys of current person
** records, scored pairs, record-to-resident assignment, aliases, merges and
** splits with their evidence, pairs people said differ, review items. */

typedef struct {
    record_id_t other;
    double score;
    char evidence[240];
} scored_link_t;

typedef struct {
    int64_t at_ms;
    const char *kind;          /* "merge", "split", "undo" */
    const char *decided_by;    /* "auto" or a principal */
    resident_id_t resident, other;
    double score;
    const char *evidence;
    const char *records;       /* ids moved, comma-separated */
} resolution_event_t;

/* Replace a record's features (stored packed) and blocking keys (held in
** the writer's memory only: mindex.h). */
hub_err_t store_match_put(store_t *self, record_id_t id, const match_rec_t *m, const char *const *keys,
                          size_t nkeys);
/* Build the writer's matching index from the stored features now (else
** it is built on first use); logged as HUB-MATCH-INDEX. */
void store_match_index(store_t *self);
/* Forget them, and the record's scored pairs (a superseded version). */
hub_err_t store_match_drop(store_t *self, record_id_t id);
/* A record's features; HUB_ENOTFOUND when it has none (or of another layout). */
hub_err_t store_match_get(store_t *self, record_id_t id, match_rec_t *m);
/* Records under a blocking key, oldest first, at most limit (appended at
** out[*n], *n < cap); the writer's only. */
hub_err_t store_block_records(store_t *self, const char *key, size_t limit, record_id_t *out, size_t cap, size_t *n);
/* Every record under any of keys (match_index_keys), lowest id first, each
** once, with its features, to fn: from the writer's index in memory, so
** safe from another thread (the query thread's search) while the writer
** works (what its open transaction added is seen too). HUB_EINVAL when the
** index is not built (a reader's store, the writer's after a rollback) or
** is being rebuilt (a rematch): the caller reads every record instead. */
hub_err_t store_index_search(store_t *writer, const char *const *keys, size_t nkeys,
                             void (*fn)(void *ctx, record_id_t id, const match_rec_t *m), void *ctx);
hub_err_t store_link_put(store_t *self, record_id_t a, record_id_t b, double score, const char *evidence);
/* A record's scored pairs with score >= min_score. */
hub_err_t store_links_of(store_t *self, record_id_t id, double min_score, scored_link_t *out, size_t cap, size_t *n);
hub_err_t store_record_resident(store_t *self, record_id_t id, resident_id_t *resident, bool *current);
/* The record's number is not its own after all (a relative's): its
** source_records.idno becomes NULL. */
hub_err_t store_record_idno_clear(store_t *self, record_id_t id);
/* The record, with every version of its key, belongs to resident. */
hub_err_t store_record_assign(store_t *self, record_id_t id, resident_id_t resident);
/* The same for a record that is its key's only version. */
hub_err_t store_record_assign_one(store_t *self, record_id_t id, resident_id_t resident);
/* A resident's current records. */
hub_err_t store_resident_records(store_t *self, resident_id_t id, record_id_t *out, size_t cap, size_t *n);
/* alias now answers as into. */
hub_err_t store_resident_alias(store_t *self, resident_id_t alias, resident_id_t into, int64_t now_ms);
/* A resident with records again: not an alias, its main number from its records. */
hub_err_t store_resident_refresh(store_t *self, resident_id_t id, int64_t now_ms);
/* The resident an id answers as, following aliases (ENOTFOUND: no such id). */
hub_err_t store_resident_follow(store_t *self, resident_id_t id, resident_id_t *final);
hub_err_t store_cannot_link(store_t *self, record_id_t a, record_id_t b, bool *forbidden);
hub_err_t store_cannot_link_put(store_t *self, record_id_t a, record_id_t b);
/* A merge, split or undo; also its change event (resident.merged, .split, .undone). */
hub_err_t store_event_put(store_t *self, const resolution_event_t *e, int64_t *id);

/* A department's current records after record id `after`, in id order, at
** most limit: each one's id and body (the Record as received, no origin). */
hub_err_t store_department_records(store_t *self, int source, int64_t after, size_t limit,
                                   void (*fn)(void *ctx, int64_t id, const void *body, size_t len), void *ctx);

/* ---- the change feed (changes.h) ---- */

/* Append a change (its seq is the next, in the open transaction). */
hub_err_t store_change_put(store_t *self, const change_row_t *c);
/* The changes after seq `after`, in order, at most limit. */
hub_err_t store_changes_after(store_t *self, int64_t after, size_t limit,
                              void (*fn)(void *ctx, const change_row_t *c), void *ctx);
/* The last seq (0: none yet). */
int64_t store_change_last(store_t *self);
/* A subscriber's acknowledged position: it only moves forward. */
hub_err_t store_subscription_put(store_t *self, const char *principal, int64_t acked, int64_t now_ms);
hub_err_t store_subscription_get(store_t *self, const char *principal, int64_t *acked);

/* ---- the cross-department checks (rules.h, alerts.h) ---- */

/* The latest civil-affairs roster's month (0/0: none delivered). */
hub_err_t store_latest_roster(store_t *self, int *year, int *month);
/* What the departments say of resident id, as the rules read it. */
hub_err_t store_rule_subject(store_t *self, resident_id_t id, int year, int month, rule_subject_t *s);
/* Residents the rules should look at again: one, every member of a police
** household, all, and up to cap taken off the list. */
hub_err_t store_rules_dirty(store_t *self, resident_id_t id);
hub_err_t store_rules_dirty_household(store_t *self, const char *household_no);
hub_err_t store_rules_dirty_all(store_t *self);
hub_err_t store_rules_dirty_take(store_t *self, resident_id_t *out, size_t cap, size_t *n);

typedef struct {
    int64_t id, opened_ms;
    const char *rule, *severity, *community, *evidence, *status, *closed_by, *note;
    resident_id_t resident;
} alert_row_t;

/* Open an alert unless one is open for the rule and resident (*opened
** says which); a new one is also a change event (alert.raised). */
hub_err_t store_alert_put(store_t *self, const char *rule, const char *severity, resident_id_t id,
                          const char *community, const char *evidence, int64_t now_ms, bool *opened);
/* Alerts by rule, community and status (NULL or "": any), oldest first. */
hub_err_t store_alerts(store_t *self, const char *rule, const char *community, const char *status, size_t limit,
                       void (*fn)(void *ctx, const alert_row_t *a), void *ctx);
/* Close an open alert with who and why; HUB_ENOTFOUND when none is open by that id. */
hub_err_t store_alert_close(store_t *self, int64_t id, const char *by, const char *note, int64_t now_ms);
/* Open alerts per rule. */
hub_err_t store_alert_counts(store_t *self, void (*fn)(void *ctx, const char *rule, int64_t open), void *ctx);
hub_err_t store_review_put(store_t *self, record_id_t a, record_id_t b, double score, const char *evidence,
                           int64_t now_ms);
/* Residents with a current record carrying this canonical number. */
hub_err_t store_residents_by_number(store_t *self, const char *idno, resident_id_t *out, size_t max, size_t *n);

/* What each current record of a resident says of each golden-record field. */
hub_err_t store_observations(store_t *self, resident_id_t id, observation_t **out, size_t *n);
void store_observations_free(observation_t *obs, size_t n);

/* ---- operators' work on resolution (admin.c) ---- */

typedef struct {
    int64_t id;
    record_id_t a, b;
    double score;
    char evidence[240];
    char status[16];
} review_row_t;

/* A record as an operator compares it: key, resident and person facts. */
typedef struct {
    record_id_t id;
    int source;
    char key[96];
    resident_id_t resident;
    char idno[24], name[96], gender[4], birth[16], community[16], address[256], phone[32];
    char origin_file[128];
    uint32_t origin_row;
} record_card_t;

typedef struct {
    int64_t id, at_ms;
    char kind[16], decided_by[64];
    resident_id_t resident, other;
    double score;
    char evidence[240];
    char records[1024];
    int64_t undone_by;
} event_row_t;

/* Review items with this status (NULL: any), best score first. */
hub_err_t store_reviews(store_t *self, const char *status, size_t limit, review_row_t *out, size_t *n);
hub_err_t store_review_get(store_t *self, int64_t id, review_row_t *out);
hub_err_t store_review_decide(store_t *self, int64_t id, const char *status, const char *by, int64_t now_ms);
/* Open review items whose two records are in one resident now (linked by a
** decision on another item, or by evidence that came later) become
** 'settled' by 'auto'; *n says how many. */
hub_err_t store_reviews_settle(store_t *self, int64_t now_ms, size_t *n);
hub_err_t store_record_card(store_t *self, record_id_t id, record_card_t *out);
/* Merges and splits, newest first; of one resident (0: all). */
hub_err_t store_events(store_t *self, resident_id_t resident, size_t limit, event_row_t *out, size_t *n);
hub_err_t store_event_get(store_t *self, int64_t id, event_row_t *out);
hub_err_t store_event_undone(store_t *self, int64_t id, int64_t by_event);
/* Current person records with id > after, by id. */
hub_err_t store_person_records(store_t *self, record_id_t after, size_t limit, record_id_t *out, size_t *n);
/* A record's department, origin file and body (malloc'd). */
hub_err_t store_record_body(store_t *self, record_id_t id, int *source, char *origin_file, size_t cap,
                            uint8_t **body, size_t *len);
/* Forget every feature, blocking key and scored pair but the operators' links (rematch). */
hub_err_t store_match_clear(store_t *self);
hub_err_t store_cannot_link_del(store_t *self, record_id_t a, record_id_t b);

/* Every record's stored features, by record id. */
hub_err_t store_each_feature(store_t *self, void (*fn)(void *ctx, record_id_t id, const match_rec_t *m), void *ctx);

/* Current person records without features of this hub's layout (an upgraded registry). */
hub_err_t store_unmatched(store_t *self, int64_t *n);

/* A data-quality flag on a record (e.g. its number's birth date is not its own). */
hub_err_t store_quality_put(store_t *self, record_id_t id, const char *flag, const char *detail);

/* The current members of a police household, with their relation in `why`. */
/* The community a resident belongs to (its police record's, else civil
** affairs', labour's, family planning's): HUB_ENOTFOUND when none says. */
hub_err_t store_resident_community(store_t *self, resident_id_t id, char *out, size_t cap);
hub_err_t store_household(store_t *self, const char *number, search_hit_t *out, size_t cap, size_t *n);

/* Figures of an area: its communities as ",code,code," and the date ages
** are counted at. Rows of (table, label, count, sum): population by age
** band and gender, households, registration, life status, employment,
** entitlements in force with monthly yuan, facilities with floor area. */
typedef struct {
    char table[32], label[64];
    int64_t count;
    double sum;
} area_row_t;

typedef struct {
    area_row_t rows[128];
    size_t n;
} area_stats_t;

hub_err_t store_area_stats(store_t *self, const char *codes, const char *ref_date, area_stats_t *out);

/* A roster's filters (NULL / -1: any). */
typedef struct {
    int age_min, age_max;
    const char *gender, *status, *category, *employment, *entitlement, *entitlement_status, *household;
} roster_filter_t;

/* Residents of the communities in codes (",code,code,") passing f, by id
** after `after`, at most limit, into out (why empty). */
hub_err_t store_roster(store_t *self, const char *codes, const char *ref_date, const roster_filter_t *f, int64_t after,
                       size_t limit, search_hit_t *out, size_t *n);

/* Quarantined input, newest first: what, from whom, why; never its bytes. */
typedef struct {
    int64_t id, received_ms, batch_seq, bytes;
    const char *sender, *reason;
    int record_index;          /* -1: the whole message */
    int reason_code;
    const char *status, *decided_by, *note;   /* held, replayed, dropped */
} quarantine_row_t;

/* Newest first, at most limit; id > 0: that entry only. */
hub_err_t store_quarantine_list(store_t *self, int64_t id, size_t limit,
                                void (*fn)(void *ctx, const quarantine_row_t *q), void *ctx);
/* The bytes kept (a whole message, or one record's protobuf), malloc'd. */
hub_err_t store_quarantine_bytes(store_t *self, int64_t id, uint8_t **out, size_t *len);
/* A held entry becomes replayed or dropped; HUB_ENOTFOUND when no held entry has id. */
hub_err_t store_quarantine_decide(store_t *self, int64_t id, const char *status, const char *by, int64_t now_ms,
                                  const char *note);

/* A consistent copy of the registry in the new file dest (absolute; never
** overwritten), written as dest.partial, checked, synced, then renamed. */
hub_err_t store_backup(store_t *self, const char *dest, int64_t *bytes, char *why, size_t cap);
/* The same for any open database (the audit log's). */
struct sqlite3;
hub_err_t store_copy_db(struct sqlite3 *db, const char *dest, int64_t *bytes, char *why, size_t cap);

/* Can a write transaction start now (no other process holds the lock, the
** file is writable)? Takes and drops the write lock; no transaction may be
** open on self. */
hub_err_t store_probe_write(store_t *self, char *why, size_t cap);

#endif
