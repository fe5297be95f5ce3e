/*
** test_match.c: unit tests for hub/match.c with cmocka: every comparison
** level of every field through match_compare, the blocking keys, scores
** with the default weights, match_weight_set and norm_address.
**
** Records are built by hand (match_rec_t) or through match_rec_from_facts
** from a facts_t, as the resolver builds them. Identity numbers are
** synthetic: region 350802, made-up birth dates and sequence numbers, with
** the check character computed here (ISO 7064 MOD 11-2), not by the code
** under test. Source is UTF-8; Chinese is written literally.
*/
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "facts.h"
#include "match.h"
#include "normalize.h"

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

/* An 18-character number from 17 digits, check character computed here. */
static void
s_idno(const char *first17, char out[19])
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int t = 0;
    for (int i = 0; i < 17; i++)
        t += (first17[i] - '0') * w[i];
    memcpy(out, first17, 17);
    out[17] = "10X98765432"[t % 11];
    out[18] = 0;
}

/* The same number with a wrong check character (a typo). */
static void
s_typo(const char *valid, char out[19])
{
    memcpy(out, valid, 19);
    out[17] = valid[17] == '0' ? '1' : '0';
}

static void
s_set(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src);
}

/* A hand-built record: name normalised as match_rec_from_facts does it. */
static match_rec_t
s_rec(const char *name, const char *birth, char gender)
{
    match_rec_t m;
    memset(&m, 0, sizeof m);
    if (name) {
        norm_name(name, m.name, sizeof m.name);
        norm_pinyin(m.name, m.pinyin, sizeof m.pinyin);
    }
    if (birth)
        s_set(m.birth, sizeof m.birth, birth);
    m.gender = gender;
    return m;
}

/* Compare a with b (and b with a: every level is symmetric) for one field. */
static void
s_expect_level(const match_rec_t *a, const match_rec_t *b, int field, match_level_t want)
{
    match_cmp_t c, d;
    match_compare(a, b, &c);
    match_compare(b, a, &d);
    if (c.level[field] != want || d.level[field] != want)
        print_error("field %s: got \"%s\" (reversed \"%s\"), want \"%s\"\n", match_field_name(field),
                    match_level_name(c.level[field]), match_level_name(d.level[field]), match_level_name(want));
    assert_int_equal(c.level[field], want);
    assert_int_equal(d.level[field], want);
}

static double
s_score(const match_rec_t *a, const match_rec_t *b)
{
    match_weights_t w;
    match_weights_default(&w);
    match_cmp_t c;
    match_compare(a, b, &c);
    return match_score(&c, &w);
}

static size_t
s_keys(const match_rec_t *m, match_key_t keys[MATCH_MAX_KEYS])
{
    memset(keys, 0, MATCH_MAX_KEYS * sizeof(match_key_t));
    size_t n = match_blocking_keys(m, keys);
    assert_true(n <= MATCH_MAX_KEYS);
    return n;
}

static bool
s_has_key(match_key_t *keys, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i], key) == 0)
            return true;
    return false;
}

static void
s_expect_key(const match_rec_t *m, const char *key, bool want)
{
    match_key_t keys[MATCH_MAX_KEYS];
    size_t n = s_keys(m, keys);
    bool got = s_has_key(keys, n, key);
    if (got != want) {
        print_error("key \"%s\": %s, want %s; the record's %zu keys:\n", key, got ? "present" : "absent",
                    want ? "present" : "absent", n);
        for (size_t i = 0; i < n; i++)
            print_error("    %s\n", keys[i]);
    }
    assert_int_equal(got, want);
}

/* The keys with a prefix ("i:", "n:") shared by a and b. */
static size_t
s_shared(const match_rec_t *a, const match_rec_t *b, const char *prefix)
{
    match_key_t ka[MATCH_MAX_KEYS], kb[MATCH_MAX_KEYS];
    size_t na = s_keys(a, ka), nb = s_keys(b, kb), shared = 0;
    for (size_t i = 0; i < na; i++)
        if (strncmp(ka[i], prefix, strlen(prefix)) == 0 && s_has_key(kb, nb, ka[i]))
            shared++;
    return shared;
}

static size_t
s_count_prefix(const match_rec_t *m, const char *prefix)
{
    match_key_t k[MATCH_MAX_KEYS];
    size_t n = s_keys(m, k), c = 0;
    for (size_t i = 0; i < n; i++)
        c += strncmp(k[i], prefix, strlen(prefix)) == 0;
    return c;
}

static void
s_expect_address(const char *raw, const char *want)
{
    char out[256];
    memset(out, '#', sizeof out);
    size_t n = norm_address(raw, out, sizeof out);
    if (strcmp(out, want) != 0)
        print_error("norm_address(\"%s\"): got \"%s\", want \"%s\"\n", raw, out, want);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

/* ---------------------------------------------------------------------- */
/* Names of fields and levels                                              */

static void
test_names_of_fields_and_levels(void **state)
{
    (void)state;
    assert_string_equal(match_field_name(MF_IDNO), "idno");
    assert_string_equal(match_field_name(MF_HOUSEHOLD), "household");
    assert_string_equal(match_field_name(MF_COUNT), "?");
    assert_string_equal(match_level_name(ML_PINYIN), "same pinyin");
    assert_string_equal(match_level_name(ML_EDIT1), "one edit");
    assert_string_equal(match_level_name(ML_AGE), "compatible with an age");
    assert_string_equal(match_level_name(ML_CONFLICT), "two different valid numbers");
    assert_string_equal(match_level_name(ML_COUNT), "?");
}

/* ---------------------------------------------------------------------- */
/* Comparison levels, field by field                                       */

static void
test_idno_levels(void **state)
{
    (void)state;
    char v1[19], v2[19], typo[19], swapped[19], sub[19], other[19];
    s_idno("35080219800101123", v1);
    s_idno("35080219800101457", v2);   /* same birth date, another person */
    s_typo(v1, typo);
    memcpy(swapped, v1, 19);           /* two adjacent digits of the sequence swapped */
    swapped[14] = v1[15];
    swapped[15] = v1[14];
    assert_true(swapped[14] != swapped[15]);
    memcpy(sub, v1, 19);               /* one digit of the birth date mistyped */
    sub[9] = sub[9] == '0' ? '5' : '0';
    memcpy(other, "35080219500505999", 17);   /* nothing in common but the length */
    other[17] = '9';
    other[18] = 0;

    match_rec_t a = s_rec("张伟", NULL, 0), b = s_rec("张伟", NULL, 0);
    s_set(a.idno, sizeof a.idno, v1);
    s_set(b.idno, sizeof b.idno, v1);
    s_expect_level(&a, &b, MF_IDNO, ML_EXACT);

    s_set(b.idno, sizeof b.idno, v2);
    s_expect_level(&a, &b, MF_IDNO, ML_CONFLICT);

    b.idno[0] = 0;
    s_expect_level(&a, &b, MF_IDNO, ML_MISSING);   /* b has no number at all */
    a.idno[0] = 0;
    s_expect_level(&a, &b, MF_IDNO, ML_MISSING);   /* neither has */
    s_set(a.idno, sizeof a.idno, v1);

    s_set(b.idno_typed, sizeof b.idno_typed, typo);   /* the check character wrong */
    s_expect_level(&a, &b, MF_IDNO, ML_EDIT1);
    s_set(b.idno_typed, sizeof b.idno_typed, sub);    /* one other digit wrong */
    s_expect_level(&a, &b, MF_IDNO, ML_EDIT1);
    s_set(b.idno_typed, sizeof b.idno_typed, swapped);
    s_expect_level(&a, &b, MF_IDNO, ML_TRANSPOSE);
    s_set(b.idno_typed, sizeof b.idno_typed, other);
    s_expect_level(&a, &b, MF_IDNO, ML_DIFFERENT);
    s_set(b.idno_typed, sizeof b.idno_typed, "DC350802");   /* not the shape of a number: no evidence */
    s_expect_level(&a, &b, MF_IDNO, ML_MISSING);
}

static void
test_name_levels(void **state)
{
    (void)state;
    match_rec_t a = s_rec("张伟", NULL, 0), b = s_rec("张伟", NULL, 0);
    s_expect_level(&a, &b, MF_NAME, ML_EXACT);
    b = s_rec("張 偉", NULL, 0);   /* traditional, with a space: the same name once normalised */
    s_expect_level(&a, &b, MF_NAME, ML_EXACT);

    a = s_rec("李丽", NULL, 0), b = s_rec("李莉", NULL, 0);   /* li / li */
    s_expect_level(&a, &b, MF_NAME, ML_PINYIN);

    a = s_rec("林晓明", NULL, 0), b = s_rec("林晓亮", NULL, 0);   /* ming / liang */
    s_expect_level(&a, &b, MF_NAME, ML_EDIT1);
    a = s_rec("张伟", NULL, 0), b = s_rec("张伟明", NULL, 0);     /* one character more */
    s_expect_level(&a, &b, MF_NAME, ML_EDIT1);

    a = s_rec("王小明", NULL, 0), b = s_rec("王明小", NULL, 0);
    s_expect_level(&a, &b, MF_NAME, ML_TRANSPOSE);

    a = s_rec("张伟", NULL, 0), b = s_rec("李娜", NULL, 0);
    s_expect_level(&a, &b, MF_NAME, ML_DIFFERENT);
    a = s_rec("欧阳明华", NULL, 0), b = s_rec("欧明", NULL, 0);   /* two characters fewer, one surname */
    s_expect_level(&a, &b, MF_NAME, ML_SURNAME);
    a = s_rec("林浩然", NULL, 0), b = s_rec("林小明", NULL, 0);   /* a child renamed */
    s_expect_level(&a, &b, MF_NAME, ML_SURNAME);
    a = s_rec("林浩然", NULL, 0), b = s_rec("林宝宝", NULL, 0);   /* before naming */
    s_expect_level(&a, &b, MF_NAME, ML_PLACEHOLDER);
    b = s_rec("陈静之女", NULL, 0);                                /* the mother's name */
    s_expect_level(&a, &b, MF_NAME, ML_PLACEHOLDER);
    a = s_rec("刘宝宝", NULL, 0), b = s_rec("刘宝宝", NULL, 0);     /* twins before naming */
    s_expect_level(&a, &b, MF_NAME, ML_PLACEHOLDER);
    assert_true(match_placeholder_name("陈小宝") && match_placeholder_name("王女婴"));
    assert_false(match_placeholder_name("宝玉") || match_placeholder_name("林浩然"));
    /* a former name (police 曾用名) counts as a name */
    a = s_rec("张伟", NULL, 0), b = s_rec("张建国", NULL, 0);
    s_set(b.former, sizeof b.former, "张伟");
    s_expect_level(&a, &b, MF_NAME, ML_EXACT);
    a = s_rec("张伟", NULL, 0), b = s_rec("李娜", NULL, 0);

    b = s_rec(NULL, NULL, 0);
    s_expect_level(&a, &b, MF_NAME, ML_MISSING);
}

static void
test_birth_levels(void **state)
{
    (void)state;
    match_rec_t a = s_rec("张伟", "1980-01-12", 0), b = s_rec("张伟", "1980-01-12", 0);
    s_expect_level(&a, &b, MF_BIRTH, ML_EXACT);
    s_set(b.birth, sizeof b.birth, "1980-01-13");
    s_expect_level(&a, &b, MF_BIRTH, ML_EDIT1);
    s_set(b.birth, sizeof b.birth, "1980-01-21");   /* day's digits swapped */
    s_expect_level(&a, &b, MF_BIRTH, ML_TRANSPOSE);
    s_set(b.birth, sizeof b.birth, "1975-06-30");
    s_expect_level(&a, &b, MF_BIRTH, ML_DIFFERENT);
    s_set(b.birth, sizeof b.birth, "1980-12-01");   /* month and day swapped */
    s_set(a.birth, sizeof a.birth, "1980-01-12");
    s_expect_level(&a, &b, MF_BIRTH, ML_TRANSPOSE);
    s_set(b.birth, sizeof b.birth, "1980-01-01");   /* the day (or month and day) not known */
    s_expect_level(&a, &b, MF_BIRTH, ML_EDIT1);
    s_set(a.birth, sizeof a.birth, "1980-07-23");
    s_expect_level(&a, &b, MF_BIRTH, ML_EDIT1);
    s_set(b.birth, sizeof b.birth, "1981-07-01");   /* another year: not a clerk's slip */
    s_expect_level(&a, &b, MF_BIRTH, ML_DIFFERENT);
    s_set(a.birth, sizeof a.birth, "1980-01-12");

    /* an age: born in 1979 or 1980 */
    b = s_rec("张伟", NULL, 0);
    b.birth_lo = 1979, b.birth_hi = 1980;
    s_expect_level(&a, &b, MF_BIRTH, ML_AGE);
    s_set(a.birth, sizeof a.birth, "1979-12-31");
    s_expect_level(&a, &b, MF_BIRTH, ML_AGE);
    s_set(a.birth, sizeof a.birth, "1978-12-31");   /* an age off by one or two: near */
    s_expect_level(&a, &b, MF_BIRTH, ML_NEAR);
    s_set(a.birth, sizeof a.birth, "1982-01-01");
    s_expect_level(&a, &b, MF_BIRTH, ML_NEAR);
    s_set(a.birth, sizeof a.birth, "1983-01-01");
    s_expect_level(&a, &b, MF_BIRTH, ML_DIFFERENT);
    s_set(a.birth, sizeof a.birth, "1976-12-31");
    s_expect_level(&a, &b, MF_BIRTH, ML_DIFFERENT);
    /* two ages */
    a = s_rec("张伟", NULL, 0);
    a.birth_lo = 1980, a.birth_hi = 1981;
    s_expect_level(&a, &b, MF_BIRTH, ML_AGE);
    a.birth_lo = 1981, a.birth_hi = 1982;
    s_expect_level(&a, &b, MF_BIRTH, ML_NEAR);
    a.birth_lo = 1984, a.birth_hi = 1985;
    s_expect_level(&a, &b, MF_BIRTH, ML_DIFFERENT);

    a = s_rec("张伟", NULL, 0);
    s_expect_level(&a, &b, MF_BIRTH, ML_MISSING);
    b = s_rec("张伟", "1980-01-12", 0);
    s_expect_level(&a, &b, MF_BIRTH, ML_MISSING);
}

static void
test_gender_levels(void **state)
{
    (void)state;
    match_rec_t a = s_rec("张伟", NULL, 'M'), b = s_rec("张伟", NULL, 'M');
    s_expect_level(&a, &b, MF_GENDER, ML_EXACT);
    b.gender = 'F';
    s_expect_level(&a, &b, MF_GENDER, ML_DIFFERENT);
    b.gender = 0;
    s_expect_level(&a, &b, MF_GENDER, ML_MISSING);
}

/* phone, community, address: exact, different, missing */
static void
test_plain_levels(void **state)
{
    (void)state;
    static const struct {
        int field;
        size_t off, cap;
        const char *x, *y;
    } cases[] = {
        {MF_PHONE, offsetof(match_rec_t, phone), sizeof((match_rec_t *)0)->phone, "13905971234", "13905971235"},
        {MF_COMMUNITY, offsetof(match_rec_t, community), sizeof((match_rec_t *)0)->community, "350802001002",
         "350802001003"},
        {MF_ADDRESS, offsetof(match_rec_t, address), sizeof((match_rec_t *)0)->address, "龙津路1号", "龙津路2号"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        match_rec_t a = s_rec("张伟", NULL, 0), b = s_rec("张伟", NULL, 0);
        char *pa = (char *)&a + cases[i].off, *pb = (char *)&b + cases[i].off;
        s_expect_level(&a, &b, cases[i].field, ML_MISSING);
        s_set(pa, cases[i].cap, cases[i].x);
        s_expect_level(&a, &b, cases[i].field, ML_MISSING);
        s_set(pb, cases[i].cap, cases[i].x);
        s_expect_level(&a, &b, cases[i].field, ML_EXACT);
        s_set(pb, cases[i].cap, cases[i].y);
        s_expect_level(&a, &b, cases[i].field, ML_DIFFERENT);
    }
}

static void
test_household_levels(void **state)
{
    (void)state;
    match_rec_t a = s_rec("张伟", NULL, 0), b = s_rec("张伟", NULL, 0);
    s_set(a.household, sizeof a.household, "P:900000001");
    s_expect_level(&a, &b, MF_HOUSEHOLD, ML_MISSING);
    s_set(b.household, sizeof b.household, "P:900000001");
    s_expect_level(&a, &b, MF_HOUSEHOLD, ML_EXACT);
    s_set(b.household, sizeof b.household, "P:900000002");
    s_expect_level(&a, &b, MF_HOUSEHOLD, ML_DIFFERENT);
    /* a police 户号 and a family-planning family are different numberings */
    s_set(b.household, sizeof b.household, "F:JS2019000123");
    s_expect_level(&a, &b, MF_HOUSEHOLD, ML_MISSING);
    s_set(a.household, sizeof a.household, "F:JS2019000123");
    s_expect_level(&a, &b, MF_HOUSEHOLD, ML_EXACT);
}

/* ---------------------------------------------------------------------- */
/* Records from facts                                                      */

static void
test_rec_from_facts(void **state)
{
    (void)state;
    char v[19];
    s_idno("35080219800101123", v);   /* sequence 123: odd, a man */
    facts_t f;
    facts_init(&f, FACTS_POLICE);
    f.person.name = "張 偉";
    f.person.community_code = "350802001002";
    f.person.address = "福建省龙岩市新罗区东城街道龙津路1號";
    f.person.phone = "13905971234";
    f.police.household_no = "900000001";
    match_rec_t m;
    match_rec_from_facts(&m, &f, FACTS_POLICE, v, NULL, NULL, 2026, 11);
    assert_string_equal(m.idno, v);
    assert_string_equal(m.idno_typed, "");
    assert_string_equal(m.name, "张伟");
    assert_string_equal(m.pinyin, "zhang wei");
    assert_string_equal(m.birth, "1980-01-01");   /* from the number */
    assert_int_equal(m.gender, 'M');               /* from the number */
    assert_string_equal(m.community, "350802001002");
    assert_string_equal(m.address, "龙津路1号");
    assert_string_equal(m.household, "P:900000001");
    assert_int_equal(m.birth_lo, 0);
    facts_fini(&f);

    /* the record's own birth date and gender win over its number's */
    facts_init(&f, FACTS_LABOUR);
    f.person.name = "张伟";
    f.person.birth_date = "1980-02-02";
    f.person.gender = "F";
    char typo[19];
    s_typo(v, typo);
    match_rec_from_facts(&m, &f, FACTS_LABOUR, NULL, typo, NULL, 2026, 11);
    assert_string_equal(m.idno, "");
    assert_string_equal(m.idno_typed, typo);
    assert_string_equal(m.birth, "1980-02-02");
    assert_int_equal(m.gender, 'F');
    assert_string_equal(m.household, "");
    facts_fini(&f);

    /* family planning: the family is the woman's record number */
    facts_init(&f, FACTS_FAMILY_PLANNING);
    f.person.name = "林小";
    f.fp.record_no = "JS2019000125";
    f.fp.linked_record_no = "JS2019000123";
    match_rec_from_facts(&m, &f, FACTS_FAMILY_PLANNING, NULL, NULL, NULL, 2026, 11);
    assert_string_equal(m.household, "F:JS2019000123");
    f.fp.linked_record_no = NULL;   /* the woman herself */
    match_rec_from_facts(&m, &f, FACTS_FAMILY_PLANNING, NULL, NULL, NULL, 2026, 11);
    assert_string_equal(m.household, "F:JS2019000125");
    facts_fini(&f);

    /* civil affairs: an age in the export month gives two possible years */
    facts_init(&f, FACTS_CIVIL_AFFAIRS);
    f.person.name = "陈强";
    f.person.age.set = true;
    f.person.age.v = 76;
    match_rec_from_facts(&m, &f, FACTS_CIVIL_AFFAIRS, NULL, NULL, NULL, 2026, 10);
    assert_string_equal(m.birth, "");
    assert_int_equal(m.birth_lo, 1949);
    assert_int_equal(m.birth_hi, 1950);
    facts_fini(&f);
}

/* ---------------------------------------------------------------------- */
/* Blocking keys                                                           */

static void
test_keys_typed_number(void **state)
{
    (void)state;
    char v[19], typo[19], key[64];
    s_idno("35080219800101123", v);
    s_typo(v, typo);
    match_rec_t a = s_rec("张伟", "1980-01-01", 'M'), b = s_rec("张伟", "1980-01-01", 'M');
    s_set(a.idno, sizeof a.idno, v);
    s_set(b.idno_typed, sizeof b.idno_typed, typo);
    snprintf(key, sizeof key, "i:%.17s", v);
    s_expect_key(&a, key, true);
    s_expect_key(&b, key, true);
    assert_int_equal(s_shared(&a, &b, "i:"), 1);
    snprintf(key, sizeof key, "v:%s", v);
    s_expect_key(&a, key, true);
    snprintf(key, sizeof key, "v:%s", typo);   /* an invalid number is no valid-number key */
    s_expect_key(&b, key, false);
    assert_int_equal(s_count_prefix(&b, "v:"), 0);
    /* a typo in the birth part of the number: the pinyin key of that date too */
    match_rec_t c = s_rec("张伟", "1980-01-01", 'M');
    char bad[19];
    memcpy(bad, v, 19);
    bad[13] = '2';   /* 19800102 */
    s_set(c.idno_typed, sizeof c.idno_typed, bad);
    s_expect_key(&c, "p:zhang wei|1980-01-02", true);
    s_expect_key(&c, "p:zhang wei|1980-01-01", true);
}

static void
test_keys_traditional_name(void **state)
{
    (void)state;
    facts_t f, g;
    facts_init(&f, FACTS_POLICE);
    facts_init(&g, FACTS_LABOUR);
    f.person.name = "張偉";
    f.person.birth_date = "1985-05-05";
    g.person.name = "张 伟";
    g.person.birth_date = "1985-05-05";
    match_rec_t a, b;
    match_rec_from_facts(&a, &f, FACTS_POLICE, NULL, NULL, NULL, 2026, 11);
    match_rec_from_facts(&b, &g, FACTS_LABOUR, NULL, NULL, NULL, 2026, 11);
    s_expect_key(&a, "n:张伟|1985-05-05", true);
    s_expect_key(&b, "n:张伟|1985-05-05", true);
    assert_int_equal(s_shared(&a, &b, "n:"), 1);
    s_expect_key(&a, "p:zhang wei|1985-05-05", true);
    assert_int_equal(s_shared(&a, &b, "p:"), 1);
    facts_fini(&f);
    facts_fini(&g);

    /* homophones share the pinyin key, not the name key */
    match_rec_t c = s_rec("李丽", "1990-03-03", 'F'), d = s_rec("李莉", "1990-03-03", 'F');
    assert_int_equal(s_shared(&c, &d, "n:"), 0);
    assert_int_equal(s_shared(&c, &d, "p:"), 1);
    /* no birth date: no name+birth keys */
    c.birth[0] = 0;
    assert_int_equal(s_count_prefix(&c, "n:"), 0);
    assert_int_equal(s_count_prefix(&c, "p:"), 0);
}

/* A number on a record that is evidently someone else's: a mother's on her
** child's row, a head's on a member's roster row; a typo in the record's own
** birth date or a record of the police is not that. */
static void
test_idno_foreign(void **state)
{
    (void)state;
    const char *mother = "350802199009090064";   /* born 1990-09-09, F (check not needed here) */
    facts_t f;
    facts_init(&f, FACTS_FAMILY_PLANNING);
    f.person.birth_date = "2019-05-05";
    f.person.gender = "F";
    assert_true(match_idno_foreign(&f, mother, 0));
    f.person.birth_date = "1990-09-09";          /* her own */
    assert_false(match_idno_foreign(&f, mother, 0));
    f.person.birth_date = "1990-09-06";          /* one digit typed wrong */
    assert_false(match_idno_foreign(&f, mother, 0));
    f.person.birth_date = "1990-09-90";          /* two swapped */
    assert_false(match_idno_foreign(&f, mother, 0));
    f.person.birth_date = "1990-09-01";          /* the day not known */
    assert_false(match_idno_foreign(&f, mother, 0));
    f.person.birth_date = "1990-09-09";
    assert_true(match_idno_foreign(&f, "350802199003110064", 0));    /* 1990-03-11: another date */
    f.person.birth_date = NULL;
    f.person.gender = "M";                       /* a gender alone may be a typo */
    assert_false(match_idno_foreign(&f, mother, 0));
    facts_fini(&f);

    const char *head = "350802196003120011";     /* born 1960, M */
    facts_init(&f, FACTS_CIVIL_AFFAIRS);
    f.person.age.set = true;
    f.person.gender = "M";
    f.person.age.v = 66;                          /* at 2026-10: born 1959 or 1960 */
    assert_false(match_idno_foreign(&f, head, 2026));
    f.person.age.v = 68;                          /* two years off: a clerk's count */
    assert_false(match_idno_foreign(&f, head, 2026));
    f.person.age.v = 38;                          /* his son */
    assert_true(match_idno_foreign(&f, head, 2026));
    f.person.age.v = 64;
    f.person.gender = "F";                        /* his wife, nearly his age */
    assert_true(match_idno_foreign(&f, head, 2026));
    facts_fini(&f);

    facts_init(&f, FACTS_POLICE);                 /* the register's key is its own */
    f.person.birth_date = "2019-05-05";
    assert_false(match_idno_foreign(&f, head, 0));
    facts_fini(&f);

    /* a placeholder name that says the gender outweighs the 1/2 typed beside it */
    facts_init(&f, FACTS_FAMILY_PLANNING);
    f.person.name = "陈静之女";
    f.person.gender = "M";
    match_rec_t m;
    match_rec_from_facts(&m, &f, FACTS_FAMILY_PLANNING, NULL, NULL, NULL, 2026, 11);
    assert_int_equal(m.gender, 'F');
    f.person.name = "林宝宝";                     /* says nothing of it */
    match_rec_from_facts(&m, &f, FACTS_FAMILY_PLANNING, NULL, NULL, NULL, 2026, 11);
    assert_int_equal(m.gender, 'M');
    facts_fini(&f);
}

static void
test_keys_age_range(void **state)
{
    (void)state;
    facts_t f;
    facts_init(&f, FACTS_CIVIL_AFFAIRS);
    f.person.name = "陈强";
    f.person.community_code = "350802001002";
    f.person.age.set = true;
    f.person.age.v = 76;
    match_rec_t a;
    match_rec_from_facts(&a, &f, FACTS_CIVIL_AFFAIRS, NULL, NULL, NULL, 2026, 10);
    /* born 1949 or 1950 by the age; an age may be off by two years */
    s_expect_key(&a, "c:陈强|350802001002|1949", true);
    s_expect_key(&a, "c:陈强|350802001002|1950", true);
    s_expect_key(&a, "c:陈强|350802001002|1947", true);
    s_expect_key(&a, "c:陈强|350802001002|1952", true);
    s_expect_key(&a, "c:陈强|350802001002|1946", false);
    s_expect_key(&a, "c:陈强|350802001002|1953", false);
    assert_int_equal(s_count_prefix(&a, "c:"), 6);
    facts_fini(&f);

    /* the police record of a man born in 1950 in that community meets it */
    match_rec_t b = s_rec("陈强", "1950-06-15", 'M');
    s_set(b.community, sizeof b.community, "350802001002");
    assert_int_equal(s_count_prefix(&b, "c:"), 1);
    assert_int_equal(s_shared(&a, &b, "c:"), 1);
    /* but not one of another community */
    s_set(b.community, sizeof b.community, "350802001003");
    assert_int_equal(s_shared(&a, &b, "c:"), 0);
}

static void
test_keys_phone_household(void **state)
{
    (void)state;
    match_rec_t a = s_rec("张伟", NULL, 0);
    s_set(a.phone, sizeof a.phone, "13905971234");
    s_set(a.household, sizeof a.household, "P:900000001");
    s_expect_key(&a, "t:13905971234", true);
    s_expect_key(&a, "h:P:900000001|张伟", true);
    s_set(a.phone, sizeof a.phone, "123456");   /* too short to block on */
    assert_int_equal(s_count_prefix(&a, "t:"), 0);
    match_rec_t e = s_rec(NULL, NULL, 0);
    match_key_t k[MATCH_MAX_KEYS];
    assert_int_equal(s_keys(&e, k), 0);   /* nothing to block on */
}

/* ---------------------------------------------------------------------- */
/* Scores with the default weights                                         */

static void
test_score_same_number_and_name(void **state)
{
    (void)state;
    match_weights_t w;
    match_weights_default(&w);
    assert_true(w.lower < w.upper);
    char v[19];
    s_idno("35080219800101123", v);
    match_rec_t a = s_rec("张伟", NULL, 0), b = s_rec("张伟", NULL, 0);
    s_set(a.idno, sizeof a.idno, v);
    s_set(b.idno, sizeof b.idno, v);
    assert_true(s_score(&a, &b) >= w.upper);
    /* with the name written in traditional script, still */
    b = s_rec("張偉", NULL, 0);
    s_set(b.idno, sizeof b.idno, v);
    assert_true(s_score(&a, &b) >= w.upper);
    /* a typo in the check character, same name, birth date and household */
    match_rec_t c = s_rec("张伟", "1980-01-01", 'M'), d = s_rec("张伟", "1980-01-01", 'M');
    char typo[19];
    s_typo(v, typo);
    s_set(c.idno, sizeof c.idno, v);
    s_set(d.idno_typed, sizeof d.idno_typed, typo);
    s_set(c.household, sizeof c.household, "P:900000001");
    s_set(d.household, sizeof d.household, "P:900000001");
    assert_true(s_score(&c, &d) >= w.upper);
}

static void
test_score_two_numbers(void **state)
{
    (void)state;
    match_weights_t w;
    match_weights_default(&w);
    char v1[19], v2[19];
    s_idno("35080219800101123", v1);
    s_idno("35080219800101145", v2);
    /* everything else the same: still below the lower threshold */
    match_rec_t a = s_rec("张伟", "1980-01-01", 'M'), b = s_rec("张伟", "1980-01-01", 'M');
    s_set(a.idno, sizeof a.idno, v1);
    s_set(b.idno, sizeof b.idno, v2);
    for (match_rec_t *r = &a; r; r = r == &a ? &b : NULL) {
        s_set(r->phone, sizeof r->phone, "13905971234");
        s_set(r->community, sizeof r->community, "350802001002");
        s_set(r->household, sizeof r->household, "P:900000001");
        s_set(r->address, sizeof r->address, "龙津路1号");
    }
    assert_true(s_score(&a, &b) < w.lower);
    match_cmp_t c;
    match_compare(&a, &b, &c);
    assert_int_equal(c.level[MF_IDNO], ML_CONFLICT);
}

static void
test_score_name_birth_community(void **state)
{
    (void)state;
    match_weights_t w;
    match_weights_default(&w);
    /* same name, same birth date, different community, nothing else: not a link */
    match_rec_t a = s_rec("王伟", "1985-05-05", 0), b = s_rec("王伟", "1985-05-05", 0);
    s_set(a.community, sizeof a.community, "350802001002");
    s_set(b.community, sizeof b.community, "350802002001");
    assert_true(s_score(&a, &b) < w.upper);
    /* a civil-affairs row (age) and the police record, same name, community,
    ** address and gender: a link */
    match_rec_t p = s_rec("陈强", "1950-06-15", 'M'), r = s_rec("陈强", NULL, 'M');
    r.birth_lo = 1949, r.birth_hi = 1950;
    s_set(p.community, sizeof p.community, "350802001002");
    s_set(r.community, sizeof r.community, "350802001002");
    s_set(p.address, sizeof p.address, "龙津路7号");
    s_set(r.address, sizeof r.address, "龙津路7号");
    assert_true(s_score(&p, &r) >= w.upper);
}

/* Twins without numbers (family-planning children): same birth date,
** gender, household, community and address, given names one character
** apart. Different people: the pair must not reach the upper threshold. */
static void
test_score_twins_without_numbers(void **state)
{
    (void)state;
    match_weights_t w;
    match_weights_default(&w);
    match_rec_t t1 = s_rec("林晓明", "2015-06-01", 'M'), t2 = s_rec("林晓亮", "2015-06-01", 'M');
    for (match_rec_t *r = &t1; r; r = r == &t1 ? &t2 : NULL) {
        s_set(r->community, sizeof r->community, "350802001002");
        s_set(r->household, sizeof r->household, "F:JS2019000300");
        s_set(r->address, sizeof r->address, "龙津路9号");
    }
    double s = s_score(&t1, &t2);
    if (s >= w.upper)
        print_error("twins 林晓明/林晓亮 score %.2f, upper threshold %.2f\n", s, w.upper);
    assert_true(s < w.upper);
}

static void
test_score_sum_and_evidence(void **state)
{
    (void)state;
    match_weights_t w;
    memset(&w, 0, sizeof w);
    match_cmp_t c;
    for (int f = 0; f < MF_COUNT; f++)
        c.level[f] = ML_MISSING;
    c.level[MF_NAME] = ML_PINYIN;
    c.level[MF_BIRTH] = ML_AGE;
    w.w[MF_NAME][ML_PINYIN] = 2.5;
    w.w[MF_BIRTH][ML_AGE] = 1.25;
    w.w[MF_NAME][ML_EXACT] = 100;   /* levels not present do not count */
    assert_true(match_score(&c, &w) == 3.75);
    char ev[240];
    match_evidence(&c, ev, sizeof ev);
    assert_string_equal(ev, "name=same pinyin birth=compatible with an age");
}

/* ---------------------------------------------------------------------- */
/* Weights by name                                                         */

static void
test_weight_set(void **state)
{
    (void)state;
    match_weights_t w, d;
    match_weights_default(&w);
    match_weights_default(&d);
    assert_true(match_weight_set(&w, "weight.name.same_pinyin", 5.5));
    assert_true(w.w[MF_NAME][ML_PINYIN] == 5.5);
    assert_true(match_weight_set(&w, "match_upper", 20));
    assert_true(w.upper == 20);
    assert_true(match_weight_set(&w, "match_lower", 9));
    assert_true(w.lower == 9);
    assert_true(match_weight_set(&w, "weight.idno.two_different_valid_numbers", -40));
    assert_true(w.w[MF_IDNO][ML_CONFLICT] == -40);
    assert_true(match_weight_set(&w, "weight.birth.compatible_with_an_age", 2));
    assert_true(w.w[MF_BIRTH][ML_AGE] == 2);
    assert_true(match_weight_set(&w, "weight.household.exact", 3.5));
    assert_true(w.w[MF_HOUSEHOLD][ML_EXACT] == 3.5);
    /* nothing else changed */
    w.w[MF_NAME][ML_PINYIN] = d.w[MF_NAME][ML_PINYIN];
    w.w[MF_IDNO][ML_CONFLICT] = d.w[MF_IDNO][ML_CONFLICT];
    w.w[MF_BIRTH][ML_AGE] = d.w[MF_BIRTH][ML_AGE];
    w.w[MF_HOUSEHOLD][ML_EXACT] = d.w[MF_HOUSEHOLD][ML_EXACT];
    w.upper = d.upper, w.lower = d.lower;
    assert_memory_equal(&w, &d, sizeof w);
    /* unknown names change nothing */
    assert_false(match_weight_set(&w, "weight.name.same pinyin", 1));
    assert_false(match_weight_set(&w, "weight.nose.exact", 1));
    assert_false(match_weight_set(&w, "weight.name.similar", 1));
    assert_false(match_weight_set(&w, "match_middle", 1));
    assert_false(match_weight_set(&w, "", 1));
    assert_memory_equal(&w, &d, sizeof w);
}

/* ---------------------------------------------------------------------- */
/* norm_address                                                            */

static void
test_address_prefixes(void **state)
{
    (void)state;
    s_expect_address("福建省龙岩市新罗区东城街道北龙社区龙津路1号", "龙津路1号");
    s_expect_address("龙岩市新罗区东城街道龙津路1号", "龙津路1号");
    s_expect_address("新罗区龙津路1号", "龙津路1号");
    s_expect_address("东城街道龙津路1号", "龙津路1号");
    s_expect_address("北龙社区龙津路1号", "龙津路1号");
    s_expect_address("北龙社区居委会龙津路1号", "龙津路1号");
    s_expect_address("龙津路1号", "龙津路1号");
}

static void
test_address_forms(void **state)
{
    (void)state;
    s_expect_address("龙津路1號", "龙津路1号");
    s_expect_address("龍津路1號", "龙津路1号");
    s_expect_address("龙津路1号2栋301", "龙津路1号2幢301");
    s_expect_address("龙津路1号2座301", "龙津路1号2幢301");
    s_expect_address("龙津路1号2幢301", "龙津路1号2幢301");
    s_expect_address(" 龙津路 1 号　2 栋 ", "龙津路1号2幢");
    s_expect_address("龙津路１号", "龙津路1号");   /* full-width digit */
    char a[64], b[64];
    norm_address("东城街道龙津路1号", a, sizeof a);
    norm_address("东城街道龙津路11号", b, sizeof b);
    assert_string_not_equal(a, b);   /* numbers kept */
    char small[8];
    assert_true(norm_address("龙津路1号", small, sizeof small) < sizeof small);
    assert_int_equal(norm_address("x", small, 0), 0);
}

/* A residential compound (小区) is not a district prefix, nor a 市 inside
** a compound's name (城市花园, 都市花园): two different compounds must not
** become the same address. */
static void
test_address_keeps_compound(void **state)
{
    (void)state;
    char a[128], b[128];
    norm_address("北龙小区3幢", a, sizeof a);
    norm_address("南山小区3幢", b, sizeof b);
    if (strcmp(a, b) == 0)
        print_error("norm_address: 北龙小区3幢 and 南山小区3幢 both give \"%s\"\n", a);
    assert_string_not_equal(a, b);
}

static void
test_address_keeps_city_in_a_name(void **state)
{
    (void)state;
    char a[128], b[128];
    norm_address("城市花园3幢", a, sizeof a);
    norm_address("都市花园3幢", b, sizeof b);
    if (strcmp(a, b) == 0)
        print_error("norm_address: 城市花园3幢 and 都市花园3幢 both give \"%s\"\n", a);
    assert_string_not_equal(a, b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_of_fields_and_levels),
        cmocka_unit_test(test_idno_levels),
        cmocka_unit_test(test_name_levels),
        cmocka_unit_test(test_birth_levels),
        cmocka_unit_test(test_gender_levels),
        cmocka_unit_test(test_plain_levels),
        cmocka_unit_test(test_household_levels),
        cmocka_unit_test(test_rec_from_facts),
        cmocka_unit_test(test_keys_typed_number),
        cmocka_unit_test(test_keys_traditional_name),
        cmocka_unit_test(test_idno_foreign),
        cmocka_unit_test(test_keys_age_range),
        cmocka_unit_test(test_keys_phone_household),
        cmocka_unit_test(test_score_same_number_and_name),
        cmocka_unit_test(test_score_two_numbers),
        cmocka_unit_test(test_score_name_birth_community),
        cmocka_unit_test(test_score_twins_without_numbers),
        cmocka_unit_test(test_score_sum_and_evidence),
        cmocka_unit_test(test_weight_set),
        cmocka_unit_test(test_address_prefixes),
        cmocka_unit_test(test_address_forms),
        cmocka_unit_test(test_address_keeps_compound),
        cmocka_unit_test(test_address_keeps_city_in_a_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
