/* state.c: an adapter's durable state in SQLite (see state.h). */
#define _POSIX_C_SOURCE 200809L
#include "state.h"

#include <errno.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define SEQ_BLOCK 1000

typedef struct {
    uint32_t first, last;
} range_t;

struct adp_state {
    sqlite3 *db;
    int64_t next_seq, reserved_to;
    range_t *ranges;
    size_t nranges;
};

static int64_t
s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
s_exec(adp_state_t *self, const char *sql)
{
    return sqlite3_exec(self->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int
adp_mkdirs(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(path, 0750) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(path, 0750) != 0 && errno != EEXIST ? -1 : 0;
}

adp_state_t *
adp_state_open(const char *dir, char *errbuf, size_t errcap)
{
    if (adp_mkdirs(dir) != 0) {
        snprintf(errbuf, errcap, "%s: cannot create state directory: %s", dir, strerror(errno));
        return NULL;
    }
    adp_state_t *self = calloc(1, sizeof *self);
    char path[1100];
    snprintf(path, sizeof path, "%s/state.db", dir);
    if (!self || sqlite3_open(path, &self->db) != SQLITE_OK
        || s_exec(self, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                        "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER);"
                        "CREATE TABLE IF NOT EXISTS done(file_key TEXT NOT NULL, first_row INTEGER NOT NULL,"
                        " last_row INTEGER NOT NULL);"
                        "CREATE INDEX IF NOT EXISTS done_file ON done(file_key);"
                        "CREATE TABLE IF NOT EXISTS files(file_key TEXT PRIMARY KEY, finished_ms INTEGER);") != 0) {
        snprintf(errbuf, errcap, "%s: cannot open adapter state: %s", path,
                 self && self->db ? sqlite3_errmsg(self->db) : "out of memory");
        adp_state_close(&self);
        return NULL;
    }
    sqlite3_busy_timeout(self->db, 5000);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(self->db, "SELECT value FROM meta WHERE key='next_seq'", -1, &st, NULL) == SQLITE_OK) {
        /* A fresh state starts at the clock (ms), above anything an earlier,
        ** lost state of this principal can have sent. */
        self->next_seq = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : s_now_ms();
        sqlite3_finalize(st);
    }
    self->reserved_to = self->next_seq;
    return self;
}

void
adp_state_close(adp_state_t **self_p)
{
    adp_state_t *self = *self_p;
    if (!self)
        return;
    sqlite3_close(self->db);
    free(self->ranges);
    free(self);
    *self_p = NULL;
}

int64_t
adp_state_next_seq(adp_state_t *self)
{
    if (self->next_seq >= self->reserved_to) {
        char sql[128];
        snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta(key, value) VALUES('next_seq', %lld)",
                 (long long)(self->next_seq + SEQ_BLOCK));
        if (s_exec(self, sql) != 0)
            return -1;
        self->reserved_to = self->next_seq + SEQ_BLOCK;
    }
    return self->next_seq++;
}

int
adp_state_load_file(adp_state_t *self, const char *file_key)
{
    free(self->ranges);
    self->ranges = NULL;
    self->nranges = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(self->db, "SELECT first_row, last_row FROM done WHERE file_key=?1", -1, &st, NULL)
        != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, file_key, -1, SQLITE_STATIC);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (self->nranges == cap) {
            cap = cap ? cap * 2 : 16;
            range_t *r = realloc(self->ranges, cap * sizeof *r);
            if (!r) {
                sqlite3_finalize(st);
                return -1;
            }
            self->ranges = r;
        }
        self->ranges[self->nranges].first = (uint32_t)sqlite3_column_int64(st, 0);
        self->ranges[self->nranges++].last = (uint32_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

bool
adp_state_row_done(const adp_state_t *self, uint32_t row)
{
    for (size_t i = 0; i < self->nranges; i++)
        if (row >= self->ranges[i].first && row <= self->ranges[i].last)
            return true;
    return false;
}

int
adp_state_finish_rows(adp_state_t *self, const char *file_key, uint32_t first, uint32_t last)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(self->db, "INSERT INTO done(file_key, first_row, last_row) VALUES(?1,?2,?3)", -1,
                           &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, file_key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, first);
    sqlite3_bind_int64(st, 3, last);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int
adp_state_finish_file(adp_state_t *self, const char *file_key)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(self->db, "INSERT OR REPLACE INTO files(file_key, finished_ms) VALUES(?1, ?2)", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, file_key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, s_now_ms());
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

bool
adp_state_file_finished(adp_state_t *self, const char *file_key)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(self->db, "SELECT 1 FROM files WHERE file_key=?1", -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, file_key, -1, SQLITE_STATIC);
    bool done = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return done;
}

int
adp_state_file_key(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 8);
    unsigned char buf[65536], digest[8];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_generichash_update(&h, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return -1;
    crypto_generichash_final(&h, digest, sizeof digest);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char hex[17];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    snprintf(out, cap, "%s#%s", base, hex);
    return 0;
}
