/* reconcile.c: an export against the hub's records of its department (see reconcile.h). */
#define _POSIX_C_SOURCE 200809L
#include "reconcile.h"

#include "codec.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 5000
#define VALUE_MAX 512

typedef struct {
    char *key;
    Hub__Record *rec;   /* unpacked: ours */
} entry_t;

typedef struct {
    entry_t *v;
    size_t n, cap;
} entries_t;

struct recon {
    entries_t export_;
    unsigned kinds;     /* the payload cases the export holds, as bits */
};

recon_t *
recon_new(void)
{
    return HUB_CHECK_ALLOC(calloc(1, sizeof(recon_t)));
}

static void
s_free_entries(entries_t *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->v[i].key);
        hub__record__free_unpacked(e->v[i].rec, NULL);
    }
    free(e->v);
    memset(e, 0, sizeof *e);
}

void
recon_destroy(recon_t **self_p)
{
    recon_t *self = *self_p;
    if (!self)
        return;
    s_free_entries(&self->export_);
    free(self);
    *self_p = NULL;
}

/* A copy of rec in entries (packed and unpacked: a record of its own). */
static void
s_push(entries_t *e, const Hub__Record *rec)
{
    size_t len = hub__record__get_packed_size(rec);
    uint8_t *buf = HUB_CHECK_ALLOC(malloc(len ? len : 1));
    hub__record__pack(rec, buf);
    Hub__Record *copy = hub__record__unpack(NULL, len, buf);
    free(buf);
    if (!copy)
        return;
    if (e->n == e->cap)
        e->v = HUB_CHECK_ALLOC(realloc(e->v, (e->cap = e->cap ? e->cap * 2 : 1024) * sizeof *e->v));
    e->v[e->n].key = HUB_CHECK_ALLOC(strdup(rec->source_key ? rec->source_key : ""));
    e->v[e->n++].rec = copy;
}

void
recon_add(recon_t *self, const Hub__Record *rec)
{
    self->kinds |= 1u << rec->payload_case % 32;
    s_push(&self->export_, rec);
}

static int
s_cmp_entries(const void *x, const void *y)
{
    return strcmp(((const entry_t *)x)->key, ((const entry_t *)y)->key);
}

static void s_text(const ProtobufCMessage *m, char *out, size_t cap, size_t *len);

/* One field's value as text: a hub.Field by what the department wrote (raw),
** another message by its fields, a repeated one element after element. */
static void
s_field_text(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f, char *out, size_t cap, size_t *len)
{
    const char *base = (const char *)m;
    size_t count = 1;
    const void *at = base + f->offset;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        count = *(const size_t *)(base + f->quantifier_offset);
        at = *(void *const *)(base + f->offset);
    }
    for (size_t i = 0; i < count && *len + 1 < cap; i++) {
        if (i)
            *len += (size_t)snprintf(out + *len, cap - *len, ";");
        if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            const ProtobufCMessage *sub = f->label == PROTOBUF_C_LABEL_REPEATED ? ((ProtobufCMessage *const *)at)[i]
                                                                                : *(ProtobufCMessage *const *)at;
            if (sub && sub->descriptor == &hub__field__descriptor) {
                const char *raw = ((const Hub__Field *)sub)->raw;
                *len += (size_t)snprintf(out + *len, cap - *len, "%s", raw ? raw : "");
            } else if (sub) {
                s_text(sub, out, cap, len);
            }
        } else if (f->type == PROTOBUF_C_TYPE_STRING) {
            const char *v = f->label == PROTOBUF_C_LABEL_REPEATED ? ((char *const *)at)[i] : *(char *const *)at;
            *len += (size_t)snprintf(out + *len, cap - *len, "%s", v ? v : "");
        } else if (f->type == PROTOBUF_C_TYPE_INT64 || f->type == PROTOBUF_C_TYPE_UINT64) {
            *len += (size_t)snprintf(out + *len, cap - *len, "%lld", ((const long long *)at)[i]);
        } else if (f->type == PROTOBUF_C_TYPE_INT32 || f->type == PROTOBUF_C_TYPE_UINT32
                   || f->type == PROTOBUF_C_TYPE_ENUM) {
            *len += (size_t)snprintf(out + *len, cap - *len, "%d", ((const int *)at)[i]);
        } else if (f->type == PROTOBUF_C_TYPE_BOOL) {
            *len += (size_t)snprintf(out + *len, cap - *len, "%d", ((const protobuf_c_boolean *)at)[i]);
        }
        if (*len >= cap)
            *len = cap - 1;
    }
}

static void
s_text(const ProtobufCMessage *m, char *out, size_t cap, size_t *len)
{
    for (unsigned k = 0; k < m->descriptor->n_fields && *len + 1 < cap; k++) {
        if (k)
            *len += (size_t)snprintf(out + *len, cap - *len, " ");
        if (*len >= cap)
            *len = cap - 1;
        s_field_text(m, &m->descriptor->fields[k], out, cap, len);
    }
}

/* Fields that are not values of the record: civil affairs' 序号 is the
** row's number in its export (format page: not stable between exports);
** police delta says which kind of file the row came in. */
static const char *const s_not_values[] = {"serial_no", "delta", NULL};

static bool
s_is_value(const char *field)
{
    for (const char *const *p = s_not_values; *p; p++)
        if (!strcmp(*p, field))
            return false;
    return true;
}

/* Each field of the payload whose value differs: one line. */
static size_t
s_diff(const entry_t *hub, const entry_t *exp, FILE *out)
{
    const ProtobufCMessage *a = codec_payload(hub->rec), *b = codec_payload(exp->rec);
    if (!a || !b || a->descriptor != b->descriptor) {
        fprintf(out, "differs\t%s\t(kind of record)\t\t\n", exp->key);
        return 1;
    }
    size_t n = 0;
    for (unsigned k = 0; k < a->descriptor->n_fields; k++) {
        const ProtobufCFieldDescriptor *f = &a->descriptor->fields[k];
        if (!s_is_value(f->name))
            continue;
        char va[VALUE_MAX], vb[VALUE_MAX];
        size_t la = 0, lb = 0;
        va[0] = vb[0] = 0;
        s_field_text(a, f, va, sizeof va, &la);
        s_field_text(b, f, vb, sizeof vb, &lb);
        if (strcmp(va, vb) != 0) {
            fprintf(out, "differs\t%s\t%s\t%s\t%s\n", exp->key, f->name, va, vb);
            n++;
        }
    }
    return n;
}

/* The hub's current records of the department, of the export's kinds. */
static int
s_fetch(recon_t *self, client_t *c, int department, const char *purpose, entries_t *hub)
{
    int64_t after = 0;
    for (uint64_t seq = 1;; seq++) {
        Hub__RecordsQuery rq = HUB__RECORDS_QUERY__INIT;
        rq.has_source = rq.has_after = rq.has_limit = 1;
        rq.source = (Hub__Department)department;
        rq.after = after;
        rq.limit = PAGE;
        Hub__Query q = HUB__QUERY__INIT;
        q.q_case = HUB__QUERY__Q_RECORDS;
        q.records = &rq;
        Hub__Message *m = client_ask(c, &q, purpose, seq, 60000);
        if (!m) {
            fprintf(stderr, "reconcile: no answer from the hub at %s (is hubd running?)\n", client_endpoint(c));
            return 3;
        }
        const Hub__Answer *a = m->answer;
        if (a->has_status && a->status != 0) {
            fprintf(stderr, "reconcile: %s\n", a->error ? a->error : "the hub refused");
            hub__message__free_unpacked(m, NULL);
            return 3;
        }
        for (size_t i = 0; i < a->n_records; i++) {
            const Hub__Record *r = a->records[i]->record;
            if (r && (self->kinds & (1u << r->payload_case % 32)))
                s_push(hub, r);
        }
        bool done = !a->has_done || a->done || !a->n_records;
        after = a->has_next_after ? a->next_after : after;
        hub__message__free_unpacked(m, NULL);
        if (done)
            return 0;
    }
}

int
recon_run(recon_t *self, const client_opts_t *opts, int department, const char *purpose, FILE *out)
{
    char err[600];
    client_opts_t o = *opts;
    o.port = CLIENT_QUERY;
    client_t *c = client_new(&o, err, sizeof err);
    if (!c) {
        fprintf(stderr, "reconcile: %s\n", err);
        return 3;
    }
    entries_t hub = {0};
    int rc = s_fetch(self, c, department, purpose, &hub);
    client_destroy(&c);
    if (rc) {
        s_free_entries(&hub);
        return rc;
    }
    entries_t *ex = &self->export_;
    qsort(ex->v, ex->n, sizeof *ex->v, s_cmp_entries);
    qsort(hub.v, hub.n, sizeof *hub.v, s_cmp_entries);
    size_t i = 0, k = 0, missing = 0, gone = 0, differing = 0, fields = 0;
    while (i < ex->n || k < hub.n) {
        int cmp = i == ex->n ? 1 : k == hub.n ? -1 : strcmp(ex->v[i].key, hub.v[k].key);
        if (i < ex->n && i > 0 && !strcmp(ex->v[i].key, ex->v[i - 1].key)) {   /* a key twice in the export */
            i++;
            continue;
        }
        if (cmp < 0) {
            fprintf(out, "missing_in_hub\t%s\t\t\t\n", ex->v[i++].key);
            missing++;
        } else if (cmp > 0) {
            fprintf(out, "gone_from_export\t%s\t\t\t\n", hub.v[k++].key);
            gone++;
        } else {
            size_t n = s_diff(&hub.v[k++], &ex->v[i++], out);
            fields += n;
            differing += n > 0;
        }
    }
    fprintf(out, "reconciled: %zu records in the export, %zu in the hub: %zu missing from the hub, "
                 "%zu no longer in the export, %zu differing (%zu fields)\n",
            ex->n, hub.n, missing, gone, differing, fields);
    s_free_entries(&hub);
    return missing || gone || differing ? 1 : 0;
}
