/*
** facts.c: the field catalogue, hand-typed value parsers and facts_t's
** arena (see facts.h).
*/
#include "facts.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "normalize.h"

/* ---------------------------------------------------------------------- */
/* The catalogue: every payload field of proto/hub.proto (tests check that  */
/* none is missing), where its fact lives, and whether it is sensitive.     */

#define P(field, table, column) {"police", 1, field, table, column, false}
#define FP(field, table, column) {"family_planning", 2, field, table, column, false}
#define L(field, table, column) {"labour", 3, field, table, column, false}
#define CA(field, table, column) {"civil_affairs", 4, field, table, column, false}
#define FA(field, table, column) {"facility", 4, field, table, column, false}

const fact_field_t facts_fields[] = {
    P("idno", "source_records", "idno"),
    P("name", "person_facts", "name"),
    P("former_name", "police_facts", "former_name"),
    P("gender", "person_facts", "gender"),
    P("ethnicity", "person_facts", "ethnicity"),
    P("birth_date", "person_facts", "birth_date"),
    P("household_no", "police_facts", "household_no"),
    P("relation", "police_facts", "relation"),
    P("registered_address", "police_facts", "registered_address"),
    P("current_address", "police_facts", "current_address"),
    P("community", "person_facts", "community_code"),
    P("category", "police_facts", "category"),
    P("status", "police_facts", "status"),
    P("change_type", "police_facts", "change_type"),
    P("change_date", "police_facts", "change_date"),
    P("phone", "person_facts", "phone"),
    P("delta", NULL, NULL),

    FP("record_no", "fp_facts", "record_no"),
    FP("person_type", "fp_facts", "person_type"),
    FP("name", "person_facts", "name"),
    FP("idno", "source_records", "idno"),
    FP("birth_date", "person_facts", "birth_date"),
    FP("gender", "person_facts", "gender"),
    FP("marital_status", "fp_facts", "marital_status"),
    FP("linked_record_no", "fp_facts", "linked_record_no"),
    FP("address", "person_facts", "address"),
    FP("community", "person_facts", "community_code"),
    FP("phone", "person_facts", "phone"),
    FP("children_count", "fp_facts", "children_count"),
    FP("certificate_no", "fp_facts", "certificate_no"),
    {"family_planning", 2, "contraception", "fp_facts", "contraception", true},
    FP("updated_at", NULL, NULL),

    L("reg_no", "labour_facts", "reg_no"),
    L("idno", "source_records", "idno"),
    L("name", "person_facts", "name"),
    L("gender", "person_facts", "gender"),
    L("birth_date", "person_facts", "birth_date"),
    L("ethnicity", "person_facts", "ethnicity"),
    L("education", "labour_facts", "education"),
    L("employment_status", "labour_facts", "employment_status"),
    L("status_date", "labour_facts", "status_date"),
    L("reemployed_date", "labour_facts", "reemployed_date"),
    L("unemployment_cert", "labour_facts", "unemployment_cert"),
    L("phone", "person_facts", "phone"),
    L("address", "person_facts", "address"),
    L("community", "person_facts", "community_code"),
    L("training", "labour_training", NULL),
    L("training.course", "labour_training", "course"),
    L("training.end_date", "labour_training", "end_date"),
    L("updated_at", NULL, NULL),

    CA("serial_no", NULL, NULL),
    CA("street", "civil_entitlements", "street"),
    CA("community", "person_facts", "community_code"),
    CA("head_name", "civil_entitlements", "head_name"),
    CA("name", "person_facts", "name"),
    CA("doc_type", "civil_entitlements", "doc_type"),
    CA("doc_no", "civil_entitlements", "doc_no"),
    CA("gender", "person_facts", "gender"),
    CA("age", "person_facts", "age"),
    CA("address", "person_facts", "address"),
    CA("category", "civil_entitlements", "category"),
    CA("covered_count", "civil_entitlements", "covered_count"),
    CA("monthly_amount", "civil_entitlements", "monthly_amount_fen"),
    CA("start_date", "civil_entitlements", "start_date"),
    CA("status", "civil_entitlements", "status"),
    CA("phone", "person_facts", "phone"),

    FA("facility_no", "facilities", "facility_no"),
    FA("name", "facilities", "name"),
    FA("type", "facilities", "type"),
    FA("communities", "facility_communities", "community_code"),
    FA("address", "facilities", "address"),
    FA("floor_area", "facilities", "floor_area"),
    FA("authority", "facilities", "authority"),
    FA("status", "facilities", "status"),
};
const size_t facts_nfields = sizeof facts_fields / sizeof facts_fields[0];

#undef P
#undef FP
#undef L
#undef CA
#undef FA

const fact_field_t *
facts_field(const char *payload, const char *field)
{
    for (size_t i = 0; payload && field && i < facts_nfields; i++)
        if (strcmp(facts_fields[i].payload, payload) == 0 && strcmp(facts_fields[i].field, field) == 0)
            return &facts_fields[i];
    return NULL;
}

bool
facts_sensitive(const char *payload, const char *field)
{
    const fact_field_t *f = facts_field(payload, field);
    return f && f->sensitive;
}

/* ---------------------------------------------------------------------- */
/* Parsers                                                                  */

#define S_MAX_INPUT 128   /* longer text is no hand-typed number */

/* Tidy raw (norm_text) into out and drop every ASCII space; false when raw
** is too long to be a number or empty after tidying. */
static bool
s_compact(const char *raw, char out[S_MAX_INPUT])
{
    if (!raw || strlen(raw) >= S_MAX_INPUT)
        return false;
    char tidy[S_MAX_INPUT];
    norm_text(raw, tidy, sizeof tidy);
    size_t n = 0;
    for (const char *p = tidy; *p; p++)
        if (*p != ' ')
            out[n++] = *p;
    out[n] = 0;
    return n > 0;
}

static bool
s_strip_prefix(char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) != 0)
        return false;
    memmove(s, s + n, strlen(s + n) + 1);
    return true;
}

static bool
s_strip_suffix(char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    if (n < k || strcmp(s + n - k, suffix) != 0)
        return false;
    s[n - k] = 0;
    return true;
}

static bool
s_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Parse [digits with optional thousands commas][.decimals] from the whole
** of s. Integer part: 1..max_int digits; decimals: up to max_dec kept,
** further ones must be zeros. *whole gets the integer part, *frac the kept
** decimals scaled to max_dec digits (570.5 with max_dec 2: 570 and 50). */
static bool
s_decimal(const char *s, int max_int, int max_dec, bool commas, int64_t *whole, int64_t *frac)
{
    int64_t w = 0, f = 0;
    int ndig = 0, group = -1;   /* digits since the last comma; -1: no comma yet */
    const char *p = s;
    for (; *p && *p != '.'; p++) {
        if (s_digit(*p)) {
            if (++ndig > max_int)
                return false;
            w = w * 10 + (*p - '0');
            if (group >= 0)
                group++;
        } else if (*p == ',' && commas && ndig > 0 && (group < 0 ? ndig <= 3 : group == 3)) {
            group = 0;
        } else {
            return false;
        }
    }
    if (ndig == 0 || (group >= 0 && group != 3))
        return false;
    int ndec = 0;
    if (*p == '.') {
        p++;
        if (!*p)
            return false;
        for (; *p; p++) {
            if (!s_digit(*p))
                return false;
            if (ndec < max_dec)
                f = f * 10 + (*p - '0');
            else if (*p != '0')
                return false;
            ndec++;
        }
    }
    for (int i = ndec; i < max_dec; i++)
        f *= 10;
    *whole = w;
    *frac = f;
    return true;
}

bool
facts_amount_fen(const char *raw, int64_t *fen)
{
    char s[S_MAX_INPUT];
    if (!s_compact(raw, s))
        return false;
    if (!s_strip_prefix(s, "\xc2\xa5") && !s_strip_prefix(s, "\xef\xbf\xa5"))   /* ¥ ￥ */
        if (!s_strip_prefix(s, "RMB"))
            s_strip_prefix(s, "人民币");
    if (!s_strip_suffix(s, "/月"))
        s_strip_suffix(s, "每月");
    if (!s_strip_suffix(s, "元整"))
        if (!s_strip_suffix(s, "元"))
            s_strip_suffix(s, "圆");
    int64_t w, f;
    if (!s_decimal(s, 12, 2, true, &w, &f))
        return false;
    *fen = w * 100 + f;
    return true;
}

bool
facts_area_m2(const char *raw, double *m2)
{
    char s[S_MAX_INPUT];
    if (!s_compact(raw, s))
        return false;
    static const char *units[] = {"平方米", "平米", "平方", "\xe3\x8e\xa1" /* ㎡ */, "m\xc2\xb2" /* m² */, "m2", "M2"};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (s_strip_suffix(s, units[i]))
            break;
    int64_t w, f;
    if (!s_decimal(s, 8, 3, true, &w, &f))
        return false;
    *m2 = (double)w + (double)f / 1000.0;
    return true;
}

bool
facts_count(const char *raw, int64_t max, int64_t *out)
{
    char s[S_MAX_INPUT];
    if (!s_compact(raw, s))
        return false;
    static const char *units[] = {"人", "个", "名", "口", "岁"};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (s_strip_suffix(s, units[i]))
            break;
    int64_t w, f;
    if (!s_decimal(s, 9, 0, false, &w, &f) || strchr(s, '.') || w > max)
        return false;
    *out = w;
    return true;
}

bool
facts_is_community_code(const char *s)
{
    size_t n = 0;
    for (; s && s_digit(s[n]); n++)
        ;
    return s && n == 12 && s[n] == 0;
}

/* ---------------------------------------------------------------------- */
/* facts_t                                                                  */

#define S_CHUNK 2048

struct facts_chunk {
    struct facts_chunk *next;
    size_t used, cap;
    char data[];
};

void
facts_init(facts_t *f, facts_kind_t kind)
{
    memset(f, 0, sizeof *f);
    f->kind = kind;
}

void
facts_fini(facts_t *f)
{
    for (struct facts_chunk *c = f->arena, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(f->labour.training);
    free(f->facility.communities);
    free(f->raws);
    memset(f, 0, sizeof *f);
}

char *
facts_strbuf(facts_t *f, size_t n)
{
    struct facts_chunk *c = f->arena;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > S_CHUNK ? n : S_CHUNK;
        c = HUB_CHECK_ALLOC(malloc(sizeof *c + cap));
        c->used = 0;
        c->cap = cap;
        c->next = f->arena;
        f->arena = c;
    }
    char *p = c->data + c->used;
    c->used += n;
    return p;
}

char *
facts_strndup(facts_t *f, const char *s, size_t n)
{
    char *p = facts_strbuf(f, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

/* Make room for one more element of an array of size elements. */
static void *
s_grow(void *arr, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return arr;
    *cap = *cap ? *cap * 2 : 4;
    return HUB_CHECK_ALLOC(realloc(arr, *cap * size));
}

void
facts_add_raw(facts_t *f, const char *field, const char *raw)
{
    f->raws = s_grow(f->raws, f->nraws, &f->cap_raws, sizeof *f->raws);
    f->raws[f->nraws].field = facts_strndup(f, field, strlen(field));
    f->raws[f->nraws].raw = facts_strndup(f, raw, strlen(raw));
    f->nraws++;
}

training_fact_t *
facts_add_training(facts_t *f)
{
    labour_facts_t *l = &f->labour;
    l->training = s_grow(l->training, l->ntraining, &f->cap_training, sizeof *l->training);
    training_fact_t *t = &l->training[l->ntraining++];
    memset(t, 0, sizeof *t);
    return t;
}

void
facts_add_community(facts_t *f, const char *code)
{
    facility_facts_t *fa = &f->facility;
    for (size_t i = 0; i < fa->ncommunities; i++)
        if (strcmp(fa->communities[i], code) == 0)
            return;
    fa->communities = s_grow(fa->communities, fa->ncommunities, &f->cap_communities, sizeof *fa->communities);
    fa->communities[fa->ncommunities++] = facts_strndup(f, code, strlen(code));
}
