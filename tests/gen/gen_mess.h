/*
** gen_mess.h: the mess departments put into their files, applied to clean
** values from the population as a writer writes them. Each kind of noise has
** one line in GEN_NOISES: its default probability, which --noise F multiplies
** (the result is clamped to [0, 1]; --noise 0 writes clean files), and what
** it does. A writer rolls a kind with gen_noise_roll(), which also counts the
** hits for --stats. All functions draw from the row's own rng.
**
** Probabilities marked "of ..." are conditional on that condition. Kinds
** "drawn into the population" are rates of gen_pop_params_t: the population
** holds the hard case (twins, namesakes, a previous address) and the writers
** only show it; gendistrict.c counts their hits. Writers draw the kinds added
** after EXTRA_KEY from streams of their own (a fork of the row's stream at
** GEN_MESS_EXTRA, or "<source>.dup"), so the draws of the older kinds stay
** where they were.
*/
#ifndef GEN_MESS_H
#define GEN_MESS_H

#include "gen_pop.h"
#include "gen_util.h"

#include <stdbool.h>
#include <stddef.h>

#define GEN_NOISES(X)                                                                   \
    X(ID_FULLWIDTH,   0.03,  "identity number typed in full-width digits (and Ｘ)")     \
    X(ID_LOWER_X,     0.15,  "of identity numbers ending in X: written with a lower-case x") \
    X(ID_SPACES,      0.03,  "spaces typed inside the identity number: 350802 19800101 123X") \
    X(ID_15DIGIT,     0.02,  "of people born before 2000: first-generation 15-digit number") \
    X(ID_MISTYPED,    0.01,  "identity number mistyped: a wrong digit, two adjacent digits swapped or a wrong check character (invalid)") \
    X(TEXT_SPACES,    0.02,  "leading, trailing, inner or doubled ASCII/U+3000 spaces in a name or an address (per field)") \
    X(TEXT_TRAD,      0.02,  "one traditional-script character in the name or the (registered or current) address") \
    X(PHONE_FORM,     0.30,  "of mobiles: written 139-0597-1234, +86 139 0597 1234 or 139 0597 1234") \
    X(PHONE_EMPTY,    0.03,  "a known phone number left empty")                         \
    X(COMMUNITY_FORM, 0.30,  "community written 北龙, 北龙社区居委会 or 东城街道北龙社区 instead of 北龙社区") \
    X(RARE_NAME,      0.005, "a person's name holds a character outside GBK (GB18030 only); drawn into the population") \
    X(ID_EMPTY,       0.02,  "a known identity number left empty (family planning, civil affairs)") \
    X(CHILD_NO_ID,    0.60,  "of children under 16 in family planning: 身份证号 left empty") \
    X(KEY_FORM,       0.01,  "a record number (记录编号, 关联记录编号, djbh) typed with a space or in full-width") \
    X(DATE_FORM,      0.40,  "a date in the file's other form: YYYY/M/D or YYYY.MM.DD (family planning), 2019年3月1日 (civil affairs)") \
    X(AMOUNT_FORM,    0.50,  "a civil-affairs amount written 570元 or 570.00 instead of 570") \
    X(VALUE_NULL,     0.04,  "of optional labour values (mz, lxdh): null")               \
    X(EXTRA_KEY,      0.20,  "a labour line carries keys the format does not list (bz, czy)") \
    X(HOMOPHONE,      0.01,  "a non-police row writes a same-sounding character in the given name (丽/莉/俐, 伟/玮/炜 …)") \
    X(MOVED,          0.03,  "of persons: moved within the district; one other department they are in (family planning, labour or civil affairs) still has the previous address and community; drawn into the population") \
    X(DUPLICATE,      0.005, "of persons, per department: registered twice under another key (police: a mistyped number, a phone maybe missing; family planning, labour: a second record number; civil affairs: with and without the number)") \
    X(TWINS,          0.005, "of households with children: twins, same birth date, surname and household, given names one character apart, own identity numbers; drawn into the population") \
    X(NAMESAKE,       0.003, "of persons: another person elsewhere (other household and community, same surname and gender) takes their name and birth date, with an own number, phone and address; drawn into the population")

/* The fork index of a row's stream that HOMOPHONE and the like draw from. */
#define GEN_MESS_EXTRA UINT64_C(0x686f6d6f70686f6e)

typedef enum {
#define X(name, p, text) GEN_NOISE_##name,
    GEN_NOISES(X)
#undef X
    GEN_NOISE_COUNT
} gen_noise_kind_t;

typedef struct {
    double p[GEN_NOISE_COUNT];            /* scaled probabilities */
    unsigned long hits[GEN_NOISE_COUNT];  /* times each kind was applied */
} gen_noise_t;

/* Probabilities are the defaults times scale, clamped to [0, 1]. */
void gen_noise_init(gen_noise_t *noise, double scale);
/* True with the kind's probability (always one draw); counts a hit. */
bool gen_noise_roll(gen_noise_t *noise, gen_rng_t *rng, gen_noise_kind_t kind);
const char *gen_noise_name(gen_noise_kind_t kind);   /* e.g. "ID_FULLWIDTH" */
const char *gen_noise_text(gen_noise_kind_t kind);

/* The identity number of p as a clerk typed it, into out (at least 80
** bytes): maybe 15 digits, mistyped, with a lower-case x, spaces or
** full-width digits. *invalid is set when the number was mistyped (its check
** character no longer holds). */
#define GEN_IDNO_TEXT_MAX 80
void gen_mess_idno(gen_noise_t *noise, gen_rng_t *rng, const gen_person_t *p, char *out,
                   bool *invalid);
/* The identity number of p surely mistyped (18 characters, its check broken;
** no ID_MISTYPED or ID_15DIGIT roll), then written like gen_mess_idno's
** (lower x, spaces, full-width). For a duplicate registration's key. */
void gen_mess_idno_mistyped(gen_noise_t *noise, gen_rng_t *rng, const gen_person_t *p,
                            char *out);

/* Maybe (HOMOPHONE) writes one character of the given name in name (the
** bytes from surname_len on) as a same-sounding one (gen_homophone_pick).
** Names without such a character are left alone and draw nothing. */
void gen_mess_homophone(gen_noise_t *noise, gen_rng_t *rng, char *name, size_t cap,
                        size_t surname_len);

/* Maybe adds stray spaces to the text s (cap bytes). split is the byte
** offset of the natural inner gap (after the surname in a name), or 0 to pick
** one at random. */
void gen_mess_spaces(gen_noise_t *noise, gen_rng_t *rng, char *s, size_t cap, size_t split);

/* Maybe turns one character of a (or, failing that, of b) into its
** traditional form; which of the two is tried first is drawn. */
void gen_mess_trad(gen_noise_t *noise, gen_rng_t *rng, char *a, size_t acap, char *b,
                   size_t bcap);

/* The phone of p as written, into out (at least 32 bytes): plain digits or
** one of the spaced and dashed forms, a landline as 0597-2231234, or "". */
void gen_mess_phone(gen_noise_t *noise, gen_rng_t *rng, const gen_person_t *p, char *out);

/* Community c as written, into out (at least 160 bytes). */
void gen_mess_community(gen_noise_t *noise, gen_rng_t *rng, const gen_community_t *c,
                        char *out);

/* A record number such as JS2019000123 as typed, into out (at least
** GEN_KEY_TEXT_MAX bytes): as it is, or (KEY_FORM) with a space after its
** letters or at either end, or in full-width. norm_key() undoes all of them. */
#define GEN_KEY_TEXT_MAX 96
void gen_mess_key(gen_noise_t *noise, gen_rng_t *rng, const char *key, char *out);

/* The date ymd as written, into out (GEN_DATE_TEXT_MAX): YYYY-MM-DD, or
** (DATE_FORM) one of the nalts forms in alts. */
void gen_mess_date(gen_noise_t *noise, gen_rng_t *rng, int ymd, const gen_date_form_t *alts,
                   size_t nalts, char *out);

#endif
