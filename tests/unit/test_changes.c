/*
** test_changes.c: hub/changes.c, what changed between two versions of a
** record (cmocka), on facts built by hand: each kind of change from the
** field that makes it, nothing for equal versions, a first version's
** events (only what it starts), and the sensitive mark.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "changes.h"

static facts_t
s_police(const char *status, const char *household, const char *community, const char *phone)
{
    facts_t f;
    memset(&f, 0, sizeof f);
    f.kind = FACTS_POLICE;
    f.person.name = "林晓";
    f.person.community_code = community;
    f.person.phone = phone;
    f.police.status = status;
    f.police.household_no = household;
    return f;
}

static facts_t
s_civil(const char *category, const char *status, int64_t fen)
{
    facts_t f;
    memset(&f, 0, sizeof f);
    f.kind = FACTS_CIVIL_AFFAIRS;
    f.person.name = "林晓";
    f.civil.category = category;
    f.civil.status = status;
    f.civil.monthly_amount_fen = (fact_int_t){true, fen};
    return f;
}

/* The changes as "kind field old>new;..." */
static const char *
s_diff(const facts_t *old, const facts_t *new_)
{
    static char out[1024];
    change_t c[CHANGES_MAX];
    size_t n = changes_diff(old, new_, c, CHANGES_MAX);
    out[0] = 0;
    for (size_t i = 0; i < n; i++)
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s %s %s>%s%s", i ? ";" : "", c[i].kind, c[i].field,
                 c[i].old_value, c[i].new_value, c[i].sensitive ? " (sensitive)" : "");
    return out;
}

static void
test_police(void **state)
{
    (void)state;
    facts_t a = s_police("正常", "350802001", "350802001002", "13900000001");
    facts_t b = a;
    assert_string_equal(s_diff(&a, &b), "");
    b.police.status = "死亡";
    assert_string_equal(s_diff(&a, &b), "life.changed status 正常>死亡");
    b = a;
    b.police.household_no = "350802009";
    b.person.community_code = "350802001003";
    assert_string_equal(s_diff(&a, &b),
                        "household.changed household_no 350802001>350802009;"
                        "community.moved community 350802001002>350802001003");
    b = a;
    b.person.phone = NULL;   /* a value gone is a change to "" */
    assert_string_equal(s_diff(&a, &b), "field.changed phone 13900000001>");
}

static void
test_first_version(void **state)
{
    (void)state;
    facts_t a = s_police("正常", "350802001", "350802001002", "13900000001");
    assert_string_equal(s_diff(NULL, &a), "");   /* an ordinary new record says nothing field by field */
    a.police.status = "迁出";
    assert_string_equal(s_diff(NULL, &a), "life.changed status >迁出");
    facts_t c = s_civil("城市低保", "在保", 57000);
    assert_string_equal(s_diff(NULL, &c), "entitlement.started status >在保");
    facts_t l;
    memset(&l, 0, sizeof l);
    l.kind = FACTS_LABOUR;
    l.labour.employment_status = "失业";
    assert_string_equal(s_diff(NULL, &l), "employment.changed employment_status >失业");
}

static void
test_entitlements(void **state)
{
    (void)state;
    facts_t a = s_civil("城市低保", "在保", 57000), b = a;
    b.civil.status = "暂停";
    assert_string_equal(s_diff(&a, &b), "entitlement.suspended status 在保>暂停");
    b.civil.status = "停保";
    assert_string_equal(s_diff(&a, &b), "entitlement.ended status 在保>停保");
    facts_t c = b;
    c.civil.status = "在保";
    assert_string_equal(s_diff(&b, &c), "entitlement.started status 停保>在保");
    b = a;
    b.civil.monthly_amount_fen.v = 60000;
    assert_string_equal(s_diff(&a, &b), "entitlement.changed monthly_amount 57000>60000");
    facts_t p = s_police("正常", NULL, NULL, NULL);
    assert_string_equal(s_diff(&p, &a), "");   /* two kinds of record are not compared */
}

static void
test_sensitive(void **state)
{
    (void)state;
    facts_t a;
    memset(&a, 0, sizeof a);
    a.kind = FACTS_FAMILY_PLANNING;
    a.fp.contraception = "宫内节育器";
    facts_t b = a;
    b.fp.contraception = "无";
    b.fp.marital_status = "再婚";
    assert_string_equal(s_diff(&a, &b), "field.changed marital_status >再婚;"
                                        "field.changed contraception 宫内节育器>无 (sensitive)");
}

static void
test_facility(void **state)
{
    (void)state;
    facts_t a;
    memset(&a, 0, sizeof a);
    a.kind = FACTS_FACILITY;
    a.facility.name = "北龙社区服务站";
    a.facility.status = "运营";
    assert_string_equal(s_diff(NULL, &a), "facility.changed name >北龙社区服务站");
    facts_t b = a;
    b.facility.status = "停用";
    assert_string_equal(s_diff(&a, &b), "facility.changed status 运营>停用");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_police),
        cmocka_unit_test(test_first_version),
        cmocka_unit_test(test_entitlements),
        cmocka_unit_test(test_sensitive),
        cmocka_unit_test(test_facility),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
