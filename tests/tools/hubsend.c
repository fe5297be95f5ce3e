/*
** hubsend.c: sends records described in a small text file to hubd's ingest
** endpoint, each as the principal of its department, and prints the hub's
** answer; for tests that need records of any department without the
** department's adapter (and with adapter norms the hub must not trust):
**   hubsend --home DIR [--as PRINCIPAL] FILE
**
** FILE: one record per line, fields separated by TAB; blank lines and lines
** starting with # are skipped:
**   PAYLOAD  KEY  NAME=RAW  NAME.norm=NORM  NAME.flags=N  changed_at=SECONDS ...
** PAYLOAD is the Record payload: police, family_planning, labour,
** civil_affairs or facility. NAME is a Field of that payload in
** proto/hub.proto; NAME=RAW sets its raw value (which may contain spaces),
** NAME.norm and NAME.flags the adapter's normal form and flag bits. For
** labour, training.course=… starts a new training and training.end_date=…
** sets the last one's end date. The origin is the file's base name and the
** line number. Records go in one batch per principal (police,
** familyplanning, labour, civilaffairs), or all as PRINCIPAL with --as.
** Prints one line per batch:
**   PRINCIPAL: N records, N accepted, N duplicates, N rejected
** Exit 0 when every batch was acknowledged, 1 on a bad FILE, 2 bad usage,
** 3 when an answer did not come within 5 s.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"

static const struct {
    const char *payload;
    const char *principal;
    Hub__Department department;
    Hub__Record__PayloadCase pcase;
    const ProtobufCMessageDescriptor *desc;
} s_payloads[] = {
    {"police", "police", HUB__DEPARTMENT__POLICE, HUB__RECORD__PAYLOAD_POLICE, &hub__police_record__descriptor},
    {"family_planning", "familyplanning", HUB__DEPARTMENT__FAMILY_PLANNING, HUB__RECORD__PAYLOAD_FAMILY_PLANNING,
     &hub__family_planning_record__descriptor},
    {"labour", "labour", HUB__DEPARTMENT__LABOUR, HUB__RECORD__PAYLOAD_LABOUR, &hub__labour_record__descriptor},
    {"civil_affairs", "civilaffairs", HUB__DEPARTMENT__CIVIL_AFFAIRS, HUB__RECORD__PAYLOAD_CIVIL_AFFAIRS,
     &hub__civil_affairs_record__descriptor},
    {"facility", "civilaffairs", HUB__DEPARTMENT__CIVIL_AFFAIRS, HUB__RECORD__PAYLOAD_FACILITY,
     &hub__facility_record__descriptor},
};
#define NPAYLOADS (sizeof s_payloads / sizeof s_payloads[0])

typedef struct {
    const char *principal;
    Hub__Record **recs;
    size_t n, cap;
} group_t;

static char *
s_dup(const char *s)
{
    return HUB_CHECK_ALLOC(strdup(s));
}

/* The Hub__Field named name in msg (made when missing), or NULL when msg
** has no such Field. */
static Hub__Field *
s_field(ProtobufCMessage *msg, const char *name)
{
    const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, name);
    if (!fd || fd->type != PROTOBUF_C_TYPE_MESSAGE || fd->label == PROTOBUF_C_LABEL_REPEATED
        || fd->descriptor != &hub__field__descriptor)
        return NULL;
    Hub__Field **slot = (Hub__Field **)((char *)msg + fd->offset);
    if (!*slot) {
        *slot = HUB_CHECK_ALLOC(malloc(sizeof **slot));
        hub__field__init(*slot);
    }
    return *slot;
}

/* Apply one NAME[.norm|.flags]=VALUE to the payload (or the record). */
static bool
s_set(Hub__Record *r, ProtobufCMessage *payload, const char *token)
{
    const char *eq = strchr(token, '=');
    if (!eq)
        return false;
    char name[128];
    size_t n = (size_t)(eq - token);
    if (n == 0 || n >= sizeof name)
        return false;
    memcpy(name, token, n);
    name[n] = 0;
    const char *value = eq + 1;
    if (strcmp(name, "changed_at") == 0) {
        r->has_changed_at = 1;
        r->changed_at = atoll(value);
        return true;
    }
    if (r->payload_case == HUB__RECORD__PAYLOAD_LABOUR && strncmp(name, "training.", 9) == 0) {
        Hub__LabourRecord *l = r->labour;
        bool course = strcmp(name + 9, "course") == 0;
        if (course || l->n_training == 0) {
            l->training = HUB_CHECK_ALLOC(realloc(l->training, (l->n_training + 1) * sizeof *l->training));
            Hub__Training *t = HUB_CHECK_ALLOC(malloc(sizeof *t));
            hub__training__init(t);
            l->training[l->n_training++] = t;
        }
        Hub__Field *f = s_field(&l->training[l->n_training - 1]->base, name + 9);
        if (!f)
            return false;
        free(f->raw);
        f->raw = s_dup(value);
        return true;
    }
    char *dot = strchr(name, '.');
    if (dot)
        *dot++ = 0;
    Hub__Field *f = s_field(payload, name);
    if (!f)
        return false;
    if (!dot) {
        free(f->raw);
        f->raw = s_dup(value);
    } else if (strcmp(dot, "norm") == 0) {
        free(f->norm);
        f->norm = s_dup(value);
    } else if (strcmp(dot, "flags") == 0) {
        f->has_flags = 1;
        f->flags = (uint32_t)atoi(value);
    } else {
        return false;
    }
    return true;
}

/* One line into a record; NULL with a message on stderr when it is bad. */
static Hub__Record *
s_record(char *line, const char *file, unsigned lineno, const char **principal)
{
    char *save = NULL;
    char *payload_name = strtok_r(line, "\t", &save), *key = strtok_r(NULL, "\t", &save);
    size_t p = 0;
    while (payload_name && p < NPAYLOADS && strcmp(s_payloads[p].payload, payload_name) != 0)
        p++;
    if (!payload_name || p == NPAYLOADS || !key) {
        fprintf(stderr, "hubsend: %s:%u: want PAYLOAD<TAB>KEY<TAB>fields\n", file, lineno);
        return NULL;
    }
    Hub__Record *r = HUB_CHECK_ALLOC(malloc(sizeof *r));
    hub__record__init(r);
    r->has_source = 1;
    r->source = s_payloads[p].department;
    r->source_key = s_dup(key);
    r->origin = HUB_CHECK_ALLOC(malloc(sizeof *r->origin));
    hub__origin__init(r->origin);
    r->origin->file = s_dup(file);
    r->origin->has_row = 1;
    r->origin->row = lineno;
    ProtobufCMessage *msg = HUB_CHECK_ALLOC(calloc(1, s_payloads[p].desc->sizeof_message));
    protobuf_c_message_init(s_payloads[p].desc, msg);
    r->payload_case = s_payloads[p].pcase;
    switch (r->payload_case) {   /* every payload pointer is the same union member */
    case HUB__RECORD__PAYLOAD_POLICE: r->police = (Hub__PoliceRecord *)msg; break;
    case HUB__RECORD__PAYLOAD_FAMILY_PLANNING: r->family_planning = (Hub__FamilyPlanningRecord *)msg; break;
    case HUB__RECORD__PAYLOAD_LABOUR: r->labour = (Hub__LabourRecord *)msg; break;
    case HUB__RECORD__PAYLOAD_CIVIL_AFFAIRS: r->civil_affairs = (Hub__CivilAffairsRecord *)msg; break;
    case HUB__RECORD__PAYLOAD_FACILITY: r->facility = (Hub__FacilityRecord *)msg; break;
    default: break;
    }
    for (char *tok; (tok = strtok_r(NULL, "\t", &save)) != NULL;)
        if (!s_set(r, msg, tok)) {
            fprintf(stderr, "hubsend: %s:%u: `%s` is not NAME=VALUE of a %s field\n", file, lineno, tok,
                    payload_name);
            hub__record__free_unpacked(r, NULL);
            return NULL;
        }
    *principal = s_payloads[p].principal;
    return r;
}

static int
s_send(const char *home, group_t *g)
{
    client_opts_t o = {.home = home, .principal = g->principal, .port = CLIENT_INGEST};
    char err[1200];
    client_t *c = client_new(&o, err, sizeof err);
    if (!c) {
        fprintf(stderr, "hubsend: %s\n", err);
        return 2;
    }
    Hub__Batch b = HUB__BATCH__INIT;
    b.n_records = g->n;
    b.records = g->recs;
    Hub__Message m = HUB__MESSAGE__INIT;
    m.body_case = HUB__MESSAGE__BODY_BATCH;
    m.batch = &b;
    uint64_t seq = (uint64_t)client_now_ms();
    int64_t deadline = client_mono_ms() + 5000;
    while (client_send(c, &m, seq) == HUB_EBUSY && client_mono_ms() < deadline) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    int rc = 3;
    for (;;) {
        long left = deadline - client_mono_ms();
        Hub__Message *a = client_recv(c, left > 0 ? (int)left : 0);
        if (!a)
            break;
        if (a->body_case == HUB__MESSAGE__BODY_ACK && a->ack->seq == seq) {
            size_t counts[4] = {0};
            for (size_t k = 0; k < a->ack->n_results; k++)
                if (a->ack->results[k]->result <= 3)
                    counts[a->ack->results[k]->result]++;
            printf("%s: %zu records, %zu accepted, %zu duplicates, %zu rejected\n", g->principal, g->n,
                   counts[1], counts[2], counts[3]);
            rc = a->ack->status == HUB__ACK_STATUS__ACK_OK ? 0 : 1;
            hub__message__free_unpacked(a, NULL);
            break;
        }
        hub__message__free_unpacked(a, NULL);
    }
    if (rc == 3)
        printf("%s: no answer\n", g->principal);
    client_destroy(&c);
    return rc;
}

int
main(int argc, char **argv)
{
    const char *home = NULL, *as = NULL;
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--home") == 0) home = argv[i + 1];
        else if (strcmp(argv[i], "--as") == 0) as = argv[i + 1];
    }
    if (!home || i + 1 != argc) {
        fprintf(stderr, "usage: hubsend --home DIR [--as PRINCIPAL] FILE\n");
        return 2;
    }
    const char *path = argv[i], *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    FILE *in = fopen(path, "r");
    if (!in) {
        perror(path);
        return 1;
    }
    group_t groups[NPAYLOADS + 1];
    size_t ngroups = 0;
    char *line = NULL;
    size_t cap = 0;
    unsigned lineno = 0;
    int rc = 0;
    ssize_t len;
    while (rc == 0 && (len = getline(&line, &cap, in)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (len == 0 || line[0] == '#')
            continue;
        const char *principal;
        Hub__Record *r = s_record(line, base, lineno, &principal);
        if (!r) {
            rc = 1;
            break;
        }
        if (as)
            principal = as;
        size_t g = 0;
        while (g < ngroups && strcmp(groups[g].principal, principal) != 0)
            g++;
        if (g == ngroups)
            groups[ngroups++] = (group_t){.principal = principal};
        group_t *gr = &groups[g];
        if (gr->n == gr->cap) {
            gr->cap = gr->cap ? gr->cap * 2 : 8;
            gr->recs = HUB_CHECK_ALLOC(realloc(gr->recs, gr->cap * sizeof *gr->recs));
        }
        gr->recs[gr->n++] = r;
    }
    free(line);
    fclose(in);
    for (size_t g = 0; g < ngroups; g++) {
        if (rc == 0)
            rc = s_send(home, &groups[g]);
        for (size_t k = 0; k < groups[g].n; k++)
            hub__record__free_unpacked(groups[g].recs[k], NULL);
        free(groups[g].recs);
    }
    return rc;
}
