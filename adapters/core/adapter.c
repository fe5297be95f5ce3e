/* adapter.c: the adapters' run loop: batches, window, acks, resends, state
** and rejects (see adapter.h). */
#define _POSIX_C_SOURCE 200809L
#include "adapter.h"
#include "keyset.h"
#include "reconcile.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
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
/* A batch is sent once its records pack to this many bytes, whatever
** --batch says, so that rows of up to the readers' 1 MiB still make
** messages well under the hub's max_message_bytes (8 MiB by default). */
#define MAX_BATCH_BYTES (4u << 20)

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
    size_t bytes;              /* the records' packed size */
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
    FILE *kept;                /* rows kept apart under a suffixed key (keyset.h), or NULL until one */
    char kept_path[1200];
    adp_keyset_t keys;         /* the keys of the file being read, when derived */
    bool derived_keys;         /* adp_set_derived_keys */
    char file_key[600];
    char file_name[512];
    const char *file_encoding;
    batch_t building;
    batch_t *inflight;         /* oldest first */
    size_t ninflight;
    size_t batch_size, window;
    int ack_timeout_ms, wait_ms;
    long read, accepted, duplicates, rejected, kept_apart;
    long file_rejected;        /* rows of the file being read rejected while reading */
    long file_kept_apart;
    bool failed;
    bool check;                /* --check: read and validate only */
    recon_t *recon;            /* --reconcile: the records read, to compare with the hub's */
    char (*reading_done)[600]; /* keys of files read whose batches are not all finished */
    size_t nreading_done;
    int64_t last_sent;         /* for heartbeats */
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
    it->raw = adp_to_utf8_escaped(a->file_encoding, raw ? raw : "", raw ? raw_len : 0);
    it->raw_len = strlen(it->raw);
    a->read++;
    return it;
}

/* Files read to the end whose batches are all finished are finished. */
static void
s_files_finished(adp_t *a)
{
    for (size_t i = 0; i < a->nreading_done;) {
        bool open = strcmp(a->building.file_key, a->reading_done[i]) == 0 && a->building.nitems;
        for (size_t k = 0; k < a->ninflight && !open; k++)
            open = strcmp(a->inflight[k].file_key, a->reading_done[i]) == 0;
        if (open) {
            i++;
            continue;
        }
        if (!a->check && adp_state_finish_file(a->state, a->reading_done[i]) != 0)
            s_fatal_state(a);
        log_info("ADP-FILE-DONE", LOG_S("file", a->reading_done[i]));
        memmove(&a->reading_done[i], &a->reading_done[i + 1], (a->nreading_done - i - 1) * sizeof *a->reading_done);
        a->nreading_done--;
    }
}

/* A batch is finished: write its rejects, then record its rows durably.
** ack is NULL for a batch of local rejects only. */
static void
s_complete(adp_t *a, batch_t *b, const Hub__Ack *ack)
{
    size_t k = 0;   /* index among records */
    long hub_rejected = 0;
    for (size_t i = 0; i < b->nitems; i++) {
        item_t *it = &b->items[i];
        if (!it->is_record) {
            s_reject_line(a, b->file_name, it, it->column, it->reason);
            continue;
        }
        const Hub__RecordAck *r = NULL;
        if (a->check) {   /* --check: a valid row counts as if accepted */
            a->accepted++;
            k++;
            continue;
        }
        if (ack && ack->status == HUB__ACK_STATUS__ACK_OK)
            for (size_t j = 0; j < ack->n_results; j++)
                if (ack->results[j]->index == k)
                    r = ack->results[j];
        k++;
        if (ack && ack->status != HUB__ACK_STATUS__ACK_OK)
            s_reject_line(a, b->file_name, it, NULL, ack->reason ? ack->reason : "refused by the hub");
        else if (!r && ++hub_rejected)
            s_reject_line(a, b->file_name, it, NULL, "the hub's acknowledgement has no result for this row");
        else if (r->result == HUB__RECORD_RESULT__ACCEPTED || a->check)
            a->accepted++;
        else if (r->result == HUB__RECORD_RESULT__DUPLICATE)
            a->duplicates++;
        else {
            s_reject_line(a, b->file_name, it, NULL, r->reason ? r->reason : "rejected by the hub");
            hub_rejected++;
        }
    }
    if (hub_rejected)   /* one line a batch; each row's reason is in the rejects file */
        log_warn("ADP-HUB-REJECTED", LOG_S("file", b->file_name), LOG_I("seq", b->seq), LOG_I("rows", hub_rejected),
                 LOG_S("rejects", a->rejects_path));
    if (fflush(a->rejects) != 0 || fsync(fileno(a->rejects)) != 0)
        s_fatal_state(a);
    uint32_t first = b->items[0].row, last = b->items[b->nitems - 1].row;
    if (!a->check && adp_state_finish_rows(a->state, b->file_key, first, last) != 0)
        s_fatal_state(a);
    log_debug("ADP-BATCH-DONE", LOG_S("file", b->file_name), LOG_I("seq", b->seq),
              LOG_I("first_row", first), LOG_I("last_row", last));
    s_batch_free(b);
    s_files_finished(a);
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
        a->last_sent = now;
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
    if (b->nrecs == 0 || a->check) {   /* nothing to send: finished here */
        for (size_t i = 0; a->recon && i < b->nitems; i++)
            if (b->items[i].rec)
                recon_add(a->recon, b->items[i].rec);
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
    return !a->check && adp_state_row_done(a->state, row);
}

Hub__Record *
adp_record_new(const adp_t *a, int source, const char *key, uint32_t row, int64_t changed_at)
{
    Hub__Record *r = adp_alloc(sizeof *r);
    hub__record__init(r);
    r->has_source = 1;
    r->source = (Hub__Department)source;
    r->source_key = adp_strdup(key);
    r->origin = adp_alloc(sizeof *r->origin);
    hub__origin__init(r->origin);
    r->origin->file = adp_strdup(a->file_name);
    r->origin->has_row = 1;
    r->origin->row = row;
    if (changed_at) {
        r->has_changed_at = 1;
        r->changed_at = changed_at;
    }
    return r;
}

const adp_communities_t *
adp_communities(const adp_t *a)
{
    return a->communities;
}

void
adp_set_file_encoding(adp_t *a, const char *encoding)
{
    a->file_encoding = encoding;
}

void
adp_set_derived_keys(adp_t *a)
{
    a->derived_keys = true;
}

const char *
adp_file_name(const adp_t *a)
{
    return a->file_name;
}

/* A row whose key an earlier row of the file holds goes under KEY~N
** (keyset.h), and a line says so in the kept-apart report. */
static void
s_keep_apart(adp_t *a, uint32_t row, Hub__Record *rec, uint32_t nth, uint32_t first_row)
{
    size_t len = strlen(rec->source_key) + 16;
    char *key = adp_alloc(len);
    snprintf(key, len, "%s~%u", rec->source_key, nth);
    if (!a->kept) {
        bool fresh = a->check || access(a->kept_path, F_OK) != 0;
        if (!(a->kept = fopen(a->kept_path, a->check ? "w" : "a")))
            s_fatal_state(a);
        if (fresh)
            fputs("file,row,same_key_as_row,key,sent_as\n", a->kept);
    }
    s_csv_field(a->kept, a->file_name, strlen(a->file_name));
    fprintf(a->kept, ",%u,%u,", row, first_row);
    s_csv_field(a->kept, rec->source_key, strlen(rec->source_key));
    fputc(',', a->kept);
    s_csv_field(a->kept, key, strlen(key));
    fputc('\n', a->kept);
    if (fflush(a->kept) != 0 || fsync(fileno(a->kept)) != 0)
        s_fatal_state(a);
    log_info("ADP-KEY-SAME", LOG_S("file", a->file_name), LOG_I("row", row), LOG_I("first_row", first_row),
             LOG_I("occurrence", nth));
    free(rec->source_key);
    rec->source_key = key;
    a->kept_apart++;
    a->file_kept_apart++;
}

void
adp_emit(adp_t *a, uint32_t row, Hub__Record *rec, const char *raw, size_t raw_len)
{
    uint32_t first_row = row, nth = a->derived_keys ? adp_keyset_add(&a->keys, rec->source_key, row, &first_row) : 1;
    if (adp_row_done(a, row)) {   /* read again only for its key */
        hub__record__free_unpacked(rec, NULL);
        return;
    }
    if (nth > 1)
        s_keep_apart(a, row, rec, nth, first_row);
    item_t *it = s_add_item(a, row, raw, raw_len);
    it->rec = rec;
    it->is_record = true;
    a->building.nrecs++;
    a->building.bytes += hub__record__get_packed_size(rec);
    if (a->building.nrecs >= a->batch_size || a->building.bytes >= MAX_BATCH_BYTES)
        s_flush(a);
}

void
adp_reject(adp_t *a, uint32_t row, const char *column, const char *reason, const char *raw, size_t raw_len)
{
    if (adp_row_done(a, row))
        return;
    item_t *it = s_add_item(a, row, raw, raw_len);
    it->column = column ? adp_strdup(column) : NULL;
    it->reason = adp_to_utf8_escaped("UTF-8", reason, strlen(reason));   /* a parser's words may quote a cut character */
    a->file_rejected++;
    log_info("ADP-ROW-REJECT", LOG_S("file", a->file_name), LOG_I("row", row),
             LOG_S("column", column ? column : ""), LOG_S("reason", reason));
}

void
adp_file_error(adp_t *a, const char *reason)
{
    a->failed = true;
    log_error("ADP-FILE-FAIL", LOG_S("file", a->file_name), LOG_S("reason", reason));
    fprintf(stderr, "adapter-%s: %s: %s; nothing of this file was sent\n", a->map->name, a->file_name, reason);
    /* kept beside the rows' rejects: row 0 is the file as a whole */
    s_csv_field(a->rejects, a->file_name, strlen(a->file_name));
    fputs(",0,,", a->rejects);
    s_csv_field(a->rejects, reason, strlen(reason));
    fputs(",\n", a->rejects);
    if (fflush(a->rejects) != 0 || fsync(fileno(a->rejects)) != 0)
        s_fatal_state(a);
}

/* ---- the program ---- */

typedef struct {
    client_opts_t client;
    const char *state_dir, *communities, *follow;
    long batch, window, ack_timeout, heartbeat_s, poll_ms;
    bool check, reconcile;
    int first_file;
} options_t;

static int
s_usage(const adp_mapping_t *map, FILE *f)
{
    fprintf(f,
            "usage: adapter-%s [--home DIR] [options] [FILE...] [--follow DIR]\n"
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
            "  --check           read and validate only: print the summary, write the\n"
            "                    rejects to STATE/check-rejects.csv, send nothing\n"
            "  --reconcile       read the files as a full export and compare it with what\n"
            "                    the hub holds from the department, by key and field (as\n"
            "                    --principal, the department's own; exit 0 the same, 1\n"
            "                    differences)\n"
            "  --follow DIR      after the FILEs, watch DIR: send each new file once, in\n"
            "                    name order, as it is renamed into DIR; run until stopped\n"
            "  --poll MS         how often --follow looks at DIR (default 1000)\n"
            "  --heartbeat S     tell the hub it is alive after S idle seconds (default 10)\n"
            "  --batch N         records per batch (default %d, at most %d; a batch also\n"
            "                    ends at 4 MiB)\n"
            "  --window N        unacknowledged batches in flight (default %d)\n"
            "  --ack-timeout MS  resend after this much silence, doubling (default %d)\n",
            map->name, map->files, map->name, map->name, DEFAULT_BATCH, HUB_MAX_BATCH_RECORDS, DEFAULT_WINDOW,
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

/* Parse argv into o; returns -1 when the program should go on, else the exit status. */
static int
s_parse(int argc, char **argv, const adp_mapping_t *map, options_t *o)
{
    *o = (options_t){
        .client = {.principal = map->name, .port = CLIENT_INGEST},
        .batch = DEFAULT_BATCH, .window = DEFAULT_WINDOW, .ack_timeout = DEFAULT_ACK_TIMEOUT_MS,
        .heartbeat_s = 10, .poll_ms = 1000,
    };
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *opt = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(opt, "--help") == 0)
            return s_usage(map, stdout);
        if (strcmp(opt, "--check") == 0 || strcmp(opt, "--reconcile") == 0) {
            o->check = true;
            o->reconcile = o->reconcile || strcmp(opt, "--reconcile") == 0;
            continue;
        }
        if (strcmp(opt, "--") == 0) {
            i++;
            break;
        }
        if (!v)
            return s_usage(map, stderr);
        i++;
        if (strcmp(opt, "--home") == 0) o->client.home = v;
        else if (strcmp(opt, "--hub") == 0) o->client.endpoint = v;
        else if (strcmp(opt, "--key") == 0) o->client.key_file = v;
        else if (strcmp(opt, "--hub-key") == 0) o->client.hub_key_file = v;
        else if (strcmp(opt, "--principal") == 0) o->client.principal = v;
        else if (strcmp(opt, "--state") == 0) o->state_dir = v;
        else if (strcmp(opt, "--communities") == 0) o->communities = v;
        else if (strcmp(opt, "--follow") == 0) o->follow = v;
        else if (strcmp(opt, "--batch") == 0 && (o->batch = s_positive(v, HUB_MAX_BATCH_RECORDS)) > 0) ;
        else if (strcmp(opt, "--window") == 0 && (o->window = s_positive(v, 1024)) > 0) ;
        else if (strcmp(opt, "--ack-timeout") == 0 && (o->ack_timeout = s_positive(v, 600000)) > 0) ;
        else if (strcmp(opt, "--heartbeat") == 0 && (o->heartbeat_s = s_positive(v, 86400)) > 0) ;
        else if (strcmp(opt, "--poll") == 0 && (o->poll_ms = s_positive(v, 600000)) > 0) ;
        else {
            fprintf(stderr, "adapter-%s: bad option `%s %s`\n", map->name, opt, v);
            return s_usage(map, stderr);
        }
    }
    o->first_file = i;
    /* --follow may also come after the files */
    for (int k = i; k + 1 < argc; k++)
        if (strcmp(argv[k], "--follow") == 0) {
            o->follow = argv[k + 1];
            argc = k;
        }
    if (o->first_file >= argc && !o->follow) {
        fprintf(stderr, "adapter-%s: no files given (and no --follow DIR)\n", map->name);
        return s_usage(map, stderr);
    }
    if (o->reconcile && !strcmp(o->client.principal, map->name)) {   /* an adapter's key sends; it does not read */
        fprintf(stderr, "adapter-%s: --reconcile reads as the department's own principal: give --principal NAME "
                        "(and --key FILE)\n", map->name);
        return 2;
    }
    if (o->check && o->follow) {
        fprintf(stderr, "adapter-%s: --check reads the files given; it does not follow a folder\n", map->name);
        return 2;
    }
    if (!o->state_dir && !o->client.home && !o->check) {
        fprintf(stderr, "adapter-%s: give --home DIR or --state DIR\n", map->name);
        return 2;
    }
    return -1;
}

/* Read one file and queue its rows; a file already finished is skipped. */
static void
s_process(adp_t *a, const char *path)
{
    const char *base = strrchr(path, '/');
    snprintf(a->file_name, sizeof a->file_name, "%s", base ? base + 1 : path);
    if (adp_state_file_key(path, a->file_key, sizeof a->file_key) != 0) {
        char err[300];
        snprintf(err, sizeof err, "cannot read: %s", strerror(errno));
        adp_file_error(a, err);
        return;
    }
    if (!a->check && adp_state_load_file(a->state, a->file_key) != 0)
        s_fatal_state(a);
    long before = a->read;
    a->file_encoding = a->map->encoding;
    a->file_rejected = a->file_kept_apart = 0;
    adp_keyset_clear(&a->keys);
    a->derived_keys = false;
    a->map->read_file(a, path);
    s_flush(a);
    log_info("ADP-FILE-READ", LOG_S("file", a->file_name), LOG_I("rows", a->read - before));
    if (a->file_rejected)   /* one line a file; each row's reason is in the rejects file */
        log_warn("ADP-FILE-REJECTS", LOG_S("file", a->file_name), LOG_I("rows", a->file_rejected),
                 LOG_S("rejects", a->rejects_path));
    if (a->file_kept_apart)
        log_warn("ADP-FILE-SAME-KEYS", LOG_S("file", a->file_name), LOG_I("rows", a->file_kept_apart),
                 LOG_S("report", a->kept_path));
    a->reading_done = HUB_CHECK_ALLOC(realloc(a->reading_done, (a->nreading_done + 1) * sizeof *a->reading_done));
    snprintf(a->reading_done[a->nreading_done++], sizeof *a->reading_done, "%s", a->file_key);
    s_files_finished(a);
}

static bool
s_matches(const adp_mapping_t *map, const char *name)
{
    if (name[0] == '.')   /* hidden and temporary names: not yet dropped */
        return false;
    for (const char *const *p = map->patterns; p && *p; p++)
        if (fnmatch(*p, name, 0) == 0)
            return true;
    return false;
}

static int
s_cmp_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Watch dir until stopped: every new file matching the mapping's patterns,
** in name order, once. Heartbeats while idle. */
/* Tell the hub this adapter is alive (and how often it will say so), or
** that it stops now, so the hub does not report it silent. */
static void
s_heartbeat(adp_t *a, uint32_t interval_s, bool leaving)
{
    Hub__Heartbeat hb = HUB__HEARTBEAT__INIT;
    hb.has_interval_s = interval_s > 0;
    hb.interval_s = interval_s;
    hb.has_leaving = hb.leaving = leaving;
    Hub__Message m = HUB__MESSAGE__INIT;
    m.body_case = HUB__MESSAGE__BODY_HEARTBEAT;
    m.heartbeat = &hb;
    int64_t seq = adp_state_next_seq(a->state);
    if (seq >= 0 && client_send(a->client, &m, (uint64_t)seq) == HUB_OK)
        log_debug("ADP-HEARTBEAT", LOG_I("seq", seq), LOG_I("leaving", leaving));
    a->last_sent = client_mono_ms();
}

static void
s_follow(adp_t *a, const char *dir, long poll_ms, long heartbeat_s)
{
    char **seen = NULL;
    size_t nseen = 0;
    log_notice("ADP-FOLLOW", LOG_S("adapter", a->map->name), LOG_S("dir", dir));
    while (!s_stop) {
        DIR *d = opendir(dir);
        char **names = NULL;
        size_t n = 0;
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (!s_matches(a->map, e->d_name))
                continue;
            bool known = false;
            for (size_t k = 0; k < nseen && !known; k++)
                known = strcmp(seen[k], e->d_name) == 0;
            if (!known) {
                names = HUB_CHECK_ALLOC(realloc(names, (n + 1) * sizeof *names));
                names[n++] = adp_strdup(e->d_name);
            }
        }
        if (d)
            closedir(d);
        else
            log_warn("ADP-FOLLOW-DIR", LOG_S("dir", dir), LOG_S("reason", strerror(errno)));
        if (n)
            qsort(names, n, sizeof *names, s_cmp_names);
        for (size_t k = 0; k < n; k++) {
            char path[2048], key[600];
            snprintf(path, sizeof path, "%s/%s", dir, names[k]);
            if (!s_stop && adp_state_file_key(path, key, sizeof key) == 0 && !adp_state_file_finished(a->state, key))
                s_process(a, path);
            seen = HUB_CHECK_ALLOC(realloc(seen, (nseen + 1) * sizeof *seen));
            seen[nseen++] = names[k];
        }
        free(names);
        /* idle: take acks, resend, and say we are alive */
        int64_t until = client_mono_ms() + poll_ms;
        while (!s_stop && client_mono_ms() < until) {
            if (a->ninflight == 0 && client_mono_ms() - a->last_sent >= heartbeat_s * 1000)
                s_heartbeat(a, (uint32_t)heartbeat_s, false);
            s_pump(a, (int)(until - client_mono_ms() > 0 ? until - client_mono_ms() : 0));
        }
    }
    for (size_t k = 0; k < nseen; k++)
        free(seen[k]);
    free(seen);
}

static FILE *
s_open_rejects(const char *path, bool truncate)
{
    bool fresh = truncate || access(path, F_OK) != 0;
    FILE *f = fopen(path, truncate ? "w" : "a");
    if (f && fresh)
        fputs("file,row,column,reason,raw\n", f);
    return f;
}

int
adp_main(int argc, char **argv, const adp_mapping_t *map)
{
    options_t o;
    int rc = s_parse(argc, argv, map, &o);
    if (rc >= 0)
        return rc;
    int nfiles_end = argc;
    for (int k = o.first_file; k < argc; k++)
        if (strcmp(argv[k], "--follow") == 0)
            nfiles_end = k;
    char dir[1100], err[1400];
    const char *state_dir = o.state_dir;
    if (!state_dir && o.client.home) {
        snprintf(dir, sizeof dir, "%s/adapters/%s", o.client.home, map->name);
        state_dir = dir;
    }
    if (sodium_init() < 0)
        return 1;
    log_open(NULL, LOG_WARN, LOG_NOTICE);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    adp_t a = {.map = map, .batch_size = (size_t)o.batch, .window = (size_t)o.window, .check = o.check,
               .ack_timeout_ms = (int)o.ack_timeout, .wait_ms = (int)o.ack_timeout,
               .recon = o.reconcile ? recon_new() : NULL};
    a.inflight = HUB_CHECK_ALLOC(calloc((size_t)o.window, sizeof *a.inflight));
    bool ok = (a.communities = adp_communities_load(o.communities, err, sizeof err)) != NULL;
    if (ok && !o.check)
        ok = (a.state = adp_state_open(state_dir, err, sizeof err)) && (a.client = client_new(&o.client, err, sizeof err));
    if (ok) {
        snprintf(a.rejects_path, sizeof a.rejects_path, "%s/%s", state_dir ? state_dir : ".",
                 o.check ? "check-rejects.csv" : "rejects.csv");
        snprintf(a.kept_path, sizeof a.kept_path, "%s/%s", state_dir ? state_dir : ".",
                 o.check ? "check-kept-apart.csv" : "kept-apart.csv");
        if ((state_dir && adp_mkdirs(state_dir) != 0) || !(a.rejects = s_open_rejects(a.rejects_path, o.check)))
            snprintf(err, sizeof err, "%s: %s", a.rejects_path, strerror(errno));
        ok = a.rejects != NULL;
    }
    if (!ok) {
        fprintf(stderr, "adapter-%s: %s\n", map->name, err);
        client_destroy(&a.client);
        adp_state_close(&a.state);
        adp_communities_destroy(&a.communities);
        free(a.inflight);
        return 1;
    }

    for (int i = o.first_file; i < nfiles_end && !s_stop; i++)
        s_process(&a, argv[i]);
    if (o.follow)
        s_follow(&a, o.follow, o.poll_ms, o.heartbeat_s);
    while (a.ninflight > 0 && !s_stop)
        s_pump(&a, 1000);
    if (a.client && !o.check)
        s_heartbeat(&a, 0, true);   /* goodbye: delivered within the client's linger */

    printf("adapter-%s%s: %ld rows read, %ld %s, %ld duplicates, %ld rejected%s%s\n", map->name,
           o.reconcile ? " --reconcile" : o.check ? " --check" : "", a.read, a.accepted,
           o.check ? "valid" : "accepted", a.duplicates, a.rejected, a.rejected ? "; rejects in " : "",
           a.rejected ? a.rejects_path : "");
    if (a.kept_apart)
        printf("adapter-%s: %ld rows held the key of an earlier row of their file and went as KEY~N; "
               "both rows of each are in %s\n", map->name, a.kept_apart, a.kept_path);
    rc = a.failed || (s_stop && !o.follow) ? 1 : 0;
    if (a.recon && !rc) {
        const char *purpose = getenv("HUB_PURPOSE");
        char why[128];
        snprintf(why, sizeof why, "reconciling the %s export", map->name);
        fflush(stdout);
        rc = recon_run(a.recon, &o.client, map->department, purpose && *purpose ? purpose : why, stdout);
    }
    recon_destroy(&a.recon);
    for (size_t k = 0; k < a.ninflight; k++)
        s_batch_free(&a.inflight[k]);
    s_batch_free(&a.building);
    free(a.inflight);
    free(a.reading_done);
    fclose(a.rejects);
    if (a.kept)
        fclose(a.kept);
    adp_keyset_fini(&a.keys);
    client_destroy(&a.client);
    adp_state_close(&a.state);
    adp_communities_destroy(&a.communities);
    return rc;
}
