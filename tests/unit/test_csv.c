/*
** test_csv.c: unit tests of adapters/core/csv.c, the streaming CSV/TSV reader.
** Every fixture is written by the test itself into a fresh temporary
** directory (removed afterwards), so the repository holds no binary files.
** GB18030 bytes are embedded as escapes and cross-checked with iconv.
*/
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"

/* 张三, 㐀 (U+3400) and 𠀀 (U+20000) in GB18030; the last two are 4-byte
** sequences outside GBK. */
#define GB_ZHANGSAN "\xD5\xC5\xC8\xFD"
#define GB_U3400    "\x81\x39\xEE\x39"
#define GB_U20000   "\x95\x32\x82\x36"

/* ---------------------------------------------------------------- fixtures */

#define S_MAX_FILES 64

static char s_dir[256];
static char *s_files[S_MAX_FILES];
static size_t s_nfiles;

static int
s_setup(void **state)
{
    (void) state;
    const char *tmp = getenv("TMPDIR");
    snprintf(s_dir, sizeof s_dir, "%s/test_csv.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(s_dir) ? 0 : -1;
}

static int
s_teardown(void **state)
{
    (void) state;
    for (size_t i = 0; i < s_nfiles; i++) {
        unlink(s_files[i]);
        rmdir(s_files[i]);
        free(s_files[i]);
    }
    s_nfiles = 0;
    return rmdir(s_dir);
}

/* A new path in the temporary directory, removed at teardown. */
static const char *
s_path(const char *name)
{
    assert_true(s_nfiles < S_MAX_FILES);
    size_t n = strlen(s_dir) + strlen(name) + 2;
    char *path = malloc(n);
    assert_non_null(path);
    snprintf(path, n, "%s/%s", s_dir, name);
    s_files[s_nfiles++] = path;
    return path;
}

/* Write len bytes to a new fixture file; returns its path. */
static const char *
s_fixture(const char *name, const char *bytes, size_t len)
{
    const char *path = s_path(name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}
#define FIXTURE(name, literal) s_fixture((name), (literal), sizeof(literal) - 1)

static adp_csv_t *
s_open_opts(const char *path, const char *encoding, char sep, bool quoting,
            size_t buffer_size, size_t max_row)
{
    char err[512];
    adp_csv_opts_t opts = {
        .encoding = encoding, .separator = sep, .quoting = quoting,
        .buffer_size = buffer_size, .max_row_bytes = max_row,
    };
    adp_csv_t *csv = adp_csv_open(path, &opts, err, sizeof err);
    if (!csv)
        fail_msg("adp_csv_open(%s): %s", path, err);
    return csv;
}

static adp_csv_t *
s_open(const char *path, const char *encoding, char sep, bool quoting)
{
    return s_open_opts(path, encoding, sep, quoting, 0, 0);
}

/* Open expecting failure; returns the message. */
static const char *
s_open_fails(const char *path, const char *encoding, char sep, bool quoting)
{
    static char err[512];
    adp_csv_opts_t opts = { .encoding = encoding, .separator = sep, .quoting = quoting };
    strcpy(err, "(untouched)");
    adp_csv_t *csv = adp_csv_open(path, &opts, err, sizeof err);
    assert_null(csv);
    assert_true(strlen(err) > 0);
    assert_string_not_equal(err, "(untouched)");
    return err;
}

/* Next must be a good row with these fields (n of them, UTF-8). */
static void
s_expect_row(adp_csv_t *csv, adp_csv_row_t *row, size_t number, size_t line,
             size_t n, ...)
{
    adp_csv_status_t st = adp_csv_next(csv, row);
    if (st != ADP_CSV_ROW)
        fail_msg("expected row %zu, got status %d (%s)", number, (int) st,
                 row->reason ? row->reason : adp_csv_error(csv));
    assert_int_equal(row->row, number);
    assert_int_equal(row->line, line);
    assert_int_equal(row->nfields, n);
    assert_int_equal(row->problem, ADP_CSV_NONE);
    assert_null(row->reason);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        const char *want = va_arg(ap, const char *);
        assert_string_equal(row->fields[i], want);
        assert_int_equal(row->lengths[i], strlen(want));
    }
    va_end(ap);
}

/* Next must be a bad row with this problem and column. */
static void
s_expect_bad(adp_csv_t *csv, adp_csv_row_t *row, size_t number, size_t line,
             adp_csv_problem_t problem, size_t column)
{
    adp_csv_status_t st = adp_csv_next(csv, row);
    if (st != ADP_CSV_BAD)
        fail_msg("expected bad row %zu, got status %d", number, (int) st);
    assert_int_equal(row->row, number);
    assert_int_equal(row->line, line);
    assert_int_equal(row->problem, problem);
    assert_int_equal(row->column, column);
    assert_non_null(row->reason);
    assert_true(strlen(row->reason) > 0);
    assert_non_null(row->raw);
    assert_int_equal(row->nfields, 0);
    assert_null(row->fields);
}

static void
s_expect_eof(adp_csv_t *csv)
{
    adp_csv_row_t row;
    assert_int_equal(adp_csv_next(csv, &row), ADP_CSV_EOF);
    assert_int_equal(adp_csv_next(csv, &row), ADP_CSV_EOF);   /* stays at EOF */
}

static void
s_expect_raw(const adp_csv_row_t *row, const char *bytes, size_t len)
{
    assert_int_equal(row->raw_len, len);
    assert_memory_equal(row->raw, bytes, len);
    assert_int_equal(row->raw[len], '\0');
}
#define EXPECT_RAW(row, literal) s_expect_raw((row), (literal), sizeof(literal) - 1)

/* utf8 converted with iconv into encoding; caller frees. */
static char *
s_iconv(const char *encoding, const char *utf8, size_t *len_out)
{
    iconv_t cd = iconv_open(encoding, "UTF-8");
    assert_true(cd != (iconv_t) -1);
    size_t in_left = strlen(utf8);
    size_t cap = in_left * 4 + 1;
    char *out = malloc(cap);
    assert_non_null(out);
    char *in = (char *) utf8;
    char *o = out;
    size_t o_left = cap;
    assert_true(iconv(cd, &in, &in_left, &o, &o_left) != (size_t) -1);
    iconv_close(cd);
    *len_out = (size_t) (o - out);
    return out;
}

/* ---------------------------------------------------------------- tests */

static void
test_quotes_commas_newlines_doubled(void **state)
{
    (void) state;
    const char *path = FIXTURE("quotes.csv",
        "id,name,note\n"
        "1,\"Smith, John\",\"He said \"\"hi\"\"\"\n"
        "2,\"two\nlines, with comma\",x\n"
        "3,plain,\"\"\n"
        "4,\"\"\"\",\",\"\n");
    adp_csv_t *csv = s_open(path, "UTF-8", ',', true);
    adp_csv_row_t row;
    assert_int_equal(adp_csv_ncolumns(csv), 3);
    s_expect_row(csv, &row, 1, 2, 3, "1", "Smith, John", "He said \"hi\"");
    s_expect_row(csv, &row, 2, 3, 3, "2", "two\nlines, with comma", "x");
    EXPECT_RAW(&row, "2,\"two\nlines, with comma\",x");
    /* row 2 spanned lines 3 and 4 */
    s_expect_row(csv, &row, 3, 5, 3, "3", "plain", "");
    s_expect_row(csv, &row, 4, 6, 3, "4", "\"", ",");
    s_expect_eof(csv);
    adp_csv_destroy(&csv);
    assert_null(csv);
}

static void
test_crlf(void **state)
{
    (void) state;
    const char *path = FIXTURE("crlf.csv",
        "a,b,c\r\n"
        "1,\"x\r\ny\",3\r\n"
        ",,\r\n"
        "\"q\",5,6");   /* no line end at the end */
    adp_csv_t *csv = s_open(path, "GB18030", ',', true);
    adp_csv_row_t row;
    assert_int_equal(adp_csv_column(csv, "c"), 2);   /* no CR in the last name */
    s_expect_row(csv, &row, 1, 2, 3, "1", "x\r\ny", "3");
    EXPECT_RAW(&row, "1,\"x\r\ny\",3");
    s_expect_row(csv, &row, 2, 4, 3, "", "", "");
    s_expect_row(csv, &row, 3, 5, 3, "q", "5", "6");
    EXPECT_RAW(&row, "\"q\",5,6");
    s_expect_eof(csv);
    adp_csv_destroy(&csv);
}

static void
test_gb18030_bytes(void **state)
{
    (void) state;
    /* the embedded bytes are what iconv makes of the UTF-8 text */
    size_t n = 0;
    char *gb = s_iconv("GB18030", "张三㐀𠀀", &n);
    assert_int_equal(n, 12);
    assert_memory_equal(gb, GB_ZHANGSAN GB_U3400 GB_U20000, 12);
    free(gb);

    size_t hlen = 0;
    char *header = s_iconv("GB18030", "公民身份号码,姓名,曾用名\r\n", &hlen);
    const char body[] =
        "350802198001011234," GB_ZHANGSAN "," GB_U3400 "\r\n"
        "350802198001011235,\"" GB_ZHANGSAN ", " GB_U20000 "\",\r\n";
    char file[256];
    memcpy(file, header, hlen);
    memcpy(file + hlen, body, sizeof body - 1);
    free(header);
    const char *path = s_fixture("hukou.csv", file, hlen + sizeof body - 1);

    adp_csv_t *csv = s_open(path, "GB18030", ',', true);
    adp_csv_row_t row;
    assert_int_equal(adp_csv_column(csv, "公民身份号码"), 0);
    assert_int_equal(adp_csv_column(csv, "姓名"), 1);
    assert_string_equal(adp_csv_column_name(csv, 2), "曾用名");
    s_expect_row(csv, &row, 1, 2, 3, "350802198001011234", "张三", "㐀");
    assert_int_equal(row.lengths[2], 3);   /* U+3400 is 3 bytes of UTF-8 */
    s_expect_row(csv, &row, 2, 3, 3, "350802198001011235", "张三, 𠀀", "");
    assert_int_equal(row.lengths[1], strlen("张三, ") + 4);
    s_expect_eof(csv);
    adp_csv_destroy(&csv);
}

static void
test_gbk_rejects_gb18030_only_bytes(void **state)
{
    (void) state;
    const char *path = FIXTURE("mz.csv",
        "id,name\r\n"
        "1," GB_ZHANGSAN GB_U20000 "\r\n"
        "2," GB_ZHANGSAN "\r\n");
    adp_csv_t *csv = s_open(path, "GBK", ',', true);
    adp_csv_row_t row;
    s_expect_bad(csv, &row, 1, 2, ADP_CSV_ENCODING, 2);
    assert_string_equal(row.column_name, "name");
    assert_non_null(strstr(row.reason, "not valid GBK at byte 5 of column 2 (name)"));
    EXPECT_RAW(&row, "1," GB_ZHANGSAN GB_U20000);
    s_expect_row(csv, &row, 2, 3, 2, "2", "张三");
    s_expect_eof(csv);
    adp_csv_destroy(&csv);
}

static void
test_utf8_bom_tsv_without_quoting(void **state)
{
    (void) state;
    const char *path = FIXTURE("wis.tsv",
        "\xEF\xBB\xBF" "记录编号\t姓名\t备注\n"
        "JS2019000123\t王五\t\"quoted\" text, with comma\n"
        "JS2019000124\t\"a\tb\"\n"
        "JS2019000125\t\"\t\n");
    adp_csv_t *csv = s_open(path, "UTF-8", '\t', false);
    adp_csv_row_t row;
    assert_int_equal(adp_csv_column(csv, "记录编号"), 0);   /* BOM gone */
    assert_int_equal(adp_csv_header_line(csv), 1);
    s_expect_row(csv, &row, 1, 2, 3, "JS2019000123", "王五", "\"quoted\" text, with comma");
    /* no quoting: the tab between quotes separates */
    s_expect_row(csv, &row, 2, 3, 3, "JS2019000124", "\"a", "b\"");
    s_expect_row(csv, &row, 3, 4, 3, "JS2019000125", "\"", "");
    s_expect_eof(csv);
    adp_csv_destroy(&csv);
}

static void
test_header_in_another_order(void **state)
{
    (void) state;
    const char *a = FIXTURE("order_a.csv",
        "id,name,phone\n"
        "7,Li,13905971234\n");
    const char *b = FIXTURE("order_b.csv",
        " phone \t,\xE3\x80\x80id\xEF\xBB\xBF,name\n"   /* spaces, U+3000, U+FEFF */
        "13905971234,7,Li\n");
    const char *paths[] = { a, b };
    for (size_t i = 0; i < 2; i++) {
        adp_csv_t *csv = s_open(paths[i], "UTF-8", ',', true);
        adp_csv_row_t row;
        int id = adp_csv_column(csv, "id");
        int name = adp_csv_column(csv, "name");
        int phone = adp_csv_column(csv, "phone");
        assert_true(id >= 0 && name >= 0 && phone >= 0);
        assert_int_equal(adp_csv_column(csv, "missing"), -1);
        assert_int_equal(adp_csv_column(csv, " phone"), -1);
        assert_null(adp_csv_column_name(csv, 3));
        assert_int_equal(adp_csv_next(csv, &row), ADP_CSV_ROW);
        assert_string_equal(row.fields[id], "7");
        assert_string_equal(row.fields[name], "Li");
        assert_string_equal(row.fields[phone], "13905971234");
        s_expect_eof(csv);
        adp_csv_destroy(&csv);
    }
}

static void
test_short_and_long_rows(void **state)
{
    (void) state;
    const char *path = FIXTURE("count.csv",
        "a,b,c\n"
        "1,2,3\n"
        "x,y\n"
        "1,2,3,4\n"
        "5,6,7\n");
    adp_csv_t *csv = s_open(path, "UTF-8", ',', true);
    adp_csv_row_t row;
    s_expect_row(csv, &row, 1, 2, 3, "1", "2", "3");
    s_expect_bad(csv, &row, 2, 3, ADP_CSV_FIELD_COUNT, 3);
    assert_string_equal(row.reason, "row has 2 fields, header has 3");
    assert_string_equal(row.column_name, "c");   /* the first missing column */
    EXPECT_RAW(&row, "x,y");
    s_expect_bad(csv, &row, 3, 4, ADP_CSV_FIELD_COUNT, 4);
    assert_string_equal(row.reason, "row has 4 fields, header has 3");
    assert_null(row.column_name);                /* no header column 4 */
    s_expect_row(csv, &row, 4, 5, 3, "5", "6", "7");
    s_expect_eof(csv);
    adp_csv_destroy(&csv);
}

static void
test_bad_byte_sequence(void **state)
{
    (void) state;
    size_t hlen = 0;
    char *header = s_iconv("GB18030", "编号,姓名,地址\r\n", &hlen);
    const char body[] =
        "1," GB_ZHANGSAN "\xFF\xFF,addr\r\n"
        "2," GB_ZHANGSAN ",addr\r\n"
        "3,ok,\xD5\r\n";   /* ends inside a two-byte character */
    char file[256];
    memcpy(file, header, hlen);
    memcpy(file + hlen, body, sizeof body - 1);
    free(header);
    const char *path = s_fixture("badbytes.csv", file, hlen + sizeof body - 1);

    adp_csv_t *csv = s_open(path, "GB18030", ',', true);
    adp_csv_row_t row;
    s_expect_bad(csv, &row, 1, 2, ADP_CSV_ENCODING, 2);
    assert_string_equal(row.column_name, "姓名");
    assert_string_equal(row.reason,
                        "bytes are not valid GB18030 at byte 5 of column 2 (姓名): FF FF");
    EXPECT_RAW(&row, "1," GB_ZHANGSAN "\xFF\xFF,addr");
    s_expect_row(csv, &row, 2, 3, 3, "2", "张三", "addr");
    s_expect_bad(csv, &row, 3, 4, ADP_CSV_ENCODING, 3);
    assert_string_equal(row.column_name, "地址");
    assert_non_null(strstr(row.reason, "ends inside a GB18030 character at byte 1"));
    s_expect_eof(csv);
    adp_csv_destroy(&csv);
}

static void
test_invalid_utf8_and_nul(void **state)
{
    (void) state;
    const char path_bytes[] =
        "a\tb\n"
        "1\t\xC3\x28\n"            /* bad continuation byte */
        "2\t\xED\xA0\x80\n"        /* a surrogate */
        "3\tx\0y\n"               /* NUL byte */
        "4\t\xE4\xB8\xAD\n";      /* 中 */
    const char *path = s_fixture("utf8.tsv", path_bytes, sizeof path_bytes - 1);
    adp_csv_t *csv = s_open(path, "UTF-8", '\t', false);
    adp_csv_row_t row;
    s_expect_bad(csv, &row, 1, 2, ADP_CSV_ENCODING, 2);
    assert_non_null(strstr(row.reason, "byte 1 of column 2 (b)"));
    s_expect_bad(csv, &row, 2, 3, ADP_CSV_ENCODING, 2);
    s_expect_bad(csv, &row, 3, 4, ADP_CSV_NUL_BYTE, 2);
    assert_string_equal(row.reason, "NUL byte at byte 2 of column 2 (b)");
    s_expect_raw(&row, "3\tx\0y", 5);
    s_expect_row(csv, &row, 4, 5, 2, "4", "中");
    s_expect_eof(csv);
    adp_csv_destroy(&csv);
}

static void
test_stray_quotes(void **state)
{
    (void) state;
    const char *path = FIXTURE("stray.csv",
        "a,b,c\n"
        "1,ab\"c,x\n"
        "2,\"ab\"c,x\n"
        "3,\"ab\"\r,x\n"
        "4,\"ok\",x\n");
    adp_csv_t *csv = s_open(path, "UTF-8", ',', true);
    adp_csv_row_t row;
    s_expect_bad(csv, &row, 1, 2, ADP_CSV_STRAY_QUOTE, 2);
    assert_non_null(strstr(row.reason, "stray quote at byte 3 of column 2 (b)"));
    EXPECT_RAW(&row, "1,ab\"c,x");
    s_expect_bad(csv, &row, 2, 3, ADP_CSV_STRAY_QUOTE, 2);
    assert_string_equal(row.reason, "text after the closing quote at byte 5 of column 2 (b)");
    s_expect_bad(csv, &row, 3, 4, ADP_CSV_STRAY_QUOTE, 2);
    assert_string_equal(row.reason, "text after the closing quote at byte 5 of column 2 (b)");
    s_expect_row(csv, &row, 4, 5, 3, "4", "ok", "x");
    s_expect_eof(csv);
    adp_csv_destroy(&csv);
}

static void
test_unterminated_quote(void **state)
{
    (void) state;
    const char *path = FIXTURE("unterminated.csv",
        "a,b\r\n"
        "1,\"never closed\r\n"
        "2,x\r\n"
        "3,y\r\n");
    adp_csv_t *csv = s_open(path, "UTF-8", ',', true);
    adp_csv_row_t row;
    s_expect_bad(csv, &row, 1, 2, ADP_CSV_UNTERMINATED_QUOTE, 2);
    EXPECT_RAW(&row, "1,\"never closed");
    assert_string_equal(row.column_name, "b");
    assert_non_null(strstr(row.reason, "never closed"));
    /* the rest of the file is not swallowed */
    s_expect_row(csv, &row, 2, 3, 2, "2", "x");
    s_expect_row(csv, &row, 3, 4, 2, "3", "y");
    s_expect_eof(csv);
    adp_csv_destroy(&csv);

    /* a quote opened on the last line: the row is that line */
    path = FIXTURE("unterminated_last.csv", "a,b\n1,x\n2,\"open, still");
    csv = s_open(path, "UTF-8", ',', true);
    s_expect_row(csv, &row, 1, 2, 2, "1", "x");
    s_expect_bad(csv, &row, 2, 3, ADP_CSV_UNTERMINATED_QUOTE, 2);
    EXPECT_RAW(&row, "2,\"open, still");
    assert_non_null(strstr(row.reason, "end of the file"));
    s_expect_eof(csv);
    adp_csv_destroy(&csv);

    /* the lines after the quote's line are read again as rows */
    path = FIXTURE("unterminated_multi.csv", "a,b\n1,\"open\nstill\n2,x\n");
    csv = s_open(path, "UTF-8", ',', true);
    s_expect_bad(csv, &row, 1, 2, ADP_CSV_UNTERMINATED_QUOTE, 2);
    EXPECT_RAW(&row, "1,\"open");
    s_expect_bad(csv, &row, 2, 3, ADP_CSV_FIELD_COUNT, 2);
    EXPECT_RAW(&row, "still");
    s_expect_row(csv, &row, 3, 4, 2, "2", "x");
    s_expect_eof(csv);
    adp_csv_destroy(&csv);
}

static void
test_row_longer_than_limit(void **state)
{
    (void) state;
    char file[512];
    size_t n = 0;
    n += (size_t) sprintf(file + n, "a,b\n1,");
    memset(file + n, 'z', 200);   /* a 202-byte line */
    n += 200;
    n += (size_t) sprintf(file + n, "\n2,ok\n3,\"multi\nline\",\n4,end\n"
                          "5,\"never closed\n6,aaaaaaaaaa\n7,bbbbbbbbbb\n"
                          "8,cccccccccc\n9,dddddddddd\n");
    const char *path = s_fixture("long.csv", file, n);

    adp_csv_t *csv = s_open_opts(path, "UTF-8", ',', true, 16, 64);
    adp_csv_row_t row;
    s_expect_bad(csv, &row, 1, 2, ADP_CSV_TOO_LONG, 2);
    assert_true(row.raw_truncated);
    assert_int_equal(row.raw_len, 64);
    assert_memory_equal(row.raw, "1,zzz", 5);
    s_expect_row(csv, &row, 2, 3, 2, "2", "ok");
    s_expect_bad(csv, &row, 3, 4, ADP_CSV_FIELD_COUNT, 3);   /* 3 fields, header 2 */
    assert_false(row.raw_truncated);
    s_expect_row(csv, &row, 4, 6, 2, "4", "end");
    /* a quote left open runs into the limit: only its line is rejected */
    s_expect_bad(csv, &row, 5, 7, ADP_CSV_TOO_LONG, 2);
    EXPECT_RAW(&row, "5,\"never closed");
    assert_false(row.raw_truncated);
    assert_non_null(strstr(row.reason, "probably never closed"));
    s_expect_row(csv, &row, 6, 8, 2, "6", "aaaaaaaaaa");
    s_expect_row(csv, &row, 7, 9, 2, "7", "bbbbbbbbbb");
    s_expect_row(csv, &row, 8, 10, 2, "8", "cccccccccc");
    s_expect_row(csv, &row, 9, 11, 2, "9", "dddddddddd");
    s_expect_eof(csv);
    adp_csv_destroy(&csv);
}

static void
test_blank_lines_skipped(void **state)
{
    (void) state;
    const char *path = FIXTURE("blank.csv",
        "\r\n"
        "a,b\r\n"
        "\r\n"
        "1,2\r\n"
        "\n"
        "3,\"\n\"\r\n"
        "\r\n"
        "\r\n");
    adp_csv_t *csv = s_open(path, "GB18030", ',', true);
    adp_csv_row_t row;
    assert_int_equal(adp_csv_header_line(csv), 2);
    s_expect_row(csv, &row, 1, 4, 2, "1", "2");
    /* the empty line inside quotes is data */
    s_expect_row(csv, &row, 2, 6, 2, "3", "\n");
    s_expect_eof(csv);
    adp_csv_destroy(&csv);

    /* one column: a blank line is still not a row */
    path = FIXTURE("blank1.csv", "only\nv\n\n");
    csv = s_open(path, "UTF-8", ',', true);
    s_expect_row(csv, &row, 1, 2, 1, "v");
    s_expect_eof(csv);
    adp_csv_destroy(&csv);
}

static void
test_all_fields_empty(void **state)
{
    (void) state;
    /* nothing but separators: no field byte is ever stored */
    const char *path = FIXTURE("empty_fields.csv", ",\r\n,\r\n");
    adp_csv_t *csv = s_open(path, "GB18030", ',', true);
    adp_csv_row_t row;
    assert_int_equal(adp_csv_ncolumns(csv), 2);
    assert_string_equal(adp_csv_column_name(csv, 0), "");
    assert_int_equal(adp_csv_column(csv, ""), 0);
    s_expect_row(csv, &row, 1, 2, 2, "", "");
    EXPECT_RAW(&row, ",");
    s_expect_eof(csv);
    adp_csv_destroy(&csv);
}

/* Row i's fields, as UTF-8, for the streaming test. */
static void
s_big_row(size_t i, char *name, size_t name_cap, char *note, size_t note_cap)
{
    snprintf(name, name_cap, "张三%zu, 㐀", i);
    size_t len = (i * 37) % 211;
    if (i == 5000)
        len = 150000;   /* one field longer than the read buffer */
    if (len >= note_cap)
        len = note_cap - 1;
    for (size_t k = 0; k < len; k++)
        note[k] = (char) ('a' + (i + k) % 26);
    note[len] = '\0';
    if (i % 100 == 0 && len > 10)
        note[len / 2] = '\n';   /* a row over two lines */
}

static void
test_large_file_streaming(void **state)
{
    (void) state;
    enum { ROWS = 10000 };
    static char name[64], note[160000], gbname[64];
    const char *path = s_path("big.csv");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("id,name,note\r\n", f);

    size_t straddling = 0;
    for (size_t i = 1; i <= ROWS; i++) {
        s_big_row(i, name, sizeof name, note, sizeof note);
        size_t gblen = 0;
        char *gb = s_iconv("GB18030", name, &gblen);
        assert_true(gblen < sizeof gbname);
        memcpy(gbname, gb, gblen);
        free(gb);
        long start = ftell(f);
        fprintf(f, "%zu,\"", i);
        fwrite(gbname, 1, gblen, f);
        fprintf(f, "\",\"%s\"\r\n", note);
        long end = ftell(f);
        if ((size_t) start / ADP_CSV_BUFFER_DEFAULT != (size_t) end / ADP_CSV_BUFFER_DEFAULT)
            straddling++;
    }
    fputs("\r\n", f);   /* a blank last line */
    assert_int_equal(fclose(f), 0);
    assert_true(straddling > 10);   /* rows do cross buffer boundaries */

    adp_csv_t *csv = s_open(path, "GB18030", ',', true);
    adp_csv_row_t row;
    size_t line = 2;
    char id[32];
    for (size_t i = 1; i <= ROWS; i++) {
        s_big_row(i, name, sizeof name, note, sizeof note);
        snprintf(id, sizeof id, "%zu", i);
        adp_csv_status_t st = adp_csv_next(csv, &row);
        if (st != ADP_CSV_ROW)
            fail_msg("row %zu: status %d: %s", i, (int) st, row.reason ? row.reason : "");
        assert_int_equal(row.row, i);
        assert_int_equal(row.line, line);
        assert_string_equal(row.fields[0], id);
        assert_string_equal(row.fields[1], name);
        assert_int_equal(row.lengths[2], strlen(note));
        assert_string_equal(row.fields[2], note);
        line += 1 + (strchr(note, '\n') != NULL);
    }
    s_expect_eof(csv);
    adp_csv_destroy(&csv);
}

/* Everything a reader returns for a file, as one string (caller frees). */
static char *
s_transcript(const char *path, const char *encoding, size_t buffer_size)
{
    adp_csv_t *csv = s_open_opts(path, encoding, ',', true, buffer_size, 0);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    for (size_t i = 0; i < adp_csv_ncolumns(csv); i++)
        fprintf(out, "[%s]", adp_csv_column_name(csv, i));
    fputc('\n', out);
    adp_csv_row_t row;
    adp_csv_status_t st;
    while ((st = adp_csv_next(csv, &row)) == ADP_CSV_ROW || st == ADP_CSV_BAD) {
        fprintf(out, "%d row %zu line %zu raw <", (int) st, row.row, row.line);
        fwrite(row.raw, 1, row.raw_len, out);
        fputc('>', out);
        if (st == ADP_CSV_ROW)
            for (size_t i = 0; i < row.nfields; i++)
                fprintf(out, " [%s]", row.fields[i]);
        else
            fprintf(out, " %s col %zu: %s", adp_csv_problem_name(row.problem),
                    row.column, row.reason);
        fputc('\n', out);
    }
    fprintf(out, "end %d\n", (int) st);
    fclose(out);
    adp_csv_destroy(&csv);
    return text;
}

static void
test_tiny_buffers_give_same_result(void **state)
{
    (void) state;
    const char *path = FIXTURE("tricky.csv",
        "\xEF\xBB\xBF" "k,v,w\r\n"
        "1,\"a\"\"b\",\"\r\n\"\r\n"
        "\r\n"
        "2,\"" GB_ZHANGSAN GB_U20000 "\"," GB_U3400 "\r\n"
        "3,x\"y,z\r\n"
        "4,\"q\"r,z\r\n"
        "5,\xFF\xFF,z\r\n"
        "6,short\r\n"
        "7,\"\",\"\"\r"
        "\n8,\"open,z\r\n"
        "9,b,c");
    char *ref = s_transcript(path, "GB18030", 0);
    /* the reference itself is right: 9 rows, 5 of them bad, header BOM-free */
    assert_non_null(strstr(ref, "[k][v][w]\n"));
    assert_non_null(strstr(ref, "0 row 1 line 2 raw <1,\"a\"\"b\",\"\r\n\"> [1] [a\"b] [\r\n]\n"));
    assert_non_null(strstr(ref, "0 row 2 line 5 raw"));
    assert_non_null(strstr(ref, "[张三𠀀] [㐀]"));
    assert_non_null(strstr(ref, "1 row 3 line 6 raw <3,x\"y,z> STRAY_QUOTE col 2"));
    assert_non_null(strstr(ref, "1 row 4 line 7 raw <4,\"q\"r,z> STRAY_QUOTE col 2"));
    assert_non_null(strstr(ref, "1 row 5 line 8 raw <5,\xFF\xFF,z> ENCODING col 2"));
    assert_non_null(strstr(ref, "1 row 6 line 9 raw <6,short> FIELD_COUNT col 3"));
    assert_non_null(strstr(ref, "0 row 7 line 10 raw <7,\"\",\"\"> [7] [] []\n"));
    assert_non_null(strstr(ref, "1 row 8 line 11 raw <8,\"open,z> UNTERMINATED_QUOTE col 2"));
    assert_non_null(strstr(ref, "0 row 9 line 12 raw <9,b,c> [9] [b] [c]\nend 2\n"));
    for (size_t size = 1; size <= 24; size++) {
        char *got = s_transcript(path, "GB18030", size);
        if (strcmp(ref, got) != 0)
            fail_msg("buffer size %zu differs:\n%s\nvs reference:\n%s", size, got, ref);
        free(got);
    }
    free(ref);
}

static void
test_open_errors(void **state)
{
    (void) state;
    const char *msg = s_open_fails(s_path("does_not_exist.csv"), "UTF-8", ',', true);
    assert_non_null(strstr(msg, "cannot open"));
    assert_non_null(strstr(msg, "does_not_exist.csv"));

    const char *empty = FIXTURE("empty.csv", "");
    assert_non_null(strstr(s_open_fails(empty, "UTF-8", ',', true), "no header"));
    const char *blank = FIXTURE("blankonly.csv", "\xEF\xBB\xBF\r\n\n");
    assert_non_null(strstr(s_open_fails(blank, "UTF-8", ',', true), "no header"));

    const char *ok = FIXTURE("ok.csv", "a,b\n1,2\n");
    assert_non_null(strstr(s_open_fails(ok, "NO-SUCH-CODESET", ',', true), "unknown encoding"));
    assert_non_null(strstr(s_open_fails(ok, "UTF-16LE", ',', true), "not ASCII-compatible"));
    assert_non_null(strstr(s_open_fails(ok, "UTF-8", ';', true), "separator"));

    /* a directory opens but cannot be read: an I/O error, not a crash */
    const char *dir = s_path("a_directory");
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_non_null(strstr(s_open_fails(dir, "UTF-8", ',', true), "cannot read"));

    const char *badhead = FIXTURE("badhead.csv", "id," GB_ZHANGSAN "\xFF\r\n1,2\r\n");
    msg = s_open_fails(badhead, "GB18030", ',', true);
    assert_non_null(strstr(msg, "header row (line 1)"));
    assert_non_null(strstr(msg, "byte 5 of column 2"));
    const char *openhead = FIXTURE("openhead.csv", "id,\"name\n1,2\n");
    assert_non_null(strstr(s_open_fails(openhead, "UTF-8", ',', true), "never closed"));
    const char *strayhead = FIXTURE("strayhead.csv", "id,na\"me\n1,2\n");
    assert_non_null(strstr(s_open_fails(strayhead, "UTF-8", ',', true), "stray quote"));

    /* no error buffer is fine */
    adp_csv_opts_t opts = { .encoding = "UTF-8", .separator = ',', .quoting = true };
    assert_null(adp_csv_open(empty, &opts, NULL, 0));

    /* destroy accepts NULL and is safe twice */
    adp_csv_destroy(NULL);
    adp_csv_t *csv = s_open(ok, "UTF-8", ',', true);
    assert_string_equal(adp_csv_error(csv), "");
    adp_csv_destroy(&csv);
    assert_null(csv);
    adp_csv_destroy(&csv);
}

static void
test_problem_names(void **state)
{
    (void) state;
    assert_string_equal(adp_csv_problem_name(ADP_CSV_FIELD_COUNT), "FIELD_COUNT");
    assert_string_equal(adp_csv_problem_name(ADP_CSV_ENCODING), "ENCODING");
    assert_string_equal(adp_csv_problem_name(-1), "UNKNOWN");
    assert_string_equal(adp_csv_problem_name(ADP_CSV_PROBLEM_COUNT), "UNKNOWN");
    assert_string_equal(adp_csv_problem_text(ADP_CSV_UNTERMINATED_QUOTE), "quote never closed");
    assert_string_equal(adp_csv_problem_text(999), "unknown problem");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quotes_commas_newlines_doubled),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_gb18030_bytes),
        cmocka_unit_test(test_gbk_rejects_gb18030_only_bytes),
        cmocka_unit_test(test_utf8_bom_tsv_without_quoting),
        cmocka_unit_test(test_header_in_another_order),
        cmocka_unit_test(test_short_and_long_rows),
        cmocka_unit_test(test_bad_byte_sequence),
        cmocka_unit_test(test_invalid_utf8_and_nul),
        cmocka_unit_test(test_stray_quotes),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_row_longer_than_limit),
        cmocka_unit_test(test_blank_lines_skipped),
        cmocka_unit_test(test_all_fields_empty),
        cmocka_unit_test(test_large_file_streaming),
        cmocka_unit_test(test_tiny_buffers_give_same_result),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_problem_names),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
