/* adapter.c: the adapters' run loop: batches, window, acks, resends, state
** and rejects (see adapter.h). */
#define _POSIX_C_SOURCE 200809L
#include "adapter.h"

#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "encoding.h"
#include "fields.h"
#include "log.h"
#include "state.h"

#define DEFAULT_BATCH 500
#define DEFAULT_WINDOW 8
#define DEFAULT_ACK_TIMEOUT_MS 3000
#define MAX_BACKOFF_MS 30000

typedef struct {
    uint32_t row;
    char *raw;
    size_t raw_len;
    Hub__Record *rec;          /* NULL once packed, or for a local reject */
    bool is_record;
    char *column, *reason;     /* local reject */
} item_t;

typedef struct {
    uint64_t seq;
    char file_key[600];
    char file_name[512];
    item_t *items;
    size_t nitems, cap, nrecs;
    uint8_t *frame;
    size_t len;
    bool sent;
    int64_t sent_at, not_before;
} batch_t;

struct adp {
    const adp_mapping_t *map;
    client_t *client;
    adp_state_t *state;
    adp_communities_t *communities;
    FILE *rejects;
    char rejects_path[1200];
    char file_key[600];
    char file_name[512];
    batch_t building;
    batch_t *inflight;         /* oldest first */
    size_t ninflight;
    size_t batch_size, window;
    int ack_timeout_ms, wait_ms;
    long read, accepted, duplicates, rejected, skipped;
    bool failed;
};

static volatile sig_atomic_t s_stop = 0;

static void
s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

static void
s_fatal_state(adp_t *a)
{
    log_error("ADP-STATE-FAIL", LOG_S("adapter", a->map->name));
    fprintf(stderr, "adapter-%s: cannot record progress in its state; stopping\n", a->map->name);
    exit(1);
}

/* ---- the reject file ---- */

static void
s_csv_field(FILE *f, const char *s, size_t n)
{
    bool quote = false;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
            quote = true;
    if (!quote) {
        fwrite(s, 1, n, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

static void
s_reject_line(adp_t *a, const char *file, const item_t *it, const char *column, const char *reason)
{
    FILE *f = a->rejects;
    s_csv_field(f, file, strlen(file));
    fprintf(f, ",%u,", it->row);
    if (column)
        s_csv_field(f, column, strlen(column));
    fputc(',', f);
    s_csv_field(f, reason, strlen(reason));
    fputc(',', f);
    s_csv_field(f, it->raw ? it->raw : "", it->raw_len);
    fputs("\n", f);
    a->rejected++;
}

/* ---- batches ---- */

static void
s_batch_free(batch_t *b)
{
    for (size_t i = 0; i < b->nitems; i++) {
        item_t *it = &b->items[i];
        free(it->raw);
        free(it->column);
        free(it->reason);
        if (it->rec)
            hub__record__free_unpacked(it->rec, NULL);
    }
    free(b->items);
    free(b->frame);
    memset(b, 0, sizeof *b);
}

static item_t *
s_add_item(adp_t *a, uint32_t row, const char *raw, size_t raw_len)
{
    batch_t *b = &a->building;
    if (b->nitems == 0) {
        snprintf(b->file_key, sizeof b->file_key, "%s", a->file_key);
        snprintf(b->file_name, sizeof b->file_name, "%s", a->file_name);
    }
    if (b->nitems == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->items = HUB_CHECK_ALLOC(realloc(b->items, b->cap * sizeof *b->items));
    }
    item_t *it = &b->items[b->nitems++];
    memset(it, 0, sizeof *it);
    it->row = row;
    it->raw = adp_to_utf8_escaped(a->map->encoding, raw ? raw : "", raw ? raw_len : 0);
    it->raw_len = strlen(it->raw);
    a->read++;
    return it;
}

/* A batch is finished: write its rejects, then record its rows durably.
** ack is NULL for a batch of local rejects only. */
static void
s_complete(adp_t *a, batch_t *b, const Hub__Ack *ack)
{
    size_t k = 0;   /* index among records */
    for (size_t i = 0; i < b->nitems; i++) {
        item_t *it = &b->items[i];
        if (!it->is_record) {
            s_reject_line(a, b->file_name, it, it->column, it->reason);
            continue;
        }
        const Hub__RecordAck *r = NULL;
        if (ack && ack->status == HUB__ACK_STATUS__ACK_OK)
            for (size_t j = 0; j < ack->n_results; j++)
                if (ack->results[j]->index == k)
                    r = ack->results[j];
        k++;
        if (ack && ack->status != HUB__ACK_STATUS__ACK_OK)
            s_reject_line(a, b->file_name, it, NULL, ack->reason ? ack->reason : "refused by the hub");
        else if (!r)
            s_reject_line(a, b->file_name, it, NULL, "the hub's acknowledgement has no result for this row");
        else if (r->result == HUB__RECORD_RESULT__ACCEPTED)
            a->accepted++;
        else if (r->result == HUB__RECORD_RESULT__DUPLICATE)
            a->duplicates++;
        else
            s_reject_line(a, b->file_name, it, NULL, r->reason ? r->reason : "rejected by the hub");
    }
    if (fflush(a->rejects) != 0 || fsync(fileno(a->rejects)) != 0)
        s_fatal_state(a);
    uint32_t first = b->items[0].row, last = b->items[b->nitems - 1].row;
    if (adp_state_finish_rows(a->state, b->file_key, first, last) != 0)
        s_fatal_state(a);
    log_debug("ADP-BATCH-DONE", LOG_S("file", b->file_name), LOG_I("seq", b->seq),
              LOG_I("first_row", first), LOG_I("last_row", last));
    s_batch_free(b);
}

/* Pack the records of the building batch into one message frame. */
static void
s_pack(adp_t *a, batch_t *b)
{
    Hub__Record **recs = HUB_CHECK_ALLOC(calloc(b->nrecs ? b->nrecs : 1, sizeof *recs));
    size_t k = 0;
    for (size_t i = 0; i < b->nitems; i++)
        if (b->items[i].is_record)
            recs[k++] = b->items[i].rec;
    Hub__Batch batch = HUB__BATCH__INIT;
    batch.n_records = k;
    batch.records = recs;
    Hub__Envelope env = HUB__ENVELOPE__INIT;
    env.sender = (char *)client_principal(a->client);
    env.has_seq = env.has_schema_version = env.has_sent_at_ms = 1;
    env.seq = b->seq;
    env.schema_version = HUB_SCHEMA_VERSION;
    env.sent_at_ms = client_now_ms();
    Hub__Message m = HUB__MESSAGE__INIT;
    m.env = &env;
    m.body_case = HUB__MESSAGE__BODY_BATCH;
    m.batch = &batch;
    b->len = hub__message__get_packed_size(&m);
    b->frame = HUB_CHECK_ALLOC(malloc(b->len));
    hub__message__pack(&m, b->frame);
    free(recs);
    for (size_t i = 0; i < b->nitems; i++)   /* keep only what the reject file needs */
        if (b->items[i].rec) {
            hub__record__free_unpacked(b->items[i].rec, NULL);
            b->items[i].rec = NULL;
        }
}

/* ---- talking to the hub ---- */

static batch_t *
s_find(adp_t *a, uint64_t seq)
{
    for (size_t i = 0; i < a->ninflight; i++)
        if (a->inflight[i].seq == seq)
            return &a->inflight[i];
    return NULL;
}

static void
s_remove(adp_t *a, batch_t *b)
{
    size_t i = (size_t)(b - a->inflight);
    memmove(&a->inflight[i], &a->inflight[i + 1], (a->ninflight - i - 1) * sizeof *b);
    a->ninflight--;
}

static void
s_on_ack(adp_t *a, const Hub__Ack *ack)
{
    batch_t *b = ack->has_seq ? s_find(a, ack->seq) : NULL;
    if (!b) {
        log_debug("ADP-ACK-STALE", LOG_I("seq", ack->seq));
        return;
    }
    a->wait_ms = a->ack_timeout_ms;
    if (ack->status == HUB__ACK_STATUS__ACK_RETRY) {
        b->sent = false;
        b->not_before = client_mono_ms() + 500;
        log_warn("ADP-HUB-RETRY", LOG_I("seq", b->seq), LOG_S("reason", ack->reason ? ack->reason : ""));
        return;
    }
    if (ack->status != HUB__ACK_STATUS__ACK_OK)
        log_error("ADP-BATCH-REFUSED", LOG_I("seq", b->seq), LOG_I("reason_code", ack->reason_code),
                  LOG_S("reason", ack->reason ? ack->reason : ""));
    batch_t done = *b;
    s_remove(a, b);
    s_complete(a, &done, ack);
}

/* Send what waits, take acks for up to wait_ms, resend on silence. */
static void
s_pump(adp_t *a, int wait_ms)
{
    int64_t now = client_mono_ms();
    for (size_t i = 0; i < a->ninflight; i++) {
        batch_t *b = &a->inflight[i];
        if (b->sent || b->not_before > now)
            continue;
        if (client_send_raw(a->client, b->frame, b->len) != HUB_OK)
            break;   /* no connection yet: keep order, try later */
        b->sent = true;
        b->sent_at = now;
    }
    int64_t oldest = 0;
    bool unsent = false;
    for (size_t i = 0; i < a->ninflight; i++) {
        if (!a->inflight[i].sent)
            unsent = true;
        else if (!oldest || a->inflight[i].sent_at < oldest)
            oldest = a->inflight[i].sent_at;
    }
    if (oldest && now - oldest >= a->wait_ms) {   /* silence: resend everything in flight */
        log_warn("ADP-HUB-WAIT", LOG_S("endpoint", client_endpoint(a->client)),
                 LOG_I("batches", a->ninflight), LOG_I("waited_ms", now - oldest));
        for (size_t i = 0; i < a->ninflight; i++)
            a->inflight[i].sent = false;
        a->wait_ms = a->wait_ms * 2 > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : a->wait_ms * 2;
        return;
    }
    long timeout = wait_ms;
    if (oldest && oldest + a->wait_ms - now < timeout)
        timeout = oldest + a->wait_ms - now;
    if (unsent && timeout > 100)
        timeout = 100;
    Hub__Message *m = client_recv(a->client, (int)(timeout < 0 ? 0 : timeout));
    if (m && m->body_case == HUB__MESSAGE__BODY_ACK)
        s_on_ack(a, m->ack);
    if (m)
        hub__message__free_unpacked(m, NULL);
}

/* Close the building batch: finish it at once when it holds no record,
** else queue it for sending (waiting while the window is full). */
static void
s_flush(adp_t *a)
{
    batch_t *b = &a->building;
    if (b->nitems == 0)
        return;
    if (b->nrecs == 0) {
        batch_t done = *b;
        memset(b, 0, sizeof *b);
        s_complete(a, &done, NULL);
        return;
    }
    while (a->ninflight >= a->window && !s_stop)
        s_pump(a, 1000);
    if (s_stop)
        return;
    int64_t seq = adp_state_next_seq(a->state);
    if (seq < 0)
        s_fatal_state(a);
    b->seq = (uint64_t)seq;
    s_pack(a, b);
    a->inflight[a->ninflight++] = *b;
    memset(b, 0, sizeof *b);
    s_pump(a, 0);
}

/* ---- what mappings call ---- */

bool
adp_row_done(const adp_t *a, uint32_t row)
{
    return adp_state_row_done(a->state, row);
}

const adp_communities_t *
adp_communities(const adp_t *a)
{
    return a->communities;
}

const char *
adp_file_name(const adp_t *a)
{
    return a->file_name;
}

void
adp_emit(adp_t *a, uint32_t row, Hub__Record *rec, const char *raw, size_t raw_len)
{
    item_t *it = s_add_item(a, row, raw, raw_len);
    it->rec = rec;
    it->is_record = true;
    a->building.nrecs++;
    if (a->building.nrecs >= a->batch_size)
        s_flush(a);
}

void
adp_reject(adp_t *a, uint32_t row, const char *column, const char *reason, const char *raw, size_t raw_len)
{
    item_t *it = s_add_item(a, row, raw, raw_len);
    it->column = column ? adp_strdup(column) : NULL;
    it->reason = adp_strdup(reason);
    log_info("ADP-ROW-REJECT", LOG_S("file", a->file_name), LOG_I("row", row),
             LOG_S("column", column ? column : ""), LOG_S("reason", reason));
}

void
adp_file_error(adp_t *a, const char *reason)
{
    a->failed = true;
    log_error("ADP-FILE-FAIL", LOG_S("file", a->file_name), LOG_S("reason", reason));
    fprintf(stderr, "adapter-%s: %s: %s; nothing of this file was sent\n", a->map->name, a->file_name, reason);
}

/* ---- the program ---- */

static int
s_usage(const adp_mapping_t *map, FILE *f)
{
    fprintf(f,
            "usage: adapter-%s [--home DIR] [options] FILE...\n"
            "  Sends %s files to the hub. Every row ends accepted, duplicate, or\n"
            "  rejected with a reason in STATE/rejects.csv; a restart resends only\n"
            "  what the hub has not acknowledged.\n"
            "options:\n"
            "  --home DIR        the hub's home: endpoint, keys; state in DIR/adapters/%s\n"
            "  --hub ENDPOINT    the hub's ingest endpoint (deployment)\n"
            "  --key FILE        this adapter's secret key file (deployment)\n"
            "  --hub-key FILE    the hub's public key file (deployment)\n"
            "  --principal NAME  principal name (default %s)\n"
            "  --state DIR       where progress and rejects.csv are kept\n"
            "  --communities F   the district's community list (default: built in)\n"
            "  --batch N         records per batch (default %d)\n"
            "  --window N        unacknowledged batches in flight (default %d)\n"
            "  --ack-timeout MS  resend after this much silence, doubling (default %d)\n",
            map->name, map->files, map->name, map->name, DEFAULT_BATCH, DEFAULT_WINDOW,
            DEFAULT_ACK_TIMEOUT_MS);
    return f == stderr ? 2 : 0;
}

static long
s_positive(const char *v, long max)
{
    char *end;
    long n = strtol(v, &end, 10);
    return *end || n < 1 || n > max ? -1 : n;
}

int
adp_main(int argc, char **argv, const adp_mapping_t *map)
{
    client_opts_t o = {.principal = map->name, .port = CLIENT_INGEST};
    const char *state_dir = NULL, *communities = NULL;
    long batch = DEFAULT_BATCH, window = DEFAULT_WINDOW, ack_timeout = DEFAULT_ACK_TIMEOUT_MS;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *opt = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(opt, "--help") == 0)
            return s_usage(map, stdout);
        if (strcmp(opt, "--") == 0) {
            i++;
            break;
        }
        if (!v)
            return s_usage(map, stderr);
        i++;
        if (strcmp(opt, "--home") == 0) o.home = v;
        else if (strcmp(opt, "--hub") == 0) o.endpoint = v;
        else if (strcmp(opt, "--key") == 0) o.key_file = v;
        else if (strcmp(opt, "--hub-key") == 0) o.hub_key_file = v;
        else if (strcmp(opt, "--principal") == 0) o.principal = v;
        else if (strcmp(opt, "--state") == 0) state_dir = v;
        else if (strcmp(opt, "--communities") == 0) communities = v;
        else if (strcmp(opt, "--batch") == 0 && (batch = s_positive(v, 100000)) > 0) ;
        else if (strcmp(opt, "--window") == 0 && (window = s_positive(v, 1024)) > 0) ;
        else if (strcmp(opt, "--ack-timeout") == 0 && (ack_timeout = s_positive(v, 600000)) > 0) ;
        else {
            fprintf(stderr, "adapter-%s: bad option `%s %s`\n", map->name, opt, v);
            return s_usage(map, stderr);
        }
    }
    if (i >= argc) {
        fprintf(stderr, "adapter-%s: no files given\n", map->name);
        return s_usage(map, stderr);
    }
    char dir[1100], err[1200];
    if (!state_dir) {
        if (!o.home) {
            fprintf(stderr, "adapter-%s: give --home DIR or --state DIR\n", map->name);
            return 2;
        }
        snprintf(dir, sizeof dir, "%s/adapters/%s", o.home, map->name);
        state_dir = dir;
    }
    if (sodium_init() < 0)
        return 1;
    log_open(NULL, LOG_WARN, LOG_WARN);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    adp_t a = {.map = map, .batch_size = (size_t)batch, .window = (size_t)window,
               .ack_timeout_ms = (int)ack_timeout, .wait_ms = (int)ack_timeout};
    a.inflight = HUB_CHECK_ALLOC(calloc((size_t)window, sizeof *a.inflight));
    if (!(a.communities = adp_communities_load(communities, err, sizeof err))
        || !(a.state = adp_state_open(state_dir, err, sizeof err)) || !(a.client = client_new(&o, err, sizeof err))) {
        fprintf(stderr, "adapter-%s: %s\n", map->name, err);
        adp_state_close(&a.state);
        adp_communities_destroy(&a.communities);
        free(a.inflight);
        return 1;
    }
    snprintf(a.rejects_path, sizeof a.rejects_path, "%s/rejects.csv", state_dir);
    bool fresh = access(a.rejects_path, F_OK) != 0;
    if (!(a.rejects = fopen(a.rejects_path, "a"))) {
        fprintf(stderr, "adapter-%s: %s: %s\n", map->name, a.rejects_path, strerror(errno));
        return 1;
    }
    if (fresh)
        fputs("file,row,column,reason,raw\n", a.rejects);

    for (; i < argc && !s_stop; i++) {
        const char *path = argv[i];
        const char *base = strrchr(path, '/');
        snprintf(a.file_name, sizeof a.file_name, "%s", base ? base + 1 : path);
        if (adp_state_file_key(path, a.file_key, sizeof a.file_key) != 0) {
            snprintf(err, sizeof err, "cannot read: %s", strerror(errno));
            adp_file_error(&a, err);
            continue;
        }
        if (adp_state_load_file(a.state, a.file_key) != 0)
            s_fatal_state(&a);
        long before = a.read;
        map->read_file(&a, path);
        s_flush(&a);
        log_info("ADP-FILE-READ", LOG_S("file", a.file_name), LOG_I("rows", a.read - before));
    }
    while (a.ninflight > 0 && !s_stop)
        s_pump(&a, 1000);

    printf("adapter-%s: %ld rows read, %ld accepted, %ld duplicates, %ld rejected%s%s\n", map->name, a.read,
           a.accepted, a.duplicates, a.rejected, a.rejected ? "; rejects in " : "",
           a.rejected ? a.rejects_path : "");
    int rc = a.failed || s_stop ? 1 : 0;
    for (size_t k = 0; k < a.ninflight; k++)
        s_batch_free(&a.inflight[k]);
    s_batch_free(&a.building);
    free(a.inflight);
    fclose(a.rejects);
    client_destroy(&a.client);
    adp_state_close(&a.state);
    adp_communities_destroy(&a.communities);
    return rc;
}
