/*
** match.h: how two source records compare, as pure functions (no I/O).
**  - match_rec_t: what matching needs of one record, normalised;
**  - blocking keys: the few cheap keys under which candidates are found;
**  - comparison: an agreement level per field;
**  - score: the sum of the Fellegi-Sunter log2 weights of those levels.
** The weights and thresholds are configuration (hub.conf, match_weights_t);
** hubctl estimate derives them from the loaded data by EM.
*/
#ifndef HUB_MATCH_H
#define HUB_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "record.h"

typedef struct {
    record_id_t record;
    resident_id_t resident;
    int source;
    char key[64];           /* the department's key: orders ties independently of arrival */
    char idno[20];          /* canonical, when valid */
    char idno_typed[24];    /* cleaned but invalid (a typo), when not valid */
    char name[96];          /* norm_name */
    char pinyin[192];       /* norm_pinyin */
    char birth[11];         /* YYYY-MM-DD: the record's own, else its number's */
    int birth_lo, birth_hi; /* birth year range from an age (civil affairs); 0 when unknown */
    char gender;            /* 'M', 'F' or 0 */
    char phone[24];
    char community[16];
    char household[40];     /* police 户号, or family planning's woman's 记录编号 */
    char address[160];      /* norm_address */
    char former[96];        /* police 曾用名, norm_name */
    char address2[160];     /* police: the registered address when the current one differs */
    char rel_idno[20];      /* a valid number on the record that is evidently someone else's
                            ** (match_idno_foreign): not the record's own, a relative's */
    char head[96];          /* civil affairs' 户主姓名, norm_name */
    uint8_t flags;          /* MATCH_F_* */
} match_rec_t;

#define MATCH_F_HEAD    1   /* police: the head of the household (户主) */
#define MATCH_F_LINKED  2   /* family planning: a spouse or child row naming the woman's record */

/* Whether a valid number on a record of a department other than the police
** is evidently someone else's (a household head's on a member's row, a
** mother's on her child's): the record's own birth date is not the
** number's (not a typo of it: one digit or two adjacent swapped), or, with
** only an age (civil affairs, at ref_year), the number's birth year is more
** than two years from the age's or the record's gender is not the number's.
** A gender alone, without a birth date or an age, may be a typo: not enough. */
bool match_idno_foreign(const facts_t *f, const char *idno, int ref_year);

/* Fill m from a record's facts. idno: canonical valid number or NULL;
** typed: the cleaned invalid number or NULL; foreign: a valid number that
** is someone else's (match_idno_foreign) or NULL; ref_year/ref_month: the date
** an age refers to (civil affairs export month). */
void match_rec_from_facts(match_rec_t *m, const facts_t *f, int source, const char *idno, const char *typed,
                          const char *foreign, int ref_year, int ref_month);

/* The record as stored (match_features) and held in memory: a tag, then
** its fields packed (strings without their padding), about a fifth of
** sizeof(match_rec_t). match_rec_pack returns the length (<= MATCH_PACKED_MAX);
** match_rec_unpack is false for bytes of another layout (rematch them). */
#define MATCH_PACKED_MAX (sizeof(match_rec_t) + 16)
#define MATCH_PACKED_TAG "mf3"
size_t match_rec_pack(const match_rec_t *m, uint8_t *out);
bool match_rec_unpack(const void *data, size_t len, match_rec_t *m);

/* ---- blocking ---- */

#define MATCH_MAX_KEYS 16
#define MATCH_KEY_LEN 256
typedef char match_key_t[MATCH_KEY_LEN];
/* The record's blocking keys; returns how many (<= MATCH_MAX_KEYS). */
size_t match_blocking_keys(const match_rec_t *m, match_key_t keys[MATCH_MAX_KEYS]);

/* Every key the writer's index (mindex.h) holds a record under: its
** blocking keys, then the keys search finds it by: "N:" its name, "Y:" its
** pinyin, "T:" its phone, "S:" each of its sound keys (norm_sound_keys), or
** "S*" when it has more than MATCH_SOUND_KEYS; the keys records are
** reached by through a relative: "H:" a police record's household, "A:" the
** pinyin of a police head of household's name (MATCH_KEY_HOUSEHOLD,
** MATCH_KEY_HEAD);
** and the keys a record that names a relative is woken by when the
** relative's household changes: "R:" the number it carries that is not its
** own, "L:" the family-planning woman's record it names, "B:" the pinyin of
** the head of household a roster row names (MATCH_KEY_BY_*); "M:" the number
** on a roster member's row (MATCH_KEY_MEMBER_NUMBER); "W:" a family-planning
** woman's number and pinyin|birth date (MATCH_KEY_WOMAN). Returns how many. */
#define MATCH_SOUND_KEYS 16
#define MATCH_MAX_INDEX_KEYS (MATCH_MAX_KEYS + 12 + MATCH_SOUND_KEYS)
#define MATCH_KEY_HOUSEHOLD "H:"
#define MATCH_KEY_HEAD "A:"
#define MATCH_KEY_BY_NUMBER "R:"
#define MATCH_KEY_BY_WOMAN "L:"
#define MATCH_KEY_BY_HEAD "B:"
#define MATCH_KEY_MEMBER_NUMBER "M:"   /* a roster member's row holding a number: its owner may be the head */
#define MATCH_KEY_WOMAN "W:"           /* a family-planning woman's record, by her number and by pinyin|birth */
size_t match_index_keys(const match_rec_t *m, match_key_t keys[MATCH_MAX_INDEX_KEYS]);

/* ---- comparison levels ---- */

#define MATCH_FIELDS(X) \
    X(IDNO) X(NAME) X(BIRTH) X(GENDER) X(PHONE) X(COMMUNITY) X(HOUSEHOLD) X(ADDRESS) X(RELATIVE)
typedef enum {
#define X(f) MF_##f,
    MATCH_FIELDS(X)
#undef X
    MF_COUNT
} match_field_t;

/* Agreement levels, shared by all fields (a field uses some of them). */
#define MATCH_LEVELS(X)                                                     \
    X(MISSING,   "missing")       /* one side or both lack the value */     \
    X(EXACT,     "exact")                                                  \
    X(PINYIN,    "same pinyin")   /* names: homophones */                  \
    X(EDIT1,     "one edit")      /* one character wrong */                \
    X(TRANSPOSE, "transposed")    /* two adjacent characters swapped */     \
    X(AGE,       "compatible with an age")                                 \
    X(DIFFERENT, "different")                                              \
    X(CONFLICT,  "two different valid numbers")                            \
    X(NEAR,      "near an age")   /* birth: an age off by one or two years */ \
    X(PLACEHOLDER, "placeholder") /* names: 林宝宝, 陈静之女 before naming */ \
    X(SURNAME,   "surname only")  /* names: the given names differ */
typedef enum {
#define X(l, t) ML_##l,
    MATCH_LEVELS(X)
#undef X
    ML_COUNT
} match_level_t;

const char *match_field_name(int field);   /* "idno" */
const char *match_level_name(int level);   /* "one edit" */

typedef struct {
    match_level_t level[MF_COUNT];
} match_cmp_t;

/* The levels of a against b. RELATIVE is MISSING here: it is EXACT only
** for a candidate found in the household of a relative the record names
** (resolve.c), which also makes HOUSEHOLD EXACT. Names compare the names and
** former names, addresses the current and registered ones: the best level. */
void match_compare(const match_rec_t *a, const match_rec_t *b, match_cmp_t *out);

/* Whether a roster row is a member's: it names a head of household whose
** name does not sound like the row's own. */
bool match_roster_member(const match_rec_t *m);

/* Whether a name is one given before naming: ends with 宝宝, 小宝, 之女,
** 之子, 之儿, 女婴 or 男婴. */
bool match_placeholder_name(const char *name);

/* ---- weights and score ---- */

typedef struct {
    double w[MF_COUNT][ML_COUNT];   /* log2(m/u) per field and level */
    double upper, lower;            /* link at >= upper; review between */
} match_weights_t;

void match_weights_default(match_weights_t *w);
/* Set one weight by its hub.conf name "weight.FIELD.LEVEL" (level names
** with '_' for spaces: weight.name.same_pinyin). False when unknown. */
bool match_weight_set(match_weights_t *w, const char *name, double value);

double match_score(const match_cmp_t *c, const match_weights_t *w);

/* Evidence as text for the log of merges: "idno=exact name=same pinyin ...". */
void match_evidence(const match_cmp_t *c, char *out, size_t cap);

/* Normalised address tokens: city/district/street prefixes dropped, 號->号,
** 幢/栋/座 -> 幢, spaces removed; numbers kept. */
size_t norm_address(const char *raw, char *out, size_t cap);

#endif
