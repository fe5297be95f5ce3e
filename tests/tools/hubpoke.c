/*
** hubpoke.c: sends one deliberately bad (or odd) message to hubd's ingest
** endpoint as an adapter principal and prints the hub's answer, for the
** bad-input tests:
**   hubpoke --home DIR [--principal police] KIND [SIZE]
** KIND: garbage, truncated, oversized SIZE, version, sender, foreign, good.
** Prints `status=ACK_REJECTED code=EPROTO results=0 rejected=0 reason=...`;
** exit 0 when an answer came, 3 when none did within 5 s.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"

static Hub__Field s_idno = HUB__FIELD__INIT;
static Hub__PoliceRecord s_police = HUB__POLICE_RECORD__INIT;
static Hub__LabourRecord s_labour = HUB__LABOUR_RECORD__INIT;
static Hub__Origin s_origin = HUB__ORIGIN__INIT;
static Hub__Record s_rec = HUB__RECORD__INIT;

/* A one-record batch; `foreign` makes it a labour record. */
static uint8_t *
s_batch(const char *sender, uint32_t version, bool foreign, size_t *len)
{
    s_idno.raw = "110101199003074258";
    s_police.idno = &s_idno;
    s_labour.idno = &s_idno;
    s_origin.file = "hubpoke.csv";
    s_origin.has_row = 1;
    s_origin.row = 1;
    s_rec.has_source = 1;
    s_rec.source_key = foreign ? "LD-POKE-1" : "110101199003074258";
    s_rec.origin = &s_origin;
    if (foreign) {
        s_rec.source = HUB__DEPARTMENT__LABOUR;
        s_rec.payload_case = HUB__RECORD__PAYLOAD_LABOUR;
        s_rec.labour = &s_labour;
    } else {
        s_rec.source = HUB__DEPARTMENT__POLICE;
        s_rec.payload_case = HUB__RECORD__PAYLOAD_POLICE;
        s_rec.police = &s_police;
    }
    Hub__Record *recs[1] = {&s_rec};
    Hub__Batch b = HUB__BATCH__INIT;
    b.n_records = 1;
    b.records = recs;
    Hub__Envelope env = HUB__ENVELOPE__INIT;
    env.sender = (char *)sender;
    env.has_seq = env.has_schema_version = 1;
    env.seq = (uint64_t)client_now_ms();
    env.schema_version = version;
    Hub__Message m = HUB__MESSAGE__INIT;
    m.env = &env;
    m.body_case = HUB__MESSAGE__BODY_BATCH;
    m.batch = &b;
    *len = hub__message__get_packed_size(&m);
    uint8_t *buf = malloc(*len);
    hub__message__pack(&m, buf);
    return buf;
}

int
main(int argc, char **argv)
{
    client_opts_t o = {.principal = "police", .port = CLIENT_INGEST};
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--home") == 0) o.home = argv[i + 1];
        else if (strcmp(argv[i], "--principal") == 0) o.principal = argv[i + 1];
        else if (strcmp(argv[i], "--endpoint") == 0) o.endpoint = argv[i + 1];
    }
    if (i >= argc) {
        fprintf(stderr, "usage: hubpoke --home DIR [--principal NAME] KIND [SIZE]\n");
        return 2;
    }
    const char *kind = argv[i];
    char err[1200];
    client_t *c = client_new(&o, err, sizeof err);
    if (!c) {
        fprintf(stderr, "hubpoke: %s\n", err);
        return 2;
    }
    size_t len = 0;
    uint8_t *buf = NULL;
    if (strcmp(kind, "garbage") == 0) {
        len = 64;
        buf = malloc(len);
        for (size_t k = 0; k < len; k++)
            buf[k] = (uint8_t)(0xff - k * 7);
    } else if (strcmp(kind, "truncated") == 0) {
        buf = s_batch(o.principal, HUB_SCHEMA_VERSION, false, &len);
        len = len * 2 / 3;
    } else if (strcmp(kind, "oversized") == 0 && i + 1 < argc) {
        len = (size_t)atol(argv[i + 1]);
        buf = calloc(1, len);
    } else if (strcmp(kind, "version") == 0) {
        buf = s_batch(o.principal, 99, false, &len);
    } else if (strcmp(kind, "sender") == 0) {
        buf = s_batch("labour", HUB_SCHEMA_VERSION, false, &len);
    } else if (strcmp(kind, "foreign") == 0) {
        buf = s_batch(o.principal, HUB_SCHEMA_VERSION, true, &len);
    } else if (strcmp(kind, "good") == 0) {
        buf = s_batch(o.principal, HUB_SCHEMA_VERSION, false, &len);
    } else {
        fprintf(stderr, "hubpoke: unknown kind `%s`\n", kind);
        return 2;
    }
    int64_t deadline = client_mono_ms() + 5000;
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
                rejected++;
                reason = a->results[k]->reason;
                if (!a->has_reason_code)
                    printf("record_code=%s ", hub_errname((int)a->results[k]->reason_code));
            }
        const ProtobufCEnumValue *sv = protobuf_c_enum_descriptor_get_value(&hub__ack_status__descriptor, a->status);
        printf("status=%s code=%s results=%zu rejected=%zu reason=%s\n", sv ? sv->name : "?",
               a->has_reason_code ? hub_errname((int)a->reason_code) : "OK", a->n_results, rejected,
               reason ? reason : "");
        rc = 0;
    } else {
        printf("no answer\n");
    }
    if (m)
        hub__message__free_unpacked(m, NULL);
    client_destroy(&c);
    return rc;
}
