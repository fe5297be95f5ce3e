/* rules.c: the cross-department checks (see rules.h). */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
s_in(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (!strcmp(s, *set))
            return true;
    return false;
}

static bool
s_active(const rule_civil_t *c)
{
    return c->latest && !strcmp(c->status, "在保");
}

int
rules_age(const char *birth, int year, int month)
{
    if (!birth || strlen(birth) < 8)
        return -1;
    int by = atoi((char[5]){birth[0], birth[1], birth[2], birth[3], 0});
    int bm = atoi((char[3]){birth[4], birth[5], 0});
    int bd = atoi((char[3]){birth[6], birth[7], 0});
    int age = year - by;
    if (month < bm || (month == bm && 1 < bd))   /* not yet had this year's birthday on the 1st */
        age--;
    return age;
}

/* Deceased, moved out or cancelled per the police, still paid by civil affairs. */
static bool
s_gone_but_paid(const rule_subject_t *s, char *ev, size_t cap)
{
    static const char *const gone[] = {"死亡", "迁出", "注销", NULL};
    if (!s->police.present || !s_in(s->police.status, gone))
        return false;
    size_t len = (size_t)snprintf(ev, cap, "police %s: %s%s%s;", s->police.key, s->police.status,
                                  *s->police.change_date ? " " : "", s->police.change_date);
    bool found = false;
    for (size_t i = 0; i < s->ncivil && len < cap; i++)
        if (s_active(&s->civil[i]) && strcmp(s->civil[i].category, "社区志愿者") != 0) {
            found = true;
            len += (size_t)snprintf(ev + len, cap - len, " civil affairs %s: %s 在保", s->civil[i].key,
                                    s->civil[i].category);
        }
    return found;
}

/* The date labour registered its status: a re-employment's own date when given. */
static const char *
s_employed_since(const rule_subject_t *s)
{
    if (!strcmp(s->labour.status, "再就业") && *s->labour.reemployed_date)
        return s->labour.reemployed_date;
    return s->labour.status_date;
}

/* A minimum-living or extreme-poverty allowance for someone labour has in work since after it began. */
static bool
s_allowance_while_employed(const rule_subject_t *s, char *ev, size_t cap)
{
    static const char *const employed[] = {"在岗", "再就业", NULL};
    if (!s->labour.present || !s_in(s->labour.status, employed))
        return false;
    const char *since = s_employed_since(s);
    for (size_t i = 0; i < s->ncivil; i++) {
        const rule_civil_t *c = &s->civil[i];
        if (s_active(c) && (!strcmp(c->category, "城市低保") || !strcmp(c->category, "特困供养")) && *since
            && *c->start_date && strcmp(since, c->start_date) > 0) {
            snprintf(ev, cap, "civil affairs %s: %s 在保 since %s; labour %s: %s since %s", c->key, c->category,
                     c->start_date, s->labour.key, s->labour.status, since);
            return true;
        }
    }
    return false;
}

/* A conscript-family allowance for a household with no one of conscript age on record. */
static bool
s_conscript_without_conscript(const rule_subject_t *s, char *ev, size_t cap)
{
    if (!s->police.present || !*s->police.household_no || s->police.household_others_17_24 > 0)
        return false;
    for (size_t i = 0; i < s->ncivil; i++)
        if (s_active(&s->civil[i]) && !strcmp(s->civil[i].category, "义务兵家庭优待")) {
            snprintf(ev, cap, "civil affairs %s: 义务兵家庭优待 在保; police household %s: no other member aged 17-24",
                     s->civil[i].key, s->police.household_no);
            return true;
        }
    return false;
}

/* A woman on the family-planning register whom the police record as deceased or moved out. */
static bool
s_fp_woman_gone(const rule_subject_t *s, char *ev, size_t cap)
{
    if (!s->fp.woman || !s->police.present || (strcmp(s->police.status, "死亡") && strcmp(s->police.status, "迁出")))
        return false;
    snprintf(ev, cap, "family planning %s: 育龄妇女; police %s: %s%s%s", s->fp.key, s->police.key, s->police.status,
             *s->police.change_date ? " " : "", s->police.change_date);
    return true;
}

/* An old-age allowance for someone under 80 by the birth date in their identity number. */
static bool
s_old_age_under_80(const rule_subject_t *s, char *ev, size_t cap)
{
    if (strlen(s->idno) != 18 || !s->ref_year)
        return false;
    int age = rules_age(s->idno + 6, s->ref_year, s->ref_month);
    for (size_t i = 0; i < s->ncivil && age >= 0 && age < 80; i++)
        if (s_active(&s->civil[i]) && !strcmp(s->civil[i].category, "高龄津贴")) {
            snprintf(ev, cap, "civil affairs %s: 高龄津贴 在保; identity number: born %.4s-%.2s-%.2s, %d on %04d-%02d-01",
                     s->civil[i].key, s->idno + 6, s->idno + 10, s->idno + 12, age, s->ref_year, s->ref_month);
            return true;
        }
    return false;
}

/* Departments that name different communities (or two communities' rolls). */
static bool
s_community_disagrees(const rule_subject_t *s, char *ev, size_t cap)
{
    const char *seen[RULE_COMMUNITIES_MAX + RULE_CIVIL_MAX + 2];
    const char *who[RULE_COMMUNITIES_MAX + RULE_CIVIL_MAX + 2];
    size_t n = 0;
    if (s->police.present && *s->police.community)
        seen[n] = s->police.community, who[n++] = "police";
    for (size_t i = 0; i < s->fp.ncommunities; i++)
        seen[n] = s->fp.community[i], who[n++] = "family planning";
    if (s->labour.present && *s->labour.community)
        seen[n] = s->labour.community, who[n++] = "labour";
    for (size_t i = 0; i < s->ncivil; i++)
        if (s->civil[i].latest && *s->civil[i].community)
            seen[n] = s->civil[i].community, who[n++] = "civil affairs";
    bool differ = false;
    for (size_t i = 1; i < n && !differ; i++)
        differ = strcmp(seen[i], seen[0]) != 0;
    if (!differ)
        return false;
    size_t len = 0;
    for (size_t i = 0; i < n && len < cap; i++) {
        bool dup = false;
        for (size_t k = 0; k < i && !dup; k++)
            dup = !strcmp(seen[k], seen[i]) && !strcmp(who[k], who[i]);
        if (!dup)
            len += (size_t)snprintf(ev + len, cap - len, "%s%s %s", len ? "; " : "", who[i], seen[i]);
    }
    return true;
}

const rule_t rules[] = {
    {"gone-but-paid", "high",
     "deceased, moved out or cancelled per the police, but an entitlement is still paid by civil affairs",
     s_gone_but_paid},
    {"allowance-while-employed", "medium",
     "a minimum-living (城市低保) or extreme-poverty (特困供养) allowance, and labour has the person in work "
     "(在岗/再就业) since after the allowance began",
     s_allowance_while_employed},
    {"conscript-without-conscript", "medium",
     "a conscript-family allowance (义务兵家庭优待) for a household with no member of conscript age on record",
     s_conscript_without_conscript},
    {"fp-woman-gone", "medium",
     "a woman on the family-planning register whom the police record as deceased or moved out", s_fp_woman_gone},
    {"old-age-under-80", "medium",
     "an old-age allowance (高龄津贴) for someone whose identity number makes them under 80", s_old_age_under_80},
    {"community-disagrees", "low",
     "departments name different communities for the resident (or the resident is on two communities' rolls)",
     s_community_disagrees},
};
const size_t rules_count = sizeof rules / sizeof rules[0];

const rule_t *
rule_find(const char *id)
{
    for (size_t i = 0; i < rules_count; i++)
        if (!strcmp(rules[i].id, id))
            return &rules[i];
    return NULL;
}
