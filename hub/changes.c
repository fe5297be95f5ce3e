/* changes.c: the changes between two versions of a record (see changes.h). */
#include "changes.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "facts.h"

typedef enum { V_TEXT, V_INT, V_AREA, V_COMMUNITIES, V_TRAINING } value_kind_t;

typedef struct {
    facts_kind_t payload;
    const char *field;      /* as in proto/hub.proto and the catalogue (facts.c) */
    value_kind_t kind;
    size_t offset;          /* into facts_t: const char * (V_TEXT) or fact_int_t (V_INT) */
} field_t;

#define PF(kind, field, member) {kind, field, V_TEXT, offsetof(facts_t, person.member)}
#define T(kind, field, part, member) {kind, field, V_TEXT, offsetof(facts_t, part.member)}
#define I(kind, field, part, member) {kind, field, V_INT, offsetof(facts_t, part.member)}

static const field_t s_fields[] = {
    PF(FACTS_POLICE, "name", name),
    T(FACTS_POLICE, "former_name", police, former_name),
    PF(FACTS_POLICE, "gender", gender),
    PF(FACTS_POLICE, "ethnicity", ethnicity),
    PF(FACTS_POLICE, "birth_date", birth_date),
    T(FACTS_POLICE, "household_no", police, household_no),
    T(FACTS_POLICE, "relation", police, relation),
    T(FACTS_POLICE, "registered_address", police, registered_address),
    T(FACTS_POLICE, "current_address", police, current_address),
    PF(FACTS_POLICE, "community", community_code),
    T(FACTS_POLICE, "category", police, category),
    T(FACTS_POLICE, "status", police, status),
    PF(FACTS_POLICE, "phone", phone),

    T(FACTS_FAMILY_PLANNING, "person_type", fp, person_type),
    PF(FACTS_FAMILY_PLANNING, "name", name),
    PF(FACTS_FAMILY_PLANNING, "birth_date", birth_date),
    PF(FACTS_FAMILY_PLANNING, "gender", gender),
    T(FACTS_FAMILY_PLANNING, "marital_status", fp, marital_status),
    T(FACTS_FAMILY_PLANNING, "linked_record_no", fp, linked_record_no),
    PF(FACTS_FAMILY_PLANNING, "address", address),
    PF(FACTS_FAMILY_PLANNING, "community", community_code),
    PF(FACTS_FAMILY_PLANNING, "phone", phone),
    I(FACTS_FAMILY_PLANNING, "children_count", fp, children_count),
    T(FACTS_FAMILY_PLANNING, "certificate_no", fp, certificate_no),
    T(FACTS_FAMILY_PLANNING, "contraception", fp, contraception),

    PF(FACTS_LABOUR, "name", name),
    PF(FACTS_LABOUR, "gender", gender),
    PF(FACTS_LABOUR, "birth_date", birth_date),
    PF(FACTS_LABOUR, "ethnicity", ethnicity),
    T(FACTS_LABOUR, "education", labour, education),
    T(FACTS_LABOUR, "employment_status", labour, employment_status),
    T(FACTS_LABOUR, "status_date", labour, status_date),
    T(FACTS_LABOUR, "reemployed_date", labour, reemployed_date),
    T(FACTS_LABOUR, "unemployment_cert", labour, unemployment_cert),
    PF(FACTS_LABOUR, "phone", phone),
    PF(FACTS_LABOUR, "address", address),
    PF(FACTS_LABOUR, "community", community_code),
    {FACTS_LABOUR, "training", V_TRAINING, 0},

    T(FACTS_CIVIL_AFFAIRS, "street", civil, street),
    PF(FACTS_CIVIL_AFFAIRS, "community", community_code),
    T(FACTS_CIVIL_AFFAIRS, "head_name", civil, head_name),
    PF(FACTS_CIVIL_AFFAIRS, "name", name),
    T(FACTS_CIVIL_AFFAIRS, "doc_type", civil, doc_type),
    T(FACTS_CIVIL_AFFAIRS, "doc_no", civil, doc_no),
    PF(FACTS_CIVIL_AFFAIRS, "gender", gender),
    PF(FACTS_CIVIL_AFFAIRS, "address", address),
    T(FACTS_CIVIL_AFFAIRS, "category", civil, category),
    I(FACTS_CIVIL_AFFAIRS, "covered_count", civil, covered_count),
    I(FACTS_CIVIL_AFFAIRS, "monthly_amount", civil, monthly_amount_fen),
    T(FACTS_CIVIL_AFFAIRS, "start_date", civil, start_date),
    T(FACTS_CIVIL_AFFAIRS, "status", civil, status),
    PF(FACTS_CIVIL_AFFAIRS, "phone", phone),

    T(FACTS_FACILITY, "name", facility, name),
    T(FACTS_FACILITY, "type", facility, type),
    {FACTS_FACILITY, "communities", V_COMMUNITIES, 0},
    T(FACTS_FACILITY, "address", facility, address),
    {FACTS_FACILITY, "floor_area", V_AREA, 0},
    T(FACTS_FACILITY, "authority", facility, authority),
    T(FACTS_FACILITY, "status", facility, status),
};

#undef PF
#undef T
#undef I

static const char *s_payloads[] = {"", "police", "family_planning", "labour", "civil_affairs", "facility"};

/* A field's value as text ("" when absent). */
static void
s_value(const facts_t *f, const field_t *d, char out[CHANGE_VALUE_MAX])
{
    out[0] = 0;
    if (!f)
        return;
    const char *base = (const char *)f;
    switch (d->kind) {
    case V_TEXT: {
        const char *s = *(const char *const *)(base + d->offset);
        snprintf(out, CHANGE_VALUE_MAX, "%s", s ? s : "");
        break;
    }
    case V_INT: {
        const fact_int_t *v = (const fact_int_t *)(base + d->offset);
        if (v->set)
            snprintf(out, CHANGE_VALUE_MAX, "%lld", (long long)v->v);
        break;
    }
    case V_AREA:
        if (f->facility.has_floor_area)
            snprintf(out, CHANGE_VALUE_MAX, "%g", f->facility.floor_area);
        break;
    case V_COMMUNITIES: {
        size_t len = 0;
        for (size_t i = 0; i < f->facility.ncommunities && len + 14 < CHANGE_VALUE_MAX; i++)
            len += (size_t)snprintf(out + len, CHANGE_VALUE_MAX - len, "%s%s", i ? ";" : "", f->facility.communities[i]);
        break;
    }
    case V_TRAINING: {
        size_t len = 0;
        for (size_t i = 0; i < f->labour.ntraining && len + 1 < CHANGE_VALUE_MAX; i++) {
            const training_fact_t *t = &f->labour.training[i];
            int n = snprintf(out + len, CHANGE_VALUE_MAX - len, "%s%s %s", i ? ";" : "", t->course ? t->course : "",
                             t->end_date ? t->end_date : "");
            len = n > 0 && len + (size_t)n < CHANGE_VALUE_MAX ? len + (size_t)n : CHANGE_VALUE_MAX - 1;
        }
        break;
    }
    }
}

/* The kind of a change of field d from old to new. */
static const char *
s_kind(const field_t *d, const char *old, const char *new_)
{
    const char *f = d->field;
    switch (d->payload) {
    case FACTS_POLICE:
        if (!strcmp(f, "status"))
            return "life.changed";
        if (!strcmp(f, "household_no"))
            return "household.changed";
        if (!strcmp(f, "community"))
            return "community.moved";
        break;
    case FACTS_LABOUR:
        if (!strcmp(f, "employment_status"))
            return "employment.changed";
        break;
    case FACTS_CIVIL_AFFAIRS:
        if (!strcmp(f, "status")) {
            if (!strcmp(new_, "在保"))
                return "entitlement.started";
            if (!strcmp(new_, "暂停"))
                return "entitlement.suspended";
            if (!strcmp(new_, "停保") || (!*new_ && *old))
                return "entitlement.ended";
        }
        if (!strcmp(f, "monthly_amount") || !strcmp(f, "covered_count"))
            return "entitlement.changed";
        break;
    case FACTS_FACILITY:
        return "facility.changed";
    default:
        break;
    }
    return "field.changed";
}

/* Does a record's first version say this field (with a value)? */
static bool
s_starts(const field_t *d, const char *value)
{
    if (!*value)
        return false;
    if (d->payload == FACTS_FACILITY)
        return !strcmp(d->field, "name");
    if (d->payload == FACTS_POLICE && !strcmp(d->field, "status"))
        return strcmp(value, "正常") != 0;
    if (d->payload == FACTS_LABOUR && !strcmp(d->field, "employment_status"))
        return true;
    if (d->payload == FACTS_CIVIL_AFFAIRS && !strcmp(d->field, "status"))
        return true;
    return false;
}

size_t
changes_diff(const facts_t *old, const facts_t *new_, change_t *out, size_t cap)
{
    size_t n = 0;
    if (!new_ || new_->kind == FACTS_NONE || (old && old->kind != new_->kind))
        return 0;
    const char *payload = s_payloads[new_->kind];
    for (size_t i = 0; i < sizeof s_fields / sizeof s_fields[0] && n < cap; i++) {
        const field_t *d = &s_fields[i];
        if (d->payload != new_->kind)
            continue;
        change_t *c = &out[n];
        s_value(old, d, c->old_value);
        s_value(new_, d, c->new_value);
        if (!strcmp(c->old_value, c->new_value) || (!old && !s_starts(d, c->new_value)))
            continue;
        c->kind = s_kind(d, c->old_value, c->new_value);
        c->field = d->field;
        c->sensitive = facts_sensitive(payload, d->field);
        n++;
    }
    return n;
}
