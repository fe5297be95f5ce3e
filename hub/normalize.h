/*
** normalize.h: pure normalisers for values as departments type them.
** No I/O, no allocation, no global state: safe from any thread, used by
** the hub (which never trusts an adapter's normal form) and by adapters
** (which send the normal form beside the raw value).
*/
#ifndef HUB_NORMALIZE_H
#define HUB_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>

/* Why an identity number is (in)valid. Order is the order of the checks. */
#define NORM_IDNO_STATUSES(X)                                                \
    X(VALID,      "valid")                                                   \
    X(EMPTY,      "identity number is empty")                                \
    X(BAD_CHAR,   "identity number has a character that is not a digit or X")\
    X(BAD_LENGTH, "identity number is neither 15 nor 18 characters")        \
    X(BAD_REGION, "identity number's region code is not a Chinese region")  \
    X(BAD_BIRTH,  "identity number's birth date is not a real past date")   \
    X(BAD_CHECK,  "identity number's check character is wrong")

typedef enum {
#define X(name, text) NORM_IDNO_##name,
    NORM_IDNO_STATUSES(X)
#undef X
} norm_idno_status_t;

/* Plain-words text for a status; never NULL. */
const char *norm_idno_strerror(norm_idno_status_t status);

/* Normalise an identity number as typed. Drops ASCII whitespace (space,
** tab, CR, LF, VT, FF) and U+3000 anywhere; maps full-width digits and Ｘ/ｘ
** to ASCII; upper-cases x; converts a valid-looking 15-digit
** first-generation number to 18 digits (century 19, check character
** computed). Then validates: characters,
** length, region (a known province-level code), birth date (a real date,
** 1900-01-01 .. today) and the ISO 7064 MOD 11-2 check character.
** X is a valid character only as the last one, and not in a 15-character
** number (which has no check character): elsewhere it is BAD_CHAR. A
** 15-digit number is converted only when its region and birth date pass;
** otherwise it is reported and kept as 15 digits. raw may be NULL (EMPTY).
** out (at least NORM_IDNO_SIZE bytes) always receives the cleaned form, even
** when invalid (truncated to fit at a character boundary), or "" when empty.
** "Today" is the date in China Standard Time (UTC+8) by the system clock. */
#define NORM_IDNO_SIZE 32
norm_idno_status_t norm_idno(const char *raw, char out[NORM_IDNO_SIZE]);

/* The check character ('0'..'9' or 'X') for the first 17 digits of an
** 18-character number. The caller guarantees 17 ASCII digits. */
char norm_idno_check_char(const char *first17);

/* From a VALID canonical 18-character number: birth date as "YYYY-MM-DD"
** (out holds 11 bytes) and gender ('M' odd sequence, 'F' even). */
void norm_idno_birth(const char *idno18, char out[11]);
char norm_idno_gender(const char *idno18);

/* Tidy free text (names, addresses). Trims leading and trailing ASCII
** whitespace and U+3000, collapses every inner run of them to one ASCII
** space, and maps full-width ASCII U+FF01..U+FF5E to ASCII 0x21..0x7E.
** Other bytes, including ill-formed UTF-8, are copied unchanged. Writes at
** most cap - 1 bytes and a NUL into out (nothing when cap is 0); when the
** result does not fit it is cut at a character boundary and never ends in
** the collapsed space. Returns the number of bytes written before the NUL.
** raw may be NULL (treated as ""). */
size_t norm_text(const char *raw, char *out, size_t cap);

/* Normalise a phone number to its digits. Keeps ASCII and full-width digits
** and drops everything else; then drops a leading 86 or 0086 country prefix
** (as typed with or without +) when what remains is an 11-digit mobile
** number starting with 1. Landlines keep their area code: 0597-2231234
** becomes 05972231234. out (cap bytes, NUL-terminated, nothing written when
** cap is 0) receives the digits even when the call fails, truncated to fit.
** Returns false when there are no digits, fewer than 7 or more than 12 after
** normalisation, or they did not fit in out. raw may be NULL. */
bool norm_phone(const char *raw, char *out, size_t cap);

/* Normalise a calendar date to "YYYY-MM-DD" in out. Accepts, with
** surrounding ASCII whitespace or U+3000 and full-width digits and
** punctuation: YYYYMMDD; YYYY-M-D, YYYY/M/D and YYYY.M.D with one or two
** digits for month and day and the same separator twice; YYYY年M月D日 (日
** optional). The date may be followed by 'T' or whitespace and a time of
** day starting H:MM or HH:MM (hour 0-23, minute 00-59), as in
** 2026-11-20T09:14:03+08:00 or 2026-11-20 09:14:03: the date part is taken
** as written and the rest of the time is not examined. The year has four
** digits, 0001..9999. Returns false, with out set to "", unless the date is
** a real Gregorian date (leap years included). No plausibility range:
** callers decide that.
** raw may be NULL. */
bool norm_date(const char *raw, char out[11]);

/* Normalise a gender code. After trimming as norm_text does (full-width
** forms included), 男, 1, M or m give 'M' and 女, 2, F or f give 'F' in
** *out_mf and return true; anything else sets *out_mf to '\0' and returns
** false. raw may be NULL. */
bool norm_gender(const char *raw, char *out_mf);

/* A department's record key as the adapters use it: norm_text, then every
** space removed ("JS 2019000123" and "ＪＳ2019000123" are "JS2019000123").
** Returns the length written (NUL-terminated, truncated safely to cap). */
size_t norm_key(const char *raw, char *out, size_t cap);

/* A person's name in the canonical form for comparing names: norm_text,
** then
**  - every Han character to its simplified form (unihan_simplified:
**    張偉 -> 张伟, 龍巖 -> 龙岩);
**  - the ethnic-name middle dot unified to U+00B7 "·": U+00B7, U+0387,
**    U+2022, U+2027, U+2219, U+22C5, U+2E31, U+30FB and U+FF65 anywhere,
**    and '.' (also the full-width U+FF0E norm_text folds to it) after a Han
**    character or dot and before one; a run of dots is one dot;
**  - spaces (ASCII whitespace, U+3000) dropped unless the characters on
**    both sides are neither Han nor the dot: a Chinese name has no spaces
**    ("张 伟", "阿依 · 买买提"), only Latin words keep one between them
**    ("Ali Khan").
** Han characters are U+3007, U+3400..U+4DBF, U+4E00..U+9FFF,
** U+F900..U+FAFF and U+20000..U+3FFFF. Latin case is kept; ill-formed
** UTF-8 bytes are copied unchanged. Writes at most cap - 1 bytes and a NUL
** (nothing when cap is 0), cut at a character boundary when the result does
** not fit; returns the number of bytes written before the NUL. raw may be
** NULL (treated as ""). Idempotent. */
size_t norm_name(const char *raw, char *out, size_t cap);

/* The toneless pinyin of a name: the name goes through norm_name, then each
** Han character gives its first reading (unihan_pinyin: kMandarin, the
** usual one; 张伟 -> "zhang wei", 吕 -> "lv", 曾 -> "ceng") as a word of
** its own; a Han character without a reading in Unihan gives itself. A run
** of other letters and digits gives one word, ASCII lower-cased, other
** scripts unchanged ("Ali Khan" -> "ali khan"). Punctuation (ASCII, Latin-1
** symbols, General Punctuation, CJK symbols, full-width and small forms) and
** ill-formed bytes are dropped; the middle dot is dropped and ends a word
** (阿依·买买提 -> "a yi mai mai ti"). Words are separated by one space.
** Writes at most cap - 1 bytes and a NUL (nothing when cap is 0), cut at a
** word boundary when the result does not fit; returns the number of bytes
** written before the NUL. name may be NULL (treated as ""). */
size_t norm_pinyin(const char *name, char *out, size_t cap);

/* True when two names may be one name written with homophones: after
** norm_name both have the same number of characters (a kept space counts),
** at least one, and at each position the two characters are equal, or are
** both Han and share at least one reading (any of unihan_pinyin, not only
** the first: 丽/莉 li, 单/善 shan, 曾/增 zeng), or are the same ASCII letter
** in either case. 张伟/张玮 match, 张伟/李伟 and 张伟/张伟明 do not. A Han
** character without readings matches only itself. NULL is treated as "";
** two empty names do not match. */
bool norm_pinyin_match(const char *name_a, const char *name_b);

/* Keys under which a name is found by every name that sounds like it
** (norm_pinyin_match): its length in characters and each way of reading
** its first two characters ("3:zhang|wei", spaces before a character
** marked). Two names that match share a key. Returns how many were
** written to keys; 0 for an empty name, and 0 with *many set when there
** would be more than max. */
#define NORM_SOUND_KEY 64
size_t norm_sound_keys(const char *name, char keys[][NORM_SOUND_KEY], size_t max, bool *many);

/* Terminal columns of UTF-8 text: East Asian wide characters take two
** (for tables of Chinese text aligned by display width). */
size_t norm_display_width(const char *s);

#endif
