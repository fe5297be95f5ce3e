/* ctlout.c: hubctl's three forms of output (see ctlout.h). */
#define _POSIX_C_SOURCE 200809L
#include "ctlout.h"

#include "codec.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "normalize.h"

static const char *s_dept[] = {"unknown", "police", "familyplanning", "labour", "civilaffairs"};

const char *
out_dept_name(int d)
{
    return d > 0 && d < 5 ? s_dept[d] : s_dept[0];
}

static const char *
s_str(const char *s)
{
    return s ? s : "";
}

/* s, then spaces up to width display columns (a Chinese character is two). */
static void
s_cell(const char *s, int width)
{
    fputs(s_str(s), stdout);
    for (int w = (int)norm_display_width(s_str(s)); w < width; w++)
        putchar(' ');
}

void
out_csv_field(const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static void
s_csv_line(const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            putchar(',');
        out_csv_field(cells[i]);
    }
    putchar('\n');
}

/* One JSON value on the current line; the reference is stolen. */
static void
s_json_put(json_t *v, size_t flags)
{
    char *text = json_dumps(v, flags | JSON_ENCODE_ANY);
    fputs(text ? text : "null", stdout);
    free(text);
    json_decref(v);
}

static void
s_time(int64_t ms, char *out, size_t cap)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- residents found ---- */

void
out_hits_begin(out_hits_t *h, out_format_t format, bool why)
{
    *h = (out_hits_t){format, why, 0};
    if (format == OUT_CSV)
        printf("resident_id,name,birth_date,community%s\n", why ? ",why" : "");
    else if (format == OUT_JSON)
        printf("[");
}

void
out_hit(out_hits_t *h, const Hub__SearchHit *hit)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)hit->resident_id);
    if (h->format == OUT_TABLE && h->n == 0) {
        s_cell("resident", 10), s_cell("name", 14), s_cell("born", 12);
        if (h->why)
            s_cell("community", 14);
        printf("%s\n", h->why ? "why" : "community");
    }
    if (h->format == OUT_CSV) {
        const char *cells[] = {id, hit->name, hit->birth_date, hit->community, hit->why};
        s_csv_line(cells, h->why ? 5 : 4);
    } else if (h->format == OUT_JSON) {
        json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "resident_id", (json_int_t)hit->resident_id, "name",
                              s_str(hit->name), "birth_date", s_str(hit->birth_date), "community",
                              s_str(hit->community));
        if (h->why)
            json_object_set_new(o, "why", json_string(s_str(hit->why)));
        printf("%s\n  ", h->n ? "," : "");
        s_json_put(o, 0);
    } else {
        s_cell(id, 10), s_cell(hit->name, 14), s_cell(hit->birth_date, 12);
        if (h->why)
            s_cell(hit->community, 14);
        printf("%s\n", h->why ? s_str(hit->why) : s_str(hit->community));
    }
    h->n++;
}

void
out_hits_end(out_hits_t *h, bool count_line)
{
    if (h->format == OUT_JSON)
        printf("%s]\n", h->n ? "\n" : "");
    else if (h->format == OUT_TABLE && count_line)
        printf("%lld resident%s\n", h->n, h->n == 1 ? "" : "s");
    else if (h->format == OUT_TABLE && h->n == 0)
        printf("nobody found\n");
}

/* ---- tables: figures, history ---- */

/* A table whose first column is "section" reads as sections: the section
** on a line of its own, then its items indented with their numbers. */
static void
s_table_sections(const Hub__Table *t)
{
    const char *section = NULL;
    for (size_t r = 0; r + t->n_columns <= t->n_cells; r += t->n_columns) {
        char *const *c = t->cells + r;
        if (!section || strcmp(section, c[0]) != 0)
            printf("%s\n", c[0]);
        section = c[0];
        printf("  ");
        s_cell(t->n_columns > 1 ? c[1] : "", 24);
        printf(" %8s", t->n_columns > 2 ? c[2] : "");
        for (size_t k = 3; k < t->n_columns; k++)
            if (*c[k])
                printf("%s%s", k == 3 ? "   " : " ", c[k]);
        putchar('\n');
    }
}

static void
s_table_aligned(const Hub__Table *t)
{
    int *w = calloc(t->n_columns, sizeof *w);
    if (!w)
        return;
    for (size_t k = 0; k < t->n_columns; k++)
        w[k] = (int)norm_display_width(t->columns[k]);
    for (size_t i = 0; i < t->n_cells; i++) {
        int cw = (int)norm_display_width(t->cells[i]);
        if (cw > w[i % t->n_columns])
            w[i % t->n_columns] = cw;
    }
    for (size_t k = 0; k < t->n_columns; k++)
        s_cell(t->columns[k], k + 1 < t->n_columns ? w[k] + 2 : 0);
    putchar('\n');
    for (size_t i = 0; i < t->n_cells; i++) {
        size_t k = i % t->n_columns;
        s_cell(t->cells[i], k + 1 < t->n_columns ? w[k] + 2 : 0);
        if (k + 1 == t->n_columns)
            putchar('\n');
    }
    free(w);
}

void
out_table(const Hub__Answer *a, out_format_t format)
{
    const Hub__Table *t = a->table;
    if (!t || !t->n_columns) {   /* a report in plain words only */
        if (a->report && *a->report)
            printf("%s%s", a->report, a->report[strlen(a->report) - 1] == '\n' ? "" : "\n");
        return;
    }
    if (format == OUT_CSV) {
        s_csv_line((const char *const *)t->columns, t->n_columns);
        for (size_t r = 0; r + t->n_columns <= t->n_cells; r += t->n_columns)
            s_csv_line((const char *const *)t->cells + r, t->n_columns);
    } else if (format == OUT_JSON) {
        printf("{\"title\": ");
        s_json_put(json_string(s_str(a->report)), 0);
        printf(", \"rows\": [");
        for (size_t r = 0; r + t->n_columns <= t->n_cells; r += t->n_columns) {
            json_t *o = json_object();
            for (size_t k = 0; k < t->n_columns; k++)
                json_object_set_new(o, t->columns[k], json_string(t->cells[r + k]));
            printf("%s\n  ", r ? "," : "");
            s_json_put(o, 0);
        }
        printf("%s]}\n", t->n_cells ? "\n" : "");
    } else {
        if (a->report && *a->report)
            printf("%s\n", a->report);
        if (strcmp(t->columns[0], "section") == 0)
            s_table_sections(t);
        else
            s_table_aligned(t);
    }
}

/* ---- residents: get ---- */

/* Every Field of a department payload by its schema name, nested repeated
** messages (a roster's entitlements) as NAME[i].FIELD; fn gets each. */
typedef void (*field_fn)(void *ctx, const char *name, const Hub__Field *v);

static void
s_walk(const ProtobufCMessage *msg, const char *prefix, field_fn fn, void *ctx)
{
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *base = (const char *)msg + f->offset;
        char name[160];
        snprintf(name, sizeof name, "%s%s", prefix, f->name);
        if (f->type == PROTOBUF_C_TYPE_MESSAGE && f->label != PROTOBUF_C_LABEL_REPEATED) {
            const Hub__Field *v = *(Hub__Field *const *)base;
            if (f->descriptor == &hub__field__descriptor && v && v->raw)
                fn(ctx, name, v);
        } else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            size_t n = *(const size_t *)((const char *)msg + f->quantifier_offset);
            const ProtobufCMessage *const *items = *(const ProtobufCMessage *const *const *)base;
            for (size_t k = 0; k < n; k++) {
                char inner[200];
                snprintf(inner, sizeof inner, "%s[%zu].", name, k);
                fn(ctx, inner, NULL);   /* the start of item k */
                s_walk(items[k], inner, fn, ctx);
            }
        }
    }
}

static const char *
s_flags(const Hub__Field *v)
{
    bool bad = v->flags & HUB__FIELD_FLAG__FIELD_INVALID, unmapped = v->flags & HUB__FIELD_FLAG__FIELD_UNMAPPED;
    return bad && unmapped ? "invalid, not mapped" : bad ? "invalid" : unmapped ? "not mapped" : "";
}

static void
s_field_table(void *ctx, const char *name, const Hub__Field *v)
{
    (void)ctx;
    if (!v) {   /* an item of a repeated message: its name, the fields follow indented alike */
        printf("      %.*s\n", (int)strlen(name) - 1, name);
        return;
    }
    const char *leaf = strrchr(name, '.');
    printf("      %-20s %s", leaf ? leaf + 1 : name, v->raw);
    if (v->norm && strcmp(v->norm, v->raw) != 0)
        printf("   [%s]", v->norm);
    if (*s_flags(v))
        printf("   (%s)", s_flags(v));
    printf("\n");
}

typedef struct {
    const char *prefix[4];   /* resident id, "record", department, key */
} csv_ctx_t;

static void
s_field_csv(void *ctx, const char *name, const Hub__Field *v)
{
    const csv_ctx_t *c = ctx;
    if (!v)
        return;
    const char *cells[] = {c->prefix[0], c->prefix[1], c->prefix[2], c->prefix[3], name, v->raw,
                           v->norm ? v->norm : "", s_flags(v)};
    s_csv_line(cells, 8);
}

static void
s_field_json(void *ctx, const char *name, const Hub__Field *v)
{
    if (!v)
        return;
    json_t *o = json_pack("{s:s}", "raw", v->raw);
    if (v->norm)
        json_object_set_new(o, "norm", json_string(v->norm));
    if (*s_flags(v))
        json_object_set_new(o, "flags", json_string(s_flags(v)));
    json_object_set_new(ctx, name, o);
}

static void
s_resident_table(const Hub__Resident *r)
{
    printf("resident %lld", (long long)r->id);
    if (r->idno)
        printf("  identity number %s", r->idno);
    printf("  (%zu source record%s)\n", r->n_records, r->n_records == 1 ? "" : "s");
    if (r->has_asked_id)
        printf("  (%lld was merged into this resident and answers as it)\n", (long long)r->asked_id);
    if (r->n_golden)
        printf("  golden record (value shown, its department, and what others say):\n");
    for (size_t g = 0; g < r->n_golden; g++) {
        const Hub__GoldenField *f = r->golden[g];
        printf("    %-18s %s   (%s)", f->field, s_str(f->value), out_dept_name(f->source));
        for (size_t k = 0; k < f->n_others; k++)
            printf("%s %s (%s)", k ? ";" : "   also:", s_str(f->others[k]->value), out_dept_name(f->others[k]->source));
        printf("\n");
    }
    for (size_t k = 0; k < r->n_records; k++) {
        const Hub__StoredRecord *s = r->records[k];
        const Hub__Record *rec = s->record;
        char when[32];
        s_time(s->received_at_ms, when, sizeof when);
        if (!rec) {
            printf("  record %lld: stored body unreadable\n", (long long)s->record_id);
            continue;
        }
        printf("  %s record %s%s\n", out_dept_name(rec->source), rec->source_key, s->current ? "" : "  (older version)");
        printf("    from %s row %u, sent by %s in batch %llu, received %s\n", rec->origin ? rec->origin->file : "?",
               rec->origin ? rec->origin->row : 0, s->sender ? s->sender : "?", (unsigned long long)s->batch_seq, when);
        const ProtobufCMessage *p = codec_payload(rec);
        if (p)
            s_walk(p, "", s_field_table, NULL);
    }
}

/* CSV: one line per value: the golden record's, the values other
** departments disagree with, and every field of every source record. */
static void
s_resident_csv(const Hub__Resident *r)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)r->id);
    for (size_t g = 0; g < r->n_golden; g++) {
        const Hub__GoldenField *f = r->golden[g];
        const char *cells[] = {id, "golden", out_dept_name(f->source), "", f->field, s_str(f->value), "", ""};
        s_csv_line(cells, 8);
        for (size_t k = 0; k < f->n_others; k++) {
            const char *other[] = {id, "disagrees", out_dept_name(f->others[k]->source), "", f->field,
                                   s_str(f->others[k]->value), "", ""};
            s_csv_line(other, 8);
        }
    }
    for (size_t k = 0; k < r->n_records; k++) {
        const Hub__Record *rec = r->records[k]->record;
        const ProtobufCMessage *p = rec ? codec_payload(rec) : NULL;
        csv_ctx_t c = {{id, r->records[k]->current ? "record" : "older version", rec ? out_dept_name(rec->source) : "",
                        rec ? rec->source_key : ""}};
        if (p)
            s_walk(p, "", s_field_csv, &c);
    }
}

static json_t *
s_resident_json(const Hub__Resident *r)
{
    json_t *o = json_pack("{s:I}", "resident_id", (json_int_t)r->id);
    if (r->idno)
        json_object_set_new(o, "identity_number", json_string(r->idno));
    if (r->has_asked_id)
        json_object_set_new(o, "asked_id", json_integer(r->asked_id));
    json_t *golden = json_array();
    for (size_t g = 0; g < r->n_golden; g++) {
        const Hub__GoldenField *f = r->golden[g];
        json_t *others = json_array();
        for (size_t k = 0; k < f->n_others; k++)
            json_array_append_new(others, json_pack("{s:s, s:s}", "value", s_str(f->others[k]->value), "department",
                                                    out_dept_name(f->others[k]->source)));
        json_array_append_new(golden, json_pack("{s:s, s:s, s:s, s:o}", "field", f->field, "value", s_str(f->value),
                                                "department", out_dept_name(f->source), "others", others));
    }
    json_object_set_new(o, "golden", golden);
    json_t *records = json_array();
    for (size_t k = 0; k < r->n_records; k++) {
        const Hub__StoredRecord *s = r->records[k];
        const Hub__Record *rec = s->record;
        char when[32];
        s_time(s->received_at_ms, when, sizeof when);
        json_t *x = json_pack("{s:I, s:b, s:s, s:s, s:I, s:s}", "record_id", (json_int_t)s->record_id, "current",
                              (int)s->current, "sender", s_str(s->sender), "received", when, "batch",
                              (json_int_t)s->batch_seq, "department", rec ? out_dept_name(rec->source) : "");
        if (rec) {
            json_object_set_new(x, "key", json_string(s_str(rec->source_key)));
            if (rec->origin)
                json_object_set_new(x, "origin", json_pack("{s:s, s:i}", "file", s_str(rec->origin->file), "row",
                                                           (int)rec->origin->row));
            json_t *fields = json_object();
            const ProtobufCMessage *p = codec_payload(rec);
            if (p)
                s_walk(p, "", s_field_json, fields);
            json_object_set_new(x, "fields", fields);
        }
        json_array_append_new(records, x);
    }
    json_object_set_new(o, "records", records);
    return o;
}

void
out_residents(const Hub__Answer *a, out_format_t format)
{
    if (format == OUT_CSV)
        printf("resident_id,part,department,source_key,field,value,normal_form,flags\n");
    json_t *all = format == OUT_JSON ? json_array() : NULL;
    for (size_t i = 0; i < a->n_residents; i++) {
        if (format == OUT_CSV)
            s_resident_csv(a->residents[i]);
        else if (format == OUT_JSON)
            json_array_append_new(all, s_resident_json(a->residents[i]));
        else
            s_resident_table(a->residents[i]);
    }
    if (all) {
        s_json_put(all, JSON_INDENT(2));
        putchar('\n');
    }
}

/* ---- the log, live: tail ---- */

static int
s_level_rank(const char *level)
{
    static const char *names[] = {"error", "warn", "notice", "info", "debug"};
    for (int i = 0; i < 5; i++)
        if (level && strcmp(level, names[i]) == 0)
            return i;
    return 5;
}

bool
out_log_line(const char *text, out_format_t format, const char *level, const char *msgid, const char *sender,
             long long resident)
{
    json_t *o = json_loads(text, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return false;
    }
    const char *lv = json_string_value(json_object_get(o, "level"));
    const char *id = json_string_value(json_object_get(o, "msgid"));
    bool pass = (!level || s_level_rank(lv) <= s_level_rank(level)) && (!msgid || (id && !strncmp(id, msgid, strlen(msgid))));
    if (pass && sender) {
        pass = false;
        for (const char *const *k = (const char *const[]){"sender", "adapter", "principal", NULL}; *k; k++) {
            const char *v = json_string_value(json_object_get(o, *k));
            pass = pass || (v && strcmp(v, sender) == 0);
        }
    }
    if (pass && resident) {
        pass = false;
        for (const char *const *k = (const char *const[]){"resident", "other", "resident_id", NULL}; *k; k++)
            pass = pass || json_integer_value(json_object_get(o, *k)) == resident;
    }
    if (pass && format == OUT_JSON) {
        puts(text);
    } else if (pass) {
        printf("%s %-6s %s", s_str(json_string_value(json_object_get(o, "ts"))), s_str(lv), s_str(id));
        const char *key;
        json_t *v;
        json_object_foreach(o, key, v) {
            if (!strcmp(key, "ts") || !strcmp(key, "level") || !strcmp(key, "msgid"))
                continue;
            if (json_is_string(v))
                printf(" %s=%s", key, json_string_value(v));
            else {
                char *t = json_dumps(v, JSON_ENCODE_ANY);
                printf(" %s=%s", key, t ? t : "?");
                free(t);
            }
        }
        putchar('\n');
    }
    json_decref(o);
    fflush(stdout);
    return pass;
}

void
out_event_json(const feed_event_t *e, const char *dept)
{
    json_t *o = json_pack("{s:I, s:I, s:s}", "seq", (json_int_t)e->seq, "at_ms", (json_int_t)e->at_ms, "kind", e->kind);
    if (e->resident_id)
        json_object_set_new(o, "resident_id", json_integer(e->resident_id));
    if (e->other_resident)
        json_object_set_new(o, "other_resident", json_integer(e->other_resident));
    const char *keys[] = {"community", "source", "source_key", "field", "old_value", "new_value"};
    const char *vals[] = {e->community, dept, e->source_key, e->field, e->old_value, e->new_value};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (*vals[i])
            json_object_set_new(o, keys[i], json_string(vals[i]));
    s_json_put(o, 0);
}
