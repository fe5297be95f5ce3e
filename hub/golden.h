/*
** golden.h: the golden record — for each field of a resident, the value
** the registry shows, chosen from the observations of its current source
** records by explicit survivorship rules, with the source of the value and
** every disagreeing value kept beside it. Pure: the store supplies the
** observations, the config the rules.
**
** A rule is either a department order ("police,familyplanning,labour,
** civilaffairs": the first department that has a value wins; among its
** records, the most recent) or "recent" (the most recent observation wins,
** whatever its department). Defaults: the police are the authority for
** identity, household and life status; labour for employment; civil affairs
** for entitlements; for address and community the police register, then
** civil affairs, labour, family planning (the order in which store.c's
** S_RES_COMMUNITY places a resident in a community, so that the community
** shown is the one whose committee may read it); the most recent
** observation for the phone. Set in hub.conf as `survivorship.FIELD = RULE`.
*/
#ifndef HUB_GOLDEN_H
#define HUB_GOLDEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GOLDEN_FIELDS(X)                                                   \
    X(IDNO, "idno", "police,familyplanning,labour,civilaffairs")           \
    X(NAME, "name", "police,familyplanning,labour,civilaffairs")           \
    X(GENDER, "gender", "police,familyplanning,labour,civilaffairs")       \
    X(BIRTH_DATE, "birth_date", "police,familyplanning,labour,civilaffairs") \
    X(ETHNICITY, "ethnicity", "police,labour,familyplanning,civilaffairs") \
    X(HOUSEHOLD, "household_no", "police")                                 \
    X(LIFE_STATUS, "life_status", "police")                                \
    X(EMPLOYMENT, "employment_status", "labour")                           \
    X(ENTITLEMENTS, "entitlements", "civilaffairs")                        \
    X(PHONE, "phone", "recent")                                            \
    X(ADDRESS, "address", "police,civilaffairs,labour,familyplanning")                                        \
    X(COMMUNITY, "community", "police,civilaffairs,labour,familyplanning")

typedef enum {
#define X(id, name, rule) GOLDEN_##id,
    GOLDEN_FIELDS(X)
#undef X
    GOLDEN_COUNT
} golden_field_t;

/* One rule per field: a department order (codes 1..4, 0-terminated), or recent. */
typedef struct {
    bool recent[GOLDEN_COUNT];
    int order[GOLDEN_COUNT][5];
} golden_rules_t;

void golden_rules_default(golden_rules_t *r);
/* Set from hub.conf: key "survivorship.FIELD", value "recent" or a
** comma-separated department list. False (and *why) when not understood. */
bool golden_rule_set(golden_rules_t *r, const char *key, const char *value, const char **why);

const char *golden_field_name(int field);
int golden_field_by_name(const char *name);   /* -1 when unknown */

/* One value of one field, seen in one source record. */
typedef struct {
    int field;          /* golden_field_t */
    const char *value;
    int source;         /* department */
    int64_t record_id;
    int64_t seen_ms;    /* when the department last changed it, else when it arrived */
} golden_obs_t;

/* The chosen value of a field and the others that disagree with it. */
typedef struct {
    const golden_obs_t *chosen;     /* NULL: no source has a value */
    const golden_obs_t *others[16]; /* distinct disagreeing values, first seen first */
    size_t nothers;
} golden_value_t;

/* Choose out[field] for every field from obs (pointers into obs). */
void golden_compute(const golden_rules_t *rules, const golden_obs_t *obs, size_t n, golden_value_t out[GOLDEN_COUNT]);

#endif
