/*
** gen_mess.c: noise kinds and the functions that apply them to values as a
** department writes them. See gen_mess.h.
*/
#include "gen_mess.h"
#include "normalize.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define S_IDEOSPACE "\xE3\x80\x80"   /* U+3000 */

static const double s_default_p[GEN_NOISE_COUNT] = {
#define X(name, p, text) p,
    GEN_NOISES(X)
#undef X
};
static const char *const s_noise_name[GEN_NOISE_COUNT] = {
#define X(name, p, text) #name,
    GEN_NOISES(X)
#undef X
};
static const char *const s_noise_text[GEN_NOISE_COUNT] = {
#define X(name, p, text) text,
    GEN_NOISES(X)
#undef X
};

void
gen_noise_init(gen_noise_t *noise, double scale)
{
    for (int k = 0; k < GEN_NOISE_COUNT; k++) {
        double p = s_default_p[k] * scale;
        noise->p[k] = p < 0 ? 0 : p > 1 ? 1 : p;
        noise->hits[k] = 0;
    }
}

bool
gen_noise_roll(gen_noise_t *noise, gen_rng_t *rng, gen_noise_kind_t kind)
{
    assert(kind < GEN_NOISE_COUNT);
    bool hit = gen_rng_chance(rng, noise->p[kind]);
    if (hit)
        noise->hits[kind]++;
    return hit;
}

const char *
gen_noise_name(gen_noise_kind_t kind)
{
    assert(kind < GEN_NOISE_COUNT);
    return s_noise_name[kind];
}

const char *
gen_noise_text(gen_noise_kind_t kind)
{
    assert(kind < GEN_NOISE_COUNT);
    return s_noise_text[kind];
}

/* ---- identity numbers ---------------------------------------------------- */

/* Makes the valid 18-character s invalid the way a typist does. */
static void
s_mistype(gen_rng_t *r, char *s)
{
    uint32_t how = gen_rng_below(r, 3);
    if (how == 1) {   /* swap two adjacent, different digits of the first 17 */
        int candidates[16], n = 0;
        for (int i = 0; i < 16; i++)
            if (s[i] != s[i + 1])
                candidates[n++] = i;
        if (n > 0) {
            int i = candidates[gen_rng_below(r, (uint32_t) n)];
            char t = s[i];
            s[i] = s[i + 1];
            s[i + 1] = t;
        } else {
            how = 0;
        }
    }
    if (how == 0) {   /* one wrong digit among the first 17 */
        int i = (int) gen_rng_below(r, 17);
        int d = s[i] - '0';
        s[i] = (char) ('0' + (d + 1 + (int) gen_rng_below(r, 9)) % 10);
    } else if (how == 2) {   /* a wrong check character */
        static const char checks[] = "0123456789X";
        char c;
        do
            c = checks[gen_rng_below(r, 11)];
        while (c == s[17]);
        s[17] = c;
    }
    /* Each weight of MOD 11-2 is non-zero mod 11, as is each difference of
    ** adjacent weights, so any of these edits breaks the check. */
    assert(!gen_idno_valid18(s));
}

/* gen_mess_idno, or with force_mistype gen_mess_idno_mistyped. */
static void
s_idno(gen_noise_t *noise, gen_rng_t *rng, const gen_person_t *p, char *out, bool *invalid,
       bool force_mistype)
{
    char s[20];
    memcpy(s, p->idno, 19);
    *invalid = false;
    bool fifteen = false;
    int year = p->birth / 10000;
    if (force_mistype) {
        s_mistype(rng, s);
        *invalid = true;
    } else if (year >= 1900 && year < 2000
               && gen_noise_roll(noise, rng, GEN_NOISE_ID_15DIGIT)) {
        /* region + YYMMDD + sequence: the 18-digit form less "19" and check */
        memmove(s + 6, s + 8, 9);
        s[15] = '\0';
        fifteen = true;
    } else if (gen_noise_roll(noise, rng, GEN_NOISE_ID_MISTYPED)) {
        s_mistype(rng, s);
        *invalid = true;
    }
    if (!fifteen && s[17] == 'X' && gen_noise_roll(noise, rng, GEN_NOISE_ID_LOWER_X))
        s[17] = 'x';

    /* Group with spaces: 6-8-4 or 6-4-4-4 (18), 6-6-3 (15). */
    char spaced[40];
    if (gen_noise_roll(noise, rng, GEN_NOISE_ID_SPACES)) {
        static const int g18a[] = { 6, 8, 4, 0 }, g18b[] = { 6, 4, 4, 4, 0 }, g15[] = { 6, 6, 3, 0 };
        const int *g = fifteen ? g15 : gen_rng_chance(rng, 0.7) ? g18a : g18b;
        size_t o = 0, i = 0;
        for (; *g; g++) {
            if (o > 0)
                spaced[o++] = ' ';
            memcpy(spaced + o, s + i, (size_t) *g);
            o += (size_t) *g;
            i += (size_t) *g;
        }
        spaced[o] = '\0';
    } else {
        memcpy(spaced, s, strlen(s) + 1);
    }

    out[0] = '\0';
    if (gen_noise_roll(noise, rng, GEN_NOISE_ID_FULLWIDTH)) {
        size_t o = 0;
        for (const char *c = spaced; *c; c++) {
            uint32_t cp = (unsigned char) *c;
            if ((*c >= '0' && *c <= '9') || *c == 'X' || *c == 'x')
                cp = cp - 0x21 + 0xFF01;   /* ASCII ! .. ~ to U+FF01 .. U+FF5E */
            o += gen_utf8_encode(cp, out + o);
        }
        out[o] = '\0';
    } else {
        gen_strlcpy(out, spaced, GEN_IDNO_TEXT_MAX);
    }
}

void
gen_mess_idno(gen_noise_t *noise, gen_rng_t *rng, const gen_person_t *p, char *out,
              bool *invalid)
{
    s_idno(noise, rng, p, out, invalid, false);
}

void
gen_mess_idno_mistyped(gen_noise_t *noise, gen_rng_t *rng, const gen_person_t *p, char *out)
{
    bool invalid;
    s_idno(noise, rng, p, out, &invalid, true);
}

/* ---- spaces -------------------------------------------------------------- */

/* Byte offset of character idx of s. */
static size_t
s_char_offset(const char *s, size_t idx)
{
    size_t off = 0;
    uint32_t cp;
    while (idx-- > 0) {
        size_t len = gen_utf8_decode(s + off, &cp);
        if (len == 0)
            break;
        off += len;
    }
    return off;
}

void
gen_mess_spaces(gen_noise_t *noise, gen_rng_t *rng, char *s, size_t cap, size_t split)
{
    if (!*s || !gen_noise_roll(noise, rng, GEN_NOISE_TEXT_SPACES))
        return;
    static const char *const pad1[] = { " ", S_IDEOSPACE };
    static const char *const pad2[] = { "  ", "\xE3\x80\x80\xE3\x80\x80", " \xE3\x80\x80" };
    size_t len = strlen(s), nchars = gen_utf8_count(s);
    uint32_t kind = gen_rng_below(rng, 5);
    const char *pad = kind == 4 ? pad2[gen_rng_below(rng, 3)] : pad1[gen_rng_below(rng, 2)];
    size_t at;
    if (split > 0 && split < len)
        at = split;
    else
        at = nchars > 1 ? s_char_offset(s, 1 + gen_rng_below(rng, (uint32_t) (nchars - 1))) : 0;

    char tmp[512];
    size_t plen = strlen(pad);
    if (len + 2 * plen + 1 > sizeof tmp || len + 2 * plen + 1 > cap)
        return;
    switch (kind) {
    case 0:   /* leading */
        snprintf(tmp, sizeof tmp, "%s%s", pad, s);
        break;
    case 1:   /* trailing */
        snprintf(tmp, sizeof tmp, "%s%s", s, pad);
        break;
    case 2:   /* both */
        snprintf(tmp, sizeof tmp, "%s%s%s", pad, s, pad);
        break;
    default:  /* inner, single (3) or doubled (4) */
        if (at == 0)
            at = len;   /* one character: trailing then */
        snprintf(tmp, sizeof tmp, "%.*s%s%s", (int) at, s, pad, s + at);
        break;
    }
    gen_strlcpy(s, tmp, cap);
}

/* ---- traditional script -------------------------------------------------- */

/* Simplified → traditional for the characters the name and address lists
** use, as pairs. */
static const char s_trad_pairs[] =
    "张張陈陳刘劉黄黃龙龍华華东東兴興赵趙吴吳杨楊郑鄭谢謝罗羅邓鄧冯馮萧蕭"
    "叶葉苏蘇钟鍾卢盧汤湯龚龔万萬钱錢严嚴赖賴陆陸贺賀顾顧孙孫马馬许許温溫"
    "简簡蓝藍伟偉国國军軍强強杰傑丽麗红紅凤鳳兰蘭荣榮宝寶辉輝贤賢乐樂长長"
    "庆慶义義云雲丰豐发發进進达達刚剛鹏鵬涛濤轩軒泽澤颖穎悦悅静靜宁寧莲蓮"
    "桥橋门門区區县縣岩巖号號楼樓园園广廣汉漢阳陽连連炉爐后後环環鸡雞关關"
    "侨僑晖暉组組腾騰鑫鑫";

/* The traditional form of cp, or 0. */
static uint32_t
s_trad_of(uint32_t cp)
{
    const char *p = s_trad_pairs;
    uint32_t simp, trad;
    for (;;) {
        size_t n = gen_utf8_decode(p, &simp);
        if (n == 0)
            return 0;
        p += n;
        p += gen_utf8_decode(p, &trad);
        if (simp == cp && trad != cp)
            return trad;
    }
}

static bool
s_trad_one(gen_rng_t *r, char *s, size_t cap)
{
    size_t count = 0, off = 0;
    uint32_t cp;
    for (size_t n; (n = gen_utf8_decode(s + off, &cp)) > 0; off += n)
        count += s_trad_of(cp) != 0;
    if (count == 0)
        return false;
    size_t pick = gen_rng_below(r, (uint32_t) count);
    char tmp[512];
    size_t o = 0;
    off = 0;
    for (size_t n; (n = gen_utf8_decode(s + off, &cp)) > 0; off += n) {
        uint32_t t = s_trad_of(cp);
        if (t && pick-- == 0)
            cp = t;
        if (o + 5 > sizeof tmp)
            return false;
        o += gen_utf8_encode(cp, tmp + o);
    }
    tmp[o] = '\0';
    if (o + 1 > cap)
        return false;
    memcpy(s, tmp, o + 1);
    return true;
}

void
gen_mess_trad(gen_noise_t *noise, gen_rng_t *rng, char *a, size_t acap, char *b, size_t bcap)
{
    if (!gen_noise_roll(noise, rng, GEN_NOISE_TEXT_TRAD))
        return;
    if (gen_rng_chance(rng, 0.5)) {
        if (!s_trad_one(rng, a, acap))
            s_trad_one(rng, b, bcap);
    } else {
        if (!s_trad_one(rng, b, bcap))
            s_trad_one(rng, a, acap);
    }
}

/* ---- same-sounding characters ------------------------------------------ */

void
gen_mess_homophone(gen_noise_t *noise, gen_rng_t *rng, char *name, size_t cap,
                   size_t surname_len)
{
    if (surname_len > strlen(name))
        return;
    const char *given = name + surname_len;
    size_t n = gen_utf8_count(given), count = 0;
    char c[5];
    for (size_t i = 0; i < n; i++) {
        gen_utf8_nth(given, i, c);
        count += gen_homophone_known(c);
    }
    if (count == 0 || !gen_noise_roll(noise, rng, GEN_NOISE_HOMOPHONE))
        return;
    size_t pick = gen_rng_below(rng, (uint32_t) count);
    char tmp[4 * GEN_NAME_MAX];
    if (surname_len + 1 > sizeof tmp)
        return;
    memcpy(tmp, name, surname_len);
    tmp[surname_len] = '\0';
    for (size_t i = 0; i < n; i++) {
        char alt[5];
        gen_utf8_nth(given, i, c);
        if (gen_homophone_known(c) && pick-- == 0 && gen_homophone_pick(rng, c, alt))
            gen_strlcat(tmp, alt, sizeof tmp);
        else
            gen_strlcat(tmp, c, sizeof tmp);
    }
    if (strlen(tmp) < sizeof tmp - 1 && strlen(tmp) + 1 <= cap)
        gen_strlcpy(name, tmp, cap);
}

/* ---- phones and communities ---------------------------------------------- */

void
gen_mess_phone(gen_noise_t *noise, gen_rng_t *rng, const gen_person_t *p, char *out)
{
    out[0] = '\0';
    if (p->phone_kind == GEN_PHONE_NONE || gen_noise_roll(noise, rng, GEN_NOISE_PHONE_EMPTY))
        return;
    const char *d = p->phone;
    if (p->phone_kind == GEN_PHONE_LANDLINE) {
        snprintf(out, 32, "%.4s-%s", d, d + 4);
        return;
    }
    if (!gen_noise_roll(noise, rng, GEN_NOISE_PHONE_FORM)) {
        snprintf(out, 32, "%s", d);
        return;
    }
    switch (gen_rng_below(rng, 3)) {
    case 0:  snprintf(out, 32, "%.3s-%.4s-%s", d, d + 3, d + 7); break;
    case 1:  snprintf(out, 32, "+86 %.3s %.4s %s", d, d + 3, d + 7); break;
    default: snprintf(out, 32, "%.3s %.4s %s", d, d + 3, d + 7); break;
    }
}

void
gen_mess_community(gen_noise_t *noise, gen_rng_t *rng, const gen_community_t *c, char *out)
{
    if (!gen_noise_roll(noise, rng, GEN_NOISE_COMMUNITY_FORM)) {
        snprintf(out, 160, "%s", c->name);
        return;
    }
    switch (gen_rng_below(rng, 3)) {
    case 0:  snprintf(out, 160, "%s", c->short_name); break;
    case 1:  snprintf(out, 160, "%s居委会", c->name); break;
    default: snprintf(out, 160, "%s%s", c->street, c->name); break;
    }
}

/* ---- record numbers and dates ------------------------------------------- */

void
gen_mess_key(gen_noise_t *noise, gen_rng_t *rng, const char *key, char *out)
{
    if (!gen_noise_roll(noise, rng, GEN_NOISE_KEY_FORM)) {
        gen_strlcpy(out, key, GEN_KEY_TEXT_MAX);
        return;
    }
    size_t letters = strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    switch (gen_rng_below(rng, 4)) {
    case 0:   /* JS 2019000123 */
        snprintf(out, GEN_KEY_TEXT_MAX, "%.*s %s", (int) letters, key, key + letters);
        break;
    case 1: {   /* a leading or trailing space, ASCII or U+3000 */
        bool lead = gen_rng_chance(rng, 0.5);
        const char *pad = gen_rng_chance(rng, 0.5) ? " " : S_IDEOSPACE;
        snprintf(out, GEN_KEY_TEXT_MAX, "%s%s%s", lead ? pad : "", key, lead ? "" : pad);
        break;
    }
    default: {   /* full-width, letters and digits */
        size_t o = 0;
        for (const char *c = key; *c && o + 4 < GEN_KEY_TEXT_MAX; c++) {
            uint32_t cp = (unsigned char) *c;
            if (cp > 0x20 && cp < 0x7F)
                cp = cp - 0x21 + 0xFF01;
            o += gen_utf8_encode(cp, out + o);
        }
        out[o] = '\0';
        break;
    }
    }
}

void
gen_mess_date(gen_noise_t *noise, gen_rng_t *rng, int ymd, const gen_date_form_t *alts,
              size_t nalts, char *out)
{
    gen_date_form_t form = GEN_DATE_ISO;
    if (nalts > 0 && gen_noise_roll(noise, rng, GEN_NOISE_DATE_FORM))
        form = alts[gen_rng_below(rng, (uint32_t) nalts)];
    gen_date_text(ymd, form, out);
}

bool
gen_noise_roll_scaled(gen_noise_t *noise, gen_rng_t *rng, gen_noise_kind_t kind, double factor)
{
    assert(kind < GEN_NOISE_COUNT);
    double p = noise->p[kind] * factor;
    bool hit = gen_rng_chance(rng, p < 0 ? 0 : p > 1 ? 1 : p);
    if (hit)
        noise->hits[kind]++;
    return hit;
}

/* ---- a data clerk's kinds ------------------------------------------------ */

void
gen_tags_person(const gen_person_t *p, gen_tags_t *tags)
{
    if (p->twin)
        gen_tags_add(tags, "twin");
    if (p->namesake || p->home_namesake)
        gen_tags_add(tags, "namesake");
    if (p->sibling_name)
        gen_tags_add(tags, "sibling_name");
}

void
gen_tags_idno(const char *written, bool other_document, const gen_person_t *p, gen_tags_t *tags)
{
    char clean[NORM_IDNO_SIZE];
    if (other_document) {
        gen_tags_add(tags, "no_id");
        return;
    }
    norm_idno_status_t st = norm_idno(written, clean);
    if (st != NORM_IDNO_VALID) {
        gen_tags_add(tags, "no_id");
        if (*written && st != NORM_IDNO_EMPTY)
            gen_tags_add(tags, "id_typo");
    } else if (strcmp(clean, p->idno) != 0) {
        gen_tags_add(tags, "foreign_id");
    }
}

void
gen_mess_base_name(gen_noise_t *noise, gen_rng_t *c, const gen_person_t *p, char *name,
                   size_t cap, gen_tags_t *tags)
{
    if (p->former_name[0] && gen_noise_roll(noise, c, GEN_NOISE_FORMER_NAME)) {
        gen_strlcpy(name, p->former_name, cap);
        gen_tags_add(tags, "former_name");
    } else {
        gen_strlcpy(name, p->name, cap);
    }
}

void
gen_mess_placeholder(gen_rng_t *c, const gen_person_t *child, const gen_person_t *mother,
                     char *out, size_t cap)
{
    static const unsigned w[] = { 45, 20, 35 };
    switch (gen_rng_weighted(c, w, 3)) {
    case 0:
        snprintf(out, cap, "%s宝宝", child->surname);
        break;
    case 1:
        snprintf(out, cap, "%s小宝", child->surname);
        break;
    default:
        snprintf(out, cap, "%s%s", mother->name, child->gender == GEN_MALE ? "之子" : "之女");
        break;
    }
}

/* Shape-alike characters (形近字) a typist slips to, as pairs: the first is
** typed as the second. Every character in GBK. */
static const char s_shape_pairs[] =
    "王玉马乌江汪杨扬吴昊李季万方廖寥龚袭魏巍"                  /* surnames */
    "辉挥清情福幅金全春舂永水宇字博傅发友明朋涛祷泽译轩轨"      /* given, male */
    "芳芬娟绢英荚华毕梅海霞暇萍苹婷停慧彗颖颍怡治佳住思恩琳淋"  /* given, female */
    "晶品凤风美姜欣钦";
/* Same-sounding surnames, as pairs (each written as the other). */
static const char s_surname_pairs[] =
    "萧肖邱丘张章刘柳杨阳吴伍李黎钟仲郭国曾增徐许郑正江姜范樊卢鲁陆路童佟"
    "何和朱诸蓝兰魏卫严颜龚宫汤唐游尤周舟罗骆谢解温文";

/* The partner of the one character ch in pairs (both directions when both),
** into out; false when ch is in none. */
static bool
s_pair_of(const char *pairs, const char *ch, bool both, char out[5])
{
    size_t n = gen_utf8_count(pairs);
    char a[5], b[5];
    for (size_t i = 0; i + 1 < n; i += 2) {
        gen_utf8_nth(pairs, i, a);
        gen_utf8_nth(pairs, i + 1, b);
        if (strcmp(a, ch) == 0) {
            memcpy(out, b, 5);
            return true;
        }
        if (both && strcmp(b, ch) == 0) {
            memcpy(out, a, 5);
            return true;
        }
    }
    return false;
}

/* name with character idx replaced by with ("" drops it), into name. */
static void
s_char_replace(char *name, size_t cap, size_t idx, const char *with)
{
    char tmp[4 * GEN_NAME_MAX] = "", ch[5];
    size_t n = gen_utf8_count(name);
    for (size_t i = 0; i < n; i++) {
        gen_utf8_nth(name, i, ch);
        gen_strlcat(tmp, i == idx ? with : ch, sizeof tmp);
    }
    gen_strlcpy(name, tmp, cap);
}

void
gen_mess_name_slips(gen_noise_t *noise, gen_rng_t *c, const gen_person_t *p, char *name,
                    size_t cap, gen_tags_t *tags)
{
    size_t n = gen_utf8_count(name), sn = gen_utf8_count(p->surname);
    char ch[5], alt[5];
    /* 形近字: one of the characters that have a shape-alike */
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        gen_utf8_nth(name, i, ch);
        count += s_pair_of(s_shape_pairs, ch, false, alt);
    }
    if (count > 0 && gen_noise_roll(noise, c, GEN_NOISE_NAME_SHAPE)) {
        size_t pick = gen_rng_below(c, (uint32_t) count);
        for (size_t i = 0; i < n; i++) {
            gen_utf8_nth(name, i, ch);
            if (s_pair_of(s_shape_pairs, ch, false, alt) && pick-- == 0) {
                s_char_replace(name, cap, i, alt);
                break;
            }
        }
        gen_tags_add(tags, "shape_typo");
    }
    /* a dropped character of a two-character given name */
    n = gen_utf8_count(name);
    if (n == sn + 2 && gen_noise_roll(noise, c, GEN_NOISE_NAME_DROP)) {
        s_char_replace(name, cap, sn + gen_rng_below(c, 2), "");
        gen_tags_add(tags, "name_drop");
    }
    /* the surname (one character) as a same-sounding one */
    if (sn == 1 && n > 1) {
        gen_utf8_nth(name, 0, ch);
        if (s_pair_of(s_surname_pairs, ch, true, alt)
            && gen_noise_roll(noise, c, GEN_NOISE_SURNAME_HOMOPHONE)) {
            s_char_replace(name, cap, 0, alt);
            gen_tags_add(tags, "surname_homophone");
        }
    }
}

/* Replaces the first from in s (cap bytes) by to; false when from is not in s. */
static bool
s_replace(char *s, size_t cap, const char *from, const char *to)
{
    char *at = strstr(s, from);
    if (!at)
        return false;
    char tmp[4 * GEN_ADDR_MAX];
    snprintf(tmp, sizeof tmp, "%.*s%s%s", (int) (at - s), s, to, at + strlen(from));
    gen_strlcpy(s, tmp, cap);
    return true;
}

/* Another written form of the address a (a household address of the
** district, a village's, or a floating household's home), into a. */
static bool
s_address_form(gen_rng_t *c, const gen_district_t *d, char *a, size_t cap)
{
    const gen_community_t *cm = NULL;
    for (size_t k = 0; k < d->ncommunities && !cm; k++) {
        const gen_community_t *x = &d->communities[k];
        size_t sl = strlen(x->street), nl = strlen(x->name);
        if (strncmp(a, x->street, sl) == 0 && strncmp(a + sl, x->name, nl) == 0)
            cm = x;
    }
    char tmp[4 * GEN_ADDR_MAX];
    if (!cm) {   /* a home elsewhere: 福建省龙岩市永定区人民路12号 */
        const char *city = strstr(a, "省");
        if (city && gen_rng_chance(c, 0.6)) {
            gen_strlcpy(tmp, city + strlen("省"), sizeof tmp);
            gen_strlcpy(a, tmp, cap);
            return true;
        }
        return s_replace(a, cap, "号", "號");
    }
    const char *rest = a + strlen(cm->street) + strlen(cm->name);
    if (cm->village) {   /* 西陂街道林邦社区林邦5组12号 */
        switch (gen_rng_below(c, 3)) {
        case 0:   /* 林邦5组12号 */
            gen_strlcpy(tmp, rest, sizeof tmp);
            break;
        case 1: { /* (西陂街道)林邦村5组12号 */
            size_t sl = strlen(cm->short_name);
            const char *after = strncmp(rest, cm->short_name, sl) == 0 ? rest + sl : rest;
            snprintf(tmp, sizeof tmp, "%s%s村%s", gen_rng_chance(c, 0.5) ? cm->street : "",
                     cm->short_name, after);
            break;
        }
        default:  /* 新罗区西陂街道林邦社区林邦5组12号 */
            snprintf(tmp, sizeof tmp, "%s%s", gen_rng_chance(c, 0.5) ? "龙岩市新罗区" : "新罗区",
                     a);
            break;
        }
        gen_strlcpy(a, tmp, cap);
        return true;
    }
    /* 东城街道北龙社区龙津路12号3幢1502室 (an estate's name may follow 号) */
    bool done = false;
    uint32_t how = gen_rng_below(c, 6);
    for (int round = 0; round < 2; round++, how = gen_rng_below(c, 6)) {
        switch (how) {
        case 0:   /* without street and community */
            if (strncmp(a, cm->street, strlen(cm->street)) == 0) {
                gen_strlcpy(tmp, a + strlen(cm->street) + strlen(cm->name), sizeof tmp);
                gen_strlcpy(a, tmp, cap);
                done = true;
            }
            break;
        case 1:   /* without the street */
            if (strncmp(a, cm->street, strlen(cm->street)) == 0) {
                gen_strlcpy(tmp, a + strlen(cm->street), sizeof tmp);
                gen_strlcpy(a, tmp, cap);
                done = true;
            }
            break;
        case 2:   /* the city and district before */
            snprintf(tmp, sizeof tmp, "%s%s", gen_rng_chance(c, 0.5) ? "龙岩市新罗区" : "新罗区", a);
            gen_strlcpy(a, tmp, cap);
            done = true;
            break;
        case 3: { /* 栋, 座 or 号楼 for 幢 */
            static const char *const alts[] = { "栋", "座", "号楼" };
            done |= s_replace(a, cap, "幢", alts[gen_rng_below(c, 3)]);
            break;
        }
        case 4: { /* 3-1502 or 3幢1502 for 3幢1502室 */
            char *bldg = strstr(a, "幢"), *room = strstr(a, "室");
            if (bldg && room && room > bldg) {
                bool dash = gen_rng_chance(c, 0.6);
                snprintf(tmp, sizeof tmp, "%.*s%s%.*s%s", (int) (bldg - a), a, dash ? "-" : "幢",
                         (int) (room - bldg - strlen("幢")), bldg + strlen("幢"),
                         room + strlen("室"));
                gen_strlcpy(a, tmp, cap);
                done = true;
            }
            break;
        }
        default:  /* 號 */
            done |= s_replace(a, cap, "号", "號");
            break;
        }
        if (!gen_rng_chance(c, 0.3))   /* a second change now and then */
            break;
    }
    return done;
}

void
gen_mess_base_address(gen_noise_t *noise, gen_rng_t *c, const gen_district_t *d,
                      const gen_person_t *p, bool stale, double form_factor, char *addr,
                      size_t cap, gen_tags_t *tags)
{
    if (stale) {
        gen_strlcpy(addr, p->prev_address, cap);
        gen_tags_add(tags, "stale_address");
    } else if (p->cur_address[0] && strcmp(p->cur_address, p->reg_address) != 0
               && gen_noise_roll(noise, c, GEN_NOISE_REG_ADDRESS)) {
        gen_strlcpy(addr, p->reg_address, cap);
        gen_tags_add(tags, "reg_address");
    } else {
        gen_strlcpy(addr, p->cur_address[0] ? p->cur_address : p->reg_address, cap);
    }
    if (gen_noise_roll_scaled(noise, c, GEN_NOISE_ADDR_FORM, form_factor)
        && s_address_form(c, d, addr, cap))
        gen_tags_add(tags, "addr_form");
}

void
gen_mess_village(gen_noise_t *noise, gen_rng_t *c, const gen_community_t *cm, char *community,
                 gen_tags_t *tags)
{
    if (!cm->village || !gen_noise_roll(noise, c, GEN_NOISE_VILLAGE_NAME))
        return;
    if (gen_rng_chance(c, 0.7))
        snprintf(community, 160, "%s村", cm->short_name);
    else
        snprintf(community, 160, "%s村委会", cm->short_name);
    gen_tags_add(tags, "village_name");
}

/* A member of p's household other than p with a phone not p's, the one a
** clerk would take: for a minor the head or the spouse, for an elder a son
** or daughter (the head or spouse when p is the head's parent), else the
** head or spouse; NULL when none has one. */
static const gen_person_t *
s_relative_with_phone(const gen_district_t *d, const gen_person_t *p, int date)
{
    const gen_household_t *h = &d->households[p->household];
    int age = gen_date_age(p->birth, date);
    static const gen_relation_t parents[] = { GEN_REL_HEAD, GEN_REL_SPOUSE };
    static const gen_relation_t children[] = { GEN_REL_SON, GEN_REL_DAUGHTER, GEN_REL_HEAD,
                                               GEN_REL_SPOUSE };
    const gen_relation_t *want = parents;
    size_t nwant = 2;
    if (age >= 65 && (p->relation == GEN_REL_HEAD || p->relation == GEN_REL_SPOUSE
                      || p->relation == GEN_REL_FATHER || p->relation == GEN_REL_MOTHER)) {
        want = children;
        nwant = 4;
    }
    for (size_t k = 0; k < nwant; k++)
        for (size_t i = h->first; i < h->first + h->size; i++) {
            const gen_person_t *q = &d->persons[i];
            if (q != p && q->relation == want[k] && q->phone_kind != GEN_PHONE_NONE
                && strcmp(q->phone, p->phone) != 0)
                return q;
        }
    return NULL;
}

void
gen_mess_phone_slips(gen_noise_t *noise, gen_rng_t *c, const gen_district_t *d,
                     const gen_person_t *p, int date, char *phone, gen_tags_t *tags)
{
    const gen_person_t *q = s_relative_with_phone(d, p, date);
    if (q && gen_noise_roll(noise, c, GEN_NOISE_PHONE_RELATIVE)) {
        if (q->phone_kind == GEN_PHONE_LANDLINE)
            snprintf(phone, 32, "%.4s-%s", q->phone, q->phone + 4);
        else
            snprintf(phone, 32, "%s", q->phone);
        gen_tags_add(tags, "phone_relative");
        return;
    }
    if (p->phone_kind == GEN_PHONE_MOBILE && gen_noise_roll(noise, c, GEN_NOISE_PHONE_OLD)) {
        char old[16];
        do
            gen_mobile(c, old);
        while (strcmp(old, p->phone) == 0);
        snprintf(phone, 32, "%s", old);
        gen_tags_add(tags, "phone_old");
    }
}

int
gen_mess_birth(gen_noise_t *noise, gen_rng_t *c, int ymd, gen_tags_t *tags)
{
    int y = ymd / 10000, m = ymd / 100 % 100, dd = ymd % 100;
    if (dd <= 12 && dd != m && gen_noise_roll(noise, c, GEN_NOISE_BIRTH_SWAP)) {
        gen_tags_add(tags, "birth_swap");
        return y * 10000 + dd * 100 + m;
    }
    if (dd != 1 && gen_noise_roll(noise, c, GEN_NOISE_BIRTH_DAY01)) {
        gen_tags_add(tags, "birth_day01");
        if (y < 1950 && gen_rng_chance(c, 0.5))
            return y * 10000 + 101;
        return y * 10000 + m * 100 + 1;
    }
    return ymd;
}

gen_gender_t
gen_mess_gender(gen_noise_t *noise, gen_rng_t *c, gen_gender_t g, gen_tags_t *tags)
{
    if (!gen_noise_roll(noise, c, GEN_NOISE_GENDER_FLIP))
        return g;
    gen_tags_add(tags, "gender_flip");
    return g == GEN_MALE ? GEN_FEMALE : GEN_MALE;
}
