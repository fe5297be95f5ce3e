/*
** normalize.c: pure normalisers for values as departments type them:
** resident identity numbers (GB 11643-1999, 15 and 18 characters), free
** text, phone numbers, dates and gender codes.
**
** Input is UTF-8 (adapters transcode GBK and GB18030 before calling).
** Bytes that are not well-formed UTF-8 are carried through unchanged, and
** nothing is read past a string's terminating NUL.
**
** Limits: no I/O, no allocation, no global state. Only full-width ASCII
** (U+FF01..U+FF5E) and the ideographic space U+3000 are folded; other
** Unicode look-alikes (no-break space, other scripts' digits) are left as
** they are. A region code is checked at province level only. "Today", the
** latest plausible birth date, is the calendar date in China Standard Time
** (UTC+8, no daylight saving) by the system clock; if the clock cannot be
** read, birth dates are not checked against it.
*/
#define _POSIX_C_SOURCE 200809L

#include "normalize.h"

#include <assert.h>
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
