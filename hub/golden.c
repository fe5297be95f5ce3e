/* golden.c: survivorship rules and the golden record (see golden.h). */
#define _POSIX_C_SOURCE 200809L
#include "golden.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name, *rule;
} s_fields[GOLDEN_COUNT] = {
#define X(id, name, rule) {name, rule},
    GOLDEN_FIELDS(X)
#undef X
};

static const char *s_depts[] = {"", "police", "familyplanning", "labour", "civilaffairs"};

const char *
golden_field_name(int field)
{
    return field >= 0 && field < GOLDEN_COUNT ? s_fields[field].name : "?";
}

int
golden_field_by_name(const char *name)
{
    for (int f = 0; f < GOLDEN_COUNT; f++)
        if (strcmp(s_fields[f].name, name) == 0)
            return f;
    return -1;
}

static bool
s_parse(golden_rules_t *r, int field, const char *value, const char **why)
{
    if (strcmp(value, "recent") == 0) {
        r->recent[field] = true;
        r->order[field][0] = 0;
        return true;
    }
    int order[5] = {0}, n = 0;
    char copy[128];
    snprintf(copy, sizeof copy, "%s", value);
    for (char *save = NULL, *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        int d = 0;
        for (int k = 1; k < 5; k++)
            if (strcmp(tok, s_depts[k]) == 0)
                d = k;
        if (!d || n == 4) {
            *why = "expected `recent` or departments: police,familyplanning,labour,civilaffairs";
            return false;
        }
        order[n++] = d;
    }
    if (n == 0) {
        *why = "empty rule";
        return false;
    }
    r->recent[field] = false;
    memcpy(r->order[field], order, sizeof order);
    return true;
}

void
golden_rules_default(golden_rules_t *r)
{
    memset(r, 0, sizeof *r);
    for (int f = 0; f < GOLDEN_COUNT; f++) {
        const char *why;
        s_parse(r, f, s_fields[f].rule, &why);
    }
}

bool
golden_rule_set(golden_rules_t *r, const char *key, const char *value, const char **why)
{
    if (strncmp(key, "survivorship.", 13) != 0)
        return false;
    int f = golden_field_by_name(key + 13);
    if (f < 0) {
        *why = "unknown field for survivorship";
        return true;
    }
    s_parse(r, f, value, why);
    return true;
}

/* Is a better than b under the rule of field f? */
static bool
s_better(const golden_rules_t *r, int f, const golden_obs_t *a, const golden_obs_t *b)
{
    if (!r->recent[f]) {
        int ra = 99, rb = 99;
        for (int k = 0; k < 4 && r->order[f][k]; k++) {
            if (r->order[f][k] == a->source)
                ra = k;
            if (r->order[f][k] == b->source)
                rb = k;
        }
        if (ra != rb)
            return ra < rb;
    }
    if (a->seen_ms != b->seen_ms)
        return a->seen_ms > b->seen_ms;
    return a->record_id > b->record_id;
}

static bool
s_allowed(const golden_rules_t *r, int f, int source)
{
    if (r->recent[f])
        return true;
    for (int k = 0; k < 4 && r->order[f][k]; k++)
        if (r->order[f][k] == source)
            return true;
    return false;
}

void
golden_compute(const golden_rules_t *rules, const golden_obs_t *obs, size_t n, golden_value_t out[GOLDEN_COUNT])
{
    memset(out, 0, GOLDEN_COUNT * sizeof *out);
    for (size_t i = 0; i < n; i++) {
        int f = obs[i].field;
        if (f < 0 || f >= GOLDEN_COUNT || !obs[i].value || !*obs[i].value || !s_allowed(rules, f, obs[i].source))
            continue;
        if (!out[f].chosen || s_better(rules, f, &obs[i], out[f].chosen))
            out[f].chosen = &obs[i];
    }
    for (size_t i = 0; i < n; i++) {   /* every value that disagrees, from any department */
        int f = obs[i].field;
        if (f < 0 || f >= GOLDEN_COUNT || !out[f].chosen || !obs[i].value || !*obs[i].value
            || strcmp(obs[i].value, out[f].chosen->value) == 0)
            continue;
        bool known = false;
        for (size_t k = 0; k < out[f].nothers && !known; k++)
            known = strcmp(out[f].others[k]->value, obs[i].value) == 0;
        if (!known && out[f].nothers < sizeof out[f].others / sizeof out[f].others[0])
            out[f].others[out[f].nothers++] = &obs[i];
    }
}
