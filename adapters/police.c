/*
** police.c: adapter-police, the household register (公安 户籍).
** Reads hukou_YYYYMMDD.csv snapshots and hukou_YYYYMMDD_delta.csv change
** files: GB18030, CRLF, RFC 4180 quoting, columns found by header name.
** The record key is the identity number as norm_idno cleans it: canonical
** 18 characters when valid (so a 15-digit or full-width rendering of the
** same number is the same record), else as typed without spaces, with
** full-width folded and x upper-cased. The field keeps the raw value.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "csv.h"
#include "fields.h"
#include "normalize.h"

/* Every column of the format, in the file's usual order. */
enum {
    C_IDNO, C_NAME, C_FORMER_NAME, C_GENDER, C_ETHNICITY, C_BIRTH, C_HOUSEHOLD, C_RELATION,
    C_REG_ADDR, C_CUR_ADDR, C_COMMUNITY, C_CATEGORY, C_STATUS, C_CHANGE_TYPE, C_CHANGE_DATE,
    C_PHONE, NCOLS
};

static const struct {
    const char *name;
    bool required;
} s_cols[NCOLS] = {
    [C_IDNO] = {"公民身份号码", true},   [C_NAME] = {"姓名", true},
    [C_FORMER_NAME] = {"曾用名", false}, [C_GENDER] = {"性别", true},
    [C_ETHNICITY] = {"民族", false},     [C_BIRTH] = {"出生日期", true},
    [C_HOUSEHOLD] = {"户号", true},      [C_RELATION] = {"与户主关系", false},
    [C_REG_ADDR] = {"户籍地址", false},  [C_CUR_ADDR] = {"现住址", false},
    [C_COMMUNITY] = {"所属社区", true},  [C_CATEGORY] = {"人员类别", false},
    [C_STATUS] = {"人员状态", true},     [C_CHANGE_TYPE] = {"变动类型", false},
    [C_CHANGE_DATE] = {"变动日期", false}, [C_PHONE] = {"联系电话", false},
};

static Hub__Record *
s_record(adp_t *a, const char *const v[NCOLS], const char *file, uint32_t row)
{
    Hub__PoliceRecord *p = adp_alloc(sizeof *p);
    hub__police_record__init(p);
    p->idno = adp_field_idno(v[C_IDNO]);
    p->name = adp_field_text(v[C_NAME]);
    p->former_name = adp_field_text(v[C_FORMER_NAME]);
    p->gender = adp_field_gender(v[C_GENDER]);
    p->ethnicity = adp_field_text(v[C_ETHNICITY]);
    p->birth_date = adp_field_date(v[C_BIRTH]);
    p->household_no = adp_field_text(v[C_HOUSEHOLD]);
    p->relation = adp_field_text(v[C_RELATION]);
    p->registered_address = adp_field_text(v[C_REG_ADDR]);
    p->current_address = adp_field_text(v[C_CUR_ADDR]);
    p->community = adp_field_community(adp_communities(a), v[C_COMMUNITY]);
    p->category = adp_field_text(v[C_CATEGORY]);
    p->status = adp_field_text(v[C_STATUS]);
    p->change_type = adp_field_text(v[C_CHANGE_TYPE]);
    p->change_date = adp_field_date(v[C_CHANGE_DATE]);
    p->phone = adp_field_phone(v[C_PHONE]);
    if (strstr(file, "_delta")) {
        p->has_delta = 1;
        p->delta = 1;
    }
    Hub__Record *r = adp_alloc(sizeof *r);
    hub__record__init(r);
    r->has_source = 1;
    r->source = HUB__DEPARTMENT__POLICE;
    char key[NORM_IDNO_SIZE];
    norm_idno(v[C_IDNO], key);
    r->source_key = adp_strdup(key);
    r->origin = adp_alloc(sizeof *r->origin);
    hub__origin__init(r->origin);
    r->origin->file = adp_strdup(file);
    r->origin->has_row = 1;
    r->origin->row = row;
    if (p->change_date && p->change_date->norm) {
        r->has_changed_at = 1;
        r->changed_at = adp_day_epoch(p->change_date->norm);
    }
    r->payload_case = HUB__RECORD__PAYLOAD_POLICE;
    r->police = p;
    return r;
}

static int
s_read_file(adp_t *a, const char *path)
{
    char err[512];
    adp_csv_opts_t opts = {.encoding = "GB18030", .separator = ',', .quoting = true};
    adp_csv_t *csv = adp_csv_open(path, &opts, err, sizeof err);
    if (!csv) {
        adp_file_error(a, err);
        return -1;
    }
    int col[NCOLS];
    for (int c = 0; c < NCOLS; c++) {
        col[c] = adp_csv_column(csv, s_cols[c].name);
        if (col[c] < 0 && s_cols[c].required) {
            snprintf(err, sizeof err, "required column %s is missing from the header", s_cols[c].name);
            adp_file_error(a, err);
            adp_csv_destroy(&csv);
            return -1;
        }
    }
    adp_csv_row_t row;
    adp_csv_status_t st;
    while ((st = adp_csv_next(csv, &row)) == ADP_CSV_ROW || st == ADP_CSV_BAD) {
        uint32_t n = (uint32_t)row.row;
        if (adp_row_done(a, n))
            continue;
        if (st == ADP_CSV_BAD) {
            adp_reject(a, n, row.column_name, row.reason, row.raw, row.raw_len);
            continue;
        }
        const char *v[NCOLS];
        for (int c = 0; c < NCOLS; c++)
            v[c] = col[c] >= 0 ? row.fields[col[c]] : "";
        char key[NORM_IDNO_SIZE];
        if (norm_idno(v[C_IDNO], key) == NORM_IDNO_EMPTY) {
            adp_reject(a, n, s_cols[C_IDNO].name, "identity number (the record's key) is empty", row.raw,
                       row.raw_len);
            continue;
        }
        adp_emit(a, n, s_record(a, v, adp_file_name(a), n), row.raw, row.raw_len);
    }
    if (st == ADP_CSV_ERROR)
        adp_file_error(a, adp_csv_error(csv));
    adp_csv_destroy(&csv);
    return st == ADP_CSV_ERROR ? -1 : 0;
}

int
main(int argc, char **argv)
{
    static const adp_mapping_t map = {
        .name = "police",
        .department = HUB__DEPARTMENT__POLICE,
        .files = "hukou_YYYYMMDD.csv and hukou_YYYYMMDD_delta.csv",
        .encoding = "GB18030",
        .read_file = s_read_file,
    };
    return adp_main(argc, argv, &map);
}
