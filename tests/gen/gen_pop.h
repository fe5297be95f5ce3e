/*
** gen_pop.h: the synthetic district's population, the "truth" that every
** department file is a messy view of. Communities come from the district's
** communities.csv; households and persons are drawn from seeded streams.
** Every value here is clean and canonical: the mess belongs to the writers
** (gen_mess.h), so that one population can be written by many departments.
**
** Extending: a new attribute (education, employment, allowances …) gets its
** own stage in gen_pop.c drawing from its own named stream ("pop.NAME",
** forked per person), so adding it leaves every existing value, and hence
** every existing file, byte-identical.
**
** Hard cases for matching are part of the population too: twins, namesakes
** (unrelated persons with one name and birth date), persons who moved
** (with the previous address), persons renamed (with a former name),
** siblings sharing a generation character and, rarely, two members of one
** household with one name, each at the rate of gen_pop_params_t; they are
** made of persons drawn as usual, so --people stays the number of persons.
**
** Limits: at most GEN_PEOPLE_MAX persons (person ids are P + 6 digits, the
** millionth P1000000).
** Identity numbers are valid but synthetic; phone numbers are random.
*/
#ifndef GEN_POP_H
#define GEN_POP_H

#include "gen_util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GEN_PEOPLE_MAX 1000000
#define GEN_NAME_MAX   48    /* bytes, UTF-8, NUL included */
#define GEN_ADDR_MAX   192

typedef enum { GEN_MALE = 1, GEN_FEMALE = 2 } gen_gender_t;

/* Relation to the head of household, as the police register spells it. */
#define GEN_RELATIONS(X)            \
    X(HEAD,          "户主")        \
    X(SPOUSE,        "配偶")        \
    X(SON,           "子")          \
    X(DAUGHTER,      "女")          \
    X(FATHER,        "父亲")        \
    X(MOTHER,        "母亲")        \
    X(GRANDSON,      "孙子")        \
    X(GRANDDAUGHTER, "孙女")        \
    X(BROTHER,       "兄弟")        \
    X(SISTER,        "姐妹")        \
    X(OTHER,         "其他")
typedef enum {
#define X(name, text) GEN_REL_##name,
    GEN_RELATIONS(X)
#undef X
} gen_relation_t;

/* 人员状态 */
#define GEN_STATUSES(X)          \
    X(NORMAL,    "正常")         \
    X(DEAD,      "死亡")         \
    X(MOVED_OUT, "迁出")         \
    X(CANCELLED, "注销")
typedef enum {
#define X(name, text) GEN_STATUS_##name,
    GEN_STATUSES(X)
#undef X
} gen_status_t;

/* 变动类型: the last change the register recorded ("" for none). */
#define GEN_CHANGES(X)           \
    X(NONE,      "")             \
    X(NEW,       "新增")         \
    X(BIRTH,     "出生")         \
    X(MOVED_IN,  "迁入")         \
    X(MOVED_OUT, "迁出")         \
    X(DEATH,     "死亡")         \
    X(UPDATE,    "变更")
typedef enum {
#define X(name, text) GEN_CHANGE_##name,
    GEN_CHANGES(X)
#undef X
} gen_change_t;

typedef enum { GEN_PHONE_NONE, GEN_PHONE_MOBILE, GEN_PHONE_LANDLINE } gen_phone_kind_t;

/* 婚姻状况, as the family-planning system spells it. */
#define GEN_MARITALS(X)          \
    X(SINGLE,    "未婚")         \
    X(MARRIED,   "初婚")         \
    X(REMARRIED, "再婚")         \
    X(DIVORCED,  "离婚")         \
    X(WIDOWED,   "丧偶")
typedef enum {
#define X(name, text) GEN_MARITAL_##name,
    GEN_MARITALS(X)
#undef X
} gen_marital_t;

const char *gen_relation_text(gen_relation_t rel);
const char *gen_status_text(gen_status_t status);
const char *gen_change_text(gen_change_t change);
const char *gen_gender_text(gen_gender_t gender);   /* 男 / 女 */
const char *gen_marital_text(gen_marital_t marital);

/* One row of communities.csv. */
typedef struct {
    char code[16];         /* 社区代码, 12 digits */
    char name[64];         /* 社区名称, e.g. 北龙社区 */
    char short_name[64];   /* the name without 社区, e.g. 北龙 */
    char street[64];       /* 街道, e.g. 东城街道 */
    bool village;          /* 类型 村改居型 */
} gen_community_t;

/* An identity-number region: code and the place it names. */
typedef struct {
    const char *code;      /* 6 digits */
    const char *place;     /* e.g. 福建省龙岩市永定区 */
} gen_region_t;

#define GEN_REGION_LOCAL 0   /* gen_region(0) is this district, 350802 */
const gen_region_t *gen_region(int index);

typedef struct {
    char number[10];              /* 户号, 9 digits, unique */
    int community;                /* where the household lives */
    bool floating;                /* 流动人口: registered elsewhere */
    int home_region;              /* region of a floating household's home */
    char address[GEN_ADDR_MAX];   /* 户籍地址 (home address when floating) */
    char local[GEN_ADDR_MAX];     /* the flat they live in, in the district */
    char landline[16];            /* digits, e.g. 05972231234, or "" */
    size_t first;                 /* persons[first .. first + size) */
    size_t size;
} gen_household_t;

typedef struct {
    char pid[9];                  /* P000001 .. P1000000 */
    size_t household;
    gen_relation_t relation;
    char surname[GEN_NAME_MAX];
    char given[GEN_NAME_MAX];
    char name[GEN_NAME_MAX];      /* surname + given */
    char former_name[GEN_NAME_MAX]; /* 曾用名, "" for none */
    bool rare_name;               /* name holds a character outside GBK */
    gen_gender_t gender;
    int birth;                    /* YYYYMMDD */
    const char *ethnicity;        /* 汉族 … */
    int region;                   /* index for gen_region() */
    char idno[19];                /* canonical 18 characters */
    bool floating;                /* 人员类别 流动人口 */
    int community;                /* index into communities */
    char reg_address[GEN_ADDR_MAX]; /* 户籍地址 */
    char cur_address[GEN_ADDR_MAX]; /* 现住址, "" when the registered one */
    gen_phone_kind_t phone_kind;
    char phone[16];               /* digits: 13905971234 or 05972231234 */
    gen_status_t status;
    gen_change_t change;
    int change_date;              /* YYYYMMDD, 0 with GEN_CHANGE_NONE */
    /* stage pop.social */
    gen_marital_t marital;        /* married when the spouse is in the household */
    const char *education;        /* 小学 … 硕士研究生 (highest level reached so far) */
    int disability;               /* 0 none, else category 1-7 (视力 … 多重) */
    int disability_level;         /* 1-4 when disability, else 0 */
    /* stages pop.twins, pop.namesakes, pop.moves: the hard cases of matching */
    bool twin;                    /* one of twins: same household, surname and birth
                                  ** date as a sibling, given name one character off */
    bool namesake;                /* one of two unrelated persons with the same name,
                                  ** birth date and gender, elsewhere in the district */
    bool moved;                   /* moved in the district: prev_* is where they lived */
    int prev_community;           /* index into communities, != community; with moved */
    char prev_address[GEN_ADDR_MAX]; /* the previous address; "" unless moved */
    /* stages pop.renames, pop.siblings, pop.homenames (after pop.moves) */
    bool renamed;                 /* given a former name by pop.renames */
    bool sibling_name;            /* one of siblings whose given names share a
                                  ** generation character (一鸣/一鹏): a hard negative */
    bool home_namesake;           /* one of two members of one household, of
                                  ** different generations, with one name: a hard negative */
} gen_person_t;

typedef struct {
    gen_community_t *communities;
    size_t ncommunities;
    gen_household_t *households;
    size_t nhouseholds;
    gen_person_t *persons;
    size_t npersons;
} gen_district_t;

typedef struct {
    uint64_t seed;
    size_t people;          /* 1 .. GEN_PEOPLE_MAX */
    int date;               /* the register's date, YYYYMMDD */
    double rare_name_rate;  /* share of names with a non-GBK character */
    double twin_rate;       /* share of households with children that get twins */
    double namesake_rate;   /* share of persons given a namesake elsewhere */
    double move_rate;       /* share of persons who moved within the district */
    /* (later stages; 0 leaves them out) */
    double rename_rate;     /* share of persons 3+ without a former name renamed */
    double sibling_rate;    /* share of households with 2+ children of one generation
                            ** whose given names share a generation character */
    double home_namesake_rate; /* share of households with a male head and a son or
                            ** grandson of his surname where the younger has his name */
} gen_pop_params_t;

/* Loads communities.csv (UTF-8, optional BOM, header 社区代码,社区名称,街道,类型)
** into d, which must be zeroed. Returns 0, or -1 with the reason (file and
** line) in err. */
int gen_communities_load(gen_district_t *d, const char *path, char *err, size_t errlen);

/* Draws households and persons into d (communities loaded first). */
void gen_population_build(gen_district_t *d, const gen_pop_params_t *params);

/* Frees everything in d and zeroes it; safe twice. */
void gen_district_fini(gen_district_t *d);

/* Identity numbers (GB 11643): the ISO 7064 MOD 11-2 check character for 17
** ASCII digits, and whether s is an 18-character number whose check holds. */
char gen_idno_check(const char *first17);
bool gen_idno_valid18(const char *s);

/* A fresh address in community c of d (as households get), into out. */
void gen_local_address(gen_rng_t *rng, const gen_district_t *d, int c, char *out, size_t cap);
/* A fresh mobile number (11 digits) into out (at least 12 bytes). */
void gen_mobile(gen_rng_t *rng, char *out);
/* A new given name for gender, into out (GEN_NAME_MAX). */
void gen_given_name(gen_rng_t *rng, gen_gender_t gender, char *out);

/* The name as a GBK-only system writes it: each character outside GBK
** replaced by a same-sounding one. For the GBK writers (civil affairs). */
void gen_name_gbk(const char *name, char *out, size_t cap);

/* Same-sounding characters of given names (丽/莉/俐, 伟/玮/炜 …, all in GBK,
** the same toneless pinyin). gen_homophone_known: whether the table has
** another character for the one character c. gen_homophone_pick: one of them,
** drawn, into out; false (and no draw) when there is none. gen_homophones:
** whether a and b (one character each) differ and sound the same. */
bool gen_homophone_known(const char *c);
bool gen_homophone_pick(gen_rng_t *rng, const char *c, char out[5]);
bool gen_homophones(const char *a, const char *b);

#endif
