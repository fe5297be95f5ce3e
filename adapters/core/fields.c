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

int64_t
adp_time_epoch(const char *text)
{
    char tidy[64];
    int y, mo, d, h, mi, s, n = 0;
    if (!text)
        return 0;
    norm_text(text, tidy, sizeof tidy);
    if (sscanf(tidy, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6)
        return 0;
    char ymd[16], checked[11];
    snprintf(ymd, sizeof ymd, "%04d-%02d-%02d", y, mo, d);
    if (!norm_date(ymd, checked) || h > 23 || mi > 59 || s > 60)
        return 0;
    const char *z = tidy + n;
    if (*z == '.')   /* fractional seconds */
        for (z++; *z >= '0' && *z <= '9'; z++)
            ;
    int64_t offset = 8 * 3600;
    int oh, om;
    if (*z == 'Z' && !z[1])
        offset = 0;
    else if ((*z == '+' || *z == '-') && (sscanf(z + 1, "%2d:%2d", &oh, &om) == 2 || sscanf(z + 1, "%2d%2d", &oh, &om) == 2))
        offset = (*z == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    else if (*z)
        return 0;
    return s_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
}

int64_t
adp_day_epoch(const char *ymd)
{
    int y, m, d;
    if (!ymd || sscanf(ymd, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return 0;
    return s_days(y, m, d) * 86400 - 8 * 3600;
}
