/*
** record.h: the hub's own plain structs for what travels between modules:
** an incoming source record, a stored one, a resident view, a link row,
** the facts kept of a record, a facility row and the registry counts. No functions; protobuf-c types stay in codec.c and
** SQLite in store.c, and these are what they hand each other.
*/
#ifndef HUB_RECORD_H
#define HUB_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

#define HUB_DEPARTMENTS 5          /* codes 1..4 as in proto Department */
#define DIGEST_LEN 16

/* The wire schema version this build speaks (Envelope.schema_version).
** Bumped only for a change old peers must not silently misread. */
#define HUB_SCHEMA_VERSION 1

/* What the hub takes in one message (codec_decode): a batch of more records
** is refused whole (ETOOBIG); a record with a longer string is rejected
** (EINVAL); a query or envelope with a longer string is refused. Every
** string must also be well-formed UTF-8. Adapters send at most
** HUB_MAX_BATCH_RECORDS records a batch. */
#define HUB_MAX_BATCH_RECORDS 10000
#define HUB_MAX_VALUE_BYTES 65536
#define HUB_MAX_QUERY_TEXT 4096

typedef struct { int64_t v; } resident_id_t;
typedef struct { int64_t v; } record_id_t;

/* A source record as decoded from a batch. Strings point into the decoded
** message and live as long as it does. */
typedef struct {
    int source;                /* proto Department */
    const char *source_key;
    const char *origin_file;
    uint32_t origin_row;
    int64_t changed_at;        /* s since epoch, 0 = unknown */
    const char *idno_raw;      /* identity number as received, NULL when none */
    uint8_t *body;             /* the Record packed without its origin (owned by the msg) */
    size_t body_len;
    uint8_t digest[DIGEST_LEN];/* of body: same content, same digest */
    bool person;               /* about a person (not a facility) */
    hub_err_t err;             /* HUB_OK, or why the record cannot be stored */
    char why[160];
} rec_t;

/* What the store keeps of a record, for insert. */
typedef struct {
    const rec_t *rec;
    resident_id_t resident;
    const char *idno;          /* canonical valid number, or NULL */
    int idno_status;           /* norm_idno_status_t */
    const char *sender;
    uint64_t batch_seq;
    int64_t received_ms;
} store_put_t;

/* A stored record with provenance, as read back. Strings are owned by the
** enclosing resident_view_t. */
typedef struct {
    record_id_t id;
    int source;
    char *source_key;
    char *origin_file;
    uint32_t origin_row;
    char *sender;
    uint64_t batch_seq;
    int64_t received_ms;
    bool current;
    char *idno;
    uint8_t *body;
    size_t body_len;
} stored_rec_t;

/* One value a current source record gives for a field of its resident
** (golden record input). Owned strings. */
typedef struct {
    char *field;                     /* golden field name: name, phone, … */
    char *value;
    int source;
    int64_t record_id;
    int64_t seen_ms;                 /* the department's change time, else arrival */
} observation_t;

/* A field of the golden record: the value shown, its department, and the
** values other departments (or older records) disagree with. Strings
** belong to the observations of the view. */
typedef struct {
    const char *value;
    int source;
} golden_alt_t;

typedef struct {
    const char *field;
    const char *value;
    int source;
    golden_alt_t others[16];
    size_t nothers;
} golden_item_t;

typedef struct {
    resident_id_t id;
    char *idno;
    stored_rec_t *recs;
    size_t nrecs;
    golden_item_t golden[16];
    size_t ngolden;
    observation_t *obs;              /* owns the golden strings */
    size_t nobs;
    resident_id_t asked;             /* the alias asked for, 0 when the id itself */
} resident_view_t;

typedef struct {
    int source;
    char *source_key;
    char *origin_file;
    uint32_t origin_row;
    resident_id_t resident;
    record_id_t record;
} link_row_t;

/* ---- facts: the values of a record the hub keeps as structured data ----
** Filled by codec.c (codec_record_facts, codec_body_facts), stored by
** store_facts_put, one set per stored record version. Every value is the
** hub's own normal form of what the department sent (never the adapter's,
** except community codes): text tidied by norm_text, keys by norm_key,
** dates YYYY-MM-DD, gender "M"/"F", phones digits, community 12-digit code.
** NULL (or .set false) when the field was absent or empty; a value that is
** present but does not normalise is NULL too and is listed in raws with its
** tidied raw text. Strings are owned by the facts_t (facts_fini frees them).
** Which fields are sensitive: the catalogue in facts.h. */

typedef enum {
    FACTS_NONE = 0,           /* no payload the hub knows */
    FACTS_POLICE = 1,         /* the person kinds equal their proto Department */
    FACTS_FAMILY_PLANNING = 2,
    FACTS_LABOUR = 3,
    FACTS_CIVIL_AFFAIRS = 4,
    FACTS_FACILITY = 5        /* civil affairs' facilities register */
} facts_kind_t;

typedef struct {
    bool set;
    int64_t v;
} fact_int_t;

/* What every department says about the person (all kinds but FACILITY). */
typedef struct {
    const char *name;
    const char *gender;           /* "M" / "F" */
    const char *birth_date;       /* YYYY-MM-DD */
    fact_int_t age;               /* civil affairs' 年龄 (it keeps no birth date) */
    const char *ethnicity;
    const char *community_code;   /* 12 digits */
    const char *address;          /* where the person lives; police: current, else registered */
    const char *phone;            /* digits */
} person_facts_t;

typedef struct {
    const char *household_no, *relation, *category, *status, *change_type;
    const char *change_date;      /* YYYY-MM-DD */
    const char *registered_address, *current_address, *former_name;
} police_facts_t;

typedef struct {
    const char *record_no, *person_type, *linked_record_no, *marital_status;
    fact_int_t children_count;
    const char *certificate_no;
    const char *contraception;    /* SENSITIVE: the family-planning department only */
} fp_facts_t;

typedef struct {
    const char *course;
    const char *end_date;         /* YYYY-MM-DD */
} training_fact_t;

typedef struct {
    const char *reg_no, *education, *employment_status;
    const char *status_date, *reemployed_date;   /* YYYY-MM-DD */
    const char *unemployment_cert;
    training_fact_t *training;    /* in the order sent */
    size_t ntraining;
} labour_facts_t;

typedef struct {
    const char *street, *head_name, *doc_type, *doc_no, *category;
    fact_int_t covered_count;
    fact_int_t monthly_amount_fen;   /* 1/100 yuan; not set for volunteers */
    const char *start_date;          /* YYYY-MM-DD */
    const char *status;
} civil_facts_t;

typedef struct {
    const char *facility_no, *name, *type, *address;
    bool has_floor_area;
    double floor_area;               /* square metres */
    const char *authority, *status;
    const char **communities;        /* 12-digit codes it serves */
    size_t ncommunities;
} facility_facts_t;

typedef struct {
    const char *field;               /* payload field name, e.g. "phone", "training[2].end_date" */
    const char *raw;                 /* as received, tidied */
} fact_raw_t;

typedef struct {
    facts_kind_t kind;
    person_facts_t person;
    police_facts_t police;
    fp_facts_t fp;
    labour_facts_t labour;
    civil_facts_t civil;
    facility_facts_t facility;
    fact_raw_t *raws;                /* values that did not normalise */
    size_t nraws;
    size_t cap_training, cap_communities, cap_raws;
    struct facts_chunk *arena;
} facts_t;

/* A current facility as read back by store_facilities. Owned strings. */
typedef struct {
    record_id_t record;
    char *facility_no, *name, *type, *address, *authority, *status;
    bool has_floor_area;
    double floor_area;
    char *communities;               /* codes, comma-separated, ascending; NULL when none */
} facility_row_t;

/* A stored record's body, for work that reads every record (facts backfill). */
typedef struct {
    record_id_t id;
    uint8_t *body;
    size_t body_len;
} record_body_t;

/* One search or household result. */
typedef struct {
    resident_id_t resident;
    char name[96], birth[16], community[16], why[160];
    double score;
} search_hit_t;

typedef struct {
    int64_t residents;
    int64_t source_records;
    int64_t by_department[HUB_DEPARTMENTS];
    int64_t quarantined;
    int64_t merges, splits, reviews_open;
    double records_per_second;
    int64_t uptime_s;
} registry_stats_t;

/* One event of the change feed (store.c's change_events; changes.h). */
typedef struct {
    int64_t seq, at_ms;
    const char *kind;
    resident_id_t resident, other;
    const char *community;          /* 12 digits, or NULL */
    int source;                     /* proto Department; 0: the hub's resolution */
    const char *source_key, *field, *old_value, *new_value;
    bool sensitive;                 /* for the source's department only */
} change_row_t;

#endif
