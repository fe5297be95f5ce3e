/*
** test_store.c: unit tests for the facts part of hub/store.c on a
** temporary registry file (cmocka): the schema and its field catalogue,
** facts stored per record version, the facilities query (current versions,
** by community), the facts backfill of a registry made before facts
** were kept, the matching index after a cleared then rolled-back
** transaction, and the kept area rows read as a roster's pages. The registry is read back with sqlite3 directly, as the
** integration tests do with the CLI.
*/
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "facts.h"
#include "ingest.h"
#include "log.h"
#include "match.h"
#include "store.h"
#include "proto/hub.pb-c.h"

typedef struct {
    char dir[64];
    char path[96];
    store_t *store;
} fixture_t;

static int
s_setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/test_store.XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->path, sizeof fx->path, "%s/registry.db", fx->dir);
    char err[256];
    fx->store = store_open(fx->path, 8, false, err, sizeof err);
    if (!fx->store) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    *state = fx;
    return 0;
}

static int
s_teardown(void **state)
{
    fixture_t *fx = *state;
    store_close(&fx->store);
    char p[128];
    static const char *files[] = {"registry.db", "registry.db-wal", "registry.db-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", fx->dir, files[i]);
        unlink(p);
    }
    rmdir(fx->dir);
    free(fx);
    return 0;
}

/* One text value (or "" for NULL / no row) of a query on the registry. */
static char *
s_sql(const fixture_t *fx, const char *sql)
{
    static char out[512];
    sqlite3 *db;
    sqlite3_stmt *st;
    out[0] = 0;
    assert_int_equal(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

static Hub__Field *
s_field(const char *raw, const char *norm)
{
    Hub__Field *f = malloc(sizeof *f);
    hub__field__init(f);
    f->raw = strdup(raw);
    f->norm = norm ? strdup(norm) : NULL;
    return f;
}

static Hub__Record *
s_facility(const char *no, const char *name, const char *codes)
{
    Hub__FacilityRecord *p = malloc(sizeof *p);
    hub__facility_record__init(p);
    p->facility_no = s_field(no, NULL);
    p->name = s_field(name, NULL);
    p->type = s_field("社区服务站", NULL);
    p->status = s_field("运营", NULL);
    p->floor_area = s_field("120", NULL);
    p->communities = s_field("(names)", codes);
    Hub__Record *r = malloc(sizeof *r);
    hub__record__init(r);
    r->payload_case = HUB__RECORD__PAYLOAD_FACILITY;
    r->facility = p;
    return r;
}

static Hub__Record *
s_police_in(const char *name, const char *phone, const char *community)
{
    Hub__PoliceRecord *p = malloc(sizeof *p);
    hub__police_record__init(p);
    p->name = s_field(name, NULL);
    p->phone = s_field(phone, NULL);
    p->community = s_field("(name)", community);
    Hub__Record *r = malloc(sizeof *r);
    hub__record__init(r);
    r->payload_case = HUB__RECORD__PAYLOAD_POLICE;
    r->police = p;
    return r;
}

static Hub__Record *
s_police(const char *name, const char *phone)
{
    return s_police_in(name, phone, "350802001002");
}

/* Store r (taking it) as a new version of (source, key) with its facts
** (unless with_facts is false), in a transaction of its own. */
static record_id_t
s_put(fixture_t *fx, int source, const char *key, int64_t changed_at, Hub__Record *r, bool with_facts)
{
    rec_t rec = {.source = source, .source_key = key, .origin_file = "test.csv", .origin_row = 1,
                 .changed_at = changed_at};
    r->has_source = 1;
    r->source = (Hub__Department)source;
    r->source_key = strdup(key);
    rec.body_len = hub__record__get_packed_size(r);
    rec.body = malloc(rec.body_len);
    hub__record__pack(r, rec.body);
    crypto_generichash(rec.digest, DIGEST_LEN, rec.body, rec.body_len, NULL, 0);
    hub__record__free_unpacked(r, NULL);

    assert_int_equal(store_begin(fx->store), HUB_OK);
    resident_id_t res;
    if (store_record_latest(fx->store, source, key, &res) == HUB_ENOTFOUND)
        assert_int_equal(store_resident_new(fx->store, NULL, 1, &res), HUB_OK);
    store_put_t put = {.rec = &rec, .resident = res, .sender = "test", .batch_seq = 1, .received_ms = 1};
    record_id_t id;
    store_version_t version;
    assert_int_equal(store_record_put(fx->store, &put, &id, &version), HUB_OK);
    if (with_facts) {
        facts_t f;
        assert_int_equal(codec_body_facts(rec.body, rec.body_len, &f), HUB_OK);
        assert_int_equal(store_facts_put(fx->store, id, &f), HUB_OK);
        facts_fini(&f);
    }
    assert_int_equal(store_commit(fx->store), HUB_OK);
    free(rec.body);
    return id;
}

static void
test_schema_and_catalogue(void **state)
{
    fixture_t *fx = *state;
    assert_string_equal(s_sql(fx, "PRAGMA user_version"), "11");
    char want[32];
    snprintf(want, sizeof want, "%zu", facts_nfields);
    assert_string_equal(s_sql(fx, "SELECT count(*) FROM fact_fields"), want);
    assert_string_equal(s_sql(fx, "SELECT group_concat(fact_table || '.' || fact_column) FROM fact_fields"
                                  " WHERE sensitive=1"),
                        "fp_facts.contraception");
    /* every catalogued column exists in its table */
    assert_string_equal(s_sql(fx, "SELECT count(*) FROM fact_fields f WHERE fact_column IS NOT NULL"
                                  " AND NOT EXISTS (SELECT 1 FROM pragma_table_info(f.fact_table) p"
                                  " WHERE p.name=f.fact_column)"),
                        "0");
    /* the catalogue is rewritten at every start */
    store_close(&fx->store);
    assert_string_equal(s_sql(fx, "DELETE FROM fact_fields RETURNING 1"), "1");
    char err[256];
    fx->store = store_open(fx->path, 8, false, err, sizeof err);
    assert_non_null(fx->store);
    assert_string_equal(s_sql(fx, "SELECT count(*) FROM fact_fields"), want);
}

static void
test_facilities_by_community(void **state)
{
    fixture_t *fx = *state;
    s_put(fx, 4, "FW-3", 0, s_facility("FW-3", "松涛站", "350802001003"), true);
    s_put(fx, 4, "FW-1", 0, s_facility("FW-1", "两区中心", "350802001002,350802001003"), true);
    s_put(fx, 4, "FW-2", 100, s_facility("FW-2", "北龙站", "350802001002"), true);
    /* a later version of FW-2 serves 松涛 instead; an older one changes nothing */
    s_put(fx, 4, "FW-2", 200, s_facility("FW-2", "北龙站（迁）", "350802001003"), true);
    s_put(fx, 4, "FW-2", 50, s_facility("FW-2", "北龙站（旧）", "350802001002"), true);

    facility_row_t *rows;
    size_t n;
    assert_int_equal(store_facilities(fx->store, "350802001002", 10, &rows, &n), HUB_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].facility_no, "FW-1");
    assert_string_equal(rows[0].name, "两区中心");
    assert_string_equal(rows[0].communities, "350802001002,350802001003");
    assert_true(rows[0].has_floor_area && rows[0].floor_area == 120.0);
    store_facilities_free(rows, n);

    assert_int_equal(store_facilities(fx->store, "350802001003", 10, &rows, &n), HUB_OK);
    assert_int_equal(n, 3);
    assert_string_equal(rows[0].facility_no, "FW-1");
    assert_string_equal(rows[1].facility_no, "FW-2");
    assert_string_equal(rows[1].name, "北龙站(迁)");   /* tidied: full-width forms folded */
    assert_string_equal(rows[2].facility_no, "FW-3");
    store_facilities_free(rows, n);

    assert_int_equal(store_facilities(fx->store, NULL, 2, &rows, &n), HUB_OK);
    assert_int_equal(n, 2);   /* at most max */
    store_facilities_free(rows, n);
    assert_int_equal(store_facilities(fx->store, "350802009999", 10, &rows, &n), HUB_OK);
    assert_int_equal(n, 0);
    store_facilities_free(rows, n);

    /* every version keeps its facts */
    assert_string_equal(s_sql(fx, "SELECT count(*) FROM facilities WHERE facility_no='FW-2'"), "3");
}

static void
test_backfill_after_upgrade(void **state)
{
    fixture_t *fx = *state;
    s_put(fx, 1, "350802198001011231", 0, s_police(" 林晓", "139-0597-1234"), true);
    s_put(fx, 1, "350802198001011232", 0, s_police("陈强", "0597-2231234"), true);
    assert_string_equal(s_sql(fx, "SELECT count(*) FROM facts_pending"), "0");

    /* make it a registry of version 1: no fact tables */
    store_close(&fx->store);
    static const char *v6[] = {"rec_ins", "rec_upd", "rec_del", "res_ins", "res_upd", "res_del", "quar_ins",
                               "quar_upd", "quar_del", "event_ins", "event_del", "review_ins", "review_upd",
                               "review_del"};   /* the counts' triggers, from version 6 */
    char sql[128];
    for (size_t i = 0; i < sizeof v6 / sizeof v6[0]; i++) {
        snprintf(sql, sizeof sql, "DROP TRIGGER counts_%s", v6[i]);
        s_sql(fx, sql);
    }
    s_sql(fx, "DROP TABLE counts");
    s_sql(fx, "ALTER TABLE residents DROP COLUMN live");
    s_sql(fx, "DROP TABLE person_facts");
    s_sql(fx, "DROP TABLE police_facts");
    static const char *v2[] = {"fp_facts", "labour_facts", "labour_training", "civil_entitlements",
                               "facility_communities", "facilities", "fact_raw", "fact_fields",
                               "facts_pending", "match_features", "match_links", "quality_flags",
                               "cannot_link", "resolution_events", "review_items",
                               "change_events", "subscriptions",   /* from version 9 */
                               "alerts", "rules_dirty",            /* from version 10 */
                               "area_residents"};                  /* from version 11 */
    for (size_t i = 0; i < sizeof v2 / sizeof v2[0]; i++) {
        snprintf(sql, sizeof sql, "DROP TABLE %s", v2[i]);
        s_sql(fx, sql);
    }
    s_sql(fx, "DROP INDEX residents_idno");
    s_sql(fx, "DROP INDEX source_records_idno");
    s_sql(fx, "ALTER TABLE residents DROP COLUMN merged_into");
    const char *v4[] = {"status", "decided_by", "decided_ms", "note"};   /* the quarantine's, from version 4 */
    for (size_t i = 0; i < sizeof v4 / sizeof v4[0]; i++) {
        snprintf(sql, sizeof sql, "ALTER TABLE quarantine DROP COLUMN %s", v4[i]);
        s_sql(fx, sql);
    }
    s_sql(fx, "PRAGMA user_version=1");

    char err[256];
    fx->store = store_open(fx->path, 8, false, err, sizeof err);
    assert_non_null(fx->store);
    assert_string_equal(s_sql(fx, "PRAGMA user_version"), "11");
    assert_string_equal(s_sql(fx, "SELECT count(*) FROM facts_pending"), "2");
    assert_string_equal(s_sql(fx, "SELECT count(*) FROM person_facts"), "0");

    match_weights_t weights;
    match_weights_default(&weights);
    ingest_t *in = ingest_new(fx->store, 1 << 20, &weights);   /* fills the facts before it returns */
    assert_non_null(in);
    ingest_destroy(&in);
    assert_string_equal(s_sql(fx, "SELECT count(*) FROM facts_pending"), "0");
    assert_string_equal(s_sql(fx, "SELECT group_concat(name || '|' || phone || '|' || community_code, ';')"
                                  " FROM (SELECT * FROM person_facts ORDER BY record_id)"),
                        "林晓|13905971234|350802001002;陈强|05972231234|350802001002");
    assert_string_equal(s_sql(fx, "SELECT count(*) FROM police_facts"), "2");
    /* the area rows, empty after the migration (no facts yet), follow the backfill */
    assert_string_equal(s_sql(fx, "SELECT group_concat(name || '|' || community_code, ';')"
                                  " FROM (SELECT * FROM area_residents ORDER BY resident_id)"),
                        "林晓|350802001002;陈强|350802001002");

    /* a second start has nothing to do */
    in = ingest_new(fx->store, 1 << 20, &weights);
    ingest_destroy(&in);
    assert_string_equal(s_sql(fx, "SELECT count(*) FROM person_facts"), "2");
}

/* A roster read page by page after each page's last resident: the names
** of the area's residents in resident order, pages of `limit`. */
static void
s_roster_all(fixture_t *fx, const char *codes, size_t limit, char *out, size_t cap, int *pages)
{
    roster_filter_t f = {.age_min = -1, .age_max = -1};
    search_hit_t hits[8];
    int64_t after = 0;
    *out = 0;
    *pages = 0;
    for (;;) {
        size_t n = 0;
        assert_int_equal(store_roster(fx->store, codes, "2026-11-27", &f, after, limit, hits, &n), HUB_OK);
        (*pages)++;
        for (size_t i = 0; i < n; i++) {
            assert_true(hits[i].resident.v > after);   /* in resident order, none twice */
            after = hits[i].resident.v;
            size_t l = strlen(out);
            snprintf(out + l, cap - l, "%s%s", l ? "," : "", hits[i].name);
        }
        if (n < limit)
            return;
    }
}

/* The kept area rows follow the records (a new version that names another
** community moves the resident); a roster of one community (read by
** equality, in index order) and of two (read through the list) page alike. */
static void
test_roster_pages(void **state)
{
    fixture_t *fx = *state;
    static const char *const names[] = {"甲", "乙", "丙", "丁", "戊", "己", "庚", "辛"};
    for (int i = 0; i < 8; i++) {
        char key[16];
        snprintf(key, sizeof key, "K%d", i);
        s_put(fx, 1, key, 0, s_police_in(names[i], "13905971234", i < 5 ? "350802001002" : "350802001003"), true);
    }
    s_put(fx, 1, "K4", 100, s_police_in("戊", "13905971234", "350802001003"), true);   /* 戊 moves */
    assert_string_equal(s_sql(fx, "SELECT group_concat(name || '@' || substr(community_code, 10), ' ')"
                                  " FROM (SELECT * FROM area_residents ORDER BY resident_id)"),
                        "甲@002 乙@002 丙@002 丁@002 戊@003 己@003 庚@003 辛@003");
    char got[256];
    int pages;
    s_roster_all(fx, ",350802001002,", 2, got, sizeof got, &pages);
    assert_string_equal(got, "甲,乙,丙,丁");
    assert_int_equal(pages, 3);
    s_roster_all(fx, ",350802001003,", 3, got, sizeof got, &pages);
    assert_string_equal(got, "戊,己,庚,辛");
    s_roster_all(fx, ",350802001002,350802001003,", 3, got, sizeof got, &pages);
    assert_string_equal(got, "甲,乙,丙,丁,戊,己,庚,辛");
    assert_int_equal(pages, 3);
}

static void
test_record_without_facts_payload(void **state)
{
    fixture_t *fx = *state;
    facts_t f;
    facts_init(&f, FACTS_NONE);
    assert_int_equal(store_begin(fx->store), HUB_OK);
    record_id_t id = {42};
    assert_int_equal(store_facts_put(fx->store, id, &f), HUB_OK);   /* nothing to store */
    store_rollback(fx->store);
    facts_fini(&f);
}

static void
s_count(void *ctx, record_id_t id, const match_rec_t *m)
{
    (void)id, (void)m;
    ++*(size_t *)ctx;
}

/* Records under key k in the writer's matching index. */
static size_t
s_under(fixture_t *fx, const char *k)
{
    const char *keys[] = {k};
    size_t n = 0;
    store_match_index(fx->store);
    assert_int_equal(store_index_search(fx->store, keys, 1, s_count, &n), HUB_OK);
    return n;
}

/* A rematch clears the matching index in its transaction; the index is
** not copied for a rollback (it is large) but loaded again from the rows
** the rollback restored. */
static void
test_match_clear_rolled_back(void **state)
{
    fixture_t *fx = *state;
    record_id_t a = s_put(fx, 1, "A1", 1, s_police("张伟", "13800000001"), true);
    record_id_t b = s_put(fx, 1, "A2", 1, s_police("张伟", "13800000002"), true);
    match_rec_t m;
    memset(&m, 0, sizeof m);
    snprintf(m.name, sizeof m.name, "张伟");
    match_key_t keys[MATCH_MAX_INDEX_KEYS];
    const char *kp[MATCH_MAX_INDEX_KEYS];
    size_t nkeys = match_index_keys(&m, keys);
    assert_true(nkeys > 0);
    for (size_t k = 0; k < nkeys; k++)
        kp[k] = keys[k];
    assert_int_equal(store_begin(fx->store), HUB_OK);
    assert_int_equal(store_match_put(fx->store, a, &m, kp, nkeys), HUB_OK);
    assert_int_equal(store_match_put(fx->store, b, &m, kp, nkeys), HUB_OK);
    assert_int_equal(store_commit(fx->store), HUB_OK);
    assert_int_equal(s_under(fx, keys[0]), 2);

    assert_int_equal(store_begin(fx->store), HUB_OK);
    assert_int_equal(store_match_clear(fx->store), HUB_OK);
    size_t n = 0;
    const char *k0[] = {keys[0]};   /* while it is rebuilt, another thread's search reads every record */
    assert_int_equal(store_index_search(fx->store, k0, 1, s_count, &n), HUB_EINVAL);
    assert_int_equal(store_match_put(fx->store, a, &m, kp, nkeys), HUB_OK);
    assert_int_equal(store_index_search(fx->store, k0, 1, s_count, &n), HUB_EINVAL);
    store_rollback(fx->store);
    assert_int_equal(s_under(fx, keys[0]), 2);   /* as committed */
    match_rec_t got;
    assert_int_equal(store_match_get(fx->store, b, &got), HUB_OK);
    assert_string_equal(got.name, "张伟");

    assert_int_equal(store_begin(fx->store), HUB_OK);
    assert_int_equal(store_match_clear(fx->store), HUB_OK);
    assert_int_equal(store_match_put(fx->store, b, &m, kp, nkeys), HUB_OK);
    assert_int_equal(store_commit(fx->store), HUB_OK);
    assert_int_equal(store_begin(fx->store), HUB_OK);
    store_rollback(fx->store);                   /* nothing to undo */
    assert_int_equal(s_under(fx, keys[0]), 1);
    assert_int_equal(store_match_get(fx->store, a, &got), HUB_ENOTFOUND);
}

int
main(void)
{
    log_open(NULL, LOG_ERROR, LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_and_catalogue, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_facilities_by_community, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_backfill_after_upgrade, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_record_without_facts_payload, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_match_clear_rolled_back, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_roster_pages, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
