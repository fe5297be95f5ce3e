/* civilkey.c: the derived civil-affairs record key (see civilkey.h). */
#include "civilkey.h"

#include <sodium.h>
#include <stdio.h>
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
