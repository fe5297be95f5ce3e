/*
** store.c: the registry in SQLite (see store.h).
** Schema version lives in PRAGMA user_version; s_migrations[i] takes the
** database from version i to i+1, inside one transaction.
*/
#define _POSIX_C_SOURCE 200809L
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *s_migrations[] = {
    /* 0 -> 1: the first registry */
    "CREATE TABLE residents("
    "  id INTEGER PRIMARY KEY,"
    "  idno TEXT UNIQUE,"                  /* canonical number that keys it, or NULL */
    "  created_ms INTEGER NOT NULL,"
    "  updated_ms INTEGER NOT NULL);"
    "CREATE TABLE source_records("
    "  id INTEGER PRIMARY KEY,"
    "  source INTEGER NOT NULL,"
    "  source_key TEXT NOT NULL,"
    "  digest BLOB NOT NULL,"
    "  resident_id INTEGER NOT NULL REFERENCES residents(id),"
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
};
#define NMIGRATIONS ((int)(sizeof s_migrations / sizeof s_migrations[0]))

enum {
    Q_BEGIN, Q_COMMIT, Q_ROLLBACK,
    Q_BATCH_GET, Q_BATCH_PUT,
    Q_REC_SEEN, Q_REC_TOUCH, Q_REC_LATEST, Q_REC_UNCURRENT, Q_REC_PUT,
    Q_RES_BY_IDNO, Q_RES_BY_KEY, Q_RES_NEW, Q_RES_TOUCH,
    Q_QUAR_PUT,
    Q_VIEW_RES, Q_VIEW_RECS, Q_LINKS,
    Q_COUNT_RES, Q_COUNT_RECS, Q_COUNT_QUAR,
    Q_N
};

static const char *s_sql[Q_N] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_BATCH_GET] = "SELECT ack FROM batches WHERE sender=?1 AND seq=?2 AND digest=?3",
    [Q_BATCH_PUT] = "INSERT OR REPLACE INTO batches(sender,seq,received_ms,records,accepted,duplicates,rejected,"
                    "digest,ack) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [Q_REC_SEEN] = "SELECT id, resident_id FROM source_records WHERE source=?1 AND source_key=?2 AND digest=?3",
    [Q_REC_TOUCH] = "UPDATE source_records SET origin_file=?2, origin_row=?3"
                    " WHERE id=?1 AND (origin_file IS NOT ?2 OR origin_row IS NOT ?3)",
    [Q_REC_LATEST] = "SELECT resident_id, changed_at FROM source_records WHERE source=?1 AND source_key=?2"
                     " ORDER BY changed_at DESC, id DESC LIMIT 1",
    [Q_REC_UNCURRENT] = "UPDATE source_records SET current=0 WHERE source=?1 AND source_key=?2 AND current=1",
    [Q_REC_PUT] = "INSERT INTO source_records(source,source_key,digest,resident_id,changed_at,current,idno,"
                  "idno_status,sender,batch_seq,received_ms,origin_file,origin_row,body)"
                  " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
    [Q_RES_BY_IDNO] = "SELECT id FROM residents WHERE idno=?1",
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
                " WHERE id>?1 AND current=1 ORDER BY id LIMIT ?2",
    [Q_COUNT_RES] = "SELECT count(*) FROM residents",
    [Q_COUNT_RECS] = "SELECT source, count(*) FROM source_records WHERE current=1 GROUP BY source",
    [Q_COUNT_QUAR] = "SELECT count(*) FROM quarantine",
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *stmt[Q_N];
    bool readonly;
};

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
    return HUB_EDB;
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

store_t *
store_open(const char *path, long cache_mib, bool readonly, char *errbuf, size_t errcap)
{
    store_t *self = HUB_CHECK_ALLOC(calloc(1, sizeof *self));
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
        rc = sqlite3_exec(self->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL, &msg);
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
    for (int q = 0; q < Q_N; q++)
        if (sqlite3_prepare_v3(self->db, s_sql[q], -1, SQLITE_PREPARE_PERSISTENT, &self->stmt[q], NULL)
            != SQLITE_OK) {
            snprintf(errbuf, errcap, "%s: preparing `%s`: %s", path, s_sql[q], sqlite3_errmsg(self->db));
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
    sqlite3_close(self->db);
    free(self);
    *self_p = NULL;
}

hub_err_t
store_begin(store_t *self)
{
    return s_exec(self, Q_BEGIN);
}

hub_err_t
store_commit(store_t *self)
{
    return s_exec(self, Q_COMMIT);
}

void
store_rollback(store_t *self)
{
    if (!sqlite3_get_autocommit(self->db))
        s_exec(self, Q_ROLLBACK);
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
                uint8_t **ack, size_t *len)
{
    sqlite3_stmt *st = s_stmt(self, Q_BATCH_GET);
    s_bind_text(st, 1, sender);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    sqlite3_bind_blob(st, 3, digest, DIGEST_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *len = (size_t)sqlite3_column_bytes(st, 0);
        *ack = HUB_CHECK_ALLOC(malloc(*len ? *len : 1));
        memcpy(*ack, sqlite3_column_blob(st, 0), *len);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? HUB_OK : rc == SQLITE_DONE ? HUB_ENOTFOUND : s_err(self, rc, "batch_ack");
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
store_record_touch(store_t *self, record_id_t id, const char *file, uint32_t row)
{
    sqlite3_stmt *st = s_stmt(self, Q_REC_TOUCH);
    sqlite3_bind_int64(st, 1, id.v);
    s_bind_text(st, 2, file);
    sqlite3_bind_int64(st, 3, row);
    return s_exec(self, Q_REC_TOUCH);
}

/* Latest version of a key: its resident and change time. */
static hub_err_t
s_latest(store_t *self, int source, const char *key, resident_id_t *resident, int64_t *changed_at)
{
    sqlite3_stmt *st = s_stmt(self, Q_REC_LATEST);
    sqlite3_bind_int(st, 1, source);
    s_bind_text(st, 2, key);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        resident->v = sqlite3_column_int64(st, 0);
        *changed_at = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? HUB_OK : rc == SQLITE_DONE ? HUB_ENOTFOUND : s_err(self, rc, "record_latest");
}

hub_err_t
store_record_latest(store_t *self, int source, const char *key, resident_id_t *resident)
{
    int64_t changed_at;
    return s_latest(self, source, key, resident, &changed_at);
}

hub_err_t
store_record_put(store_t *self, const store_put_t *put, record_id_t *id)
{
    const rec_t *r = put->rec;
    resident_id_t prev_res;
    int64_t prev_changed = 0;
    hub_err_t err = s_latest(self, r->source, r->source_key, &prev_res, &prev_changed);
    if (err != HUB_OK && err != HUB_ENOTFOUND)
        return err;
    bool current = err == HUB_ENOTFOUND || r->changed_at >= prev_changed;
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
    sqlite3_bind_int64(st, 4, put->resident.v);
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
store_resident_by_idno(store_t *self, const char *idno, resident_id_t *id)
{
    sqlite3_stmt *st = s_stmt(self, Q_RES_BY_IDNO);
    s_bind_text(st, 1, idno);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        id->v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? HUB_OK : rc == SQLITE_DONE ? HUB_ENOTFOUND : s_err(self, rc, "resident_by_idno");
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

static hub_err_t
s_count(store_t *self, int q, int64_t *out)
{
    sqlite3_stmt *st = s_stmt(self, q);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? HUB_OK : s_err(self, rc, s_sql[q]);
}

hub_err_t
store_stats(store_t *self, registry_stats_t *out)
{
    memset(out, 0, sizeof *out);
    hub_err_t err = s_count(self, Q_COUNT_RES, &out->residents);
    if (err == HUB_OK)
        err = s_count(self, Q_COUNT_QUAR, &out->quarantined);
    if (err != HUB_OK)
        return err;
    sqlite3_stmt *st = s_stmt(self, Q_COUNT_RECS);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int d = sqlite3_column_int(st, 0);
        int64_t c = sqlite3_column_int64(st, 1);
        if (d > 0 && d < HUB_DEPARTMENTS)
            out->by_department[d] = c;
        out->source_records += c;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? HUB_OK : s_err(self, rc, "stats");
}
