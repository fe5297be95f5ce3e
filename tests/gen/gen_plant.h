/*
** gen_plant.h: --plant N, known findings of the hub's cross-department
** rules (issue 9). gen_plant_choose() picks, before any writer runs, N
** ordinary persons for each rule (GEN_RULES in gen_writers.h) and changes
** what it must of them (a police 人员状态, an entitlement, a community) so
** the writers show the finding; gen_findings_write() then evaluates every
** rule over the rows the writers recorded (ctx->seen) and writes
** findings.csv, the planted findings and any that occur by themselves.
** gendistrict.c's header defines the rules and the file.
**
** Limits: a rule with fewer eligible persons than N gets fewer (the counts
** say how many); the rules are evaluated as the hub is to evaluate them, on
** the rows as written, with one judgement the hub makes differently: a row
** is taken as linked to its person only when its identity number cleans to
** the person's own (gen_seen_t.sure); a finding resting on other rows is
** still listed, its detail marked "unsure".
*/
#ifndef GEN_PLANT_H
#define GEN_PLANT_H

#include "gen_writers.h"

#include <stddef.h>

/* The rule's id ("gone-but-paid") and severity ("high"); "" for NONE. */
const char *gen_rule_id(gen_rule_t rule);
const char *gen_rule_severity(gen_rule_t rule);

/* Plans n persons for each rule into plan (one per person of d, zeroed by
** the caller) and changes d to match: the planted 人员状态, 变动类型 and
** 变动日期 of gone-but-paid and fp-woman-gone. Call before ctx->plant is set
** and before any writer runs (it probes the writers as they will draw
** without it). planted[rule] receives how many were planted. Draws from
** "plant.pick" (who, forked per rule and person) and "plant" (what, forked
** per person) only. */
void gen_plant_choose(gen_ctx_t *ctx, gen_district_t *d, size_t n, gen_plant_t *plan,
                      size_t planted[GEN_RULE_END]);

/* Per rule: findings planted, natural (planted 0), and of all those the
** ones marked unsure; and planted persons of other rules found by it. */
typedef struct {
    size_t planted, natural, unsure, crossed;
} gen_finding_count_t;

#define GEN_FINDINGS_FILE "findings.csv"

/* Evaluates the rules over ctx->seen and writes findings.csv into
** ctx->outdir. Returns 0, or -1 with the reason in err: the file cannot be
** written, or a planted person lacks the finding planted (a bug). */
int gen_findings_write(const gen_ctx_t *ctx, gen_finding_count_t counts[GEN_RULE_END], char *err,
                       size_t errlen);

#endif
