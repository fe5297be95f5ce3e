/*
** store.c: the registry in SQLite (see store.h).
** Schema version lives in PRAGMA user_version; s_migrations[i] takes the
** database from version i to i+1, inside one transaction.
*/
#define _POSIX_C_SOURCE 200809L
#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "facts.h"
#include "log.h"
#include "mindex.h"

/* The one community a resident belongs to, over its current records joined
** as s (source_records) and p (person_facts): the police register's 所属社区,
** else civil affairs', labour's, family planning's. Committee and street
** scope, rosters and figures all use it; the golden record's default rule
** for community (golden.h) names the same departments in the same order. */
#define S_RES_COMMUNITY                                                                               \
    "coalesce(max(CASE WHEN s.source = 1 THEN p.community_code END),"                                 \
    " max(CASE WHEN s.source = 4 THEN p.community_code END),"                                         \
    " max(CASE WHEN s.source = 3 THEN p.community_code END),"                                         \
    " max(CASE WHEN s.source = 2 THEN p.community_code END))"

/* Each resident's row of area_residents (migration 11), from its current
** records: its community (S_RES_COMMUNITY), name, birth date and gender (the
** police register's, else any department's), civil affairs' age as written,
** the police status. Only residents placed in a community have one. */
#define S_AREA_ROWS(where)                                                                            \
    "SELECT s.resident_id, " S_RES_COMMUNITY " c,"                                                   \
    "  coalesce(max(CASE WHEN s.source = 1 THEN p.name END), max(p.name)),"                           \
    "  coalesce(max(CASE WHEN s.source = 1 THEN p.birth_date END), max(p.birth_date)),"               \
    "  coalesce(max(CASE WHEN s.source = 1 THEN p.gender END), max(p.gender)),"                       \
    "  max(p.age), max(CASE WHEN s.source = 1 THEN x.status END)"                                     \
    "  FROM source_records s JOIN person_facts p ON p.record_id = s.id"                              \
    "  LEFT JOIN police_facts x ON x.record_id = s.id"                                                \
    "  WHERE s.current = 1 AND s.resident_id IS NOT NULL " where                                       \
    "  GROUP BY s.resident_id HAVING c IS NOT NULL"

static const char *s_migrations[] = {
    /* 0 -> 1: the first registry */
    "CREATE TABLE residents("
    "  id INTEGER PRIMARY KEY,"
    "  idno TEXT,"                         /* its main canonical number, or NULL */
    "  created_ms INTEGER NOT NULL,"
    "  updated_ms INTEGER NOT NULL);"
    "CREATE TABLE source_records("
    "  id INTEGER PRIMARY KEY,"
    "  source INTEGER NOT NULL,"
    "  source_key TEXT NOT NULL,"
    "  digest BLOB NOT NULL,"
    "  resident_id INTEGER REFERENCES residents(id),"   /* NULL: not a person (a facility) */
    "  changed_at INTEGER NOT NULL,"
    "  current INTEGER NOT NULL,"
    "  idno TEXT,"                         /* canonical when valid */
    "  idno_status INTEGER NOT NULL,"
    "  sender TEXT NOT NULL,"
    "  batch_seq INTEGER NOT NULL,"
    "  received_ms INTEGER NOT NULL,"
    "  origin_file TEXT NOT NULL,"
    "  origin_row INTEGER NOT NULL,"
    "  body BLOB NOT NULL,"                /* hub.Record as received, without origin */
    "  UNIQUE(source, source_key, digest));"
    "CREATE INDEX source_records_resident ON source_records(resident_id);"
    "CREATE TABLE batches("
    "  sender TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  received_ms INTEGER NOT NULL,"
    "  records INTEGER NOT NULL, accepted INTEGER NOT NULL,"
    "  duplicates INTEGER NOT NULL, rejected INTEGER NOT NULL,"
    "  digest BLOB NOT NULL,"                /* of the frame: a replay is the same bytes */
    "  ack BLOB NOT NULL,"
    "  PRIMARY KEY(sender, seq)) WITHOUT ROWID;"
    "CREATE TABLE quarantine("
    "  id INTEGER PRIMARY KEY,"
    "  received_ms INTEGER NOT NULL,"
    "  sender TEXT,"
    "  batch_seq INTEGER,"
    "  record_index INTEGER,"              /* NULL: the whole message */
    "  reason_code INTEGER NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  bytes BLOB NOT NULL);",

    /* 1 -> 2: each department's facts as structured data, one set per
    ** stored record version (keyed by source_records.id; queries join
    ** source_records and take current=1). Values are the hub's normal forms
    ** (facts_t in record.h); a present value that did not normalise is NULL
    ** in its column and kept in fact_raw. fact_fields is the field catalogue
    ** of facts.c (which column holds which payload field, and which are
    ** sensitive), rewritten at every start. Records stored before this
    ** version are listed in facts_pending; hubd fills their facts at start. */
    "CREATE TABLE person_facts("
    "  record_id INTEGER PRIMARY KEY REFERENCES source_records(id),"
    "  name TEXT,"
    "  gender TEXT,"                       /* M / F */
    "  birth_date TEXT,"                   /* YYYY-MM-DD */
    "  age INTEGER,"                       /* civil affairs only: whole years as written */
    "  ethnicity TEXT,"
    "  community_code TEXT,"               /* 12 digits */
    "  address TEXT,"                      /* where the person lives */
    "  phone TEXT);"                       /* digits */
    "CREATE TABLE police_facts("
    "  record_id INTEGER PRIMARY KEY REFERENCES source_records(id),"
    "  household_no TEXT, relation TEXT, category TEXT, status TEXT, change_type TEXT,"
    "  change_date TEXT,"
    "  registered_address TEXT, current_address TEXT, former_name TEXT);"
    "CREATE TABLE fp_facts("
    "  record_id INTEGER PRIMARY KEY REFERENCES source_records(id),"
    "  record_no TEXT, person_type TEXT, linked_record_no TEXT, marital_status TEXT,"
    "  children_count INTEGER, certificate_no TEXT,"
    "  contraception TEXT);"               /* SENSITIVE (fact_fields) */
    "CREATE TABLE labour_facts("
    "  record_id INTEGER PRIMARY KEY REFERENCES source_records(id),"
    "  reg_no TEXT, education TEXT, employment_status TEXT, status_date TEXT, reemployed_date TEXT,"
    "  unemployment_cert TEXT);"
    "CREATE TABLE labour_training("
    "  record_id INTEGER NOT NULL REFERENCES source_records(id),"
    "  seq INTEGER NOT NULL,"              /* 1-based, in the order sent */
    "  course TEXT, end_date TEXT,"
    "  PRIMARY KEY(record_id, seq)) WITHOUT ROWID;"
    "CREATE TABLE civil_entitlements("
    "  record_id INTEGER PRIMARY KEY REFERENCES source_records(id),"
    "  street TEXT, head_name TEXT, doc_type TEXT, doc_no TEXT,"
    "  category TEXT,"                     /* 城市低保 … 社区志愿者 */
    "  covered_count INTEGER,"
    "  monthly_amount_fen INTEGER,"        /* 1/100 yuan; NULL for volunteers */
    "  start_date TEXT, status TEXT);"
    "CREATE TABLE facilities("
    "  record_id INTEGER PRIMARY KEY REFERENCES source_records(id),"
    "  facility_no TEXT, name TEXT, type TEXT, address TEXT,"
    "  floor_area REAL,"                   /* square metres */
    "  authority TEXT, status TEXT);"
    "CREATE TABLE facility_communities("  /* one row per community a facility serves */
    "  record_id INTEGER NOT NULL REFERENCES source_records(id),"
    "  community_code TEXT NOT NULL,"
    "  PRIMARY KEY(record_id, community_code)) WITHOUT ROWID;"
    "CREATE INDEX facility_communities_code ON facility_communities(community_code);"
    "CREATE TABLE fact_raw("              /* values present but not normalisable, tidied */
    "  record_id INTEGER NOT NULL REFERENCES source_records(id),"
    "  field TEXT NOT NULL,"               /* payload field, e.g. phone, training[2].end_date */
    "  raw TEXT NOT NULL,"
    "  PRIMARY KEY(record_id, field)) WITHOUT ROWID;"
    "CREATE TABLE fact_fields("
    "  payload TEXT NOT NULL,"             /* police, family_planning, labour, civil_affairs, facility */
    "  department INTEGER NOT NULL,"
    "  field TEXT NOT NULL,"               /* as in proto/hub.proto */
    "  fact_table TEXT, fact_column TEXT," /* NULL: kept in the record's blob only */
    "  sensitive INTEGER NOT NULL,"        /* 1: readable by the owning department only */
    "  PRIMARY KEY(payload, field)) WITHOUT ROWID;"
    "CREATE TABLE facts_pending(record_id INTEGER PRIMARY KEY);"
    "INSERT INTO facts_pending SELECT id FROM source_records;",
    /* 2 -> 3: entity resolution. Matching features and blocking keys of the
    ** current records (derived state: hubctl rematch rebuilds them), the
    ** scored pairs, the merges and splits with their evidence, the pairs a
    ** person said are different people, review work, and aliases. */
    "ALTER TABLE residents ADD COLUMN merged_into INTEGER;"  /* an alias: the resident it became */
    "CREATE INDEX residents_idno ON residents(idno);"
    "CREATE INDEX source_records_idno ON source_records(idno);"
    "CREATE TABLE match_features(record_id INTEGER PRIMARY KEY, data BLOB NOT NULL);"
    "CREATE TABLE match_blocks(key TEXT NOT NULL, record_id INTEGER NOT NULL);"
    "CREATE INDEX match_blocks_key ON match_blocks(key);"
    "CREATE INDEX match_blocks_record ON match_blocks(record_id);"
    "CREATE TABLE match_links("              /* scored pairs at or above the lower threshold, a < b */
    "  a INTEGER NOT NULL, b INTEGER NOT NULL, score REAL NOT NULL, evidence TEXT NOT NULL,"
    "  PRIMARY KEY(a, b)) WITHOUT ROWID;"
    "CREATE INDEX match_links_b ON match_links(b);"
    "CREATE TABLE cannot_link(a INTEGER NOT NULL, b INTEGER NOT NULL, PRIMARY KEY(a, b)) WITHOUT ROWID;"
    "CREATE TABLE resolution_events("
    "  id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL,"
    "  kind TEXT NOT NULL,"                  /* merge, split, undo */
    "  decided_by TEXT NOT NULL,"            /* auto, or the principal */
    "  resident INTEGER NOT NULL,"           /* merge: the id kept; split: the id split */
    "  other INTEGER,"                       /* merge: the id that became an alias; split: the new id */
    "  score REAL, evidence TEXT,"
    "  records TEXT NOT NULL,"               /* record ids moved, comma-separated */
    "  undone_by INTEGER);"
    "CREATE TABLE review_items("
    "  id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b INTEGER NOT NULL, score REAL NOT NULL,"
    "  evidence TEXT NOT NULL, opened_ms INTEGER NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'open',"  /* open, linked, split, dismissed, settled */
    "  decided_by TEXT, decided_ms INTEGER, UNIQUE(a, b));"
    "CREATE TABLE audit_log("                 /* every look, append-only, hash-chained */
    "  id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, principal TEXT NOT NULL, role TEXT NOT NULL,"
    "  purpose TEXT NOT NULL, kind TEXT NOT NULL, args TEXT NOT NULL,"
    "  residents TEXT NOT NULL,"                /* ids returned, ",12,34," */
    "  outcome TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL);"
    "CREATE TABLE quality_flags("             /* what a record's own values contradict */
    "  record_id INTEGER NOT NULL, flag TEXT NOT NULL, detail TEXT,"
    "  PRIMARY KEY(record_id, flag)) WITHOUT ROWID;",

    /* 3 -> 4: the quarantine is worked: each entry held until an operator
    ** replays it (once its cause is fixed) or drops it, with who, when and why. */
    "ALTER TABLE quarantine ADD COLUMN status TEXT NOT NULL DEFAULT 'held';"   /* held, replayed, dropped */
    "ALTER TABLE quarantine ADD COLUMN decided_by TEXT;"
    "ALTER TABLE quarantine ADD COLUMN decided_ms INTEGER;"
    "ALTER TABLE quarantine ADD COLUMN note TEXT;",

    /* 4 -> 5: blocking keys are held in memory (mindex.c), built from
    ** match_features at start; the features are packed (match_rec_pack), so
    ** the blobs of before are rematched by admin_upgrade. */
    "DROP TABLE match_blocks;",

    /* 5 -> 6: the registry's counts (store_stats) kept as they change, by
    ** triggers in the same transaction, so reading them costs nothing at
    ** any size: current records by department; residents (not an alias,
    ** with at least one current record: residents.live counts them); held
    ** quarantine entries; merges and splits; open review items. */
    "CREATE TABLE counts(name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;"
    "ALTER TABLE residents ADD COLUMN live INTEGER NOT NULL DEFAULT 0;"
    "UPDATE residents SET live = (SELECT count(*) FROM source_records s WHERE s.resident_id = residents.id"
    "  AND s.current = 1);"
    "INSERT INTO counts SELECT 'records:' || d, (SELECT count(*) FROM source_records WHERE source = d AND current = 1)"
    "  FROM (SELECT 1 AS d UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4);"
    "INSERT INTO counts VALUES"
    " ('residents', (SELECT count(*) FROM residents WHERE merged_into IS NULL AND live > 0)),"
    " ('quarantined', (SELECT count(*) FROM quarantine WHERE status = 'held')),"
    " ('merges', (SELECT count(*) FROM resolution_events WHERE kind = 'merge')),"
    " ('splits', (SELECT count(*) FROM resolution_events WHERE kind = 'split')),"
    " ('reviews_open', (SELECT count(*) FROM review_items WHERE status = 'open'));"
    "CREATE TRIGGER counts_rec_ins AFTER INSERT ON source_records WHEN NEW.current = 1 BEGIN"
    "  UPDATE counts SET n = n + 1 WHERE name = 'records:' || NEW.source;"
    "  UPDATE residents SET live = live + 1 WHERE id = NEW.resident_id; END;"
    "CREATE TRIGGER counts_rec_upd AFTER UPDATE OF current, resident_id ON source_records BEGIN"
    "  UPDATE counts SET n = n - OLD.current WHERE name = 'records:' || OLD.source;"
    "  UPDATE residents SET live = live - 1 WHERE OLD.current = 1 AND id = OLD.resident_id;"
    "  UPDATE counts SET n = n + NEW.current WHERE name = 'records:' || NEW.source;"
    "  UPDATE residents SET live = live + 1 WHERE NEW.current = 1 AND id = NEW.resident_id; END;"
    "CREATE TRIGGER counts_rec_del AFTER DELETE ON source_records WHEN OLD.current = 1 BEGIN"
    "  UPDATE counts SET n = n - 1 WHERE name = 'records:' || OLD.source;"
    "  UPDATE residents SET live = live - 1 WHERE id = OLD.resident_id; END;"
    "CREATE TRIGGER counts_res_ins AFTER INSERT ON residents BEGIN"
    "  UPDATE counts SET n = n + (NEW.merged_into IS NULL AND NEW.live > 0) WHERE name = 'residents'; END;"
    "CREATE TRIGGER counts_res_upd AFTER UPDATE OF live, merged_into ON residents BEGIN"
    "  UPDATE counts SET n = n - (OLD.merged_into IS NULL AND OLD.live > 0)"
    "    + (NEW.merged_into IS NULL AND NEW.live > 0) WHERE name = 'residents'; END;"
    "CREATE TRIGGER counts_res_del AFTER DELETE ON residents BEGIN"
    "  UPDATE counts SET n = n - (OLD.merged_into IS NULL AND OLD.live > 0) WHERE name = 'residents'; END;"
    "CREATE TRIGGER counts_quar_ins AFTER INSERT ON quarantine BEGIN"
    "  UPDATE counts SET n = n + (NEW.status = 'held') WHERE name = 'quarantined'; END;"
    "CREATE TRIGGER counts_quar_upd AFTER UPDATE OF status ON quarantine BEGIN"
    "  UPDATE counts SET n = n - (OLD.status = 'held') + (NEW.status = 'held') WHERE name = 'quarantined'; END;"
    "CREATE TRIGGER counts_quar_del AFTER DELETE ON quarantine BEGIN"
    "  UPDATE counts SET n = n - (OLD.status = 'held') WHERE name = 'quarantined'; END;"
    "CREATE TRIGGER counts_event_ins AFTER INSERT ON resolution_events WHEN NEW.kind IN ('merge', 'split') BEGIN"
    "  UPDATE counts SET n = n + 1 WHERE name = NEW.kind || 's'; END;"
    "CREATE TRIGGER counts_event_del AFTER DELETE ON resolution_events WHEN OLD.kind IN ('merge', 'split') BEGIN"
    "  UPDATE counts SET n = n - 1 WHERE name = OLD.kind || 's'; END;"
    "CREATE TRIGGER counts_review_ins AFTER INSERT ON review_items BEGIN"
    "  UPDATE counts SET n = n + (NEW.status = 'open') WHERE name = 'reviews_open'; END;"
    "CREATE TRIGGER counts_review_upd AFTER UPDATE OF status ON review_items BEGIN"
    "  UPDATE counts SET n = n - (OLD.status = 'open') + (NEW.status = 'open') WHERE name = 'reviews_open'; END;"
    "CREATE TRIGGER counts_review_del AFTER DELETE ON review_items BEGIN"
    "  UPDATE counts SET n = n - (OLD.status = 'open') WHERE name = 'reviews_open'; END;",

    /* 6 -> 7: an area's residents (rosters, figures) found by the
    ** communities their records name, not by grouping every record. */
    "CREATE INDEX person_facts_community ON person_facts(community_code);",

    /* 7 -> 8: the audit log moves to audit.db (audit.c), so a look is
    ** written while this registry's writer holds a transaction; audit_open
    ** copied its entries over before this runs. */
    "DROP TABLE audit_log;",

    /* 8 -> 9: the change feed. Every change to the registry, appended in the
    ** transaction of the change, so seq has no gap (changes.h for the kinds
    ** of a record's; resident.created, .merged, .split, .undone from
    ** resolution); and each subscriber's acknowledged position. */
    "CREATE TABLE change_events("
    "  seq INTEGER PRIMARY KEY,"            /* rows are only appended: max + 1, no gap */
    "  at_ms INTEGER NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  resident_id INTEGER,"                /* NULL: a facility */
    "  other_resident INTEGER,"             /* merged: the alias; split: the new resident */
    "  community_code TEXT,"                /* where it happened (a move: the new community) */
    "  source INTEGER,"                     /* the department whose record changed; NULL: resolution */
    "  source_key TEXT,"
    "  field TEXT, old_value TEXT, new_value TEXT,"
    "  sensitive INTEGER NOT NULL DEFAULT 0);" /* 1: for the source's department only */
    "CREATE TABLE subscriptions("
    "  principal TEXT PRIMARY KEY, acked_seq INTEGER NOT NULL, updated_ms INTEGER NOT NULL);",

    /* 9 -> 10: the cross-department checks (rules.h): their findings, each
    ** open until a person closes it with a note (one open alert a rule and
    ** resident); the residents whose records changed since the rules last
    ** looked at them; a household's members found by its number. */
    "CREATE TABLE alerts("
    "  id INTEGER PRIMARY KEY, rule TEXT NOT NULL, severity TEXT NOT NULL,"
    "  resident_id INTEGER NOT NULL, community_code TEXT,"
    "  evidence TEXT NOT NULL,"             /* which records, which values, in plain words */
    "  status TEXT NOT NULL DEFAULT 'open',"   /* open, closed */
    "  opened_ms INTEGER NOT NULL, closed_by TEXT, closed_ms INTEGER, note TEXT);"
    "CREATE UNIQUE INDEX alerts_open ON alerts(rule, resident_id) WHERE status = 'open';"
    "CREATE TABLE rules_dirty(resident_id INTEGER PRIMARY KEY);"
    "INSERT INTO rules_dirty SELECT id FROM residents WHERE merged_into IS NULL;"
    "CREATE INDEX police_facts_household ON police_facts(household_no);",

    /* 10 -> 11: every placed resident's roster line, kept as its records
    ** change (store_commit refreshes the residents the writer's temporary
    ** triggers saw touched), so a roster's page or an area's figures read
    ** rows by community instead of grouping every record of the area. */
    "CREATE TABLE area_residents("
    "  resident_id INTEGER PRIMARY KEY, community_code TEXT NOT NULL,"
    "  name TEXT, birth_date TEXT, gender TEXT, age INTEGER, status TEXT);"
    "INSERT INTO area_residents " S_AREA_ROWS("") ";"
    "CREATE INDEX area_residents_community ON area_residents(community_code);",
};
#define NMIGRATIONS ((int)(sizeof s_migrations / sizeof s_migrations[0]))

enum {
    Q_BEGIN, Q_COMMIT, Q_ROLLBACK,
    Q_BATCH_GET, Q_BATCH_PUT,
    Q_REC_SEEN, Q_REC_TOUCH, Q_REC_LATEST, Q_REC_UNCURRENT, Q_REC_PUT,
    Q_RES_BY_KEY, Q_RES_NEW, Q_RES_TOUCH,
    Q_QUAR_PUT,
    Q_VIEW_RES, Q_VIEW_RECS, Q_LINKS,
    Q_COUNTS,
    Q_F_PERSON, Q_F_POLICE, Q_F_FP, Q_F_LABOUR, Q_F_TRAINING, Q_F_CIVIL, Q_F_FACILITY, Q_F_FAC_COMM,
    Q_F_RAW, Q_FAC_BY_COMM, Q_FAC_ALL, Q_PENDING, Q_PENDING_DONE, Q_FIELDS_CLEAR, Q_FIELDS_PUT,
    Q_M_FEAT_PUT, Q_M_FEAT_GET, Q_M_FEAT_DEL,
    Q_M_LINK_PUT, Q_M_LINKS_OF, Q_M_LINKS_DEL, Q_M_REC_RES, Q_M_REC_ASSIGN, Q_M_REC_ASSIGN1, Q_M_RES_RECS, Q_M_RES_ALIAS,
    Q_M_RES_FOLLOW, Q_M_RES_IDNO, Q_M_CANNOT, Q_M_CANNOT_PUT, Q_M_EVENT_PUT, Q_M_REVIEW_PUT,
    Q_CH_PUT, Q_CH_AFTER, Q_CH_LAST, Q_SUB_PUT, Q_SUB_GET,
    Q_RULE_ROSTER, Q_RULE_IDNO, Q_RULE_RECS, Q_RULE_HOUSEHOLD, Q_DIRTY_PUT, Q_DIRTY_HOUSEHOLD, Q_DIRTY_TAKE, Q_DIRTY_DEL, Q_DIRTY_ALL,
    Q_ALERT_PUT, Q_ALERTS_LIST, Q_ALERT_CLOSE, Q_ALERT_COUNTS, Q_DEPT_RECORDS,
    Q_RES_BY_NUMBER, Q_OBSERVATIONS,
    Q_A_REVIEWS, Q_A_REVIEW_GET, Q_A_REVIEW_SET, Q_A_REVIEW_SETTLE, Q_A_CARD, Q_A_EVENTS, Q_A_EVENT_GET, Q_A_EVENT_UNDONE,
    Q_A_PERSONS, Q_A_BODY, Q_A_MATCH_CLEAR1, Q_A_MATCH_CLEAR3, Q_A_CANNOT_DEL,
    Q_A_ALL_FEATURES, Q_A_UNMATCHED, Q_QUALITY_PUT, Q_REC_IDNO_CLEAR,
    Q_HOUSEHOLD, Q_QUAR_LIST, Q_RES_COMMUNITY, Q_QUAR_BYTES, Q_QUAR_DECIDE,
    Q_N
};

/* A facility's columns, then its communities (ascending, comma-separated). */
#define S_FACILITY_COLS                                                                         \
    "f.record_id, f.facility_no, f.name, f.type, f.address, f.floor_area, f.authority, f.status," \
    " (SELECT group_concat(community_code, ',') FROM (SELECT community_code FROM"                  \
    " facility_communities x WHERE x.record_id=f.record_id ORDER BY community_code))"

static const char *s_sql[Q_N] = {
    [Q_M_FEAT_PUT] = "INSERT OR REPLACE INTO match_features(record_id, data) VALUES(?1, ?2)",
    [Q_M_FEAT_GET] = "SELECT data FROM match_features WHERE record_id=?1",
    [Q_M_FEAT_DEL] = "DELETE FROM match_features WHERE record_id=?1",
    [Q_M_LINK_PUT] = "INSERT OR REPLACE INTO match_links(a, b, score, evidence) VALUES(min(?1, ?2), max(?1, ?2), ?3, ?4)",
    [Q_M_LINKS_OF] = "SELECT b, score, evidence FROM match_links WHERE a=?1 AND score>=?2"
                     " UNION ALL SELECT a, score, evidence FROM match_links WHERE b=?1 AND score>=?2",
    [Q_M_LINKS_DEL] = "DELETE FROM match_links WHERE a=?1 OR b=?1",
    [Q_M_REC_RES] = "SELECT resident_id, current FROM source_records WHERE id=?1",
    [Q_M_REC_ASSIGN1] = "UPDATE source_records SET resident_id=?2 WHERE id=?1",
    [Q_M_REC_ASSIGN] = "UPDATE source_records SET resident_id=?2 WHERE (source, source_key) ="
                       " (SELECT source, source_key FROM source_records WHERE id=?1)",
    [Q_M_RES_RECS] = "SELECT id FROM source_records WHERE resident_id=?1 AND current=1 ORDER BY id",
    [Q_M_RES_ALIAS] = "UPDATE residents SET merged_into=?2, updated_ms=?3 WHERE id=?1",
    [Q_M_RES_FOLLOW] = "SELECT merged_into FROM residents WHERE id=?1",
    [Q_M_RES_IDNO] = "UPDATE residents SET idno=(SELECT idno FROM source_records WHERE resident_id=?1 AND current=1"
                     " AND idno IS NOT NULL ORDER BY source, id LIMIT 1), merged_into=NULL, updated_ms=?2 WHERE id=?1",
    [Q_M_CANNOT] = "SELECT 1 FROM cannot_link WHERE a=min(?1, ?2) AND b=max(?1, ?2)",
    [Q_M_CANNOT_PUT] = "INSERT OR IGNORE INTO cannot_link(a, b) VALUES(min(?1, ?2), max(?1, ?2))",
    [Q_M_EVENT_PUT] = "INSERT INTO resolution_events(at_ms, kind, decided_by, resident, other, score, evidence, records)"
                      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [Q_CH_PUT] = "INSERT INTO change_events(at_ms, kind, resident_id, other_resident, community_code, source,"
                 " source_key, field, old_value, new_value, sensitive) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
    [Q_CH_AFTER] = "SELECT seq, at_ms, kind, resident_id, other_resident, community_code, source, source_key, field,"
                   " old_value, new_value, sensitive FROM change_events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    [Q_CH_LAST] = "SELECT coalesce(max(seq), 0) FROM change_events",
    [Q_SUB_PUT] = "INSERT INTO subscriptions(principal, acked_seq, updated_ms) VALUES(?1, ?2, ?3)"
                  " ON CONFLICT(principal) DO UPDATE SET acked_seq = max(acked_seq, ?2), updated_ms = ?3",
    [Q_SUB_GET] = "SELECT acked_seq FROM subscriptions WHERE principal = ?1",
    [Q_RULE_ROSTER] = "SELECT coalesce(max(s.origin_file), '') FROM source_records s"
                      " JOIN civil_entitlements x ON x.record_id = s.id WHERE s.current = 1",
    [Q_RULE_IDNO] = "SELECT coalesce(idno, '') FROM residents WHERE id = ?1",
    [Q_RULE_RECS] = "SELECT s.source, s.source_key, s.origin_file, p.community_code, x.status, x.change_date,"
                    " x.household_no, f.person_type, l.employment_status, l.status_date, l.reemployed_date,"
                    " c.category, c.status, c.start_date FROM source_records s"
                    " LEFT JOIN person_facts p ON p.record_id = s.id LEFT JOIN police_facts x ON x.record_id = s.id"
                    " LEFT JOIN fp_facts f ON f.record_id = s.id LEFT JOIN labour_facts l ON l.record_id = s.id"
                    " LEFT JOIN civil_entitlements c ON c.record_id = s.id"
                    " WHERE s.resident_id = ?1 AND s.current = 1 ORDER BY s.id",
    [Q_RULE_HOUSEHOLD] = "SELECT count(DISTINCT s.resident_id) FROM police_facts x JOIN source_records s ON s.id = x.record_id"
                         " WHERE x.household_no = ?1 AND s.current = 1 AND s.resident_id <> ?2 AND x.status = '正常'"
                         " AND length(s.idno) = 18 AND (?3 - CAST(substr(s.idno, 7, 4) AS INTEGER)"
                         " - (?4 < CAST(substr(s.idno, 11, 2) AS INTEGER)"
                         "    OR (?4 = CAST(substr(s.idno, 11, 2) AS INTEGER) AND CAST(substr(s.idno, 13, 2) AS INTEGER) > 1)))"
                         " BETWEEN 17 AND 24",
    [Q_DIRTY_PUT] = "INSERT OR IGNORE INTO rules_dirty(resident_id) VALUES(?1)",
    [Q_DIRTY_HOUSEHOLD] = "INSERT OR IGNORE INTO rules_dirty SELECT DISTINCT s.resident_id FROM police_facts x"
                          " JOIN source_records s ON s.id = x.record_id"
                          " WHERE x.household_no = ?1 AND s.current = 1 AND s.resident_id IS NOT NULL",
    [Q_DIRTY_TAKE] = "SELECT resident_id FROM rules_dirty ORDER BY resident_id LIMIT ?1",
    [Q_DIRTY_DEL] = "DELETE FROM rules_dirty WHERE resident_id = ?1",
    [Q_DIRTY_ALL] = "INSERT OR IGNORE INTO rules_dirty SELECT id FROM residents WHERE merged_into IS NULL",
    [Q_ALERT_PUT] = "INSERT OR IGNORE INTO alerts(rule, severity, resident_id, community_code, evidence, opened_ms)"
                    " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_ALERTS_LIST] = "SELECT id, rule, severity, resident_id, coalesce(community_code, ''), evidence, status, opened_ms,"
                      " coalesce(closed_by, ''), coalesce(note, '') FROM alerts WHERE (?1 = '' OR rule = ?1)"
                      " AND (?2 = '' OR community_code = ?2) AND (?3 = '' OR status = ?3) ORDER BY id LIMIT ?4",
    [Q_ALERT_CLOSE] = "UPDATE alerts SET status = 'closed', closed_by = ?2, closed_ms = ?3, note = ?4"
                      " WHERE id = ?1 AND status = 'open'",
    [Q_ALERT_COUNTS] = "SELECT rule, count(*) FROM alerts WHERE status = 'open' GROUP BY rule",
    [Q_DEPT_RECORDS] = "SELECT id, body FROM source_records WHERE id > ?2 AND source = ?1 AND current = 1"
                       " ORDER BY id LIMIT ?3",
    [Q_M_REVIEW_PUT] = "INSERT OR IGNORE INTO review_items(a, b, score, evidence, opened_ms)"
                       " VALUES(min(?1, ?2), max(?1, ?2), ?3, ?4, ?5)",
    [Q_OBSERVATIONS] =
        "WITH s AS (SELECT id, source, idno, CASE WHEN changed_at > 0 THEN changed_at * 1000 ELSE received_ms END t"
        "           FROM source_records WHERE resident_id=?1 AND current=1)"
        " SELECT 'idno', idno, source, id, t FROM s WHERE idno IS NOT NULL"
        " UNION ALL SELECT 'name', p.name, source, id, t FROM s JOIN person_facts p ON p.record_id=s.id"
        " UNION ALL SELECT 'gender', p.gender, source, id, t FROM s JOIN person_facts p ON p.record_id=s.id"
        " UNION ALL SELECT 'birth_date', p.birth_date, source, id, t FROM s JOIN person_facts p ON p.record_id=s.id"
        " UNION ALL SELECT 'ethnicity', p.ethnicity, source, id, t FROM s JOIN person_facts p ON p.record_id=s.id"
        " UNION ALL SELECT 'community', p.community_code, source, id, t FROM s JOIN person_facts p ON p.record_id=s.id"
        " UNION ALL SELECT 'address', p.address, source, id, t FROM s JOIN person_facts p ON p.record_id=s.id"
        " UNION ALL SELECT 'phone', p.phone, source, id, t FROM s JOIN person_facts p ON p.record_id=s.id"
        " UNION ALL SELECT 'household_no', x.household_no, source, id, t FROM s JOIN police_facts x ON x.record_id=s.id"
        " UNION ALL SELECT 'life_status', x.status, source, id, t FROM s JOIN police_facts x ON x.record_id=s.id"
        " UNION ALL SELECT 'employment_status', x.employment_status, source, id, t FROM s"
        "           JOIN labour_facts x ON x.record_id=s.id"
        " UNION ALL SELECT 'entitlements', x.category || ' ' || coalesce(x.status, ''), source, id, t FROM s"
        "           JOIN civil_entitlements x ON x.record_id=s.id",
    [Q_A_REVIEWS] = "SELECT id, a, b, score, evidence, status FROM review_items"
                    " WHERE status=?1 OR ?1 IS NULL ORDER BY score DESC, id LIMIT ?2",
    [Q_A_REVIEW_GET] = "SELECT id, a, b, score, evidence, status FROM review_items WHERE id=?1",
    [Q_A_REVIEW_SET] = "UPDATE review_items SET status=?2, decided_by=?3, decided_ms=?4 WHERE id=?1",
    [Q_A_REVIEW_SETTLE] = "UPDATE review_items SET status='settled', decided_by='auto', decided_ms=?1"
                          " WHERE status='open' AND (SELECT resident_id FROM source_records WHERE id=a)"
                          " = (SELECT resident_id FROM source_records WHERE id=b)",
    [Q_A_CARD] = "SELECT s.source, s.source_key, s.resident_id, s.idno, p.name, p.gender,"
                 " coalesce(p.birth_date, CASE WHEN p.age IS NOT NULL THEN 'age ' || p.age END),"
                 " p.community_code, p.address, p.phone, s.origin_file, s.origin_row"
                 " FROM source_records s LEFT JOIN person_facts p ON p.record_id=s.id WHERE s.id=?1",
    [Q_A_EVENTS] = "SELECT id, at_ms, kind, decided_by, resident, other, score, evidence, records, undone_by"
                   " FROM resolution_events WHERE ?1=0 OR resident=?1 OR other=?1 ORDER BY id DESC LIMIT ?2",
    [Q_A_EVENT_GET] = "SELECT id, at_ms, kind, decided_by, resident, other, score, evidence, records, undone_by"
                      " FROM resolution_events WHERE id=?1",
    [Q_A_EVENT_UNDONE] = "UPDATE resolution_events SET undone_by=?2 WHERE id=?1",
    [Q_A_PERSONS] = "SELECT id FROM source_records WHERE id>?1 AND current=1 AND resident_id IS NOT NULL"
                    " ORDER BY id LIMIT ?2",
    [Q_A_BODY] = "SELECT source, origin_file, body FROM source_records WHERE id=?1",
    [Q_A_MATCH_CLEAR1] = "DELETE FROM match_features",
    [Q_A_MATCH_CLEAR3] = "DELETE FROM match_links WHERE evidence NOT LIKE 'linked by %'",
    [Q_A_UNMATCHED] = "SELECT count(*) FROM source_records s WHERE current=1 AND resident_id IS NOT NULL"
                      " AND NOT EXISTS (SELECT 1 FROM match_features f WHERE f.record_id=s.id AND substr(f.data, 1, ?2)=?1)",
    [Q_QUAR_LIST] = "SELECT id, received_ms, coalesce(sender, ''), coalesce(batch_seq, 0), record_index, reason_code,"
                    " reason, length(bytes), status, coalesce(decided_by, ''), coalesce(note, '') FROM quarantine"
                    " WHERE (?2 = 0 OR id = ?2) ORDER BY id DESC LIMIT ?1",
    [Q_QUAR_BYTES] = "SELECT bytes FROM quarantine WHERE id = ?1",
    [Q_QUAR_DECIDE] = "UPDATE quarantine SET status = ?2, decided_by = ?3, decided_ms = ?4, note = ?5"
                      " WHERE id = ?1 AND status = 'held'",
    [Q_RES_COMMUNITY] = "SELECT " S_RES_COMMUNITY " FROM source_records s JOIN person_facts p ON p.record_id = s.id"
                        " WHERE s.resident_id = ?1 AND s.current = 1",
    [Q_HOUSEHOLD] = "SELECT s.resident_id, x.relation, p.name, p.birth_date, p.community_code FROM police_facts x"
                    " JOIN source_records s ON s.id=x.record_id LEFT JOIN person_facts p ON p.record_id=s.id"
                    " WHERE x.household_no=?1 AND s.current=1 ORDER BY p.birth_date, s.id LIMIT ?2",
    [Q_QUALITY_PUT] = "INSERT OR REPLACE INTO quality_flags(record_id, flag, detail) VALUES(?1, ?2, ?3)",
    [Q_REC_IDNO_CLEAR] = "UPDATE source_records SET idno = NULL WHERE id = ?1 AND idno IS NOT NULL",
    [Q_A_ALL_FEATURES] = "SELECT record_id, data FROM match_features ORDER BY record_id",
    [Q_A_CANNOT_DEL] = "DELETE FROM cannot_link WHERE a=min(?1, ?2) AND b=max(?1, ?2)",
    [Q_RES_BY_NUMBER] = "SELECT DISTINCT resident_id FROM source_records WHERE idno=?1 AND current=1"
                        " AND resident_id IS NOT NULL ORDER BY resident_id LIMIT ?2",
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_BATCH_GET] = "SELECT b.ack, b.digest = ?3, (SELECT max(seq) FROM batches WHERE sender=?1)"
                    " FROM (SELECT 1) LEFT JOIN batches b ON b.sender=?1 AND b.seq=?2",
    [Q_BATCH_PUT] = "INSERT OR REPLACE INTO batches(sender,seq,received_ms,records,accepted,duplicates,rejected,"
                    "digest,ack) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [Q_REC_SEEN] = "SELECT id, resident_id FROM source_records WHERE source=?1 AND source_key=?2 AND digest=?3",
    [Q_REC_TOUCH] = "UPDATE source_records SET origin_file=?2, origin_row=?3, body=?4"
                    " WHERE id=?1 AND (origin_file IS NOT ?2 OR origin_row IS NOT ?3 OR body IS NOT ?4)",
    [Q_REC_LATEST] = "SELECT resident_id, changed_at, id FROM source_records WHERE source=?1 AND source_key=?2"
                     " AND current=1",
    [Q_REC_UNCURRENT] = "UPDATE source_records SET current=0 WHERE source=?1 AND source_key=?2 AND current=1",
    [Q_REC_PUT] = "INSERT INTO source_records(source,source_key,digest,resident_id,changed_at,current,idno,"
                  "idno_status,sender,batch_seq,received_ms,origin_file,origin_row,body)"
                  " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
    [Q_RES_BY_KEY] = "SELECT DISTINCT resident_id FROM source_records WHERE source IN (1,2,3,4)"
                     " AND source_key=?1 AND current=1 ORDER BY resident_id LIMIT ?2",
    [Q_RES_NEW] = "INSERT INTO residents(idno,created_ms,updated_ms) VALUES(?1,?2,?2)",
    [Q_RES_TOUCH] = "UPDATE residents SET updated_ms=?2 WHERE id=?1",
    [Q_QUAR_PUT] = "INSERT INTO quarantine(received_ms,sender,batch_seq,record_index,reason_code,reason,bytes)"
                   " VALUES(?1,?2,?3,?4,?5,?6,?7)",
    [Q_VIEW_RES] = "SELECT id, idno FROM residents WHERE id=?1",
    [Q_VIEW_RECS] = "SELECT id, source, source_key, origin_file, origin_row, sender, batch_seq, received_ms,"
                    " current, idno, body FROM source_records WHERE resident_id=?1 ORDER BY source, source_key, id",
    [Q_LINKS] = "SELECT id, source, source_key, origin_file, origin_row, resident_id FROM source_records"
                " WHERE id>?1 AND current=1 AND resident_id IS NOT NULL ORDER BY id LIMIT ?2",
    [Q_COUNTS] = "SELECT name, n FROM counts",
    [Q_F_PERSON] = "INSERT INTO person_facts(record_id,name,gender,birth_date,age,ethnicity,community_code,"
                   "address,phone) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [Q_F_POLICE] = "INSERT INTO police_facts(record_id,household_no,relation,category,status,change_type,"
                   "change_date,registered_address,current_address,former_name)"
                   " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    [Q_F_FP] = "INSERT INTO fp_facts(record_id,record_no,person_type,linked_record_no,marital_status,"
               "children_count,certificate_no,contraception) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
    [Q_F_LABOUR] = "INSERT INTO labour_facts(record_id,reg_no,education,employment_status,status_date,"
                   "reemployed_date,unemployment_cert) VALUES(?1,?2,?3,?4,?5,?6,?7)",
    [Q_F_TRAINING] = "INSERT INTO labour_training(record_id,seq,course,end_date) VALUES(?1,?2,?3,?4)",
    [Q_F_CIVIL] = "INSERT INTO civil_entitlements(record_id,street,head_name,doc_type,doc_no,category,"
                  "covered_count,monthly_amount_fen,start_date,status) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    [Q_F_FACILITY] = "INSERT INTO facilities(record_id,facility_no,name,type,address,floor_area,authority,status)"
                     " VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
    [Q_F_FAC_COMM] = "INSERT OR IGNORE INTO facility_communities(record_id,community_code) VALUES(?1,?2)",
    [Q_F_RAW] = "INSERT OR REPLACE INTO fact_raw(record_id,field,raw) VALUES(?1,?2,?3)",
    [Q_FAC_BY_COMM] = "SELECT " S_FACILITY_COLS " FROM facility_communities c"
                      " JOIN facilities f ON f.record_id=c.record_id JOIN source_records s ON s.id=f.record_id"
                      " WHERE c.community_code=?1 AND s.current=1 ORDER BY f.facility_no, f.record_id LIMIT ?2",
    [Q_FAC_ALL] = "SELECT " S_FACILITY_COLS " FROM facilities f JOIN source_records s ON s.id=f.record_id"
                  " WHERE s.current=1 ORDER BY f.facility_no, f.record_id LIMIT ?2",
    [Q_PENDING] = "SELECT p.record_id, s.body FROM facts_pending p LEFT JOIN source_records s ON s.id=p.record_id"
                  " ORDER BY p.record_id LIMIT ?1",
    [Q_PENDING_DONE] = "DELETE FROM facts_pending WHERE record_id=?1",
    [Q_FIELDS_CLEAR] = "DELETE FROM fact_fields",
    [Q_FIELDS_PUT] = "INSERT INTO fact_fields(payload,department,field,fact_table,fact_column,sensitive)"
                     " VALUES(?1,?2,?3,?4,?5,?6)",
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *stmt[Q_N];
    bool readonly;
    sqlite3_stmt *area[3];   /* the writer's: area_residents refreshed for the residents touched */
    mindex_t *mindex;   /* the writer's matching index: NULL until first used */
    bool mindex_cleared; /* dropped in the open transaction: a rollback rebuilds it (mindex_lock) */
    pthread_rwlock_t mindex_lock;   /* the writer changes it; the query thread searches it */
};

#define S_WLOCK(self) pthread_rwlock_wrlock(&(self)->mindex_lock)
#define S_UNLOCK(self) pthread_rwlock_unlock(&(self)->mindex_lock)

/* Map an SQLite result to the hub's code; log what is not routine. */
static hub_err_t
s_err(store_t *self, int rc, const char *what)
{
    if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
        return HUB_OK;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        log_warn("HUB-STORE-BUSY", LOG_S("op", what));
        return HUB_EBUSY;
    }
    log_error("HUB-STORE-ERROR", LOG_S("op", what), LOG_I("code", rc),
              LOG_S("reason", sqlite3_errmsg(self->db)));
    /* the adapters are told to resend with this reason: say when it is the disk */
    return (rc & 0xff) == SQLITE_FULL ? HUB_EFULL : (rc & 0xff) == SQLITE_IOERR ? HUB_EIO : HUB_EDB;
}

static sqlite3_stmt *
s_stmt(store_t *self, int q)
{
    sqlite3_stmt *st = self->stmt[q];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

/* Run a statement that returns no rows. */
static hub_err_t
s_exec(store_t *self, int q)
{
    int rc = sqlite3_step(self->stmt[q]);
    sqlite3_reset(self->stmt[q]);
    return s_err(self, rc, s_sql[q]);
}

static hub_err_t
s_migrate(store_t *self, char *errbuf, size_t errcap)
{
    sqlite3_stmt *st;
    int version = 0;
    if (sqlite3_prepare_v2(self->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            version = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    if (version > NMIGRATIONS) {
        snprintf(errbuf, errcap, "registry schema version %d is newer than this hubd (%d)", version, NMIGRATIONS);
        return HUB_EDB;
    }
    for (int v = version; v < NMIGRATIONS; v++) {
        char sql[64], *msg = NULL;
        snprintf(sql, sizeof sql, "; PRAGMA user_version=%d; COMMIT", v + 1);
        int rc = sqlite3_exec(self->db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(self->db, s_migrations[v], NULL, NULL, &msg);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(self->db, sql + 2, NULL, NULL, &msg);
        if (rc != SQLITE_OK) {
            snprintf(errbuf, errcap, "migrating the registry to version %d: %s", v + 1, msg ? msg : "?");
            sqlite3_free(msg);
            sqlite3_exec(self->db, "ROLLBACK", NULL, NULL, NULL);
            return HUB_EDB;
        }
        log_notice("HUB-STORE-MIGRATED", LOG_I("version", v + 1));
    }
    return HUB_OK;
}

/* The writer's temporary triggers note each resident whose records or
** their assignment change (a record stored, superseded, moved to another
** resident) or whose record gets its person or police facts later than
** itself (the facts backfill of an upgraded registry), in
** temp.area_touched; store_commit rewrites those residents' area_residents
** rows before it commits, so the rows always agree with the records. A
** rollback undoes the notes with the rest. (Records and facts are never
** deleted or their facts updated.) */
static const char s_area_temp[] =
    "CREATE TEMP TABLE area_touched(resident_id INTEGER PRIMARY KEY);"
    "CREATE TEMP TRIGGER area_rec_ins AFTER INSERT ON main.source_records WHEN NEW.resident_id IS NOT NULL"
    " BEGIN INSERT OR IGNORE INTO area_touched VALUES(NEW.resident_id); END;"
    "CREATE TEMP TRIGGER area_rec_upd AFTER UPDATE OF resident_id, current ON main.source_records BEGIN"
    " INSERT OR IGNORE INTO area_touched SELECT OLD.resident_id WHERE OLD.resident_id IS NOT NULL;"
    " INSERT OR IGNORE INTO area_touched SELECT NEW.resident_id WHERE NEW.resident_id IS NOT NULL; END;"
    "CREATE TEMP TRIGGER area_person AFTER INSERT ON main.person_facts BEGIN INSERT OR IGNORE INTO area_touched"
    " SELECT resident_id FROM main.source_records WHERE id = NEW.record_id AND resident_id IS NOT NULL; END;"
    "CREATE TEMP TRIGGER area_police AFTER INSERT ON main.police_facts BEGIN INSERT OR IGNORE INTO area_touched"
    " SELECT resident_id FROM main.source_records WHERE id = NEW.record_id AND resident_id IS NOT NULL; END;";
static const char *s_area_sql[] = {
    "DELETE FROM main.area_residents WHERE resident_id IN (SELECT resident_id FROM temp.area_touched)",
    "INSERT INTO main.area_residents " S_AREA_ROWS("AND s.resident_id IN (SELECT resident_id FROM temp.area_touched)"),
    "DELETE FROM temp.area_touched",
};

static int
s_area_prepare(store_t *self)
{
    int rc = sqlite3_exec(self->db, s_area_temp, NULL, NULL, NULL);
    for (int q = 0; q < 3 && rc == SQLITE_OK; q++)
        rc = sqlite3_prepare_v3(self->db, s_area_sql[q], -1, SQLITE_PREPARE_PERSISTENT, &self->area[q], NULL);
    return rc;
}

static hub_err_t s_sync_fields(store_t *self);

store_t *
store_open(const char *path, long cache_mib, bool readonly, char *errbuf, size_t errcap)
{
    store_t *self = HUB_CHECK_ALLOC(calloc(1, sizeof *self));
    pthread_rwlock_init(&self->mindex_lock, NULL);
    self->readonly = readonly;
    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &self->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf(errbuf, errcap, "%s: cannot open registry: %s", path,
                 self->db ? sqlite3_errmsg(self->db) : "out of memory");
        store_close(&self);
        return NULL;
    }
    sqlite3_busy_timeout(self->db, 5000);
    char pragmas[256];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA cache_size=-%ld; PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=ON;", cache_mib * 1024);
    char *msg = NULL;
    int rc = sqlite3_exec(self->db, pragmas, NULL, NULL, &msg);
    if (rc == SQLITE_OK && !readonly)
        rc = sqlite3_exec(self->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=8192;", NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(errbuf, errcap, "%s: %s", path, msg ? msg : sqlite3_errmsg(self->db));
        sqlite3_free(msg);
        store_close(&self);
        return NULL;
    }
    if (!readonly && s_migrate(self, errbuf, errcap) != HUB_OK) {
        store_close(&self);
        return NULL;
    }
    if (!readonly && s_area_prepare(self) != SQLITE_OK) {
        snprintf(errbuf, errcap, "%s: the area rows' triggers: %s", path, sqlite3_errmsg(self->db));
        store_close(&self);
        return NULL;
    }
    for (int q = 0; q < Q_N; q++)
        if (sqlite3_prepare_v3(self->db, s_sql[q], -1, SQLITE_PREPARE_PERSISTENT, &self->stmt[q], NULL)
            != SQLITE_OK) {
            snprintf(errbuf, errcap, "%s: preparing `%s`: %s", path, s_sql[q], sqlite3_errmsg(self->db));
            store_close(&self);
            return NULL;
        }
    if (!readonly && s_sync_fields(self) != HUB_OK) {
        snprintf(errbuf, errcap, "%s: writing the field catalogue: %s", path, sqlite3_errmsg(self->db));
        store_close(&self);
        return NULL;
    }
    return self;
}

void
store_close(store_t **self_p)
{
    store_t *self = *self_p;
    if (!self)
        return;
    for (int q = 0; q < Q_N; q++)
        sqlite3_finalize(self->stmt[q]);
    for (int q = 0; q < 3; q++)
        sqlite3_finalize(self->area[q]);
    sqlite3_close(self->db);
    mindex_destroy(&self->mindex);
    pthread_rwlock_destroy(&self->mindex_lock);
    free(self);
    *self_p = NULL;
}

hub_err_t
store_begin(store_t *self)
{
    S_WLOCK(self);
    if (self->mindex)   /* what changed outside a transaction is committed already */
        mindex_commit(self->mindex);
    self->mindex_cleared = false;
    S_UNLOCK(self);
    return s_exec(self, Q_BEGIN);
}

/* The touched residents' area rows, in the open transaction. */
static hub_err_t
s_area_refresh(store_t *self)
{
    for (int q = 0; q < 3 && self->area[q]; q++) {
        int rc = sqlite3_step(self->area[q]);
        sqlite3_reset(self->area[q]);
        if (rc != SQLITE_DONE)
            return s_err(self, rc, "area rows");
    }
    return HUB_OK;
}

hub_err_t
store_commit(store_t *self)
{
    hub_err_t err = s_area_refresh(self);
    if (err == HUB_OK)
        err = s_exec(self, Q_COMMIT);
    S_WLOCK(self);
    if (err == HUB_OK && self->mindex)
        mindex_commit(self->mindex);
    if (err == HUB_OK)
        self->mindex_cleared = false;
    S_UNLOCK(self);
    return err;
}

void
store_rollback(store_t *self)
{
    if (!sqlite3_get_autocommit(self->db))
        s_exec(self, Q_ROLLBACK);
    S_WLOCK(self);
    if (self->mindex_cleared)   /* loaded again from the rows the rollback restored */
        mindex_destroy(&self->mindex);
    else if (self->mindex)
        mindex_rollback(self->mindex);
    self->mindex_cleared = false;
    S_UNLOCK(self);
}

static void
s_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

hub_err_t
store_batch_ack(store_t *self, const char *sender, uint64_t seq, const uint8_t digest[DIGEST_LEN],
                uint8_t **ack, size_t *len, uint64_t *highest)
{
    sqlite3_stmt *st = s_stmt(self, Q_BATCH_GET);
    s_bind_text(st, 1, sender);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    sqlite3_bind_blob(st, 3, digest, DIGEST_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    hub_err_t err = HUB_ENOTFOUND;
    *highest = 0;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_NULL) {
        *highest = (uint64_t)sqlite3_column_int64(st, 2);
    } else if (rc == SQLITE_ROW && !sqlite3_column_int(st, 1)) {
        err = HUB_ESEQ;
    } else if (rc == SQLITE_ROW) {
        *len = (size_t)sqlite3_column_bytes(st, 0);
        *ack = HUB_CHECK_ALLOC(malloc(*len ? *len : 1));
        memcpy(*ack, sqlite3_column_blob(st, 0), *len);
        err = HUB_OK;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? err : s_err(self, rc, "batch_ack");
}

hub_err_t
store_batch_put(store_t *self, const char *sender, uint64_t seq, int64_t received_ms,
                const int counts[4], const uint8_t digest[DIGEST_LEN], const uint8_t *ack, size_t len)
{
    sqlite3_stmt *st = s_stmt(self, Q_BATCH_PUT);
    s_bind_text(st, 1, sender);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    sqlite3_bind_int64(st, 3, received_ms);
    for (int i = 0; i < 4; i++)
        sqlite3_bind_int(st, 4 + i, counts[i]);
    sqlite3_bind_blob(st, 8, digest, DIGEST_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 9, ack, (int)len, SQLITE_STATIC);
    return s_exec(self, Q_BATCH_PUT);
}

hub_err_t
store_record_seen(store_t *self, const rec_t *rec, record_id_t *id, resident_id_t *resident)
{
    sqlite3_stmt *st = s_stmt(self, Q_REC_SEEN);
    sqlite3_bind_int(st, 1, rec->source);
    s_bind_text(st, 2, rec->source_key);
    sqlite3_bind_blob(st, 3, rec->digest, DIGEST_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        id->v = sqlite3_column_int64(st, 0);
        resident->v = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? HUB_OK : rc == SQLITE_DONE ? HUB_ENOTFOUND : s_err(self, rc, "record_seen");
}

hub_err_t
store_record_touch(store_t *self, record_id_t id, const rec_t *rec)
{
    sqlite3_stmt *st = s_stmt(self, Q_REC_TOUCH);
    sqlite3_bind_int64(st, 1, id.v);
    s_bind_text(st, 2, rec->origin_file);
    sqlite3_bind_int64(st, 3, rec->origin_row);
    sqlite3_bind_blob(st, 4, rec->body, (int)rec->body_len, SQLITE_STATIC);
    return s_exec(self, Q_REC_TOUCH);
}

/* Latest version of a key: its resident and change time. */
static hub_err_t
s_latest(store_t *self, int source, const char *key, resident_id_t *resident, int64_t *changed_at,
         record_id_t *id)
{
    sqlite3_stmt *st = s_stmt(self, Q_REC_LATEST);
    sqlite3_bind_int(st, 1, source);
    s_bind_text(st, 2, key);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        resident->v = sqlite3_column_int64(st, 0);
        *changed_at = sqlite3_column_int64(st, 1);
        id->v = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? HUB_OK : rc == SQLITE_DONE ? HUB_ENOTFOUND : s_err(self, rc, "record_latest");
}

hub_err_t
store_record_latest(store_t *self, int source, const char *key, resident_id_t *resident)
{
    int64_t changed_at;
    record_id_t id;
    return s_latest(self, source, key, resident, &changed_at, &id);
}

hub_err_t
store_record_put(store_t *self, const store_put_t *put, record_id_t *id, store_version_t *version)
{
    const rec_t *r = put->rec;
    resident_id_t prev_res = {0};
    record_id_t prev_id = {0};
    int64_t prev_changed = 0;
    hub_err_t err = s_latest(self, r->source, r->source_key, &prev_res, &prev_changed, &prev_id);
    if (err != HUB_OK && err != HUB_ENOTFOUND)
        return err;
    bool current = err == HUB_ENOTFOUND || r->changed_at >= prev_changed;
    version->current = current;
    version->other = prev_id;
    version->other_resident = prev_res;
    if (current && err == HUB_OK) {
        sqlite3_stmt *st = s_stmt(self, Q_REC_UNCURRENT);
        sqlite3_bind_int(st, 1, r->source);
        s_bind_text(st, 2, r->source_key);
        if ((err = s_exec(self, Q_REC_UNCURRENT)) != HUB_OK)
            return err;
    }
    sqlite3_stmt *st = s_stmt(self, Q_REC_PUT);
    sqlite3_bind_int(st, 1, r->source);
    s_bind_text(st, 2, r->source_key);
    sqlite3_bind_blob(st, 3, r->digest, DIGEST_LEN, SQLITE_STATIC);
    if (put->resident.v)
        sqlite3_bind_int64(st, 4, put->resident.v);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_int64(st, 5, r->changed_at);
    sqlite3_bind_int(st, 6, current);
    s_bind_text(st, 7, put->idno);
    sqlite3_bind_int(st, 8, put->idno_status);
    s_bind_text(st, 9, put->sender);
    sqlite3_bind_int64(st, 10, (sqlite3_int64)put->batch_seq);
    sqlite3_bind_int64(st, 11, put->received_ms);
    s_bind_text(st, 12, r->origin_file);
    sqlite3_bind_int64(st, 13, r->origin_row);
    sqlite3_bind_blob(st, 14, r->body, (int)r->body_len, SQLITE_STATIC);
    if ((err = s_exec(self, Q_REC_PUT)) != HUB_OK)
        return err;
    id->v = sqlite3_last_insert_rowid(self->db);
    st = s_stmt(self, Q_RES_TOUCH);
    sqlite3_bind_int64(st, 1, put->resident.v);
    sqlite3_bind_int64(st, 2, put->received_ms);
    return s_exec(self, Q_RES_TOUCH);
}

hub_err_t
store_residents_by_key(store_t *self, const char *key, resident_id_t *out, size_t max, size_t *n)
{
    sqlite3_stmt *st = s_stmt(self, Q_RES_BY_KEY);
    s_bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
        out[(*n)++].v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? HUB_OK : s_err(self, rc, "residents_by_key");
}

hub_err_t
store_resident_new(store_t *self, const char *idno, int64_t now_ms, resident_id_t *id)
{
    sqlite3_stmt *st = s_stmt(self, Q_RES_NEW);
    s_bind_text(st, 1, idno);
    sqlite3_bind_int64(st, 2, now_ms);
    hub_err_t err = s_exec(self, Q_RES_NEW);
    if (err == HUB_OK)
        id->v = sqlite3_last_insert_rowid(self->db);
    return err;
}

hub_err_t
store_quarantine_put(store_t *self, int64_t received_ms, const char *sender, uint64_t seq, int index,
                     hub_err_t code, const char *reason, const uint8_t *bytes, size_t len)
{
    sqlite3_stmt *st = s_stmt(self, Q_QUAR_PUT);
    sqlite3_bind_int64(st, 1, received_ms);
    s_bind_text(st, 2, sender);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)seq);
    if (index >= 0)
        sqlite3_bind_int(st, 4, index);
    sqlite3_bind_int(st, 5, code);
    s_bind_text(st, 6, reason);
    sqlite3_bind_blob(st, 7, bytes ? (const void *)bytes : "", (int)len, SQLITE_STATIC);
    return s_exec(self, Q_QUAR_PUT);
}

static char *
s_col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? HUB_CHECK_ALLOC(strdup((const char *)s)) : NULL;
}

hub_err_t
store_resident_view(store_t *self, resident_id_t id, resident_view_t *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = s_stmt(self, Q_VIEW_RES);
    sqlite3_bind_int64(st, 1, id.v);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id.v = sqlite3_column_int64(st, 0);
        out->idno = s_col_dup(st, 1);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? HUB_ENOTFOUND : s_err(self, rc, "resident_view");
    st = s_stmt(self, Q_VIEW_RECS);
    sqlite3_bind_int64(st, 1, id.v);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->nrecs == cap) {
            cap = cap ? cap * 2 : 8;
            out->recs = HUB_CHECK_ALLOC(realloc(out->recs, cap * sizeof *out->recs));
        }
        stored_rec_t *r = &out->recs[out->nrecs++];
        memset(r, 0, sizeof *r);
        r->id.v = sqlite3_column_int64(st, 0);
        r->source = sqlite3_column_int(st, 1);
        r->source_key = s_col_dup(st, 2);
        r->origin_file = s_col_dup(st, 3);
        r->origin_row = (uint32_t)sqlite3_column_int64(st, 4);
        r->sender = s_col_dup(st, 5);
        r->batch_seq = (uint64_t)sqlite3_column_int64(st, 6);
        r->received_ms = sqlite3_column_int64(st, 7);
        r->current = sqlite3_column_int(st, 8);
        r->idno = s_col_dup(st, 9);
        r->body_len = (size_t)sqlite3_column_bytes(st, 10);
        r->body = HUB_CHECK_ALLOC(malloc(r->body_len ? r->body_len : 1));
        memcpy(r->body, sqlite3_column_blob(st, 10), r->body_len);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        store_view_free(out);
        return s_err(self, rc, "resident_view");
    }
    return HUB_OK;
}

void
store_view_free(resident_view_t *v)
{
    for (size_t i = 0; i < v->nrecs; i++) {
        stored_rec_t *r = &v->recs[i];
        free(r->source_key);
        free(r->origin_file);
        free(r->sender);
        free(r->idno);
        free(r->body);
    }
    free(v->recs);
    free(v->idno);
    store_observations_free(v->obs, v->nobs);
    memset(v, 0, sizeof *v);
}

hub_err_t
store_links(store_t *self, int64_t after, size_t limit, link_row_t **rows, size_t *n)
{
    sqlite3_stmt *st = s_stmt(self, Q_LINKS);
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
    *rows = HUB_CHECK_ALLOC(calloc(limit ? limit : 1, sizeof **rows));
    *n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < limit) {
        link_row_t *l = &(*rows)[(*n)++];
        l->record.v = sqlite3_column_int64(st, 0);
        l->source = sqlite3_column_int(st, 1);
        l->source_key = s_col_dup(st, 2);
        l->origin_file = s_col_dup(st, 3);
        l->origin_row = (uint32_t)sqlite3_column_int64(st, 4);
        l->resident.v = sqlite3_column_int64(st, 5);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        store_links_free(*rows, *n);
        *rows = NULL;
        *n = 0;
        return s_err(self, rc, "links");
    }
    return HUB_OK;
}

void
store_links_free(link_row_t *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].source_key);
        free(rows[i].origin_file);
    }
    free(rows);
}

hub_err_t
store_stats(store_t *self, registry_stats_t *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = s_stmt(self, Q_COUNTS);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        int64_t n = sqlite3_column_int64(st, 1);
        int d;
        if (sscanf(name, "records:%d", &d) == 1 && d > 0 && d < HUB_DEPARTMENTS) {
            out->by_department[d] = n;
            out->source_records += n;
        } else if (!strcmp(name, "residents")) {
            out->residents = n;
        } else if (!strcmp(name, "quarantined")) {
            out->quarantined = n;
        } else if (!strcmp(name, "merges")) {
            out->merges = n;
        } else if (!strcmp(name, "splits")) {
            out->splits = n;
        } else if (!strcmp(name, "reviews_open")) {
            out->reviews_open = n;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? HUB_OK : s_err(self, rc, "stats");
}

/* ---------------------------------------------------------------------- */
/* Facts                                                                    */

/* Rewrite fact_fields from the catalogue in facts.c, in one transaction. */
static hub_err_t
s_sync_fields(store_t *self)
{
    hub_err_t err = store_begin(self);
    if (err != HUB_OK)
        return err;
    s_stmt(self, Q_FIELDS_CLEAR);
    err = s_exec(self, Q_FIELDS_CLEAR);
    for (size_t i = 0; err == HUB_OK && i < facts_nfields; i++) {
        const fact_field_t *f = &facts_fields[i];
        sqlite3_stmt *st = s_stmt(self, Q_FIELDS_PUT);
        s_bind_text(st, 1, f->payload);
        sqlite3_bind_int(st, 2, f->department);
        s_bind_text(st, 3, f->field);
        s_bind_text(st, 4, f->table);
        s_bind_text(st, 5, f->column);
        sqlite3_bind_int(st, 6, f->sensitive);
        err = s_exec(self, Q_FIELDS_PUT);
    }
    if (err == HUB_OK)
        err = store_commit(self);
    if (err != HUB_OK)
        store_rollback(self);
    return err;
}

static void
s_bind_fact_int(sqlite3_stmt *st, int i, fact_int_t v)
{
    if (v.set)
        sqlite3_bind_int64(st, i, v.v);
    else
        sqlite3_bind_null(st, i);
}

/* Bind record id to ?1 and texts to ?2.. of q, then run it. */
static hub_err_t
s_put_texts(store_t *self, int q, record_id_t id, const char *const *texts, int n)
{
    sqlite3_stmt *st = s_stmt(self, q);
    sqlite3_bind_int64(st, 1, id.v);
    for (int i = 0; i < n; i++)
        s_bind_text(st, 2 + i, texts[i]);
    return s_exec(self, q);
}

static hub_err_t
s_put_person(store_t *self, record_id_t id, const person_facts_t *p)
{
    sqlite3_stmt *st = s_stmt(self, Q_F_PERSON);
    sqlite3_bind_int64(st, 1, id.v);
    s_bind_text(st, 2, p->name);
    s_bind_text(st, 3, p->gender);
    s_bind_text(st, 4, p->birth_date);
    s_bind_fact_int(st, 5, p->age);
    s_bind_text(st, 6, p->ethnicity);
    s_bind_text(st, 7, p->community_code);
    s_bind_text(st, 8, p->address);
    s_bind_text(st, 9, p->phone);
    return s_exec(self, Q_F_PERSON);
}

static hub_err_t
s_put_department(store_t *self, record_id_t id, const facts_t *f)
{
    hub_err_t err = HUB_OK;
    sqlite3_stmt *st;
    switch (f->kind) {
    case FACTS_POLICE: {
        const police_facts_t *p = &f->police;
        const char *v[] = {p->household_no, p->relation, p->category, p->status, p->change_type,
                           p->change_date, p->registered_address, p->current_address, p->former_name};
        return s_put_texts(self, Q_F_POLICE, id, v, 9);
    }
    case FACTS_FAMILY_PLANNING: {
        const fp_facts_t *p = &f->fp;
        st = s_stmt(self, Q_F_FP);
        sqlite3_bind_int64(st, 1, id.v);
        s_bind_text(st, 2, p->record_no);
        s_bind_text(st, 3, p->person_type);
        s_bind_text(st, 4, p->linked_record_no);
        s_bind_text(st, 5, p->marital_status);
        s_bind_fact_int(st, 6, p->children_count);
        s_bind_text(st, 7, p->certificate_no);
        s_bind_text(st, 8, p->contraception);
        return s_exec(self, Q_F_FP);
    }
    case FACTS_LABOUR: {
        const labour_facts_t *p = &f->labour;
        const char *v[] = {p->reg_no, p->education, p->employment_status, p->status_date,
                           p->reemployed_date, p->unemployment_cert};
        err = s_put_texts(self, Q_F_LABOUR, id, v, 6);
        for (size_t k = 0; err == HUB_OK && k < p->ntraining; k++) {
            st = s_stmt(self, Q_F_TRAINING);
            sqlite3_bind_int64(st, 1, id.v);
            sqlite3_bind_int64(st, 2, (sqlite3_int64)k + 1);
            s_bind_text(st, 3, p->training[k].course);
            s_bind_text(st, 4, p->training[k].end_date);
            err = s_exec(self, Q_F_TRAINING);
        }
        return err;
    }
    case FACTS_CIVIL_AFFAIRS: {
        const civil_facts_t *p = &f->civil;
        st = s_stmt(self, Q_F_CIVIL);
        sqlite3_bind_int64(st, 1, id.v);
        s_bind_text(st, 2, p->street);
        s_bind_text(st, 3, p->head_name);
        s_bind_text(st, 4, p->doc_type);
        s_bind_text(st, 5, p->doc_no);
        s_bind_text(st, 6, p->category);
        s_bind_fact_int(st, 7, p->covered_count);
        s_bind_fact_int(st, 8, p->monthly_amount_fen);
        s_bind_text(st, 9, p->start_date);
        s_bind_text(st, 10, p->status);
        return s_exec(self, Q_F_CIVIL);
    }
    case FACTS_FACILITY: {
        const facility_facts_t *p = &f->facility;
        st = s_stmt(self, Q_F_FACILITY);
        sqlite3_bind_int64(st, 1, id.v);
        s_bind_text(st, 2, p->facility_no);
        s_bind_text(st, 3, p->name);
        s_bind_text(st, 4, p->type);
        s_bind_text(st, 5, p->address);
        if (p->has_floor_area)
            sqlite3_bind_double(st, 6, p->floor_area);
        s_bind_text(st, 7, p->authority);
        s_bind_text(st, 8, p->status);
        err = s_exec(self, Q_F_FACILITY);
        for (size_t k = 0; err == HUB_OK && k < p->ncommunities; k++) {
            const char *code = p->communities[k];
            err = s_put_texts(self, Q_F_FAC_COMM, id, &code, 1);
        }
        return err;
    }
    case FACTS_NONE:
        break;
    }
    return HUB_OK;
}

hub_err_t
store_facts_put(store_t *self, record_id_t id, const facts_t *f)
{
    hub_err_t err = HUB_OK;
    if (f->kind >= FACTS_POLICE && f->kind <= FACTS_CIVIL_AFFAIRS)
        err = s_put_person(self, id, &f->person);
    if (err == HUB_OK)
        err = s_put_department(self, id, f);
    for (size_t i = 0; err == HUB_OK && i < f->nraws; i++) {
        const char *v[] = {f->raws[i].field, f->raws[i].raw};
        err = s_put_texts(self, Q_F_RAW, id, v, 2);
    }
    return err;
}

hub_err_t
store_facilities(store_t *self, const char *community, size_t max, facility_row_t **rows, size_t *n)
{
    int q = community ? Q_FAC_BY_COMM : Q_FAC_ALL;
    sqlite3_stmt *st = s_stmt(self, q);
    if (community)
        s_bind_text(st, 1, community);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
    *rows = NULL;
    *n = 0;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *rows = HUB_CHECK_ALLOC(realloc(*rows, cap * sizeof **rows));
        }
        facility_row_t *r = &(*rows)[(*n)++];
        memset(r, 0, sizeof *r);
        r->record.v = sqlite3_column_int64(st, 0);
        r->facility_no = s_col_dup(st, 1);
        r->name = s_col_dup(st, 2);
        r->type = s_col_dup(st, 3);
        r->address = s_col_dup(st, 4);
        r->has_floor_area = sqlite3_column_type(st, 5) != SQLITE_NULL;
        r->floor_area = sqlite3_column_double(st, 5);
        r->authority = s_col_dup(st, 6);
        r->status = s_col_dup(st, 7);
        r->communities = s_col_dup(st, 8);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        store_facilities_free(*rows, *n);
        *rows = NULL;
        *n = 0;
        return s_err(self, rc, "facilities");
    }
    return HUB_OK;
}

void
store_facilities_free(facility_row_t *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        facility_row_t *r = &rows[i];
        free(r->facility_no);
        free(r->name);
        free(r->type);
        free(r->address);
        free(r->authority);
        free(r->status);
        free(r->communities);
    }
    free(rows);
}

hub_err_t
store_facts_pending(store_t *self, size_t limit, record_body_t **rows, size_t *n)
{
    sqlite3_stmt *st = s_stmt(self, Q_PENDING);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)limit);
    *rows = HUB_CHECK_ALLOC(calloc(limit ? limit : 1, sizeof **rows));
    *n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < limit) {
        record_body_t *r = &(*rows)[(*n)++];
        r->id.v = sqlite3_column_int64(st, 0);
        r->body_len = (size_t)sqlite3_column_bytes(st, 1);
        r->body = HUB_CHECK_ALLOC(malloc(r->body_len ? r->body_len : 1));
        if (r->body_len)
            memcpy(r->body, sqlite3_column_blob(st, 1), r->body_len);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        store_bodies_free(*rows, *n);
        *rows = NULL;
        *n = 0;
        return s_err(self, rc, "facts_pending");
    }
    return HUB_OK;
}

void
store_bodies_free(record_body_t *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        free(rows[i].body);
    free(rows);
}

hub_err_t
store_facts_pending_done(store_t *self, record_id_t id)
{
    sqlite3_stmt *st = s_stmt(self, Q_PENDING_DONE);
    sqlite3_bind_int64(st, 1, id.v);
    return s_exec(self, Q_PENDING_DONE);
}

/* ---- entity resolution ---- */

/* The writer's matching index, built from match_features on first use. */
static mindex_t *
s_mindex(store_t *self)
{
    if (self->mindex || self->readonly)
        return self->mindex;
    mindex_t *mi = mindex_new();
    sqlite3_stmt *st = s_stmt(self, Q_A_ALL_FEATURES);
    int rc;
    size_t loaded = 0, other = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        match_rec_t m;
        const void *data = sqlite3_column_blob(st, 1);
        size_t len = (size_t)sqlite3_column_bytes(st, 1);
        if (!match_rec_unpack(data, len, &m)) {
            other++;   /* another layout: admin_upgrade matches it again */
            continue;
        }
        match_key_t keys[MATCH_MAX_INDEX_KEYS];
        const char *kp[MATCH_MAX_INDEX_KEYS];
        size_t nkeys = match_index_keys(&m, keys);
        for (size_t k = 0; k < nkeys; k++)
            kp[k] = keys[k];
        mindex_put(mi, sqlite3_column_int64(st, 0), data, len, kp, nkeys);
        loaded++;
    }
    sqlite3_reset(st);
    mindex_commit(mi);
    S_WLOCK(self);
    self->mindex = mi;
    S_UNLOCK(self);
    if (rc != SQLITE_DONE)
        s_err(self, rc, "matching index");
    log_notice("HUB-MATCH-INDEX", LOG_I("records", loaded), LOG_I("other_layout", other),
               LOG_I("bytes", mindex_bytes(self->mindex)));
    return self->mindex;
}

void
store_match_index(store_t *self)
{
    s_mindex(self);
}

hub_err_t
store_match_put(store_t *self, record_id_t id, const match_rec_t *m, const char *const *keys, size_t nkeys)
{
    uint8_t packed[MATCH_PACKED_MAX];
    size_t len = match_rec_pack(m, packed);
    hub_err_t err = store_match_drop(self, id);
    sqlite3_stmt *st = s_stmt(self, Q_M_FEAT_PUT);
    sqlite3_bind_int64(st, 1, id.v);
    sqlite3_bind_blob(st, 2, packed, (int)len, SQLITE_STATIC);
    if (err == HUB_OK)
        err = s_exec(self, Q_M_FEAT_PUT);
    if (err == HUB_OK && s_mindex(self)) {
        S_WLOCK(self);
        mindex_put(self->mindex, id.v, packed, len, keys, nkeys);
        S_UNLOCK(self);
    }
    return err;
}

hub_err_t
store_match_drop(store_t *self, record_id_t id)
{
    mindex_t *mi = s_mindex(self);
    const void *data;
    size_t len;
    bool held = mi && mindex_get(mi, id.v, &data, &len);
    /* a record the index does not hold has no features to delete */
    hub_err_t err = HUB_OK;
    if (!mi || held) {
        sqlite3_stmt *st = s_stmt(self, Q_M_FEAT_DEL);
        sqlite3_bind_int64(st, 1, id.v);
        err = s_exec(self, Q_M_FEAT_DEL);
    }
    sqlite3_stmt *st = s_stmt(self, Q_M_LINKS_DEL);
    sqlite3_bind_int64(st, 1, id.v);
    if (err == HUB_OK)
        err = s_exec(self, Q_M_LINKS_DEL);
    if (err == HUB_OK && held) {
        S_WLOCK(self);
        mindex_drop(mi, id.v);
        S_UNLOCK(self);
    }
    return err;
}

hub_err_t
store_match_get(store_t *self, record_id_t id, match_rec_t *m)
{
    mindex_t *mi = s_mindex(self);
    const void *data;
    size_t len;
    int rc = SQLITE_DONE;
    bool found;
    if (mi) {
        found = mindex_get(mi, id.v, &data, &len) && match_rec_unpack(data, len, m);
    } else {
        sqlite3_stmt *st = s_stmt(self, Q_M_FEAT_GET);
        sqlite3_bind_int64(st, 1, id.v);
        rc = sqlite3_step(st);
        found = rc == SQLITE_ROW
                && match_rec_unpack(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), m);
        sqlite3_reset(st);
    }
    m->record = id;   /* the packed form leaves it out: it is the row's key */
    return found ? HUB_OK : rc == SQLITE_ROW || rc == SQLITE_DONE ? HUB_ENOTFOUND : s_err(self, rc, "match_get");
}

/* Run a statement whose rows are one id each; append them to out. */
static hub_err_t
s_ids(store_t *self, int q, int64_t *out, size_t cap, size_t *n)
{
    sqlite3_stmt *st = self->stmt[q];
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (*n < cap && sqlite3_column_type(st, 0) != SQLITE_NULL)
            out[(*n)++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? HUB_OK : s_err(self, rc, s_sql[q]);
}

static int
s_cmp_ids(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

hub_err_t
store_block_records(store_t *self, const char *key, size_t limit, record_id_t *out, size_t cap, size_t *n)
{
    mindex_t *mi = s_mindex(self);
    if (!mi)
        return HUB_EINVAL;   /* the writer's only */
    int64_t *ids = HUB_CHECK_ALLOC(malloc((cap - *n + 1) * sizeof *ids));
    size_t k = mindex_block(mi, key, limit, ids, cap - *n);
    for (size_t i = 0; i < k; i++)
        out[(*n)++].v = ids[i];
    free(ids);
    return HUB_OK;
}

hub_err_t
store_index_search(store_t *self, const char *const *keys, size_t nkeys,
                   void (*fn)(void *ctx, record_id_t id, const match_rec_t *m), void *ctx)
{
    pthread_rwlock_rdlock(&self->mindex_lock);
    mindex_t *mi = self->mindex;
    if (!mi || self->mindex_cleared) {
        pthread_rwlock_unlock(&self->mindex_lock);
        return HUB_EINVAL;   /* not built (yet, again after a rollback, or while a rematch rebuilds it) */
    }
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    for (size_t k = 0; k < nkeys; k++) {
        int64_t *held;
        size_t nh = mindex_lookup(mi, keys[k], &held);
        if (nh && n + nh > cap)
            ids = HUB_CHECK_ALLOC(realloc(ids, (cap = (n + nh) * 2) * sizeof *ids));
        if (nh)
            memcpy(ids + n, held, nh * sizeof *held);
        n += nh;
        free(held);
    }
    if (n > 1)
        qsort(ids, n, sizeof *ids, s_cmp_ids);
    for (size_t i = 0; i < n; i++) {
        const void *data;
        size_t len;
        match_rec_t m;
        if ((i == 0 || ids[i - 1] != ids[i]) && mindex_get(mi, ids[i], &data, &len) && match_rec_unpack(data, len, &m)) {
            m.record.v = ids[i];
            fn(ctx, m.record, &m);
        }
    }
    pthread_rwlock_unlock(&self->mindex_lock);
    free(ids);
    return HUB_OK;
}

hub_err_t
store_link_put(store_t *self, record_id_t a, record_id_t b, double score, const char *evidence)
{
    sqlite3_stmt *st = s_stmt(self, Q_M_LINK_PUT);
    sqlite3_bind_int64(st, 1, a.v);
    sqlite3_bind_int64(st, 2, b.v);
    sqlite3_bind_double(st, 3, score);
    s_bind_text(st, 4, evidence);
    return s_exec(self, Q_M_LINK_PUT);
}

hub_err_t
store_links_of(store_t *self, record_id_t id, double min_score, scored_link_t *out, size_t cap, size_t *n)
{
    sqlite3_stmt *st = s_stmt(self, Q_M_LINKS_OF);
    sqlite3_bind_int64(st, 1, id.v);
    sqlite3_bind_double(st, 2, min_score);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (*n < cap) {
            out[*n].other.v = sqlite3_column_int64(st, 0);
            out[*n].score = sqlite3_column_double(st, 1);
            const unsigned char *ev = sqlite3_column_text(st, 2);
            snprintf(out[(*n)++].evidence, sizeof out->evidence, "%s", ev ? (const char *)ev : "");
        }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? HUB_OK : s_err(self, rc, "links_of");
}

hub_err_t
store_record_resident(store_t *self, record_id_t id, resident_id_t *resident, bool *current)
{
    sqlite3_stmt *st = s_stmt(self, Q_M_REC_RES);
    sqlite3_bind_int64(st, 1, id.v);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        resident->v = sqlite3_column_int64(st, 0);
        *current = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? HUB_OK : rc == SQLITE_DONE ? HUB_ENOTFOUND : s_err(self, rc, "record_resident");
}

hub_err_t
store_record_assign(store_t *self, record_id_t id, resident_id_t resident)
{
    sqlite3_stmt *st = s_stmt(self, Q_M_REC_ASSIGN);
    sqlite3_bind_int64(st, 1, id.v);
    sqlite3_bind_int64(st, 2, resident.v);
    return s_exec(self, Q_M_REC_ASSIGN);
}

hub_err_t
store_record_assign_one(store_t *self, record_id_t id, resident_id_t resident)
{
    sqlite3_stmt *st = s_stmt(self, Q_M_REC_ASSIGN1);
    sqlite3_bind_int64(st, 1, id.v);
    sqlite3_bind_int64(st, 2, resident.v);
    return s_exec(self, Q_M_REC_ASSIGN1);
}

hub_err_t
store_resident_records(store_t *self, resident_id_t id, record_id_t *out, size_t cap, size_t *n)
{
    sqlite3_stmt *st = s_stmt(self, Q_M_RES_RECS);
    sqlite3_bind_int64(st, 1, id.v);
    *n = 0;
    return s_ids(self, Q_M_RES_RECS, (int64_t *)out, cap, n);
}

hub_err_t
store_resident_alias(store_t *self, resident_id_t alias, resident_id_t into, int64_t now_ms)
{
    sqlite3_stmt *st = s_stmt(self, Q_M_RES_ALIAS);
    sqlite3_bind_int64(st, 1, alias.v);
    sqlite3_bind_int64(st, 2, into.v);
    sqlite3_bind_int64(st, 3, now_ms);
    return s_exec(self, Q_M_RES_ALIAS);
}

hub_err_t
store_resident_refresh(store_t *self, resident_id_t id, int64_t now_ms)
{
    sqlite3_stmt *st = s_stmt(self, Q_M_RES_IDNO);
    sqlite3_bind_int64(st, 1, id.v);
    sqlite3_bind_int64(st, 2, now_ms);
    return s_exec(self, Q_M_RES_IDNO);
}

hub_err_t
store_resident_follow(store_t *self, resident_id_t id, resident_id_t *final)
{
    *final = id;
    for (int hops = 0; hops < 64; hops++) {
        sqlite3_stmt *st = s_stmt(self, Q_M_RES_FOLLOW);
        sqlite3_bind_int64(st, 1, final->v);
        int rc = sqlite3_step(st);
        bool more = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
        if (more)
            final->v = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return hops ? HUB_OK : HUB_ENOTFOUND;
        if (rc != SQLITE_ROW)
            return s_err(self, rc, "resident_follow");
        if (!more)
            return HUB_OK;
    }
    return HUB_EDB;   /* a cycle of aliases: never made by this code */
}

hub_err_t
store_cannot_link(store_t *self, record_id_t a, record_id_t b, bool *forbidden)
{
    sqlite3_stmt *st = s_stmt(self, Q_M_CANNOT);
    sqlite3_bind_int64(st, 1, a.v);
    sqlite3_bind_int64(st, 2, b.v);
    int rc = sqlite3_step(st);
    *forbidden = rc == SQLITE_ROW;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? HUB_OK : s_err(self, rc, "cannot_link");
}

hub_err_t
store_cannot_link_put(store_t *self, record_id_t a, record_id_t b)
{
    sqlite3_stmt *st = s_stmt(self, Q_M_CANNOT_PUT);
    sqlite3_bind_int64(st, 1, a.v);
    sqlite3_bind_int64(st, 2, b.v);
    return s_exec(self, Q_M_CANNOT_PUT);
}

hub_err_t
store_event_put(store_t *self, const resolution_event_t *e, int64_t *id)
{
    sqlite3_stmt *st = s_stmt(self, Q_M_EVENT_PUT);
    sqlite3_bind_int64(st, 1, e->at_ms);
    s_bind_text(st, 2, e->kind);
    s_bind_text(st, 3, e->decided_by);
    sqlite3_bind_int64(st, 4, e->resident.v);
    if (e->other.v)
        sqlite3_bind_int64(st, 5, e->other.v);
    sqlite3_bind_double(st, 6, e->score);
    s_bind_text(st, 7, e->evidence);
    s_bind_text(st, 8, e->records);
    hub_err_t err = s_exec(self, Q_M_EVENT_PUT);
    if (id)
        *id = sqlite3_last_insert_rowid(self->db);
    char kind[32], community[16] = "";
    snprintf(kind, sizeof kind, "resident.%s", !strcmp(e->kind, "merge") ? "merged"
                                              : !strcmp(e->kind, "split") ? "split" : "undone");
    change_row_t c = {.at_ms = e->at_ms, .kind = kind, .resident = e->resident, .other = e->other,
                      .community = community, .new_value = e->records};
    if (err == HUB_OK && store_resident_community(self, e->resident, community, sizeof community) != HUB_OK)
        community[0] = 0;   /* none of its records names one (or they moved away) */
    if (err == HUB_OK)   /* the cross-department checks look at both again */
        err = store_rules_dirty(self, e->resident);
    if (err == HUB_OK && e->other.v)
        err = store_rules_dirty(self, e->other);
    if (err == HUB_OK)
        err = store_change_put(self, &c);
    return err;
}

/* ---- the cross-department checks (rules.h) ---- */

hub_err_t
store_latest_roster(store_t *self, int *year, int *month)
{
    sqlite3_stmt *st = s_stmt(self, Q_RULE_ROSTER);
    int rc = sqlite3_step(st);
    *year = *month = 0;
    const char *f = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    const char *p = f ? strstr(f, "mz_roster_") : NULL;
    if (p && strlen(p) >= 16) {
        *year = atoi((char[5]){p[10], p[11], p[12], p[13], 0});
        *month = atoi((char[3]){p[14], p[15], 0});
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? HUB_OK : s_err(self, rc, "latest_roster");
}

static void s_text(sqlite3_stmt *st, int i, char *out, size_t cap);

hub_err_t
store_rule_subject(store_t *self, resident_id_t id, int year, int month, rule_subject_t *s)
{
    memset(s, 0, sizeof *s);
    s->id = id;
    s->ref_year = year, s->ref_month = month;
    char roster[32] = "";
    if (year)
        snprintf(roster, sizeof roster, "mz_roster_%04d%02d", year, month);
    sqlite3_stmt *st = s_stmt(self, Q_RULE_IDNO);
    sqlite3_bind_int64(st, 1, id.v);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s_text(st, 0, s->idno, sizeof s->idno);
    sqlite3_reset(st);
    if (strlen(s->idno) != 18)
        s->idno[0] = 0;
    st = s_stmt(self, Q_RULE_RECS);
    sqlite3_bind_int64(st, 1, id.v);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int source = sqlite3_column_int(st, 0);
        const char *origin = (const char *)sqlite3_column_text(st, 2);
        if (source == 1 && !s->police.present) {
            s->police.present = true;
            s_text(st, 1, s->police.key, sizeof s->police.key);
            s_text(st, 3, s->police.community, sizeof s->police.community);
            s_text(st, 4, s->police.status, sizeof s->police.status);
            s_text(st, 5, s->police.change_date, sizeof s->police.change_date);
            s_text(st, 6, s->police.household_no, sizeof s->police.household_no);
        } else if (source == 2) {
            const char *type = (const char *)sqlite3_column_text(st, 7);
            if (type && !strcmp(type, "育龄妇女") && !s->fp.woman) {
                s->fp.woman = true;
                s_text(st, 1, s->fp.key, sizeof s->fp.key);
            }
            if (sqlite3_column_type(st, 3) != SQLITE_NULL && s->fp.ncommunities < RULE_COMMUNITIES_MAX)
                s_text(st, 3, s->fp.community[s->fp.ncommunities++], sizeof s->fp.community[0]);
        } else if (source == 3 && !s->labour.present) {
            s->labour.present = true;
            s_text(st, 1, s->labour.key, sizeof s->labour.key);
            s_text(st, 3, s->labour.community, sizeof s->labour.community);
            s_text(st, 8, s->labour.status, sizeof s->labour.status);
            s_text(st, 9, s->labour.status_date, sizeof s->labour.status_date);
            s_text(st, 10, s->labour.reemployed_date, sizeof s->labour.reemployed_date);
        } else if (source == 4 && sqlite3_column_type(st, 11) != SQLITE_NULL && s->ncivil < RULE_CIVIL_MAX) {
            rule_civil_t *c = &s->civil[s->ncivil++];
            s_text(st, 1, c->key, sizeof c->key);
            s_text(st, 3, c->community, sizeof c->community);
            s_text(st, 11, c->category, sizeof c->category);
            s_text(st, 12, c->status, sizeof c->status);
            s_text(st, 13, c->start_date, sizeof c->start_date);
            c->latest = *roster && origin && strstr(origin, roster) != NULL;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return s_err(self, rc, "rule_subject");
    if (s->police.present && *s->police.household_no && year) {
        st = s_stmt(self, Q_RULE_HOUSEHOLD);
        s_bind_text(st, 1, s->police.household_no);
        sqlite3_bind_int64(st, 2, id.v);
        sqlite3_bind_int(st, 3, year);
        sqlite3_bind_int(st, 4, month);
        if ((rc = sqlite3_step(st)) == SQLITE_ROW)
            s->police.household_others_17_24 = sqlite3_column_int(st, 0);
        sqlite3_reset(st);
        if (rc != SQLITE_ROW)
            return s_err(self, rc, "rule_household");
    }
    return HUB_OK;
}

hub_err_t
store_rules_dirty(store_t *self, resident_id_t id)
{
    sqlite3_stmt *st = s_stmt(self, Q_DIRTY_PUT);
    sqlite3_bind_int64(st, 1, id.v);
    return s_exec(self, Q_DIRTY_PUT);
}

hub_err_t
store_rules_dirty_household(store_t *self, const char *household_no)
{
    sqlite3_stmt *st = s_stmt(self, Q_DIRTY_HOUSEHOLD);
    sqlite3_bind_text(st, 1, household_no, -1, SQLITE_STATIC);
    return s_exec(self, Q_DIRTY_HOUSEHOLD);
}

hub_err_t
store_rules_dirty_all(store_t *self)
{
    return s_exec(self, Q_DIRTY_ALL);
}

hub_err_t
store_rules_dirty_take(store_t *self, resident_id_t *out, size_t cap, size_t *n)
{
    sqlite3_stmt *st = s_stmt(self, Q_DIRTY_TAKE);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)cap);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < cap)
        out[(*n)++].v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return s_err(self, rc, "rules_dirty_take");
    hub_err_t err = HUB_OK;
    for (size_t i = 0; i < *n && err == HUB_OK; i++) {
        st = s_stmt(self, Q_DIRTY_DEL);
        sqlite3_bind_int64(st, 1, out[i].v);
        err = s_exec(self, Q_DIRTY_DEL);
    }
    return err;
}

hub_err_t
store_alert_put(store_t *self, const char *rule, const char *severity, resident_id_t id, const char *community,
                const char *evidence, int64_t now_ms, bool *opened)
{
    sqlite3_stmt *st = s_stmt(self, Q_ALERT_PUT);
    s_bind_text(st, 1, rule);
    s_bind_text(st, 2, severity);
    sqlite3_bind_int64(st, 3, id.v);
    if (community && *community)
        s_bind_text(st, 4, community);
    s_bind_text(st, 5, evidence);
    sqlite3_bind_int64(st, 6, now_ms);
    hub_err_t err = s_exec(self, Q_ALERT_PUT);
    *opened = err == HUB_OK && sqlite3_changes(self->db) > 0;
    if (*opened) {   /* the feed tells those it concerns (its scope) */
        change_row_t c = {.at_ms = now_ms, .kind = "alert.raised", .resident = id, .community = community,
                          .field = rule, .old_value = severity, .new_value = evidence};
        err = store_change_put(self, &c);
    }
    return err;
}

hub_err_t
store_alerts(store_t *self, const char *rule, const char *community, const char *status, size_t limit,
             void (*fn)(void *ctx, const alert_row_t *a), void *ctx)
{
    sqlite3_stmt *st = s_stmt(self, Q_ALERTS_LIST);
    s_bind_text(st, 1, rule ? rule : "");
    s_bind_text(st, 2, community ? community : "");
    s_bind_text(st, 3, status ? status : "");
    sqlite3_bind_int64(st, 4, (sqlite3_int64)limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        alert_row_t a = {
            .id = sqlite3_column_int64(st, 0), .rule = (const char *)sqlite3_column_text(st, 1),
            .severity = (const char *)sqlite3_column_text(st, 2), .resident = {sqlite3_column_int64(st, 3)},
            .community = (const char *)sqlite3_column_text(st, 4), .evidence = (const char *)sqlite3_column_text(st, 5),
            .status = (const char *)sqlite3_column_text(st, 6), .opened_ms = sqlite3_column_int64(st, 7),
            .closed_by = (const char *)sqlite3_column_text(st, 8), .note = (const char *)sqlite3_column_text(st, 9),
        };
        fn(ctx, &a);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? HUB_OK : s_err(self, rc, "alerts");
}

hub_err_t
store_alert_close(store_t *self, int64_t id, const char *by, const char *note, int64_t now_ms)
{
    sqlite3_stmt *st = s_stmt(self, Q_ALERT_CLOSE);
    sqlite3_bind_int64(st, 1, id);
    s_bind_text(st, 2, by);
    sqlite3_bind_int64(st, 3, now_ms);
    s_bind_text(st, 4, note);
    hub_err_t err = s_exec(self, Q_ALERT_CLOSE);
    return err == HUB_OK && sqlite3_changes(self->db) == 0 ? HUB_ENOTFOUND : err;
}

hub_err_t
store_alert_counts(store_t *self, void (*fn)(void *ctx, const char *rule, int64_t open), void *ctx)
{
    sqlite3_stmt *st = s_stmt(self, Q_ALERT_COUNTS);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? HUB_OK : s_err(self, rc, "alert_counts");
}

hub_err_t
store_department_records(store_t *self, int source, int64_t after, size_t limit,
                         void (*fn)(void *ctx, int64_t id, const void *body, size_t len), void *ctx)
{
    sqlite3_stmt *st = s_stmt(self, Q_DEPT_RECORDS);
    sqlite3_bind_int(st, 1, source);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(ctx, sqlite3_column_int64(st, 0), sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? HUB_OK : s_err(self, rc, "department_records");
}

/* ---- the change feed ---- */

hub_err_t
store_change_put(store_t *self, const change_row_t *c)
{
    sqlite3_stmt *st = s_stmt(self, Q_CH_PUT);
    sqlite3_bind_int64(st, 1, c->at_ms);
    s_bind_text(st, 2, c->kind);
    if (c->resident.v)
        sqlite3_bind_int64(st, 3, c->resident.v);
    if (c->other.v)
        sqlite3_bind_int64(st, 4, c->other.v);
    if (c->community && *c->community)
        s_bind_text(st, 5, c->community);
    if (c->source)
        sqlite3_bind_int(st, 6, c->source);
    if (c->source_key)
        s_bind_text(st, 7, c->source_key);
    if (c->field)
        s_bind_text(st, 8, c->field);
    if (c->old_value)
        s_bind_text(st, 9, c->old_value);
    if (c->new_value)
        s_bind_text(st, 10, c->new_value);
    sqlite3_bind_int(st, 11, c->sensitive);
    return s_exec(self, Q_CH_PUT);
}

hub_err_t
store_changes_after(store_t *self, int64_t after, size_t limit, void (*fn)(void *ctx, const change_row_t *c), void *ctx)
{
    sqlite3_stmt *st = s_stmt(self, Q_CH_AFTER);
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        change_row_t c = {
            .seq = sqlite3_column_int64(st, 0), .at_ms = sqlite3_column_int64(st, 1),
            .kind = (const char *)sqlite3_column_text(st, 2),
            .resident = {sqlite3_column_int64(st, 3)}, .other = {sqlite3_column_int64(st, 4)},
            .community = (const char *)sqlite3_column_text(st, 5), .source = sqlite3_column_int(st, 6),
            .source_key = (const char *)sqlite3_column_text(st, 7), .field = (const char *)sqlite3_column_text(st, 8),
            .old_value = (const char *)sqlite3_column_text(st, 9), .new_value = (const char *)sqlite3_column_text(st, 10),
            .sensitive = sqlite3_column_int(st, 11) != 0,
        };
        fn(ctx, &c);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? HUB_OK : s_err(self, rc, "changes_after");
}

int64_t
store_change_last(store_t *self)
{
    sqlite3_stmt *st = s_stmt(self, Q_CH_LAST);
    int64_t last = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return last;
}

hub_err_t
store_subscription_put(store_t *self, const char *principal, int64_t acked, int64_t now_ms)
{
    sqlite3_stmt *st = s_stmt(self, Q_SUB_PUT);
    s_bind_text(st, 1, principal);
    sqlite3_bind_int64(st, 2, acked);
    sqlite3_bind_int64(st, 3, now_ms);
    return s_exec(self, Q_SUB_PUT);
}

hub_err_t
store_subscription_get(store_t *self, const char *principal, int64_t *acked)
{
    sqlite3_stmt *st = s_stmt(self, Q_SUB_GET);
    s_bind_text(st, 1, principal);
    int rc = sqlite3_step(st);
    *acked = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? HUB_OK : s_err(self, rc, "subscription_get");
}

hub_err_t
store_review_put(store_t *self, record_id_t a, record_id_t b, double score, const char *evidence, int64_t now_ms)
{
    sqlite3_stmt *st = s_stmt(self, Q_M_REVIEW_PUT);
    sqlite3_bind_int64(st, 1, a.v);
    sqlite3_bind_int64(st, 2, b.v);
    sqlite3_bind_double(st, 3, score);
    s_bind_text(st, 4, evidence);
    sqlite3_bind_int64(st, 5, now_ms);
    return s_exec(self, Q_M_REVIEW_PUT);
}

hub_err_t
store_residents_by_number(store_t *self, const char *idno, resident_id_t *out, size_t max, size_t *n)
{
    sqlite3_stmt *st = s_stmt(self, Q_RES_BY_NUMBER);
    s_bind_text(st, 1, idno);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
    *n = 0;
    return s_ids(self, Q_RES_BY_NUMBER, (int64_t *)out, max, n);
}

hub_err_t
store_observations(store_t *self, resident_id_t id, observation_t **out, size_t *n)
{
    sqlite3_stmt *st = s_stmt(self, Q_OBSERVATIONS);
    sqlite3_bind_int64(st, 1, id.v);
    size_t cap = 0;
    int rc;
    *out = NULL;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 1) == SQLITE_NULL)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 32;
            *out = HUB_CHECK_ALLOC(realloc(*out, cap * sizeof **out));
        }
        observation_t *o = &(*out)[(*n)++];
        o->field = s_col_dup(st, 0);
        o->value = s_col_dup(st, 1);
        o->source = sqlite3_column_int(st, 2);
        o->record_id = sqlite3_column_int64(st, 3);
        o->seen_ms = sqlite3_column_int64(st, 4);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        store_observations_free(*out, *n);
        *out = NULL;
        *n = 0;
        return s_err(self, rc, "observations");
    }
    return HUB_OK;
}

void
store_observations_free(observation_t *obs, size_t n)
{
    for (size_t i = 0; obs && i < n; i++) {
        free(obs[i].field);
        free(obs[i].value);
    }
    free(obs);
}

/* ---- operators' work on resolution (admin.c) ---- */

static void
s_review_row(sqlite3_stmt *st, review_row_t *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->a.v = sqlite3_column_int64(st, 1);
    r->b.v = sqlite3_column_int64(st, 2);
    r->score = sqlite3_column_double(st, 3);
    snprintf(r->evidence, sizeof r->evidence, "%s", (const char *)sqlite3_column_text(st, 4));
    snprintf(r->status, sizeof r->status, "%s", (const char *)sqlite3_column_text(st, 5));
}

hub_err_t
store_reviews(store_t *self, const char *status, size_t limit, review_row_t *out, size_t *n)
{
    sqlite3_stmt *st = s_stmt(self, Q_A_REVIEWS);
    s_bind_text(st, 1, status);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < limit)
        s_review_row(st, &out[(*n)++]);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? HUB_OK : s_err(self, rc, "reviews");
}

hub_err_t
store_review_get(store_t *self, int64_t id, review_row_t *out)
{
    sqlite3_stmt *st = s_stmt(self, Q_A_REVIEW_GET);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s_review_row(st, out);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? HUB_OK : rc == SQLITE_DONE ? HUB_ENOTFOUND : s_err(self, rc, "review_get");
}

hub_err_t
store_review_decide(store_t *self, int64_t id, const char *status, const char *by, int64_t now_ms)
{
    sqlite3_stmt *st = s_stmt(self, Q_A_REVIEW_SET);
    sqlite3_bind_int64(st, 1, id);
    s_bind_text(st, 2, status);
    s_bind_text(st, 3, by);
    sqlite3_bind_int64(st, 4, now_ms);
    return s_exec(self, Q_A_REVIEW_SET);
}

hub_err_t
store_reviews_settle(store_t *self, int64_t now_ms, size_t *n)
{
    sqlite3_stmt *st = s_stmt(self, Q_A_REVIEW_SETTLE);
    sqlite3_bind_int64(st, 1, now_ms);
    hub_err_t err = s_exec(self, Q_A_REVIEW_SETTLE);
    *n = err == HUB_OK ? (size_t)sqlite3_changes(self->db) : 0;
    return err;
}

static void
s_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    snprintf(out, cap, "%s", s ? (const char *)s : "");
}

hub_err_t
store_record_card(store_t *self, record_id_t id, record_card_t *c)
{
    sqlite3_stmt *st = s_stmt(self, Q_A_CARD);
    sqlite3_bind_int64(st, 1, id.v);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(c, 0, sizeof *c);
        c->id = id;
        c->source = sqlite3_column_int(st, 0);
        s_text(st, 1, c->key, sizeof c->key);
        c->resident.v = sqlite3_column_int64(st, 2);
        s_text(st, 3, c->idno, sizeof c->idno);
        s_text(st, 4, c->name, sizeof c->name);
        s_text(st, 5, c->gender, sizeof c->gender);
        s_text(st, 6, c->birth, sizeof c->birth);
        s_text(st, 7, c->community, sizeof c->community);
        s_text(st, 8, c->address, sizeof c->address);
        s_text(st, 9, c->phone, sizeof c->phone);
        s_text(st, 10, c->origin_file, sizeof c->origin_file);
        c->origin_row = (uint32_t)sqlite3_column_int64(st, 11);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? HUB_OK : rc == SQLITE_DONE ? HUB_ENOTFOUND : s_err(self, rc, "record_card");
}

static void
s_event_row(sqlite3_stmt *st, event_row_t *e)
{
    e->id = sqlite3_column_int64(st, 0);
    e->at_ms = sqlite3_column_int64(st, 1);
    s_text(st, 2, e->kind, sizeof e->kind);
    s_text(st, 3, e->decided_by, sizeof e->decided_by);
    e->resident.v = sqlite3_column_int64(st, 4);
    e->other.v = sqlite3_column_int64(st, 5);
    e->score = sqlite3_column_double(st, 6);
    s_text(st, 7, e->evidence, sizeof e->evidence);
    s_text(st, 8, e->records, sizeof e->records);
    e->undone_by = sqlite3_column_int64(st, 9);
}

hub_err_t
store_events(store_t *self, resident_id_t resident, size_t limit, event_row_t *out, size_t *n)
{
    sqlite3_stmt *st = s_stmt(self, Q_A_EVENTS);
    sqlite3_bind_int64(st, 1, resident.v);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < limit)
        s_event_row(st, &out[(*n)++]);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? HUB_OK : s_err(self, rc, "events");
}

hub_err_t
store_event_get(store_t *self, int64_t id, event_row_t *out)
{
    sqlite3_stmt *st = s_stmt(self, Q_A_EVENT_GET);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s_event_row(st, out);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? HUB_OK : rc == SQLITE_DONE ? HUB_ENOTFOUND : s_err(self, rc, "event_get");
}

hub_err_t
store_event_undone(store_t *self, int64_t id, int64_t by_event)
{
    sqlite3_stmt *st = s_stmt(self, Q_A_EVENT_UNDONE);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, by_event);
    return s_exec(self, Q_A_EVENT_UNDONE);
}

hub_err_t
store_person_records(store_t *self, record_id_t after, size_t limit, record_id_t *out, size_t *n)
{
    sqlite3_stmt *st = s_stmt(self, Q_A_PERSONS);
    sqlite3_bind_int64(st, 1, after.v);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
    *n = 0;
    return s_ids(self, Q_A_PERSONS, (int64_t *)out, limit, n);
}

hub_err_t
store_record_body(store_t *self, record_id_t id, int *source, char *origin_file, size_t cap, uint8_t **body,
                  size_t *len)
{
    sqlite3_stmt *st = s_stmt(self, Q_A_BODY);
    sqlite3_bind_int64(st, 1, id.v);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *source = sqlite3_column_int(st, 0);
        s_text(st, 1, origin_file, cap);
        *len = (size_t)sqlite3_column_bytes(st, 2);
        *body = HUB_CHECK_ALLOC(malloc(*len ? *len : 1));
        memcpy(*body, sqlite3_column_blob(st, 2), *len);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? HUB_OK : rc == SQLITE_DONE ? HUB_ENOTFOUND : s_err(self, rc, "record_body");
}

hub_err_t
store_match_clear(store_t *self)
{
    hub_err_t err = s_exec(self, Q_A_MATCH_CLEAR1);
    if (err == HUB_OK)
        err = s_exec(self, Q_A_MATCH_CLEAR3);
    if (err == HUB_OK && !self->readonly) {   /* not kept for a rollback: an index is large */
        S_WLOCK(self);
        mindex_destroy(&self->mindex);
        self->mindex = mindex_new();
        self->mindex_cleared = !sqlite3_get_autocommit(self->db);
        S_UNLOCK(self);
    }
    return err;
}

hub_err_t
store_cannot_link_del(store_t *self, record_id_t a, record_id_t b)
{
    sqlite3_stmt *st = s_stmt(self, Q_A_CANNOT_DEL);
    sqlite3_bind_int64(st, 1, a.v);
    sqlite3_bind_int64(st, 2, b.v);
    return s_exec(self, Q_A_CANNOT_DEL);
}

hub_err_t
store_each_feature(store_t *self, void (*fn)(void *ctx, record_id_t id, const match_rec_t *m), void *ctx)
{
    sqlite3_stmt *st = s_stmt(self, Q_A_ALL_FEATURES);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        match_rec_t m;
        if (match_rec_unpack(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), &m)) {
            m.record.v = sqlite3_column_int64(st, 0);
            fn(ctx, m.record, &m);
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? HUB_OK : s_err(self, rc, "each_feature");
}

hub_err_t
store_unmatched(store_t *self, int64_t *n)
{
    sqlite3_stmt *st = s_stmt(self, Q_A_UNMATCHED);
    sqlite3_bind_blob(st, 1, MATCH_PACKED_TAG, sizeof MATCH_PACKED_TAG, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)sizeof MATCH_PACKED_TAG);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? HUB_OK : s_err(self, rc, "unmatched");
}

hub_err_t
store_record_idno_clear(store_t *self, record_id_t id)
{
    sqlite3_stmt *st = s_stmt(self, Q_REC_IDNO_CLEAR);
    sqlite3_bind_int64(st, 1, id.v);
    return s_exec(self, Q_REC_IDNO_CLEAR);
}

hub_err_t
store_quality_put(store_t *self, record_id_t id, const char *flag, const char *detail)
{
    sqlite3_stmt *st = s_stmt(self, Q_QUALITY_PUT);
    sqlite3_bind_int64(st, 1, id.v);
    s_bind_text(st, 2, flag);
    s_bind_text(st, 3, detail);
    return s_exec(self, Q_QUALITY_PUT);
}

hub_err_t
store_household(store_t *self, const char *number, search_hit_t *out, size_t cap, size_t *n)
{
    sqlite3_stmt *st = s_stmt(self, Q_HOUSEHOLD);
    s_bind_text(st, 1, number);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)cap);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < cap) {
        search_hit_t *h = &out[(*n)++];
        memset(h, 0, sizeof *h);
        h->resident.v = sqlite3_column_int64(st, 0);
        s_text(st, 1, h->why, sizeof h->why);
        s_text(st, 2, h->name, sizeof h->name);
        s_text(st, 3, h->birth, sizeof h->birth);
        s_text(st, 4, h->community, sizeof h->community);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? HUB_OK : s_err(self, rc, "household");
}

/* ---- a resident's community ---- */

hub_err_t
store_resident_community(store_t *self, resident_id_t id, char *out, size_t cap)
{
    sqlite3_stmt *st = s_stmt(self, Q_RES_COMMUNITY);
    sqlite3_bind_int64(st, 1, id.v);
    int rc = sqlite3_step(st);
    *out = 0;
    if (rc == SQLITE_ROW)
        s_text(st, 0, out, cap);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? (*out ? HUB_OK : HUB_ENOTFOUND) : s_err(self, rc, "resident_community");
}

/* ---- figures for an area (a community, a street, the district) ---- */

/* The latest civil-affairs roster delivered (mz_roster_YYYYMM.csv sorts by
** month). A roster lists the whole month: an entitlement it no longer lists
** has ended, although its record stays current. */
#define S_LATEST_ROSTER                                                                               \
    "(SELECT max(s2.origin_file) FROM source_records s2"                                              \
    "  JOIN civil_entitlements x2 ON x2.record_id = s2.id WHERE s2.current = 1)"

/* Age in whole calendar years at ?2 (YYYY-MM-DD) of a birth date b. */
#define S_AGE(b)                                                                                      \
    "(CAST(strftime('%Y', ?2) AS INTEGER) - CAST(strftime('%Y', " b ") AS INTEGER)"                  \
    " - (strftime('%m-%d', ?2) < strftime('%m-%d', " b ")))"

/* Police statuses of people no longer living in the district. */
#define S_GONE "('死亡', '迁出', '注销')"

/* The residents of the area ?1 (",code,code,"), each placed by its
** community (area_residents; a roster's page, only those after its cursor
** ?3), with birth date b, gender g, age y at ?2 and police status st;
** live: those the police do not record as dead, moved out or cancelled.
** S_AREA_ONE picks the residents of a one-community area by equality, so
** they come in resident order from the index without a sort (a roster's
** page reads only its own rows). */
#define S_AREA_ANY "a.community_code IN (SELECT value FROM json_each('[\"' || replace(trim(?1, ','), ',', '\",\"') || '\"]'))"
#define S_AREA_ONE "a.community_code = substr(?1, 2, length(?1) - 2)"
#define S_AREA_RESIDENTS_OF(cond)                                                                     \
    "WITH area AS (SELECT a.resident_id r, a.community_code c, a.birth_date b, a.gender g, a.name nm,"  \
    "  a.status st, coalesce(" S_AGE("a.birth_date") ", a.age) y FROM area_residents a"               \
    "  WHERE " cond " AND a.resident_id > coalesce(?3, 0)),"                                          \
    " live AS (SELECT * FROM area WHERE st IS NULL OR st NOT IN " S_GONE ")"
#define S_AREA_RESIDENTS S_AREA_RESIDENTS_OF(S_AREA_ANY)

static hub_err_t
s_area_rows(store_t *self, const char *sql, const char *codes, const char *ref_date,
            void (*fn)(void *ctx, sqlite3_stmt *st), void *ctx)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(self->db, sql, -1, &st, NULL) != SQLITE_OK)
        return s_err(self, sqlite3_errcode(self->db), "area stats");
    sqlite3_bind_text(st, 1, codes, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ref_date, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(ctx, st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? HUB_OK : s_err(self, rc, "area stats");
}

static void
s_area_put(void *ctx, sqlite3_stmt *st)
{
    area_stats_t *a = ctx;
    if (a->n == sizeof a->rows / sizeof a->rows[0])
        return;
    area_row_t *r = &a->rows[a->n++];
    s_text(st, 0, r->table, sizeof r->table);
    s_text(st, 1, r->label, sizeof r->label);
    r->count = sqlite3_column_int64(st, 2);
    r->sum = sqlite3_column_double(st, 3);
}

hub_err_t
store_area_stats(store_t *self, const char *codes, const char *ref_date, area_stats_t *out)
{
    memset(out, 0, sizeof *out);
    static const char *sql[] = {
        S_AREA_RESIDENTS
        " SELECT 'population', 'total', count(*), 0 FROM live"
        " UNION ALL SELECT 'age band and gender', band || ' ' || coalesce(g, '?'), count(*), 0 FROM"
        "  (SELECT g, CASE WHEN y IS NULL THEN 'unknown' WHEN y < 15 THEN '0-14' WHEN y < 60 THEN '15-59'"
        "   WHEN y < 80 THEN '60-79' ELSE '80+' END band FROM live)"
        "  GROUP BY band, g",
        S_AREA_RESIDENTS
        " SELECT 'households', 'police households', count(DISTINCT x.household_no), 0 FROM live"
        "  JOIN source_records s ON s.resident_id = live.r AND s.current = 1 AND s.source = 1"
        "  JOIN police_facts x ON x.record_id = s.id"
        " UNION ALL SELECT 'registration', coalesce(x.category, '?'), count(DISTINCT live.r), 0 FROM live"
        "  JOIN source_records s ON s.resident_id = live.r AND s.current = 1 AND s.source = 1"
        "  JOIN police_facts x ON x.record_id = s.id GROUP BY x.category"
        " UNION ALL SELECT 'life status', coalesce(st, '?'), count(*), 0 FROM area GROUP BY st",
        S_AREA_RESIDENTS
        " SELECT 'employment', coalesce(x.employment_status, '?'), count(DISTINCT live.r), 0 FROM live"
        "  JOIN source_records s ON s.resident_id = live.r AND s.current = 1 AND s.source = 3"
        "  JOIN labour_facts x ON x.record_id = s.id GROUP BY x.employment_status"
        " UNION ALL SELECT 'entitlements in force', x.category, count(DISTINCT live.r),"
        "  coalesce(sum(x.monthly_amount_fen), 0) / 100.0 FROM live"
        "  JOIN source_records s ON s.resident_id = live.r AND s.current = 1 AND s.source = 4"
        "  JOIN civil_entitlements x ON x.record_id = s.id WHERE x.status = '在保'"
        "  AND s.origin_file = " S_LATEST_ROSTER " GROUP BY x.category",
        "SELECT 'facilities', f.type, count(DISTINCT f.record_id), coalesce(sum(f.floor_area), 0)"
        " FROM facilities f JOIN source_records s ON s.id = f.record_id AND s.current = 1"
        " WHERE EXISTS (SELECT 1 FROM facility_communities fc WHERE fc.record_id = f.record_id"
        "  AND instr(?1, ',' || fc.community_code || ',') > 0) AND ?2 IS NOT NULL GROUP BY f.type",
    };
    hub_err_t err = HUB_OK;
    for (size_t i = 0; i < sizeof sql / sizeof sql[0] && err == HUB_OK; i++)
        err = s_area_rows(self, sql[i], codes, ref_date, s_area_put, out);
    return err;
}

/* A roster's page, after the filters (?4..?12), ?13 at most. */
#define S_ROSTER_PAGE                                                                                 \
    " SELECT r, nm, b, c FROM area a WHERE r > ?3"                                                    \
    "  AND (?7 IS NOT NULL OR a.st IS NULL OR a.st NOT IN " S_GONE ")"                                \
    "  AND (?4 IS NULL OR a.y >= ?4) AND (?5 IS NULL OR a.y <= ?5) AND (?6 IS NULL OR a.g = ?6)"      \
    "  AND (?7 IS NULL OR EXISTS (SELECT 1 FROM source_records s JOIN police_facts x ON x.record_id = s.id" \
    "       WHERE s.resident_id = a.r AND s.current = 1 AND x.status = ?7))"                          \
    "  AND (?8 IS NULL OR EXISTS (SELECT 1 FROM source_records s JOIN police_facts x ON x.record_id = s.id" \
    "       WHERE s.resident_id = a.r AND s.current = 1 AND x.category = ?8))"                        \
    "  AND (?9 IS NULL OR EXISTS (SELECT 1 FROM source_records s JOIN labour_facts x ON x.record_id = s.id" \
    "       WHERE s.resident_id = a.r AND s.current = 1 AND x.employment_status = ?9))"               \
    "  AND (?10 IS NULL OR EXISTS (SELECT 1 FROM source_records s JOIN civil_entitlements x ON x.record_id = s.id" \
    "       WHERE s.resident_id = a.r AND s.current = 1 AND x.category = ?10 AND (?11 IS NULL OR x.status = ?11)" \
    "       AND s.origin_file = " S_LATEST_ROSTER "))"                                                \
    "  AND (?12 IS NULL OR EXISTS (SELECT 1 FROM source_records s JOIN police_facts x ON x.record_id = s.id" \
    "       WHERE s.resident_id = a.r AND s.current = 1 AND x.household_no = ?12))"                   \
    " ORDER BY r LIMIT ?13"

hub_err_t
store_roster(store_t *self, const char *codes, const char *ref_date, const roster_filter_t *f, int64_t after,
             size_t limit, search_hit_t *out, size_t *n)
{
    static const char *const sql_any = S_AREA_RESIDENTS_OF(S_AREA_ANY) S_ROSTER_PAGE;
    static const char *const sql_one = S_AREA_RESIDENTS_OF(S_AREA_ONE) S_ROSTER_PAGE;
    int commas = 0;
    for (const char *c = codes; *c; c++)
        commas += *c == ',';
    const char *sql = commas == 2 ? sql_one : sql_any;   /* ",code,": one community */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(self->db, sql, -1, &st, NULL) != SQLITE_OK)
        return s_err(self, sqlite3_errcode(self->db), "roster");
    sqlite3_bind_text(st, 1, codes, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ref_date, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, after);
    if (f->age_min >= 0)
        sqlite3_bind_int(st, 4, f->age_min);
    if (f->age_max >= 0)
        sqlite3_bind_int(st, 5, f->age_max);
    const char *texts[] = {f->gender, f->status, f->category, f->employment, f->entitlement, f->entitlement_status,
                           f->household};
    for (int i = 0; i < 7; i++)
        s_bind_text(st, 6 + i, texts[i] && *texts[i] ? texts[i] : NULL);
    sqlite3_bind_int64(st, 13, (sqlite3_int64)limit);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < limit) {
        search_hit_t *h = &out[(*n)++];
        memset(h, 0, sizeof *h);
        h->resident.v = sqlite3_column_int64(st, 0);
        s_text(st, 1, h->name, sizeof h->name);
        s_text(st, 2, h->birth, sizeof h->birth);
        s_text(st, 3, h->community, sizeof h->community);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? HUB_OK : s_err(self, rc, "roster");
}

hub_err_t
store_quarantine_list(store_t *self, int64_t id, size_t limit, void (*fn)(void *ctx, const quarantine_row_t *q),
                      void *ctx)
{
    sqlite3_stmt *st = s_stmt(self, Q_QUAR_LIST);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)limit);
    sqlite3_bind_int64(st, 2, id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        quarantine_row_t q = {
            .id = sqlite3_column_int64(st, 0), .received_ms = sqlite3_column_int64(st, 1),
            .sender = (const char *)sqlite3_column_text(st, 2), .batch_seq = sqlite3_column_int64(st, 3),
            .record_index = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 4),
            .reason_code = sqlite3_column_int(st, 5), .reason = (const char *)sqlite3_column_text(st, 6),
            .bytes = sqlite3_column_int64(st, 7), .status = (const char *)sqlite3_column_text(st, 8),
            .decided_by = (const char *)sqlite3_column_text(st, 9), .note = (const char *)sqlite3_column_text(st, 10),
        };
        fn(ctx, &q);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? HUB_OK : s_err(self, rc, "quarantine_list");
}

/* ---- online backup ---- */

static int
s_fsync_path(const char *path, int flags)
{
    int fd = open(path, flags);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

hub_err_t
store_backup(store_t *self, const char *dest, int64_t *bytes, char *why, size_t cap)
{
    return store_copy_db(self->db, dest, bytes, why, cap);
}

hub_err_t
store_copy_db(sqlite3 *db, const char *dest, int64_t *bytes, char *why, size_t cap)
{
    struct stat sb;
    if (dest[0] != '/') {
        snprintf(why, cap, "give the backup file as an absolute path");
        return HUB_EINVAL;
    }
    if (stat(dest, &sb) == 0) {
        snprintf(why, cap, "%s exists already; a backup never overwrites a file", dest);
        return HUB_EINVAL;
    }
    char partial[4200], dir[4200];
    snprintf(partial, sizeof partial, "%s.partial", dest);
    snprintf(dir, sizeof dir, "%s", dest);
    *strrchr(dir, '/') = 0;
    unlink(partial);
    sqlite3 *out = NULL;
    int rc = sqlite3_open_v2(partial, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    sqlite3_backup *b = rc == SQLITE_OK ? sqlite3_backup_init(out, "main", db, "main") : NULL;
    if (b) {   /* one step: a single read transaction, so one consistent moment */
        rc = sqlite3_backup_step(b, -1);
        sqlite3_backup_finish(b);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    } else if (rc == SQLITE_OK) {
        rc = sqlite3_errcode(out);
    }
    char *msg = NULL;
    if (rc == SQLITE_OK)   /* the copy reads back: every page is a valid b-tree page */
        rc = sqlite3_exec(out, "PRAGMA quick_check", NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        snprintf(why, cap, "the copy failed: %s", msg ? msg : out ? sqlite3_errmsg(out) : sqlite3_errstr(rc));
    sqlite3_free(msg);
    sqlite3_close(out);
    if (rc == SQLITE_OK && (s_fsync_path(partial, O_RDONLY) != 0 || rename(partial, dest) != 0
                            || s_fsync_path(dir, O_RDONLY | O_DIRECTORY) != 0)) {
        snprintf(why, cap, "writing %s: %s", dest, strerror(errno));
        rc = SQLITE_IOERR;
    }
    if (rc != SQLITE_OK) {
        unlink(partial);
        return HUB_EIO;
    }
    *bytes = stat(dest, &sb) == 0 ? (int64_t)sb.st_size : 0;
    return HUB_OK;
}

/* ---- can the registry take a write? ---- */

hub_err_t
store_probe_write(store_t *self, char *why, size_t cap)
{
    sqlite3_busy_timeout(self->db, 0);   /* a held lock answers at once */
    char *msg = NULL;
    int rc = sqlite3_exec(self->db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(self->db, "ROLLBACK", NULL, NULL, &msg);
    sqlite3_busy_timeout(self->db, 5000);
    if (rc != SQLITE_OK)
        snprintf(why, cap, "the registry cannot take a write: %s",
                 rc == SQLITE_BUSY ? "another process holds its write lock" : msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return rc == SQLITE_OK ? HUB_OK : rc == SQLITE_BUSY ? HUB_EBUSY : HUB_EDB;
}

/* ---- working the quarantine ---- */

hub_err_t
store_quarantine_bytes(store_t *self, int64_t id, uint8_t **out, size_t *len)
{
    sqlite3_stmt *st = s_stmt(self, Q_QUAR_BYTES);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    *out = NULL;
    *len = 0;
    if (rc == SQLITE_ROW) {
        *len = (size_t)sqlite3_column_bytes(st, 0);
        *out = HUB_CHECK_ALLOC(malloc(*len ? *len : 1));
        if (*len)
            memcpy(*out, sqlite3_column_blob(st, 0), *len);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? HUB_OK : rc == SQLITE_DONE ? HUB_ENOTFOUND : s_err(self, rc, "quarantine_bytes");
}

hub_err_t
store_quarantine_decide(store_t *self, int64_t id, const char *status, const char *by, int64_t now_ms, const char *note)
{
    sqlite3_stmt *st = s_stmt(self, Q_QUAR_DECIDE);
    sqlite3_bind_int64(st, 1, id);
    s_bind_text(st, 2, status);
    s_bind_text(st, 3, by);
    sqlite3_bind_int64(st, 4, now_ms);
    s_bind_text(st, 5, note);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return s_err(self, rc, "quarantine_decide");
    return sqlite3_changes(self->db) == 1 ? HUB_OK : HUB_ENOTFOUND;
}
