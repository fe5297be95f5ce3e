/* encoding.c: decode with iconv, escaping what cannot be decoded (see encoding.h). */
#define _POSIX_C_SOURCE 200809L
#include "encoding.h"

#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"

bool
adp_encoding_is_utf8(const char *encoding)
{
    return !encoding || strcasecmp(encoding, "UTF-8") == 0 || strcasecmp(encoding, "UTF8") == 0;
}

size_t
adp_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        size_t more;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            more = 1, min = 0x80, cp = c & 0x1Fu;
        else if (c >= 0xE0 && c <= 0xEF)
            more = 2, min = 0x800, cp = c & 0x0Fu;
        else if (c >= 0xF0 && c <= 0xF4)
            more = 3, min = 0x10000, cp = c & 0x07u;
        else
            return i;
        if (len - i <= more)
            return i;
        for (size_t k = 1; k <= more; k++) {
            if ((p[i + k] & 0xC0u) != 0x80u)
                return i;
            cp = (cp << 6) | (p[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += more + 1;
    }
    return len;
}

char *
adp_to_utf8_escaped(const char *encoding, const char *raw, size_t len)
{
    size_t cap = len * 4 + 16;   /* worst case: every byte escaped as \xHH */
    char *out = HUB_CHECK_ALLOC(malloc(cap)), *o = out;
    size_t left = cap - 1;
    bool utf8 = adp_encoding_is_utf8(encoding);
    iconv_t cd = utf8 ? (iconv_t)-1 : iconv_open("UTF-8", encoding);
    const char *in = raw, *end = raw + len;
    while (in < end) {
        /* decode up to the next NUL or undecodable byte, then escape that byte */
        const char *nul = memchr(in, 0, (size_t)(end - in));
        size_t run = nul ? (size_t)(nul - in) : (size_t)(end - in), done = 0;
        if (utf8) {
            done = adp_utf8_valid(in, run);
            memcpy(o, in, done);
            o += done;
            left -= done;
        } else if (cd != (iconv_t)-1) {
            char *p = (char *)in;
            size_t pleft = run;
            iconv(cd, NULL, NULL, NULL, NULL);
            iconv(cd, &p, &pleft, &o, &left);   /* stops at an invalid or incomplete sequence */
            done = run - pleft;
        }
        in += done;
        if (in == end)
            break;
        snprintf(o, left + 1, "\\x%02X", (unsigned char)*in);
        o += 4;
        left -= 4;
        in++;
    }
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    *o = 0;
    return out;
}
