/*
** labour.c: adapter-labour, the unemployment and re-employment register
** (劳动保障). Reads jyzt_YYYYMMDD.jsonl: UTF-8, one JSON object per line,
** keys named by pinyin initials. Unknown keys are ignored; null is an
** absent field. A value of the wrong JSON type, or a required key (djbh,
** xm) missing, null or empty, rejects the line with the key named.
** The record key is djbh as norm_key tidies it. The change time is gxsj
** (ISO 8601 with offset, honoured; without one, China time); a gxsj that
** cannot be read is kept, flagged invalid, and the change time is then
** unknown.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "fields.h"
#include "jsonl.h"
#include "normalize.h"

/* Every string key of the format, in the file's usual order (pxjl, the
** training array, is read on its own). */
enum {
    K_REG_NO, K_IDNO, K_NAME, K_GENDER, K_BIRTH, K_ETHNICITY, K_EDUCATION, K_STATUS, K_STATUS_DATE,
    K_REEMPLOYED, K_CERT, K_PHONE, K_ADDRESS, K_COMMUNITY, K_UPDATED, NKEYS
};

static const struct {
    const char *name;
    bool required;
} s_keys[NKEYS] = {
    [K_REG_NO] = {"djbh", true},      [K_IDNO] = {"sfzh", false},
    [K_NAME] = {"xm", true},          [K_GENDER] = {"xb", false},
    [K_BIRTH] = {"csrq", false},      [K_ETHNICITY] = {"mz", false},
    [K_EDUCATION] = {"whcd", false},  [K_STATUS] = {"jyzt", false},
    [K_STATUS_DATE] = {"djrq", false}, [K_REEMPLOYED] = {"zjyrq", false},
    [K_CERT] = {"sybh", false},       [K_PHONE] = {"lxdh", false},
    [K_ADDRESS] = {"jzdz", false},    [K_COMMUNITY] = {"sqjwh", false},
    [K_UPDATED] = {"gxsj", false},
};

#define TRAINING_KEY "pxjl"

/* Why a line cannot be a record: the key to name and the reason. */
typedef struct {
    const char *key;
    char reason[256];
} why_t;

/* A string or null (or nothing) at key of obj into *out (NULL when absent
** or null). False, with why filled, for any other JSON type. */
static bool
s_string(const json_t *obj, const char *key, const char *path, const char **out, why_t *why)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    if (json_is_string(v)) {
        *out = json_string_value(v);
        return true;
    }
    snprintf(why->reason, sizeof why->reason, "%s is %s, not a string", path, adp_jsonl_type_name(v));
    return false;
}

/* Check the line's object: every string key's type, the required keys,
** the training array. Fills v[] (NULL = absent). */
static bool
s_check(const json_t *obj, const char *v[NKEYS], const json_t **training, why_t *why)
{
    for (int k = 0; k < NKEYS; k++) {
        why->key = s_keys[k].name;
        if (!s_string(obj, s_keys[k].name, s_keys[k].name, &v[k], why))
            return false;
        char tidy[64];
        if (s_keys[k].required && (!v[k] || !norm_key(v[k], tidy, sizeof tidy))) {
            const json_t *raw = json_object_get(obj, s_keys[k].name);
            snprintf(why->reason, sizeof why->reason, "required key %s is %s", s_keys[k].name,
                     !raw ? "missing" : json_is_null(raw) ? "null" : "empty");
            return false;
        }
    }
    why->key = TRAINING_KEY;
    const json_t *t = json_object_get(obj, TRAINING_KEY);
    *training = t && !json_is_null(t) ? t : NULL;
    if (*training && !json_is_array(t)) {
        snprintf(why->reason, sizeof why->reason, "%s is %s, not an array", TRAINING_KEY,
                 adp_jsonl_type_name(t));
        return false;
    }
    for (size_t i = 0; *training && i < json_array_size(t); i++) {
        const json_t *e = json_array_get(t, i);
        char path[64];
        const char *s;
        snprintf(path, sizeof path, "%s[%zu]", TRAINING_KEY, i);
        if (!json_is_object(e)) {
            snprintf(why->reason, sizeof why->reason, "%s is %s, not an object", path,
                     adp_jsonl_type_name(e));
            return false;
        }
        snprintf(path, sizeof path, "%s[%zu].kc", TRAINING_KEY, i);
        if (!s_string(e, "kc", path, &s, why))
            return false;
        snprintf(path, sizeof path, "%s[%zu].jsrq", TRAINING_KEY, i);
        if (!s_string(e, "jsrq", path, &s, why))
            return false;
    }
    return true;
}

static Hub__Training *
s_training(const json_t *e)
{
    Hub__Training *t = adp_alloc(sizeof *t);
    hub__training__init(t);
    const char *kc = json_string_value(json_object_get(e, "kc"));
    const char *jsrq = json_string_value(json_object_get(e, "jsrq"));
    t->course = adp_field_text(kc);
    t->end_date = adp_field_date(jsrq);
    return t;
}

static Hub__Record *
s_record(adp_t *a, const char *const v[NKEYS], const json_t *training, uint32_t row)
{
    Hub__LabourRecord *p = adp_alloc(sizeof *p);
    hub__labour_record__init(p);
    size_t cap = strlen(v[K_REG_NO]) + 1;
    char *key = adp_alloc(cap);
    norm_key(v[K_REG_NO], key, cap);
    p->reg_no = adp_field(v[K_REG_NO], key, 0);
    p->idno = adp_field_idno(v[K_IDNO]);
    p->name = adp_field_text(v[K_NAME]);
    p->gender = adp_field_gender(v[K_GENDER]);
    p->birth_date = adp_field_date(v[K_BIRTH]);
    p->ethnicity = adp_field_text(v[K_ETHNICITY]);
    p->education = adp_field_text(v[K_EDUCATION]);
    p->employment_status = adp_field_text(v[K_STATUS]);
    p->status_date = adp_field_date(v[K_STATUS_DATE]);
    p->reemployed_date = adp_field_date(v[K_REEMPLOYED]);
    p->unemployment_cert = adp_field_text(v[K_CERT]);
    p->phone = adp_field_phone(v[K_PHONE]);
    p->address = adp_field_text(v[K_ADDRESS]);
    p->community = adp_field_community(adp_communities(a), v[K_COMMUNITY]);
    p->n_training = training ? json_array_size(training) : 0;
    if (p->n_training) {
        p->training = adp_alloc(p->n_training * sizeof *p->training);
        for (size_t i = 0; i < p->n_training; i++)
            p->training[i] = s_training(json_array_get(training, i));
    }
    p->updated_at = adp_field_text(v[K_UPDATED]);

    int64_t when = adp_time_epoch(v[K_UPDATED]);
    if (p->updated_at && !when) {
        p->updated_at->has_flags = 1;
        p->updated_at->flags |= HUB__FIELD_FLAG__FIELD_INVALID;
    }
    Hub__Record *r = adp_record_new(a, HUB__DEPARTMENT__LABOUR, key, row, when);
    free(key);
    r->payload_case = HUB__RECORD__PAYLOAD_LABOUR;
    r->labour = p;
    return r;
}

static int
s_read_file(adp_t *a, const char *path)
{
    char err[512];
    adp_jsonl_t *in = adp_jsonl_open(path, NULL, err, sizeof err);
    if (!in) {
        adp_file_error(a, err);
        return -1;
    }
    adp_jsonl_row_t row;
    adp_jsonl_status_t st;
    while ((st = adp_jsonl_next(in, &row)) == ADP_JSONL_OBJECT || st == ADP_JSONL_BAD) {
        uint32_t n = (uint32_t) row.row;
        if (st == ADP_JSONL_BAD) {
            adp_reject(a, n, NULL, row.reason, row.raw, row.raw_len);
            continue;
        }
        const char *v[NKEYS];
        const json_t *training;
        why_t why;
        if (!s_check(row.object, v, &training, &why)) {
            adp_reject(a, n, why.key, why.reason, row.raw, row.raw_len);
            continue;
        }
        adp_emit(a, n, s_record(a, v, training, n), row.raw, row.raw_len);
    }
    if (st == ADP_JSONL_ERROR)
        adp_file_error(a, adp_jsonl_error(in));
    adp_jsonl_destroy(&in);
    return st == ADP_JSONL_ERROR ? -1 : 0;
}

int
main(int argc, char **argv)
{
    static const adp_mapping_t map = {
        .name = "labour",
        .department = HUB__DEPARTMENT__LABOUR,
        .files = "jyzt_YYYYMMDD.jsonl",
        .encoding = "UTF-8",
        .read_file = s_read_file,
    };
    return adp_main(argc, argv, &map);
}
