/*
** encoding.h: text of unknown quality to UTF-8 for people to read (the
** reject file). Bytes that are not valid in the declared encoding are
** written as \xHH so nothing is lost and the result is valid UTF-8; so are
** NUL bytes, which would otherwise end the text.
**
** glibc's iconv lets some invalid "UTF-8" through (5- and 6-byte forms,
** code points above U+10FFFF), so text declared UTF-8 is checked here
** instead, and the readers check with adp_utf8_valid.
*/
#ifndef ADP_ENCODING_H
#define ADP_ENCODING_H

#include <stdbool.h>
#include <stddef.h>

/* A malloc'd UTF-8 copy of raw[0..len) decoded from encoding (an iconv
** name; NULL means UTF-8). */
char *adp_to_utf8_escaped(const char *encoding, const char *raw, size_t len);

/* True when encoding (an iconv name; NULL means UTF-8) is UTF-8. */
bool adp_encoding_is_utf8(const char *encoding);

/* How many bytes at the start of s[0..len) are well-formed UTF-8: whole
** characters in their shortest form, no surrogates, nothing above
** U+10FFFF (NUL counts as a character). len when all of them are. */
size_t adp_utf8_valid(const char *s, size_t len);

#endif
