/*
** values.c: fuzz target for the parsers of hand-typed values: hub/facts.c
** (money in fen, floor areas, counts, community codes) and
** adapters/core/fields.c (the Field constructors, time stamps and dates to
** epoch seconds), with adapters/core/encoding.c (bytes of a declared
** encoding to escaped UTF-8) and adapters/core/civilkey.c (the derived
** civil-affairs key).
**
** Input: byte 0 picks the parser, byte 1 a parameter (a count's maximum,
** an encoding); the rest is the text. Each call also checks what the
** header promises of a result: ranges, round trips, valid UTF-8.
*/
#define _POSIX_C_SOURCE 200809L
#include "fuzz.h"

#include <inttypes.h>
#include <stdbool.h>
#include <time.h>

#include "civilkey.h"
#include "community.h"
#include "encoding.h"
#include "facts.h"
#include "fields.h"
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

static void
s_amount(const char *text)
{
    int64_t fen = -1, again = -1;
    if (!facts_amount_fen(text, &fen))
        return;
    FUZZ_CHECK(fen >= 0 && fen < INT64_C(100000000000000));   /* 12 digits of yuan */
    char plain[64];
    snprintf(plain, sizeof plain, "%" PRId64 ".%02d", fen / 100, (int)(fen % 100));
    FUZZ_CHECK(facts_amount_fen(plain, &again) && again == fen);
}

static void
s_area(const char *text)
{
    double m2 = -1;
    if (facts_area_m2(text, &m2))
        FUZZ_CHECK(m2 >= 0 && m2 < 1e8);
}

static void
s_count(const char *text, int64_t max)
{
    int64_t n = -1;
    if (facts_count(text, max, &n))
        FUZZ_CHECK(n >= 0 && n <= max);
}

static void
s_community_code(const char *text)
{
    FUZZ_CHECK(facts_is_community_code(text) == (strlen(text) == 12 && s_digits(text, 12)));
}

/* A Field: raw exactly as given, norm only when it differs, the flag. */
static void
s_check_field(Hub__Field *f, const char *raw, uint32_t bad_flag)
{
    if (!*raw) {
        FUZZ_CHECK(f == NULL);
        return;
    }
    FUZZ_CHECK(f && f->raw && strcmp(f->raw, raw) == 0);
    FUZZ_CHECK(!f->norm || (*f->norm && strcmp(f->norm, raw) != 0));
    if (f->has_flags && (f->flags & bad_flag))
        FUZZ_CHECK(bad_flag == HUB__FIELD_FLAG__FIELD_UNMAPPED || f->norm == NULL);
    hub__field__free_unpacked(f, NULL);
}

static void
s_fields(const char *text)
{
    s_check_field(adp_field_text(text), text, 0);
    s_check_field(adp_field_idno(text), text, HUB__FIELD_FLAG__FIELD_INVALID);
    s_check_field(adp_field_date(text), text, HUB__FIELD_FLAG__FIELD_INVALID);
    s_check_field(adp_field_phone(text), text, HUB__FIELD_FLAG__FIELD_INVALID);
    s_check_field(adp_field_gender(text), text, HUB__FIELD_FLAG__FIELD_INVALID);
}

/* Community names, `、`-separated: norm is the codes found, comma-joined. */
static void
s_field_community(const char *text)
{
    Hub__Field *f = adp_field_community(s_builtin, text);
    if (!*text) {
        FUZZ_CHECK(f == NULL);
        return;
    }
    FUZZ_CHECK(f && strcmp(f->raw, text) == 0);
    const char *codes = f->norm ? f->norm : (f->has_flags && f->flags ? "" : f->raw);
    for (const char *c = codes; *c;) {
        size_t n = strcspn(c, ",");
        FUZZ_CHECK(n == 12 && s_digits(c, 12));
        c += n + (c[n] == ',');
    }
    hub__field__free_unpacked(f, NULL);
}

/* Time stamps: a result is the same instant written in UTC. */
static void
s_time(const char *text)
{
    int64_t when = adp_time_epoch(text);
    if (when == 0)
        return;
    time_t t = (time_t)when;
    struct tm tm;
    FUZZ_CHECK(gmtime_r(&t, &tm) != NULL);
    if (tm.tm_year + 1900 < 1000 || tm.tm_year + 1900 > 9998)
        return;   /* the form has four-digit years; an offset can step out of them */
    char utc[40];
    strftime(utc, sizeof utc, "%Y-%m-%dT%H:%M:%SZ", &tm);
    FUZZ_CHECK(adp_time_epoch(utc) == when);
}

/* Dates: a result is midnight China Standard Time of a real date. */
static void
s_day(const char *text)
{
    int64_t when = adp_day_epoch(text);
    if (when == 0)
        return;
    char ymd[11], first[11];
    snprintf(first, sizeof first, "%s", text);
    FUZZ_CHECK(norm_date(first, ymd) && strcmp(ymd, first) == 0);
    FUZZ_CHECK((when + 8 * 3600) % 86400 == 0);
    time_t t = (time_t)(when + 8 * 3600);
    struct tm tm;
    FUZZ_CHECK(gmtime_r(&t, &tm) != NULL);
    char back[16];
    snprintf(back, sizeof back, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    FUZZ_CHECK(strcmp(back, ymd) == 0);
}

static void
s_escaped(const uint8_t *data, size_t size, int which)
{
    static const char *const encodings[] = {"UTF-8", "GB18030", "GBK", NULL, "NO-SUCH-ENCODING"};
    const char *enc = encodings[which % 5];
    char *out = adp_to_utf8_escaped(enc, (const char *)data, size);
    FUZZ_CHECK(fuzz_utf8(out, strlen(out)));
    /* nothing lost: UTF-8 is copied or escaped byte by byte; from GB18030
    ** a character of 4 bytes can become 2 */
    FUZZ_CHECK(adp_encoding_is_utf8(enc) ? strlen(out) >= size : 2 * strlen(out) >= size);
    free(out);
}

/* The civil-affairs key of six fields split at NUL bytes. */
static void
s_civil_key(const uint8_t *data, size_t size)
{
    char *all = fuzz_string(data, size), *part[6];
    char *p = all;
    for (int i = 0; i < 6; i++) {
        part[i] = p;
        size_t n = strlen(p);
        p += (size_t)(p + n < all + size ? n + 1 : n);
    }
    char key[ADP_CIVIL_KEY_SIZE];
    memset(key, 'Z', sizeof key);
    adp_civil_key(part[0], part[1], *part[2] ? part[2] : NULL, part[3], part[4], part[5], key);
    FUZZ_CHECK(memchr(key, 0, sizeof key) != NULL);
    FUZZ_CHECK(strlen(key) == 19 && strncmp(key, "MZ-", 3) == 0);
    free(all);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int which = data[0] % 11, param = data[1];
    data += 2;
    size -= 2;
    if (which == 9) {
        s_escaped(data, size, param);
        return 0;
    }
    if (which == 10) {
        s_civil_key(data, size);
        return 0;
    }
    char *text = fuzz_string(data, size);
    switch (which) {
    case 0: s_amount(text); break;
    case 1: s_area(text); break;
    case 2: s_count(text, param % 2 ? param : (int64_t)param * 1000); break;
    case 3: s_community_code(text); break;
    case 4: s_fields(text); break;
    case 5: s_field_community(text); break;
    case 6: s_time(text); break;
    case 7: s_day(text); break;
    default: /* 8: each parser once */
        s_amount(text);
        s_area(text);
        s_count(text, 1000);
        s_community_code(text);
        s_time(text);
        s_day(text);
        break;
    }
    free(text);
    return 0;
}
