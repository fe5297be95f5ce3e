/*
** test_jsonl.c: unit tests of adapters/core/jsonl.c, the streaming JSON
** Lines reader. Every fixture is written by the test itself into a fresh
** temporary directory (removed afterwards). Most files are read twice: with
** the default read buffer and with the smallest one, so lines cross buffer
** boundaries at every byte.
*/
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonl.h"

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
    snprintf(s_dir, sizeof s_dir, "%s/test_jsonl.XXXXXX", tmp && *tmp ? tmp : "/tmp");
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
#define S_FIXTURE(name, lit) s_fixture((name), (lit), sizeof(lit) - 1)

/* The two read buffer sizes every file is read with (0 = the default; 1 is
** raised to the reader's minimum). */
static const size_t s_buffers[] = {0, 1};
#define S_NBUF (sizeof s_buffers / sizeof s_buffers[0])

static adp_jsonl_t *
s_open(const char *path, size_t buffer, size_t max_line)
{
    char err[256];
    adp_jsonl_opts_t o = {.buffer_size = buffer, .max_line_bytes = max_line};
    adp_jsonl_t *r = adp_jsonl_open(path, &o, err, sizeof err);
    if (!r)
        fail_msg("open %s: %s", path, err);
    return r;
}

/* Next must be an object on line `row` whose raw bytes are `raw`. */
static const json_t *
s_expect_object(adp_jsonl_t *r, adp_jsonl_row_t *row, size_t line, const char *raw)
{
    adp_jsonl_status_t st = adp_jsonl_next(r, row);
    if (st != ADP_JSONL_OBJECT)
        fail_msg("line %zu: status %d, reason %s", line, (int) st, row->reason ? row->reason : "-");
    assert_int_equal(row->row, line);
    assert_non_null(row->object);
    assert_true(json_is_object(row->object));
    assert_null(row->reason);
    assert_int_equal(row->problem, ADP_JSONL_NONE);
    assert_int_equal(row->raw_len, strlen(raw));
    assert_memory_equal(row->raw, raw, row->raw_len);
    assert_int_equal(row->raw[row->raw_len], '\0');
    assert_false(row->raw_truncated);
    return row->object;
}

/* Next must be a bad line with this problem and exactly this reason. */
static void
s_expect_bad(adp_jsonl_t *r, adp_jsonl_row_t *row, size_t line, adp_jsonl_problem_t problem,
             const char *reason)
{
    adp_jsonl_status_t st = adp_jsonl_next(r, row);
    if (st != ADP_JSONL_BAD)
        fail_msg("line %zu: status %d, expected BAD (%s)", line, (int) st, reason);
    assert_int_equal(row->row, line);
    assert_null(row->object);
    assert_string_equal(adp_jsonl_problem_name(row->problem), adp_jsonl_problem_name(problem));
    assert_non_null(row->reason);
    assert_string_equal(row->reason, reason);
}

static void
s_expect_eof(adp_jsonl_t *r, adp_jsonl_row_t *row)
{
    assert_int_equal(adp_jsonl_next(r, row), ADP_JSONL_EOF);
    assert_null(row->object);
    assert_int_equal(adp_jsonl_next(r, row), ADP_JSONL_EOF);   /* and again */
    assert_string_equal(adp_jsonl_error(r), "");
}

static const char *
s_str(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    assert_non_null(v);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

/* ---------------------------------------------------------------- tests */

static void
test_good_lines(void **state)
{
    (void) state;
    const char *p = S_FIXTURE("good.jsonl",
                              "{\"djbh\":\"LD1\",\"xm\":\"林晓\"}\n"
                              "{\"djbh\":\"LD2\",\"n\":42,\"ok\":true}\n"
                              "  {\"djbh\" : \"LD3\"}  \n");
    for (size_t b = 0; b < S_NBUF; b++) {
        adp_jsonl_t *r = s_open(p, s_buffers[b], 0);
        adp_jsonl_row_t row;
        const json_t *o = s_expect_object(r, &row, 1, "{\"djbh\":\"LD1\",\"xm\":\"林晓\"}");
        assert_string_equal(s_str(o, "djbh"), "LD1");
        assert_string_equal(s_str(o, "xm"), "林晓");
        o = s_expect_object(r, &row, 2, "{\"djbh\":\"LD2\",\"n\":42,\"ok\":true}");
        assert_int_equal(json_integer_value(json_object_get(o, "n")), 42);
        assert_true(json_is_true(json_object_get(o, "ok")));
        o = s_expect_object(r, &row, 3, "  {\"djbh\" : \"LD3\"}  ");
        assert_string_equal(s_str(o, "djbh"), "LD3");
        s_expect_eof(r, &row);
        adp_jsonl_destroy(&r);
        assert_null(r);
        adp_jsonl_destroy(&r);   /* safe twice */
    }
}

static void
test_last_line_without_line_end(void **state)
{
    (void) state;
    const char *p = S_FIXTURE("noeol.jsonl", "{\"a\":\"1\"}\n{\"a\":\"2\"}");
    for (size_t b = 0; b < S_NBUF; b++) {
        adp_jsonl_t *r = s_open(p, s_buffers[b], 0);
        adp_jsonl_row_t row;
        s_expect_object(r, &row, 1, "{\"a\":\"1\"}");
        assert_string_equal(s_str(s_expect_object(r, &row, 2, "{\"a\":\"2\"}"), "a"), "2");
        s_expect_eof(r, &row);
        adp_jsonl_destroy(&r);
    }
}

static void
test_bom_stripped(void **state)
{
    (void) state;
    const char *p = S_FIXTURE("bom.jsonl", "\xEF\xBB\xBF{\"a\":\"x\"}\n\xEF\xBB\xBF{\"a\":\"y\"}\n");
    for (size_t b = 0; b < S_NBUF; b++) {
        adp_jsonl_t *r = s_open(p, s_buffers[b], 0);
        adp_jsonl_row_t row;
        assert_string_equal(s_str(s_expect_object(r, &row, 1, "{\"a\":\"x\"}"), "a"), "x");
        /* only at the start of the file: elsewhere it is not JSON */
        s_expect_bad(r, &row, 2, ADP_JSONL_SYNTAX,
                     "line 2 is not valid JSON at column 1: invalid token near '\xEF\xBB\xBF'");
        s_expect_eof(r, &row);
        adp_jsonl_destroy(&r);
    }
    /* a file of nothing but a BOM, and an empty file, have no rows */
    const char *only = S_FIXTURE("onlybom.jsonl", "\xEF\xBB\xBF");
    const char *empty = S_FIXTURE("empty.jsonl", "");
    adp_jsonl_row_t row;
    adp_jsonl_t *r = s_open(only, 0, 0);
    s_expect_eof(r, &row);
    adp_jsonl_destroy(&r);
    r = s_open(empty, 0, 0);
    s_expect_eof(r, &row);
    assert_int_equal(row.row, 0);
    adp_jsonl_destroy(&r);
}

static void
test_crlf(void **state)
{
    (void) state;
    const char *p = S_FIXTURE("crlf.jsonl", "{\"a\":\"1\"}\r\n{\"a\":\"2\"}\r\n{\"a\":\"3\"}\r");
    for (size_t b = 0; b < S_NBUF; b++) {
        adp_jsonl_t *r = s_open(p, s_buffers[b], 0);
        adp_jsonl_row_t row;
        s_expect_object(r, &row, 1, "{\"a\":\"1\"}");
        s_expect_object(r, &row, 2, "{\"a\":\"2\"}");
        s_expect_object(r, &row, 3, "{\"a\":\"3\"}");
        s_expect_eof(r, &row);
        adp_jsonl_destroy(&r);
    }
}

static void
test_blank_lines_keep_numbers(void **state)
{
    (void) state;
    const char *p = S_FIXTURE("blank.jsonl",
                              "\n{\"a\":\"2\"}\n\r\n \t \n{\"a\":\"5\"}\n\n\n");
    for (size_t b = 0; b < S_NBUF; b++) {
        adp_jsonl_t *r = s_open(p, s_buffers[b], 0);
        adp_jsonl_row_t row;
        s_expect_object(r, &row, 2, "{\"a\":\"2\"}");
        s_expect_object(r, &row, 5, "{\"a\":\"5\"}");
        s_expect_eof(r, &row);
        adp_jsonl_destroy(&r);
    }
}

static void
test_invalid_json_with_position(void **state)
{
    (void) state;
    const char *p = S_FIXTURE("syntax.jsonl",
                              "{\"a\":\"1\"}\n"
                              "{\"a\":1,}\n"
                              "{\"名字\":\"张三\",x}\n"
                              "{\"a\":1\n"
                              "{\"a\":\"1\"} {\"b\":2}\n"
                              "{\"a\":\"\\u0000\"}\n"
                              "{\"a\":1,\"a\":2}\n"
                              "{\"a\":\"ok\"}\n");
    for (size_t b = 0; b < S_NBUF; b++) {
        adp_jsonl_t *r = s_open(p, s_buffers[b], 0);
        adp_jsonl_row_t row;
        s_expect_object(r, &row, 1, "{\"a\":\"1\"}");
        s_expect_bad(r, &row, 2, ADP_JSONL_SYNTAX,
                     "line 2 is not valid JSON at column 8: string or '}' expected near '}'");
        assert_int_equal(row.column, 8);
        assert_int_equal(row.raw_len, strlen("{\"a\":1,}"));
        assert_memory_equal(row.raw, "{\"a\":1,}", row.raw_len);
        /* columns count characters, not bytes */
        s_expect_bad(r, &row, 3, ADP_JSONL_SYNTAX,
                     "line 3 is not valid JSON at column 12: string or '}' expected near 'x'");
        /* jansson's "end of file" is the end of the line here */
        s_expect_bad(r, &row, 4, ADP_JSONL_SYNTAX,
                     "line 4 is not valid JSON at column 6: '}' expected near end of line");
        s_expect_bad(r, &row, 5, ADP_JSONL_SYNTAX,
                     "line 5 is not valid JSON at column 11: end of line expected near '{'");
        s_expect_bad(r, &row, 6, ADP_JSONL_SYNTAX,
                     "line 6 is not valid JSON at column 13: \\u0000 is not allowed without "
                     "JSON_ALLOW_NUL near '\"\\u0000\"'");
        s_expect_bad(r, &row, 7, ADP_JSONL_DUPLICATE_KEY,
                     "line 7 has a key twice at column 10: duplicate object key near '\"a\"'");
        s_expect_object(r, &row, 8, "{\"a\":\"ok\"}");
        s_expect_eof(r, &row);
        adp_jsonl_destroy(&r);
    }
}

static void
test_not_an_object(void **state)
{
    (void) state;
    const char *p = S_FIXTURE("kinds.jsonl", "[1,2]\n\"text\"\n42\n-1.5\ntrue\nnull\n{}\n");
    for (size_t b = 0; b < S_NBUF; b++) {
        adp_jsonl_t *r = s_open(p, s_buffers[b], 0);
        adp_jsonl_row_t row;
        s_expect_bad(r, &row, 1, ADP_JSONL_NOT_OBJECT, "line 1 is a JSON array, not an object");
        assert_memory_equal(row.raw, "[1,2]", 5);
        s_expect_bad(r, &row, 2, ADP_JSONL_NOT_OBJECT, "line 2 is a JSON string, not an object");
        s_expect_bad(r, &row, 3, ADP_JSONL_NOT_OBJECT, "line 3 is a JSON number, not an object");
        s_expect_bad(r, &row, 4, ADP_JSONL_NOT_OBJECT, "line 4 is a JSON number, not an object");
        s_expect_bad(r, &row, 5, ADP_JSONL_NOT_OBJECT, "line 5 is a JSON boolean, not an object");
        s_expect_bad(r, &row, 6, ADP_JSONL_NOT_OBJECT, "line 6 is JSON null, not an object");
        assert_int_equal(json_object_size(s_expect_object(r, &row, 7, "{}")), 0);
        s_expect_eof(r, &row);
        adp_jsonl_destroy(&r);
    }
}

static void
test_invalid_utf8(void **state)
{
    (void) state;
    const char *p = S_FIXTURE("utf8.jsonl",
                              "{\"a\":\"\xFF\"}\n"              /* never valid */
                              "{\"a\":\"\xC0\xAF\"}\n"          /* overlong '/' */
                              "{\"a\":\"\xED\xA0\x80\"}\n"      /* a surrogate */
                              "{\"a\":\"\xF4\x90\x80\x80\"}\n"  /* above U+10FFFF */
                              "{\"a\":\"林\xE6\x99\"}\n"        /* cut short before a quote */
                              "{\"a\":\"ok\"}\xE6\x99\n"        /* cut short at the line end */
                              "{\"a\":\"𠀀\"}\n");              /* four bytes, valid */
    for (size_t b = 0; b < S_NBUF; b++) {
        adp_jsonl_t *r = s_open(p, s_buffers[b], 0);
        adp_jsonl_row_t row;
        s_expect_bad(r, &row, 1, ADP_JSONL_ENCODING, "line 1 is not valid UTF-8 at byte 7: FF");
        assert_int_equal(row.column, 7);
        assert_int_equal(row.raw_len, 9);
        assert_memory_equal(row.raw, "{\"a\":\"\xFF\"}", 9);
        s_expect_bad(r, &row, 2, ADP_JSONL_ENCODING, "line 2 is not valid UTF-8 at byte 7: C0");
        s_expect_bad(r, &row, 3, ADP_JSONL_ENCODING, "line 3 is not valid UTF-8 at byte 7: ED A0");
        s_expect_bad(r, &row, 4, ADP_JSONL_ENCODING, "line 4 is not valid UTF-8 at byte 7: F4 90");
        s_expect_bad(r, &row, 5, ADP_JSONL_ENCODING, "line 5 is not valid UTF-8 at byte 10: E6 99 22");
        s_expect_bad(r, &row, 6, ADP_JSONL_ENCODING, "line 6 is not valid UTF-8 at byte 11: E6 99");
        assert_string_equal(s_str(s_expect_object(r, &row, 7, "{\"a\":\"𠀀\"}"), "a"), "𠀀");
        s_expect_eof(r, &row);
        adp_jsonl_destroy(&r);
    }
}

static void
test_too_long_line(void **state)
{
    (void) state;
    /* limit 20: line 1 is exactly 20 bytes (+ CRLF), line 2 is 21, line 3
    ** is far longer than the limit and the read buffer, line 4 is a good
    ** 20-byte object with a CR and more after it (not a CRLF: too long),
    ** line 5 is fine */
    char big[4096];
    memset(big, ' ', sizeof big);
    memcpy(big, "{\"a\":\"", 6);
    memcpy(big + sizeof big - 2, "\"}", 2);
    char text[8192];
    int n = snprintf(text, sizeof text, "{\"a\":\"123456789012\"}\r\n{\"a\":\"1234567890123\"}\n%.*s\n"
                     "{\"a\":\"123456789012\"}\rxyz\n{\"a\":\"x\"}\n",
                     (int) sizeof big, big);
    assert_true(n > 0 && (size_t) n < sizeof text);
    const char *p = s_fixture("long.jsonl", text, (size_t) n);
    for (size_t b = 0; b < S_NBUF; b++) {
        adp_jsonl_t *r = s_open(p, s_buffers[b], 20);
        adp_jsonl_row_t row;
        s_expect_object(r, &row, 1, "{\"a\":\"123456789012\"}");
        s_expect_bad(r, &row, 2, ADP_JSONL_TOO_LONG, "line 2 is longer than the limit of 20 bytes");
        assert_true(row.raw_truncated);
        assert_int_equal(row.raw_len, 20);
        assert_memory_equal(row.raw, "{\"a\":\"1234567890123\"", 20);
        assert_int_equal(row.raw[20], '\0');
        s_expect_bad(r, &row, 3, ADP_JSONL_TOO_LONG, "line 3 is longer than the limit of 20 bytes");
        assert_true(row.raw_truncated);
        assert_int_equal(row.raw_len, 20);
        assert_memory_equal(row.raw, big, 20);
        s_expect_bad(r, &row, 4, ADP_JSONL_TOO_LONG, "line 4 is longer than the limit of 20 bytes");
        assert_int_equal(row.raw_len, 20);
        s_expect_object(r, &row, 5, "{\"a\":\"x\"}");
        s_expect_eof(r, &row);
        adp_jsonl_destroy(&r);
    }
}

static void
test_nulls_nested_and_unknown_keys(void **state)
{
    (void) state;
    const char *p = S_FIXTURE("nested.jsonl",
                              "{\"djbh\":\"LD1\",\"zjyrq\":null,\"sybh\":null,\"pxjl\":[]}\n"
                              "{\"pxjl\":[{\"kc\":\"电工\",\"jsrq\":\"2025-06-30\"},{\"kc\":null,\"jsrq\":\"2026-01-15\"}],"
                              "\"zzz_new\":{\"deep\":[[1,[2]],{\"x\":null}]},\"djbh\":\"LD2\"}\n");
    for (size_t b = 0; b < S_NBUF; b++) {
        adp_jsonl_t *r = s_open(p, s_buffers[b], 0);
        adp_jsonl_row_t row;
        const json_t *o = s_expect_object(r, &row, 1, "{\"djbh\":\"LD1\",\"zjyrq\":null,\"sybh\":null,\"pxjl\":[]}");
        assert_int_equal(json_object_size(o), 4);
        assert_true(json_is_null(json_object_get(o, "zjyrq")));
        assert_true(json_is_null(json_object_get(o, "sybh")));
        assert_null(json_object_get(o, "lxdh"));   /* absent is not null */
        assert_true(json_is_array(json_object_get(o, "pxjl")));
        assert_int_equal(json_array_size(json_object_get(o, "pxjl")), 0);

        assert_int_equal(adp_jsonl_next(r, &row), ADP_JSONL_OBJECT);
        assert_int_equal(row.row, 2);
        o = row.object;
        assert_int_equal(json_object_size(o), 3);
        const json_t *px = json_object_get(o, "pxjl");
        assert_int_equal(json_array_size(px), 2);
        assert_string_equal(s_str(json_array_get(px, 0), "kc"), "电工");
        assert_string_equal(s_str(json_array_get(px, 0), "jsrq"), "2025-06-30");
        assert_true(json_is_null(json_object_get(json_array_get(px, 1), "kc")));
        /* an unknown key passes through whole: the reader does not filter */
        const json_t *deep = json_object_get(json_object_get(o, "zzz_new"), "deep");
        assert_int_equal(json_array_size(deep), 2);
        const json_t *inner = json_array_get(json_array_get(deep, 0), 1);
        assert_int_equal(json_integer_value(json_array_get(inner, 0)), 2);
        assert_true(json_is_null(json_object_get(json_array_get(deep, 1), "x")));
        s_expect_eof(r, &row);
        adp_jsonl_destroy(&r);
    }
}

static void
test_object_owned_by_reader(void **state)
{
    (void) state;
    /* the object lives until the next call; json_incref keeps it longer */
    const char *p = S_FIXTURE("own.jsonl", "{\"a\":\"1\"}\n{\"a\":\"2\"}\n");
    adp_jsonl_t *r = s_open(p, 0, 0);
    adp_jsonl_row_t row;
    json_t *kept = json_incref((json_t *) s_expect_object(r, &row, 1, "{\"a\":\"1\"}"));
    assert_int_equal(kept->refcount, 2);
    s_expect_object(r, &row, 2, "{\"a\":\"2\"}");
    assert_int_equal(kept->refcount, 1);   /* the reader let go of it */
    assert_string_equal(s_str(kept, "a"), "1");
    json_decref(kept);
    adp_jsonl_destroy(&r);   /* frees the object of line 2 (ASan checks) */
}

static void
test_open_errors(void **state)
{
    (void) state;
    char err[256] = "unchanged";
    assert_null(adp_jsonl_open(s_path("missing.jsonl"), NULL, err, sizeof err));
    assert_non_null(strstr(err, "cannot open "));
    assert_non_null(strstr(err, "missing.jsonl: No such file or directory"));
    const char *dir = s_path("adir");
    assert_int_equal(mkdir(dir, 0700), 0);
    strcpy(err, "unchanged");
    assert_null(adp_jsonl_open(dir, NULL, err, sizeof err));
    assert_non_null(strstr(err, "is a directory"));
    assert_null(adp_jsonl_open(dir, NULL, NULL, 0));   /* no errbuf is fine */
    adp_jsonl_destroy(NULL);
}

static void
test_names(void **state)
{
    (void) state;
    assert_string_equal(adp_jsonl_problem_name(ADP_JSONL_SYNTAX), "SYNTAX");
    assert_string_equal(adp_jsonl_problem_name(ADP_JSONL_TOO_LONG), "TOO_LONG");
    assert_string_equal(adp_jsonl_problem_name(-1), "UNKNOWN");
    assert_string_equal(adp_jsonl_problem_name(ADP_JSONL_PROBLEM_COUNT), "UNKNOWN");
    assert_string_equal(adp_jsonl_problem_text(ADP_JSONL_ENCODING), "line is not valid UTF-8");
    assert_string_equal(adp_jsonl_problem_text(99), "unknown problem");
    json_t *v = json_pack("{s:s,s:i,s:f,s:b,s:n,s:[],s:{}}", "s", "x", "i", 1, "f", 1.5, "b", 1, "n",
                          "a", "o");
    assert_non_null(v);
    assert_string_equal(adp_jsonl_type_name(json_object_get(v, "s")), "a string");
    assert_string_equal(adp_jsonl_type_name(json_object_get(v, "i")), "a number");
    assert_string_equal(adp_jsonl_type_name(json_object_get(v, "f")), "a number");
    assert_string_equal(adp_jsonl_type_name(json_object_get(v, "b")), "a boolean");
    assert_string_equal(adp_jsonl_type_name(json_object_get(v, "n")), "null");
    assert_string_equal(adp_jsonl_type_name(json_object_get(v, "a")), "an array");
    assert_string_equal(adp_jsonl_type_name(json_object_get(v, "o")), "an object");
    assert_string_equal(adp_jsonl_type_name(NULL), "null");
    json_decref(v);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_lines),
        cmocka_unit_test(test_last_line_without_line_end),
        cmocka_unit_test(test_bom_stripped),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_blank_lines_keep_numbers),
        cmocka_unit_test(test_invalid_json_with_position),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_too_long_line),
        cmocka_unit_test(test_nulls_nested_and_unknown_keys),
        cmocka_unit_test(test_object_owned_by_reader),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
