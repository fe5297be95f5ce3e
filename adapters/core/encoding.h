/*
** encoding.h: text of unknown quality to UTF-8 for people to read (the
** reject file). Bytes that are not valid in the declared encoding are
** written as \xHH so nothing is lost and the result is valid UTF-8.
*/
#ifndef ADP_ENCODING_H
#define ADP_ENCODING_H

#include <stddef.h>

/* A malloc'd UTF-8 copy of raw[0..len) decoded from encoding (an iconv name). */
char *adp_to_utf8_escaped(const char *encoding, const char *raw, size_t len);

#endif
