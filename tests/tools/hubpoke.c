/*
** hubpoke.c: sends one deliberately bad (or odd) message to hubd as a
** principal and prints the hub's answer, for the bad-input tests:
**   hubpoke --home DIR [--principal police] [--key FILE] [--seq N] [--idno N] KIND [ARG]
** Ingest KINDs (a one-record police batch unless said otherwise):
**   good          a well-formed batch (--idno: its number and key)
**   garbage       64 bytes that are not protobuf
**   truncated     a good batch cut to two thirds
**   trailing      a good batch followed by 8 zero bytes (over-long)
**   oversized N   N zero bytes
**   hugelen       a good envelope, then a batch whose length field claims 4 GiB
**   deep N        a batch of records nested N deep (beyond the schema)
**   many N        a batch of N records
**   hugestr N     a record whose name is N bytes
**   version       schema version 99
**   sender        the envelope names another principal (labour)
**   badsender     the envelope's sender is not valid UTF-8
**   foreign       a labour record
**   dept99        a record of Department 99
**   badutf8       a record whose name is not valid UTF-8
**   nulstr        a record whose name holds a NUL byte
** Query KINDs (to the query endpoint; --principal admin by default):
**   q-badutf8     a search whose name is not valid UTF-8
**   q-hugestr N   a search whose address is N bytes
**   q-command TEXT an operator's command named TEXT (with TEXT as its name,
**                 role, public key and filter too)
** --seq N sets the envelope's seq (default: the clock in ms), so a test
** can replay a batch byte for byte or reuse a seq for another batch.
** Prints `status=ACK_REJECTED code=EPROTO results=0 rejected=0 reason=...`
** (queries: `status=EPROTO error=...` or `status=OK ...`); exit 0 when an
** answer came, 3 when none did within 5 s (60 s for messages over 100 kB).
*/
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"

static const char *s_idno_raw = "110101199003074258";
static uint64_t s_seq;

/* A police record with the given number and name (NULL: none). */
static Hub__Record *
s_record(const char *idno, const char *name, size_t name_len, uint32_t row)
{
    Hub__Record *r = calloc(1, sizeof *r);
    Hub__PoliceRecord *p = calloc(1, sizeof *p);
    Hub__Field *fi = calloc(1, sizeof *fi), *fn = calloc(1, sizeof *fn);
    Hub__Origin *o = calloc(1, sizeof *o);
    hub__record__init(r);
    hub__police_record__init(p);
    hub__field__init(fi);
    hub__field__init(fn);
    hub__origin__init(o);
    fi->raw = strdup(idno);
    p->idno = fi;
    if (name) {
        fn->raw = malloc(name_len + 1);
        memcpy(fn->raw, name, name_len);
        fn->raw[name_len] = 0;
        p->name = fn;
    } else {
        free(fn);
    }
    o->file = strdup("hubpoke.csv");
    o->has_row = 1;
    o->row = row;
    r->has_source = 1;
    r->source = HUB__DEPARTMENT__POLICE;
    r->source_key = strdup(idno);
    r->origin = o;
    r->payload_case = HUB__RECORD__PAYLOAD_POLICE;
    r->police = p;
    return r;
}

/* The message of a batch of n records, packed. */
static uint8_t *
s_pack(const char *sender, uint32_t version, Hub__Record **recs, size_t n, size_t *len)
{
    Hub__Batch b = HUB__BATCH__INIT;
    b.n_records = n;
    b.records = recs;
    Hub__Envelope env = HUB__ENVELOPE__INIT;
    env.sender = (char *)sender;
    env.has_seq = env.has_schema_version = 1;
    env.seq = s_seq;
    env.schema_version = version;
    Hub__Message m = HUB__MESSAGE__INIT;
    m.env = &env;
    m.body_case = HUB__MESSAGE__BODY_BATCH;
    m.batch = &b;
    *len = hub__message__get_packed_size(&m);
    uint8_t *buf = malloc(*len ? *len : 1);
    hub__message__pack(&m, buf);
    for (size_t i = 0; i < n; i++)
        hub__record__free_unpacked(recs[i], NULL);   /* calloc'd like protobuf-c's own */
    return buf;
}

static uint8_t *
s_one(const char *sender, uint32_t version, Hub__Record *r, size_t *len)
{
    return s_pack(sender, version, &r, 1, len);
}

static size_t
s_varint(uint64_t v, uint8_t *out)
{
    size_t n = 0;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        out[n++] = b | (v ? 0x80 : 0);
    } while (v);
    return n;
}

/* The envelope alone, as a Message's field 1 (for hand-made bodies). */
static size_t
s_envelope(const char *sender, uint8_t *out)
{
    Hub__Envelope env = HUB__ENVELOPE__INIT;
    env.sender = (char *)sender;
    env.has_seq = env.has_schema_version = 1;
    env.seq = s_seq;
    env.schema_version = HUB_SCHEMA_VERSION;
    size_t n = hub__envelope__get_packed_size(&env);
    out[0] = 0x0a;
    size_t k = 1 + s_varint(n, out + 1);
    hub__envelope__pack(&env, out + k);
    return k + n;
}

/* Batch field 10 holding records nested depth deep: each level a field 1. */
static uint8_t *
s_deep(const char *sender, size_t depth, size_t *len)
{
    size_t *inner = malloc((depth + 1) * sizeof *inner);   /* size of level k's content */
    uint8_t tmp[10];
    inner[depth] = 0;
    for (size_t k = depth; k-- > 0;)
        inner[k] = 1 + s_varint(inner[k + 1], tmp) + inner[k + 1];
    size_t total = 256 + 1 + 10 + inner[0];
    uint8_t *buf = malloc(total);
    size_t n = s_envelope(sender, buf);
    buf[n++] = 0x52;   /* field 10 (batch), length-delimited */
    n += s_varint(inner[0], buf + n);
    for (size_t k = 0; k < depth; k++) {
        buf[n++] = 0x0a;   /* field 1 (records / source), length-delimited */
        n += s_varint(inner[k + 1], buf + n);
    }
    free(inner);
    *len = n;
    return buf;
}

/* A query message with the given body, packed. */
static uint8_t *
s_query(Hub__Query *q, size_t *len)
{
    Hub__Envelope env = HUB__ENVELOPE__INIT;
    env.sender = "admin";
    env.has_seq = env.has_schema_version = 1;
    env.seq = s_seq;
    env.schema_version = HUB_SCHEMA_VERSION;
    Hub__Message m = HUB__MESSAGE__INIT;
    m.env = &env;
    m.body_case = HUB__MESSAGE__BODY_QUERY;
    m.query = q;
    *len = hub__message__get_packed_size(&m);
    uint8_t *buf = malloc(*len);
    hub__message__pack(&m, buf);
    return buf;
}

static int
s_usage(void)
{
    fprintf(stderr, "usage: hubpoke --home DIR [--principal NAME] [--key FILE] [--seq N] [--idno N] KIND [ARG]\n");
    return 2;
}

int
main(int argc, char **argv)
{
    client_opts_t o = {.principal = NULL, .port = CLIENT_INGEST};
    int i = 1;
    s_seq = (uint64_t)client_now_ms();
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--home") == 0) o.home = argv[i + 1];
        else if (strcmp(argv[i], "--principal") == 0) o.principal = argv[i + 1];
        else if (strcmp(argv[i], "--endpoint") == 0) o.endpoint = argv[i + 1];
        else if (strcmp(argv[i], "--key") == 0) o.key_file = argv[i + 1];
        else if (strcmp(argv[i], "--seq") == 0) s_seq = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--idno") == 0) s_idno_raw = argv[i + 1];
        else return s_usage();
    }
    if (i >= argc)
        return s_usage();
    const char *kind = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;
    size_t num = arg ? (size_t)strtoull(arg, NULL, 10) : 0;
    bool query = strncmp(kind, "q-", 2) == 0;
    if (query)
        o.port = CLIENT_QUERY;
    if (!o.principal)
        o.principal = query ? "admin" : "police";
    const char *me = o.principal;
    size_t len = 0;
    uint8_t *buf = NULL;
    Hub__Query q = HUB__QUERY__INIT;
    Hub__SearchQuery sq = HUB__SEARCH_QUERY__INIT;
    Hub__Admin adm = HUB__ADMIN__INIT;
    q.purpose = "hubpoke";
    if (strcmp(kind, "good") == 0) {
        buf = s_one(me, HUB_SCHEMA_VERSION, s_record(s_idno_raw, NULL, 0, 1), &len);
    } else if (strcmp(kind, "garbage") == 0) {
        len = 64;
        buf = malloc(len);
        for (size_t k = 0; k < len; k++)
            buf[k] = (uint8_t)(0xff - k * 7);
    } else if (strcmp(kind, "truncated") == 0) {
        buf = s_one(me, HUB_SCHEMA_VERSION, s_record(s_idno_raw, NULL, 0, 1), &len);
        len = len * 2 / 3;
    } else if (strcmp(kind, "trailing") == 0) {
        buf = s_one(me, HUB_SCHEMA_VERSION, s_record(s_idno_raw, NULL, 0, 1), &len);
        buf = realloc(buf, len + 8);
        memset(buf + len, 0, 8);
        len += 8;
    } else if (strcmp(kind, "oversized") == 0 && arg) {
        len = num;
        buf = calloc(1, len);
    } else if (strcmp(kind, "hugelen") == 0) {
        buf = malloc(300);
        len = s_envelope(me, buf);
        buf[len++] = 0x52;   /* batch, length-delimited: 4 GiB claimed */
        len += s_varint(UINT64_C(4) << 30, buf + len);
        memcpy(buf + len, "\x0a\x02\x08\x01", 4);
        len += 4;
    } else if (strcmp(kind, "deep") == 0 && num) {
        buf = s_deep(me, num, &len);
    } else if (strcmp(kind, "many") == 0 && num) {
        Hub__Record **recs = calloc(num, sizeof *recs);
        for (size_t k = 0; k < num; k++) {
            char key[32];
            snprintf(key, sizeof key, "HUBPOKE%08zu", k);
            recs[k] = s_record(key, NULL, 0, (uint32_t)k + 1);
        }
        buf = s_pack(me, HUB_SCHEMA_VERSION, recs, num, &len);
        free(recs);
    } else if (strcmp(kind, "hugestr") == 0 && num) {
        char *name = malloc(num);
        memset(name, 'a', num);
        buf = s_one(me, HUB_SCHEMA_VERSION, s_record(s_idno_raw, name, num, 1), &len);
        free(name);
    } else if (strcmp(kind, "version") == 0) {
        buf = s_one(me, 99, s_record(s_idno_raw, NULL, 0, 1), &len);
    } else if (strcmp(kind, "sender") == 0) {
        buf = s_one("labour", HUB_SCHEMA_VERSION, s_record(s_idno_raw, NULL, 0, 1), &len);
    } else if (strcmp(kind, "badsender") == 0) {
        buf = s_one("pol\xff\xfeice", HUB_SCHEMA_VERSION, s_record(s_idno_raw, NULL, 0, 1), &len);
    } else if (strcmp(kind, "foreign") == 0) {
        Hub__Record *r = s_record(s_idno_raw, NULL, 0, 1);
        Hub__LabourRecord *l = calloc(1, sizeof *l);
        hub__labour_record__init(l);
        l->idno = r->police->idno;
        r->police->idno = NULL;
        hub__police_record__free_unpacked(r->police, NULL);
        free(r->source_key);
        r->source_key = strdup("LD-POKE-1");
        r->source = HUB__DEPARTMENT__LABOUR;
        r->payload_case = HUB__RECORD__PAYLOAD_LABOUR;
        r->labour = l;
        buf = s_one(me, HUB_SCHEMA_VERSION, r, &len);
    } else if (strcmp(kind, "dept99") == 0) {
        Hub__Record *r = s_record(s_idno_raw, NULL, 0, 1);
        r->source = (Hub__Department)99;
        buf = s_one(me, HUB_SCHEMA_VERSION, r, &len);
    } else if (strcmp(kind, "badutf8") == 0) {
        buf = s_one(me, HUB_SCHEMA_VERSION, s_record(s_idno_raw, "\xe5\xbc\xa0\xff\xfe", 5, 1), &len);
    } else if (strcmp(kind, "nulstr") == 0) {
        /* protobuf-c cuts a C string at its NUL: pack a name "ab", then make it "a\0" */
        buf = s_one(me, HUB_SCHEMA_VERSION, s_record(s_idno_raw, "ab", 2, 1), &len);
        for (size_t k = 0; k + 3 < len; k++)
            if (buf[k] == 0x0a && buf[k + 1] == 2 && buf[k + 2] == 'a' && buf[k + 3] == 'b')
                buf[k + 3] = 0;
    } else if (strcmp(kind, "q-badutf8") == 0) {
        sq.name = "\xe5\xbc\xa0\xff";
        q.q_case = HUB__QUERY__Q_SEARCH;
        q.search = &sq;
        buf = s_query(&q, &len);
    } else if (strcmp(kind, "q-hugestr") == 0 && num) {
        sq.address = malloc(num + 1);
        memset(sq.address, 'a', num);
        sq.address[num] = 0;
        q.q_case = HUB__QUERY__Q_SEARCH;
        q.search = &sq;
        buf = s_query(&q, &len);
        free(sq.address);
    } else if (strcmp(kind, "q-command") == 0 && arg) {
        adm.command = adm.name = adm.role = adm.public_key = adm.filter = (char *)arg;
        q.q_case = HUB__QUERY__Q_ADMIN;
        q.admin = &adm;
        buf = s_query(&q, &len);
    } else {
        fprintf(stderr, "hubpoke: unknown kind `%s` (or its argument is missing)\n", kind);
        return s_usage();
    }
    char err[1200];
    client_t *c = client_new(&o, err, sizeof err);
    if (!c) {
        fprintf(stderr, "hubpoke: %s\n", err);
        return 2;
    }
    int64_t deadline = client_mono_ms() + (len > 100000 ? 60000 : 5000);   /* big ones: slow builds (ASan) */
    while (client_send_raw(c, buf, len) != HUB_OK && client_mono_ms() < deadline) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    free(buf);
    int rc = 3;
    long left = deadline - client_mono_ms();
    Hub__Message *m = client_recv(c, left > 0 ? (int)left : 0);
    if (m && m->body_case == HUB__MESSAGE__BODY_ACK) {
        const Hub__Ack *a = m->ack;
        size_t rejected = 0;
        const char *reason = a->reason;
        for (size_t k = 0; k < a->n_results; k++)
            if (a->results[k]->result == HUB__RECORD_RESULT__REJECTED) {
                if (!rejected++ && !a->has_reason_code)
                    printf("record_code=%s ", hub_errname((int)a->results[k]->reason_code));
                reason = a->results[k]->reason;
            }
        const ProtobufCEnumValue *sv = protobuf_c_enum_descriptor_get_value(&hub__ack_status__descriptor, a->status);
        printf("status=%s code=%s results=%zu rejected=%zu reason=%s\n", sv ? sv->name : "?",
               a->has_reason_code ? hub_errname((int)a->reason_code) : "OK", a->n_results, rejected,
               reason ? reason : "");
        rc = 0;
    } else if (m && m->body_case == HUB__MESSAGE__BODY_ANSWER) {
        const Hub__Answer *a = m->answer;
        printf("status=%s error=%s report=%s\n", hub_errname(a->has_status ? (int)a->status : 0),
               a->error ? a->error : "", a->report ? a->report : "");
        rc = 0;
    } else {
        printf("no answer\n");
    }
    if (m)
        hub__message__free_unpacked(m, NULL);
    client_destroy(&c);
    return rc;
}
