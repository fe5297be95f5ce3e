/*
** civilaffairs.c: adapter-civilaffairs (民政), two registers:
**  - mz_roster_YYYYMM.csv, the assistance, allowance and volunteer roster:
**    GBK, CRLF, RFC 4180; one row per person and category (类别). It has no
**    record key (序号 is only the row number of one export): the key is
**    derived by adp_civil_key (civilkey.h) from the identity number when
**    valid and the row's own (adp_civil_number_theirs), else name +
**    community + address, and the category, so the same person-and-category
**    keeps its key from one monthly export to the next.
**  - facilities.csv, the community service facilities: UTF-8, LF, RFC 4180;
**    the key is 设施编号; 所属社区 may name several communities, split on 、.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "civilkey.h"
#include "fields.h"
#include "normalize.h"
#include "table.h"

/* ---- the roster ---- */

enum {
    R_SERIAL, R_STREET, R_COMMUNITY, R_HEAD, R_NAME, R_DOC_TYPE, R_DOC_NO, R_GENDER, R_AGE, R_ADDRESS,
    R_CATEGORY, R_COVERED, R_AMOUNT, R_START, R_STATUS, R_PHONE, NROSTER
};

static const adp_column_t s_roster[NROSTER] = {
    [R_SERIAL] = {"序号", false},       [R_STREET] = {"街道", false},
    [R_COMMUNITY] = {"社区", true},     [R_HEAD] = {"户主姓名", false},
    [R_NAME] = {"姓名", true},          [R_DOC_TYPE] = {"证件类型", true},
    [R_DOC_NO] = {"证件号码", true},    [R_GENDER] = {"性别", true},
    [R_AGE] = {"年龄", true},           [R_ADDRESS] = {"住址", true},
    [R_CATEGORY] = {"类别", true},      [R_COVERED] = {"保障人数", false},
    [R_AMOUNT] = {"月发放金额", false}, [R_START] = {"起始日期", false},
    [R_STATUS] = {"状态", true},        [R_PHONE] = {"联系电话", false},
};

/* 570元, 570.00, 570 -> "57000" (fen); false when not an amount. */
static bool
s_amount_fen(const char *raw, char *out, size_t cap)
{
    char t[64];
    norm_key(raw, t, sizeof t);
    size_t n = strlen(t);
    if (n >= 3 && strcmp(t + n - 3, "元") == 0)
        t[n -= 3] = 0;
    long yuan = 0, fen = 0;
    int digits = 0, decimals = -1;
    for (const char *p = t; *p; p++) {
        if (*p == '.' && decimals < 0 && digits > 0)
            decimals = 0;
        else if (*p >= '0' && *p <= '9' && decimals < 0 && digits < 9)
            yuan = yuan * 10 + (*p - '0'), digits++;
        else if (*p >= '0' && *p <= '9' && decimals >= 0 && decimals < 2)
            fen = fen * 10 + (*p - '0'), decimals++;
        else
            return false;
    }
    if (digits == 0)
        return false;
    if (decimals == 1)
        fen *= 10;
    snprintf(out, cap, "%ld", yuan * 100 + fen);
    return true;
}

/* Age in whole years: digits only, 0..150. */
static bool
s_age(const char *raw, char *out, size_t cap)
{
    char t[32];
    norm_key(raw, t, sizeof t);
    size_t n = strlen(t);
    if (n >= 3 && strcmp(t + n - 3, "岁") == 0)
        t[n - 3] = 0;
    int age = 0, digits = 0;
    for (const char *p = t; *p; p++) {
        if (*p < '0' || *p > '9' || digits == 3)
            return false;
        age = age * 10 + (*p - '0');
        digits++;
    }
    if (!digits || age > 150)
        return false;
    snprintf(out, cap, "%d", age);
    return true;
}

static Hub__Field *
s_checked(const char *raw, bool (*check)(const char *, char *, size_t))
{
    char norm[64];
    if (!raw || !*raw)
        return NULL;
    bool ok = check(raw, norm, sizeof norm);
    return adp_field(raw, ok ? norm : NULL, ok ? 0 : HUB__FIELD_FLAG__FIELD_INVALID);
}

static void
s_roster_row(adp_t *a, const char *const *v, uint32_t row, const char *raw, size_t raw_len)
{
    Hub__CivilAffairsRecord *p = adp_alloc(sizeof *p);
    hub__civil_affairs_record__init(p);
    p->serial_no = adp_field_text(v[R_SERIAL]);
    p->street = adp_field_text(v[R_STREET]);
    p->community = adp_field_community(adp_communities(a), v[R_COMMUNITY]);
    p->head_name = adp_field_text(v[R_HEAD]);
    p->name = adp_field_text(v[R_NAME]);
    p->doc_type = adp_field_text(v[R_DOC_TYPE]);
    /* 证件号码 is an identity number unless the document is 其他 */
    bool other = p->doc_type && strcmp(p->doc_type->norm ? p->doc_type->norm : p->doc_type->raw, "其他") == 0;
    p->doc_no = other ? adp_field_text(v[R_DOC_NO]) : adp_field_idno(v[R_DOC_NO]);
    p->gender = adp_field_gender(v[R_GENDER]);
    p->age = s_checked(v[R_AGE], s_age);
    p->address = adp_field_text(v[R_ADDRESS]);
    p->category = adp_field_text(v[R_CATEGORY]);
    p->covered_count = adp_field_text(v[R_COVERED]);
    p->monthly_amount = s_checked(v[R_AMOUNT], s_amount_fen);
    p->start_date = adp_field_date(v[R_START]);
    p->status = adp_field_text(v[R_STATUS]);
    p->phone = adp_field_phone(v[R_PHONE]);
    if (!p->name || !p->category) {
        adp_reject(a, row, !p->name ? s_roster[R_NAME].name : s_roster[R_CATEGORY].name,
                   "the key needs a name and a category (类别), and this one is empty", raw, raw_len);
        hub__civil_affairs_record__free_unpacked(p, NULL);
        return;
    }
    char key[ADP_CIVIL_KEY_SIZE];
    const char *code = p->community && !(p->community->flags & HUB__FIELD_FLAG__FIELD_UNMAPPED)
                           ? p->community->norm : NULL;
    int year = 0;
    const char *month = strstr(adp_file_name(a), "mz_roster_");
    if (month)
        year = atoi(month + 10) / 100;   /* mz_roster_YYYYMM */
    bool theirs = !other && adp_civil_number_theirs(v[R_DOC_NO], v[R_GENDER], v[R_AGE], year);
    adp_civil_key(other || theirs ? NULL : v[R_DOC_NO], v[R_NAME], code, v[R_COMMUNITY], v[R_ADDRESS],
                  v[R_CATEGORY], key);
    Hub__Record *r = adp_record_new(a, HUB__DEPARTMENT__CIVIL_AFFAIRS, key, row, 0);
    r->payload_case = HUB__RECORD__PAYLOAD_CIVIL_AFFAIRS;
    r->civil_affairs = p;
    adp_emit(a, row, r, raw, raw_len);
}

/* ---- the facilities register ---- */

enum { F_NO, F_NAME, F_TYPE, F_COMMUNITIES, F_ADDRESS, F_AREA, F_AUTHORITY, F_STATUS, NFACILITY };

static const adp_column_t s_facility[NFACILITY] = {
    [F_NO] = {"设施编号", true},        [F_NAME] = {"设施名称", true},
    [F_TYPE] = {"设施类型", true},      [F_COMMUNITIES] = {"所属社区", true},
    [F_ADDRESS] = {"地址", false},      [F_AREA] = {"建筑面积", false},
    [F_AUTHORITY] = {"主管单位", false}, [F_STATUS] = {"状态", true},
};

/* 240 or 240.5 (square metres) -> the same, tidied; false when not a number. */
static bool
s_area(const char *raw, char *out, size_t cap)
{
    norm_key(raw, out, cap);
    int dots = 0, digits = 0;
    for (const char *p = out; *p; p++) {
        if (*p == '.')
            dots++;
        else if (*p >= '0' && *p <= '9')
            digits++;
        else
            return false;
    }
    return digits > 0 && dots <= 1 && out[0] != '.';
}

static void
s_facility_row(adp_t *a, const char *const *v, uint32_t row, const char *raw, size_t raw_len)
{
    size_t cap = strlen(v[F_NO]) + 1;   /* norm_key never lengthens: never cut short */
    char *key = adp_alloc(cap);
    if (norm_key(v[F_NO], key, cap) == 0) {
        adp_reject(a, row, s_facility[F_NO].name, "设施编号 (the facility's key) is empty", raw, raw_len);
        free(key);
        return;
    }
    Hub__FacilityRecord *p = adp_alloc(sizeof *p);
    hub__facility_record__init(p);
    p->facility_no = adp_field(v[F_NO], key, 0);
    p->name = adp_field_text(v[F_NAME]);
    p->type = adp_field_text(v[F_TYPE]);
    p->communities = adp_field_community(adp_communities(a), v[F_COMMUNITIES]);
    p->address = adp_field_text(v[F_ADDRESS]);
    p->floor_area = s_checked(v[F_AREA], s_area);
    p->authority = adp_field_text(v[F_AUTHORITY]);
    p->status = adp_field_text(v[F_STATUS]);
    Hub__Record *r = adp_record_new(a, HUB__DEPARTMENT__CIVIL_AFFAIRS, key, row, 0);
    free(key);
    r->payload_case = HUB__RECORD__PAYLOAD_FACILITY;
    r->facility = p;
    adp_emit(a, row, r, raw, raw_len);
}

static int
s_read_file(adp_t *a, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strncmp(base, "facilities", 10) == 0) {
        adp_csv_opts_t opts = {.encoding = "UTF-8", .separator = ',', .quoting = true};
        return adp_read_table(a, path, &opts, s_facility, NFACILITY, s_facility_row);
    }
    adp_csv_opts_t opts = {.encoding = "GBK", .separator = ',', .quoting = true};
    adp_set_derived_keys(a);   /* adp_civil_key: two rows, two records */
    return adp_read_table(a, path, &opts, s_roster, NROSTER, s_roster_row);
}

static const char *const s_patterns[] = {"mz_roster_*.csv", "facilities*.csv", NULL};

int
main(int argc, char **argv)
{
    static const adp_mapping_t map = {
        .name = "civilaffairs",
        .department = HUB__DEPARTMENT__CIVIL_AFFAIRS,
        .files = "mz_roster_YYYYMM.csv (GBK) and facilities.csv (UTF-8)",
        .encoding = "GBK",
        .patterns = s_patterns,
        .read_file = s_read_file,
    };
    return adp_main(argc, argv, &map);
}
