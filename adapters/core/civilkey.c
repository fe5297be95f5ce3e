/* civilkey.c: the derived civil-affairs record key (see civilkey.h). */
#include "civilkey.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

static void
s_tidy(const char *raw, char *out, size_t cap)
{
    norm_key(raw ? raw : "", out, cap);
}

void
adp_civil_key(const char *idno_raw, const char *name, const char *community_code,
              const char *community_raw, const char *address, const char *category,
              char out[ADP_CIVIL_KEY_SIZE])
{
    char idno[NORM_IDNO_SIZE], a[512], b[512], c[512], cat[128], text[2200];
    s_tidy(category, cat, sizeof cat);
    norm_name(name ? name : "", a, sizeof a);
    if (idno_raw && norm_idno(idno_raw, idno) == NORM_IDNO_VALID) {
        snprintf(text, sizeof text, "id:%s|%s|%s", idno, a, cat);
    } else {
        s_tidy(community_code ? community_code : community_raw, b, sizeof b);
        s_tidy(address, c, sizeof c);
        snprintf(text, sizeof text, "nm:%s|%s|%s|%s", a, b, c, cat);
    }
    unsigned char digest[8];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)text, strlen(text), NULL, 0);
    char hex[17];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    snprintf(out, ADP_CIVIL_KEY_SIZE, "MZ-%s", hex);
}

bool
adp_civil_number_theirs(const char *idno_raw, const char *gender_raw, const char *age_raw, int year)
{
    char idno[NORM_IDNO_SIZE], t[64], birth[11];
    if (!idno_raw || norm_idno(idno_raw, idno) != NORM_IDNO_VALID)
        return false;
    norm_key(gender_raw ? gender_raw : "", t, sizeof t);
    char g = !strcmp(t, "男") ? 'M' : !strcmp(t, "女") ? 'F' : 0;
    if (g && g != norm_idno_gender(idno))
        return true;
    norm_key(age_raw ? age_raw : "", t, sizeof t);
    size_t n = strlen(t);
    if (n >= 3 && !strcmp(t + n - 3, "岁"))
        t[n - 3] = 0;
    if (!t[0] || strspn(t, "0123456789") != strlen(t) || strlen(t) > 3 || year <= 0)
        return false;
    norm_idno_birth(idno, birth);
    int born = atoi(birth), age = atoi(t), lo = year - age - 1, hi = year - age;
    return born < lo - 2 || born > hi + 2;
}
