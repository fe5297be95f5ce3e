/*
** test_facts.c: unit tests for hub/facts.c (the field catalogue and the
** parsers of hand-typed values) and for the facts codec.c extracts from
** each department's payload (cmocka). Records are built and packed here
** with protobuf-c as an adapter would, with adapter norms the hub must not
** trust. Source is UTF-8.
*/
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "facts.h"
#include "proto/hub.pb-c.h"

/* ---------------------------------------------------------------------- */
/* Parsers                                                                  */

static void
s_amount(const char *raw, bool ok, int64_t fen)
{
    int64_t got = -1;
    bool r = facts_amount_fen(raw, &got);
    if (r != ok || (ok && got != fen))
        print_error("facts_amount_fen(\"%s\"): got %s %lld, want %s %lld\n", raw ? raw : "(null)",
                    r ? "ok" : "fail", (long long)got, ok ? "ok" : "fail", (long long)fen);
    assert_int_equal(r, ok);
    if (ok)
        assert_int_equal(got, fen);
}

static void
test_amount_forms(void **state)
{
    (void)state;
    s_amount("570元", true, 57000);
    s_amount("570.00", true, 57000);
    s_amount("570", true, 57000);
    s_amount("570.5", true, 57050);
    s_amount("570.05元", true, 57005);
    s_amount(" 570 元 ", true, 57000);
    s_amount("５７０元", true, 57000);          /* full-width digits */
    s_amount("５７０．５０", true, 57050);       /* and point */
    s_amount("￥570", true, 57000);
    s_amount("¥570.00", true, 57000);
    s_amount("1,234.50元", true, 123450);
    s_amount("1,234,567", true, 123456700);
    s_amount("570元/月", true, 57000);
    s_amount("570.000", true, 57000);           /* extra zero decimals */
    s_amount("0", true, 0);
    s_amount("0.01", true, 1);
    s_amount("999999999999.99", true, 99999999999999);
}

static void
test_amount_rejects(void **state)
{
    (void)state;
    s_amount(NULL, false, 0);
    s_amount("", false, 0);
    s_amount("   ", false, 0);
    s_amount("元", false, 0);
    s_amount("-570", false, 0);
    s_amount("570.005", false, 0);              /* fen of fen */
    s_amount("570.", false, 0);
    s_amount(".5", false, 0);
    s_amount("5 7 0 . 0 0 x", false, 0);
    s_amount("约五百", false, 0);
    s_amount("1,23", false, 0);                 /* commas only in groups of three */
    s_amount("1234,567", false, 0);
    s_amount(",570", false, 0);
    s_amount("570,", false, 0);
    s_amount("1e3", false, 0);
    s_amount("0x10", false, 0);
    s_amount("1000000000000", false, 0);        /* 13 integer digits */
    s_amount("570元元", false, 0);
    s_amount("五百七十元", false, 0);
    char longer[300];
    memset(longer, '1', sizeof longer - 1);
    longer[sizeof longer - 1] = 0;
    s_amount(longer, false, 0);
}

static void
test_area_and_count(void **state)
{
    (void)state;
    double m2 = 0;
    assert_true(facts_area_m2("240", &m2));
    assert_true(m2 == 240.0);
    assert_true(facts_area_m2("240.5", &m2));
    assert_true(m2 == 240.5);
    assert_true(facts_area_m2(" 80㎡", &m2));
    assert_true(m2 == 80.0);
    assert_true(facts_area_m2("1,200平方米", &m2));
    assert_true(m2 == 1200.0);
    assert_true(facts_area_m2("35 m2", &m2));
    assert_false(facts_area_m2("大约", &m2));
    assert_false(facts_area_m2("-5", &m2));
    assert_false(facts_area_m2("", &m2));
    assert_false(facts_area_m2("240.1234", &m2));

    int64_t n = -1;
    assert_true(facts_count("3", 1000, &n));
    assert_int_equal(n, 3);
    assert_true(facts_count("３人", 1000, &n));
    assert_int_equal(n, 3);
    assert_true(facts_count("67岁", 150, &n));
    assert_int_equal(n, 67);
    assert_true(facts_count("0", 30, &n));
    assert_int_equal(n, 0);
    assert_false(facts_count("151", 150, &n));
    assert_false(facts_count("2.5", 30, &n));
    assert_false(facts_count("2.0", 30, &n));
    assert_false(facts_count("两个", 30, &n));
    assert_false(facts_count("-1", 30, &n));
    assert_false(facts_count(NULL, 30, &n));

    assert_true(facts_is_community_code("350802001002"));
    assert_false(facts_is_community_code("35080200100"));
    assert_false(facts_is_community_code("3508020010021"));
    assert_false(facts_is_community_code("35080200100x"));
    assert_false(facts_is_community_code(""));
    assert_false(facts_is_community_code(NULL));
}

/* ---------------------------------------------------------------------- */
/* The catalogue                                                            */

/* Every field of every payload (and of Training) is in the catalogue, so a
** field added to proto/hub.proto cannot go in without a decision on where
** it is kept and whether it is sensitive. */
static void
test_catalogue_covers_the_schema(void **state)
{
    (void)state;
    static const struct {
        const char *payload;
        const ProtobufCMessageDescriptor *d;
    } payloads[] = {
        {"police", &hub__police_record__descriptor},
        {"family_planning", &hub__family_planning_record__descriptor},
        {"labour", &hub__labour_record__descriptor},
        {"civil_affairs", &hub__civil_affairs_record__descriptor},
        {"facility", &hub__facility_record__descriptor},
    };
    size_t seen = 0;
    for (size_t p = 0; p < sizeof payloads / sizeof payloads[0]; p++)
        for (unsigned i = 0; i < payloads[p].d->n_fields; i++) {
            const char *name = payloads[p].d->fields[i].name;
            if (!facts_field(payloads[p].payload, name))
                print_error("%s.%s is not in the facts catalogue\n", payloads[p].payload, name);
            assert_non_null(facts_field(payloads[p].payload, name));
            seen++;
        }
    for (unsigned i = 0; i < hub__training__descriptor.n_fields; i++) {
        char name[64];
        snprintf(name, sizeof name, "training.%s", hub__training__descriptor.fields[i].name);
        assert_non_null(facts_field("labour", name));
        seen++;
    }
    assert_int_equal(seen, facts_nfields);   /* and nothing that is not in the schema */
    for (size_t i = 0; i < facts_nfields; i++)
        assert_true((facts_fields[i].table == NULL) == (facts_fields[i].column == NULL)
                    || strcmp(facts_fields[i].field, "training") == 0);
}

static void
test_contraception_is_the_sensitive_field(void **state)
{
    (void)state;
    assert_true(facts_sensitive("family_planning", "contraception"));
    const fact_field_t *f = facts_field("family_planning", "contraception");
    assert_string_equal(f->table, "fp_facts");
    assert_string_equal(f->column, "contraception");
    size_t n = 0;
    for (size_t i = 0; i < facts_nfields; i++)
        n += facts_fields[i].sensitive;
    assert_int_equal(n, 1);
    assert_false(facts_sensitive("family_planning", "name"));
    assert_false(facts_sensitive("nope", "contraception"));
}

/* ---------------------------------------------------------------------- */
/* Extraction                                                               */

/* A Field on the stack-allocated pool below. */
#define NPOOL 64
static Hub__Field s_pool[NPOOL];
static size_t s_npool;

static Hub__Field *
F(const char *raw, const char *norm, uint32_t flags)
{
    assert_true(s_npool < NPOOL);
    Hub__Field *f = &s_pool[s_npool++];
    hub__field__init(f);
    f->raw = (char *)raw;
    f->norm = (char *)norm;
    if (flags) {
        f->has_flags = 1;
        f->flags = flags;
    }
    return f;
}

/* Pack r as the hub stores it and extract its facts. */
static void
s_extract(Hub__Record *r, facts_t *out)
{
    size_t len = hub__record__get_packed_size(r);
    uint8_t *buf = malloc(len ? len : 1);
    hub__record__pack(r, buf);
    assert_int_equal(codec_body_facts(buf, len, out), HUB_OK);
    free(buf);
    s_npool = 0;
}

static const char *
s_raw_of(const facts_t *f, const char *field)
{
    for (size_t i = 0; i < f->nraws; i++)
        if (strcmp(f->raws[i].field, field) == 0)
            return f->raws[i].raw;
    return NULL;
}

static void
test_police_facts(void **state)
{
    (void)state;
    Hub__PoliceRecord p = HUB__POLICE_RECORD__INIT;
    p.idno = F("350802 19800101 1231", "350802198001011231", 0);
    p.name = F(" 林晓\xe3\x80\x80", NULL, 0);
    p.gender = F("男", "F", 0);                     /* a wrong adapter norm: ignored */
    p.birth_date = F("19800101", "1999-09-09", 0);
    p.household_no = F("900000001", NULL, 0);
    p.relation = F("户主", NULL, 0);
    p.registered_address = F("东城街道  北龙社区龙津路1号", NULL, 0);
    p.community = F("北龙社区", "350802001002", 0);
    p.status = F("正常", NULL, 0);
    p.change_date = F("2026年3月1日", NULL, 0);
    p.phone = F("+86 139 0597 1234", "000", 0);
    Hub__Record r = HUB__RECORD__INIT;
    r.payload_case = HUB__RECORD__PAYLOAD_POLICE;
    r.police = &p;
    facts_t f;
    s_extract(&r, &f);
    assert_int_equal(f.kind, FACTS_POLICE);
    assert_string_equal(f.person.name, "林晓");
    assert_string_equal(f.person.gender, "M");
    assert_string_equal(f.person.birth_date, "1980-01-01");
    assert_string_equal(f.person.community_code, "350802001002");
    assert_string_equal(f.person.phone, "13905971234");
    assert_string_equal(f.person.address, "东城街道 北龙社区龙津路1号");   /* registered: no current */
    assert_null(f.person.ethnicity);
    assert_false(f.person.age.set);
    assert_string_equal(f.police.household_no, "900000001");
    assert_string_equal(f.police.change_date, "2026-03-01");
    assert_null(f.police.current_address);
    assert_int_equal(f.nraws, 0);
    facts_fini(&f);
    facts_fini(&f);   /* safe twice */

    /* what does not normalise is NULL and kept raw; an unmapped or
    ** non-code community norm is not taken */
    Hub__PoliceRecord q = HUB__POLICE_RECORD__INIT;
    q.community = F("不存在社区", "350802001099", 2 /* FIELD_UNMAPPED */);
    q.phone = F("12ab", NULL, 0);
    q.change_date = F("2026-13-01", NULL, 0);
    q.gender = F("未知", NULL, 0);
    q.current_address = F("新华路5号", NULL, 0);
    q.registered_address = F("龙津路2号", NULL, 0);
    r.police = &q;
    s_extract(&r, &f);
    assert_null(f.person.community_code);
    assert_null(f.person.phone);
    assert_null(f.person.gender);
    assert_null(f.police.change_date);
    assert_string_equal(f.person.address, "新华路5号");
    assert_int_equal(f.nraws, 4);
    assert_string_equal(s_raw_of(&f, "community"), "不存在社区");
    assert_string_equal(s_raw_of(&f, "phone"), "12ab");
    assert_string_equal(s_raw_of(&f, "change_date"), "2026-13-01");
    assert_string_equal(s_raw_of(&f, "gender"), "未知");
    facts_fini(&f);

    Hub__PoliceRecord c = HUB__POLICE_RECORD__INIT;
    c.community = F("北龙", "北龙", 0);               /* a norm that is no code */
    r.police = &c;
    s_extract(&r, &f);
    assert_null(f.person.community_code);
    assert_string_equal(s_raw_of(&f, "community"), "北龙");
    facts_fini(&f);

    Hub__PoliceRecord d = HUB__POLICE_RECORD__INIT;
    d.community = F("350802001002", NULL, 0);          /* written as the code: no norm sent */
    r.police = &d;
    s_extract(&r, &f);
    assert_string_equal(f.person.community_code, "350802001002");
    facts_fini(&f);
}

static void
test_family_planning_facts(void **state)
{
    (void)state;
    Hub__FamilyPlanningRecord p = HUB__FAMILY_PLANNING_RECORD__INIT;
    p.record_no = F("JS 2019000123", NULL, 0);
    p.person_type = F("育龄妇女", NULL, 0);
    p.name = F("王芳", NULL, 0);
    p.birth_date = F("1985/3/7", NULL, 0);
    p.gender = F("2", NULL, 0);
    p.marital_status = F("初婚", NULL, 0);
    p.children_count = F("2", NULL, 0);
    p.certificate_no = F("SF2020001", NULL, 0);
    p.contraception = F("上环", NULL, 4 /* FIELD_SENSITIVE */);
    p.address = F("龙津路3号", NULL, 0);
    Hub__Record r = HUB__RECORD__INIT;
    r.payload_case = HUB__RECORD__PAYLOAD_FAMILY_PLANNING;
    r.family_planning = &p;
    facts_t f;
    s_extract(&r, &f);
    assert_int_equal(f.kind, FACTS_FAMILY_PLANNING);
    assert_string_equal(f.fp.record_no, "JS2019000123");
    assert_string_equal(f.person.birth_date, "1985-03-07");
    assert_string_equal(f.person.gender, "F");
    assert_string_equal(f.person.address, "龙津路3号");
    assert_true(f.fp.children_count.set);
    assert_int_equal(f.fp.children_count.v, 2);
    assert_string_equal(f.fp.contraception, "上环");
    assert_null(f.fp.linked_record_no);
    facts_fini(&f);
}

static void
test_labour_facts(void **state)
{
    (void)state;
    Hub__Training t1 = HUB__TRAINING__INIT, t2 = HUB__TRAINING__INIT, t3 = HUB__TRAINING__INIT;
    t1.course = F("电工", NULL, 0);
    t1.end_date = F("2024-05-01", NULL, 0);
    t2.course = F("厨师", NULL, 0);
    t2.end_date = F("2024/11/30", NULL, 0);
    t3.course = F("面点", NULL, 0);
    t3.end_date = F("去年", NULL, 0);
    Hub__Training *ts[] = {&t1, &t2, &t3};
    Hub__LabourRecord p = HUB__LABOUR_RECORD__INIT;
    p.reg_no = F("LD3508022021004512", NULL, 0);
    p.gender = F("1", NULL, 0);
    p.birth_date = F("1979-05-06", NULL, 0);
    p.employment_status = F("再就业", NULL, 0);
    p.status_date = F("2025-01-02", NULL, 0);
    p.reemployed_date = F("2025-06-01", NULL, 0);
    p.education = F("高中", NULL, 0);
    p.community = F("松涛", "350802001003", 0);
    p.n_training = 3;
    p.training = ts;
    Hub__Record r = HUB__RECORD__INIT;
    r.payload_case = HUB__RECORD__PAYLOAD_LABOUR;
    r.labour = &p;
    facts_t f;
    s_extract(&r, &f);
    assert_int_equal(f.kind, FACTS_LABOUR);
    assert_string_equal(f.person.gender, "M");
    assert_string_equal(f.person.community_code, "350802001003");
    assert_string_equal(f.labour.employment_status, "再就业");
    assert_string_equal(f.labour.reemployed_date, "2025-06-01");
    assert_int_equal(f.labour.ntraining, 3);
    assert_string_equal(f.labour.training[0].course, "电工");
    assert_string_equal(f.labour.training[1].end_date, "2024-11-30");
    assert_null(f.labour.training[2].end_date);
    assert_string_equal(s_raw_of(&f, "training[3].end_date"), "去年");
    facts_fini(&f);
}

static void
test_civil_affairs_facts(void **state)
{
    (void)state;
    Hub__CivilAffairsRecord p = HUB__CIVIL_AFFAIRS_RECORD__INIT;
    p.name = F("李梅", NULL, 0);
    p.gender = F("女", NULL, 0);
    p.age = F("67", NULL, 0);
    p.category = F("城市低保", NULL, 0);
    p.covered_count = F("3", NULL, 0);
    p.monthly_amount = F("570元", "1", 0);      /* the adapter's norm is not used */
    p.start_date = F("2019年3月1日", NULL, 0);
    p.status = F("在保", NULL, 0);
    p.doc_no = F("350802 19590101 1234", NULL, 0);
    Hub__Record r = HUB__RECORD__INIT;
    r.payload_case = HUB__RECORD__PAYLOAD_CIVIL_AFFAIRS;
    r.civil_affairs = &p;
    facts_t f;
    s_extract(&r, &f);
    assert_int_equal(f.kind, FACTS_CIVIL_AFFAIRS);
    assert_true(f.civil.monthly_amount_fen.set);
    assert_int_equal(f.civil.monthly_amount_fen.v, 57000);
    assert_int_equal(f.civil.covered_count.v, 3);
    assert_int_equal(f.person.age.v, 67);
    assert_string_equal(f.person.gender, "F");
    assert_string_equal(f.civil.start_date, "2019-03-01");
    assert_string_equal(f.civil.doc_no, "350802195901011234");
    facts_fini(&f);

    Hub__CivilAffairsRecord v = HUB__CIVIL_AFFAIRS_RECORD__INIT;   /* a volunteer */
    v.category = F("社区志愿者", NULL, 0);
    r.civil_affairs = &v;
    s_extract(&r, &f);
    assert_string_equal(f.civil.category, "社区志愿者");
    assert_false(f.civil.monthly_amount_fen.set);
    assert_false(f.civil.covered_count.set);
    assert_int_equal(f.nraws, 0);
    facts_fini(&f);

    Hub__CivilAffairsRecord b = HUB__CIVIL_AFFAIRS_RECORD__INIT;
    b.monthly_amount = F("约五百", NULL, 0);
    b.age = F("老", NULL, 0);
    r.civil_affairs = &b;
    s_extract(&r, &f);
    assert_false(f.civil.monthly_amount_fen.set);
    assert_string_equal(s_raw_of(&f, "monthly_amount"), "约五百");
    assert_string_equal(s_raw_of(&f, "age"), "老");
    facts_fini(&f);
}

static void
test_facility_facts(void **state)
{
    (void)state;
    Hub__FacilityRecord p = HUB__FACILITY_RECORD__INIT;
    p.facility_no = F("FW-350802001003-007", NULL, 0);
    p.name = F("北龙松涛 社区服务中心", NULL, 0);
    p.communities = F("北龙、松涛", "350802001002,350802001003", 0);
    p.floor_area = F("240.5", NULL, 0);
    p.status = F("运营", NULL, 0);
    Hub__Record r = HUB__RECORD__INIT;
    r.payload_case = HUB__RECORD__PAYLOAD_FACILITY;
    r.facility = &p;
    facts_t f;
    s_extract(&r, &f);
    assert_int_equal(f.kind, FACTS_FACILITY);
    assert_string_equal(f.facility.facility_no, "FW-350802001003-007");
    assert_true(f.facility.has_floor_area);
    assert_true(f.facility.floor_area == 240.5);
    assert_int_equal(f.facility.ncommunities, 2);
    assert_string_equal(f.facility.communities[0], "350802001002");
    assert_string_equal(f.facility.communities[1], "350802001003");
    assert_int_equal(f.nraws, 0);
    facts_fini(&f);

    /* one name of two unknown: the known code is kept, and the raw text */
    Hub__FacilityRecord q = HUB__FACILITY_RECORD__INIT;
    q.communities = F("北龙、不存在", "350802001002", 2);
    q.floor_area = F("大约", NULL, 0);
    r.facility = &q;
    s_extract(&r, &f);
    assert_int_equal(f.facility.ncommunities, 1);
    assert_string_equal(f.facility.communities[0], "350802001002");
    assert_string_equal(s_raw_of(&f, "communities"), "北龙、不存在");
    assert_false(f.facility.has_floor_area);
    assert_string_equal(s_raw_of(&f, "floor_area"), "大约");
    facts_fini(&f);
}

static void
test_unreadable_body(void **state)
{
    (void)state;
    facts_t f;
    const uint8_t junk[] = {0xff, 0xff, 0xff, 0x01};
    assert_int_equal(codec_body_facts(junk, sizeof junk, &f), HUB_EPROTO);
    assert_int_equal(f.kind, FACTS_NONE);
    facts_fini(&f);
    Hub__Record r = HUB__RECORD__INIT;   /* no payload */
    s_extract(&r, &f);
    assert_int_equal(f.kind, FACTS_NONE);
    facts_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_amount_forms),
        cmocka_unit_test(test_amount_rejects),
        cmocka_unit_test(test_area_and_count),
        cmocka_unit_test(test_catalogue_covers_the_schema),
        cmocka_unit_test(test_contraception_is_the_sensitive_field),
        cmocka_unit_test(test_police_facts),
        cmocka_unit_test(test_family_planning_facts),
        cmocka_unit_test(test_labour_facts),
        cmocka_unit_test(test_civil_affairs_facts),
        cmocka_unit_test(test_facility_facts),
        cmocka_unit_test(test_unreadable_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
