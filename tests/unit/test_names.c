/*
** test_names.c: unit tests for the name normalisers of hub/normalize.c
** (norm_name, norm_pinyin, norm_pinyin_match) and the generated Unihan
** tables behind them (hub/unihan.h), with cmocka.
**
** Source is UTF-8; Chinese, full-width, U+3000 and dot characters are
** written literally, with their code points in comments where they look
** alike. Expected values come from the standard written forms and
** readings, not from the tables under test.
*/
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "normalize.h"
#include "unihan.h"

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

/* Assert norm_name(raw) is expected, with its length returned. */
static void
s_expect_name(const char *raw, const char *expected)
{
    char out[128];
    memset(out, '#', sizeof out);
    size_t n = norm_name(raw, out, sizeof out);
    if (strcmp(out, expected) != 0)
        print_error("norm_name(\"%s\"): got \"%s\", want \"%s\"\n",
                    raw != NULL ? raw : "(null)", out, expected);
    assert_string_equal(out, expected);
    assert_int_equal(n, strlen(expected));
}

/* Assert norm_pinyin(name) is expected, with its length returned. */
static void
s_expect_pinyin(const char *name, const char *expected)
{
    char out[128];
    memset(out, '#', sizeof out);
    size_t n = norm_pinyin(name, out, sizeof out);
    if (strcmp(out, expected) != 0)
        print_error("norm_pinyin(\"%s\"): got \"%s\", want \"%s\"\n",
                    name != NULL ? name : "(null)", out, expected);
    assert_string_equal(out, expected);
    assert_int_equal(n, strlen(expected));
}

/* Assert norm_pinyin_match(a, b) == want, and that the answer is symmetric. */
static void
s_expect_match(const char *a, const char *b, bool want)
{
    bool got = norm_pinyin_match(a, b);
    if (got != want)
        print_error("norm_pinyin_match(\"%s\", \"%s\"): got %d, want %d\n",
                    a != NULL ? a : "(null)", b != NULL ? b : "(null)", got, want);
    assert_int_equal(got, want);
    assert_int_equal(norm_pinyin_match(b, a), want);
}

/* ---------------------------------------------------------------------- */
/* norm_name                                                               */

static void
test_name_traditional(void **state)
{
    (void)state;
    s_expect_name("張偉", "张伟");
    s_expect_name("陳", "陈");
    s_expect_name("劉", "刘");
    s_expect_name("黃", "黄");
    s_expect_name("龍巖", "龙岩");   /* 巖: Unihan's first variant is U+303A0 */
    s_expect_name("華", "华");
    s_expect_name("東", "东");
    s_expect_name("興", "兴");
    s_expect_name("陳小華", "陈小华");
    s_expect_name("鄭國強", "郑国强");
    s_expect_name("張伟", "张伟");   /* mixed scripts */
    /* already simplified, and characters that are their own simplified form */
    s_expect_name("张伟", "张伟");
    s_expect_name("乾隆", "乾隆");   /* 乾 lists itself first (干 second) */
    s_expect_name("王", "王");
}

static void
test_name_fullwidth(void **state)
{
    (void)state;
    s_expect_name("ＬＩ　Ｗｅｉ", "LI Wei");
    s_expect_name("Ａｌｉ Ｋｈａｎ", "Ali Khan");
    s_expect_name("王ＡＢ", "王AB");
    s_expect_name("ｄａｖｉｄ", "david");   /* case is kept */
}

static void
test_name_spaces(void **state)
{
    (void)state;
    s_expect_name("张 伟", "张伟");
    s_expect_name("张　伟", "张伟");              /* U+3000 */
    s_expect_name("  张 \t 伟　", "张伟");
    s_expect_name("欧阳 娜娜", "欧阳娜娜");
    s_expect_name("張　偉", "张伟");
    s_expect_name("Ali   Khan", "Ali Khan");     /* Latin words keep one */
    s_expect_name("Ali　Khan ", "Ali Khan");
    s_expect_name("David 王", "David王");         /* next to Han: dropped */
    s_expect_name("王 David", "王David");
    s_expect_name("", "");
    s_expect_name("　 ", "");
    s_expect_name(NULL, "");
}

static void
test_name_middle_dot(void **state)
{
    (void)state;
    static const char *const forms[] = {
        "阿依·买买提",      /* U+00B7 */
        "阿依・买买提",     /* U+30FB KATAKANA MIDDLE DOT */
        "阿依.买买提",      /* ASCII full stop */
        "阿依•买买提",      /* U+2022 BULLET */
        "阿依‧买买提",      /* U+2027 HYPHENATION POINT */
        "阿依．买买提",     /* U+FF0E FULLWIDTH FULL STOP */
        "阿依･买买提",      /* U+FF65 HALFWIDTH KATAKANA MIDDLE DOT */
        "阿依∙买买提",      /* U+2219 BULLET OPERATOR */
        "阿依 · 买买提",    /* spaces around the dot */
        "阿依 . 买买提",
        "阿依　・　买买提", /* U+3000 around U+30FB */
        "阿依..买买提",     /* a run of dots is one */
        "阿依·•买买提",
        "阿依・買買提",     /* and traditional */
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        s_expect_name(forms[i], "阿依·买买提");
    /* '.' stays where it is not between Han characters */
    s_expect_name("J.Smith", "J.Smith");
    s_expect_name("张.", "张.");
    s_expect_name(".张", ".张");
    s_expect_name("Ali.张", "Ali.张");
}

static void
test_name_idempotent(void **state)
{
    (void)state;
    static const char *const names[] = {
        "張　偉", "阿依 . 買買提", "ＬＩ　Ｗｅｉ", "David 王", "龍巖", "a..b",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char once[64], twice[64];
        norm_name(names[i], once, sizeof once);
        norm_name(once, twice, sizeof twice);
        assert_string_equal(once, twice);
    }
}

static void
test_name_cut(void **state)
{
    (void)state;
    char out[8];
    /* "张伟" is 6 bytes: cap 6 leaves room for 5, so one character */
    memset(out, '#', sizeof out);
    assert_int_equal(norm_name("張偉", out, 6), 3);
    assert_string_equal(out, "张");
    memset(out, '#', sizeof out);
    assert_int_equal(norm_name("張偉", out, 7), 6);
    assert_string_equal(out, "张伟");
    /* never ends in the kept space, never splits a character after it */
    memset(out, '#', sizeof out);
    assert_int_equal(norm_name("Ali 张", out, 5), 3);
    assert_string_equal(out, "Ali");
    memset(out, '#', sizeof out);
    assert_int_equal(norm_name("Ali Khan", out, 5), 3);
    assert_string_equal(out, "Ali");
    /* a dot that does not fit stops the output */
    memset(out, '#', sizeof out);
    assert_int_equal(norm_name("张.伟", out, 4), 3);
    assert_string_equal(out, "张");
    out[0] = '#';
    assert_int_equal(norm_name("張偉", out, 1), 0);
    assert_string_equal(out, "");
    assert_int_equal(norm_name("張偉", NULL, 0), 0);
}

/* ---------------------------------------------------------------------- */
/* The generated tables                                                    */

static void
test_unihan_tables(void **state)
{
    (void)state;
    /* sizes of Unihan 15: thousands of mappings, tens of thousands read */
    assert_true(unihan_simp_count > 5000);
    assert_true(strlen(unihan_version) > 0);
    for (size_t i = 0; i < unihan_simp_count; i++) {
        uint32_t from = unihan_simp_from[i], to = unihan_simp_to[i];
        if (i > 0 && unihan_simp_from[i - 1] >= from)
            fail_msg("unihan_simp_from not ascending at %zu", i);
        if (from == to)
            fail_msg("U+%04X maps to itself yet is listed", (unsigned)from);
        if (unihan_simplified(to) != to)   /* idempotent */
            fail_msg("U+%04X -> U+%04X -> U+%04X", (unsigned)from,
                     (unsigned)to, (unsigned)unihan_simplified(to));
        if (unihan_simplified(from) != to)
            fail_msg("lookup of U+%04X", (unsigned)from);
    }
    size_t read = 0;
    for (uint32_t cp = 0; cp < 0x40000; cp++) {
        const char *r = unihan_pinyin(cp);
        if (r == NULL)
            continue;
        read++;
        size_t len = strlen(r);
        if (len == 0 || r[0] == ' ' || r[len - 1] == ' ' || strstr(r, "  ")
            || strspn(r, "abcdefghijklmnopqrstuvwxyz ") != len)
            fail_msg("readings of U+%04X: \"%s\"", (unsigned)cp, r);
    }
    assert_true(read > 40000);
    assert_null(unihan_pinyin('A'));
    assert_null(unihan_pinyin(0x3000));
    assert_null(unihan_pinyin(0x10FFFF));
    assert_null(unihan_pinyin(0xFFFFFFFFu));
    assert_int_equal(unihan_simplified('A'), 'A');
    assert_int_equal(unihan_simplified(0xFFFFFFFFu), 0xFFFFFFFFu);
    assert_int_equal(unihan_simplified(0x88E1), 0x91CC);  /* 裡 -> 里, not itself */
    assert_string_equal(unihan_pinyin(0x4E2D), "zhong");        /* 中 */
    assert_string_equal(unihan_pinyin(0x91CD), "zhong chong tong"); /* 重 */
    assert_string_equal(unihan_pinyin(0x5415), "lv");           /* 吕 */
}

/* ---------------------------------------------------------------------- */
/* norm_pinyin                                                             */

static void
test_pinyin(void **state)
{
    (void)state;
    s_expect_pinyin("张伟", "zhang wei");
    s_expect_pinyin("張偉", "zhang wei");      /* normalised first */
    s_expect_pinyin("张 伟", "zhang wei");
    s_expect_pinyin("吕", "lv");
    s_expect_pinyin("女", "nv");
    s_expect_pinyin("吕丽", "lv li");
    s_expect_pinyin("略", "lve");
    s_expect_pinyin("欧阳娜娜", "ou yang na na");
    s_expect_pinyin("单", "dan");              /* first reading only */
    s_expect_pinyin("阿依·买买提", "a yi mai mai ti");
    s_expect_pinyin("阿依・買買提", "a yi mai mai ti");
    s_expect_pinyin("ＬＩ　Ｗｅｉ", "li wei");
    s_expect_pinyin("Ali Khan", "ali khan");
    s_expect_pinyin("Mary·Jane", "mary jane");  /* the dot ends a word */
    s_expect_pinyin("O'Brien", "obrien");       /* punctuation dropped */
    s_expect_pinyin("王Ali", "wang ali");
    s_expect_pinyin("David 王", "david wang");
    s_expect_pinyin("张伟2", "zhang wei 2");
    s_expect_pinyin("李（小）明", "li xiao ming");
    s_expect_pinyin("𠮷", "𠮷");                  /* no reading: itself */
    s_expect_pinyin("", "");
    s_expect_pinyin(NULL, "");
}

static void
test_pinyin_cut(void **state)
{
    (void)state;
    char out[16];
    memset(out, '#', sizeof out);
    assert_int_equal(norm_pinyin("张伟", out, 9), 5);   /* "zhang wei" needs 10 */
    assert_string_equal(out, "zhang");
    memset(out, '#', sizeof out);
    assert_int_equal(norm_pinyin("张伟", out, 10), 9);
    assert_string_equal(out, "zhang wei");
    out[0] = '#';
    assert_int_equal(norm_pinyin("张伟", out, 5), 0);
    assert_string_equal(out, "");
    assert_int_equal(norm_pinyin("张伟", NULL, 0), 0);
}

/* ---------------------------------------------------------------------- */
/* norm_pinyin_match                                                       */

static void
test_match_homophones(void **state)
{
    (void)state;
    s_expect_match("丽", "莉", true);
    s_expect_match("伟", "玮", true);
    s_expect_match("静", "晶", true);
    s_expect_match("张丽", "张莉", true);
    s_expect_match("王伟", "王玮", true);
    s_expect_match("李静", "李晶", true);
    s_expect_match("张伟", "张伟", true);
    s_expect_match("張偉", "张玮", true);          /* normalised first */
    s_expect_match("张 伟", "张　伟", true);
    s_expect_match("阿依·买买提", "阿依・買買提", true);
    s_expect_match("吕丽", "吕莉", true);
    s_expect_match("Ali Khan", "ALI KHAN", true);  /* ASCII case */
}

static void
test_match_different(void **state)
{
    (void)state;
    s_expect_match("张伟", "李伟", false);
    s_expect_match("张伟", "张强", false);
    s_expect_match("张伟", "张伟明", false);        /* lengths differ */
    s_expect_match("张伟", "张", false);
    s_expect_match("阿依买买提", "阿依·买买提", false);
    s_expect_match("吕", "李", false);
    s_expect_match("丽", "Li", false);              /* Han is not Latin */
    s_expect_match("Ali Khan", "AliKhan", false);
    s_expect_match("", "", false);
    s_expect_match(NULL, NULL, false);
    s_expect_match("张伟", NULL, false);
}

static void
test_match_any_reading(void **state)
{
    (void)state;
    /* 单 reads dan, chan, shan; 曾 ceng, zeng: the first is not enough */
    s_expect_match("单", "丹", true);    /* dan */
    s_expect_match("单", "善", true);    /* shan */
    s_expect_match("单丽", "善莉", true);
    s_expect_match("曾", "层", true);    /* ceng */
    s_expect_match("曾", "增", true);    /* zeng */
    s_expect_match("曾伟", "增玮", true);
    s_expect_match("单", "张", false);
    s_expect_match("曾", "张", false);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_traditional),
        cmocka_unit_test(test_name_fullwidth),
        cmocka_unit_test(test_name_spaces),
        cmocka_unit_test(test_name_middle_dot),
        cmocka_unit_test(test_name_idempotent),
        cmocka_unit_test(test_name_cut),
        cmocka_unit_test(test_unihan_tables),
        cmocka_unit_test(test_pinyin),
        cmocka_unit_test(test_pinyin_cut),
        cmocka_unit_test(test_match_homophones),
        cmocka_unit_test(test_match_different),
        cmocka_unit_test(test_match_any_reading),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
