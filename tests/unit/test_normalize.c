/*
** test_normalize.c: unit tests for hub/normalize.c (cmocka).
**
** All identity numbers here are synthetic: region 350802 with made-up birth
** dates and sequences. Expected check characters were computed independently
** of normalize.c (ISO 7064 MOD 11-2 by hand in another language), so a wrong
** norm_idno_check_char() fails these tests rather than agreeing with itself.
** Source is UTF-8; full-width and U+3000 characters are written literally.
*/
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "normalize.h"

#define IDNO_VALID    "350802198001011231"  /* 35080219800101123 + '1' */
#define IDNO_VALID_X  "35080219800101001X"  /* check character X */
#define IDNO_VALID_0  "350802198001010060"  /* check character 0 */

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

/* Assert norm_idno(raw) gives status and out. */
static void
s_expect_idno(const char *raw, norm_idno_status_t status, const char *expected_out)
{
    char out[NORM_IDNO_SIZE];
    memset(out, '#', sizeof out);
    norm_idno_status_t got = norm_idno(raw, out);
    if (got != status)
        print_error("norm_idno(\"%s\"): got %s, want %s\n", raw ? raw : "(null)",
                    norm_idno_strerror(got), norm_idno_strerror(status));
    assert_int_equal(got, status);
    assert_string_equal(out, expected_out);
}

/* An 18-character number: first17 and its computed check character. */
static void
s_make_idno(const char *first17, char out[19])
{
    memcpy(out, first17, 17);
    out[17] = norm_idno_check_char(first17);
    out[18] = '\0';
}

/* A valid number for region 350802 born on yyyymmdd, sequence 123. */
static void
s_idno_born(const char *yyyymmdd, char out[19])
{
    char first17[18];
    snprintf(first17, sizeof first17, "350802%.8s123", yyyymmdd);
    s_make_idno(first17, out);
}

/* Today plus days, in China Standard Time, as YYYYMMDD. */
static void
s_cst_date(int days, char out[9])
{
    time_t t = time(NULL) + 8 * 60 * 60 + (time_t)days * 24 * 60 * 60;
    struct tm tm;
    assert_non_null(gmtime_r(&t, &tm));
    assert_int_equal(strftime(out, 9, "%Y%m%d", &tm), 8);
}

/* ---------------------------------------------------------------------- */
/* Identity numbers                                                        */

static void
test_idno_check_char_known_values(void **state)
{
    (void)state;
    assert_int_equal(norm_idno_check_char("35080219800101123"), '1');
    assert_int_equal(norm_idno_check_char("35080219800101001"), 'X');
    assert_int_equal(norm_idno_check_char("35080219800101006"), '0');
    assert_int_equal(norm_idno_check_char("35080219840229456"), 'X');
    assert_int_equal(norm_idno_check_char("00000000000000000"), '1');
}

static void
test_idno_valid(void **state)
{
    (void)state;
    s_expect_idno(IDNO_VALID, NORM_IDNO_VALID, IDNO_VALID);
    s_expect_idno(IDNO_VALID_X, NORM_IDNO_VALID, IDNO_VALID_X);
    s_expect_idno(IDNO_VALID_0, NORM_IDNO_VALID, IDNO_VALID_0);
    s_expect_idno("35080219840229456X", NORM_IDNO_VALID, "35080219840229456X");
}

static void
test_idno_lower_x(void **state)
{
    (void)state;
    s_expect_idno("35080219800101001x", NORM_IDNO_VALID, IDNO_VALID_X);
}

static void
test_idno_full_width(void **state)
{
    (void)state;
    s_expect_idno("３５０８０２１９８００１０１１２３１", NORM_IDNO_VALID, IDNO_VALID);
    s_expect_idno("３５０８０２１９８００１０１００１Ｘ", NORM_IDNO_VALID, IDNO_VALID_X);
    s_expect_idno("３５０８０２１９８００１０１００１ｘ", NORM_IDNO_VALID, IDNO_VALID_X);
    /* mixed widths */
    s_expect_idno("350802１９８００１０１001X", NORM_IDNO_VALID, IDNO_VALID_X);
}

static void
test_idno_spaces(void **state)
{
    (void)state;
    s_expect_idno("  350802198001011231  ", NORM_IDNO_VALID, IDNO_VALID);
    s_expect_idno("350802 19800101 001X", NORM_IDNO_VALID, IDNO_VALID_X);
    s_expect_idno("\t350802\t19800101\t1231\r\n", NORM_IDNO_VALID, IDNO_VALID);
    s_expect_idno("　350802　19800101　1231　", NORM_IDNO_VALID, IDNO_VALID);
    s_expect_idno("　 ３５０８０２ 19800101　　001 ｘ ", NORM_IDNO_VALID, IDNO_VALID_X);
}

static void
test_idno_empty(void **state)
{
    (void)state;
    s_expect_idno("", NORM_IDNO_EMPTY, "");
    s_expect_idno("   \t ", NORM_IDNO_EMPTY, "");
    s_expect_idno("　　", NORM_IDNO_EMPTY, "");
    s_expect_idno(NULL, NORM_IDNO_EMPTY, "");
}

static void
test_idno_one_wrong_digit(void **state)
{
    (void)state;
    /* a wrong sequence digit */
    s_expect_idno("350802198001011331", NORM_IDNO_BAD_CHECK, "350802198001011331");
    /* any single wrong digit anywhere is never VALID; where region and
    ** birth stay plausible it is BAD_CHECK */
    for (size_t pos = 0; pos < 17; pos++) {
        for (char d = '0'; d <= '9'; d++) {
            char id[NORM_IDNO_SIZE], out[NORM_IDNO_SIZE];
            strcpy(id, IDNO_VALID);
            if (id[pos] == d)
                continue;
            id[pos] = d;
            norm_idno_status_t st = norm_idno(id, out);
            assert_int_not_equal(st, NORM_IDNO_VALID);
            if (pos >= 14 || pos == 2 || pos == 3)  /* sequence, county */
                assert_int_equal(st, NORM_IDNO_BAD_CHECK);
        }
    }
}

static void
test_idno_adjacent_swap(void **state)
{
    (void)state;
    /* 123 -> 213 in the sequence */
    s_expect_idno("350802198001012131", NORM_IDNO_BAD_CHECK, "350802198001012131");
    /* every swap of two different adjacent digits is caught */
    for (size_t pos = 0; pos + 1 < 17; pos++) {
        char id[NORM_IDNO_SIZE], out[NORM_IDNO_SIZE];
        strcpy(id, IDNO_VALID);
        if (id[pos] == id[pos + 1])
            continue;
        char c = id[pos];
        id[pos] = id[pos + 1];
        id[pos + 1] = c;
        assert_int_not_equal(norm_idno(id, out), NORM_IDNO_VALID);
        assert_string_equal(out, id);
    }
}

static void
test_idno_wrong_check_char(void **state)
{
    (void)state;
    const char *candidates = "0123456789X";
    int wrong = 0;
    for (const char *c = candidates; *c; c++) {
        char id[19];
        strcpy(id, IDNO_VALID);
        id[17] = *c;
        char out[NORM_IDNO_SIZE];
        norm_idno_status_t st = norm_idno(id, out);
        if (*c == '1') {
            assert_int_equal(st, NORM_IDNO_VALID);
        } else {
            assert_int_equal(st, NORM_IDNO_BAD_CHECK);
            wrong++;
        }
    }
    assert_int_equal(wrong, 10);
    s_expect_idno("350802198001010011", NORM_IDNO_BAD_CHECK, "350802198001010011");
}

static void
test_idno_bad_length(void **state)
{
    (void)state;
    s_expect_idno("35080219800101123", NORM_IDNO_BAD_LENGTH, "35080219800101123");
    s_expect_idno("3508021980010112311", NORM_IDNO_BAD_LENGTH, "3508021980010112311");
    s_expect_idno("3508028001011", NORM_IDNO_BAD_LENGTH, "3508028001011");
    s_expect_idno("3508028001011234", NORM_IDNO_BAD_LENGTH, "3508028001011234");
    s_expect_idno("1", NORM_IDNO_BAD_LENGTH, "1");
    s_expect_idno("X", NORM_IDNO_BAD_LENGTH, "X");
    /* too long for out: truncated to NORM_IDNO_SIZE - 1 and terminated */
    s_expect_idno("3508021980010112313508021980010112311234",
                  NORM_IDNO_BAD_LENGTH, "3508021980010112313508021980010");
}

static void
test_idno_bad_char(void **state)
{
    (void)state;
    s_expect_idno("35080219800101123A", NORM_IDNO_BAD_CHAR, "35080219800101123A");
    s_expect_idno("350802-19800101-1231", NORM_IDNO_BAD_CHAR, "350802-19800101-1231");
    s_expect_idno("3508021980010X1231", NORM_IDNO_BAD_CHAR, "3508021980010X1231");
    s_expect_idno("3508021980010112XX", NORM_IDNO_BAD_CHAR, "3508021980010112XX");
    s_expect_idno("35080280010112X", NORM_IDNO_BAD_CHAR, "35080280010112X");
    /* a full-width letter other than X is kept as typed */
    s_expect_idno("35080219800101123Ａ", NORM_IDNO_BAD_CHAR, "35080219800101123Ａ");
    s_expect_idno("张三", NORM_IDNO_BAD_CHAR, "张三");
    /* character check comes before the length check */
    s_expect_idno("12A", NORM_IDNO_BAD_CHAR, "12A");
    /* a bad character beyond what out can hold is still seen */
    s_expect_idno("35080219800101123135080219800101123A",
                  NORM_IDNO_BAD_CHAR, "3508021980010112313508021980010");
    /* out is cut at a character boundary, never inside one */
    s_expect_idno("35080219800101123135080219800张", NORM_IDNO_BAD_CHAR,
                  "35080219800101123135080219800");
    /* ill-formed UTF-8 is a bad character, not a crash */
    s_expect_idno("35080219800101123\xE5", NORM_IDNO_BAD_CHAR, "35080219800101123\xE5");
}

static void
test_idno_bad_region(void **state)
{
    (void)state;
    s_expect_idno("000000198001011231", NORM_IDNO_BAD_REGION, "000000198001011231");
    /* every first-two-digit code: VALID exactly for the provinces */
    static const int provinces[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34,
                                    35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
                                    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83};
    int valid = 0;
    for (int code = 0; code < 100; code++) {
        char first17[32], id[19], out[NORM_IDNO_SIZE];
        snprintf(first17, sizeof first17, "%02d0802198001011%02d", code, 23);
        s_make_idno(first17, id);
        norm_idno_status_t st = norm_idno(id, out);
        bool listed = false;
        for (size_t i = 0; i < sizeof provinces / sizeof provinces[0]; i++)
            listed = listed || provinces[i] == code;
        assert_int_equal(st, listed ? NORM_IDNO_VALID : NORM_IDNO_BAD_REGION);
        valid += st == NORM_IDNO_VALID;
    }
    assert_int_equal(valid, 35);
}

static void
test_idno_bad_birth(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "19800230", "19800231", "19800431", "19801301", "19800001",
        "19800100", "19800132", "19000229", "19850229", "18991231", "00000000",
    };
    static const char *const good[] = {
        "19000101", "19840229", "20000229", "19991231", "20240229",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char id[19];
        s_idno_born(bad[i], id);
        s_expect_idno(id, NORM_IDNO_BAD_BIRTH, id);
    }
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char id[19];
        s_idno_born(good[i], id);
        s_expect_idno(id, NORM_IDNO_VALID, id);
    }
    /* region is checked before birth date */
    s_expect_idno("990802198002301231", NORM_IDNO_BAD_REGION, "990802198002301231");
}

static void
test_idno_future_birth(void **state)
{
    (void)state;
    char date[9], id[19];
    s_cst_date(2, date);  /* two days ahead: safe across midnight */
    s_idno_born(date, id);
    s_expect_idno(id, NORM_IDNO_BAD_BIRTH, id);
    s_cst_date(400, date);
    s_idno_born(date, id);
    s_expect_idno(id, NORM_IDNO_BAD_BIRTH, id);
    s_idno_born("99991231", id);
    s_expect_idno(id, NORM_IDNO_BAD_BIRTH, id);
    /* born today is plausible */
    s_cst_date(0, date);
    s_idno_born(date, id);
    s_expect_idno(id, NORM_IDNO_VALID, id);
}

static void
test_idno_15_digit_conversion(void **state)
{
    (void)state;
    s_expect_idno("350802800101123", NORM_IDNO_VALID, IDNO_VALID);
    s_expect_idno("350802800101001", NORM_IDNO_VALID, IDNO_VALID_X);
    s_expect_idno(" ３５０８０２　８００１０１ 123 ", NORM_IDNO_VALID, IDNO_VALID);
    s_expect_idno("350802840229456", NORM_IDNO_VALID, "35080219840229456X");
    /* 1900 is not a leap year */
    s_expect_idno("350802000229123", NORM_IDNO_BAD_BIRTH, "350802000229123");
    /* not converted when implausible: kept as 15 digits */
    s_expect_idno("350802800230123", NORM_IDNO_BAD_BIRTH, "350802800230123");
    s_expect_idno("990802800101123", NORM_IDNO_BAD_REGION, "990802800101123");
}

static void
test_idno_strerror(void **state)
{
    (void)state;
    const norm_idno_status_t all[] = {
        NORM_IDNO_VALID, NORM_IDNO_EMPTY, NORM_IDNO_BAD_CHAR, NORM_IDNO_BAD_LENGTH,
        NORM_IDNO_BAD_REGION, NORM_IDNO_BAD_BIRTH, NORM_IDNO_BAD_CHECK,
    };
    size_t n = sizeof all / sizeof all[0];
    for (size_t i = 0; i < n; i++) {
        const char *text = norm_idno_strerror(all[i]);
        assert_non_null(text);
        assert_true(strlen(text) > 0);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(text, norm_idno_strerror(all[j]));
    }
    assert_string_equal(norm_idno_strerror(NORM_IDNO_VALID), "valid");
    assert_string_equal(norm_idno_strerror(NORM_IDNO_BAD_CHECK),
                        "identity number's check character is wrong");
    assert_non_null(norm_idno_strerror((norm_idno_status_t)99));
    assert_non_null(norm_idno_strerror((norm_idno_status_t)-1));
}

static void
test_idno_birth_and_gender(void **state)
{
    (void)state;
    char birth[11];
    norm_idno_birth(IDNO_VALID, birth);
    assert_string_equal(birth, "1980-01-01");
    norm_idno_birth("35080219840229456X", birth);
    assert_string_equal(birth, "1984-02-29");
    /* the 17th character, last of the sequence, gives the gender */
    assert_int_equal(norm_idno_gender(IDNO_VALID), 'M');    /* 123: 3 odd */
    assert_int_equal(norm_idno_gender(IDNO_VALID_X), 'M');  /* 001: 1 odd */
    assert_int_equal(norm_idno_gender("35080219840229456X"), 'F');  /* 6 even */
    char id[19];
    s_make_idno("35080219800101130", id);
    assert_int_equal(norm_idno_gender(id), 'F');            /* 0 even */
    s_make_idno("35080219800101129", id);
    assert_int_equal(norm_idno_gender(id), 'M');            /* 9 odd */
}

/* ---------------------------------------------------------------------- */
/* Text                                                                    */

static void
s_expect_text(const char *raw, const char *expected)
{
    char out[64];
    size_t n = norm_text(raw, out, sizeof out);
    assert_string_equal(out, expected);
    assert_int_equal(n, strlen(expected));
}

static void
test_text_trim_and_collapse(void **state)
{
    (void)state;
    s_expect_text("  北龙社区  ", "北龙社区");
    s_expect_text("\t张 三\r\n", "张 三");
    s_expect_text("　张三　", "张三");
    s_expect_text("张　　三", "张 三");
    s_expect_text("东城街道 \t　 北龙社区", "东城街道 北龙社区");
    s_expect_text("a  b   c", "a b c");
    s_expect_text("", "");
    s_expect_text(" \t　 ", "");
    s_expect_text(NULL, "");
}

static void
test_text_full_width(void **state)
{
    (void)state;
    s_expect_text("ＡＢＣ１２３", "ABC123");
    s_expect_text("！～", "!~");             /* U+FF01, U+FF5E: the range ends */
    s_expect_text("\xEF\xBC\x80\xEF\xBD\x9F",   /* U+FF00, U+FF5F: outside */
                  "\xEF\xBC\x80\xEF\xBD\x9F");
    s_expect_text("北龙路１２号（东）", "北龙路12号(东)");
    s_expect_text("龍巖　Ｘ", "龍巖 X");
    /* ill-formed bytes pass through, never decoded into ASCII: an overlong
    ** "1", a surrogate, a cut sequence */
    s_expect_text(" \xFF\xE5 a ", "\xFF\xE5 a");
    s_expect_text("\xE0\x80\xB1", "\xE0\x80\xB1");
    s_expect_text("\xED\xA0\x80", "\xED\xA0\x80");
    s_expect_text("a\xE3\x80", "a\xE3\x80");
}

static void
test_text_truncation(void **state)
{
    (void)state;
    char out[16];
    memset(out, '#', sizeof out);
    /* "ab" + 张 (3 bytes) does not fit in 4 bytes: cut before 张 */
    assert_int_equal(norm_text("ab张", out, 4), 2);
    assert_string_equal(out, "ab");
    assert_int_equal(norm_text("ab张", out, 6), 5);
    assert_string_equal(out, "ab张");
    /* never ends in the collapsed space */
    assert_int_equal(norm_text("abc  def", out, 5), 3);
    assert_string_equal(out, "abc");
    /* a later character that would fit after a cut is not added */
    assert_int_equal(norm_text("ab张c", out, 4), 2);
    assert_string_equal(out, "ab");
    assert_int_equal(norm_text("abc", out, 1), 0);
    assert_string_equal(out, "");
    /* cap 0 writes nothing */
    out[0] = '#';
    assert_int_equal(norm_text("abc", out, 0), 0);
    assert_int_equal(out[0], '#');
    assert_int_equal(norm_text("abc", NULL, 0), 0);
}

/* ---------------------------------------------------------------------- */
/* Phones                                                                  */

static void
s_expect_phone(const char *raw, bool ok, const char *expected)
{
    char out[32];
    memset(out, '#', sizeof out);
    bool got = norm_phone(raw, out, sizeof out);
    if (got != ok)
        print_error("norm_phone(\"%s\"): got %d\n", raw ? raw : "(null)", got);
    assert_int_equal(got, ok);
    assert_string_equal(out, expected);
}

static void
test_phone_readme_forms(void **state)
{
    (void)state;
    s_expect_phone("13905971234", true, "13905971234");
    s_expect_phone("139-0597-1234", true, "13905971234");
    s_expect_phone("+86 139 0597 1234", true, "13905971234");
    s_expect_phone("0597-2231234", true, "05972231234");
}

static void
test_phone_prefixes_and_widths(void **state)
{
    (void)state;
    s_expect_phone("0086 139 0597 1234", true, "13905971234");
    s_expect_phone("8613905971234", true, "13905971234");
    s_expect_phone("(+86)139-0597-1234", true, "13905971234");
    s_expect_phone("　１３９０５９７１２３４　", true, "13905971234");
    s_expect_phone("１３９－０５９７－１２３４", true, "13905971234");
    s_expect_phone("(0597) 223 1234", true, "05972231234");
    /* 86 is kept when the rest is not an 11-digit mobile */
    s_expect_phone("86 0597 2231234", false, "8605972231234");
    s_expect_phone("86 597 2231234", true, "865972231234");
    s_expect_phone("86139059712", true, "86139059712");  /* 11 digits itself */
}

static void
test_phone_lengths(void **state)
{
    (void)state;
    s_expect_phone("2231234", true, "2231234");          /* 7 */
    s_expect_phone("223123", false, "223123");           /* 6 */
    s_expect_phone("123456789012", true, "123456789012");    /* 12 */
    s_expect_phone("1234567890123", false, "1234567890123"); /* 13 */
    s_expect_phone("13905971234/13905975678", false, "1390597123413905975678");
    s_expect_phone("", false, "");
    s_expect_phone("无", false, "");
    s_expect_phone("-- --", false, "");
    /* overlong encodings of '1' are not digits */
    s_expect_phone("\xE0\x80\xB1\xE0\x80\xB1\xE0\x80\xB1\xE0\x80\xB1"
                   "\xE0\x80\xB1\xE0\x80\xB1\xE0\x80\xB1", false, "");
    s_expect_phone(NULL, false, "");
}

static void
test_phone_truncation(void **state)
{
    (void)state;
    char out[8];
    assert_false(norm_phone("13905971234", out, sizeof out));
    assert_string_equal(out, "1390597");
    char exact[12];
    assert_true(norm_phone("+86 139 0597 1234", exact, sizeof exact));
    assert_string_equal(exact, "13905971234");
    assert_false(norm_phone("13905971234", NULL, 0));
}

/* ---------------------------------------------------------------------- */
/* Dates                                                                   */

static void
s_expect_date(const char *raw, const char *expected)
{
    char out[11];
    memset(out, '#', sizeof out);
    bool ok = norm_date(raw, out);
    if (ok != (expected[0] != '\0'))
        print_error("norm_date(\"%s\"): got %d \"%s\"\n", raw ? raw : "(null)", ok,
                    ok ? out : "");
    assert_int_equal(ok, expected[0] != '\0');
    assert_string_equal(out, expected);
}

static void
test_date_forms(void **state)
{
    (void)state;
    s_expect_date("19800101", "1980-01-01");
    s_expect_date("1980-01-01", "1980-01-01");
    s_expect_date("1980-1-1", "1980-01-01");
    s_expect_date("1980/1/1", "1980-01-01");
    s_expect_date("2019/03/01", "2019-03-01");
    s_expect_date("2019/12/31", "2019-12-31");
    s_expect_date("1980.01.01", "1980-01-01");
    s_expect_date("1980.1.1", "1980-01-01");
    s_expect_date("2019年3月1日", "2019-03-01");
    s_expect_date("2019年03月01日", "2019-03-01");
    s_expect_date("2019年12月31日", "2019-12-31");
    s_expect_date("2019年3月1", "2019-03-01");
}

static void
test_date_spaces_and_full_width(void **state)
{
    (void)state;
    s_expect_date("  1980-01-01  ", "1980-01-01");
    s_expect_date("\t19800101\r\n", "1980-01-01");
    s_expect_date("　2019年3月1日　", "2019-03-01");
    s_expect_date("１９８００１０１", "1980-01-01");
    s_expect_date("１９８０－０１－０１", "1980-01-01");
    s_expect_date("２０１９年３月１日", "2019-03-01");
    s_expect_date("２０１９／３／１", "2019-03-01");
}

static void
test_date_with_time(void **state)
{
    (void)state;
    s_expect_date("2026-11-20T09:14:03+08:00", "2026-11-20");
    s_expect_date("2026-11-20T23:59:59Z", "2026-11-20");
    s_expect_date("2026-11-20t00:00", "2026-11-20");
    s_expect_date("2026-11-20 09:14:03", "2026-11-20");
    s_expect_date("2026-11-20  09:14", "2026-11-20");
    s_expect_date("2019/3/1 8:05", "2019-03-01");
    s_expect_date("2019/3/1 8:5", "");
    s_expect_date("2026-11-20T", "");
    s_expect_date("2026-11-20T24:00:00", "");
    s_expect_date("2026-11-20T09:60", "");
    s_expect_date("2026-11-20 later", "");
    s_expect_date("2026-11-20 T09:14", "");
}

static void
test_date_calendar(void **state)
{
    (void)state;
    s_expect_date("2020-02-29", "2020-02-29");
    s_expect_date("2000-02-29", "2000-02-29");
    s_expect_date("2019-02-29", "");
    s_expect_date("1900-02-29", "");
    s_expect_date("19800230", "");
    s_expect_date("1980-04-31", "");
    s_expect_date("1980-13-01", "");
    s_expect_date("1980-00-10", "");
    s_expect_date("1980-01-00", "");
    s_expect_date("1980-01-32", "");
    s_expect_date("0000-01-01", "");
    s_expect_date("0001-01-01", "0001-01-01");
    s_expect_date("9999-12-31", "9999-12-31");
}

static void
test_date_malformed(void **state)
{
    (void)state;
    s_expect_date("", "");
    s_expect_date("   ", "");
    s_expect_date(NULL, "");
    s_expect_date("abc", "");
    s_expect_date("80-01-01", "");
    s_expect_date("1980011", "");
    s_expect_date("198001011", "");
    s_expect_date("1980-1", "");
    s_expect_date("1980-01/01", "");
    s_expect_date("1980-01-01x", "");
    s_expect_date("1980-001-01", "");
    s_expect_date("1980-01-001", "");
    s_expect_date("1980年1月", "");
    s_expect_date("1980年1-1", "");
    s_expect_date("19800101 12", "");
    s_expect_date("1980 01 01", "");
}

/* ---------------------------------------------------------------------- */
/* Gender                                                                  */

static void
s_expect_gender(const char *raw, char expected)
{
    char mf = '#';
    bool ok = norm_gender(raw, &mf);
    assert_int_equal(ok, expected != '\0');
    assert_int_equal(mf, expected);
}

static void
test_gender(void **state)
{
    (void)state;
    s_expect_gender("男", 'M');
    s_expect_gender("1", 'M');
    s_expect_gender("M", 'M');
    s_expect_gender("m", 'M');
    s_expect_gender("女", 'F');
    s_expect_gender("2", 'F');
    s_expect_gender("F", 'F');
    s_expect_gender("f", 'F');
    s_expect_gender("  男 ", 'M');
    s_expect_gender("　女　", 'F');
    s_expect_gender("\t2\r\n", 'F');
    s_expect_gender("１", 'M');
    s_expect_gender("Ｆ", 'F');
}

static void
test_gender_rejects(void **state)
{
    (void)state;
    s_expect_gender("", '\0');
    s_expect_gender("  ", '\0');
    s_expect_gender(NULL, '\0');
    s_expect_gender("男女", '\0');
    s_expect_gender("男 女", '\0');
    s_expect_gender("0", '\0');
    s_expect_gender("3", '\0');
    s_expect_gender("12", '\0');
    s_expect_gender("male", '\0');
    s_expect_gender("X", '\0');
    s_expect_gender("未知", '\0');
    /* a long value whose cut prefix would read 男 */
    s_expect_gender("男 \xF0\xA0\x80\x80\xF0\xA0\x80\x80", '\0');
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idno_check_char_known_values),
        cmocka_unit_test(test_idno_valid),
        cmocka_unit_test(test_idno_lower_x),
        cmocka_unit_test(test_idno_full_width),
        cmocka_unit_test(test_idno_spaces),
        cmocka_unit_test(test_idno_empty),
        cmocka_unit_test(test_idno_one_wrong_digit),
        cmocka_unit_test(test_idno_adjacent_swap),
        cmocka_unit_test(test_idno_wrong_check_char),
        cmocka_unit_test(test_idno_bad_length),
        cmocka_unit_test(test_idno_bad_char),
        cmocka_unit_test(test_idno_bad_region),
        cmocka_unit_test(test_idno_bad_birth),
        cmocka_unit_test(test_idno_future_birth),
        cmocka_unit_test(test_idno_15_digit_conversion),
        cmocka_unit_test(test_idno_strerror),
        cmocka_unit_test(test_idno_birth_and_gender),
        cmocka_unit_test(test_text_trim_and_collapse),
        cmocka_unit_test(test_text_full_width),
        cmocka_unit_test(test_text_truncation),
        cmocka_unit_test(test_phone_readme_forms),
        cmocka_unit_test(test_phone_prefixes_and_widths),
        cmocka_unit_test(test_phone_lengths),
        cmocka_unit_test(test_phone_truncation),
        cmocka_unit_test(test_date_forms),
        cmocka_unit_test(test_date_spaces_and_full_width),
        cmocka_unit_test(test_date_with_time),
        cmocka_unit_test(test_date_calendar),
        cmocka_unit_test(test_date_malformed),
        cmocka_unit_test(test_gender),
        cmocka_unit_test(test_gender_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
