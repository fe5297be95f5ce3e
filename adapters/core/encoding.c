/* encoding.c: decode with iconv, escaping what cannot be decoded (see encoding.h). */
#define _POSIX_C_SOURCE 200809L
#include "encoding.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

char *
adp_to_utf8_escaped(const char *encoding, const char *raw, size_t len)
{
    size_t cap = len * 4 + 16;   /* worst case: every byte escaped as \xHH */
    char *out = HUB_CHECK_ALLOC(malloc(cap)), *o = out;
    size_t left = cap - 1;
    iconv_t cd = iconv_open("UTF-8", encoding ? encoding : "UTF-8");
    char *in = (char *)raw;
    size_t inleft = len;
    while (inleft > 0) {
        if (cd != (iconv_t)-1 && iconv(cd, &in, &inleft, &o, &left) != (size_t)-1)
            break;
        if (cd != (iconv_t)-1 && errno == E2BIG)
            break;   /* cannot happen with cap above; stop rather than loop */
        /* an invalid or incomplete sequence (or no converter): escape one byte */
        snprintf(o, left + 1, "\\x%02X", (unsigned char)*in);
        o += 4;
        left -= 4;
        in++;
        inleft--;
        if (cd != (iconv_t)-1)
            iconv(cd, NULL, NULL, NULL, NULL);
    }
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    *o = 0;
    return out;
}
