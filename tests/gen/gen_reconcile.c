/*
** gen_reconcile.c: reconcile/ and its expected.csv (gen_reconcile.h).
**
** Per person file, in the writers' order: the file is read back (iconv to
** UTF-8) and split into lines (the writers never put a line end inside a
** value); truth.csv gives each data row's person and key. Among the rows
** whose key (less a ~N suffix) is the only one of its kind in the file and
** whose person was not planted, 2N are drawn ("reconcile.pick", forked per
** file): the first N are left out, the other N get one value changed, a
** column drawn ("reconcile.change", forked per file and row) among those
** the file has a value in and the adapter carries:
**   name      姓名 / xm: the surname and a new given name
**   address   户籍地址 / 现居住地址 / jzdz / 住址: a new address in the community
**   phone     联系电话 / lxdh: a new mobile number
**   status    police 人员状态 正常 <-> 迁出; labour jyzt, another one; civil
**             affairs 状态 在保 -> 暂停, the others -> 在保
** (civil affairs never changes a name, part of either key, and changes an
** address only on a row keyed by its identity number, so no key changes). N rows of new persons are added at
** the end. Every other line is copied as it was, but for civil affairs'
** 序号, the row number, renumbered from 1.
**
** The new persons: a population of its own ("reconcile.population" gives
** its seed), less anyone whose identity or household number the district
** has; each written once, without mess, by the writers' row functions:
** police a row of the snapshot; family planning a woman 15-49 alone, her
** 记录编号 of --date's year with a serial past the file's; labour a
** registration with a djbh serial past the file's; civil affairs a
** 社区志愿者 aged 18-75 added this month.
*/
#include "gen_reconcile.h"
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_FIELDS 4   /* name, address, phone, status */
enum { S_NAME, S_ADDRESS, S_PHONE, S_STATUS };

typedef enum { S_CSV, S_TSV, S_JSONL } s_form_t;

typedef struct {
    const char *source;        /* truth.csv's source */
    unsigned src;              /* GEN_SRC_* */
    const char *pattern;       /* file name, %08d or %06d of the date */
    const char *encoding;
    s_form_t form;
    const char *eol;
    bool bom;
    const char *fields[S_FIELDS];   /* the column or key of each kind, NULL none */
} s_spec_t;

static const s_spec_t s_specs[] = {
    { "police", GEN_SRC_POLICE, "hukou_%08d.csv", "GB18030", S_CSV, "\r\n", false,
      { "姓名", "户籍地址", "联系电话", "人员状态" } },
    { "familyplanning", GEN_SRC_FAMILYPLANNING, "wis_%08d.tsv", "UTF-8", S_TSV, "\n", true,
      { "姓名", "现居住地址", "联系电话", NULL } },
    { "labour", GEN_SRC_LABOUR, "jyzt_%08d.jsonl", "UTF-8", S_JSONL, "\n", false,
      { "xm", "jzdz", "lxdh", "jyzt" } },
    { "civilaffairs", GEN_SRC_CIVILAFFAIRS, "mz_roster_%06d.csv", "GBK", S_CSV, "\r\n", false,
      { "姓名", "住址", "联系电话", "状态" } },
};
#define S_NSPECS (sizeof s_specs / sizeof s_specs[0])

static const char *const s_kind_text[GEN_RECON_KINDS] = { "gone_from_export", "differs",
                                                          "missing_in_hub" };

/* One data row of a file, from truth.csv. */
typedef struct {
    size_t person;
    char *key;
} s_truth_row_t;

typedef struct {
    char file[64];
    s_truth_row_t *row;        /* row[0] is data row 1 */
    size_t n, cap;
} s_truth_file_t;

/* Everything one run holds. */
typedef struct {
    const gen_ctx_t *ctx;
    size_t n;
    s_truth_file_t truth[S_NSPECS];
    gen_district_t extra;      /* the new persons */
    gen_noise_t clean;
    gen_ctx_t xctx;            /* the writers' context for them */
    bool *used;                /* per new person: given a row */
    gen_table_t expected;
    char dir[1024];
} s_run_t;

/* ---- lines and cells -------------------------------------------------- */

/* Splits one line (no line end) into its cells, RFC 4180 quoting when
** quote; returns how many (at most max; each a copy). */
static size_t
s_split(const char *line, size_t len, char sep, bool quote, char **cells, size_t max)
{
    size_t n = 0, i = 0;
    gen_buf_t cell;
    gen_buf_init(&cell);
    for (;;) {
        cell.len = 0;
        gen_buf_put(&cell, "", 0);
        if (quote && i < len && line[i] == '"') {
            for (i++; i < len; i++) {
                if (line[i] == '"' && i + 1 < len && line[i + 1] == '"')
                    gen_buf_put(&cell, line + i++, 1);
                else if (line[i] == '"')
                    break;
                else
                    gen_buf_put(&cell, line + i, 1);
            }
            i++;   /* the closing quote */
        }
        while (i < len && line[i] != sep)
            gen_buf_put(&cell, line + i++, 1);
        if (n < max) {
            cells[n] = gen_xmalloc(cell.len + 1);
            memcpy(cells[n++], cell.data, cell.len + 1);
        }
        if (i >= len)
            break;
        i++;   /* the separator */
    }
    gen_buf_fini(&cell);
    return n;
}

static void
s_free_cells(char **cells, size_t n)
{
    for (size_t k = 0; k < n; k++)
        free(cells[k]);
}

static int
s_column(char **header, size_t n, const char *name)
{
    for (size_t k = 0; name && k < n; k++)
        if (strcmp(header[k], name) == 0)
            return (int) k;
    return -1;
}

/* The value of key in a generator's JSON line: *at and *vlen give it as
** written (a string with its quotes, or null); false when absent. A quote
** inside a string is always escaped, so "key": preceded by { or , is the
** key itself. */
static bool
s_json_find(const char *line, size_t len, const char *key, size_t *at, size_t *vlen)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    size_t pl = strlen(pat);
    for (size_t i = 1; i + pl <= len; i++) {
        if ((line[i - 1] != '{' && line[i - 1] != ',') || memcmp(line + i, pat, pl) != 0)
            continue;
        size_t v = i + pl, e = v;
        if (e < len && line[e] == '"') {
            for (e++; e < len && line[e] != '"'; e++)
                if (line[e] == '\\')
                    e++;
            e++;
        } else {
            while (e < len && line[e] != ',' && line[e] != '}')
                e++;
        }
        *at = v;
        *vlen = e - v;
        return true;
    }
    return false;
}

/* The JSON string value at v (vlen bytes, quotes included) decoded into
** out (cap bytes); "" for null. Only the escapes the generator writes. */
static void
s_json_text(const char *v, size_t vlen, char *out, size_t cap)
{
    size_t o = 0;
    if (vlen < 2 || v[0] != '"') {
        out[0] = '\0';
        return;
    }
    for (size_t i = 1; i + 1 < vlen && o + 1 < cap; i++) {
        char c = v[i];
        if (c == '\\' && i + 2 < vlen) {
            c = v[++i];
            c = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
        }
        out[o++] = c;
    }
    out[o] = '\0';
}

/* ---- expected.csv -------------------------------------------------------- */

static void
s_expect(s_run_t *run, size_t f, gen_recon_kind_t kind, const char *key, const char *field)
{
    gen_table_cell(&run->expected, run->truth[f].file);
    gen_table_cell(&run->expected, s_kind_text[kind]);
    gen_table_cell(&run->expected, s_specs[f].source);
    gen_table_cell(&run->expected, key);
    gen_table_cell(&run->expected, field);
    gen_table_end_row(&run->expected);
}

/* ---- truth.csv -------------------------------------------------------- */

static int
s_read_truth(s_run_t *run, char *err, size_t errlen)
{
    gen_buf_t b;
    gen_buf_init(&b);
    if (gen_file_read(run->ctx->outdir, GEN_TRUTH_FILE, "UTF-8", &b, err, errlen) != 0)
        return -1;
    const char *p = b.data ? b.data : "", *end = p + b.len;
    bool header = true;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t) (end - p));
        size_t len = nl ? (size_t) (nl - p) : (size_t) (end - p);
        char *cells[6];   /* person_id,source,source_key,file,row,tags */
        size_t nc = s_split(p, len, ',', true, cells, 6);
        p += len + 1;
        if (header || nc < 5) {
            header = false;
            s_free_cells(cells, nc);
            continue;
        }
        for (size_t f = 0; f < S_NSPECS; f++) {
            s_truth_file_t *tf = &run->truth[f];
            if (strcmp(cells[3], tf->file) != 0)
                continue;
            if (tf->n == tf->cap) {
                tf->cap = tf->cap ? tf->cap * 2 : 1024;
                tf->row = gen_xrealloc(tf->row, tf->cap * sizeof *tf->row);
            }
            size_t row = strtoul(cells[4], NULL, 10);
            if (row != tf->n + 1) {
                snprintf(err, errlen, "%s: %s row %s out of order", GEN_TRUTH_FILE, tf->file,
                         cells[4]);
                s_free_cells(cells, nc);
                gen_buf_fini(&b);
                return -1;
            }
            tf->row[tf->n].person = strtoul(cells[0] + 1, NULL, 10) - 1;
            tf->row[tf->n].key = cells[2];
            cells[2] = NULL;
            tf->n++;
        }
        s_free_cells(cells, nc);
    }
    gen_buf_fini(&b);
    return 0;
}

/* ---- the new persons ---------------------------------------------------- */

static void
s_extra_build(s_run_t *run)
{
    const gen_district_t *d = run->ctx->district;
    gen_district_t *x = &run->extra;
    memset(x, 0, sizeof *x);
    x->communities = gen_xmalloc(d->ncommunities * sizeof *x->communities);
    memcpy(x->communities, d->communities, d->ncommunities * sizeof *x->communities);
    x->ncommunities = d->ncommunities;
    gen_rng_t r;
    gen_rng_init(&r, run->ctx->seed, "reconcile.population");
    size_t people = 16 * run->n + 200;
    gen_pop_params_t params = { gen_rng_next(&r), people > GEN_PEOPLE_MAX ? GEN_PEOPLE_MAX : people,
                                run->ctx->date, 0, 0, 0, 0, 0, 0, 0 };
    gen_population_build(x, &params);

    /* no one whose identity or household number the district has */
    gen_set_t ids, hhs;
    gen_set_init(&ids, d->npersons);
    gen_set_init(&hhs, d->nhouseholds);
    for (size_t i = 0; i < d->npersons; i++)
        gen_set_add(&ids, strtoull(d->persons[i].idno, NULL, 10) + 1);
    for (size_t h = 0; h < d->nhouseholds; h++)
        gen_set_add(&hhs, strtoull(d->households[h].number, NULL, 10) + 1);
    bool *clash = gen_xcalloc(x->nhouseholds, sizeof *clash);
    for (size_t h = 0; h < x->nhouseholds; h++)   /* numbers are unique in x */
        clash[h] = !gen_set_add(&hhs, strtoull(x->households[h].number, NULL, 10) + 1);
    run->used = gen_xcalloc(x->npersons, sizeof *run->used);
    for (size_t i = 0; i < x->npersons; i++) {
        const gen_person_t *p = &x->persons[i];
        run->used[i] = !gen_set_add(&ids, strtoull(p->idno, NULL, 10) + 1) || clash[p->household];
    }
    free(clash);
    gen_set_fini(&ids);
    gen_set_fini(&hhs);

    gen_noise_init(&run->clean, 0.0);
    run->xctx = (gen_ctx_t) { x, run->ctx->outdir, run->ctx->seed, run->ctx->date, 0, &run->clean,
                              NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
}

/* The next new person from *from on who fits a row of source src, or
** (size_t) -1; *from moves past them. */
static size_t
s_extra_next(s_run_t *run, unsigned src, size_t *from)
{
    const gen_district_t *x = &run->extra;
    int date = run->ctx->date, cur_start = date / 100 * 100 + 1;
    for (size_t i = *from; i < x->npersons; i++) {
        const gen_person_t *p = &x->persons[i];
        int age = gen_date_age(p->birth, date);
        bool fits = !run->used[i] && p->status == GEN_STATUS_NORMAL && !p->rare_name;
        if (src == GEN_SRC_POLICE)
            fits = fits && age >= 18;
        else if (src == GEN_SRC_FAMILYPLANNING)
            fits = fits && p->gender == GEN_FEMALE && age >= 15 && age <= 49;
        else if (src == GEN_SRC_LABOUR)
            fits = fits && age >= 16 && age <= 64;
        else
            fits = fits && gen_date_age(p->birth, cur_start) >= 18
                   && gen_date_age(p->birth, cur_start) <= 75;
        if (fits) {
            run->used[i] = true;
            *from = i + 1;
            return i;
        }
    }
    *from = x->npersons;
    return (size_t) -1;
}

/* The largest serial of the file's record numbers: the digits after the
** first prefix characters (6 of JS2019000123, 12 of LD3508022021000451). */
static unsigned long
s_max_serial(const s_truth_file_t *tf, size_t prefix)
{
    unsigned long max = 0;
    for (size_t k = 0; k < tf->n; k++) {
        if (strlen(tf->row[k].key) <= prefix)
            continue;
        unsigned long v = strtoul(tf->row[k].key + prefix, NULL, 10);
        max = v > max ? v : max;
    }
    return max;
}

/* Appends n rows of new persons to out (civil affairs numbered from *seq
** on), with their lines in expected.csv. Returns how many. */
static size_t
s_add_rows(s_run_t *run, size_t f, const s_spec_t *sp, gen_buf_t *out, size_t *seq)
{
    const gen_ctx_t *ctx = run->ctx;
    gen_ctx_t *x = &run->xctx;
    gen_rng_t base;
    gen_rng_init(&base, ctx->seed, "reconcile.add");
    base = gen_rng_fork(&base, f);
    unsigned long serial = sp->src == GEN_SRC_FAMILYPLANNING ? s_max_serial(&run->truth[f], 6)
                           : sp->src == GEN_SRC_LABOUR        ? s_max_serial(&run->truth[f], 12)
                                                              : 0;
    size_t added = 0, from = 0;
    for (size_t k = 0; k < run->n; k++) {
        size_t i = s_extra_next(run, sp->src, &from);
        if (i == (size_t) -1)
            break;
        gen_rng_t r = gen_rng_fork(&base, k);
        char key[GEN_KEY_TEXT_MAX + 32] = "", written[GEN_KEY_TEXT_MAX];
        gen_table_t t;
        gen_table_init(&t, sp->form == S_TSV ? '\t' : ',', sp->form == S_CSV, sp->eol);
        if (sp->src == GEN_SRC_POLICE) {
            gen_police_row(x, &t, &run->extra.persons[i], &r, key);
        } else if (sp->src == GEN_SRC_FAMILYPLANNING) {
            char js[32];
            serial += 1 + gen_rng_below(&r, 3);
            snprintf(js, sizeof js, "JS%04d%06lu", ctx->date / 10000, serial);
            gen_wis_row(x, &t, &r, i, js, ctx->date / 10000, written);
            norm_key(written, key, sizeof key);
        } else if (sp->src == GEN_SRC_LABOUR) {
            gen_labour_line(x, &t.buf, &r, i, &serial, written);
            norm_key(written, key, sizeof key);
        } else {
            gen_rng_t rows;
            gen_rng_init(&rows, ctx->seed, "reconcile.civil");
            gen_civil_row(x, &t, &rows, i, GEN_CIVIL_ZHIYUAN, ++*seq, key);
        }
        gen_buf_put(out, t.buf.data, t.buf.len);
        gen_table_fini(&t);
        s_expect(run, f, GEN_RECON_MISSING, key, "");
        added++;
    }
    return added;
}

/* ---- changed values ------------------------------------------------------- */

/* Whether the civil-affairs row (cells) is keyed by its identity number. */
static bool
s_civil_by_idno(char **cells, size_t nc, char **header, size_t nh)
{
    int doc = s_column(header, nh, "证件类型"), no = s_column(header, nh, "证件号码");
    char clean[NORM_IDNO_SIZE];
    return doc >= 0 && no >= 0 && (size_t) doc < nc && (size_t) no < nc
           && strcmp(cells[doc], "其他") != 0 && norm_idno(cells[no], clean) == NORM_IDNO_VALID;
}

/* Whether a value old of kind may change in a row of sp. */
static bool
s_may_change(const s_spec_t *sp, int kind, const char *old, bool by_idno)
{
    if (!old || !old[0])
        return false;
    if (sp->src == GEN_SRC_POLICE && kind == S_STATUS)
        return strcmp(old, "正常") == 0 || strcmp(old, "迁出") == 0;
    if (sp->src == GEN_SRC_CIVILAFFAIRS && kind == S_NAME)
        return false;   /* the name is part of either key */
    if (sp->src == GEN_SRC_CIVILAFFAIRS && kind == S_ADDRESS)
        return by_idno;
    return true;
}

/* A new value of kind for person p, other than old (also once
** normalised), into out (cap bytes, at least 64). */
static void
s_new_value(const s_run_t *run, gen_rng_t *r, const s_spec_t *sp, int kind, const gen_person_t *p,
            const char *old, char *out, size_t cap)
{
    static const char *const jyzt[] = { "在岗", "下岗", "失业", "再就业", "退休" };
    char a[512], b[512];
    for (int attempt = 0; attempt < 100; attempt++) {
        switch (kind) {
        case S_NAME: {
            char given[GEN_NAME_MAX];
            gen_given_name(r, p->gender, given);
            snprintf(out, cap, "%s%s", p->surname, given);
            norm_name(out, a, sizeof a);
            norm_name(old, b, sizeof b);
            break;
        }
        case S_ADDRESS:
            gen_local_address(r, run->ctx->district, p->community, out, cap);
            norm_text(out, a, sizeof a);
            norm_text(old, b, sizeof b);
            break;
        case S_PHONE:
            gen_mobile(r, out);
            norm_phone(out, a, sizeof a);
            norm_phone(old, b, sizeof b);
            break;
        default:
            if (sp->src == GEN_SRC_POLICE)
                gen_strlcpy(out, strcmp(old, "正常") == 0 ? "迁出" : "正常", cap);
            else if (sp->src == GEN_SRC_LABOUR)
                gen_strlcpy(out, jyzt[gen_rng_below(r, 5)], cap);
            else
                gen_strlcpy(out, strcmp(old, "在保") == 0 ? "暂停" : "在保", cap);
            gen_strlcpy(a, out, sizeof a);
            gen_strlcpy(b, old, sizeof b);
            break;
        }
        if (strcmp(a, b) != 0)
            return;
    }
}

/* Appends the row line (len bytes, no line end) with one value changed to
** out, seq its 序号 when non-zero; field receives the column changed. */
static void
s_change_row(const s_run_t *run, const s_spec_t *sp, gen_rng_t *r, const gen_person_t *p,
             const char *line, size_t len, char **header, size_t nh, size_t seq, gen_buf_t *out,
             const char **field)
{
    char *cells[32];
    size_t nc = 0;
    char olds[S_FIELDS][512];
    int where[S_FIELDS] = { -1, -1, -1, -1 }, kinds[S_FIELDS], nk = 0;
    size_t at[S_FIELDS] = { 0 }, vlen[S_FIELDS] = { 0 };
    bool by_idno = false;
    if (sp->form == S_JSONL) {
        for (int k = 0; k < S_FIELDS; k++) {
            olds[k][0] = '\0';
            if (sp->fields[k] && s_json_find(line, len, sp->fields[k], &at[k], &vlen[k]))
                s_json_text(line + at[k], vlen[k], olds[k], sizeof olds[k]);
        }
    } else {
        nc = s_split(line, len, sp->form == S_TSV ? '\t' : ',', sp->form == S_CSV, cells, 32);
        by_idno = s_civil_by_idno(cells, nc, header, nh);
        for (int k = 0; k < S_FIELDS; k++) {
            where[k] = s_column(header, nh, sp->fields[k]);
            gen_strlcpy(olds[k], where[k] >= 0 && (size_t) where[k] < nc ? cells[where[k]] : "",
                        sizeof olds[k]);
        }
    }
    for (int k = 0; k < S_FIELDS; k++)
        if (sp->fields[k] && s_may_change(sp, k, olds[k], by_idno))
            kinds[nk++] = k;
    int kind = nk ? kinds[gen_rng_below(r, (uint32_t) nk)] : S_NAME;
    char value[512];
    s_new_value(run, r, sp, kind, p, olds[kind], value, sizeof value);
    *field = sp->fields[kind];

    if (sp->form == S_JSONL) {
        gen_buf_put(out, line, at[kind]);
        gen_buf_json_str(out, value);
        gen_buf_put(out, line + at[kind] + vlen[kind], len - at[kind] - vlen[kind]);
        gen_buf_puts(out, sp->eol);
        return;
    }
    gen_table_t t;
    gen_table_init(&t, sp->form == S_TSV ? '\t' : ',', sp->form == S_CSV, sp->eol);
    char seq_text[24];
    snprintf(seq_text, sizeof seq_text, "%zu", seq);
    for (size_t c = 0; c < nc; c++)
        gen_table_cell(&t, (int) c == where[kind] ? value : seq && c == 0 ? seq_text : cells[c]);
    gen_table_end_row(&t);
    gen_buf_put(out, t.buf.data, t.buf.len);
    gen_table_fini(&t);
    s_free_cells(cells, nc);
}

/* ---- one file ------------------------------------------------------------- */

typedef struct {
    const char *s;
    size_t len;
} s_line_t;

typedef struct {
    const char *key;
    size_t row;
} s_keyed_t;

/* The length of key without a ~N suffix (the adapters' mark of a key a
** row shares with an earlier row of the file). */
static size_t
s_base_len(const char *key)
{
    const char *t = strrchr(key, '~');
    return t && t[1] && strspn(t + 1, "0123456789") == strlen(t + 1) ? (size_t) (t - key)
                                                                      : strlen(key);
}

/* Keys by their base (without ~N), then row. */
static int
s_cmp_key(const void *a, const void *b)
{
    const s_keyed_t *x = a, *y = b;
    size_t lx = s_base_len(x->key), ly = s_base_len(y->key);
    int c = memcmp(x->key, y->key, lx < ly ? lx : ly);
    if (c == 0 && lx != ly)
        c = lx < ly ? -1 : 1;
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

static bool
s_same_base(const char *a, const char *b)
{
    size_t la = s_base_len(a), lb = s_base_len(b);
    return la == lb && memcmp(a, b, la) == 0;
}

static int
s_file(s_run_t *run, size_t f, size_t counts[GEN_RECON_KINDS], char *err, size_t errlen)
{
    const gen_ctx_t *ctx = run->ctx;
    const s_spec_t *sp = &s_specs[f];
    const s_truth_file_t *tf = &run->truth[f];
    gen_buf_t in;
    gen_buf_init(&in);
    if (gen_file_read(ctx->outdir, tf->file, sp->encoding, &in, err, errlen) != 0)
        return -1;
    const char *p = in.data ? in.data : "", *end = p + in.len;
    if (sp->bom && in.len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    size_t eol = strlen(sp->eol), nlines = 0, head = sp->form != S_JSONL;   /* header lines */
    s_line_t *lines = gen_xmalloc((tf->n + 2) * sizeof *lines);
    while (p < end && nlines < tf->n + 2) {
        const char *nl = memchr(p, '\n', (size_t) (end - p));
        const char *e = nl ? nl + 1 : end;
        lines[nlines++] = (s_line_t) { p, (size_t) (e - p) >= eol ? (size_t) (e - p) - eol : 0 };
        p = e;
    }
    int rc = -1;
    char *header[32];
    size_t nh = 0;
    if (nlines != tf->n + head || p != end) {
        snprintf(err, errlen, "%s: %zu lines, truth.csv has %zu rows", tf->file, nlines, tf->n);
        goto done;
    }
    if (head)
        nh = s_split(lines[0].s, lines[0].len, sp->form == S_TSV ? '\t' : ',', sp->form == S_CSV,
                     header, 32);

    /* rows that may go or change: a key of their own, not planted */
    size_t *idx = gen_xmalloc((tf->n + 1) * sizeof *idx), nel = 0;
    unsigned char *mark = gen_xcalloc(tf->n + 1, 1);
    s_keyed_t *byk = gen_xmalloc((tf->n + 1) * sizeof *byk);
    for (size_t k = 0; k < tf->n; k++)
        byk[k] = (s_keyed_t) { tf->row[k].key, k };
    qsort(byk, tf->n, sizeof *byk, s_cmp_key);
    for (size_t k = 0; k < tf->n; k++) {
        bool shared = (k > 0 && s_same_base(byk[k].key, byk[k - 1].key))
                      || (k + 1 < tf->n && s_same_base(byk[k].key, byk[k + 1].key));
        if (!shared && !gen_ctx_plant(ctx, tf->row[byk[k].row].person))
            mark[byk[k].row] = 3;   /* eligible */
    }
    free(byk);
    for (size_t k = 0; k < tf->n; k++)
        if (mark[k] == 3)
            idx[nel++] = k;
    for (size_t k = 0; k < tf->n; k++)
        mark[k] = 0;
    gen_rng_t pick;
    gen_rng_init(&pick, ctx->seed, "reconcile.pick");
    pick = gen_rng_fork(&pick, f);
    for (size_t k = 0; k < nel && k < 2 * run->n; k++) {   /* partial Fisher-Yates */
        size_t j = k + gen_rng_below(&pick, (uint32_t) (nel - k));
        size_t t = idx[k];
        idx[k] = idx[j];
        idx[j] = t;
        mark[idx[k]] = k < run->n ? 1 : 2;
    }
    free(idx);

    for (size_t k = 0; k < tf->n; k++)
        if (mark[k] == 1) {
            s_expect(run, f, GEN_RECON_GONE, tf->row[k].key, "");
            counts[GEN_RECON_GONE]++;
        }
    gen_buf_t out;
    gen_buf_init(&out);
    if (sp->bom)
        gen_buf_puts(&out, "\xEF\xBB\xBF");
    if (head) {
        gen_buf_put(&out, lines[0].s, lines[0].len);
        gen_buf_puts(&out, sp->eol);
    }
    gen_rng_t cbase;
    gen_rng_init(&cbase, ctx->seed, "reconcile.change");
    cbase = gen_rng_fork(&cbase, f);
    bool renumber = sp->src == GEN_SRC_CIVILAFFAIRS;
    size_t seq = 0;
    for (size_t k = 0; k < tf->n; k++) {
        const s_line_t *l = &lines[k + head];
        if (mark[k] == 1)
            continue;
        seq++;
        if (mark[k] == 2) {
            gen_rng_t r = gen_rng_fork(&cbase, k);
            const char *field;
            s_change_row(run, sp, &r, &ctx->district->persons[tf->row[k].person], l->s, l->len,
                         header, nh, renumber ? seq : 0, &out, &field);
            s_expect(run, f, GEN_RECON_DIFFERS, tf->row[k].key, field);
            counts[GEN_RECON_DIFFERS]++;
            continue;
        }
        if (renumber) {   /* 序号, the first cell, is digits only */
            char seq_text[24];
            snprintf(seq_text, sizeof seq_text, "%zu", seq);
            size_t first = strcspn(l->s, ",");
            gen_buf_puts(&out, seq_text);
            gen_buf_put(&out, l->s + first, l->len - first);
        } else {
            gen_buf_put(&out, l->s, l->len);
        }
        gen_buf_puts(&out, sp->eol);
    }
    counts[GEN_RECON_MISSING] += s_add_rows(run, f, sp, &out, &seq);
    free(mark);
    rc = gen_file_write(run->dir, tf->file, &out, sp->encoding, err, errlen);
    gen_buf_fini(&out);
done:
    s_free_cells(header, nh);
    free(lines);
    gen_buf_fini(&in);
    return rc;
}

int
gen_reconcile_write(const gen_ctx_t *ctx, size_t n, size_t counts[GEN_RECON_KINDS], char *err,
                    size_t errlen)
{
    s_run_t *run = gen_xcalloc(1, sizeof *run);
    run->ctx = ctx;
    run->n = n;
    for (size_t k = 0; k < GEN_RECON_KINDS; k++)
        counts[k] = 0;
    for (size_t f = 0; f < S_NSPECS; f++)
        snprintf(run->truth[f].file, sizeof run->truth[f].file, s_specs[f].pattern,
                 s_specs[f].src == GEN_SRC_CIVILAFFAIRS ? ctx->date / 100 : ctx->date);
    snprintf(run->dir, sizeof run->dir, "%s/%s", ctx->outdir, GEN_RECONCILE_DIR);
    static const char *const columns[] = { "file", "kind", "source", "source_key", "field" };
    gen_table_init(&run->expected, ',', true, "\n");
    gen_table_header(&run->expected, columns, sizeof columns / sizeof columns[0]);

    int rc = gen_mkdirs(run->dir, err, errlen);
    if (rc == 0)
        rc = s_read_truth(run, err, errlen);
    if (rc == 0) {
        s_extra_build(run);
        for (size_t f = 0; f < S_NSPECS && rc == 0; f++)
            rc = s_file(run, f, counts, err, errlen);
    }
    if (rc == 0)
        rc = gen_file_write(run->dir, GEN_RECONCILE_EXPECTED, &run->expected.buf, "UTF-8", err,
                            errlen);

    gen_table_fini(&run->expected);
    for (size_t f = 0; f < S_NSPECS; f++) {
        for (size_t k = 0; k < run->truth[f].n; k++)
            free(run->truth[f].row[k].key);
        free(run->truth[f].row);
    }
    free(run->used);
    gen_district_fini(&run->extra);
    free(run);
    return rc;
}
