/* audit.c: the hash-chained audit log in audit.db (see audit.h). */
#define _POSIX_C_SOURCE 200809L
#include "audit.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "store.h"

#define AUDIT_COLUMNS "id, at_ms, principal, role, purpose, kind, args, residents, outcome, prev_hash, hash"

enum { A_LAST, A_PUT, A_ALL, A_OF, A_N };

static const char *s_sql[A_N] = {
    [A_LAST] = "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1",
    [A_PUT] = "INSERT INTO audit_log(at_ms, principal, role, purpose, kind, args, residents, outcome, prev_hash, hash)"
              " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    [A_ALL] = "SELECT " AUDIT_COLUMNS " FROM audit_log ORDER BY id",
    [A_OF] = "SELECT " AUDIT_COLUMNS " FROM audit_log WHERE residents LIKE '%,' || ?1 || ',%' ORDER BY id DESC LIMIT ?2",
};

struct audit {
    sqlite3 *db;
    sqlite3_stmt *stmt[A_N];
    pthread_mutex_t lock;   /* one connection, two threads */
    sqlite3 *syncer;        /* audit_sync's own connection: its fsync holds up no append */
    atomic_bool unsynced;
};

static hub_err_t
s_err(audit_t *self, int rc, const char *what)
{
    if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
        return HUB_OK;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        log_warn("HUB-STORE-BUSY", LOG_S("op", what));
        return HUB_EBUSY;
    }
    log_error("HUB-STORE-ERROR", LOG_S("op", what), LOG_I("code", rc), LOG_S("reason", sqlite3_errmsg(self->db)));
    return (rc & 0xff) == SQLITE_FULL ? HUB_EFULL : (rc & 0xff) == SQLITE_IOERR ? HUB_EIO : HUB_EDB;
}

/* Entries of a registry made before the log had a file of its own. */
static int
s_copy_old(sqlite3 *db, const char *registry_path)
{
    struct stat sb;
    if (!registry_path || stat(registry_path, &sb) != 0)
        return SQLITE_OK;
    char *sql = sqlite3_mprintf("ATTACH %Q AS reg", registry_path);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_stmt *st;
    bool old = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM reg.sqlite_master WHERE type='table' AND name='audit_log'", -1, &st, NULL)
        == SQLITE_OK) {
        old = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
    }
    if (old) {
        rc = sqlite3_exec(db, "INSERT OR IGNORE INTO main.audit_log(" AUDIT_COLUMNS ") SELECT " AUDIT_COLUMNS
                              " FROM reg.audit_log", NULL, NULL, NULL);
        if (rc == SQLITE_OK && sqlite3_changes(db) > 0)
            log_notice("HUB-AUDIT-MOVED", LOG_I("entries", sqlite3_changes(db)));
    }
    sqlite3_exec(db, "DETACH reg", NULL, NULL, NULL);
    return rc;
}

audit_t *
audit_open(const char *path, const char *registry_path, char *errbuf, size_t errcap)
{
    audit_t *self = HUB_CHECK_ALLOC(calloc(1, sizeof *self));
    pthread_mutex_init(&self->lock, NULL);
    int rc = sqlite3_open_v2(path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(self->db, 5000);
        rc = sqlite3_exec(self->db,
                          "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0;"
                          "CREATE TABLE IF NOT EXISTS audit_log("   /* every look, append-only, hash-chained */
                          "  id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, principal TEXT NOT NULL, role TEXT NOT NULL,"
                          "  purpose TEXT NOT NULL, kind TEXT NOT NULL, args TEXT NOT NULL,"
                          "  residents TEXT NOT NULL,"              /* ids returned, ",12,34," */
                          "  outcome TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL);",
                          NULL, NULL, NULL);
    }
    if (rc == SQLITE_OK)
        rc = s_copy_old(self->db, registry_path);
    for (int q = 0; q < A_N && rc == SQLITE_OK; q++)
        rc = sqlite3_prepare_v3(self->db, s_sql[q], -1, SQLITE_PREPARE_PERSISTENT, &self->stmt[q], NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_open_v2(path, &self->syncer, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(errbuf, errcap, "%s: cannot open the audit log: %s", path,
                 self->db ? sqlite3_errmsg(self->db) : sqlite3_errstr(rc));
        audit_close(&self);
    }
    return self;
}

void
audit_close(audit_t **self_p)
{
    audit_t *self = *self_p;
    if (!self)
        return;
    for (int q = 0; q < A_N; q++)
        sqlite3_finalize(self->stmt[q]);
    sqlite3_close(self->db);
    sqlite3_close(self->syncer);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

void
audit_hash(const audit_row_t *e, uint8_t out[32])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    crypto_generichash_update(&h, e->prev_hash, 32);
    char at[32];
    snprintf(at, sizeof at, "%lld", (long long)e->at_ms);
    const char *parts[] = {at, e->principal, e->role, e->purpose, e->kind, e->args, e->residents, e->outcome};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        const char *p = parts[i] ? parts[i] : "";
        crypto_generichash_update(&h, (const unsigned char *)p, strlen(p) + 1);   /* with its NUL: unambiguous */
    }
    crypto_generichash_final(&h, out, 32);
}

static void
s_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_STATIC);
}

/* The last entry's hash (zeros for the first) and e put after it. */
static int
s_append(audit_t *self, audit_row_t *e)
{
    sqlite3_stmt *st = self->stmt[A_LAST];
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32)
        memcpy(e->prev_hash, sqlite3_column_blob(st, 0), 32);
    else
        memset(e->prev_hash, 0, 32);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return rc;
    audit_hash(e, e->hash);
    st = self->stmt[A_PUT];
    sqlite3_bind_int64(st, 1, e->at_ms);
    s_bind_text(st, 2, e->principal);
    s_bind_text(st, 3, e->role);
    s_bind_text(st, 4, e->purpose);
    s_bind_text(st, 5, e->kind);
    s_bind_text(st, 6, e->args);
    s_bind_text(st, 7, e->residents);
    s_bind_text(st, 8, e->outcome);
    sqlite3_bind_blob(st, 9, e->prev_hash, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 10, e->hash, 32, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    e->id = sqlite3_last_insert_rowid(self->db);
    return rc;
}

hub_err_t
audit_append(audit_t *self, audit_row_t *e)
{
    pthread_mutex_lock(&self->lock);
    int rc = sqlite3_exec(self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = s_append(self, e);
    if (rc == SQLITE_DONE)
        rc = sqlite3_exec(self->db, "COMMIT", NULL, NULL, NULL);
    hub_err_t err = s_err(self, rc, "audit_append");
    if (err != HUB_OK && !sqlite3_get_autocommit(self->db))
        sqlite3_exec(self->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&self->lock);
    if (err == HUB_OK)
        atomic_store(&self->unsynced, true);
    return err;
}

static hub_err_t
s_rows(audit_t *self, int q, void (*fn)(void *ctx, const audit_row_t *a), void *ctx)
{
    sqlite3_stmt *st = self->stmt[q];
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        audit_row_t a = {
            .id = sqlite3_column_int64(st, 0), .at_ms = sqlite3_column_int64(st, 1),
            .principal = (const char *)sqlite3_column_text(st, 2), .role = (const char *)sqlite3_column_text(st, 3),
            .purpose = (const char *)sqlite3_column_text(st, 4), .kind = (const char *)sqlite3_column_text(st, 5),
            .args = (const char *)sqlite3_column_text(st, 6), .residents = (const char *)sqlite3_column_text(st, 7),
            .outcome = (const char *)sqlite3_column_text(st, 8),
        };
        if (sqlite3_column_bytes(st, 9) == 32)
            memcpy(a.prev_hash, sqlite3_column_blob(st, 9), 32);
        if (sqlite3_column_bytes(st, 10) == 32)
            memcpy(a.hash, sqlite3_column_blob(st, 10), 32);
        fn(ctx, &a);
    }
    sqlite3_reset(st);
    return s_err(self, rc, "audit_rows");
}

typedef struct {
    uint8_t prev[32];
    int64_t checked, first_bad;
} verify_t;

static void
s_check(void *ctx, const audit_row_t *a)
{
    verify_t *v = ctx;
    v->checked++;
    if (v->first_bad)
        return;
    audit_row_t e = *a;
    memcpy(e.prev_hash, v->prev, 32);
    uint8_t h[32];
    audit_hash(&e, h);
    if (memcmp(a->prev_hash, v->prev, 32) != 0 || memcmp(a->hash, h, 32) != 0)
        v->first_bad = a->id;
    memcpy(v->prev, a->hash, 32);
}

hub_err_t
audit_verify(audit_t *self, int64_t *checked, int64_t *first_bad)
{
    verify_t v = {0};
    pthread_mutex_lock(&self->lock);
    hub_err_t err = s_rows(self, A_ALL, s_check, &v);
    pthread_mutex_unlock(&self->lock);
    *checked = v.checked;
    *first_bad = v.first_bad;
    return err;
}

hub_err_t
audit_of(audit_t *self, resident_id_t resident, size_t limit, void (*fn)(void *ctx, const audit_row_t *a), void *ctx)
{
    pthread_mutex_lock(&self->lock);
    sqlite3_stmt *st = self->stmt[A_OF];
    sqlite3_bind_int64(st, 1, resident.v);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
    hub_err_t err = s_rows(self, A_OF, fn, ctx);
    pthread_mutex_unlock(&self->lock);
    return err;
}

void
audit_sync(audit_t *self)
{
    if (atomic_exchange(&self->unsynced, false)
        && sqlite3_wal_checkpoint_v2(self->syncer, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) != SQLITE_OK)
        atomic_store(&self->unsynced, true);
}

hub_err_t
audit_backup(audit_t *self, const char *dest, char *why, size_t cap)
{
    int64_t bytes;
    pthread_mutex_lock(&self->lock);
    hub_err_t err = store_copy_db(self->db, dest, &bytes, why, cap);
    pthread_mutex_unlock(&self->lock);
    return err;
}
