/*
** familyplanning.c: adapter-familyplanning, women of child-bearing age and
** their families (计生). Reads wis_YYYYMMDD.tsv: UTF-8 with a byte-order
** mark, LF, tab-separated without quoting, columns found by header name.
** The record key is 记录编号 tidied by norm_key; spouse and child rows point
** at the woman's 记录编号 in 关联记录编号. 节育措施 travels marked
** FIELD_SENSITIVE: only the family-planning department may read it back.
*/
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "fields.h"
#include "normalize.h"
#include "table.h"

enum {
    C_RECORD_NO, C_PERSON_TYPE, C_NAME, C_IDNO, C_BIRTH, C_GENDER, C_MARITAL, C_LINKED, C_ADDRESS,
    C_COMMUNITY, C_PHONE, C_CHILDREN, C_CERTIFICATE, C_CONTRACEPTION, C_UPDATED, NCOLS
};

static const adp_column_t s_cols[NCOLS] = {
    [C_RECORD_NO] = {"记录编号", true},     [C_PERSON_TYPE] = {"人员类型", true},
    [C_NAME] = {"姓名", true},              [C_IDNO] = {"身份证号", true},
    [C_BIRTH] = {"出生日期", true},         [C_GENDER] = {"性别", true},
    [C_MARITAL] = {"婚姻状况", false},      [C_LINKED] = {"关联记录编号", true},
    [C_ADDRESS] = {"现居住地址", false},    [C_COMMUNITY] = {"所属社区", true},
    [C_PHONE] = {"联系电话", false},        [C_CHILDREN] = {"子女数", false},
    [C_CERTIFICATE] = {"生育服务证号", false}, [C_CONTRACEPTION] = {"节育措施", false},
    [C_UPDATED] = {"更新时间", true},
};

static void
s_row(adp_t *a, const char *const *v, uint32_t row, const char *raw, size_t raw_len)
{
    /* norm_key never lengthens: room for the whole key, never cut short */
    size_t cap = strlen(v[C_RECORD_NO]) + strlen(v[C_LINKED]) + 1;
    char *key = adp_alloc(cap), *linked = adp_alloc(cap);
    if (norm_key(v[C_RECORD_NO], key, cap) == 0) {
        adp_reject(a, row, s_cols[C_RECORD_NO].name, "记录编号 (the record's key) is empty", raw, raw_len);
        free(key);
        free(linked);
        return;
    }
    norm_key(v[C_LINKED], linked, cap);
    Hub__FamilyPlanningRecord *p = adp_alloc(sizeof *p);
    hub__family_planning_record__init(p);
    p->record_no = adp_field(v[C_RECORD_NO], key, 0);
    p->person_type = adp_field_text(v[C_PERSON_TYPE]);
    p->name = adp_field_text(v[C_NAME]);
    p->idno = adp_field_idno(v[C_IDNO]);
    p->birth_date = adp_field_date(v[C_BIRTH]);
    p->gender = adp_field_gender(v[C_GENDER]);
    p->marital_status = adp_field_text(v[C_MARITAL]);
    p->linked_record_no = adp_field(v[C_LINKED], linked, 0);
    p->address = adp_field_text(v[C_ADDRESS]);
    p->community = adp_field_community(adp_communities(a), v[C_COMMUNITY]);
    p->phone = adp_field_phone(v[C_PHONE]);
    p->children_count = adp_field_text(v[C_CHILDREN]);
    p->certificate_no = adp_field_text(v[C_CERTIFICATE]);
    p->contraception = adp_field(v[C_CONTRACEPTION], NULL, HUB__FIELD_FLAG__FIELD_SENSITIVE);
    int64_t updated = adp_time_epoch(v[C_UPDATED]);
    p->updated_at = adp_field(v[C_UPDATED], NULL, updated ? 0 : HUB__FIELD_FLAG__FIELD_INVALID);
    Hub__Record *r = adp_record_new(a, HUB__DEPARTMENT__FAMILY_PLANNING, key, row, updated);
    free(key);
    free(linked);
    r->payload_case = HUB__RECORD__PAYLOAD_FAMILY_PLANNING;
    r->family_planning = p;
    adp_emit(a, row, r, raw, raw_len);
}

static int
s_read_file(adp_t *a, const char *path)
{
    adp_csv_opts_t opts = {.encoding = "UTF-8", .separator = '\t', .quoting = false};
    return adp_read_table(a, path, &opts, s_cols, NCOLS, s_row);
}

static const char *const s_patterns[] = {"wis_*.tsv", NULL};

int
main(int argc, char **argv)
{
    static const adp_mapping_t map = {
        .name = "familyplanning",
        .department = HUB__DEPARTMENT__FAMILY_PLANNING,
        .files = "wis_YYYYMMDD.tsv",
        .encoding = "UTF-8",
        .patterns = s_patterns,
        .read_file = s_read_file,
    };
    return adp_main(argc, argv, &map);
}
