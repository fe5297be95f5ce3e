/*
** normalize.c: pure normalisers for values as departments type them:
** resident identity numbers (GB 11643-1999, 15 and 18 characters), free
** text, phone numbers, dates, gender codes, and personal names (simplified
** script, spacing, the middle dot, toneless pinyin, homophone matching).
**
** Input is UTF-8 (adapters transcode GBK and GB18030 before calling).
** Bytes that are not well-formed UTF-8 are carried through unchanged, and
** nothing is read past a string's terminating NUL.
**
** Limits: no I/O, no allocation, no global state (the Unihan tables of
** unihan.h are read-only data generated at build time). Only full-width ASCII
** (U+FF01..U+FF5E) and the ideographic space U+3000 are folded; other
** Unicode look-alikes (no-break space, other scripts' digits) are left as
** they are. A region code is checked at province level only. "Today", the
** latest plausible birth date, is the calendar date in China Standard Time
** (UTC+8, no daylight saving) by the system clock; if the clock cannot be
** read, birth dates are not checked against it.
*/
#define _POSIX_C_SOURCE 200809L

#include "normalize.h"
#include "unihan.h"

#include <assert.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#define S_INVALID_CP   0xFFFFFFFFu  /* a byte that starts no UTF-8 character */
#define S_IDEO_SPACE   0x3000u      /* U+3000 IDEOGRAPHIC SPACE */
#define S_FW_FIRST     0xFF01u      /* U+FF01 FULLWIDTH EXCLAMATION MARK */
#define S_FW_LAST      0xFF5Eu      /* U+FF5E FULLWIDTH TILDE */
#define S_FW_OFFSET    0xFEE0u      /* full-width code point - ASCII */
#define S_CP_NIAN      0x5E74u      /* 年 year */
#define S_CP_YUE       0x6708u      /* 月 month */
#define S_CP_RI        0x65E5u      /* 日 day */

/* ---------------------------------------------------------------------- */
/* Characters                                                              */

/* Decode the UTF-8 character at p, which is not at the NUL. Sets *cp to its
** code point and returns its length in bytes; a byte that does not start a
** well-formed, shortest-form sequence is returned alone as S_INVALID_CP. */
static size_t
s_decode(const unsigned char *p, uint32_t *cp)
{
    size_t len;
    uint32_t min;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        len = 2, min = 0x80, *cp = p[0] & 0x1Fu;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        len = 3, min = 0x800, *cp = p[0] & 0x0Fu;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        len = 4, min = 0x10000, *cp = p[0] & 0x07u;
    } else {
        *cp = S_INVALID_CP;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0u) != 0x80u) {  /* also stops at the NUL */
            *cp = S_INVALID_CP;
            return 1;
        }
        *cp = (*cp << 6) | (p[i] & 0x3Fu);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) {
        *cp = S_INVALID_CP;
        return 1;
    }
    return len;
}

/* ASCII whitespace or U+3000. */
static bool
s_is_space(uint32_t cp)
{
    return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == S_IDEO_SPACE;
}

/* Full-width ASCII to ASCII; any other code point unchanged. */
static uint32_t
s_fold(uint32_t cp)
{
    return cp >= S_FW_FIRST && cp <= S_FW_LAST ? cp - S_FW_OFFSET : cp;
}

/* The folded code point at p and, in *len, its length in bytes; 0 (and
** *len 0) at the NUL. */
static uint32_t
s_peek(const unsigned char *p, size_t *len)
{
    uint32_t cp;
    if (*p == '\0') {
        *len = 0;
        return 0;
    }
    *len = s_decode(p, &cp);
    return s_fold(cp);
}

/* p advanced past any whitespace. */
static const unsigned char *
s_skip_space(const unsigned char *p)
{
    size_t len;
    while (*p != '\0' && s_is_space(s_peek(p, &len)))
        p += len;
    return p;
}

/* Value of an ASCII or full-width digit, or -1. */
static int
s_digit_value(uint32_t cp)
{
    cp = s_fold(cp);
    return cp >= '0' && cp <= '9' ? (int)(cp - '0') : -1;
}

/* Bytes that stand for code point cp, read as src_len bytes at src: cp
** itself when ASCII (possibly folded), else the source bytes. Returns the
** length, 1..4. */
static size_t
s_unit(uint32_t cp, const unsigned char *src, size_t src_len, char unit[4])
{
    if (cp < 0x80) {
        unit[0] = (char)cp;
        return 1;
    }
    memcpy(unit, src, src_len);
    return src_len;
}

/* ---------------------------------------------------------------------- */
/* Dates                                                                   */

static bool
s_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* True when year-month-day is a real Gregorian date, years 1..9999. */
static bool
s_is_real_date(int year, int month, int day)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1)
        return false;
    int last = days[month - 1] + (month == 2 && s_is_leap(year) ? 1 : 0);
    return day <= last;
}

/* Today in China Standard Time as YYYYMMDD, or 99991231 when the clock
** cannot be read. */
static long
s_today_cst(void)
{
    time_t now = time(NULL);
    struct tm tm;
    if (now == (time_t)-1)
        return 99991231L;
    now += 8 * 60 * 60;
    if (gmtime_r(&now, &tm) == NULL)
        return 99991231L;
    return (tm.tm_year + 1900L) * 10000L + (tm.tm_mon + 1) * 100L + tm.tm_mday;
}

/* Value of n ASCII digits at s; the caller guarantees them. */
static int
s_ascii_number(const char *s, size_t n)
{
    int value = 0;
    for (size_t i = 0; i < n; i++)
        value = value * 10 + (s[i] - '0');
    return value;
}

/* Read min..max digits (ASCII or full-width) at *pp into *value and advance
** *pp past them. False, with *pp unchanged, when there are fewer than min. */
static bool
s_read_number(const unsigned char **pp, int min, int max, int *value)
{
    const unsigned char *p = *pp;
    int count = 0;
    size_t len;
    *value = 0;
    while (count < max) {
        int digit = s_digit_value(s_peek(p, &len));
        if (digit < 0)
            break;
        *value = *value * 10 + digit;
        p += len;
        count++;
    }
    if (count < min)
        return false;
    *pp = p;
    return true;
}

/* Consume code point cp at *pp if it is there. */
static bool
s_accept(const unsigned char **pp, uint32_t cp)
{
    size_t len;
    if (**pp == '\0' || s_peek(*pp, &len) != cp)
        return false;
    *pp += len;
    return true;
}

/* True when what follows a date is nothing but whitespace, or a time of day
** starting H:MM or HH:MM after 'T' or whitespace. */
static bool
s_date_tail_ok(const unsigned char *p)
{
    const unsigned char *q = s_skip_space(p);
    int hour, minute;
    if (*q == '\0')
        return true;
    if (q == p && !s_accept(&q, 'T') && !s_accept(&q, 't'))
        return false;
    return s_read_number(&q, 1, 2, &hour) && hour <= 23
        && s_accept(&q, ':')
        && s_read_number(&q, 2, 2, &minute) && minute <= 59;
}

/* ---------------------------------------------------------------------- */
/* Identity numbers                                                        */

static const char *const s_idno_texts[] = {
#define X(name, text) [NORM_IDNO_##name] = text,
    NORM_IDNO_STATUSES(X)
#undef X
};

const char *
norm_idno_strerror(norm_idno_status_t status)
{
    size_t index = (size_t)status;
    if (index < sizeof s_idno_texts / sizeof s_idno_texts[0])
        return s_idno_texts[index];
    return "unknown identity number status";
}

/* True when the two ASCII digits at s are a province-level region code. */
static bool
s_region_ok(const char *s)
{
    int p = s_ascii_number(s, 2);
    return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37)
        || (p >= 41 && p <= 46) || (p >= 50 && p <= 54) || (p >= 61 && p <= 65)
        || p == 71 || p == 81 || p == 82 || p == 83;
}

/* True when the 8 ASCII digits at s are a real date, 1900-01-01..today. */
static bool
s_birth_ok(const char *s)
{
    int year = s_ascii_number(s, 4);
    int month = s_ascii_number(s + 4, 2);
    int day = s_ascii_number(s + 6, 2);
    long date = year * 10000L + month * 100L + day;
    return s_is_real_date(year, month, day)
        && date >= 19000101L && date <= s_today_cst();
}

char
norm_idno_check_char(const char *first17)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    assert(first17 != NULL);
    int sum = 0;
    for (size_t i = 0; i < 17; i++) {
        assert(first17[i] >= '0' && first17[i] <= '9');
        sum += (first17[i] - '0') * weights[i];
    }
    return "10X98765432"[sum % 11];
}

norm_idno_status_t
norm_idno(const char *raw, char out[NORM_IDNO_SIZE])
{
    assert(out != NULL);
    const unsigned char *p = (const unsigned char *)(raw != NULL ? raw : "");
    size_t written = 0;     /* bytes in out */
    size_t count = 0;       /* characters in the cleaned form */
    size_t x_count = 0, x_at = 0;
    bool bad_char = false, full = false;

    while (*p != '\0') {
        uint32_t cp;
        size_t len = s_decode(p, &cp);
        if (s_is_space(cp)) {
            p += len;
            continue;
        }
        if (cp >= 0xFF10 && cp <= 0xFF19)
            cp -= S_FW_OFFSET;
        else if (cp == 'x' || cp == 0xFF38 || cp == 0xFF58)
            cp = 'X';
        if (cp == 'X') {
            x_count++;
            x_at = count;
        } else if (cp < '0' || cp > '9') {
            bad_char = true;
        }

        char unit[4];
        size_t unit_len = s_unit(cp, p, len, unit);
        if (!full && written + unit_len < NORM_IDNO_SIZE) {
            memcpy(out + written, unit, unit_len);
            written += unit_len;
        } else {
            full = true;
        }
        count++;
        p += len;
    }
    out[written] = '\0';

    if (count == 0)
        return NORM_IDNO_EMPTY;
    if (bad_char || x_count > 1
        || (x_count == 1 && (x_at != count - 1 || count == 15)))
        return NORM_IDNO_BAD_CHAR;
    if (count != 15 && count != 18)
        return NORM_IDNO_BAD_LENGTH;
    /* From here out holds count ASCII digits (and a final X if 18). */
    if (!s_region_ok(out))
        return NORM_IDNO_BAD_REGION;
    if (count == 15) {
        char id18[19];
        memcpy(id18, out, 6);
        memcpy(id18 + 6, "19", 2);
        memcpy(id18 + 8, out + 6, 9);
        if (!s_birth_ok(id18 + 6))
            return NORM_IDNO_BAD_BIRTH;
        id18[17] = norm_idno_check_char(id18);
        id18[18] = '\0';
        memcpy(out, id18, sizeof id18);
        return NORM_IDNO_VALID;
    }
    if (!s_birth_ok(out + 6))
        return NORM_IDNO_BAD_BIRTH;
    if (out[17] != norm_idno_check_char(out))
        return NORM_IDNO_BAD_CHECK;
    return NORM_IDNO_VALID;
}

void
norm_idno_birth(const char *idno18, char out[11])
{
    assert(idno18 != NULL && out != NULL);
    memcpy(out, idno18 + 6, 4);
    out[4] = '-';
    memcpy(out + 5, idno18 + 10, 2);
    out[7] = '-';
    memcpy(out + 8, idno18 + 12, 2);
    out[10] = '\0';
}

char
norm_idno_gender(const char *idno18)
{
    assert(idno18 != NULL);
    assert(idno18[16] >= '0' && idno18[16] <= '9');
    return (idno18[16] - '0') % 2 == 1 ? 'M' : 'F';
}

/* ---------------------------------------------------------------------- */
/* Text, phones, dates, gender                                             */

/* norm_text, also setting *needed to the length the whole result needs,
** so callers can tell a cut result from a complete one. */
static size_t
s_text(const char *raw, char *out, size_t cap, size_t *needed)
{
    const unsigned char *p = (const unsigned char *)(raw != NULL ? raw : "");
    size_t written = 0, need = 0;
    bool space = false, full = false;

    while (*p != '\0') {
        uint32_t cp;
        size_t len = s_decode(p, &cp);
        if (s_is_space(cp)) {
            space = need > 0;  /* leading spaces are dropped */
            p += len;
            continue;
        }
        char unit[4];
        size_t unit_len = s_unit(s_fold(cp), p, len, unit);
        size_t add = unit_len + (space ? 1 : 0);
        if (!full && written + add < cap) {
            if (space)
                out[written++] = ' ';
            memcpy(out + written, unit, unit_len);
            written += unit_len;
        } else {
            full = true;
        }
        need += add;
        space = false;
        p += len;
    }
    if (cap > 0)
        out[written] = '\0';
    if (needed != NULL)
        *needed = need;
    return written;
}

size_t
norm_text(const char *raw, char *out, size_t cap)
{
    assert(out != NULL || cap == 0);
    return s_text(raw, out, cap, NULL);
}

bool
norm_phone(const char *raw, char *out, size_t cap)
{
    assert(out != NULL || cap == 0);
    const unsigned char *p;
    char head[5] = {0};     /* the first digits, to spot a country prefix */
    size_t digits = 0, skip = 0, written = 0;

    for (p = (const unsigned char *)(raw != NULL ? raw : ""); *p != '\0';) {
        uint32_t cp;
        p += s_decode(p, &cp);
        int digit = s_digit_value(cp);
        if (digit < 0)
            continue;
        if (digits < sizeof head)
            head[digits] = (char)('0' + digit);
        digits++;
    }
    if (digits == 15 && memcmp(head, "00861", 5) == 0)
        skip = 4;
    else if (digits == 13 && memcmp(head, "861", 3) == 0)
        skip = 2;

    size_t seen = 0;
    for (p = (const unsigned char *)(raw != NULL ? raw : ""); *p != '\0';) {
        uint32_t cp;
        p += s_decode(p, &cp);
        int digit = s_digit_value(cp);
        if (digit < 0 || seen++ < skip)
            continue;
        if (written + 1 >= cap)
            break;
        out[written++] = (char)('0' + digit);
    }
    if (cap > 0)
        out[written] = '\0';

    size_t kept = digits - skip;
    return kept >= 7 && kept <= 12 && written == kept;
}

bool
norm_date(const char *raw, char out[11])
{
    assert(out != NULL);
    const unsigned char *p = (const unsigned char *)(raw != NULL ? raw : "");
    int year, month, day;
    size_t len;

    out[0] = '\0';
    p = s_skip_space(p);
    if (!s_read_number(&p, 4, 4, &year))
        return false;
    uint32_t sep = s_peek(p, &len);
    if (s_digit_value(sep) >= 0) {
        if (!s_read_number(&p, 2, 2, &month) || !s_read_number(&p, 2, 2, &day))
            return false;
    } else if (sep == '-' || sep == '/' || sep == '.') {
        p += len;
        if (!s_read_number(&p, 1, 2, &month) || !s_accept(&p, sep)
            || !s_read_number(&p, 1, 2, &day))
            return false;
    } else if (sep == S_CP_NIAN) {
        p += len;
        if (!s_read_number(&p, 1, 2, &month) || !s_accept(&p, S_CP_YUE)
            || !s_read_number(&p, 1, 2, &day))
            return false;
        (void)s_accept(&p, S_CP_RI);
    } else {
        return false;
    }
    if (!s_date_tail_ok(p) || !s_is_real_date(year, month, day))
        return false;

    out[0] = (char)('0' + year / 1000);
    out[1] = (char)('0' + year / 100 % 10);
    out[2] = (char)('0' + year / 10 % 10);
    out[3] = (char)('0' + year % 10);
    out[4] = '-';
    out[5] = (char)('0' + month / 10);
    out[6] = (char)('0' + month % 10);
    out[7] = '-';
    out[8] = (char)('0' + day / 10);
    out[9] = (char)('0' + day % 10);
    out[10] = '\0';
    return true;
}

bool
norm_gender(const char *raw, char *out_mf)
{
    /* UTF-8 spelled out so the result does not depend on the source or
    ** execution character set. */
    static const char male[] = "\xE7\x94\xB7";    /* 男 U+7537 */
    static const char female[] = "\xE5\xA5\xB3";  /* 女 U+5973 */
    assert(out_mf != NULL);
    char text[8];
    size_t needed;

    *out_mf = '\0';
    s_text(raw, text, sizeof text, &needed);
    if (needed >= sizeof text)
        return false;
    if (strcmp(text, male) == 0 || strcmp(text, "1") == 0
        || strcmp(text, "M") == 0 || strcmp(text, "m") == 0)
        *out_mf = 'M';
    else if (strcmp(text, female) == 0 || strcmp(text, "2") == 0
             || strcmp(text, "F") == 0 || strcmp(text, "f") == 0)
        *out_mf = 'F';
    return *out_mf != '\0';
}

size_t
norm_key(const char *raw, char *out, size_t cap)
{
    if (cap == 0)
        return 0;
    size_t n = norm_text(raw, out, cap), k = 0;
    for (size_t i = 0; i < n; i++)
        if (out[i] != ' ')
            out[k++] = out[i];
    out[k] = 0;
    return k;
}

/* ---------------------------------------------------------------------- */
/* Names and pinyin                                                        */

#define S_MIDDLE_DOT   0x00B7u      /* U+00B7 MIDDLE DOT, the canonical one */

/* What a character of a name is, for spacing and dots. */
typedef enum {
    S_NAME_START,   /* nothing given out yet */
    S_NAME_HAN,     /* a Han character */
    S_NAME_DOT,     /* the middle dot */
    S_NAME_OTHER    /* anything else: Latin, digits, punctuation, bad bytes */
} s_name_class_t;

/* One character of a normalised name. */
typedef struct {
    uint32_t cp;             /* code point, S_INVALID_CP for a stray byte */
    char bytes[4];           /* its UTF-8 (the stray byte itself) */
    size_t len;              /* bytes used, 1..4 */
    s_name_class_t cls;
    bool space_before;       /* norm_name keeps a space before it */
} s_name_char_t;

/* Reads a raw name as the characters of its norm_name form. */
typedef struct {
    const unsigned char *p;  /* next raw byte */
    s_name_class_t prev;     /* class of the last character given out */
} s_name_t;

/* A Han ideograph (the ranges norm_name's contract names). */
static bool
s_is_han(uint32_t cp)
{
    return cp == 0x3007u || (cp >= 0x3400u && cp <= 0x4DBFu)
        || (cp >= 0x4E00u && cp <= 0x9FFFu) || (cp >= 0xF900u && cp <= 0xFAFFu)
        || (cp >= 0x20000u && cp <= 0x3FFFFu);
}

/* A character that stands for the middle dot wherever it is. */
static bool
s_is_dot(uint32_t cp)
{
    switch (cp) {
    case 0x00B7u:   /* MIDDLE DOT */
    case 0x0387u:   /* GREEK ANO TELEIA, canonically equivalent to U+00B7 */
    case 0x2022u:   /* BULLET */
    case 0x2027u:   /* HYPHENATION POINT */
    case 0x2219u:   /* BULLET OPERATOR */
    case 0x22C5u:   /* DOT OPERATOR */
    case 0x2E31u:   /* WORD SEPARATOR MIDDLE DOT */
    case 0x30FBu:   /* KATAKANA MIDDLE DOT */
    case 0xFF65u:   /* HALFWIDTH KATAKANA MIDDLE DOT */
        return true;
    default:
        return false;
    }
}

/* True when the first character at p that is not a space, a dot or '.' is
** a Han character. */
static bool
s_han_follows(const unsigned char *p)
{
    while (*p != '\0') {
        uint32_t cp;
        p += s_decode(p, &cp);
        cp = s_fold(cp);
        if (!s_is_space(cp) && !s_is_dot(cp) && cp != '.')
            return s_is_han(cp);
    }
    return false;
}

/* UTF-8 for a valid code point; returns its length. */
static size_t
s_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80u) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800u) {
        out[0] = (char)(0xC0u | (cp >> 6));
        out[1] = (char)(0x80u | (cp & 0x3Fu));
        return 2;
    }
    if (cp < 0x10000u) {
        out[0] = (char)(0xE0u | (cp >> 12));
        out[1] = (char)(0x80u | ((cp >> 6) & 0x3Fu));
        out[2] = (char)(0x80u | (cp & 0x3Fu));
        return 3;
    }
    out[0] = (char)(0xF0u | (cp >> 18));
    out[1] = (char)(0x80u | ((cp >> 12) & 0x3Fu));
    out[2] = (char)(0x80u | ((cp >> 6) & 0x3Fu));
    out[3] = (char)(0x80u | (cp & 0x3Fu));
    return 4;
}

static void
s_name_init(s_name_t *self, const char *raw)
{
    self->p = (const unsigned char *)(raw != NULL ? raw : "");
    self->prev = S_NAME_START;
}

/* The next character of the name's norm_name form into *c; false at the
** end. */
static bool
s_name_next(s_name_t *self, s_name_char_t *c)
{
    bool spaced = false;
    while (*self->p != '\0') {
        const unsigned char *src = self->p;
        uint32_t cp;
        self->p += s_decode(src, &cp);
        if (s_is_space(cp)) {
            spaced = true;
            continue;
        }
        cp = s_fold(cp);
        if (s_is_dot(cp)
            || (cp == '.' && (self->prev == S_NAME_HAN || self->prev == S_NAME_DOT)
                && s_han_follows(self->p))) {
            if (self->prev == S_NAME_DOT)
                continue;       /* a run of dots is one */
            cp = S_MIDDLE_DOT;
            c->cls = S_NAME_DOT;
        } else if (s_is_han(cp)) {
            cp = unihan_simplified(cp);
            c->cls = S_NAME_HAN;
        } else {
            c->cls = S_NAME_OTHER;
        }
        c->cp = cp;
        if (cp == S_INVALID_CP) {
            c->bytes[0] = (char)src[0];
            c->len = 1;
        } else {
            c->len = s_encode(cp, c->bytes);
        }
        c->space_before = spaced && self->prev == S_NAME_OTHER
                          && c->cls == S_NAME_OTHER;
        self->prev = c->cls;
        return true;
    }
    return false;
}

/* Append a space (when space) and len bytes at s to out, all or nothing:
** once something has not fitted (*full), nothing more is written. */
static void
s_put(char *out, size_t cap, size_t *written, bool *full, bool space,
      const char *s, size_t len)
{
    size_t add = len + (space ? 1 : 0);
    if (*full || *written + add >= cap) {
        *full = true;
        return;
    }
    if (space)
        out[(*written)++] = ' ';
    memcpy(out + *written, s, len);
    *written += len;
}

size_t
norm_name(const char *raw, char *out, size_t cap)
{
    assert(out != NULL || cap == 0);
    s_name_t name;
    s_name_char_t c;
    size_t written = 0;
    bool full = false;

    s_name_init(&name, raw);
    while (s_name_next(&name, &c))
        s_put(out, cap, &written, &full, c.space_before, c.bytes, c.len);
    if (cap > 0)
        out[written] = '\0';
    return written;
}

/* Punctuation and symbols that norm_pinyin drops (c is not Han). */
static bool
s_is_punct(uint32_t cp)
{
    if (cp < 0x80u)
        return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z')
                 || (cp >= 'A' && cp <= 'Z'));
    return cp == S_INVALID_CP
        || cp <= 0xBFu                            /* C1 controls, Latin-1 symbols */
        || cp == 0xD7u || cp == 0xF7u             /* × ÷ */
        || (cp >= 0x2000u && cp <= 0x206Fu)       /* General Punctuation */
        || (cp >= 0x2190u && cp <= 0x23FFu)       /* arrows, maths, technical */
        || (cp >= 0x2E00u && cp <= 0x2E7Fu)       /* Supplemental Punctuation */
        || (cp >= 0x3000u && cp <= 0x303Fu)       /* CJK Symbols and Punctuation */
        || (cp >= 0x30FBu && cp <= 0x30FCu)       /* katakana dot, long sound mark */
        || (cp >= 0xFE10u && cp <= 0xFE1Fu)       /* vertical forms */
        || (cp >= 0xFE30u && cp <= 0xFE6Fu)       /* CJK compatibility, small forms */
        || (cp >= 0xFF00u && cp <= 0xFF65u)       /* full-width left after folding */
        || (cp >= 0xFFE0u && cp <= 0xFFEEu);      /* full-width signs */
}

size_t
norm_pinyin(const char *name, char *out, size_t cap)
{
    assert(out != NULL || cap == 0);
    s_name_t cursor;
    s_name_char_t c;
    size_t written = 0;
    bool full = false;
    bool word_ended = false;    /* the next letter starts a new word */

    s_name_init(&cursor, name);
    while (s_name_next(&cursor, &c)) {
        if (c.cls == S_NAME_HAN) {
            const char *reading = unihan_pinyin(c.cp);
            const char *s = c.bytes;
            size_t len = c.len;
            if (reading != NULL) {
                const char *end = strchr(reading, ' ');
                s = reading;
                len = end != NULL ? (size_t)(end - reading) : strlen(reading);
            }
            s_put(out, cap, &written, &full, written > 0, s, len);
            word_ended = true;
        } else if (c.cls == S_NAME_DOT) {
            word_ended = true;
        } else if (!s_is_punct(c.cp)) {
            char letter = c.bytes[0];
            if (c.cp >= 'A' && c.cp <= 'Z')
                letter = (char)(c.cp - 'A' + 'a');
            bool space = written > 0 && (word_ended || c.space_before);
            s_put(out, cap, &written, &full, space,
                  c.len == 1 ? &letter : c.bytes, c.len);
            word_ended = false;
        }
    }
    if (cap > 0)
        out[written] = '\0';
    return written;
}

/* True when the space-separated list of readings has the word w (len
** bytes) in it. */
static bool
s_has_reading(const char *list, const char *w, size_t len)
{
    while (*list != '\0') {
        const char *end = strchr(list, ' ');
        size_t n = end != NULL ? (size_t)(end - list) : strlen(list);
        if (n == len && memcmp(list, w, len) == 0)
            return true;
        list += n;
        while (*list == ' ')
            list++;
    }
    return false;
}

/* True when two Han characters share a reading. */
static bool
s_share_reading(uint32_t a, uint32_t b)
{
    const char *ra = unihan_pinyin(a), *rb = unihan_pinyin(b);
    if (ra == NULL || rb == NULL)
        return false;
    while (*ra != '\0') {
        const char *end = strchr(ra, ' ');
        size_t n = end != NULL ? (size_t)(end - ra) : strlen(ra);
        if (s_has_reading(rb, ra, n))
            return true;
        ra += n;
        while (*ra == ' ')
            ra++;
    }
    return false;
}

/* True when two characters of normalised names sound alike. */
static bool
s_sound_alike(const s_name_char_t *a, const s_name_char_t *b)
{
    if (a->space_before != b->space_before)
        return false;
    if (a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0)
        return true;
    if (a->cls == S_NAME_HAN && b->cls == S_NAME_HAN)
        return s_share_reading(a->cp, b->cp);
    if (a->cp < 0x80u && b->cp < 0x80u) {
        uint32_t la = a->cp >= 'A' && a->cp <= 'Z' ? a->cp - 'A' + 'a' : a->cp;
        uint32_t lb = b->cp >= 'A' && b->cp <= 'Z' ? b->cp - 'A' + 'a' : b->cp;
        return la == lb;
    }
    return false;
}

bool
norm_pinyin_match(const char *name_a, const char *name_b)
{
    s_name_t a, b;
    s_name_char_t ca, cb;
    size_t count = 0;

    s_name_init(&a, name_a);
    s_name_init(&b, name_b);
    for (;;) {
        bool more_a = s_name_next(&a, &ca);
        bool more_b = s_name_next(&b, &cb);
        if (!more_a || !more_b)
            return more_a == more_b && count > 0;
        if (!s_sound_alike(&ca, &cb))
            return false;
        count++;
    }
}

/* The ways character c sounds (norm_sound_keys): its readings, else its
** lower-case letter, else its bytes; written space-separated into out. */
static void
s_sounds(const s_name_char_t *c, char *out, size_t cap)
{
    const char *readings = c->cls == S_NAME_HAN ? unihan_pinyin(c->cp) : NULL;
    char letter = (char)(c->cp >= 'A' && c->cp <= 'Z' ? c->cp - 'A' + 'a' : c->cp);
    if (readings)
        snprintf(out, cap, "%s%s", c->space_before ? "_" : "", readings);
    else if (c->cp < 0x80u)
        snprintf(out, cap, "%s%c", c->space_before ? "_" : "", letter);
    else
        snprintf(out, cap, "%s%.*s", c->space_before ? "_" : "", (int)c->len, c->bytes);
    if (c->space_before && readings)   /* the mark on every reading */
        for (char *p = out; (p = strchr(p, ' ')) != NULL;) {
            size_t rest = strlen(p);
            if (rest + 2 > cap - (size_t)(p - out))
                break;
            memmove(p + 2, p + 1, rest);
            p[1] = '_';
            p += 2;
        }
}

size_t
norm_sound_keys(const char *name, char keys[][NORM_SOUND_KEY], size_t max, bool *many)
{
    s_name_t cursor;
    s_name_char_t c, first[2];
    size_t count = 0;
    *many = false;
    s_name_init(&cursor, name);
    while (s_name_next(&cursor, &c))
        if (count++ < 2)
            first[count - 1] = c;
    if (count == 0)
        return 0;
    char sa[NORM_SOUND_KEY * 2], sb[NORM_SOUND_KEY * 2] = "";
    s_sounds(&first[0], sa, sizeof sa);
    if (count > 1)
        s_sounds(&first[1], sb, sizeof sb);
    size_t n = 0;
    for (char *a = sa, *ae; *a; a = *ae ? ae + 1 : ae) {
        ae = a + strcspn(a, " ");
        for (char *b = sb, *be = sb;; b = be + 1) {
            be = b + strcspn(b, " ");
            if (n == max) {
                *many = true;
                return 0;
            }
            snprintf(keys[n++], NORM_SOUND_KEY, "%zu:%.*s|%.*s", count, (int)(ae - a), a, (int)(be - b), b);
            if (!*be)
                break;
        }
    }
    return n;
}

size_t
norm_display_width(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        uint32_t c = *p;
        int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        c &= more == 3 ? 0x07 : more == 2 ? 0x0F : more == 1 ? 0x1F : 0x7F;
        for (p++; more-- && (*p & 0xC0) == 0x80; p++)
            c = (c << 6) | (*p & 0x3F);
        w += (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3)
                     || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60)
                     || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD)
                 ? 2 : 1;
    }
    return w;
}

