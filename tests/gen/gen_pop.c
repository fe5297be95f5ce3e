/*
** gen_pop.c: draws the synthetic district's households and persons. See
** gen_pop.h for what a person holds and how to add an attribute.
**
** Stages, each from its own named stream, forked per household or person:
**   pop.household  composition, names, genders, births, ethnicity, identity
**                  numbers, household numbers, addresses
**   pop.contact    landlines and mobiles
**   pop.events     人员状态, 变动类型/变动日期, 曾用名
**   pop.social     婚姻状况, education, disability (category and level)
**   pop.twins      twins: in a few households with two or more children one
**                  child becomes the twin of a sibling (birth date, surname,
**                  given name one character off, own identity number)
**   pop.namesakes  namesakes: a few persons lend their name and birth date to
**                  a person of the same surname and gender born within a year,
**                  in another household and community (own identity number)
**   pop.moves      moves: a few persons get a previous address and community
**   pop.renames    renames: a few more persons (3 and older, children too)
**                  get a former name, their given name before a change
**   pop.siblings   generation names: in some households the children of one
**                  generation (not twins) get given names sharing the first
**                  character (一鸣/一鹏), as many families name them
**   pop.homenames  rarely, a son or grandson named as the head (张伟/张伟)
** A later stage may read what an earlier one drew, never the other way; the
** last six rewrite what they must of the persons they turn into hard cases
** (and only of those), so every other person stays as it was.
*/
#include "gen_pop.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- names of enum values ------------------------------------------------ */

const char *
gen_relation_text(gen_relation_t rel)
{
    static const char *const text[] = {
#define X(name, t) t,
        GEN_RELATIONS(X)
#undef X
    };
    assert((size_t) rel < N_OF(text));
    return text[rel];
}

const char *
gen_status_text(gen_status_t status)
{
    static const char *const text[] = {
#define X(name, t) t,
        GEN_STATUSES(X)
#undef X
    };
    assert((size_t) status < N_OF(text));
    return text[status];
}

const char *
gen_change_text(gen_change_t change)
{
    static const char *const text[] = {
#define X(name, t) t,
        GEN_CHANGES(X)
#undef X
    };
    assert((size_t) change < N_OF(text));
    return text[change];
}

const char *
gen_gender_text(gen_gender_t gender)
{
    return gender == GEN_MALE ? "男" : "女";
}

const char *
gen_marital_text(gen_marital_t marital)
{
    static const char *const text[] = {
#define X(name, t) t,
        GEN_MARITALS(X)
#undef X
    };
    assert((size_t) marital < N_OF(text));
    return text[marital];
}

/* ---- built-in lists ------------------------------------------------------ */

/* Region codes for identity numbers and home addresses. 0 is this district;
** 1..8 are in Fujian (people registered here may carry them too); all
** non-zero ones are homes of floating people. */
static const gen_region_t s_regions[] = {
    { "350802", "福建省龙岩市新罗区" },
    { "350803", "福建省龙岩市永定区" },
    { "350821", "福建省龙岩市长汀县" },
    { "350823", "福建省龙岩市上杭县" },
    { "350824", "福建省龙岩市武平县" },
    { "350825", "福建省龙岩市连城县" },
    { "350881", "福建省漳平市" },
    { "350102", "福建省福州市鼓楼区" },
    { "350203", "福建省厦门市思明区" },
    { "440106", "广东省广州市天河区" },
    { "441402", "广东省梅州市梅江区" },
    { "510104", "四川省成都市锦江区" },
    { "360702", "江西省赣州市章贡区" },
    { "430102", "湖南省长沙市芙蓉区" },
    { "420102", "湖北省武汉市江岸区" },
};
#define S_REGIONS_FUJIAN 8   /* indices 1..8 */
/* Weights of the homes of floating households (index 0 unused). */
static const unsigned s_home_weights[N_OF(s_regions)] = {
    0, 14, 12, 12, 10, 10, 12, 4, 4, 6, 6, 4, 6, 3, 3
};

const gen_region_t *
gen_region(int index)
{
    assert(index >= 0 && (size_t) index < N_OF(s_regions));
    return &s_regions[index];
}

/* Surnames, repeated by weight (common in western Fujian first). */
static const char s_surnames[] =
    "林林林林林陈陈陈陈陈张张张张吴吴吴黄黄黄王王王李李李邱邱罗罗廖廖赖赖"
    "钟钟郭郭曾曾谢谢刘刘杨赵周徐郑温江游邓范卢简童翁苏何胡朱蓝雷马叶萧"
    "杨刘郑沈彭魏严龚万钱陆贺顾孙许冯韩汤";
static const char s_surnames_she[] = "蓝蓝蓝雷雷雷钟钟李";
static const char s_surnames_hui[] = "马马马丁丁白米";

static const char s_given_male[] =
    "伟强军华明杰涛斌辉鹏勇俊峰建国平志文荣兴龙海东林清福金春永德宏亮浩宇"
    "晨轩博泽睿鑫长庆义云丰发进达刚贤乐";
static const char s_given_female[] =
    "丽芳娟敏静秀英华玲燕红梅兰霞萍琴婷雪慧颖欣怡佳思涵悦琳晶凤珍美月宁莲";

/* Characters outside GBK but inside GB18030, with the same-sounding
** character a GBK-only system writes instead. */
static const struct {
    const char *rare;
    const char *gbk;
} s_rare_chars[] = {
    { "䶮", "岩" },   /* U+4DAE  yan */
    { "㛃", "洁" },   /* U+36C3  jie */
    { "𪚥", "哲" },   /* U+2A6A5 zhe */
    { "𠀀", "呵" },   /* U+20000 he  */
    { "㑇", "宙" },   /* U+3447  zhou */
};

static const char *const s_ethnicities[] = { "汉族", "畲族", "回族", "壮族", "苗族", "土家族" };
static const unsigned s_ethnicity_weights[] = { 950, 30, 10, 4, 3, 3 };

/* Roads of the urban communities; community i uses three of them. */
static const char *const s_roads[] = {
    "龙津路", "中山路", "九一路", "人民路", "和平路", "北环路", "南环路", "西安路",
    "登高路", "华莲路", "曹溪路", "龙腾路", "莲庭路", "溪南路", "东肖路", "罗龙路",
    "双龙路", "东宝路", "龙川路", "凤凰路", "兴华路", "长安路", "东兴路", "华侨路",
};
static const char *const s_estates[] = {
    "锦绣花园", "龙腾花园", "阳光城", "华莲新村", "东方名苑", "富丽山庄",
    "恒宝华城", "金鸡小区", "凤凰苑", "兴龙公寓", "莲花新城", "东兴家园",
};
static const char *const s_home_roads[] = {
    "人民路", "建设路", "解放路", "中山路", "胜利路", "新华路", "文化路", "团结路",
};
static const char *const s_mobile_prefixes[] = {
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
    "151", "152", "155", "156", "157", "158", "159", "177", "180", "181",
    "182", "183", "185", "186", "187", "188", "189", "198", "199",
};

/* Share of identity numbers whose sequence is picked so the check character
** is X (on top of the natural 1 in 11), so that X and x matter in tests. */
#define S_ID_X_SHARE 0.15

/* ---- communities --------------------------------------------------------- */

static void
s_chomp(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

int
gen_communities_load(gen_district_t *d, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read communities file %s: %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    size_t lineno = 0, cap = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(err, errlen, "%s:%zu: line too long", path, lineno);
            rc = -1;
            break;
        }
        s_chomp(line);
        char *p = line;
        if (lineno == 1) {
            if (strncmp(p, "\xEF\xBB\xBF", 3) == 0)
                p += 3;
            if (strncmp(p, "社区代码,社区名称,街道,类型", strlen("社区代码,社区名称,街道,类型")) != 0) {
                snprintf(err, errlen, "%s:1: header is not 社区代码,社区名称,街道,类型", path);
                rc = -1;
                break;
            }
            continue;
        }
        if (*p == '\0')
            continue;
        char *field[4];
        size_t nf = 0;
        for (char *tok = p;; ) {
            char *comma = strchr(tok, ',');
            if (nf < 4)
                field[nf] = tok;
            nf++;
            if (!comma)
                break;
            *comma = '\0';
            tok = comma + 1;
        }
        if (nf != 4 || !*field[0] || !*field[1] || !*field[2]
            || strlen(field[0]) >= 16 || strlen(field[1]) >= 64 || strlen(field[2]) >= 64) {
            snprintf(err, errlen, "%s:%zu: expected 4 non-empty columns (社区代码,社区名称,街道,类型)",
                     path, lineno);
            rc = -1;
            break;
        }
        if (d->ncommunities == cap) {
            cap = cap ? cap * 2 : 64;
            d->communities = gen_xrealloc(d->communities, cap * sizeof *d->communities);
        }
        gen_community_t *c = &d->communities[d->ncommunities++];
        memset(c, 0, sizeof *c);
        gen_strlcpy(c->code, field[0], sizeof c->code);
        gen_strlcpy(c->name, field[1], sizeof c->name);
        gen_strlcpy(c->short_name, field[1], sizeof c->short_name);
        size_t n = strlen(c->short_name), sl = strlen("社区");
        if (n > sl && strcmp(c->short_name + n - sl, "社区") == 0)
            c->short_name[n - sl] = '\0';
        gen_strlcpy(c->street, field[2], sizeof c->street);
        c->village = strcmp(field[3], "村改居型") == 0;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "cannot read communities file %s: %s", path, strerror(errno));
        rc = -1;
    }
    fclose(f);
    if (rc == 0 && d->ncommunities == 0) {
        snprintf(err, errlen, "%s: no communities", path);
        rc = -1;
    }
    return rc;
}

void
gen_district_fini(gen_district_t *d)
{
    free(d->communities);
    free(d->households);
    free(d->persons);
    memset(d, 0, sizeof *d);
}

/* ---- identity numbers ---------------------------------------------------- */

char
gen_idno_check(const char *first17)
{
    static const int weight[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (first17[i] - '0') * weight[i];
    return "10X98765432"[sum % 11];
}

bool
gen_idno_valid18(const char *s)
{
    if (strlen(s) != 18)
        return false;
    for (int i = 0; i < 17; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return gen_idno_check(s) == s[17];
}

/* Gives p a unique valid identity number for its region, birth and gender. */
static void
s_assign_idno(gen_rng_t *r, gen_set_t *ids, gen_person_t *p)
{
    bool want_x = gen_rng_chance(r, S_ID_X_SHARE);
    for (int attempt = 0;; attempt++) {
        assert(attempt < 100000);
        unsigned seq = gen_rng_below(r, 500) * 2 + (p->gender == GEN_MALE ? 1 : 0);
        if (seq == 0)
            continue;
        char body[64];
        snprintf(body, sizeof body, "%s%08d%03u", gen_region(p->region)->code, p->birth, seq);
        assert(strlen(body) == 17);
        char check = gen_idno_check(body);
        if (want_x && check != 'X' && attempt < 1000)
            continue;
        if (!gen_set_add(ids, strtoull(body, NULL, 10) + 1))
            continue;
        memcpy(p->idno, body, 17);
        p->idno[17] = check;
        p->idno[18] = '\0';
        return;
    }
}

/* ---- names, addresses, phones -------------------------------------------- */

void
gen_given_name(gen_rng_t *rng, gen_gender_t gender, char *out)
{
    const char *pool = gender == GEN_MALE ? s_given_male : s_given_female;
    char c[5];
    out[0] = '\0';
    int len = gen_rng_chance(rng, 0.22) ? 1 : 2;
    for (int i = 0; i < len; i++) {
        gen_utf8_pick(rng, pool, c);
        gen_strlcat(out, c, GEN_NAME_MAX);
    }
}

static void
s_pick_surname(gen_rng_t *r, const char *ethnicity, char *out)
{
    const char *pool = s_surnames;
    if (strcmp(ethnicity, "畲族") == 0 && gen_rng_chance(r, 0.8))
        pool = s_surnames_she;
    else if (strcmp(ethnicity, "回族") == 0 && gen_rng_chance(r, 0.8))
        pool = s_surnames_hui;
    char c[5];
    gen_utf8_pick(r, pool, c);
    gen_strlcpy(out, c, GEN_NAME_MAX);
}

/* Name of p from surname; with probability rare_rate one character of the
** given name is one outside GBK. Draws the same count whatever the rate. */
static void
s_name_person(gen_rng_t *r, gen_person_t *p, const char *surname, double rare_rate)
{
    gen_strlcpy(p->surname, surname, sizeof p->surname);
    gen_given_name(r, p->gender, p->given);
    bool rare = gen_rng_chance(r, rare_rate);
    uint32_t which = gen_rng_below(r, (uint32_t) N_OF(s_rare_chars));
    uint32_t pos = gen_rng_below(r, (uint32_t) gen_utf8_count(p->given));
    p->rare_name = rare;
    if (rare) {
        char given[GEN_NAME_MAX] = "", c[5];
        size_t n = gen_utf8_count(p->given);
        for (size_t i = 0; i < n; i++) {
            gen_utf8_nth(p->given, i, c);
            gen_strlcat(given, i == pos ? s_rare_chars[which].rare : c, sizeof given);
        }
        gen_strlcpy(p->given, given, sizeof p->given);
    }
    gen_strlcpy(p->name, p->surname, sizeof p->name);
    gen_strlcat(p->name, p->given, sizeof p->name);
}

void
gen_name_gbk(const char *name, char *out, size_t cap)
{
    char result[4 * GEN_NAME_MAX] = "", c[5];
    size_t n = gen_utf8_count(name);
    for (size_t i = 0; i < n; i++) {
        gen_utf8_nth(name, i, c);
        const char *put = c;
        for (size_t k = 0; k < N_OF(s_rare_chars); k++)
            if (strcmp(c, s_rare_chars[k].rare) == 0)
                put = s_rare_chars[k].gbk;
        gen_strlcat(result, put, sizeof result);
    }
    gen_strlcpy(out, result, cap);
}

/* Groups of same-sounding characters (the same toneless pinyin), every one
** in GBK; each character in one group at most. Covers the given-name pools. */
static const char *const s_homophone_groups[] = {
    "丽莉俐", "伟玮炜纬", "静晶婧菁", "娟鹃", "芳方舫", "敏民珉", "军君钧",
    "华桦骅", "明铭鸣", "红虹宏鸿", "强蔷", "杰洁捷", "涛滔韬", "斌彬滨",
    "辉晖慧惠蕙", "鹏朋", "勇永咏泳", "俊骏峻", "峰锋丰枫凤", "建健剑",
    "平萍坪屏", "志智芝", "文雯闻", "荣蓉容融", "兴星", "龙隆", "东冬",
    "林琳霖", "清青卿庆晴", "福富", "金锦晋进", "春纯", "浩昊皓", "宇雨玉",
    "晨辰臣", "轩萱宣", "博波", "泽择", "睿瑞锐", "鑫新欣馨心",
    "义毅艺怡仪宜", "云芸耘", "刚钢纲", "贤娴", "秀绣", "英瑛莹颖盈",
    "玲铃伶苓", "燕艳雁妍", "梅媚玫", "兰岚澜", "琴芹勤", "婷亭庭", "佳家嘉",
    "思丝", "涵含晗寒", "悦月越玥", "珍真贞", "宁凝柠", "莲连涟", "国帼",
};

/* Every character of the groups with its group, by code point (built on
** first use). */
typedef struct {
    uint32_t cp;
    const char *group;
} s_homophone_t;
static s_homophone_t s_homophone_index[512];
static size_t s_homophone_count;

static int
s_cmp_homophone(const void *x, const void *y)
{
    uint32_t a = ((const s_homophone_t *) x)->cp, b = ((const s_homophone_t *) y)->cp;
    return a < b ? -1 : a > b;
}

/* The group holding the one character c, or NULL. */
static const char *
s_homophone_group(const char *c)
{
    if (s_homophone_count == 0) {
        for (size_t g = 0; g < N_OF(s_homophone_groups); g++) {
            uint32_t cp;
            for (const char *q = s_homophone_groups[g]; *q; ) {
                q += gen_utf8_decode(q, &cp);
                assert(s_homophone_count < N_OF(s_homophone_index));
                s_homophone_index[s_homophone_count++] = (s_homophone_t) { cp, s_homophone_groups[g] };
            }
        }
        qsort(s_homophone_index, s_homophone_count, sizeof *s_homophone_index, s_cmp_homophone);
        for (size_t i = 1; i < s_homophone_count; i++)   /* one group per character */
            assert(s_homophone_index[i].cp != s_homophone_index[i - 1].cp);
    }
    s_homophone_t key = { 0, NULL };
    if (gen_utf8_decode(c, &key.cp) == 0)
        return NULL;
    const s_homophone_t *hit = bsearch(&key, s_homophone_index, s_homophone_count,
                                       sizeof *s_homophone_index, s_cmp_homophone);
    return hit ? hit->group : NULL;
}

bool
gen_homophone_known(const char *c)
{
    return s_homophone_group(c) != NULL;
}

bool
gen_homophone_pick(gen_rng_t *rng, const char *c, char out[5])
{
    const char *grp = s_homophone_group(c);
    if (!grp)
        return false;
    size_t n = gen_utf8_count(grp);
    do
        gen_utf8_nth(grp, gen_rng_below(rng, (uint32_t) n), out);
    while (strcmp(out, c) == 0);
    return true;
}

bool
gen_homophones(const char *a, const char *b)
{
    const char *grp = s_homophone_group(a);
    return grp && strcmp(a, b) != 0 && grp == s_homophone_group(b);
}

/* Whether name holds a character outside GBK. */
static bool
s_has_rare(const char *name)
{
    for (size_t k = 0; k < N_OF(s_rare_chars); k++)
        if (strstr(name, s_rare_chars[k].rare))
            return true;
    return false;
}

void
gen_local_address(gen_rng_t *rng, const gen_district_t *d, int c, char *out, size_t cap)
{
    const gen_community_t *cm = &d->communities[c];
    if (cm->village) {
        int group = gen_rng_range(rng, 1, 12), num = gen_rng_range(rng, 1, 220);
        snprintf(out, cap, "%s%s%s%d组%d号", cm->street, cm->name, cm->short_name, group, num);
        return;
    }
    const char *road = s_roads[((size_t) c * 7 + gen_rng_below(rng, 3) * 5) % N_OF(s_roads)];
    const char *estate = s_estates[gen_rng_below(rng, (uint32_t) N_OF(s_estates))];
    int num = gen_rng_range(rng, 1, 320), bldg = gen_rng_range(rng, 1, 24);
    int floor = gen_rng_range(rng, 1, 18), flat = gen_rng_range(rng, 1, 4);
    uint32_t form = gen_rng_below(rng, 1000);
    if (form < 50)          /* a comma: needs CSV quoting */
        snprintf(out, cap, "%s%s%s%d号,%s%d幢%d%02d室", cm->street, cm->name, road, num,
                 estate, bldg, floor, flat);
    else if (form < 55)     /* quotes: doubled inside a quoted CSV field */
        snprintf(out, cap, "%s%s%s%d号\"%s\"%d幢%d%02d室", cm->street, cm->name, road, num,
                 estate, bldg, floor, flat);
    else
        snprintf(out, cap, "%s%s%s%d号%d幢%d%02d室", cm->street, cm->name, road, num, bldg,
                 floor, flat);
}

static void
s_home_address(gen_rng_t *r, int region, char *out, size_t cap)
{
    const char *road = s_home_roads[gen_rng_below(r, (uint32_t) N_OF(s_home_roads))];
    snprintf(out, cap, "%s%s%d号", gen_region(region)->place, road, gen_rng_range(r, 1, 400));
}

static void
s_digits(gen_rng_t *r, char *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = (char) ('0' + gen_rng_below(r, 10));
    out[n] = '\0';
}

void
gen_mobile(gen_rng_t *rng, char *out)
{
    const char *prefix = s_mobile_prefixes[gen_rng_below(rng, (uint32_t) N_OF(s_mobile_prefixes))];
    memcpy(out, prefix, 3);
    s_digits(rng, out + 3, 8);
}

/* ---- stage pop.household -------------------------------------------------- */

typedef enum { S_SUR_OWN, S_SUR_HEAD, S_SUR_FAMILY } s_surname_src_t;

typedef struct {
    gen_relation_t rel;
    gen_gender_t gender;
    int age;
    s_surname_src_t surname;
} s_member_t;

static int
s_clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Who lives in a household of size members: relations, genders, ages. */
static void
s_plan_household(gen_rng_t *r, bool floating, size_t size, s_member_t *m)
{
    static const unsigned age_weights[] = { 12, 30, 30, 18, 10 };
    static const int age_lo[] = { 20, 30, 45, 60, 75 }, age_hi[] = { 29, 44, 59, 74, 95 };
    int head_age;
    if (floating) {
        head_age = gen_rng_range(r, 20, 55);
    } else {
        size_t b = gen_rng_weighted(r, age_weights, N_OF(age_weights));
        head_age = gen_rng_range(r, age_lo[b], age_hi[b]);
    }
    gen_gender_t head_gender = gen_rng_chance(r, size == 1 ? 0.55 : 0.75) ? GEN_MALE : GEN_FEMALE;
    m[0] = (s_member_t) { GEN_REL_HEAD, head_gender, head_age, S_SUR_OWN };
    size_t n = 1;
    int parent_age = head_age;
    if (n < size && gen_rng_chance(r, 0.88)) {
        int gap = gen_rng_range(r, 0, 5);
        int age = s_clamp(head_gender == GEN_MALE ? head_age - gap : head_age + gap, 20, 98);
        gen_gender_t g = head_gender == GEN_MALE ? GEN_FEMALE : GEN_MALE;
        m[n++] = (s_member_t) { GEN_REL_SPOUSE, g, age, S_SUR_OWN };
        if (age < parent_age)
            parent_age = age;
    }
    if (size - n >= 2 && head_age <= 55 && gen_rng_chance(r, 0.25)) {
        int fa = head_age + gen_rng_range(r, 24, 34);
        if (fa <= 98)
            m[n++] = (s_member_t) { GEN_REL_FATHER, GEN_MALE, fa, S_SUR_HEAD };
        int ma = head_age + gen_rng_range(r, 22, 32);
        if (n < size && ma <= 98 && gen_rng_chance(r, 0.85))
            m[n++] = (s_member_t) { GEN_REL_MOTHER, GEN_FEMALE, ma, S_SUR_OWN };
    }
    int eldest = -1, children = 0;
    while (n < size) {
        gen_gender_t g = gen_rng_chance(r, 0.5) ? GEN_MALE : GEN_FEMALE;
        double u = gen_rng_unit(r);
        if (u < 0.04) {
            int age = s_clamp(head_age + gen_rng_range(r, -8, 8), 1, 98);
            m[n++] = (s_member_t) { g == GEN_MALE ? GEN_REL_BROTHER : GEN_REL_SISTER, g, age,
                                    S_SUR_HEAD };
        } else if (u < 0.06) {
            m[n++] = (s_member_t) { GEN_REL_OTHER, g, gen_rng_range(r, 18, 70), S_SUR_OWN };
        } else if (eldest >= 22 && children >= 1 && gen_rng_chance(r, 0.6)) {
            int age = eldest - gen_rng_range(r, 22, 32);
            if (age < 0)
                age = gen_rng_range(r, 0, eldest - 20);
            m[n++] = (s_member_t) { g == GEN_MALE ? GEN_REL_GRANDSON : GEN_REL_GRANDDAUGHTER, g,
                                    age, S_SUR_FAMILY };
        } else {
            int age = parent_age - gen_rng_range(r, 22, 36);
            if (age < 0)
                age = gen_rng_range(r, 0, parent_age - 18);
            m[n++] = (s_member_t) { g == GEN_MALE ? GEN_REL_SON : GEN_REL_DAUGHTER, g, age,
                                    S_SUR_FAMILY };
            if (age > eldest)
                eldest = age;
            children++;
        }
    }
}

/* A birth date for someone age years old on today (a day number). */
static int
s_birth_for_age(gen_rng_t *r, long today, int age)
{
    long hi = today - (long) (age * 365.2425);
    long lo = today - (long) ((age + 1) * 365.2425) + 1;
    if (lo > hi)
        lo = hi;
    return gen_date_from_days(lo + (long) gen_rng_below(r, (uint32_t) (hi - lo + 1)));
}

static const char *
s_pick_ethnicity(gen_rng_t *r)
{
    return s_ethnicities[gen_rng_weighted(r, s_ethnicity_weights, N_OF(s_ethnicity_weights))];
}

static int
s_other_region(gen_rng_t *r, bool fujian_only)
{
    if (fujian_only)
        return gen_rng_range(r, 1, S_REGIONS_FUJIAN);
    return (int) gen_rng_weighted(r, s_home_weights, N_OF(s_home_weights));
}

/* The region of a member's identity number. */
static int
s_member_region(gen_rng_t *r, const gen_household_t *h, gen_relation_t rel)
{
    double local_share;
    if (h->floating) {
        if (rel == GEN_REL_SPOUSE || rel == GEN_REL_OTHER)
            return gen_rng_chance(r, 0.6) ? h->home_region : s_other_region(r, false);
        return h->home_region;
    }
    switch (rel) {
    case GEN_REL_HEAD:   local_share = 0.85; break;
    case GEN_REL_SPOUSE: local_share = 0.70; break;
    case GEN_REL_FATHER:
    case GEN_REL_MOTHER: local_share = 0.80; break;
    case GEN_REL_OTHER:  local_share = 0.50; break;
    default:             local_share = 0.95; break;
    }
    return gen_rng_chance(r, local_share) ? GEN_REGION_LOCAL : s_other_region(r, true);
}

static void
s_build_household(gen_rng_t *r, gen_district_t *d, gen_household_t *h, gen_set_t *ids,
                  gen_set_t *hhnos, const gen_pop_params_t *params, long today)
{
    for (;;) {
        uint32_t v = 100000000u + gen_rng_below(r, 900000000u);
        if (gen_set_add(hhnos, v)) {
            snprintf(h->number, sizeof h->number, "%09u", (unsigned) (v % 1000000000u));
            break;
        }
    }
    h->community = (int) gen_rng_below(r, (uint32_t) d->ncommunities);
    h->home_region = h->floating ? s_other_region(r, false) : GEN_REGION_LOCAL;
    gen_local_address(r, d, h->community, h->local, sizeof h->local);
    if (h->floating)
        s_home_address(r, h->home_region, h->address, sizeof h->address);
    else
        gen_strlcpy(h->address, h->local, sizeof h->address);

    s_member_t plan[6];
    assert(h->size >= 1 && h->size <= 6);
    s_plan_household(r, h->floating, h->size, plan);

    const char *eth = s_pick_ethnicity(r);
    char head_surname[GEN_NAME_MAX], family_surname[GEN_NAME_MAX];
    s_pick_surname(r, eth, head_surname);
    gen_strlcpy(family_surname, head_surname, sizeof family_surname);
    for (size_t i = 0; i < h->size; i++) {
        gen_person_t *p = &d->persons[h->first + i];
        const s_member_t *m = &plan[i];
        p->household = (size_t) (h - d->households);
        p->relation = m->rel;
        p->gender = m->gender;
        p->birth = s_birth_for_age(r, today, m->age);
        p->ethnicity = m->rel == GEN_REL_SPOUSE || m->rel == GEN_REL_MOTHER
                               || m->rel == GEN_REL_OTHER
                           ? (gen_rng_chance(r, 0.7) ? eth : s_pick_ethnicity(r))
                           : eth;
        char surname[GEN_NAME_MAX];
        switch (m->surname) {
        case S_SUR_HEAD:   gen_strlcpy(surname, head_surname, sizeof surname); break;
        case S_SUR_FAMILY:
            if (gen_rng_chance(r, 0.9))
                gen_strlcpy(surname, family_surname, sizeof surname);
            else
                s_pick_surname(r, p->ethnicity, surname);
            break;
        default:
            if (m->rel == GEN_REL_HEAD)
                gen_strlcpy(surname, head_surname, sizeof surname);
            else
                s_pick_surname(r, p->ethnicity, surname);
            break;
        }
        /* Children take the father's surname: the head's, or a husband's. */
        if (m->rel == GEN_REL_SPOUSE && m->gender == GEN_MALE)
            gen_strlcpy(family_surname, surname, sizeof family_surname);
        s_name_person(r, p, surname, params->rare_name_rate);
        p->region = s_member_region(r, h, m->rel);
        s_assign_idno(r, ids, p);
        p->floating = h->floating;
        p->community = h->community;
        gen_strlcpy(p->reg_address, h->address, sizeof p->reg_address);
        if (h->floating)
            gen_strlcpy(p->cur_address, h->local, sizeof p->cur_address);
        else if (m->age >= 18 && gen_rng_chance(r, 0.06))
            gen_local_address(r, d, (int) gen_rng_below(r, (uint32_t) d->ncommunities),
                              p->cur_address, sizeof p->cur_address);
        else
            p->cur_address[0] = '\0';
    }
}

/* ---- stage pop.contact --------------------------------------------------- */

static void
s_contact(gen_rng_t *r, gen_district_t *d, gen_household_t *h, int date)
{
    if (gen_rng_chance(r, 0.35)) {
        char digits[8];
        s_digits(r, digits, 6);
        snprintf(h->landline, sizeof h->landline, "0597%c%s", "23568"[gen_rng_below(r, 5)],
                 digits);
    }
    for (size_t i = 0; i < h->size; i++) {
        gen_person_t *p = &d->persons[h->first + i];
        int age = gen_date_age(p->birth, date);
        double u = gen_rng_unit(r);
        gen_phone_kind_t kind;
        if (age < 12)
            kind = GEN_PHONE_NONE;
        else if (age < 18)
            kind = u < 0.4 ? GEN_PHONE_MOBILE : GEN_PHONE_NONE;
        else if (age >= 70)
            kind = u < 0.45 ? GEN_PHONE_MOBILE : u < 0.80 ? GEN_PHONE_LANDLINE : GEN_PHONE_NONE;
        else
            kind = u < 0.92 ? GEN_PHONE_MOBILE : u < 0.96 ? GEN_PHONE_LANDLINE : GEN_PHONE_NONE;
        if (kind == GEN_PHONE_LANDLINE && !h->landline[0])
            kind = GEN_PHONE_MOBILE;
        p->phone_kind = kind;
        p->phone[0] = '\0';
        if (kind == GEN_PHONE_MOBILE)
            gen_mobile(r, p->phone);
        else if (kind == GEN_PHONE_LANDLINE)
            gen_strlcpy(p->phone, h->landline, sizeof p->phone);
        /* A minor without a phone is often reached on the household's:
        ** the first member before them who has one (head, then spouse …). */
        bool share = gen_rng_chance(r, 0.6);
        if (kind == GEN_PHONE_NONE && age < 18 && share) {
            for (size_t j = 0; j < i; j++) {
                const gen_person_t *o = &d->persons[h->first + j];
                if (o->phone_kind != GEN_PHONE_NONE) {
                    p->phone_kind = o->phone_kind;
                    gen_strlcpy(p->phone, o->phone, sizeof p->phone);
                    break;
                }
            }
        }
    }
}

/* ---- stage pop.events ---------------------------------------------------- */

/* A day between max(birth, today - back) and today, as YYYYMMDD. */
static int
s_recent_date(gen_rng_t *r, int birth, long today, long back)
{
    long lo = gen_date_days(birth);
    if (lo < today - back)
        lo = today - back;
    if (lo > today)
        lo = today;
    return gen_date_from_days(lo + (long) gen_rng_below(r, (uint32_t) (today - lo + 1)));
}

static void
s_events(gen_rng_t *r, gen_person_t *p, int date, long today)
{
    int age = gen_date_age(p->birth, date);
    double pdead = age >= 85 ? 0.10 : age >= 75 ? 0.05 : age >= 60 ? 0.015 : 0.002;
    p->change = GEN_CHANGE_NONE;
    p->change_date = 0;
    if (gen_rng_chance(r, pdead)) {
        p->status = GEN_STATUS_DEAD;
        p->change = GEN_CHANGE_DEATH;
        p->change_date = s_recent_date(r, p->birth, today, 730);
    } else if (age >= 16 && gen_rng_chance(r, 0.015)) {
        p->status = GEN_STATUS_MOVED_OUT;
        p->change = GEN_CHANGE_MOVED_OUT;
        p->change_date = s_recent_date(r, p->birth, today, 730);
    } else if (gen_rng_chance(r, 0.002)) {
        p->status = GEN_STATUS_CANCELLED;
    } else {
        p->status = GEN_STATUS_NORMAL;
        double u = gen_rng_unit(r);
        if (gen_date_days(p->birth) > today - 365) {
            p->change = GEN_CHANGE_BIRTH;
            p->change_date = p->birth;
        } else if (p->floating) {
            p->change = u < 0.35 ? GEN_CHANGE_NEW : u < 0.40 ? GEN_CHANGE_UPDATE : GEN_CHANGE_NONE;
        } else {
            p->change = u < 0.03   ? GEN_CHANGE_NEW
                        : u < 0.08 ? GEN_CHANGE_MOVED_IN
                        : u < 0.12 ? GEN_CHANGE_UPDATE
                                   : GEN_CHANGE_NONE;
        }
        if (p->change != GEN_CHANGE_NONE && p->change != GEN_CHANGE_BIRTH)
            p->change_date = s_recent_date(r, p->birth, today, 1095);
    }
    if (age >= 12 && gen_rng_chance(r, 0.03)) {
        char given[GEN_NAME_MAX];
        do
            gen_given_name(r, p->gender, given);
        while (strcmp(given, p->given) == 0);
        gen_strlcpy(p->former_name, p->surname, sizeof p->former_name);
        gen_strlcat(p->former_name, given, sizeof p->former_name);
    } else {
        p->former_name[0] = '\0';
    }
}

/* ---- stage pop.social ---------------------------------------------------- */

static const char *const s_education[] = { "小学", "初中", "高中", "中专", "大专", "本科",
                                           "硕士研究生" };

/* Married (初婚, sometimes 再婚). */
static gen_marital_t
s_married(gen_rng_t *r)
{
    return gen_rng_chance(r, 0.88) ? GEN_MARITAL_MARRIED : GEN_MARITAL_REMARRIED;
}

/* 婚姻状况 of someone whose spouse is not in the household, by age. */
static gen_marital_t
s_marital_alone(gen_rng_t *r, int age)
{
    /* 未婚 初婚 再婚 离婚 丧偶 */
    static const unsigned w20[] = { 75, 15, 2, 8, 0 }, w30[] = { 25, 25, 7, 35, 8 },
                          w50[] = { 8, 15, 5, 27, 45 }, w70[] = { 4, 8, 2, 8, 78 };
    if (age < 20)
        return GEN_MARITAL_SINGLE;
    const unsigned *w = age < 30 ? w20 : age < 50 ? w30 : age < 70 ? w50 : w70;
    return (gen_marital_t) gen_rng_weighted(r, w, 5);
}

static const char *
s_pick_education(gen_rng_t *r, int birth_year, int age)
{
    /* 小学 初中 高中 中专 大专 本科 硕士研究生 */
    static const unsigned teen[] = { 0, 40, 45, 15, 0, 0, 0 },
                          young[] = { 0, 15, 15, 15, 25, 27, 3 },
                          middle[] = { 10, 35, 20, 12, 13, 9, 1 },
                          old[] = { 40, 35, 15, 5, 3, 2, 0 };
    if (age < 7)
        return "";
    if (age < 13)
        return s_education[0];
    if (age < 16)
        return s_education[1];
    const unsigned *w = age < 19 ? teen : birth_year >= 1985 ? young
                                         : birth_year >= 1965 ? middle : old;
    return s_education[gen_rng_weighted(r, w, N_OF(s_education))];
}

static void
s_social(gen_rng_t *r, gen_district_t *d, const gen_household_t *h, int date)
{
    bool has[GEN_REL_OTHER + 1] = { false };
    for (size_t i = 0; i < h->size; i++)
        has[d->persons[h->first + i].relation] = true;
    for (size_t i = 0; i < h->size; i++) {
        gen_person_t *p = &d->persons[h->first + i];
        int age = gen_date_age(p->birth, date);
        switch (p->relation) {
        case GEN_REL_HEAD:
        case GEN_REL_SPOUSE:
            p->marital = has[GEN_REL_HEAD] && has[GEN_REL_SPOUSE] ? s_married(r)
                                                                 : s_marital_alone(r, age);
            break;
        case GEN_REL_FATHER:
        case GEN_REL_MOTHER:
            if (has[GEN_REL_FATHER] && has[GEN_REL_MOTHER])
                p->marital = s_married(r);
            else
                p->marital = gen_rng_chance(r, 0.75) ? GEN_MARITAL_WIDOWED
                                                     : GEN_MARITAL_DIVORCED;
            break;
        default:
            p->marital = s_marital_alone(r, age);
            break;
        }
        p->education = s_pick_education(r, p->birth / 10000, age);
        double pdis = age < 18 ? 0.008 : age < 60 ? 0.02 : age < 80 ? 0.06 : 0.12;
        static const unsigned kinds[] = { 12, 18, 2, 45, 8, 10, 5 }, levels[] = { 10, 20, 30, 40 };
        p->disability = 0;
        p->disability_level = 0;
        if (gen_rng_chance(r, pdis)) {
            p->disability = 1 + (int) gen_rng_weighted(r, kinds, N_OF(kinds));
            p->disability_level = 1 + (int) gen_rng_weighted(r, levels, N_OF(levels));
        }
    }
}

/* ---- stage pop.twins ----------------------------------------------------- */

/* Children of the head (1) or grandchildren (2), whose siblings share the
** class; 0 for anyone else. */
static int
s_child_class(gen_relation_t rel)
{
    switch (rel) {
    case GEN_REL_SON:
    case GEN_REL_DAUGHTER:      return 1;
    case GEN_REL_GRANDSON:
    case GEN_REL_GRANDDAUGHTER: return 2;
    default:                    return 0;
    }
}

/* Whether some member of h other than skip is called name. */
static bool
s_name_in_household(const gen_district_t *d, const gen_household_t *h, size_t skip,
                    const char *name)
{
    for (size_t i = h->first; i < h->first + h->size; i++)
        if (i != skip && strcmp(d->persons[i].name, name) == 0)
            return true;
    return false;
}

/* The twin's given name: the anchor's with one character replaced (the last
** one more often, so the first is shared: 一鸣/一鹏), never by one that sounds
** the same, and no one else's in the household. false if none was found. */
static bool
s_twin_given(gen_rng_t *r, const gen_district_t *d, const gen_household_t *h, size_t twin,
             const gen_person_t *a, gen_gender_t gender, char *out)
{
    const char *pool = gender == GEN_MALE ? s_given_male : s_given_female;
    size_t n = gen_utf8_count(a->given);
    for (int attempt = 0; attempt < 64; attempt++) {
        size_t pos = n == 1 ? 0 : gen_rng_chance(r, 0.7) ? n - 1 : 0;
        char old[5], c[5], given[GEN_NAME_MAX] = "", name[GEN_NAME_MAX];
        gen_utf8_nth(a->given, pos, old);
        gen_utf8_pick(r, pool, c);
        if (strcmp(c, old) == 0 || gen_homophones(c, old))
            continue;
        for (size_t i = 0; i < n; i++) {
            char k[5];
            gen_utf8_nth(a->given, i, k);
            gen_strlcat(given, i == pos ? c : k, sizeof given);
        }
        gen_strlcpy(name, a->surname, sizeof name);
        gen_strlcat(name, given, sizeof name);
        if (s_name_in_household(d, h, twin, name))
            continue;
        gen_strlcpy(out, given, GEN_NAME_MAX);
        return true;
    }
    return false;
}

/* Whether p's phone is someone else's in h too (shared or the landline). */
static bool
s_phone_shared(const gen_district_t *d, const gen_household_t *h, size_t p)
{
    const gen_person_t *q = &d->persons[p];
    if (q->phone_kind == GEN_PHONE_LANDLINE)
        return true;
    for (size_t i = h->first; i < h->first + h->size; i++)
        if (i != p && strcmp(d->persons[i].phone, q->phone) == 0)
            return true;
    return false;
}

/* Turns person t of h into the twin of sibling a: t keeps its gender,
** relation and disability, takes what twins share, and gets its own
** identity number (and a mobile of its own when a has one). */
static bool
s_make_twin(gen_rng_t *r, gen_district_t *d, gen_household_t *h, size_t ai, size_t ti,
            gen_set_t *ids, int date, long today)
{
    const gen_person_t *a = &d->persons[ai];
    gen_person_t *t = &d->persons[ti];
    char given[GEN_NAME_MAX];
    if (!s_twin_given(r, d, h, ti, a, t->gender, given))
        return false;
    gen_strlcpy(t->surname, a->surname, sizeof t->surname);
    gen_strlcpy(t->given, given, sizeof t->given);
    gen_strlcpy(t->name, t->surname, sizeof t->name);
    gen_strlcat(t->name, t->given, sizeof t->name);
    t->rare_name = s_has_rare(t->name);
    t->former_name[0] = '\0';
    t->birth = a->birth;
    t->ethnicity = a->ethnicity;
    t->region = a->region;
    s_assign_idno(r, ids, t);
    gen_strlcpy(t->cur_address, a->cur_address, sizeof t->cur_address);
    t->education = a->education;
    t->marital = a->marital;
    if (a->status == GEN_STATUS_NORMAL) {
        t->status = a->status;
        t->change = a->change;
        t->change_date = a->change_date;
    } else {
        t->status = GEN_STATUS_NORMAL;
        bool newborn = gen_date_days(t->birth) > today - 365;
        t->change = newborn ? GEN_CHANGE_BIRTH : GEN_CHANGE_NONE;
        t->change_date = newborn ? t->birth : 0;
    }
    if (a->phone_kind == GEN_PHONE_NONE || s_phone_shared(d, h, ai)
        || gen_date_age(t->birth, date) < 12) {
        t->phone_kind = a->phone_kind;
        gen_strlcpy(t->phone, a->phone, sizeof t->phone);
    } else {
        t->phone_kind = GEN_PHONE_MOBILE;
        gen_mobile(r, t->phone);
    }
    d->persons[ai].twin = true;
    t->twin = true;
    return true;
}

/* Twins in about rate of the households with children. Only households with
** two children of one class can have them (a child becomes the twin), so the
** chance there is scaled up to keep the share of all with children. */
static void
s_twins(gen_district_t *d, const gen_pop_params_t *params, gen_set_t *ids, long today)
{
    size_t with_children = 0, eligible = 0;
    for (size_t h = 0; h < d->nhouseholds; h++) {
        const gen_household_t *hh = &d->households[h];
        int n[3] = { 0, 0, 0 };
        for (size_t i = hh->first; i < hh->first + hh->size; i++)
            n[s_child_class(d->persons[i].relation)]++;
        with_children += n[1] + n[2] > 0;
        eligible += n[1] >= 2 || n[2] >= 2;
    }
    double p = eligible ? params->twin_rate * (double) with_children / (double) eligible : 0;
    gen_rng_t base;
    gen_rng_init(&base, params->seed, "pop.twins");
    for (size_t h = 0; h < d->nhouseholds; h++) {
        gen_household_t *hh = &d->households[h];
        int n[3] = { 0, 0, 0 };
        for (size_t i = hh->first; i < hh->first + hh->size; i++)
            n[s_child_class(d->persons[i].relation)]++;
        if (n[1] < 2 && n[2] < 2)
            continue;
        gen_rng_t r = gen_rng_fork(&base, h);
        if (!gen_rng_chance(&r, p))
            continue;
        size_t cand[6] = { 0 }, nc = 0;
        for (size_t i = hh->first; i < hh->first + hh->size && nc < 6; i++) {
            int c = s_child_class(d->persons[i].relation);
            if (c && n[c] >= 2)
                cand[nc++] = i;
        }
        if (nc < 2)
            continue;
        size_t a = cand[gen_rng_below(&r, (uint32_t) nc)], sib[6] = { 0 }, ns = 0;
        for (size_t k = 0; k < nc; k++)
            if (cand[k] != a && s_child_class(d->persons[cand[k]].relation)
                                    == s_child_class(d->persons[a].relation))
                sib[ns++] = cand[k];
        if (ns == 0)
            continue;
        size_t t = sib[gen_rng_below(&r, (uint32_t) ns)];
        s_make_twin(&r, d, hh, a, t, ids, params->date, today);
    }
}

/* ---- stage pop.namesakes -------------------------------------------------- */

/* A person as the namesake search sees it: drawn before any pair is made. */
typedef struct {
    int gender;
    const char *surname;
    int year;
    size_t person;
} s_nkey_t;

static int
s_cmp_nkey(const void *x, const void *y)
{
    const s_nkey_t *p = x, *q = y;
    if (p->gender != q->gender)
        return p->gender < q->gender ? -1 : 1;
    int c = strcmp(p->surname, q->surname);
    if (c)
        return c;
    if (p->year != q->year)
        return p->year < q->year ? -1 : 1;
    return p->person < q->person ? -1 : p->person > q->person;
}

/* First position in k[0..n) not ordered before (gender, surname, year). */
static size_t
s_lower_bound(const s_nkey_t *k, size_t n, int gender, const char *surname, int year)
{
    s_nkey_t probe = { gender, surname, year, 0 };
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s_cmp_nkey(&k[mid], &probe) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* For about rate of the persons (a), another person (b) of the same gender
** and surname, born within a year of a, living in another household and
** community, takes a's given name and birth date and a new identity number
** (b keeps its region, phone and addresses). Twins and persons already in a
** pair are left alone, as is b when the name is taken in its household. */
static void
s_namesakes(gen_district_t *d, const gen_pop_params_t *params, gen_set_t *ids, long today)
{
    size_t n = d->npersons;
    s_nkey_t *keys = gen_xmalloc(n * sizeof *keys);
    size_t *cand = gen_xmalloc(n * sizeof *cand);
    for (size_t i = 0; i < n; i++)
        keys[i] = (s_nkey_t) { (int) d->persons[i].gender, d->persons[i].surname,
                               d->persons[i].birth / 10000, i };
    qsort(keys, n, sizeof *keys, s_cmp_nkey);
    gen_rng_t base;
    gen_rng_init(&base, params->seed, "pop.namesakes");
    for (size_t i = 0; i < n; i++) {
        gen_rng_t r = gen_rng_fork(&base, i);
        if (!gen_rng_chance(&r, params->namesake_rate))
            continue;
        const gen_person_t *a = &d->persons[i];
        if (a->twin || a->namesake)
            continue;
        int year = a->birth / 10000;
        size_t nc = 0;
        for (size_t k = s_lower_bound(keys, n, (int) a->gender, a->surname, year - 1); k < n;
             k++) {
            if (keys[k].gender != (int) a->gender || strcmp(keys[k].surname, a->surname) != 0
                || keys[k].year > year + 1)
                break;
            size_t j = keys[k].person;
            const gen_person_t *b = &d->persons[j];
            if (j != i && !b->twin && !b->namesake && b->household != a->household
                && b->community != a->community
                && !s_name_in_household(d, &d->households[b->household], j, a->name))
                cand[nc++] = j;
        }
        if (nc == 0)
            continue;
        gen_person_t *b = &d->persons[cand[gen_rng_below(&r, (uint32_t) nc)]];
        gen_strlcpy(b->given, a->given, sizeof b->given);
        gen_strlcpy(b->name, a->name, sizeof b->name);
        b->rare_name = a->rare_name;
        if (strcmp(b->former_name, b->name) == 0)
            b->former_name[0] = '\0';
        b->birth = a->birth;
        s_assign_idno(&r, ids, b);
        if (b->change == GEN_CHANGE_BIRTH || gen_date_days(b->birth) > today - 365) {
            bool newborn = gen_date_days(b->birth) > today - 365;
            if (b->status == GEN_STATUS_NORMAL || !newborn) {
                b->change = newborn ? GEN_CHANGE_BIRTH : GEN_CHANGE_NONE;
                b->change_date = newborn ? b->birth : 0;
            }
        }
        if (b->change_date && b->change_date < b->birth)
            b->change_date = b->birth;
        d->persons[i].namesake = true;
        b->namesake = true;
    }
    free(keys);
    free(cand);
}

/* ---- stage pop.moves ------------------------------------------------------ */

/* About rate of the persons moved lately from another community of the
** district: prev_community and prev_address say where they lived. */
static void
s_moves(gen_district_t *d, const gen_pop_params_t *params)
{
    if (d->ncommunities < 2)
        return;
    gen_rng_t base;
    gen_rng_init(&base, params->seed, "pop.moves");
    for (size_t i = 0; i < d->npersons; i++) {
        gen_rng_t r = gen_rng_fork(&base, i);
        gen_person_t *p = &d->persons[i];
        if (!gen_rng_chance(&r, params->move_rate))
            continue;
        int c = (int) gen_rng_below(&r, (uint32_t) (d->ncommunities - 1));
        if (c >= p->community)
            c++;
        p->moved = true;
        p->prev_community = c;
        gen_local_address(&r, d, c, p->prev_address, sizeof p->prev_address);
    }
}

/* ---- stage pop.renames ---------------------------------------------------- */

/* About rate of the persons 3 and older without a former name (not twins or
** namesakes, whose names are the point) changed their given name: the old
** one becomes the former name (曾用名), as the police register keeps it.
** Given names are changed, children renamed; surnames stay. */
static void
s_renames(gen_district_t *d, const gen_pop_params_t *params)
{
    gen_rng_t base;
    gen_rng_init(&base, params->seed, "pop.renames");
    for (size_t i = 0; i < d->npersons; i++) {
        gen_rng_t r = gen_rng_fork(&base, i);
        gen_person_t *p = &d->persons[i];
        if (!gen_rng_chance(&r, params->rename_rate))
            continue;
        if (p->former_name[0] || p->twin || p->namesake
            || gen_date_age(p->birth, params->date) < 3)
            continue;
        char given[GEN_NAME_MAX], name[GEN_NAME_MAX];
        int attempt = 0;
        do {
            gen_given_name(&r, p->gender, given);
            gen_strlcpy(name, p->surname, sizeof name);
            gen_strlcat(name, given, sizeof name);
        } while ((strcmp(given, p->given) == 0
                  || s_name_in_household(d, &d->households[p->household], i, name))
                 && ++attempt < 16);
        if (attempt >= 16)
            continue;
        gen_strlcpy(p->former_name, name, sizeof p->former_name);
        p->renamed = true;
    }
}

/* ---- stage pop.siblings --------------------------------------------------- */

/* Characters families choose as a generation name (字辈). */
static const char s_generation_chars[] = "文志家建永德明宏思嘉晓子俊少秀丽美玉";

/* In about rate of the households with two or more children of one class
** (children, grandchildren), none of them a twin, the siblings of that
** class get given names of two characters sharing the first: the eldest's
** first character when theirs has two, else one drawn; each keeps the last
** character of their own given name (or draws one when that would repeat a
** sibling's name). Different persons, alike names: a hard negative. */
static void
s_siblings(gen_district_t *d, const gen_pop_params_t *params)
{
    gen_rng_t base;
    gen_rng_init(&base, params->seed, "pop.siblings");
    for (size_t h = 0; h < d->nhouseholds; h++) {
        gen_household_t *hh = &d->households[h];
        gen_rng_t r = gen_rng_fork(&base, h);
        bool hit = gen_rng_chance(&r, params->sibling_rate);
        for (int cls = 1; cls <= 2 && hit; cls++) {
            size_t sib[6], n = 0;
            bool twin = false;
            for (size_t i = hh->first; i < hh->first + hh->size && n < 6; i++)
                if (s_child_class(d->persons[i].relation) == cls) {
                    sib[n++] = i;
                    twin |= d->persons[i].twin || d->persons[i].namesake;
                }
            if (n < 2 || twin)
                continue;
            size_t eldest = sib[0];
            for (size_t k = 1; k < n; k++)
                if (d->persons[sib[k]].birth < d->persons[eldest].birth)
                    eldest = sib[k];
            char gen[5];
            if (gen_utf8_count(d->persons[eldest].given) == 2)
                gen_utf8_nth(d->persons[eldest].given, 0, gen);
            else
                gen_utf8_pick(&r, s_generation_chars, gen);
            char names[6][GEN_NAME_MAX], givens[6][GEN_NAME_MAX];
            bool ok = true;
            for (size_t k = 0; k < n && ok; k++) {
                gen_person_t *p = &d->persons[sib[k]];
                char last[5];
                gen_utf8_nth(p->given, gen_utf8_count(p->given) - 1, last);
                for (int attempt = 0;; attempt++) {
                    if (attempt >= 16) {
                        ok = false;
                        break;
                    }
                    if (attempt > 0)
                        gen_utf8_pick(&r, p->gender == GEN_MALE ? s_given_male : s_given_female,
                                      last);
                    gen_strlcpy(givens[k], gen, sizeof givens[k]);
                    gen_strlcat(givens[k], last, sizeof givens[k]);
                    gen_strlcpy(names[k], p->surname, sizeof names[k]);
                    gen_strlcat(names[k], givens[k], sizeof names[k]);
                    bool clash = strcmp(last, gen) == 0
                                 || s_name_in_household(d, hh, sib[k], names[k]);
                    for (size_t j = 0; j < k && !clash; j++)
                        clash = strcmp(names[j], names[k]) == 0;
                    if (!clash)
                        break;
                }
            }
            if (!ok)
                continue;
            for (size_t k = 0; k < n; k++) {
                gen_person_t *p = &d->persons[sib[k]];
                gen_strlcpy(p->given, givens[k], sizeof p->given);
                gen_strlcpy(p->name, names[k], sizeof p->name);
                p->rare_name = s_has_rare(p->name);
                if (strcmp(p->former_name, p->name) == 0)
                    p->former_name[0] = '\0';
                p->sibling_name = true;
            }
        }
    }
}

/* ---- stage pop.homenames -------------------------------------------------- */

/* In about rate of the households with a male head and a son or grandson of
** his surname (none a twin or a namesake), the youngest such takes the
** head's given name: two members of one household, one name, birth dates a
** generation apart, own numbers. */
static void
s_homenames(gen_district_t *d, const gen_pop_params_t *params)
{
    gen_rng_t base;
    gen_rng_init(&base, params->seed, "pop.homenames");
    for (size_t h = 0; h < d->nhouseholds; h++) {
        gen_household_t *hh = &d->households[h];
        gen_person_t *head = &d->persons[hh->first];
        gen_rng_t r = gen_rng_fork(&base, h);
        if (!gen_rng_chance(&r, params->home_namesake_rate))
            continue;
        if (head->relation != GEN_REL_HEAD || head->gender != GEN_MALE || head->twin
            || head->namesake || head->sibling_name)
            continue;
        gen_person_t *young = NULL;
        for (size_t i = hh->first + 1; i < hh->first + hh->size; i++) {
            gen_person_t *q = &d->persons[i];
            if ((q->relation == GEN_REL_SON || q->relation == GEN_REL_GRANDSON)
                && strcmp(q->surname, head->surname) == 0 && !q->twin && !q->namesake
                && !q->sibling_name && (!young || q->birth > young->birth))
                young = q;
        }
        if (!young)
            continue;
        gen_strlcpy(young->given, head->given, sizeof young->given);
        gen_strlcpy(young->name, head->name, sizeof young->name);
        young->rare_name = head->rare_name;
        if (strcmp(young->former_name, young->name) == 0)
            young->former_name[0] = '\0';
        young->home_namesake = true;
        head->home_namesake = true;
    }
}

/* ---- the population ------------------------------------------------------- */

void
gen_population_build(gen_district_t *d, const gen_pop_params_t *params)
{
    assert(d->ncommunities > 0);
    assert(params->people >= 1 && params->people <= GEN_PEOPLE_MAX);
    long today = gen_date_days(params->date);
    static const unsigned size_weights[] = { 15, 25, 28, 18, 9, 5 };
    static const unsigned floating_size_weights[] = { 35, 30, 22, 9, 3, 1 };

    d->persons = gen_xcalloc(params->people, sizeof *d->persons);
    d->npersons = params->people;
    size_t hcap = params->people / 2 + 16;
    d->households = gen_xcalloc(hcap, sizeof *d->households);
    d->nhouseholds = 0;

    gen_set_t ids, hhnos;
    gen_set_init(&ids, params->people);
    gen_set_init(&hhnos, params->people);
    gen_rng_t layout, hbase;
    gen_rng_init(&layout, params->seed, "pop.layout");
    gen_rng_init(&hbase, params->seed, "pop.household");
    for (size_t placed = 0; placed < params->people; ) {
        if (d->nhouseholds == hcap) {
            hcap *= 2;
            d->households = gen_xrealloc(d->households, hcap * sizeof *d->households);
        }
        gen_household_t *h = &d->households[d->nhouseholds];
        memset(h, 0, sizeof *h);
        h->floating = gen_rng_chance(&layout, 0.12);
        h->size = 1 + gen_rng_weighted(&layout, h->floating ? floating_size_weights : size_weights,
                                       6);
        if (h->size > params->people - placed)
            h->size = params->people - placed;
        h->first = placed;
        gen_rng_t r = gen_rng_fork(&hbase, d->nhouseholds);
        d->nhouseholds++;
        s_build_household(&r, d, h, &ids, &hhnos, params, today);
        placed += h->size;
    }
    for (size_t i = 0; i < d->npersons; i++) {
        char pid[32];
        snprintf(pid, sizeof pid, "P%06zu", i + 1);
        gen_strlcpy(d->persons[i].pid, pid, sizeof d->persons[i].pid);
    }
    gen_set_fini(&hhnos);

    gen_rng_t cbase;
    gen_rng_init(&cbase, params->seed, "pop.contact");
    for (size_t h = 0; h < d->nhouseholds; h++) {
        gen_rng_t r = gen_rng_fork(&cbase, h);
        s_contact(&r, d, &d->households[h], params->date);
    }

    gen_rng_t ebase;
    gen_rng_init(&ebase, params->seed, "pop.events");
    for (size_t i = 0; i < d->npersons; i++) {
        gen_rng_t r = gen_rng_fork(&ebase, i);
        s_events(&r, &d->persons[i], params->date, today);
    }

    gen_rng_t sbase;
    gen_rng_init(&sbase, params->seed, "pop.social");
    for (size_t h = 0; h < d->nhouseholds; h++) {
        gen_rng_t r = gen_rng_fork(&sbase, h);
        s_social(&r, d, &d->households[h], params->date);
    }

    s_twins(d, params, &ids, today);
    s_namesakes(d, params, &ids, today);
    gen_set_fini(&ids);
    s_moves(d, params);
    s_renames(d, params);
    s_siblings(d, params);
    s_homenames(d, params);
}
