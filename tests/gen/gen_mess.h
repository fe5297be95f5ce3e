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
** where they were. The kinds from RENAMED on (a data clerk's: issue 15) draw
** from the row stream's fork GEN_MESS_CLERK, or from streams of their own
** ("pop.renames", "civilaffairs.headid", ...): a row none of them hits is
** written as before; a row one of them hits may draw its older kinds
** otherwise after it (a name or an address changed before its spaces and
** traditional characters are drawn). Each hit also tags the row's line of
** truth.csv (gen_tags_t).
*/
#ifndef GEN_MESS_H
#define GEN_MESS_H

#include "gen_out.h"
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
    X(CHILD_NO_ID,    0.85,  "of children under 16 in family planning: 身份证号 left empty") \
    X(KEY_FORM,       0.01,  "a record number (记录编号, 关联记录编号, djbh) typed with a space or in full-width") \
    X(DATE_FORM,      0.40,  "a date in the file's other form: YYYY/M/D or YYYY.MM.DD (family planning), 2019年3月1日 (civil affairs)") \
    X(AMOUNT_FORM,    0.50,  "a civil-affairs amount written 570元 or 570.00 instead of 570") \
    X(VALUE_NULL,     0.04,  "of optional labour values (mz, lxdh): null")               \
    X(EXTRA_KEY,      0.20,  "a labour line carries keys the format does not list (bz, czy)") \
    X(HOMOPHONE,      0.01,  "a non-police row writes a same-sounding character in the given name (丽/莉/俐, 伟/玮/炜 …)") \
    X(MOVED,          0.05,  "of persons: moved within the district; one other department they are in (family planning, labour or civil affairs) still has the previous address and community; drawn into the population") \
    X(DUPLICATE,      0.005, "of persons, per department: registered twice under another key (police: a mistyped number, a phone maybe missing; family planning, labour: a second record number; civil affairs: with and without the number)") \
    X(TWINS,          0.005, "of households with children: twins, same birth date, surname and household, given names one character apart, own identity numbers; drawn into the population") \
    X(NAMESAKE,       0.003, "of persons: another person elsewhere (other household and community, same surname and gender) takes their name and birth date, with an own number, phone and address; drawn into the population") \
    X(RENAMED,        0.03,  "of persons 3 and older without a former name: renamed (a new given name; the police register keeps the old name as 曾用名); drawn into the population") \
    X(FORMER_NAME,    0.30,  "of non-police rows of a person with a former name: the former name (曾用名) written, as the department registered them before the change") \
    X(CHILD_PLACEHOLDER, 0.33, "of family-planning children under 2 (a tenth of that for older ones): registered before naming, as 林宝宝, 陈小宝 or 陈静之女 (the mother's name), no identity number") \
    X(CHILD_MOTHER_ID, 0.03, "of family-planning child rows: the mother's identity number typed in the child's 身份证号") \
    X(CHILD_PHONE_OLD, 0.25, "of family-planning rows of children under 16: the phone the family gave when the child was registered, since changed") \
    X(HEAD_ID,        0.08,  "of civil-affairs roster rows of members other than the head, per household and category (so in both months): the head's identity number in 证件号码 (证件类型 户口簿 or 居民身份证)") \
    X(MEMBER_NO_ID,   0.08,  "of civil-affairs roster rows of members other than the head: 证件号码 left empty (both months)") \
    X(AGE_OFF,        0.05,  "of civil-affairs roster rows: 年龄 one or two years off (the clerk counted at another date or in nominal years; both months)") \
    X(ROW_TWICE,      0.005, "of civil-affairs person-and-category rows: typed twice into the roster, the same row but for 序号 (both months)") \
    X(VILLAGE_NAME,   0.20,  "of non-police rows in a village-converted community (村改居型): the old village as community (林邦村 for 林邦社区)") \
    X(REG_ADDRESS,    0.25,  "of non-police rows of a person living away from the registered address (人户分离): the registered address (户籍地址), copied from the identity card") \
    X(ADDR_FORM,      0.15,  "of non-police addresses: another written form of the place (no street or community, 龙岩市新罗区 before, 栋/座/号楼 for 幢, 3-1502 for 3幢1502室, 號, 林邦村5组); twice as often on family-planning child rows") \
    X(PHONE_RELATIVE, 0.03,  "of non-police rows: a household member's phone instead of the person's own (a parent's for a minor, a son's or daughter's for an elder)") \
    X(PHONE_OLD,      0.03,  "of non-police rows of a person with a mobile: an old mobile number of theirs, since changed") \
    X(BIRTH_SWAP,     0.006, "of family-planning and labour birth dates with a day 1-12 other than the month: month and day swapped") \
    X(BIRTH_DAY01,    0.006, "of family-planning and labour birth dates: only the month known, day 01 (born before 1950: half the time only the year, 01-01)") \
    X(GENDER_FLIP,    0.003, "of family-planning spouse and child rows and labour lines: 性别/xb typed as the other code") \
    X(NAME_SHAPE,     0.006, "of non-police names: one character typed as a shape-alike one (形近字: 辉/挥, 芳/芬, 江/汪 …)") \
    X(NAME_DROP,      0.004, "of non-police names with a given name of two characters: one of them dropped (林晓明 -> 林明)") \
    X(SURNAME_HOMOPHONE, 0.004, "of non-police names: the surname written as a same-sounding one (萧/肖, 邱/丘, 张/章 …)") \
    X(SIBLINGS,       0.15,  "of households with two or more children of one generation (no twins): given names sharing a generation character (一鸣/一鹏); a hard negative; drawn into the population") \
    X(HOME_NAMESAKE,  0.003, "of households with a male head and a son or grandson of his surname: the youngest has the head's name (张伟/张伟, other birth date and number); a hard negative; drawn into the population")

/* The fork index of a row's stream that HOMOPHONE and the like draw from. */
#define GEN_MESS_EXTRA UINT64_C(0x686f6d6f70686f6e)
/* The fork index of a row's stream that the clerk's kinds (RENAMED on) draw from. */
#define GEN_MESS_CLERK UINT64_C(0x636c65726b6b6b31)

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
/* The same with the probability times factor (clamped to [0, 1]). */
bool gen_noise_roll_scaled(gen_noise_t *noise, gen_rng_t *rng, gen_noise_kind_t kind,
                           double factor);
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

/* ---- a data clerk's kinds (RENAMED on); each draws from c, the row's
** stream's fork GEN_MESS_CLERK, and tags what it did ---------------------- */

/* The tags every row of p carries: twin, namesake, sibling_name (the hard
** negatives of the population). */
void gen_tags_person(const gen_person_t *p, gen_tags_t *tags);
/* The tags of an identity number as written on a row of p: no_id (no valid
** number: empty, mistyped, or not an identity number at all when
** other_document), id_typo (mistyped), foreign_id (a valid number that is
** not p's). */
void gen_tags_idno(const char *written, bool other_document, const gen_person_t *p,
                   gen_tags_t *tags);

/* The name a non-police row starts from, into name (cap bytes): p's, or
** (FORMER_NAME) p's former name when p has one. */
void gen_mess_base_name(gen_noise_t *noise, gen_rng_t *c, const gen_person_t *p, char *name,
                        size_t cap, gen_tags_t *tags);
/* A child's placeholder name (CHILD_PLACEHOLDER, rolled by the caller):
** surname+宝宝, surname+小宝, or the mother's name+之女/之子; into out. */
void gen_mess_placeholder(gen_rng_t *c, const gen_person_t *child, const gen_person_t *mother,
                          char *out, size_t cap);
/* Maybe a typist's slip in the name (of p, unspaced, cap bytes):
** NAME_SHAPE, NAME_DROP, SURNAME_HOMOPHONE. */
void gen_mess_name_slips(gen_noise_t *noise, gen_rng_t *c, const gen_person_t *p, char *name,
                         size_t cap, gen_tags_t *tags);
/* The address a non-police row of p starts from, into addr (cap bytes):
** the previous one when stale (MOVED), else (REG_ADDRESS) maybe the
** registered one when p lives away from it, else the current one; then
** maybe (ADDR_FORM, with its probability times form_factor) another written
** form of it. */
void gen_mess_base_address(gen_noise_t *noise, gen_rng_t *c, const gen_district_t *d,
                           const gen_person_t *p, bool stale, double form_factor, char *addr,
                           size_t cap, gen_tags_t *tags);
/* Maybe (VILLAGE_NAME) the old village's name for a village-converted
** community cm, written over community (at least 160 bytes). */
void gen_mess_village(gen_noise_t *noise, gen_rng_t *c, const gen_community_t *cm,
                      char *community, gen_tags_t *tags);
/* Maybe (PHONE_RELATIVE, PHONE_OLD) another phone than p's own in phone
** (as gen_mess_phone writes it, at least 32 bytes); date: the export's,
** for p's age. */
void gen_mess_phone_slips(gen_noise_t *noise, gen_rng_t *c, const gen_district_t *d,
                          const gen_person_t *p, int date, char *phone, gen_tags_t *tags);
/* The birth date ymd as the clerk knew it: maybe (BIRTH_SWAP, BIRTH_DAY01)
** month and day swapped or the day (and month) unknown. */
int gen_mess_birth(gen_noise_t *noise, gen_rng_t *c, int ymd, gen_tags_t *tags);
/* Maybe (GENDER_FLIP) the other gender. */
gen_gender_t gen_mess_gender(gen_noise_t *noise, gen_rng_t *c, gen_gender_t g, gen_tags_t *tags);

#endif
