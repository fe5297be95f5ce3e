/*
** zmq_ceiling.c: how fast ZeroMQ with CURVE alone moves the records the hub
** took in, the transport's ceiling of the hub's ingest rate, for bench/run.sh:
**   zmq_ceiling --from REGISTRY.db --endpoint tcp://127.0.0.1:PORT
**               [--batch 500] [--window 8] [--seconds 3]
** Reads every record of REGISTRY.db (source_records: body, department,
** origin), encodes them as adapters send them (hub.Message: an envelope and
** a Batch of --batch records with their origin), then forks: the child is a
** ROUTER bound to the endpoint (CURVE server), which answers each message
** with an ack as the hub's (a hub.Ack with one result a record, encoded
** once beforehand: no decoding, no storing); the parent is a DEALER (CURVE
** client) that keeps up to --window messages unacknowledged, as an adapter
** does. Two processes, each with its own ZeroMQ context and I/O thread, as
** adapter and hub are. The connection is made and one message acknowledged
** before the clock starts; the records are sent again and again until at
** least --seconds have passed, whole passes only.
** Prints one line:
**   zmq_ceiling records=N messages=N bytes=N seconds=S records_per_s=R mb_per_s=R
** Exit 0, 1 when a step fails (with the reason), 2 on bad usage.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>
#include <zmq.h>

#include "client.h"

typedef struct {
    uint8_t *data;
    size_t len;
    size_t records;
} frame_t;

static double
s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const s_senders[] = {"", "police", "familyplanning", "labour", "civilaffairs"};

/* Pack records[0..n) as one batch message of sender with seq. */
static frame_t
s_pack_batch(Hub__Record **records, size_t n, const char *sender, uint64_t seq)
{
    Hub__Envelope env = HUB__ENVELOPE__INIT;
    env.sender = (char *)sender;
    env.has_seq = 1;
    env.seq = seq;
    env.has_schema_version = 1;
    env.schema_version = HUB_SCHEMA_VERSION;
    env.has_sent_at_ms = 1;
    env.sent_at_ms = client_now_ms();
    Hub__Batch batch = HUB__BATCH__INIT;
    batch.n_records = n;
    batch.records = records;
    Hub__Message m = HUB__MESSAGE__INIT;
    m.env = &env;
    m.body_case = HUB__MESSAGE__BODY_BATCH;
    m.batch = &batch;
    frame_t f = {.len = hub__message__get_packed_size(&m), .records = n};
    f.data = HUB_CHECK_ALLOC(malloc(f.len));
    hub__message__pack(&m, f.data);
    return f;
}

/* Every record of path as batch messages of up to batch records (one
** department a message), into *frames; false (after saying why) on failure. */
static bool
s_load(const char *path, size_t batch, frame_t **frames, size_t *nframes, size_t *nrecords)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(db, "SELECT source, body, origin_file, origin_row FROM source_records ORDER BY id", -1,
                              &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "zmq_ceiling: %s: %s\n", path, db ? sqlite3_errmsg(db) : "cannot open");
        sqlite3_close(db);
        return false;
    }
    Hub__Record **recs = HUB_CHECK_ALLOC(calloc(batch, sizeof *recs));
    Hub__Origin *origins = HUB_CHECK_ALLOC(calloc(batch, sizeof *origins));
    char (*files)[128] = HUB_CHECK_ALLOC(calloc(batch, sizeof *files));
    size_t n = 0, cap = 0, bad = 0;
    int source = 0;
    uint64_t seq = 0;
    *frames = NULL;
    *nframes = *nrecords = 0;
    for (bool row = sqlite3_step(st) == SQLITE_ROW;; row = sqlite3_step(st) == SQLITE_ROW) {
        int s = row ? sqlite3_column_int(st, 0) : 0;
        if (n && (!row || n == batch || s != source)) {   /* the batch is full, or the department changes */
            if (*nframes == cap) {
                cap = cap ? cap * 2 : 256;
                *frames = HUB_CHECK_ALLOC(realloc(*frames, cap * sizeof **frames));
            }
            (*frames)[(*nframes)++] = s_pack_batch(recs, n, s_senders[source >= 1 && source <= 4 ? source : 0], ++seq);
            *nrecords += n;
            for (size_t i = 0; i < n; i++) {
                recs[i]->origin = NULL;   /* ours, not the unpacked record's */
                hub__record__free_unpacked(recs[i], NULL);
            }
            n = 0;
        }
        if (!row)
            break;
        source = s;
        Hub__Record *r = hub__record__unpack(NULL, (size_t)sqlite3_column_bytes(st, 1), sqlite3_column_blob(st, 1));
        if (!r) {
            bad++;
            continue;
        }
        hub__origin__init(&origins[n]);
        snprintf(files[n], sizeof files[n], "%s", (const char *)sqlite3_column_text(st, 2));
        origins[n].file = files[n];
        origins[n].has_row = 1;
        origins[n].row = (uint32_t)sqlite3_column_int64(st, 3);
        if (r->origin)
            hub__origin__free_unpacked(r->origin, NULL);
        r->origin = &origins[n];
        recs[n++] = r;
    }
    free(files);
    free(origins);
    free(recs);
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (bad)
        fprintf(stderr, "zmq_ceiling: %zu stored bodies did not decode; left out\n", bad);
    if (*nframes == 0)
        fprintf(stderr, "zmq_ceiling: %s holds no record\n", path);
    return *nframes > 0;
}

/* The hub's answer to a batch of n records, all accepted. */
static frame_t
s_pack_ack(size_t n)
{
    Hub__RecordAck *results = HUB_CHECK_ALLOC(calloc(n, sizeof *results));
    Hub__RecordAck **ptrs = HUB_CHECK_ALLOC(calloc(n, sizeof *ptrs));
    for (size_t i = 0; i < n; i++) {
        hub__record_ack__init(&results[i]);
        results[i].has_index = 1;
        results[i].index = (uint32_t)i;
        results[i].has_result = 1;
        results[i].result = HUB__RECORD_RESULT__ACCEPTED;
        results[i].has_resident_id = 1;
        results[i].resident_id = 100000 + (int64_t)i;
        ptrs[i] = &results[i];
    }
    Hub__Ack ack = HUB__ACK__INIT;
    ack.has_seq = 1;
    ack.seq = 1000000;
    ack.has_status = 1;
    ack.status = HUB__ACK_STATUS__ACK_OK;
    ack.n_results = n;
    ack.results = ptrs;
    Hub__Envelope env = HUB__ENVELOPE__INIT;
    env.sender = "hub";
    env.has_seq = 1;
    env.seq = 1000000;
    Hub__Message m = HUB__MESSAGE__INIT;
    m.env = &env;
    m.body_case = HUB__MESSAGE__BODY_ACK;
    m.ack = &ack;
    frame_t f = {.len = hub__message__get_packed_size(&m), .records = n};
    f.data = HUB_CHECK_ALLOC(malloc(f.len));
    hub__message__pack(&m, f.data);
    free(ptrs);
    free(results);
    return f;
}

/* The child: a ROUTER that acks every message until an empty one (which it acks too). */
static int
s_receiver(const char *endpoint, const char *secret, size_t batch, int ready_fd)
{
    frame_t ack = s_pack_ack(batch);
    void *ctx = zmq_ctx_new();
    void *sock = zmq_socket(ctx, ZMQ_ROUTER);
    int one = 1, zero = 0;
    zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, secret, 40);
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    char status = zmq_bind(sock, endpoint) == 0 ? 'y' : 'n';
    if (status != 'y')
        fprintf(stderr, "zmq_ceiling: cannot bind %s: %s\n", endpoint, zmq_strerror(errno));
    if (write(ready_fd, &status, 1) != 1 || status != 'y') {
        zmq_close(sock);
        zmq_ctx_term(ctx);
        free(ack.data);
        return 1;
    }
    close(ready_fd);
    for (;;) {
        zmq_msg_t id, body;
        zmq_msg_init(&id);
        zmq_msg_init(&body);
        if (zmq_msg_recv(&id, sock, 0) < 0 || zmq_msg_recv(&body, sock, 0) < 0) {
            zmq_msg_close(&id);
            zmq_msg_close(&body);
            break;
        }
        bool end = zmq_msg_size(&body) == 0;
        zmq_msg_send(&id, sock, ZMQ_SNDMORE);
        zmq_send(sock, ack.data, ack.len, 0);
        zmq_msg_close(&body);
        if (end)
            break;
    }
    zmq_setsockopt(sock, ZMQ_LINGER, &(int){1000}, sizeof(int));
    zmq_close(sock);
    zmq_ctx_term(ctx);
    free(ack.data);
    return 0;
}

static int
s_usage(void)
{
    fprintf(stderr, "usage: zmq_ceiling --from REGISTRY.db --endpoint tcp://127.0.0.1:PORT [--batch 500] [--window 8]"
                    " [--seconds 3]\n");
    return 2;
}

int
main(int argc, char **argv)
{
    const char *from = NULL, *endpoint = NULL;
    long batch = 500, window = 8;
    double seconds = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--from")) from = argv[i + 1];
        else if (!strcmp(argv[i], "--endpoint")) endpoint = argv[i + 1];
        else if (!strcmp(argv[i], "--batch")) batch = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--window")) window = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
        else return s_usage();
    }
    if (!from || !endpoint || batch <= 0 || window <= 0 || argc % 2 == 0)
        return s_usage();
    frame_t *frames;
    size_t nframes, nrecords;
    if (!s_load(from, (size_t)batch, &frames, &nframes, &nrecords))
        return 1;

    char server_pub[41], server_sec[41], client_pub[41], client_sec[41];
    if (zmq_curve_keypair(server_pub, server_sec) != 0 || zmq_curve_keypair(client_pub, client_sec) != 0) {
        fprintf(stderr, "zmq_ceiling: no CURVE in this libzmq\n");
        return 1;
    }
    int ready[2];
    if (pipe(ready) != 0) {
        perror("zmq_ceiling: pipe");
        return 1;
    }
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) {
        perror("zmq_ceiling: fork");
        return 1;
    }
    if (child == 0) {
        close(ready[0]);
        _exit(s_receiver(endpoint, server_sec, (size_t)batch, ready[1]));
    }
    close(ready[1]);
    char status = 'n';
    if (read(ready[0], &status, 1) != 1 || status != 'y') {
        waitpid(child, NULL, 0);
        return 1;
    }
    close(ready[0]);

    void *ctx = zmq_ctx_new();
    void *sock = zmq_socket(ctx, ZMQ_DEALER);
    int zero = 0, timeout = 10000;
    zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server_pub, 40);
    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, client_pub, 40);
    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, client_sec, 40);
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    int rc = 1;
    char sink[64];
    double elapsed = 0;
    size_t sent_msgs = 0, sent_records = 0, sent_bytes = 0;
    if (zmq_connect(sock, endpoint) != 0) {
        fprintf(stderr, "zmq_ceiling: cannot connect to %s: %s\n", endpoint, zmq_strerror(errno));
        goto done;
    }
    /* one message there and back before the clock starts: the handshake is not the transport */
    if (zmq_send(sock, frames[0].data, frames[0].len, 0) < 0 || zmq_recv(sock, sink, sizeof sink, 0) < 0) {
        fprintf(stderr, "zmq_ceiling: no answer from the receiver: %s\n", zmq_strerror(errno));
        goto done;
    }
    double start = s_now();
    long inflight = 0;
    for (size_t next = 0;;) {
        if (next == nframes && inflight == 0 && s_now() - start >= seconds)
            break;
        if (next == nframes && s_now() - start < seconds)
            next = 0;   /* another pass */
        if (next < nframes && inflight < window) {
            if (zmq_send(sock, frames[next].data, frames[next].len, 0) < 0) {
                fprintf(stderr, "zmq_ceiling: send: %s\n", zmq_strerror(errno));
                goto done;
            }
            sent_msgs++;
            sent_records += frames[next].records;
            sent_bytes += frames[next].len;
            next++;
            inflight++;
            continue;
        }
        if (zmq_recv(sock, sink, sizeof sink, 0) < 0) {
            fprintf(stderr, "zmq_ceiling: no ack within %d ms: %s\n", timeout, zmq_strerror(errno));
            goto done;
        }
        inflight--;
    }
    elapsed = s_now() - start;
    rc = 0;
    printf("zmq_ceiling records=%zu messages=%zu bytes=%zu seconds=%.3f records_per_s=%.0f mb_per_s=%.1f\n",
           sent_records, sent_msgs, sent_bytes, elapsed, (double)sent_records / elapsed,
           (double)sent_bytes / elapsed / 1e6);
done:
    if (zmq_send(sock, "", 0, 0) < 0 || zmq_recv(sock, sink, sizeof sink, 0) < 0)
        kill(child, SIGTERM);   /* the receiver did not hear the end */
    zmq_close(sock);
    zmq_ctx_term(ctx);
    waitpid(child, NULL, 0);
    for (size_t i = 0; i < nframes; i++)
        free(frames[i].data);
    free(frames);
    return rc;
}
