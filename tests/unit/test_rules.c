/*
** test_rules.c: each cross-department check of hub/rules.c (cmocka) fires
** on a case built for it and stays silent on the nearest innocent case
** (one value away), and its evidence names the records and values.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "rules.h"

/* 林晓, police 正常 in 北龙 (350802001002), the latest roster of 2026-11. */
static rule_subject_t
s_subject(void)
{
    rule_subject_t s;
    memset(&s, 0, sizeof s);
    s.id.v = 7;
    snprintf(s.idno, sizeof s.idno, "350802194001011234");
    s.ref_year = 2026, s.ref_month = 11;
    s.police.present = true;
    snprintf(s.police.key, sizeof s.police.key, "%s", s.idno);
    snprintf(s.police.status, sizeof s.police.status, "正常");
    snprintf(s.police.household_no, sizeof s.police.household_no, "900000001");
    snprintf(s.police.community, sizeof s.police.community, "350802001002");
    return s;
}

static void
s_civil(rule_subject_t *s, const char *category, const char *status, const char *start, bool latest)
{
    rule_civil_t *c = &s->civil[s->ncivil++];
    snprintf(c->key, sizeof c->key, "CA-%zu", s->ncivil);
    snprintf(c->category, sizeof c->category, "%s", category);
    snprintf(c->status, sizeof c->status, "%s", status);
    snprintf(c->start_date, sizeof c->start_date, "%s", start);
    snprintf(c->community, sizeof c->community, "350802001002");
    c->latest = latest;
}

static bool
s_fires(const char *id, const rule_subject_t *s, const char *evidence_has)
{
    char ev[RULE_EVIDENCE_MAX] = "";
    const rule_t *r = rule_find(id);
    assert_non_null(r);
    bool f = r->check(s, ev, sizeof ev);
    if (f && evidence_has && !strstr(ev, evidence_has))
        fail_msg("%s: evidence `%s` lacks `%s`", id, ev, evidence_has);
    return f;
}

static void
test_gone_but_paid(void **state)
{
    (void)state;
    rule_subject_t s = s_subject();
    s_civil(&s, "城市低保", "在保", "2019-03-01", true);
    assert_false(s_fires("gone-but-paid", &s, NULL));            /* alive */
    snprintf(s.police.status, sizeof s.police.status, "死亡");
    snprintf(s.police.change_date, sizeof s.police.change_date, "2026-11-05");
    assert_true(s_fires("gone-but-paid", &s, "police 350802194001011234: 死亡 2026-11-05; civil affairs CA-1: 城市低保 在保"));
    s.civil[0].latest = false;                                   /* no longer on the latest roster: ended */
    assert_false(s_fires("gone-but-paid", &s, NULL));
    s.civil[0].latest = true;
    snprintf(s.civil[0].status, sizeof s.civil[0].status, "停保");
    assert_false(s_fires("gone-but-paid", &s, NULL));
    snprintf(s.civil[0].status, sizeof s.civil[0].status, "在保");
    snprintf(s.civil[0].category, sizeof s.civil[0].category, "社区志愿者");   /* a volunteer is not paid */
    assert_false(s_fires("gone-but-paid", &s, NULL));
    snprintf(s.police.status, sizeof s.police.status, "注销");
    s_civil(&s, "残疾人两项补贴", "在保", "2020-01-01", true);
    assert_true(s_fires("gone-but-paid", &s, "残疾人两项补贴"));
}

static void
test_allowance_while_employed(void **state)
{
    (void)state;
    rule_subject_t s = s_subject();
    s_civil(&s, "城市低保", "在保", "2021-08-01", true);
    s.labour.present = true;
    snprintf(s.labour.key, sizeof s.labour.key, "LD1");
    snprintf(s.labour.status, sizeof s.labour.status, "在岗");
    snprintf(s.labour.status_date, sizeof s.labour.status_date, "2021-08-01");
    assert_false(s_fires("allowance-while-employed", &s, NULL));   /* in work since the day it began */
    snprintf(s.labour.status_date, sizeof s.labour.status_date, "2026-05-31");
    assert_true(s_fires("allowance-while-employed", &s, "labour LD1: 在岗 since 2026-05-31"));
    snprintf(s.labour.status, sizeof s.labour.status, "失业");
    assert_false(s_fires("allowance-while-employed", &s, NULL));
    snprintf(s.labour.status, sizeof s.labour.status, "再就业");
    snprintf(s.labour.reemployed_date, sizeof s.labour.reemployed_date, "2020-01-01");   /* its own date counts */
    assert_false(s_fires("allowance-while-employed", &s, NULL));
    snprintf(s.civil[0].category, sizeof s.civil[0].category, "特困供养");
    snprintf(s.labour.reemployed_date, sizeof s.labour.reemployed_date, "2022-01-01");
    assert_true(s_fires("allowance-while-employed", &s, "特困供养 在保 since 2021-08-01"));
    snprintf(s.civil[0].category, sizeof s.civil[0].category, "高龄津贴");
    assert_false(s_fires("allowance-while-employed", &s, NULL));
}

static void
test_conscript_without_conscript(void **state)
{
    (void)state;
    rule_subject_t s = s_subject();
    s_civil(&s, "义务兵家庭优待", "在保", "2025-09-01", true);
    s.police.household_others_17_24 = 1;
    assert_false(s_fires("conscript-without-conscript", &s, NULL));
    s.police.household_others_17_24 = 0;
    assert_true(s_fires("conscript-without-conscript", &s, "police household 900000001: no other member aged 17-24"));
    s.civil[0].latest = false;
    assert_false(s_fires("conscript-without-conscript", &s, NULL));
}

static void
test_fp_woman_gone(void **state)
{
    (void)state;
    rule_subject_t s = s_subject();
    s.fp.woman = true;
    snprintf(s.fp.key, sizeof s.fp.key, "JS2019000123");
    assert_false(s_fires("fp-woman-gone", &s, NULL));
    snprintf(s.police.status, sizeof s.police.status, "迁出");
    assert_true(s_fires("fp-woman-gone", &s, "family planning JS2019000123: 育龄妇女; police"));
    snprintf(s.police.status, sizeof s.police.status, "注销");   /* not named by the rule */
    assert_false(s_fires("fp-woman-gone", &s, NULL));
    snprintf(s.police.status, sizeof s.police.status, "死亡");
    s.fp.woman = false;                                          /* a spouse's or child's row */
    assert_false(s_fires("fp-woman-gone", &s, NULL));
}

static void
test_old_age_under_80(void **state)
{
    (void)state;
    rule_subject_t s = s_subject();   /* born 1940-01-01: 86 */
    s_civil(&s, "高龄津贴", "在保", "2020-01-01", true);
    assert_false(s_fires("old-age-under-80", &s, NULL));
    snprintf(s.idno, sizeof s.idno, "350802194611021234");   /* 80 on 2026-11-02: 79 on the 1st */
    assert_true(s_fires("old-age-under-80", &s, "born 1946-11-02, 79 on 2026-11-01"));
    snprintf(s.idno, sizeof s.idno, "350802194611011234");   /* 80 on the 1st itself */
    assert_false(s_fires("old-age-under-80", &s, NULL));
    s.idno[0] = 0;                                            /* no valid number: cannot say */
    assert_false(s_fires("old-age-under-80", &s, NULL));
    assert_int_equal(rules_age("19461102", 2026, 11), 79);
    assert_int_equal(rules_age("19461101", 2026, 11), 80);
    assert_int_equal(rules_age("19461231", 2026, 11), 79);
}

static void
test_community_disagrees(void **state)
{
    (void)state;
    rule_subject_t s = s_subject();
    s_civil(&s, "高龄津贴", "在保", "2020-01-01", true);
    s.labour.present = true;
    snprintf(s.labour.community, sizeof s.labour.community, "350802001002");
    assert_false(s_fires("community-disagrees", &s, NULL));
    snprintf(s.civil[0].community, sizeof s.civil[0].community, "350802001003");
    assert_true(s_fires("community-disagrees", &s, "police 350802001002; labour 350802001002; civil affairs 350802001003"));
    s.civil[0].latest = false;                                /* a roster of the past says nothing now */
    assert_false(s_fires("community-disagrees", &s, NULL));
    snprintf(s.fp.community[s.fp.ncommunities++], 16, "350802002001");
    assert_true(s_fires("community-disagrees", &s, "family planning 350802002001"));
}

static void
test_catalogue(void **state)
{
    (void)state;
    assert_int_equal(rules_count, 6);
    for (size_t i = 0; i < rules_count; i++) {
        assert_non_null(rules[i].check);
        assert_true(!strcmp(rules[i].severity, "high") || !strcmp(rules[i].severity, "medium")
                    || !strcmp(rules[i].severity, "low"));
        assert_true(strlen(rules[i].description) > 20);
        rule_subject_t s;
        memset(&s, 0, sizeof s);
        char ev[RULE_EVIDENCE_MAX];
        assert_false(rules[i].check(&s, ev, sizeof ev));   /* nothing known: no finding */
    }
    assert_null(rule_find("no-such-rule"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gone_but_paid),
        cmocka_unit_test(test_allowance_while_employed),
        cmocka_unit_test(test_conscript_without_conscript),
        cmocka_unit_test(test_fp_woman_gone),
        cmocka_unit_test(test_old_age_under_80),
        cmocka_unit_test(test_community_disagrees),
        cmocka_unit_test(test_catalogue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
