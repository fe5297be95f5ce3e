/*
** test_mindex.c: unit tests for hub/mindex.c (the writer's matching index
** in memory) and the packed feature form of hub/match.c, with cmocka:
** blocks answer lowest ids first and skip dropped or re-keyed records, a
** rollback undoes puts and drops, a commit keeps them, and a
** record packs and unpacks to itself, and names that sound alike share a
** sound key (what search looks names up by).
*/
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "match.h"
#include "mindex.h"
#include "normalize.h"

static void
s_put(mindex_t *mi, int64_t id, const char *k1, const char *k2)
{
    const char *keys[] = {k1, k2};
    char blob[16];
    snprintf(blob, sizeof blob, "r%lld", (long long)id);
    mindex_put(mi, id, blob, strlen(blob) + 1, keys, k2 ? 2 : 1);
}

/* The ids under key, as "1,2,3". */
static const char *
s_block(mindex_t *mi, const char *key, size_t limit)
{
    static char out[256];
    int64_t ids[32];
    size_t n = mindex_block(mi, key, limit, ids, 32);
    out[0] = 0;
    for (size_t i = 0; i < n; i++)
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%lld", i ? "," : "", (long long)ids[i]);
    return out;
}

static void
test_blocks_lowest_first(void **state)
{
    (void)state;
    mindex_t *mi = mindex_new();
    s_put(mi, 7, "n:张伟|1980-01-01", "t:13900000001");
    s_put(mi, 3, "n:张伟|1980-01-01", NULL);
    s_put(mi, 5, "n:张伟|1980-01-01", "t:13900000001");
    assert_string_equal(s_block(mi, "n:张伟|1980-01-01", 10), "3,5,7");
    assert_string_equal(s_block(mi, "n:张伟|1980-01-01", 2), "3,5");
    assert_string_equal(s_block(mi, "t:13900000001", 10), "5,7");
    assert_string_equal(s_block(mi, "t:13900000002", 10), "");
    const void *data;
    size_t len;
    assert_true(mindex_get(mi, 5, &data, &len));
    assert_string_equal((const char *)data, "r5");
    assert_false(mindex_get(mi, 4, &data, &len));
    assert_int_equal(mindex_records(mi), 3);
    mindex_destroy(&mi);
    assert_null(mi);
}

static void
test_drop_and_rekey(void **state)
{
    (void)state;
    mindex_t *mi = mindex_new();
    s_put(mi, 1, "a", "b");
    s_put(mi, 2, "a", NULL);
    mindex_drop(mi, 2);
    assert_string_equal(s_block(mi, "a", 10), "1");
    s_put(mi, 1, "c", NULL);   /* put again under another key: no longer under a or b */
    assert_string_equal(s_block(mi, "a", 10), "");
    assert_string_equal(s_block(mi, "b", 10), "");
    assert_string_equal(s_block(mi, "c", 10), "1");
    mindex_drop(mi, 99);   /* never held: nothing happens */
    assert_int_equal(mindex_records(mi), 1);
    mindex_destroy(&mi);
}

static void
test_rollback_undoes(void **state)
{
    (void)state;
    mindex_t *mi = mindex_new();
    s_put(mi, 1, "a", NULL);
    s_put(mi, 2, "a", NULL);
    mindex_commit(mi);
    s_put(mi, 3, "a", NULL);    /* a new record */
    s_put(mi, 1, "z", NULL);    /* one re-keyed */
    mindex_drop(mi, 2);         /* one dropped */
    assert_string_equal(s_block(mi, "a", 10), "3");
    mindex_rollback(mi);
    assert_string_equal(s_block(mi, "a", 10), "1,2");
    assert_string_equal(s_block(mi, "z", 10), "");
    const void *data;
    size_t len;
    assert_false(mindex_get(mi, 3, &data, &len));
    assert_true(mindex_get(mi, 1, &data, &len));
    assert_string_equal((const char *)data, "r1");
    /* the id SQLite gives again after the rollback, under other keys */
    s_put(mi, 3, "b", NULL);
    assert_string_equal(s_block(mi, "a", 10), "1,2");
    assert_string_equal(s_block(mi, "b", 10), "3");
    mindex_commit(mi);
    mindex_rollback(mi);        /* nothing to undo after a commit */
    assert_string_equal(s_block(mi, "b", 10), "3");
    assert_int_equal(mindex_records(mi), 3);
    mindex_destroy(&mi);
}

static void
test_packed_round_trip(void **state)
{
    (void)state;
    match_rec_t m;
    memset(&m, 0, sizeof m);
    m.source = 4;
    m.gender = 'F';
    m.birth_lo = 1944;
    m.birth_hi = 1945;
    snprintf(m.key, sizeof m.key, "MZ-0123456789abcdef-城市低保");
    snprintf(m.idno_typed, sizeof m.idno_typed, "35080219440101123");
    snprintf(m.name, sizeof m.name, "林秀英");
    snprintf(m.pinyin, sizeof m.pinyin, "lin xiu ying");
    snprintf(m.community, sizeof m.community, "350802001001");
    snprintf(m.address, sizeof m.address, "松涛路12号3幢");
    uint8_t packed[MATCH_PACKED_MAX];
    size_t len = match_rec_pack(&m, packed);
    assert_true(len < sizeof m / 3);
    match_rec_t back;
    memset(&back, 0x5a, sizeof back);   /* unpack writes every field, not the bytes after a string's NUL */
    assert_true(match_rec_unpack(packed, len, &back));
    assert_int_equal(back.source, m.source);
    assert_int_equal(back.gender, m.gender);
    assert_int_equal(back.flags, m.flags);
    assert_int_equal(back.birth_lo, m.birth_lo);
    assert_int_equal(back.birth_hi, m.birth_hi);
    assert_int_equal(back.record.v, 0);
    assert_int_equal(back.resident.v, 0);
#define SAME(f) assert_string_equal(back.f, m.f);
    SAME(key) SAME(idno) SAME(idno_typed) SAME(name) SAME(pinyin) SAME(birth) SAME(phone) SAME(community)
    SAME(household) SAME(address) SAME(former) SAME(address2) SAME(rel_idno) SAME(head)
#undef SAME
    assert_false(match_rec_unpack(packed, len - 1, &back));   /* cut short */
    packed[0] = 'x';
    assert_false(match_rec_unpack(packed, len, &back));       /* another layout */
}

/* Two names that sound alike (norm_pinyin_match) share a sound key, so the
** index finds every name a search by sound finds. */
static void
test_sound_keys_cover_matches(void **state)
{
    (void)state;
    static const char *names[] = {
        "张伟", "张玮", "章伟", "李伟", "张伟明", "王丽", "王莉", "单明", "善明", "曾强", "增强", "曾",
        "阿依古丽·买买提", "阿依古丽·麦麦提", "Zhang Wei", "zhang wei", "林 晓", "林晓", "乐乐", "樂樂",
        "重庆", "虫庆", "行长", "杭长", "", "㐀㐁",
    };
    size_t n = sizeof names / sizeof names[0], matches = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            char a[MATCH_SOUND_KEYS][NORM_SOUND_KEY], b[MATCH_SOUND_KEYS][NORM_SOUND_KEY];
            char na[96], nb[96];
            bool many_a, many_b;
            norm_name(names[i], na, sizeof na);
            norm_name(names[j], nb, sizeof nb);
            size_t ka = norm_sound_keys(na, a, MATCH_SOUND_KEYS, &many_a);
            size_t kb = norm_sound_keys(nb, b, MATCH_SOUND_KEYS, &many_b);
            if (!norm_pinyin_match(na, nb))
                continue;
            matches++;
            bool shared = many_a || many_b;
            for (size_t x = 0; x < ka && !shared; x++)
                for (size_t y = 0; y < kb && !shared; y++)
                    shared = strcmp(a[x], b[y]) == 0;
            if (!shared)
                fail_msg("%s and %s sound alike but share no sound key", names[i], names[j]);
        }
    assert_true(matches > n);   /* some pairs other than a name with itself */
    char keys[MATCH_SOUND_KEYS][NORM_SOUND_KEY];
    bool many;
    assert_int_equal(norm_sound_keys("", keys, MATCH_SOUND_KEYS, &many), 0);
    assert_false(many);
    assert_int_equal(norm_sound_keys("张伟", keys, 1, &many) + norm_sound_keys("行长", keys, 1, &many), 1);
    assert_true(many);   /* 行 and 长 have two readings each: four keys, more than one */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks_lowest_first),
        cmocka_unit_test(test_drop_and_rekey),
        cmocka_unit_test(test_rollback_undoes),
        cmocka_unit_test(test_packed_round_trip),
        cmocka_unit_test(test_sound_keys_cover_matches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
