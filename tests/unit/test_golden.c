/* test_golden.c: survivorship rules and the golden record (hub/golden.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "golden.h"

enum { POLICE = 1, FP = 2, LABOUR = 3, CIVIL = 4 };

static const golden_obs_t s_obs[] = {
    {GOLDEN_NAME, "张伟", POLICE, 1, 1000},
    {GOLDEN_NAME, "张玮", FP, 2, 5000},          /* newer, but the police are the authority */
    {GOLDEN_NAME, "张伟", LABOUR, 3, 6000},
    {GOLDEN_PHONE, "13905971234", POLICE, 1, 1000},
    {GOLDEN_PHONE, "13800000000", LABOUR, 3, 6000}, /* the most recent wins */
    {GOLDEN_EMPLOYMENT, "失业", LABOUR, 3, 6000},
    {GOLDEN_EMPLOYMENT, "在岗", CIVIL, 4, 9000},    /* not an authority for employment */
    {GOLDEN_BIRTH_DATE, "1980-01-01", FP, 2, 5000}, /* no police value: the next in order */
    {GOLDEN_BIRTH_DATE, "1980-01-02", CIVIL, 4, 9000},
};
#define NOBS (sizeof s_obs / sizeof s_obs[0])

static void
test_defaults(void **state)
{
    (void)state;
    golden_rules_t r;
    golden_rules_default(&r);
    golden_value_t out[GOLDEN_COUNT];
    golden_compute(&r, s_obs, NOBS, out);
    assert_string_equal(out[GOLDEN_NAME].chosen->value, "张伟");
    assert_int_equal(out[GOLDEN_NAME].chosen->source, POLICE);
    assert_int_equal(out[GOLDEN_NAME].nothers, 1);   /* 张玮, once */
    assert_string_equal(out[GOLDEN_NAME].others[0]->value, "张玮");
    assert_string_equal(out[GOLDEN_PHONE].chosen->value, "13800000000");
    assert_int_equal(out[GOLDEN_PHONE].others[0]->source, POLICE);
    assert_string_equal(out[GOLDEN_EMPLOYMENT].chosen->value, "失业");
    assert_int_equal(out[GOLDEN_EMPLOYMENT].nothers, 1);  /* civil affairs' value still shown */
    assert_string_equal(out[GOLDEN_BIRTH_DATE].chosen->value, "1980-01-01");
    assert_null(out[GOLDEN_HOUSEHOLD].chosen);
}

static void
test_configured(void **state)
{
    (void)state;
    golden_rules_t r;
    golden_rules_default(&r);
    const char *why = NULL;
    assert_true(golden_rule_set(&r, "survivorship.name", "recent", &why));
    assert_true(golden_rule_set(&r, "survivorship.phone", "police,labour", &why));
    assert_null(why);
    golden_value_t out[GOLDEN_COUNT];
    golden_compute(&r, s_obs, NOBS, out);
    assert_string_equal(out[GOLDEN_NAME].chosen->value, "张伟");     /* labour's, the newest */
    assert_int_equal(out[GOLDEN_NAME].chosen->source, LABOUR);
    assert_string_equal(out[GOLDEN_PHONE].chosen->value, "13905971234");
    assert_false(golden_rule_set(&r, "match_upper", "1", &why));   /* not ours */
    assert_true(golden_rule_set(&r, "survivorship.name", "police,nobody", &why));
    assert_non_null(why);
    why = NULL;
    assert_true(golden_rule_set(&r, "survivorship.shoe_size", "recent", &why));
    assert_non_null(why);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_configured),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
