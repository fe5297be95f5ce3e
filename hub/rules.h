/*
** rules.h: the cross-department checks. Each rule has an id, a severity
** and a description in plain words, and is one small function over what
** the departments say of one resident (rule_subject_t, filled by
** store_rule_subject from the current records). A finding is an alert
** with its evidence (which records, which values). Adding a rule: a
** function and a line in rules.c, and its test in tests/unit/test_rules.c.
**
** "Latest roster": civil affairs sends its whole roster every month
** (mz_roster_YYYYMM.csv); an entitlement is ACTIVE when the latest roster
** delivered lists it 在保 (one the latest roster no longer lists has
** ended). Ages are whole years on the first day of that roster's month.
** Pure: no I/O.
*/
#ifndef HUB_RULES_H
#define HUB_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include "record.h"

#define RULE_EVIDENCE_MAX 400
#define RULE_CIVIL_MAX 16
#define RULE_COMMUNITIES_MAX 8

typedef struct {
    char key[64];              /* the record's key in its department */
    char category[24];         /* 城市低保 … */
    char status[12];           /* 在保, 暂停, 停保 */
    char start_date[11];       /* YYYY-MM-DD */
    char community[16];
    bool latest;               /* on the latest roster delivered */
} rule_civil_t;

typedef struct {
    resident_id_t id;
    char idno[19];             /* the resident's valid number, "" when none */
    int ref_year, ref_month;   /* the latest roster's month (0: none delivered) */
    struct {
        bool present;
        char key[40], status[12], change_date[11], household_no[16], community[16];
        int household_others_17_24;   /* other members of its household, 正常, aged 17..24 */
    } police;
    struct {
        bool woman;            /* a 育龄妇女 row */
        char key[40];
        char community[RULE_COMMUNITIES_MAX][16];
        size_t ncommunities;
    } fp;
    struct {
        bool present;
        char key[40], status[12], status_date[11], reemployed_date[11], community[16];
    } labour;
    rule_civil_t civil[RULE_CIVIL_MAX];
    size_t ncivil;
} rule_subject_t;

typedef struct {
    const char *id;            /* e.g. "gone-but-paid" */
    const char *severity;      /* high, medium, low */
    const char *description;   /* plain words, for the clerk */
    /* A finding: true, with evidence in plain words (record keys and values). */
    bool (*check)(const rule_subject_t *s, char *evidence, size_t cap);
} rule_t;

extern const rule_t rules[];
extern const size_t rules_count;

/* The rule with this id, or NULL. */
const rule_t *rule_find(const char *id);

/* Whole years from a YYYYMMDD birth date to the first day of year/month. */
int rules_age(const char *birth_yyyymmdd, int year, int month);

#endif
