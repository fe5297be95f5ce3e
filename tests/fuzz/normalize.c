/*
** normalize.c: fuzz target for the pure normalisers of hub/normalize.c
** (identity numbers, text, phones, dates, genders, keys, names, pinyin,
** homophone matching, display width), norm_address of hub/match.c and the
** community names of hub/community.c (the built-in list, and a list read
** from a file as --communities reads it).
**
** Input: byte 0 picks the function, byte 1 the output capacity where the
** function takes one (so cutting at every length is tried); the rest is the
** text. Beyond "no crash, no sanitizer report", each call checks what
** normalize.h promises: NUL-terminated within the capacity, the length it
** returns, idempotence where it is stated, the form of a valid result.
*/
#define _POSIX_C_SOURCE 200809L
#include "fuzz.h"

#include <stdbool.h>

#include "community.h"
#include "match.h"
#include "normalize.h"

static adp_communities_t *s_builtin;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char err[200];
    s_builtin = adp_communities_load(NULL, err, sizeof err);
    if (!s_builtin)
        abort();
    return 0;
}

static bool
s_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* out holds a NUL within cap bytes and the function said its length. */
static void
s_check_out(const char *out, size_t cap, size_t len)
{
    FUZZ_CHECK(memchr(out, 0, cap) != NULL);
    FUZZ_CHECK(strlen(out) == len);
    FUZZ_CHECK(len < cap);
}

static void
s_idno(const char *text)
{
    char out[NORM_IDNO_SIZE + 8];
    memset(out, 'Z', sizeof out);
    norm_idno_status_t st = norm_idno(text, out);
    FUZZ_CHECK(memchr(out, 0, NORM_IDNO_SIZE) != NULL);
    FUZZ_CHECK(out[NORM_IDNO_SIZE] == 'Z');
    FUZZ_CHECK(norm_idno_strerror(st) != NULL);
    FUZZ_CHECK((st == NORM_IDNO_EMPTY) == (out[0] == 0));
    if (st != NORM_IDNO_VALID)
        return;
    FUZZ_CHECK(strlen(out) == 18 && s_digits(out, 17));
    FUZZ_CHECK(out[17] == norm_idno_check_char(out));
    char again[NORM_IDNO_SIZE], birth[11], ymd[11];
    FUZZ_CHECK(norm_idno(out, again) == NORM_IDNO_VALID && strcmp(again, out) == 0);
    norm_idno_birth(out, birth);
    FUZZ_CHECK(norm_date(birth, ymd) && strcmp(ymd, birth) == 0);
    char g = norm_idno_gender(out);
    FUZZ_CHECK(g == 'M' || g == 'F');
}

static void
s_text(const char *text, size_t cap)
{
    char *out = malloc(cap ? cap : 1);
    size_t n = norm_text(text, out, cap);
    if (cap == 0) {
        FUZZ_CHECK(n == 0);
        free(out);
        return;
    }
    s_check_out(out, cap, n);
    FUZZ_CHECK(n == 0 || (out[0] != ' ' && out[n - 1] != ' '));
    FUZZ_CHECK(strstr(out, "  ") == NULL);
    char *again = malloc(n + 1);
    FUZZ_CHECK(norm_text(out, again, n + 1) == n && strcmp(again, out) == 0);
    free(again);
    free(out);
}

static void
s_phone(const char *text, size_t cap)
{
    char *out = malloc(cap ? cap : 1);
    bool ok = norm_phone(text, out, cap);
    if (cap > 0)
        FUZZ_CHECK(memchr(out, 0, cap) != NULL && s_digits(out, strlen(out)));
    if (ok)
        FUZZ_CHECK(strlen(out) >= 7 && strlen(out) <= 12);
    free(out);
}

static void
s_date(const char *text)
{
    char out[11], again[11];
    if (!norm_date(text, out)) {
        FUZZ_CHECK(out[0] == 0);
        return;
    }
    FUZZ_CHECK(strlen(out) == 10 && out[4] == '-' && out[7] == '-');
    FUZZ_CHECK(s_digits(out, 4) && s_digits(out + 5, 2) && s_digits(out + 8, 2));
    FUZZ_CHECK(norm_date(out, again) && strcmp(again, out) == 0);
}

static void
s_gender(const char *text)
{
    char mf = 'Z';
    bool ok = norm_gender(text, &mf);
    FUZZ_CHECK(ok ? (mf == 'M' || mf == 'F') : mf == 0);
}

static void
s_key(const char *text, size_t cap)
{
    char *out = malloc(cap ? cap : 1);
    size_t n = norm_key(text, out, cap);
    if (cap > 0) {
        s_check_out(out, cap, n);
        FUZZ_CHECK(strchr(out, ' ') == NULL);
    }
    free(out);
}

static void
s_name(const char *text, size_t cap)
{
    char *out = malloc(cap ? cap : 1);
    size_t n = norm_name(text, out, cap);
    if (cap > 0)
        s_check_out(out, cap, n);
    free(out);
    /* idempotent (with room for the whole result) */
    size_t big = strlen(text) * 2 + 8;
    char *once = malloc(big), *twice = malloc(big);
    size_t n1 = norm_name(text, once, big);
    size_t n2 = norm_name(once, twice, big);
    FUZZ_CHECK(n1 == n2 && strcmp(once, twice) == 0);
    free(once);
    free(twice);
}

static void
s_pinyin(const char *text, size_t cap)
{
    char *out = malloc(cap ? cap : 1);
    size_t n = norm_pinyin(text, out, cap);
    if (cap > 0) {
        s_check_out(out, cap, n);
        FUZZ_CHECK(n == 0 || (out[0] != ' ' && out[n - 1] != ' '));
        FUZZ_CHECK(strstr(out, "  ") == NULL);
    }
    free(out);
}

/* Two names split at the first NUL of the input (or a name with itself). */
static void
s_pinyin_match(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t na = nul ? (size_t)(nul - data) : size;
    char *a = fuzz_string(data, na);
    char *b = nul ? fuzz_string(nul + 1, size - na - 1) : fuzz_string(data, na);
    bool ab = norm_pinyin_match(a, b), ba = norm_pinyin_match(b, a);
    FUZZ_CHECK(ab == ba);
    size_t big = strlen(a) * 2 + 8;
    char *name = malloc(big);
    FUZZ_CHECK(norm_pinyin_match(a, a) == (norm_name(a, name, big) > 0));
    free(name);
    free(a);
    free(b);
}

static void
s_width(const char *text)
{
    size_t w = norm_display_width(text);
    FUZZ_CHECK(w <= 2 * strlen(text));
}

static void
s_address(const char *text, size_t cap)
{
    char *out = malloc(cap ? cap : 1);
    size_t n = norm_address(text, out, cap);
    if (cap > 0)
        s_check_out(out, cap, n);
    free(out);
}

static void
s_community(const char *text)
{
    const char *code = adp_community_code(s_builtin, text);
    if (code) {
        FUZZ_CHECK(strlen(code) == 12 && s_digits(code, 12));
        FUZZ_CHECK(adp_community_name(s_builtin, code) != NULL);
        FUZZ_CHECK(adp_community_street(s_builtin, code) != NULL);
        FUZZ_CHECK(adp_community_code(s_builtin, adp_community_name(s_builtin, code)) == code);
    }
}

/* The input as a communities file (--communities FILE). */
static void
s_community_file(const uint8_t *data, size_t size)
{
    char err[200];
    adp_communities_t *list = adp_communities_load(fuzz_file("communities.csv", data, size), err, sizeof err);
    if (!list) {
        FUZZ_CHECK(memchr(err, 0, sizeof err) != NULL);
        return;
    }
    size_t n = adp_communities_count(list);
    FUZZ_CHECK(n > 0);
    for (size_t i = 0; i < n; i++) {
        const char *code = adp_community_code_at(list, i);
        FUZZ_CHECK(code && strlen(code) == 12 && s_digits(code, 12));
        const char *name = adp_community_name(list, code);
        FUZZ_CHECK(name != NULL && adp_community_street(list, code) != NULL);
        adp_community_code(list, name);
    }
    FUZZ_CHECK(adp_community_code_at(list, n) == NULL);
    adp_communities_destroy(&list);
    FUZZ_CHECK(list == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int which = data[0] % 14;
    size_t cap = data[1];
    data += 2;
    size -= 2;
    if (which == 12) {
        s_pinyin_match(data, size);
        return 0;
    }
    if (which == 13) {
        s_community_file(data, size);
        return 0;
    }
    char *text = fuzz_string(data, size);   /* a string stops at its first NUL, as the callers' do */
    switch (which) {
    case 0: s_idno(text); break;
    case 1: s_text(text, cap); break;
    case 2: s_phone(text, cap); break;
    case 3: s_date(text); break;
    case 4: s_gender(text); break;
    case 5: s_key(text, cap); break;
    case 6: s_name(text, cap); break;
    case 7: s_pinyin(text, cap); break;
    case 8: s_width(text); break;
    case 9: s_address(text, cap); break;
    case 10: s_community(text); break;
    default: /* 11: every normaliser once, full capacity */
        s_idno(text);
        s_text(text, 4096);
        s_phone(text, 64);
        s_date(text);
        s_gender(text);
        s_name(text, 4096);
        s_pinyin(text, 4096);
        break;
    }
    free(text);
    return 0;
}
