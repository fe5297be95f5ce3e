/*
** unihan.h: Chinese script data from the Unicode Han Database (Unihan):
** traditional -> simplified characters and toneless Mandarin readings.
**
** The tables and both functions are generated at build time by
** deploy/gen-unihan.sh from Debian's unicode-data package
** (/usr/share/unicode/Unihan_Variants.txt.bz2, Unihan_Readings.txt.bz2)
** into build/gen/unihan_data.c; nothing here is typed by hand. Read-only
** data, no allocation, no state: safe from any thread.
**
** Limits: one character at a time, so a simplification that depends on the
** word (乾隆 vs 干燥, 於 as a surname) is not made; readings are what Unihan
** lists, archaic ones of the Hanyu Da Zidian included.
*/
#ifndef HUB_UNIHAN_H
#define HUB_UNIHAN_H

#include <stddef.h>
#include <stdint.h>

/* The simplified form of code point cp, or cp itself when it has none (any
** non-Han character, a character already simplified). From
** kSimplifiedVariant: the first listed variant that is a standard
** character (in the Table of General Standard Chinese Characters, 2013),
** else the first standard kSemanticVariant/kZVariant (巖 -> 岩), else the
** first listed. So 乾 (listing 乾 干) stays 乾, 裡 (listing 裡 里) is 里.
** Idempotent: unihan_simplified(unihan_simplified(c)) ==
** unihan_simplified(c). */
uint32_t unihan_simplified(uint32_t cp);

/* The Mandarin readings of code point cp without tones, lower-case ASCII,
** ü written v, separated by single spaces, each once: kMandarin first (the
** usual reading), then kXHC1983, then kHanyuPinyin: 中 "zhong", 重
** "zhong chong tong", 吕 "lv". NULL when Unihan has none (also for every
** non-Han character). The string is static. */
const char *unihan_pinyin(uint32_t cp);

/* The generated tables behind the functions, for tests and tools. */

/* Unicode version of the data, as "15.0.0". */
extern const char unihan_version[];

/* Simplification: unihan_simp_from is sorted ascending, one entry per
** character that does not map to itself; unihan_simp_to[i] is its form. */
extern const size_t unihan_simp_count;
extern const uint32_t unihan_simp_from[];
extern const uint32_t unihan_simp_to[];

/* Readings, a two-level table: unihan_pinyin_page[cp / 256] (for cp / 256 <
** unihan_pinyin_page_count) selects a row of 256 cells, row 0 all empty;
** cell cp % 256 of that row is the offset of the reading list in
** unihan_pinyin_pool, 0 (an empty string) for none. */
extern const size_t unihan_pinyin_page_count;
extern const uint16_t unihan_pinyin_page[];
extern const uint16_t unihan_pinyin_cell[];
extern const char unihan_pinyin_pool[];

#endif
