/*
** sqlite_ceiling.c: how fast SQLite alone stores the rows the hub stored,
** the ceiling of the hub's ingest rate, for bench/run.sh:
**   sqlite_ceiling --from REGISTRY.db --to NEW.db [--conf HUB.conf] [--batch N]
** Opens NEW.db (which must not exist) with the hub's own store_open(), so
** the schema, indexes, migrations and pragmas are the hub's and cannot
** drift; it takes that very connection (an SQLite auto-extension sees every
** connection opened, and store_open opens one), so every per-connection
** pragma the store sets is in force. The page cache is hub.conf's
** sqlite_cache_mib (--conf; the default without it).
** Then it inserts, in transactions of N source records (default 10000) begun
** and committed by store_begin()/store_commit(), with one prepared statement
** a table, every row that the load put into REGISTRY.db for those records:
** source_records by id; each table with a record_id column (person_facts,
** the department's facts, match_features, match_blocks, ...) by record_id;
** each table of record pairs (columns a and b: match_links, review_items) by
** the later record; residents in id order, each before the first record
** that names it. Tables without a record in them (batches, audit_log, ...)
** are left out and named. The rows of a transaction are read from
** REGISTRY.db before its clock starts; only BEGIN .. COMMIT is timed. No
** matching, no lookups: the hub cannot store a record faster than this.
** Prints one line:
**   sqlite_ceiling records=N rows=N transactions=N seconds=S records_per_s=R rows_per_s=R tables=T:N,... skipped=T,...
** Exit 0, 1 when a step fails (with the reason), 2 on bad usage.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

#include "config.h"
#include "store.h"

#define MAX_TABLES  64
#define MAX_COLUMNS 64

/* A table copied: how its rows are read and written, and a transaction's worth of them. */
typedef struct {
    char name[64];
    bool residents;            /* driven by the records that name a resident */
    sqlite3_stmt *read;        /* SELECT key, columns... ORDER BY key */
    sqlite3_stmt *write;       /* INSERT INTO name(columns...) VALUES(?...) */
    int ncols;
    bool pending;              /* read has a row not yet taken */
    sqlite3_value **rows;      /* ncols values a row */
    size_t n, cap;
    long long total;
} table_t;

static sqlite3 *s_captured;    /* the connection store_open made */
static int s_opened;

static int
s_capture(sqlite3 *db, char **errmsg, const void *api)
{
    (void)errmsg;
    (void)api;
    s_captured = db;
    s_opened++;
    return SQLITE_OK;
}

static double
s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prepare sql on db; NULL (after saying why) on failure. */
static sqlite3_stmt *
s_prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite_ceiling: `%.200s`: %s\n", sql, sqlite3_errmsg(db));
        return NULL;
    }
    return st;
}

/* Does table have column? (names from PRAGMA table_info on db) */
static bool
s_has_column(sqlite3 *db, const char *table, const char *column)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT 1 FROM pragma_table_info('%s') WHERE name = '%s'", table, column);
    sqlite3_stmt *st = s_prepare(db, sql);
    bool yes = st && sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

/* Set t up to copy table name from src into dst (the key: how its rows
** follow the records); false when it holds no record (skipped). */
static bool
s_table_init(table_t *t, sqlite3 *src, sqlite3 *dst, const char *name, bool *failed)
{
    const char *key = NULL;
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    if (strcmp(name, "source_records") == 0 || strcmp(name, "residents") == 0)
        key = "id";
    else if (s_has_column(dst, name, "record_id"))
        key = "record_id";
    else if (s_has_column(dst, name, "a") && s_has_column(dst, name, "b"))
        key = "max(a, b)";
    if (!key)
        return false;
    t->residents = strcmp(name, "residents") == 0;
    char cols[2048] = "", marks[256] = "", sql[4096];
    snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s') ORDER BY cid", name);
    sqlite3_stmt *st = s_prepare(dst, sql);
    while (st && sqlite3_step(st) == SQLITE_ROW && t->ncols < MAX_COLUMNS) {
        size_t l = strlen(cols), m = strlen(marks);
        snprintf(cols + l, sizeof cols - l, "%s\"%s\"", t->ncols ? ", " : "", (const char *)sqlite3_column_text(st, 0));
        snprintf(marks + m, sizeof marks - m, "%s?", t->ncols ? ", " : "");
        t->ncols++;
    }
    sqlite3_finalize(st);
    snprintf(sql, sizeof sql, "SELECT %s, %s FROM \"%s\" ORDER BY 1", key, cols, name);
    t->read = s_prepare(src, sql);
    snprintf(sql, sizeof sql, "INSERT INTO \"%s\"(%s) VALUES(%s)", name, cols, marks);
    t->write = s_prepare(dst, sql);
    if (!t->read || !t->write || t->ncols == 0)
        *failed = true;
    else
        t->pending = sqlite3_step(t->read) == SQLITE_ROW;
    return true;
}

static void
s_table_clear(table_t *t)
{
    for (size_t i = 0; i < t->n * (size_t)t->ncols; i++)
        sqlite3_value_free(t->rows[i]);
    t->n = 0;
}

static void
s_table_fini(table_t *t)
{
    s_table_clear(t);
    free(t->rows);
    sqlite3_finalize(t->read);
    sqlite3_finalize(t->write);
}

/* Take the next row of t's reader into its buffer and step on. */
static void
s_take(table_t *t)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->rows = HUB_CHECK_ALLOC(realloc(t->rows, t->cap * (size_t)t->ncols * sizeof *t->rows));
    }
    sqlite3_value **row = t->rows + t->n * (size_t)t->ncols;
    for (int c = 0; c < t->ncols; c++)
        row[c] = HUB_CHECK_ALLOC(sqlite3_value_dup(sqlite3_column_value(t->read, c + 1)));
    t->n++;
    t->pending = sqlite3_step(t->read) == SQLITE_ROW;
}

/* Buffer t's rows with key <= hi. */
static void
s_take_upto(table_t *t, int64_t hi)
{
    while (t->pending && sqlite3_column_int64(t->read, 0) <= hi)
        s_take(t);
}

/* Insert t's buffered rows; false (after saying why) on failure. */
static bool
s_write(sqlite3 *db, table_t *t)
{
    for (size_t r = 0; r < t->n; r++) {
        for (int c = 0; c < t->ncols; c++)
            sqlite3_bind_value(t->write, c + 1, t->rows[r * (size_t)t->ncols + (size_t)c]);
        int rc = sqlite3_step(t->write);
        sqlite3_reset(t->write);
        if (rc != SQLITE_DONE) {
            fprintf(stderr, "sqlite_ceiling: inserting into %s: %s\n", t->name, sqlite3_errmsg(db));
            return false;
        }
    }
    t->total += (long long)t->n;
    return true;
}

static int
s_usage(void)
{
    fprintf(stderr, "usage: sqlite_ceiling --from REGISTRY.db --to NEW.db [--conf HUB.conf] [--batch N]\n");
    return 2;
}

int
main(int argc, char **argv)
{
    const char *from = NULL, *to = NULL, *conf = NULL;
    long batch = 10000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--from")) from = argv[i + 1];
        else if (!strcmp(argv[i], "--to")) to = argv[i + 1];
        else if (!strcmp(argv[i], "--conf")) conf = argv[i + 1];
        else if (!strcmp(argv[i], "--batch")) batch = atol(argv[i + 1]);
        else return s_usage();
    }
    if (!from || !to || batch <= 0 || argc % 2 == 0)
        return s_usage();
    if (access(to, F_OK) == 0) {
        fprintf(stderr, "sqlite_ceiling: %s exists; give a new file\n", to);
        return 2;
    }
    char err[1200];
    hub_config_t cfg;
    config_defaults(&cfg);
    if (conf && config_load(&cfg, conf, err, sizeof err) != HUB_OK) {
        fprintf(stderr, "sqlite_ceiling: %s\n", err);
        return 2;
    }

    sqlite3 *src = NULL;
    if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite_ceiling: %s: %s\n", from, src ? sqlite3_errmsg(src) : "cannot open");
        sqlite3_close(src);
        return 1;
    }
    sqlite3_auto_extension((void (*)(void))s_capture);
    store_t *store = store_open(to, cfg.sqlite_cache_mib, false, err, sizeof err);
    sqlite3_cancel_auto_extension((void (*)(void))s_capture);
    if (!store || s_opened != 1) {
        fprintf(stderr, "sqlite_ceiling: %s\n", store ? "store_open opened more than one connection" : err);
        store_close(&store);
        sqlite3_close(src);
        return 1;
    }
    sqlite3 *dst = s_captured;

    /* the tables, residents first, then source_records, then the rest as the schema lists them */
    table_t *tables = HUB_CHECK_ALLOC(calloc(MAX_TABLES, sizeof *tables));
    size_t nt = 0;
    char skipped[1024] = "";
    bool failed = false;
    static const char *const first[] = {"residents", "source_records"};
    sqlite3_stmt *st = s_prepare(dst, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                                      " ORDER BY name = 'residents' DESC, name = 'source_records' DESC, rowid");
    while (st && sqlite3_step(st) == SQLITE_ROW && nt < MAX_TABLES && !failed) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (s_table_init(&tables[nt], src, dst, name, &failed))
            nt++;
        else {
            size_t l = strlen(skipped);
            snprintf(skipped + l, sizeof skipped - l, "%s%s", l ? "," : "", name);
        }
    }
    sqlite3_finalize(st);
    if (failed || nt < 2 || strcmp(tables[0].name, first[0]) != 0 || strcmp(tables[1].name, first[1]) != 0) {
        fprintf(stderr, "sqlite_ceiling: %s\n", failed ? "the tables could not be read or written (above)"
                                                       : "no residents and source_records tables");
        for (size_t i = 0; i < nt; i++)
            s_table_fini(&tables[i]);
        free(tables);
        store_close(&store);
        sqlite3_close(src);
        return 1;
    }
    table_t *res = &tables[0], *recs = &tables[1];
    int resident_col = -1;   /* source_records.resident_id among the columns read */
    st = s_prepare(dst, "SELECT cid FROM pragma_table_info('source_records') WHERE name = 'resident_id'");
    if (st && sqlite3_step(st) == SQLITE_ROW)
        resident_col = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);

    double timed = 0;
    long long transactions = 0, records = 0;
    while (recs->pending && !failed) {
        /* read the next transaction's rows: untimed */
        while (recs->pending && (long)recs->n < batch)
            s_take(recs);
        int64_t hi = recs->pending ? sqlite3_value_int64(recs->rows[(recs->n - 1) * (size_t)recs->ncols]) : INT64_MAX;
        int64_t max_resident = 0;
        for (size_t r = 0; resident_col >= 0 && r < recs->n; r++) {
            int64_t id = sqlite3_value_int64(recs->rows[r * (size_t)recs->ncols + (size_t)resident_col]);
            max_resident = id > max_resident ? id : max_resident;
        }
        s_take_upto(res, recs->pending ? max_resident : INT64_MAX);
        for (size_t i = 2; i < nt; i++)
            s_take_upto(&tables[i], hi);
        /* store them: timed */
        double t0 = s_now();
        if (store_begin(store) != HUB_OK) {
            fprintf(stderr, "sqlite_ceiling: BEGIN failed: %s\n", sqlite3_errmsg(dst));
            failed = true;
            break;
        }
        for (size_t i = 0; i < nt && !failed; i++)
            failed = !s_write(dst, &tables[i]);
        if (failed)
            store_rollback(store);
        else if (store_commit(store) != HUB_OK) {
            fprintf(stderr, "sqlite_ceiling: COMMIT failed: %s\n", sqlite3_errmsg(dst));
            failed = true;
        }
        timed += s_now() - t0;
        transactions++;
        records += (long long)recs->n;
        for (size_t i = 0; i < nt; i++)
            s_table_clear(&tables[i]);
    }

    long long rows = 0;
    char counts[2048] = "";
    for (size_t i = 0; i < nt; i++) {
        rows += tables[i].total;
        size_t l = strlen(counts);
        snprintf(counts + l, sizeof counts - l, "%s%s:%lld", l ? "," : "", tables[i].name, tables[i].total);
        s_table_fini(&tables[i]);
    }
    free(tables);
    store_close(&store);
    sqlite3_close(src);
    if (failed)
        return 1;
    printf("sqlite_ceiling records=%lld rows=%lld transactions=%lld seconds=%.3f records_per_s=%.0f rows_per_s=%.0f "
           "tables=%s skipped=%s\n",
           records, rows, transactions, timed, timed > 0 ? (double)records / timed : 0.0,
           timed > 0 ? (double)rows / timed : 0.0, counts, skipped);
    return 0;
}
