/*
** facts.h: what the hub keeps of each department's record as structured,
** queryable values (facts_t in record.h), beside the record's blob.
**
**  - The field catalogue: every field of every department payload, the
**    fact table and column that holds it (or none), and whether it is
**    SENSITIVE (readable by the owning department only). It is the one
**    place that says so; the store copies it into the registry's
**    `fact_fields` table at every start, where SQL and the access-control
**    work can read it.
**  - Pure parsers for the values departments write by hand: money
**    (570元, 570.00, 570) into fen, floor areas, whole counts.
**  - facts_t's small string arena.
**
** No I/O and no global state besides the constant catalogue: a leaf like
** normalize.h. The extraction from protobuf lives in codec.c; the tables
** in store.c.
*/
#ifndef HUB_FACTS_H
#define HUB_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "record.h"

/* ---- the field catalogue ---- */

typedef struct {
    const char *payload;     /* the Record payload (proto oneof name): police, family_planning,
                                labour, civil_affairs, facility */
    int department;          /* proto Department of that payload */
    const char *field;       /* the payload's field name in proto/hub.proto ("training.course" for
                                a field of a repeated sub-message) */
    const char *table;       /* where the hub keeps it as a fact, NULL when only in the blob */
    const char *column;      /* column of table (NULL when table is NULL) */
    bool sensitive;          /* readable by the owning department only */
} fact_field_t;

extern const fact_field_t facts_fields[];
extern const size_t facts_nfields;

/* The catalogue entry of payload.field, or NULL. */
const fact_field_t *facts_field(const char *payload, const char *field);
/* True when payload.field is sensitive (false for an unknown field). */
bool facts_sensitive(const char *payload, const char *field);

/* ---- parsers: hand-typed values. Each tidies raw as norm_text does
** (full-width forms, U+3000, stray spaces) first; raw may be NULL. ---- */

/* A monthly amount in yuan into fen (1/100 yuan): `570元`, `570.00`, `570`,
** `570.5`, `￥570`, `1,234.50元`, `570元/月`. Integer part of 1..12 digits
** (commas only as thousands separators), at most two decimals (more only
** when they are zeros). False for anything else, negative amounts included. */
bool facts_amount_fen(const char *raw, int64_t *fen);

/* A floor area in square metres: `240`, `240.5`, `240㎡`, `240平方米`,
** `240 m2`. At most 3 decimals, below 10^8. */
bool facts_area_m2(const char *raw, double *m2);

/* A whole number 0..max with an optional unit (人, 个, 名, 口, 岁): `3`,
** `3人`, `67岁`. */
bool facts_count(const char *raw, int64_t max, int64_t *out);

/* True when s is exactly 12 ASCII digits (the form of a community code). */
bool facts_is_community_code(const char *s);

/* ---- facts_t lifecycle (the strings live in its arena) ---- */

void facts_init(facts_t *f, facts_kind_t kind);
void facts_fini(facts_t *f);          /* safe twice */
/* A copy of the n bytes at s, NUL-terminated, owned by f. */
char *facts_strndup(facts_t *f, const char *s, size_t n);
/* n bytes of scratch for a string, owned by f. */
char *facts_strbuf(facts_t *f, size_t n);
/* Keep a value that did not normalise (field name, tidied raw; both
** copied), and grow the repeated parts: a new training (returned, zeroed)
** and a community code (copied; a code already listed is not added again). */
void facts_add_raw(facts_t *f, const char *field, const char *raw);
training_fact_t *facts_add_training(facts_t *f);
void facts_add_community(facts_t *f, const char *code);

#endif
