/* fields.c: hub.Field constructors (see fields.h). */
#define _POSIX_C_SOURCE 200809L
#include "fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "normalize.h"

char *
adp_strdup(const char *s)
{
    return HUB_CHECK_ALLOC(strdup(s));
}

void *
adp_alloc(size_t size)
{
    return HUB_CHECK_ALLOC(malloc(size ? size : 1));
}

Hub__Field *
adp_field(const char *raw, const char *norm, uint32_t flags)
{
    if (!raw || !*raw)
        return NULL;
    Hub__Field *f = HUB_CHECK_ALLOC(malloc(sizeof *f));
    hub__field__init(f);
    f->raw = adp_strdup(raw);
    if (norm && *norm && strcmp(norm, raw) != 0)
        f->norm = adp_strdup(norm);
    if (flags) {
        f->has_flags = 1;
        f->flags = flags;
    }
    return f;
}

Hub__Field *
adp_field_text(const char *raw)
{
    if (!raw || !*raw)
        return NULL;
    size_t cap = strlen(raw) + 1;
    char *norm = HUB_CHECK_ALLOC(malloc(cap));
    norm_text(raw, norm, cap);
    Hub__Field *f = adp_field(raw, norm, 0);
    free(norm);
    return f;
}

Hub__Field *
adp_field_idno(const char *raw)
{
    char canon[NORM_IDNO_SIZE];
    if (!raw || !*raw)
        return NULL;
    bool ok = norm_idno(raw, canon) == NORM_IDNO_VALID;
    return adp_field(raw, ok ? canon : NULL, ok ? 0 : HUB__FIELD_FLAG__FIELD_INVALID);
}

Hub__Field *
adp_field_date(const char *raw)
{
    char ymd[11];
    if (!raw || !*raw)
        return NULL;
    bool ok = norm_date(raw, ymd);
    return adp_field(raw, ok ? ymd : NULL, ok ? 0 : HUB__FIELD_FLAG__FIELD_INVALID);
}

Hub__Field *
adp_field_phone(const char *raw)
{
    if (!raw || !*raw)
        return NULL;
    char digits[64];
    bool ok = norm_phone(raw, digits, sizeof digits);
    return adp_field(raw, ok ? digits : NULL, ok ? 0 : HUB__FIELD_FLAG__FIELD_INVALID);
}

Hub__Field *
adp_field_gender(const char *raw)
{
    if (!raw || !*raw)
        return NULL;
    char mf[2] = {0, 0};
    bool ok = norm_gender(raw, &mf[0]);
    return adp_field(raw, ok ? mf : NULL, ok ? 0 : HUB__FIELD_FLAG__FIELD_INVALID);
}

Hub__Field *
adp_field_community(const adp_communities_t *list, const char *raw)
{
    if (!raw || !*raw)
        return NULL;
    size_t cap = strlen(raw) * 2 + 32;
    char *codes = HUB_CHECK_ALLOC(calloc(1, cap)), *copy = adp_strdup(raw);
    bool unmapped = false;
    const char *sep = "、";
    char *part = copy;
    for (;;) {
        char *next = strstr(part, sep);
        if (next)
            *next = 0;
        const char *code = adp_community_code(list, part);
        if (code) {
            if (*codes)
                strcat(codes, ",");
            strcat(codes, code);
        } else {
            unmapped = true;
        }
        if (!next)
            break;
        part = next + strlen(sep);
    }
    Hub__Field *f = adp_field(raw, codes, unmapped ? HUB__FIELD_FLAG__FIELD_UNMAPPED : 0);
    free(codes);
    free(copy);
    return f;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's
** days_from_civil). */
static int64_t
s_days(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Exactly n ASCII digits at p into *out. */
static bool
s_digits(const char *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

/* YYYY-MM-DDTHH:MM[:SS[.fff]] then Z or an offset +HH:MM, +HHMM or +HH
** (or -); without one, China Standard Time (the district's). 'T' may be
** 't' or a space. False when the text is not one. */
static bool
s_instant(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec = 0, sign = 1, oh = 8, om = 0;
    if (!s || !s_digits(s, 4, &y) || s[4] != '-' || !s_digits(s + 5, 2, &mo) || s[7] != '-'
        || !s_digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        || !s_digits(s + 11, 2, &h) || s[13] != ':' || !s_digits(s + 14, 2, &mi))
        return false;
    const char *p = s + 16;
    if (*p == ':') {
        if (!s_digits(p + 1, 2, &sec))
            return false;
        p += 3;
        if (*p == '.' || *p == ',') {
            if (*++p < '0' || *p > '9')
                return false;
            while (*p >= '0' && *p <= '9')
                p++;
        }
    }
    if (*p == 'Z' || *p == 'z') {
        oh = 0;
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p++ == '+' ? 1 : -1;
        if (!s_digits(p, 2, &oh))
            return false;
        p += 2;
        if (*p == ':')
            p++;
        if (*p) {
            if (!s_digits(p, 2, &om))
                return false;
            p += 2;
        }
    }
    char ymd[11], check[11];
    memcpy(ymd, s, 10);
    ymd[10] = '\0';
    if (*p || h > 23 || mi > 59 || sec > 60 || oh > 23 || om > 59 || !norm_date(ymd, check))
        return false;
    int64_t utc_midnight = adp_day_epoch(ymd) + 8 * 3600;
    *out = utc_midnight + h * 3600 + mi * 60 + sec - sign * (oh * 3600 + om * 60);
    return true;
}

int64_t
adp_time_epoch(const char *text)
{
    char tidy[64];
    int64_t when;
    if (!text)
        return 0;
    norm_text(text, tidy, sizeof tidy);
    return s_instant(tidy, &when) ? when : 0;
}

int64_t
adp_day_epoch(const char *ymd)
{
    int y, m, d;
    char check[11];
    if (!ymd || !s_digits(ymd, 4, &y) || ymd[4] != '-' || !s_digits(ymd + 5, 2, &m) || ymd[7] != '-'
        || !s_digits(ymd + 8, 2, &d) || ymd[10] || !norm_date(ymd, check))
        return 0;
    return s_days(y, m, d) * 86400 - 8 * 3600;
}
