/*
** police.c: adapter-police, the household register (公安 户籍).
** Reads hukou_YYYYMMDD.csv snapshots and hukou_YYYYMMDD_delta.csv change
** files: GB18030, CRLF, RFC 4180 quoting, columns found by header name.
** The record key is the identity number as norm_idno cleans it: canonical
** 18 characters when valid (so a 15-digit or full-width rendering of the
** same number is the same record), else as typed without spaces, with
** full-width folded and x upper-cased (a row whose number would make a key
** over 31 bytes is rejected: cut short, two numbers could share a key). The
** field keeps the raw value.
*/
#include <stdio.h>
#include <string.h>

#include "adapter.h"
#include "fields.h"
#include "normalize.h"
#include "table.h"

enum {
    C_IDNO, C_NAME, C_FORMER_NAME, C_GENDER, C_ETHNICITY, C_BIRTH, C_HOUSEHOLD, C_RELATION,
    C_REG_ADDR, C_CUR_ADDR, C_COMMUNITY, C_CATEGORY, C_STATUS, C_CHANGE_TYPE, C_CHANGE_DATE,
    C_PHONE, NCOLS
};

static const adp_column_t s_cols[NCOLS] = {
    [C_IDNO] = {"公民身份号码", true},   [C_NAME] = {"姓名", true},
    [C_FORMER_NAME] = {"曾用名", false}, [C_GENDER] = {"性别", true},
    [C_ETHNICITY] = {"民族", false},     [C_BIRTH] = {"出生日期", true},
    [C_HOUSEHOLD] = {"户号", true},      [C_RELATION] = {"与户主关系", false},
    [C_REG_ADDR] = {"户籍地址", false},  [C_CUR_ADDR] = {"现住址", false},
    [C_COMMUNITY] = {"所属社区", true},  [C_CATEGORY] = {"人员类别", false},
    [C_STATUS] = {"人员状态", true},     [C_CHANGE_TYPE] = {"变动类型", false},
    [C_CHANGE_DATE] = {"变动日期", false}, [C_PHONE] = {"联系电话", false},
};

/* Bytes of the key norm_idno makes of raw (UTF-8): spaces (ASCII and
** U+3000) dropped, full-width digits and Ｘ/ｘ one byte, the rest as is. */
static size_t
s_key_bytes(const char *raw)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)raw; *p;) {
        size_t len = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
        for (size_t k = 1; k < len; k++)
            if (!p[k])
                len = k;
        bool space = *p == ' ' || (*p >= '\t' && *p <= '\r') || (len == 3 && !memcmp(p, "\xE3\x80\x80", 3));
        bool folded = len == 3 && p[0] == 0xEF
                      && ((p[1] == 0xBC && ((p[2] >= 0x90 && p[2] <= 0x99) || p[2] == 0xB8))
                          || (p[1] == 0xBD && p[2] == 0x98));
        n += space ? 0 : folded ? 1 : len;
        p += len;
    }
    return n;
}

static void
s_row(adp_t *a, const char *const *v, uint32_t row, const char *raw, size_t raw_len)
{
    char key[NORM_IDNO_SIZE];
    if (norm_idno(v[C_IDNO], key) == NORM_IDNO_EMPTY) {
        adp_reject(a, row, s_cols[C_IDNO].name, "identity number (the record's key) is empty", raw, raw_len);
        return;
    }
    if (s_key_bytes(v[C_IDNO]) >= NORM_IDNO_SIZE) {   /* cut short, two numbers could become one key */
        char why[160];
        snprintf(why, sizeof why, "identity number (the record's key) is %zu bytes without spaces, longer than "
                 "the %d a key may have: not a number", s_key_bytes(v[C_IDNO]), NORM_IDNO_SIZE - 1);
        adp_reject(a, row, s_cols[C_IDNO].name, why, raw, raw_len);
        return;
    }
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
    if (strstr(adp_file_name(a), "_delta")) {
        p->has_delta = 1;
        p->delta = 1;
    }
    int64_t changed = p->change_date && p->change_date->norm ? adp_day_epoch(p->change_date->norm) : 0;
    Hub__Record *r = adp_record_new(a, HUB__DEPARTMENT__POLICE, key, row, changed);
    r->payload_case = HUB__RECORD__PAYLOAD_POLICE;
    r->police = p;
    adp_emit(a, row, r, raw, raw_len);
}

static int
s_read_file(adp_t *a, const char *path)
{
    adp_csv_opts_t opts = {.encoding = "GB18030", .separator = ',', .quoting = true};
    return adp_read_table(a, path, &opts, s_cols, NCOLS, s_row);
}

static const char *const s_patterns[] = {"hukou_*.csv", NULL};

int
main(int argc, char **argv)
{
    static const adp_mapping_t map = {
        .name = "police",
        .department = HUB__DEPARTMENT__POLICE,
        .files = "hukou_YYYYMMDD.csv and hukou_YYYYMMDD_delta.csv",
        .encoding = "GB18030",
        .patterns = s_patterns,
        .read_file = s_read_file,
    };
    return adp_main(argc, argv, &map);
}
