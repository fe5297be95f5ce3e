/* match.c: features, blocking keys, comparison levels and scores (see match.h). */
#define _POSIX_C_SOURCE 200809L
#include "match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

static const char *s_field_names[] = {
#define X(f) #f,
    MATCH_FIELDS(X)
#undef X
};

static const char *s_level_names[] = {
#define X(l, t) t,
    MATCH_LEVELS(X)
#undef X
};

const char *
match_field_name(int field)
{
    static char lower[MF_COUNT][16];
    if (field < 0 || field >= MF_COUNT)
        return "?";
    if (!lower[field][0])
        for (size_t i = 0; s_field_names[field][i] && i < 15; i++)
            lower[field][i] = (char)(s_field_names[field][i] | 0x20);
    return lower[field];
}

const char *
match_level_name(int level)
{
    return level >= 0 && level < ML_COUNT ? s_level_names[level] : "?";
}

/* ---- UTF-8 code points, for edit distances on names ---- */

static size_t
s_codepoints(const char *s, uint32_t *out, size_t cap)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n < cap) {
        uint32_t c = *p++;
        int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        c &= more == 3 ? 0x07 : more == 2 ? 0x0F : more == 1 ? 0x1F : 0x7F;
        while (more-- && (*p & 0xC0) == 0x80)
            c = (c << 6) | (*p++ & 0x3F);
        out[n++] = c;
    }
    return n;
}

/* EDIT1 for one substitution, insertion or deletion; TRANSPOSE for two
** adjacent swapped; else DIFFERENT (the strings differ). */
static match_level_t
s_edit_level(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    if (na == nb) {
        size_t diff = 0, first = 0;
        for (size_t i = 0; i < na; i++)
            if (a[i] != b[i] && diff++ == 0)
                first = i;
        if (diff == 1)
            return ML_EDIT1;
        if (diff == 2 && first + 1 < na && a[first] == b[first + 1] && a[first + 1] == b[first])
            return ML_TRANSPOSE;
        return ML_DIFFERENT;
    }
    if (na + 1 != nb && nb + 1 != na)
        return ML_DIFFERENT;
    const uint32_t *l = na > nb ? a : b, *s = na > nb ? b : a;
    size_t nl = na > nb ? na : nb, i = 0, j = 0;
    bool skipped = false;
    while (i < nl && j < nl - 1) {
        if (l[i] == s[j]) {
            i++, j++;
        } else if (!skipped) {
            skipped = true;
            i++;
        } else {
            return ML_DIFFERENT;
        }
    }
    return ML_EDIT1;
}

static match_level_t
s_text_edit(const char *x, const char *y)
{
    uint32_t a[64], b[64];
    size_t na = s_codepoints(x, a, 64), nb = s_codepoints(y, b, 64);
    return s_edit_level(a, na, b, nb);
}

/* ---- addresses ---- */

static void
s_replace_all(char *s, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to);
    char *p = s;
    while ((p = strstr(p, from)) != NULL) {
        memmove(p + tl, p + fl, strlen(p + fl) + 1);
        memcpy(p, to, tl);
        p += tl;
    }
}

static void
s_cut_through(char *s, const char *marker)
{
    char *p = strstr(s, marker);
    if (p && p[strlen(marker)])
        memmove(s, p + strlen(marker), strlen(p + strlen(marker)) + 1);
}

size_t
norm_address(const char *raw, char *out, size_t cap)
{
    if (cap == 0)
        return 0;
    char t[512];
    norm_name(raw ? raw : "", t, sizeof t);
    s_replace_all(t, " ", "");
    /* the district's own prefixes carry nothing: a leading province, city,
    ** district or county of two to four characters, then the street office
    ** and the community (committee). 小区, 城市, 都市, 社区 are not such units. */
    static const char *const units[] = {"省", "市", "区", "县"};
    static const char *const not_units[] = {"小区", "城市", "都市", "社区", "园区", "景区", "街区"};
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
        char *p = strstr(t, units[k]);
        if (!p || p - t < 6 || p - t > 12 || !p[3])   /* 2..4 leading characters, something after */
            continue;
        bool unit = true;
        for (size_t j = 0; j < sizeof not_units / sizeof not_units[0] && unit; j++)
            unit = strncmp(p - 3, not_units[j], 6) != 0;
        if (unit)
            memmove(t, p + 3, strlen(p + 3) + 1);
    }
    s_cut_through(t, "街道");
    s_cut_through(t, "居委会");
    s_cut_through(t, "社区");
    s_replace_all(t, "栋", "幢");
    s_replace_all(t, "座", "幢");
    s_replace_all(t, "號", "号");
    snprintf(out, cap, "%s", t);
    return strlen(out);
}

/* ---- features ---- */

static void
s_copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* The birth date inside an identity number (valid or typed) when it is a
** real date: YYYY-MM-DD. */
static bool
s_idno_birth(const char *idno, char out[11])
{
    if (strlen(idno) != 18)
        return false;
    char ymd[16];
    snprintf(ymd, sizeof ymd, "%.4s-%.2s-%.2s", idno + 6, idno + 10, idno + 12);
    return norm_date(ymd, out);
}

/* Two dates YYYY-MM-DD, the same but for what clerks do to dates: month and
** day swapped (1980-03-12, 1980-12-03: TRANSPOSE), the day not known and
** written 01, or the month and day 01-01 (EDIT1); else DIFFERENT. */
static match_level_t
s_date_clerk(const char *a, const char *b)
{
    if (strlen(a) != 10 || strlen(b) != 10 || strncmp(a, b, 4) != 0)
        return ML_DIFFERENT;
    if (strncmp(a + 5, b + 8, 2) == 0 && strncmp(a + 8, b + 5, 2) == 0)
        return ML_TRANSPOSE;
    if ((strncmp(a, b, 7) == 0 && (!strcmp(a + 8, "01") || !strcmp(b + 8, "01")))
        || !strcmp(a + 5, "01-01") || !strcmp(b + 5, "01-01"))
        return ML_EDIT1;
    return ML_DIFFERENT;
}

/* One date a typo of the other: one digit wrong, two adjacent swapped, or
** what clerks do to dates (s_date_clerk). */
static bool
s_date_typo(const char *a, const char *b)
{
    size_t n = strlen(a), diff = 0, first = 0;
    if (n != strlen(b))
        return false;
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i] && diff++ == 0)
            first = i;
    return diff == 1 || (diff == 2 && first + 1 < n && a[first] == b[first + 1] && a[first + 1] == b[first])
           || s_date_clerk(a, b) != ML_DIFFERENT;
}

bool
match_idno_foreign(const facts_t *f, const char *idno, int ref_year)
{
    if (!idno || strlen(idno) != 18 || f->kind == FACTS_POLICE || f->kind == FACTS_FACILITY)
        return false;
    char birth[11];
    if (!s_idno_birth(idno, birth))
        return false;
    const person_facts_t *p = &f->person;
    if (p->birth_date)
        return strcmp(p->birth_date, birth) != 0 && !s_date_typo(p->birth_date, birth);
    if (!p->age.set || ref_year <= 0)   /* nothing of its own to tell (a gender alone may be a typo) */
        return false;
    if (p->gender && p->gender[0] != norm_idno_gender(idno))   /* a spouse of about the head's age */
        return true;
    int year = atoi(birth), lo = ref_year - (int)p->age.v - 1, hi = ref_year - (int)p->age.v;
    return year < lo - 2 || year > hi + 2;
}

void
match_rec_from_facts(match_rec_t *m, const facts_t *f, int source, const char *idno, const char *typed,
                     const char *foreign, int ref_year, int ref_month)
{
    memset(m, 0, sizeof *m);
    (void)ref_month;
    m->source = source;
    s_copy(m->idno, sizeof m->idno, idno);
    if (!idno)
        s_copy(m->idno_typed, sizeof m->idno_typed, typed);
    s_copy(m->rel_idno, sizeof m->rel_idno, foreign);
    const person_facts_t *p = &f->person;
    if (p->name) {
        norm_name(p->name, m->name, sizeof m->name);
        norm_pinyin(m->name, m->pinyin, sizeof m->pinyin);
    }
    if (p->birth_date)
        s_copy(m->birth, sizeof m->birth, p->birth_date);
    else if (idno)
        s_idno_birth(idno, m->birth);
    if (p->age.set && ref_year > 0 && !m->birth[0]) {
        m->birth_lo = ref_year - (int)p->age.v - 1;
        m->birth_hi = ref_year - (int)p->age.v;
    }
    if (p->gender)
        m->gender = p->gender[0];
    else if (idno)
        m->gender = norm_idno_gender(idno);
    if (match_placeholder_name(m->name)) {   /* 陈静之女 says the gender more surely than a 1/2 typed beside it */
        size_t l = strlen(m->name);
        const char *end = l >= 6 ? m->name + l - 6 : m->name;
        if (!strcmp(end, "之女") || !strcmp(end, "女婴"))
            m->gender = 'F';
        else if (!strcmp(end, "之子") || !strcmp(end, "男婴"))
            m->gender = 'M';
    }
    s_copy(m->phone, sizeof m->phone, p->phone);
    s_copy(m->community, sizeof m->community, p->community_code);
    if (p->address)
        norm_address(p->address, m->address, sizeof m->address);
    if (f->kind == FACTS_POLICE && f->police.household_no)
        snprintf(m->household, sizeof m->household, "P:%s", f->police.household_no);
    else if (f->kind == FACTS_FAMILY_PLANNING)
        snprintf(m->household, sizeof m->household, "F:%s",
                 f->fp.linked_record_no ? f->fp.linked_record_no : f->fp.record_no ? f->fp.record_no : "");
    if (!strcmp(m->household, "F:"))
        m->household[0] = 0;
    if (f->kind == FACTS_FAMILY_PLANNING && f->fp.linked_record_no && m->household[0])
        m->flags |= MATCH_F_LINKED;
    if (f->kind == FACTS_POLICE) {
        if (f->police.former_name)
            norm_name(f->police.former_name, m->former, sizeof m->former);
        if (!strcmp(m->former, m->name))
            m->former[0] = 0;
        if (f->police.current_address && f->police.registered_address) {
            norm_address(f->police.registered_address, m->address2, sizeof m->address2);
            if (!strcmp(m->address2, m->address))
                m->address2[0] = 0;
        }
        if (f->police.relation && !strcmp(f->police.relation, "户主"))
            m->flags |= MATCH_F_HEAD;
    }
    if (f->kind == FACTS_CIVIL_AFFAIRS && f->civil.head_name)
        norm_name(f->civil.head_name, m->head, sizeof m->head);
}

/* ---- packed form ---- */

#define PACKED_STRINGS(X) \
    X(key) X(idno) X(idno_typed) X(name) X(pinyin) X(birth) X(phone) X(community) X(household) X(address) \
    X(former) X(address2) X(rel_idno) X(head)

size_t
match_rec_pack(const match_rec_t *m, uint8_t *out)
{
    size_t n = sizeof MATCH_PACKED_TAG;   /* with its NUL */
    memcpy(out, MATCH_PACKED_TAG, n);
    out[n++] = (uint8_t)m->source;
    out[n++] = (uint8_t)m->gender;
    out[n++] = m->flags;
    int16_t years[2] = {(int16_t)m->birth_lo, (int16_t)m->birth_hi};
    memcpy(out + n, years, sizeof years);
    n += sizeof years;
#define X(f)                                  \
    {                                         \
        size_t l_ = strnlen(m->f, sizeof m->f - 1); \
        memcpy(out + n, m->f, l_);            \
        n += l_;                              \
        out[n++] = 0;                         \
    }
    PACKED_STRINGS(X)
#undef X
    return n;
}

bool
match_rec_unpack(const void *data, size_t len, match_rec_t *m)
{
    const uint8_t *p = data, *end = p + len;
    size_t head = sizeof MATCH_PACKED_TAG + 3 + 2 * sizeof(int16_t);
    if (len < head || memcmp(p, MATCH_PACKED_TAG, sizeof MATCH_PACKED_TAG) != 0) {
        memset(m, 0, sizeof *m);
        return false;
    }
    m->record.v = m->resident.v = 0;   /* every field is written below: no memset of the whole (hot) */
    p += sizeof MATCH_PACKED_TAG;
    m->source = *p++;
    m->gender = (char)*p++;
    m->flags = *p++;
    int16_t years[2];
    memcpy(years, p, sizeof years);
    p += sizeof years;
    m->birth_lo = years[0];
    m->birth_hi = years[1];
#define X(f)                                                  \
    {                                                         \
        const uint8_t *z_ = memchr(p, 0, (size_t)(end - p));  \
        if (!z_ || (size_t)(z_ - p) >= sizeof m->f) {         \
            memset(m, 0, sizeof *m);                          \
            return false;                                     \
        }                                                     \
        memcpy(m->f, p, (size_t)(z_ - p) + 1);                \
        p = z_ + 1;                                           \
    }
    PACKED_STRINGS(X)
#undef X
    return p == end;
}

/* ---- blocking ---- */

/* prefix, then each part given (up to three, NULL ends them) joined by '|',
** cut to fit a key: what snprintf("%s%s|%s|%s") makes, at a fraction of its
** cost (keys are made for every record stored and scored). */
static void
s_key(char *out, const char *prefix, const char *a, const char *b, const char *c)
{
    const char *parts[4] = {prefix, a, b, c};
    size_t n = 0;
    for (int i = 0; i < 4 && parts[i]; i++) {
        if (i > 1 && n < MATCH_KEY_LEN - 1)
            out[n++] = '|';
        size_t l = strlen(parts[i]);
        if (l > MATCH_KEY_LEN - 1 - n)
            l = MATCH_KEY_LEN - 1 - n;
        memcpy(out + n, parts[i], l);
        n += l;
    }
    out[n] = 0;
}

size_t
match_blocking_keys(const match_rec_t *m, match_key_t keys[MATCH_MAX_KEYS])
{
    size_t n = 0;
#define KEY(p, a, b, c) (n < MATCH_MAX_KEYS ? s_key(keys[n++], p, a, b, c) : (void)0)
    if (m->idno[0])
        KEY("v:", m->idno, NULL, NULL);
    const char *num = m->idno[0] ? m->idno : m->idno_typed;
    if (strlen(num) == 18) {
        char first17[18];
        memcpy(first17, num, 17);
        first17[17] = 0;
        KEY("i:", first17, NULL, NULL);
    }
    if (m->name[0] && m->birth[0]) {
        KEY("n:", m->name, m->birth, NULL);
        KEY("p:", m->pinyin, m->birth, NULL);
    }
    if (m->former[0] && m->birth[0]) {   /* a department may still write the former name */
        char py[sizeof m->pinyin];
        norm_pinyin(m->former, py, sizeof py);
        KEY("n:", m->former, m->birth, NULL);
        KEY("p:", py, m->birth, NULL);
    }
    char typed_birth[11];
    if (m->idno_typed[0] && m->pinyin[0] && s_idno_birth(m->idno_typed, typed_birth)
        && strcmp(typed_birth, m->birth) != 0)
        KEY("p:", m->pinyin, typed_birth, NULL);
    if (strlen(m->phone) >= 7)
        KEY("t:", m->phone, NULL, NULL);
    if (m->household[0] && m->name[0])
        KEY("h:", m->household, m->name, NULL);
    if (m->name[0] && m->community[0]) {   /* an age may be off by two years */
        int lo = m->birth[0] ? atoi(m->birth) : m->birth_lo - 2, hi = m->birth[0] ? lo : m->birth_hi + 2;
        for (int y = lo < 1000 ? 1000 : lo; y <= hi && y <= 9999 && n < MATCH_MAX_KEYS; y++) {
            char year[5] = {(char)('0' + y / 1000), (char)('0' + y / 100 % 10), (char)('0' + y / 10 % 10),
                            (char)('0' + y % 10), 0};
            KEY("c:", m->name, m->community, year);
            if (y == lo && m->former[0])
                KEY("c:", m->former, m->community, year);
        }
    }
#undef KEY
    return n;
}

size_t
match_index_keys(const match_rec_t *m, match_key_t keys[MATCH_MAX_INDEX_KEYS])
{
    size_t n = match_blocking_keys(m, keys);
    if (m->source == 1 && m->household[0])
        s_key(keys[n++], MATCH_KEY_HOUSEHOLD, m->household, NULL, NULL);
    if (m->source == 1 && (m->flags & MATCH_F_HEAD) && m->pinyin[0])   /* a roster writes the head as it sounds */
        s_key(keys[n++], MATCH_KEY_HEAD, m->pinyin, NULL, NULL);
    if (m->rel_idno[0])
        s_key(keys[n++], MATCH_KEY_BY_NUMBER, m->rel_idno, NULL, NULL);
    if (m->flags & MATCH_F_LINKED)
        s_key(keys[n++], MATCH_KEY_BY_WOMAN, m->household + 2, NULL, NULL);
    if (m->source == 2 && !(m->flags & MATCH_F_LINKED)) {   /* the woman: her children find her so */
        if (m->idno[0])
            s_key(keys[n++], MATCH_KEY_WOMAN, m->idno, NULL, NULL);
        if (m->pinyin[0] && m->birth[0])
            s_key(keys[n++], MATCH_KEY_WOMAN, m->pinyin, m->birth, NULL);
    }
    if (m->idno[0] && match_roster_member(m))
        s_key(keys[n++], MATCH_KEY_MEMBER_NUMBER, m->idno, NULL, NULL);
    if (m->head[0] && !m->idno[0]) {
        char py[sizeof m->pinyin];
        norm_pinyin(m->head, py, sizeof py);
        s_key(keys[n++], MATCH_KEY_BY_HEAD, py, NULL, NULL);
    }
    if (m->name[0])
        s_key(keys[n++], "N:", m->name, NULL, NULL);
    if (m->pinyin[0])
        s_key(keys[n++], "Y:", m->pinyin, NULL, NULL);
    if (m->phone[0])
        s_key(keys[n++], "T:", m->phone, NULL, NULL);
    char sound[MATCH_SOUND_KEYS][NORM_SOUND_KEY];
    bool many;
    size_t ns = norm_sound_keys(m->name, sound, MATCH_SOUND_KEYS, &many);
    for (size_t i = 0; i < ns; i++)
        snprintf(keys[n++], MATCH_KEY_LEN, "S:%.*s", NORM_SOUND_KEY - 1, sound[i]);
    if (many)
        snprintf(keys[n++], MATCH_KEY_LEN, "S*");
    return n;
}

/* ---- comparison ---- */

static match_level_t
s_idno(const match_rec_t *a, const match_rec_t *b)
{
    if (a->idno[0] && b->idno[0])
        return strcmp(a->idno, b->idno) == 0 ? ML_EXACT : ML_CONFLICT;
    const char *x = a->idno[0] ? a->idno : a->idno_typed, *y = b->idno[0] ? b->idno : b->idno_typed;
    size_t lx = strlen(x), ly = strlen(y);
    if ((lx != 15 && lx != 18) || (ly != 15 && ly != 18))   /* not a number's shape: no evidence */
        return ML_MISSING;
    if (strcmp(x, y) == 0 || (strlen(x) == 18 && strlen(y) == 18 && strncmp(x, y, 17) == 0))
        return ML_EDIT1;   /* the same number but for its check character: a typo */
    return s_text_edit(x, y);
}

bool
match_roster_member(const match_rec_t *m)
{
    return m->head[0] && m->name[0] && !norm_pinyin_match(m->head, m->name);
}

bool
match_placeholder_name(const char *name)
{
    static const char *const ends[] = {"宝宝", "小宝", "之女", "之子", "之儿", "女婴", "男婴"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        size_t l = strlen(ends[i]);
        if (n >= l && strcmp(name + n - l, ends[i]) == 0)
            return true;
    }
    return false;
}

/* Two names, neither empty: exact, same pinyin, one edit, transposed,
** placeholder (either), surname only (the first characters agree), different. */
static match_level_t
s_name_pair(const char *x, const char *y)
{
    if (match_placeholder_name(x) && match_placeholder_name(y))
        return ML_PLACEHOLDER;   /* 刘宝宝 and 刘宝宝: twins before naming are two */
    if (strcmp(x, y) == 0)
        return ML_EXACT;
    if (norm_pinyin_match(x, y))
        return ML_PINYIN;
    uint32_t a[64], b[64];
    size_t na = s_codepoints(x, a, 64), nb = s_codepoints(y, b, 64);
    match_level_t l = s_edit_level(a, na, b, nb);
    if (l != ML_DIFFERENT)
        return l;
    if (match_placeholder_name(x) || match_placeholder_name(y))
        return ML_PLACEHOLDER;
    return na > 1 && nb > 1 && a[0] == b[0] ? ML_SURNAME : ML_DIFFERENT;
}

/* Levels from the best agreement down. */
static int
s_name_rank(match_level_t l)
{
    static const match_level_t order[] = {ML_EXACT, ML_PINYIN, ML_TRANSPOSE, ML_PLACEHOLDER,
                                          ML_SURNAME, ML_EDIT1, ML_DIFFERENT};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (order[i] == l)
            return (int)i;
    return (int)(sizeof order / sizeof order[0]);
}

static match_level_t
s_name(const match_rec_t *a, const match_rec_t *b)
{
    if (!a->name[0] || !b->name[0])
        return ML_MISSING;
    match_level_t best = s_name_pair(a->name, b->name);
    const char *other[2][2] = {{a->former, b->name}, {a->name, b->former}};
    for (int i = 0; i < 2 && best != ML_EXACT; i++)
        if (other[i][0][0]) {
            match_level_t l = s_name_pair(other[i][0], other[i][1]);
            if (s_name_rank(l) < s_name_rank(best))
                best = l;
        }
    return best;
}

static match_level_t
s_birth(const match_rec_t *a, const match_rec_t *b)
{
    if (a->birth[0] && b->birth[0]) {
        if (strcmp(a->birth, b->birth) == 0)
            return ML_EXACT;
        match_level_t l = s_text_edit(a->birth, b->birth);
        return l != ML_DIFFERENT ? l : s_date_clerk(a->birth, b->birth);
    }
    int alo = a->birth[0] ? atoi(a->birth) : a->birth_lo, ahi = a->birth[0] ? alo : a->birth_hi;
    int blo = b->birth[0] ? atoi(b->birth) : b->birth_lo, bhi = b->birth[0] ? blo : b->birth_hi;
    if (!alo || !blo)
        return ML_MISSING;
    if (alo <= bhi && blo <= ahi)
        return ML_AGE;
    return alo <= bhi + 2 && blo <= ahi + 2 ? ML_NEAR : ML_DIFFERENT;
}

/* Addresses: the current and registered ones of each side, the best. */
static match_level_t
s_address(const match_rec_t *a, const match_rec_t *b)
{
    if (!a->address[0] || !b->address[0])
        return ML_MISSING;
    const char *x[2] = {a->address, a->address2}, *y[2] = {b->address, b->address2};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            if (x[i][0] && strcmp(x[i], y[j]) == 0)
                return ML_EXACT;
    return ML_DIFFERENT;
}

static match_level_t
s_equal(const char *x, const char *y)
{
    if (!x[0] || !y[0])
        return ML_MISSING;
    return strcmp(x, y) == 0 ? ML_EXACT : ML_DIFFERENT;
}

void
match_compare(const match_rec_t *a, const match_rec_t *b, match_cmp_t *out)
{
    out->level[MF_IDNO] = s_idno(a, b);
    out->level[MF_NAME] = s_name(a, b);
    out->level[MF_BIRTH] = s_birth(a, b);
    out->level[MF_GENDER] = !a->gender || !b->gender ? ML_MISSING : a->gender == b->gender ? ML_EXACT : ML_DIFFERENT;
    out->level[MF_PHONE] = s_equal(a->phone, b->phone);
    out->level[MF_COMMUNITY] = s_equal(a->community, b->community);
    /* households are comparable within one numbering (police 户号, a family-planning family) */
    out->level[MF_HOUSEHOLD] = a->household[0] && b->household[0] && a->household[0] == b->household[0]
                                   ? s_equal(a->household, b->household) : ML_MISSING;
    out->level[MF_ADDRESS] = s_address(a, b);
    out->level[MF_RELATIVE] = ML_MISSING;
}

/* ---- weights ---- */

void
match_weights_default(match_weights_t *w)
{
    memset(w, 0, sizeof *w);
    double (*x)[ML_COUNT] = w->w;
    x[MF_IDNO][ML_EXACT] = 16;
    x[MF_IDNO][ML_EDIT1] = 8;
    x[MF_IDNO][ML_TRANSPOSE] = 8;
    x[MF_IDNO][ML_DIFFERENT] = -4;
    x[MF_IDNO][ML_CONFLICT] = -30;
    x[MF_NAME][ML_EXACT] = 9;
    x[MF_NAME][ML_PINYIN] = 4;
    /* one character apart is more often a sibling (twins: 张一鸣/张一鹏) than a
    ** typo; typos by sound are PINYIN, by script are made equal by norm_name */
    x[MF_NAME][ML_EDIT1] = -6;
    x[MF_NAME][ML_TRANSPOSE] = 2;
    x[MF_NAME][ML_DIFFERENT] = -8;
    x[MF_NAME][ML_PLACEHOLDER] = 0;
    x[MF_NAME][ML_SURNAME] = -5;
    x[MF_BIRTH][ML_EXACT] = 8;
    x[MF_BIRTH][ML_EDIT1] = 2;
    x[MF_BIRTH][ML_TRANSPOSE] = 3;
    x[MF_BIRTH][ML_AGE] = 3;
    x[MF_BIRTH][ML_DIFFERENT] = -8;
    x[MF_BIRTH][ML_NEAR] = 1;
    x[MF_GENDER][ML_EXACT] = 0.9;
    x[MF_GENDER][ML_DIFFERENT] = -6;
    x[MF_PHONE][ML_EXACT] = 6;
    x[MF_PHONE][ML_DIFFERENT] = -1;
    x[MF_COMMUNITY][ML_EXACT] = 1.5;
    x[MF_COMMUNITY][ML_DIFFERENT] = -1.5;
    x[MF_HOUSEHOLD][ML_EXACT] = 3;
    x[MF_HOUSEHOLD][ML_DIFFERENT] = -2;
    x[MF_ADDRESS][ML_EXACT] = 4;
    x[MF_ADDRESS][ML_DIFFERENT] = -1;
    /* found in the household of the relative the record names (its
    ** mother's, its head's, the owner's of the number it carries) */
    x[MF_RELATIVE][ML_EXACT] = 10;
    w->upper = 18;
    w->lower = 11;
}

bool
match_weight_set(match_weights_t *w, const char *name, double value)
{
    if (strcmp(name, "match_upper") == 0) {
        w->upper = value;
        return true;
    }
    if (strcmp(name, "match_lower") == 0) {
        w->lower = value;
        return true;
    }
    for (int f = 0; f < MF_COUNT; f++)
        for (int l = 0; l < ML_COUNT; l++) {
            char key[128];
            snprintf(key, sizeof key, "weight.%.15s.%.40s", match_field_name(f), match_level_name(l));
            for (char *p = key; *p; p++)
                if (*p == ' ')
                    *p = '_';
            if (strcmp(key, name) == 0) {
                w->w[f][l] = value;
                return true;
            }
        }
    return false;
}

double
match_score(const match_cmp_t *c, const match_weights_t *w)
{
    double s = 0;
    for (int f = 0; f < MF_COUNT; f++)
        s += w->w[f][c->level[f]];
    return s;
}

void
match_evidence(const match_cmp_t *c, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    for (int f = 0; f < MF_COUNT && n < cap; f++)
        if (c->level[f] != ML_MISSING)
            n += (size_t)snprintf(out + n, cap - n, "%s%s=%s", n ? " " : "", match_field_name(f),
                                  match_level_name(c->level[f]));
}
