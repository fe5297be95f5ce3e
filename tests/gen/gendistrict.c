/*
** gendistrict.c: gen-district, a deterministic synthetic district for tests,
** demos and benchmarks of the hub and its adapters.
**
** It draws a population of persons with all their true attributes (gen_pop.h:
** person id P000001…, name, gender, birth date, ethnicity, a valid 18-digit
** identity number, household of 1-6 with its 9-digit number and relations,
** community from communities.csv, addresses, phone, 户籍人口/流动人口, status
** and last change), then lets each department writer export its view of it,
** with the departments' mess (gen_mess.h), exactly as
** shared/formats/README.md describes the files. Same arguments give
** byte-identical files: every draw comes from a splitmix64 stream named for
** its purpose and forked per household, person or row (gen_util.h).
**
** Usage:
**   gen-district --out DIR [--seed N] [--people N] [--date YYYYMMDD]
**                [--noise F] [--communities PATH] [--police-delta N]
**                [--plant N] [--stats]
** Defaults: seed 1, 2000 people, date 20261101, noise 1.0 (multiplies every
** noise probability; 0 writes clean files), deploy/communities.csv, no delta,
** nothing planted (--plant, below).
** Prints one line to stdout at the end, with the rows written per file;
** exits 2 on bad arguments, 1 when the communities file cannot be read or DIR
** cannot be written.
**
** Files written into DIR (D is --date, M its month, M-1 the month before):
**   hukou_D.csv               police register snapshot (GB18030, CRLF)
**   hukou_<D+1>_delta.csv     with --police-delta N: N changes dated the day
**                             after --date
**   wis_D.tsv                 family planning: women 15-49, spouses, children
**                             (UTF-8 with BOM, LF, tabs)
**   jyzt_D.jsonl              labour: unemployment/re-employment register, a
**                             subset of people 16-64 (UTF-8, JSON Lines)
**   mz_roster_<M-1>.csv       civil affairs roster of the previous month and
**   mz_roster_<M>.csv         of --date's month (GBK, CRLF); one row per
**                             person and category
**   facilities.csv            community service facilities (UTF-8, LF)
**   facilities_truth.csv      facility_no,community_codes: the communities each
**                             facility serves, codes joined by ';' (owner first)
**   truth.csv                 the answer key for persons (below)
**   persons.csv               the population itself, true values (below)
**   findings.csv              with --plant N: the answer key for the hub's
**                             cross-department rules (below)
**   reconcile/                with --plant N: the person files as a later
**                             export differing in 3N rows each, and
**                             expected.csv, its answer key (below)
** All person files are views of one population, so one person appears in
** several departments' files: that is what the hub has to link.
**
** truth.csv: UTF-8, LF, RFC 4180, header
**   person_id,source,source_key,file,row,tags
** one line per data row of every person file (not facilities): the person
** the row is about, the source, the key the source's adapter reports for the
** row, computed from the values exactly as written in the file, the file
** name, the 1-based data row (the header, if any, is row 0; for JSON Lines
** the line number), and what makes the row hard (below). source and
** source_key:
**   police          norm_idno(公民身份号码): canonical 18 characters when
**                   valid, else as typed without spaces, full-width folded,
**                   x upper-cased (mistyped numbers stay mistyped)
**   familyplanning  norm_key(记录编号)
**   labour          norm_key(djbh)
**   civilaffairs    adp_civil_key(证件号码 (none with 证件类型 其他), 姓名,
**                   the code of 社区 as written when the adapters map it
**                   (hub/community.c, linked in), else 社区's text, 住址,
**                   类别): a person-and-category on both monthly rosters has
**                   the same key in both
** and in a roster, as the civil-affairs adapter does for keys it derives, a
** row whose key an earlier row of the same file already has gets the key
** with the suffix ~2 (the third ~3, ...), in file order: a member on the
** head's number with the head's name, a row typed twice (ROW_TWICE: the
** later of the two in the file is KEY~2; which one that is may differ
** between the two months). (Police, family-planning and labour keys are the
** departments' own, never repeated in a file by the writers: a repeat would
** be the same record again.)
** Lines come in writer order (police, familyplanning, labour, civilaffairs
** previous month then current), each in file order. Scoring matching: every
** row with the same person_id is the same person; a mistyped number (invalid
** check) must not be trusted, yet the row still belongs to its person; a
** number that is someone else's (foreign_id) must not make the row theirs.
** A person registered twice in one department (DUPLICATE) has two rows
** there, with two keys and one person_id: police, the second row's key is
** its mistyped number, cleaned by norm_idno like any; family planning and
** labour, the second record number; civil affairs, one row keyed by the
** valid number and one with 证件号码 empty, so keyed by name, community and
** address. Twins, namesakes and siblings are distinct persons (distinct
** person_id) however alike their rows look; nothing may link them.
** tags: space-separated words, empty for none, each set by the writer as
** it writes the row (tests/tools/evaluate.c reports figures per tag):
**   no_id            no valid identity number on the row (empty, mistyped,
**                    a 其他 document's number)
**   id_typo          a number typed but invalid (a subset of no_id)
**   foreign_id       a valid number that is someone else's: head_id (the
**                    household head's, civil affairs) or mother_id (the
**                    mother's on a child's family-planning row)
**   placeholder      a child's name before naming (林宝宝, 陈静之女)
**   former_name      the person's former name (曾用名) written
**   village_name     the community written as the old village (林邦村)
**   age_off          civil affairs' 年龄 one or two years off
**   stale_address    the previous address and community (MOVED)
**   reg_address      the registered address, not the current one
**   addr_form        the address in another written form
**   homophone, surname_homophone, shape_typo, name_drop, trad: the name
**                    with a same-sounding given-name character, a
**                    same-sounding surname, a shape-alike character, a
**                    dropped character, a traditional character
**   rare_name        the person's name holds a character outside GBK (civil
**                    affairs writes a same-sounding substitute)
**   birth_swap, birth_day01, gender_flip: the birth date's month and day
**                    swapped, its day (month) unknown as 01, the other gender
**   phone_relative, phone_old: a household member's phone, an old one
**   duplicate        the second registration of a DUPLICATE
**   row_twice        a roster row typed twice (ROW_TWICE), on both rows
**   twin, namesake, sibling_name: a hard negative, on every row of the
**                    person (namesake also for HOME_NAMESAKE)
**
** persons.csv: UTF-8, LF, RFC 4180, header
**   person_id,community_code,gender,birth_date,category,status,household_no,
**   employment_status,entitlements,other_entitlements
** one line per person of the population in person order, true values without
** mess: gender M or F, birth_date YYYY-MM-DD, category 户籍人口/流动人口,
** status 正常/死亡/迁出/注销 (the snapshot's, not the delta's), the 9-digit
** household number, and the community the police register files the person
** under (所属社区, its 12-digit code; the current one for a person who moved).
** Then what the departments' exports say, as the writers wrote it (clean,
** so what the hub stores from a --noise 0 district):
**   employment_status   labour's 就业状态 (jyzt: 在岗, 下岗, 失业, 再就业,
**                       退休), empty when labour has no record of the
**                       person; a person registered twice (DUPLICATE) with
**                       two different values has both, joined by ';'
**   entitlements        the person's rows with 状态 在保 on the latest
**                       civil-affairs roster (mz_roster_<M>.csv) as
**                       CATEGORY:AMOUNT_FEN (类别 as written, 月发放金额 in
**                       fen; 社区志愿者 has none: "社区志愿者:") joined by ';'
**                       in the roster's category order, empty for none
**   other_entitlements  the person's other rows on that roster (暂停, 停保)
**                       as CATEGORY:STATUS joined by ';', empty for none
** Rows only on the previous month's roster are in neither: their
** entitlement has ended. It is the answer key for counts (figures, rosters);
** the writers record these values as they write them and persons.csv draws
** nothing, so it leaves every other file as it was.
**
** --plant N (default 0: no findings.csv, no reconcile/, and every file
** byte-identical to a run without the option) plants known findings of the
** hub's cross-department rules (issue 9): N persons for each rule below
** (gen_plant.c says who qualifies and what each gets; fewer, with a warning,
** when too few fit). A planted person is ordinary (正常 before planting, not
** TWINS, NAMESAKE, MOVED or RARE_NAME, planted for one rule), registered once
** in each department (no DUPLICATE), and every row of theirs is written
** without mess: the canonical 18-character identity number as 居民身份证, the
** name as it is, the community's full name. The population and every file
** agree: one made 死亡 is so in the snapshot with 变动类型 and 变动日期 and in
** persons.csv; an entitlement planted is 在保 on both rosters and in
** persons.csv; the person's other entitlements end as any 死亡 person's do.
** Everyone else's rows stay as they were, but for civil affairs' 序号 (and
** truth.csv's row numbers there), which count the planted rows, and the
** delta, which passes over a planted person no longer 正常 for the next
** one drawn. Planting draws from its own streams ("plant.pick", "plant").
**
** The rules, as the hub is to implement them. The latest roster is
** mz_roster_<M>.csv; an entitlement is ACTIVE when its row is on the latest
** roster with 状态 在保 (rows only on the previous month's roster have
** ended); a person's police status is the snapshot's 人员状态 (not the
** delta's); an age is in whole years on the first day of M, from the birth
** date in the identity number. One finding per person and rule.
**   gone-but-paid (high)         police 死亡, 迁出 or 注销, and an ACTIVE
**                                entitlement other than 社区志愿者
**   allowance-while-employed (medium)  an ACTIVE 城市低保 or 特困供养, and a
**                                labour registration with jyzt 在岗 or 再就业
**                                whose date (zjyrq for 再就业 when given, else
**                                djrq) is strictly after its 起始日期
**   conscript-without-conscript (medium)  an ACTIVE 义务兵家庭优待, and no
**                                OTHER member of the police household (户号)
**                                正常 and aged 17-24
**   fp-woman-gone (medium)       a family-planning row 人员类型 育龄妇女 of a
**                                person the police have as 死亡 or 迁出
**   old-age-under-80 (medium)    an ACTIVE 高龄津贴 of a person under 80
**   community-disagrees (low)    the person's rows name more than one
**                                community, compared as 12-digit codes after
**                                the adapters' normalisation (北龙, 北龙社区居委会
**                                … are one): police 所属社区 (snapshot), family
**                                planning 所属社区, labour sqjwh, civil affairs
**                                社区 on the latest roster (any 状态)
** Planted: gone-but-paid a person made 死亡 (mostly 60+), 迁出 or 注销 lately
** (变动日期 from the first of the previous month) with 高龄津贴, 残疾人两项补贴,
** 城市低保 or 重点优抚对象 kept 在保; allowance-while-employed a person on the
** labour register as 在岗 or 再就业 given 城市低保 or 特困供养 from before that
** date; conscript-without-conscript a head of household (38-65) without a
** member 17-24 given 义务兵家庭优待; fp-woman-gone a woman 25-49 with a
** family-planning block made 迁出 (or 死亡) whose block stays; old-age-under-80
** a person of 70-79 given 高龄津贴; community-disagrees a person whom labour
** or family planning files under another community (drawn).
**
** findings.csv (--plant N only): UTF-8, LF, RFC 4180, header
**   rule,person_id,planted,detail
** every finding of the rules above in the files as written (evaluated over
** the rows the writers recorded, not over the plan), in rule order then
** person order: rule its id (gone-but-paid …), planted 1 for a planted
** finding and 0 for one that occurs by itself, detail a short plain
** description ("police 死亡 2026-10-15; 城市低保 在保"). By themselves the files
** hold allowance-while-employed (城市低保 households with someone at work)
** and community-disagrees (MOVED: the department that missed the move),
** never the other four: the writers give entitlements and family-planning
** blocks only to 正常 persons, 高龄津贴 only from 80, 义务兵家庭优待 only to a
** household with a member 18-22. A finding the hub may fail to see is
** still listed, its detail ending "; unsure: <rows> without a valid number
** [and with the name written otherwise]": the generator takes a row as
** linked to its person only when its identity number cleans (norm_idno) to
** the person's own, and some row the finding needs has none such (empty,
** mistyped, a child's left out, a disability card as 其他), so the hub can
** link it only by name, birth date, phone and address, if at all (less so
** with a homophone or a GBK substitute in the name); community-disagrees is
** unsure too when the rows naming another community all write it as an old
** village (林邦村), a form the hub may not map. Only natural findings
** are unsure; at 20 000 people mostly community-disagrees of children
** without a number in family planning.
**
** reconcile/ (--plant N only): for each department person file,
** hukou_D.csv, wis_D.tsv, jyzt_D.jsonl and mz_roster_<M>.csv, the same
** export (same name, encoding, line ends, header) as if exported later: N
** rows left out (the hub has them, the export no longer), N rows of new
** persons appended (in no file of the district: full rows without mess),
** N rows with one value changed (a name, an address, a phone or a status:
** 姓名/xm, 户籍地址/现居住地址/jzdz/住址, 联系电话/lxdh, 人员状态/jyzt/状态;
** never a key, so civil affairs changes a name or an address only on a row
** keyed by its identity number), every other row as it was but civil
** affairs' 序号, renumbered from 1 (it is a row number, not a key). Rows of
** planted persons and rows whose key another row shares are left alone;
** a file with too few rows gets fewer. reconcile/expected.csv: UTF-8, LF,
** RFC 4180, header
**   file,kind,source,source_key,field
** one line per row: file the file name, kind gone_from_export (left out),
** differs (changed; field its column or key as the file names it) or
** missing_in_hub (added), source and source_key as truth.csv computes them
** (for differs and gone_from_export the row's key in truth.csv), field
** empty but for differs. Lines in file order, per file gone, differs,
** missing. gen_reconcile.c says how the rows and values are drawn.
**
** Noise (gen_mess.h, GEN_NOISES; `--help` lists them with their default
** probabilities, all multiplied by --noise and clamped to 1; `--stats`
** prints the hits of each, per writer):
**   identity numbers  full-width, lower x, spaces, 15 digits, mistyped,
**                     left empty (and children without one in family
**                     planning)
**   text              stray ASCII/U+3000 spaces, a traditional character,
**                     names outside GBK (GB18030 only; civil affairs writes
**                     a same-sounding GBK character), a same-sounding
**                     character in the given name in a non-police row
**                     (HOMOPHONE: 丽/莉/俐, 伟/玮/炜, 静/晶/婧 …)
**   values            phone forms and gaps, community forms, record-number
**                     forms, date forms, amount forms, JSON nulls, extra keys
**   MOVED             persons who moved within the district: the police
**                     register has the current address and community; one
**                     other department they are in (drawn among family
**                     planning, labour and civil affairs, as the writers'
**                     cover functions say) still has the previous ones
**   DUPLICATE         a second registration in one department (above)
**   TWINS             hard negative: in households with children, twins of
**                     one birth date, surname and household number, given
**                     names one character apart (一鸣/一鹏), genders as drawn,
**                     each with a valid number of their own (family planning
**                     often lists the children without)
**   NAMESAKE          hard negative: two unrelated persons in different
**                     households and communities with the same name, birth
**                     date and gender, own numbers, phones and addresses
** and what a data clerk re-typing people into four systems does (issue 15;
** the police register, the reference, has none of it but the population's):
**   children          most family-planning children under 16 without a
**                     number (CHILD_NO_ID); registered before naming, as
**                     林宝宝, 陈小宝, 陈静之女 (CHILD_PLACEHOLDER: a third of
**                     those under 2); the mother's number in the child's
**                     field (CHILD_MOTHER_ID); the phone given at
**                     registration, since changed (CHILD_PHONE_OLD); the
**                     address in another form twice as often
**   roster            members on the household head's number, per household
**                     and category (HEAD_ID), or on none (MEMBER_NO_ID); 年龄
**                     one or two years off (AGE_OFF); a row typed twice
**                     (ROW_TWICE); each alike in both months
**   names             the former name (FORMER_NAME; RENAMED gives more
**                     persons one: given names changed, children renamed), a
**                     shape-alike character (NAME_SHAPE: 辉/挥), a dropped one
**                     (NAME_DROP), a same-sounding surname (SURNAME_HOMOPHONE:
**                     萧/肖)
**   places            the old village as community (VILLAGE_NAME: 林邦村), the
**                     registered address of a person living away from it
**                     (REG_ADDRESS: 人户分离), another written form of an
**                     address (ADDR_FORM: no street prefix, 龙岩市新罗区 before,
**                     栋/座/号楼, 3-1502, 號, 林邦村5组)
**   values            a relative's or an old phone (PHONE_RELATIVE,
**                     PHONE_OLD), a birth date with month and day swapped or
**                     the day unknown (BIRTH_SWAP, BIRTH_DAY01), the gender
**                     code flipped (GENDER_FLIP)
**   hard negatives    siblings sharing a generation character (SIBLINGS:
**                     一鸣/一鹏, other birth dates), rarely a son or grandson
**                     with the head's very name (HOME_NAMESAKE: 张伟/张伟)
** TWINS, NAMESAKE, MOVED, RARE_NAME, RENAMED, SIBLINGS and HOME_NAMESAKE
** are drawn into the population (gen_pop.c) and so seen alike by every
** writer; the others are drawn by the writers row by row (HEAD_ID and
** ROW_TWICE per household or person and category, so alike in both rosters).
**
** Adding a writer (a new file or department):
**   1. write tests/gen/gen_<dept>.c with int gen_<dept>_write(gen_ctx_t *,
**      char *err, size_t errlen), following the contract in gen_writers.h
**      (own rng streams "<dept>.*", forked per row; gen_table_t or gen_buf_t;
**      gen_file_write() with the file's encoding; gen_truth_add() per row,
**      with the row's tags);
**      gen_police.c, gen_wis.c (blocks of related rows), gen_labour.c (JSON
**      Lines) and gen_civil.c (two exports with stable per-row mess) are
**      models;
**   2. declare it in gen_writers.h and add a line to s_writers[] below,
**      with a cover function when it writes persons (so MOVED can pick it as
**      the department that missed a move) and the previous address for the
**      persons ctx->stale gives it;
**   3. attributes the population lacks go into gen_person_t as a new stage
**      in gen_pop.c with its own stream (pop.social holds 婚姻状况,
**      education, disability), and new kinds of mess at the end of
**      GEN_NOISES in gen_mess.h.
** Writers never change the population, and each draws only from its own
** streams, so adding one leaves every existing file byte-identical (but for
** the previous addresses of MOVED, which the new writer may now be drawn to
** hold).
*/
#define _POSIX_C_SOURCE 200809L

#include "gen_mess.h"
#include "gen_out.h"
#include "gen_plant.h"
#include "gen_pop.h"
#include "gen_reconcile.h"
#include "gen_writers.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_PERSONS_FILE "persons.csv"
#define GEN_PLANT_MAX    10000

/* The department writers, run in this order. */
static const gen_writer_t s_writers[] = {
    { "police", "hukou_YYYYMMDD.csv [hukou_YYYYMMDD_delta.csv]", gen_police_write, NULL },
    { "familyplanning", "wis_YYYYMMDD.tsv", gen_wis_write, gen_wis_cover },
    { "labour", "jyzt_YYYYMMDD.jsonl", gen_labour_write, gen_labour_cover },
    { "civilaffairs", "mz_roster_YYYYMM.csv for the month before --date's and for --date's",
      gen_civil_write, gen_civil_cover },
    { "facilities", "facilities.csv, facilities_truth.csv (not in truth.csv)",
      gen_facilities_write, NULL },
};
#define S_NWRITERS (sizeof s_writers / sizeof s_writers[0])

typedef struct {
    const char *out;
    uint64_t seed;
    size_t people;
    int date;
    double noise;
    const char *communities;
    size_t police_delta;
    size_t plant;
    bool stats;
} s_args_t;

/* The rules in a line each, for --help (gendistrict.c's header has them in full). */
static const char *const s_rule_text[GEN_RULE_END] = {
    [GEN_RULE_GONE_BUT_PAID] = "police 死亡/迁出/注销, an ACTIVE entitlement but 社区志愿者",
    [GEN_RULE_ALLOWANCE_EMPLOYED] = "ACTIVE 城市低保/特困供养, labour 在岗/再就业 dated after its start",
    [GEN_RULE_CONSCRIPT] = "ACTIVE 义务兵家庭优待, no other household member 正常 aged 17-24",
    [GEN_RULE_FP_WOMAN_GONE] = "family planning 育龄妇女, police 死亡/迁出",
    [GEN_RULE_OLD_AGE_UNDER_80] = "ACTIVE 高龄津贴, under 80",
    [GEN_RULE_COMMUNITY] = "police, family planning, labour, latest roster: more than one community",
};

static void
s_usage(FILE *f)
{
    fprintf(f,
            "usage: gen-district --out DIR [--seed N] [--people N] [--date YYYYMMDD]\n"
            "                    [--noise F] [--communities PATH] [--police-delta N] [--plant N]\n"
            "                    [--stats]\n"
            "  --out DIR           output directory (created if missing)\n"
            "  --seed N            PRNG seed, 0..2^64-1 (default 1)\n"
            "  --people N          persons, 1..%d (default 2000)\n"
            "  --date YYYYMMDD     export date, years 2000..2099 (default 20261101)\n"
            "  --noise F           multiplies every noise probability, 0..100 (default 1.0)\n"
            "  --communities PATH  communities.csv (default deploy/communities.csv)\n"
            "  --police-delta N    also write hukou_<date+1>_delta.csv with N changes (default 0)\n"
            "  --plant N           plant N findings of each cross-department rule; write\n"
            "                      findings.csv and reconcile/ (default 0: neither, files as without)\n"
            "  --stats             print the noise applied, per kind, to stderr\n"
            "writers:\n",
            GEN_PEOPLE_MAX);
    for (size_t i = 0; i < S_NWRITERS; i++)
        fprintf(f, "  %-16s %s\n", s_writers[i].source, s_writers[i].files);
    fprintf(f,
            "truth.csv (person_id,source,source_key,file,row,tags), one line per person row;\n"
            "source_key is the key the source's adapter reports, from the row as written:\n"
            "  police           norm_idno(公民身份号码)\n"
            "  familyplanning   norm_key(记录编号)\n"
            "  labour           norm_key(djbh)\n"
            "  civilaffairs     adp_civil_key(证件号码, 姓名, community code as mapped, 社区,\n"
            "                   住址, 类别), equal in both months for one person and category\n"
            "  a roster key an earlier row of the same roster has: KEY~2, KEY~3 ... in file order\n"
            "  a person registered twice in one department has two rows (two keys) with one\n"
            "  person_id; twins, namesakes, siblings are distinct persons (distinct person_id)\n"
            "tags: what makes the row hard, space-separated: no_id id_typo foreign_id head_id\n"
            "  mother_id placeholder former_name village_name age_off stale_address\n"
            "  reg_address addr_form homophone surname_homophone shape_typo name_drop trad\n"
            "  rare_name birth_swap birth_day01 gender_flip phone_relative phone_old duplicate\n"
            "  row_twice twin namesake sibling_name\n"
            "facilities_truth.csv (facility_no,community_codes): codes joined by ';'\n"
            "persons.csv (person_id,community_code,gender,birth_date,category,status,\n"
            "  household_no,employment_status,entitlements,other_entitlements): one line\n"
            "  per person, true values; labour's 就业状态, and the latest civil-affairs\n"
            "  roster's rows 在保 as CATEGORY:AMOUNT_FEN and others as CATEGORY:STATUS,\n"
            "  ';'-joined\n"
            "--plant N: N persons planted for each rule, their rows without mess; findings.csv\n"
            "  (rule,person_id,planted,detail): every finding in the files as written, planted 1\n"
            "  or natural 0, detail ending '; unsure: ...' where no row with a valid number\n"
            "  shows it. Latest roster = mz_roster_<month of --date>; ACTIVE = on it 在保; police\n"
            "  status = the snapshot's 人员状态; ages in whole years on the month's first day:\n");
    for (int r = GEN_RULE_NONE + 1; r < GEN_RULE_END; r++)
        fprintf(f, "  %-28s %-6s %s\n", gen_rule_id((gen_rule_t) r), gen_rule_severity((gen_rule_t) r),
                s_rule_text[r]);
    fprintf(f,
            "reconcile/: hukou, wis, jyzt and the latest roster again with N rows gone, N of new\n"
            "  persons added, N with one value changed (序号 renumbered); reconcile/expected.csv\n"
            "  (file,kind,source,source_key,field), kind gone_from_export, missing_in_hub or\n"
            "  differs (field: the column changed)\n");
    fprintf(f, "noise kinds (default probability):\n");
    for (int k = 0; k < GEN_NOISE_COUNT; k++) {
        gen_noise_t n;
        gen_noise_init(&n, 1.0);
        fprintf(f, "  %-17s %.3f  %s\n", gen_noise_name((gen_noise_kind_t) k), n.p[k],
                gen_noise_text((gen_noise_kind_t) k));
    }
    fprintf(f, "--stats counts: rows or values for the writers' kinds; RARE_NAME, RENAMED and\n"
               "SIBLINGS persons; MOVED persons shown at the previous address; TWINS, NAMESAKE and\n"
               "HOME_NAMESAKE pairs; DUPLICATE second registrations and ROW_TWICE copies (civil\n"
               "affairs: per person and category).\n");
}

static int
s_bad(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "gen-district: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\n(try gen-district --help)\n");
    return 2;
}

static bool
s_parse_u64(const char *s, uint64_t *out)
{
    if (!*s || strspn(s, "0123456789") != strlen(s))
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

/* Parses argv into a; returns 0, 2 on a bad argument, or -1 for --help. */
static int
s_parse(int argc, char **argv, s_args_t *a)
{
    *a = (s_args_t) { NULL, 1, 2000, 20261101, 1.0, "deploy/communities.csv", 0, 0, false };
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
            return -1;
        if (strcmp(arg, "--stats") == 0) {
            a->stats = true;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0)
            return s_bad("unexpected argument '%s'%s", arg, "");
        char opt[64];
        const char *val;
        const char *eq = strchr(arg, '=');
        if (eq) {
            size_t n = (size_t) (eq - arg);
            if (n >= sizeof opt)
                return s_bad("unknown option '%s'%s", arg, "");
            memcpy(opt, arg, n);
            opt[n] = '\0';
            val = eq + 1;
        } else {
            gen_strlcpy(opt, arg, sizeof opt);
            if (i + 1 >= argc)
                return s_bad("option %s needs a value%s", arg, "");
            val = argv[++i];
        }
        uint64_t u;
        if (strcmp(opt, "--out") == 0) {
            if (!*val)
                return s_bad("--out needs a directory%s%s", "", "");
            a->out = val;
        } else if (strcmp(opt, "--seed") == 0) {
            if (!s_parse_u64(val, &u))
                return s_bad("--seed '%s' is not a number 0..2^64-1%s", val, "");
            a->seed = u;
        } else if (strcmp(opt, "--people") == 0) {
            if (!s_parse_u64(val, &u) || u < 1 || u > GEN_PEOPLE_MAX)
                return s_bad("--people '%s' is not a number 1..1000000%s", val, "");
            a->people = (size_t) u;
        } else if (strcmp(opt, "--date") == 0) {
            if (strlen(val) != 8 || !s_parse_u64(val, &u) || !gen_date_valid((int) u)
                || u < 20000101 || u > 20991231)
                return s_bad("--date '%s' is not a real date YYYYMMDD in 2000..2099%s", val, "");
            a->date = (int) u;
        } else if (strcmp(opt, "--noise") == 0) {
            char *end;
            errno = 0;
            double f = strtod(val, &end);
            if (!*val || *end || errno || !isfinite(f) || f < 0 || f > 100)
                return s_bad("--noise '%s' is not a number 0..100%s", val, "");
            a->noise = f;
        } else if (strcmp(opt, "--communities") == 0) {
            if (!*val)
                return s_bad("--communities needs a path%s%s", "", "");
            a->communities = val;
        } else if (strcmp(opt, "--police-delta") == 0) {
            if (!s_parse_u64(val, &u) || u > GEN_PEOPLE_MAX)
                return s_bad("--police-delta '%s' is not a number 0..1000000%s", val, "");
            a->police_delta = (size_t) u;
        } else if (strcmp(opt, "--plant") == 0) {
            if (!s_parse_u64(val, &u) || u > GEN_PLANT_MAX)
                return s_bad("--plant '%s' is not a number 0..10000%s", val, "");
            a->plant = (size_t) u;
        } else {
            return s_bad("unknown option '%s'%s", opt, "");
        }
    }
    if (!a->out)
        return s_bad("--out DIR is required%s%s", "", "");
    return 0;
}

/* What --stats reports beyond the hits: the hits per writer, and the
** population's hard cases. */
typedef struct {
    unsigned long by_writer[S_NWRITERS][GEN_NOISE_COUNT];
    size_t moved;                                  /* persons who moved */
    size_t stale_by_writer[S_NWRITERS];            /* of them, shown stale by each */
} s_stats_t;

static void
s_print_stats(const gen_district_t *d, const gen_noise_t *noise, const s_stats_t *st)
{
    fprintf(stderr, "gen-district: %zu households, %zu persons\n", d->nhouseholds, d->npersons);
    for (int k = 0; k < GEN_NOISE_COUNT; k++) {
        char detail[256] = "";
        size_t o = 0;
        const char *sep = " (";
        for (size_t w = 0; w < S_NWRITERS; w++) {
            unsigned long h = k == GEN_NOISE_MOVED ? st->stale_by_writer[w] : st->by_writer[w][k];
            if (h == 0 || o >= sizeof detail)
                continue;
            o += (size_t) snprintf(detail + o, sizeof detail - o, "%s%s %lu", sep,
                                   s_writers[w].source, h);
            sep = ", ";
        }
        if (k == GEN_NOISE_MOVED && o < sizeof detail)
            o += (size_t) snprintf(detail + o, sizeof detail - o, "%sof %zu who moved", sep,
                                   st->moved);
        if (o > 0 && o < sizeof detail)
            snprintf(detail + o, sizeof detail - o, ")");
        fprintf(stderr, "gen-district: noise %-17s p=%.4f hits=%lu%s\n",
                gen_noise_name((gen_noise_kind_t) k), noise->p[k], noise->hits[k], detail);
    }
}

/* MOVED: for each person who moved, one department they are in (of family
** planning, labour and civil affairs, as the writers' cover functions say)
** still has the previous address; drawn from "mess.stale", forked per
** person. Returns the per-person GEN_SRC_* bit (owned by the caller). */
static unsigned char *
s_assign_stale(gen_ctx_t *ctx, gen_noise_t *noise, s_stats_t *st)
{
    const gen_district_t *d = ctx->district;
    unsigned char *mask = gen_xcalloc(d->npersons, 1), *stale = gen_xcalloc(d->npersons, 1);
    unsigned bits[S_NWRITERS];
    for (size_t w = 0; w < S_NWRITERS; w++) {
        bits[w] = 0;
        if (s_writers[w].cover) {
            unsigned char *one = gen_xcalloc(d->npersons, 1);
            s_writers[w].cover(ctx, one);
            for (size_t i = 0; i < d->npersons; i++) {
                bits[w] |= one[i];
                mask[i] |= one[i];
            }
            free(one);
        }
    }
    gen_rng_t base;
    gen_rng_init(&base, ctx->seed, "mess.stale");
    for (size_t i = 0; i < d->npersons; i++) {
        if (!d->persons[i].moved)
            continue;
        st->moved++;
        size_t cand[S_NWRITERS], n = 0;
        for (size_t w = 0; w < S_NWRITERS; w++)
            if (bits[w] && (mask[i] & bits[w]))
                cand[n++] = w;
        if (n == 0)
            continue;
        gen_rng_t r = gen_rng_fork(&base, i);
        size_t w = cand[gen_rng_below(&r, (uint32_t) n)];
        stale[i] = (unsigned char) bits[w];
        st->stale_by_writer[w]++;
        noise->hits[GEN_NOISE_MOVED]++;
    }
    free(mask);
    return stale;
}

/* persons.csv (see the header): the population's true values, one line per
** person, then what the writers recorded in facts (employment, entitlements).
** Draws nothing. Returns 0, or -1 with a message in err. */
static int
s_persons_write(const gen_district_t *d, const gen_facts_t *facts, const char *dir, char *err,
                size_t errlen)
{
    static const char *const columns[] = {
        "person_id", "community_code", "gender", "birth_date", "category", "status",
        "household_no", "employment_status", "entitlements", "other_entitlements",
    };
    gen_table_t t;
    gen_table_init(&t, ',', true, "\n");
    gen_table_header(&t, columns, sizeof columns / sizeof columns[0]);
    for (size_t i = 0; i < d->npersons; i++) {
        const gen_person_t *p = &d->persons[i];
        char birth[16];
        snprintf(birth, sizeof birth, "%04d-%02d-%02d", p->birth / 10000, p->birth / 100 % 100,
                 p->birth % 100);
        gen_table_cell(&t, p->pid);
        gen_table_cell(&t, d->communities[p->community].code);
        gen_table_cell(&t, p->gender == GEN_FEMALE ? "F" : "M");
        gen_table_cell(&t, birth);
        gen_table_cell(&t, p->floating ? "流动人口" : "户籍人口");
        gen_table_cell(&t, gen_status_text(p->status));
        gen_table_cell(&t, d->households[p->household].number);
        const gen_facts_t *f = &facts[i];
        char employment[64] = "", lists[2][512] = { "", "" };   /* 在保, the others */
        if (f->employment[0])
            gen_strlcpy(employment, f->employment[0], sizeof employment);
        if (f->employment[1] && (!f->employment[0] || strcmp(f->employment[0], f->employment[1]))) {
            if (employment[0])
                gen_strlcat(employment, ";", sizeof employment);
            gen_strlcat(employment, f->employment[1], sizeof employment);
        }
        for (int c = 0; c < GEN_CIVIL_CATEGORIES; c++) {
            const char *status = f->civil_status[c];
            if (!status)
                continue;
            bool force = strcmp(status, "在保") == 0;
            char *list = lists[force ? 0 : 1];
            char item[96];
            if (!force)
                snprintf(item, sizeof item, "%s:%s", gen_civil_category_text(c), status);
            else if (f->civil_amount_fen[c] < 0)
                snprintf(item, sizeof item, "%s:", gen_civil_category_text(c));
            else
                snprintf(item, sizeof item, "%s:%ld", gen_civil_category_text(c),
                         f->civil_amount_fen[c]);
            if (list[0])
                gen_strlcat(list, ";", sizeof lists[0]);
            gen_strlcat(list, item, sizeof lists[0]);
        }
        gen_table_cell(&t, employment);
        gen_table_cell(&t, lists[0]);
        gen_table_cell(&t, lists[1]);
        gen_table_end_row(&t);
    }
    int rc = gen_file_write(dir, GEN_PERSONS_FILE, &t.buf, "UTF-8", err, errlen);
    gen_table_fini(&t);
    return rc;
}

/* --plant: findings.csv and reconcile/, after every other file; their
** counts go to the closing line (ctx->summary) and, with --stats, per rule
** to stderr. Returns 0, or -1 with a message in err. */
static int
s_plant_write(gen_ctx_t *ctx, size_t n, const size_t planted[GEN_RULE_END], bool stats, char *err,
              size_t errlen)
{
    for (int r = GEN_RULE_NONE + 1; r < GEN_RULE_END; r++)
        if (planted[r] < n)
            fprintf(stderr, "gen-district: only %zu persons can be planted for %s; --plant %zu "
                            "plants %zu\n", planted[r], gen_rule_id((gen_rule_t) r), n, planted[r]);
    gen_finding_count_t found[GEN_RULE_END];
    if (gen_findings_write(ctx, found, err, errlen) != 0)
        return -1;
    size_t recon[GEN_RECON_KINDS];
    if (gen_reconcile_write(ctx, n, recon, err, errlen) != 0)
        return -1;
    size_t total[2] = { 0, 0 };
    for (int r = GEN_RULE_NONE + 1; r < GEN_RULE_END; r++) {
        total[0] += found[r].planted;
        total[1] += found[r].natural;
        if (found[r].crossed)
            fprintf(stderr, "gen-district: %s also finds %zu persons planted for another rule\n",
                    gen_rule_id((gen_rule_t) r), found[r].crossed);
        if (stats)
            fprintf(stderr, "gen-district: finding %-28s planted=%zu natural=%zu unsure=%zu\n",
                    gen_rule_id((gen_rule_t) r), found[r].planted, found[r].natural,
                    found[r].unsure);
    }
    char text[160];
    snprintf(text, sizeof text, ", %zu planted and %zu natural findings, %zu+%zu+%zu reconcile rows",
             total[0], total[1], recon[GEN_RECON_GONE], recon[GEN_RECON_DIFFERS],
             recon[GEN_RECON_MISSING]);
    gen_buf_puts(ctx->summary, text);
    return 0;
}

int
main(int argc, char **argv)
{
    s_args_t a;
    int rc = s_parse(argc, argv, &a);
    if (rc == -1) {
        s_usage(stdout);
        return 0;
    }
    if (rc != 0)
        return rc;

    char err[512];
    gen_district_t d;
    memset(&d, 0, sizeof d);
    if (gen_communities_load(&d, a.communities, err, sizeof err) != 0) {
        fprintf(stderr, "gen-district: %s\n", err);
        return 1;
    }
    if (gen_mkdirs(a.out, err, sizeof err) != 0) {
        fprintf(stderr, "gen-district: %s\n", err);
        gen_district_fini(&d);
        return 1;
    }

    gen_noise_t noise;
    gen_noise_init(&noise, a.noise);
    gen_pop_params_t params = { a.seed, a.people, a.date, noise.p[GEN_NOISE_RARE_NAME],
                                noise.p[GEN_NOISE_TWINS], noise.p[GEN_NOISE_NAMESAKE],
                                noise.p[GEN_NOISE_MOVED], noise.p[GEN_NOISE_RENAMED],
                                noise.p[GEN_NOISE_SIBLINGS], noise.p[GEN_NOISE_HOME_NAMESAKE] };
    gen_population_build(&d, &params);
    unsigned long twins = 0, namesakes = 0, home_namesakes = 0;
    for (size_t i = 0; i < d.npersons; i++) {
        noise.hits[GEN_NOISE_RARE_NAME] += d.persons[i].rare_name;
        noise.hits[GEN_NOISE_RENAMED] += d.persons[i].renamed;
        noise.hits[GEN_NOISE_SIBLINGS] += d.persons[i].sibling_name;
        twins += d.persons[i].twin;
        namesakes += d.persons[i].namesake;
        home_namesakes += d.persons[i].home_namesake;
    }
    noise.hits[GEN_NOISE_TWINS] = twins / 2;
    noise.hits[GEN_NOISE_NAMESAKE] = namesakes / 2;
    noise.hits[GEN_NOISE_HOME_NAMESAKE] = home_namesakes / 2;

    gen_truth_t truth;
    gen_truth_init(&truth);
    gen_buf_t summary;
    gen_buf_init(&summary);
    gen_facts_t *facts = gen_xcalloc(d.npersons ? d.npersons : 1, sizeof *facts);
    gen_ctx_t ctx = { &d, a.out, a.seed, a.date, a.police_delta, &noise, &truth, &summary, NULL,
                      facts, NULL, NULL, NULL, a.communities };
    gen_noise_t clean;
    gen_noise_init(&clean, 0.0);
    gen_seen_log_t seen = { NULL, 0, 0 };
    gen_plant_t *plan = NULL;
    size_t planted[GEN_RULE_END] = { 0 };
    if (a.plant > 0) {   /* before anything reads the population */
        plan = gen_xcalloc(d.npersons, sizeof *plan);
        gen_plant_choose(&ctx, &d, a.plant, plan, planted);
        ctx.plant = plan;
        ctx.clean = &clean;
        ctx.seen = &seen;
    }
    s_stats_t *st = gen_xcalloc(1, sizeof *st);
    unsigned char *stale = s_assign_stale(&ctx, &noise, st);
    ctx.stale = stale;
    rc = 0;
    for (size_t i = 0; i < S_NWRITERS && rc == 0; i++) {
        gen_noise_t before = noise;
        if (s_writers[i].write(&ctx, err, sizeof err) != 0)
            rc = 1;
        for (int k = 0; k < GEN_NOISE_COUNT; k++)
            st->by_writer[i][k] = noise.hits[k] - before.hits[k];
    }
    if (rc == 0 && gen_truth_write(&truth, a.out, err, sizeof err) != 0)
        rc = 1;
    if (rc == 0 && s_persons_write(&d, facts, a.out, err, sizeof err) != 0)
        rc = 1;
    if (rc == 0 && a.plant > 0 && s_plant_write(&ctx, a.plant, planted, a.stats, err, sizeof err) != 0)
        rc = 1;
    if (rc != 0)
        fprintf(stderr, "gen-district: %s\n", err);
    else
        printf("gen-district: %zu people%s -> %s\n", d.npersons, summary.data ? summary.data : "",
               a.out);
    if (a.stats)
        s_print_stats(&d, &noise, st);
    free(stale);
    free(st);
    free(facts);
    free(plan);
    free(seen.v);

    gen_buf_fini(&summary);
    gen_truth_fini(&truth);
    gen_district_fini(&d);
    return rc;
}
