/*
** querylat.c: query latency against a running hubd, for bench/run.sh:
**   querylat --home HOME [--principal NAME] [--purpose TEXT] --kind KIND[,KIND...]
**            [--count N] [--seconds S] [--stop-file PATH] [--timeout MS] [--rate R] [--duty F]
**            [--idnos FILE] [--names FILE] [--communities FILE] [--out FILE]
** KIND: get (by identity number, from --idnos), search (by name, from
** --names), roster (every page of one community's roster, from
** --communities: one sample is the whole roster, as `hubctl roster CODE`
** fetches it), stats (of the district). Each FILE holds one argument a line,
** used in turn and again from the top when they run out.
** One connection (the client of hub/client.h, as hubctl's), sequential
** requests. Each sample is one round trip (a roster: all its pages), timed
** with CLOCK_MONOTONIC. It stops when every kind has N samples, after S
** seconds, or as soon as PATH exists (the load it runs beside is over).
** Beside a load the requests are paced so that they do not become the
** load: each kind takes at most --rate R samples a second (a sample slower
** than 1/R is followed by the next at once) and keeps the hub busy at most
** its share of --duty F (F / kinds: after a sample the kind waits
** d * (1 - share) / share, d the median of its last five samples); the
** kind due first goes next. Unpaced by default: the kinds take turns.
** --out FILE writes each sample in µs, one a line (with several kinds:
** FILE.KIND). Prints one line a kind:
**   KIND n=N ok=N notfound=N refused=N timeouts=N p50_us=.. p99_us=.. p999_us=.. max_us=.. mean_us=..
** A request without an answer within --timeout (default 30000 ms) counts
** as a timeout and the connection is made anew (a late answer must not be
** taken for the next); after three a kind is given up. The principal
** defaults to admin, as hubctl's (a department:DEPT principal may ask all
** four kinds); the purpose to HUB_PURPOSE. Exit 0, 1 when a kind got no
** answer at all, 2 on bad usage.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

typedef enum { KIND_GET, KIND_SEARCH, KIND_ROSTER, KIND_STATS, KIND_N } kind_t;

static const char *const s_kind_names[KIND_N] = {"get", "search", "roster", "stats"};

/* One argument file: its lines, used in turn. */
typedef struct {
    char **lines;
    size_t n, next;
} args_t;

/* The samples of one kind and what the answers said. */
typedef struct {
    bool wanted, given_up;
    args_t args;
    int64_t *us;
    size_t n, cap;
    long ok, notfound, refused, timeouts;
} series_t;

static int64_t
s_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Read path's non-empty lines into a; false (with a message) when it cannot be read or is empty. */
static bool
s_args_load(args_t *a, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "querylat: cannot read %s\n", path);
        return false;
    }
    size_t cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (len == 0)
            continue;
        if (a->n == cap) {
            cap = cap ? cap * 2 : 1024;
            a->lines = HUB_CHECK_ALLOC(realloc(a->lines, cap * sizeof *a->lines));
        }
        a->lines[a->n++] = HUB_CHECK_ALLOC(strdup(line));
    }
    free(line);
    fclose(f);
    if (a->n == 0)
        fprintf(stderr, "querylat: %s holds no argument\n", path);
    return a->n > 0;
}

static const char *
s_args_next(args_t *a)
{
    if (a->n == 0)
        return "";
    const char *s = a->lines[a->next];
    a->next = (a->next + 1) % a->n;
    return s;
}

static void
s_args_fini(args_t *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->lines[i]);
    free(a->lines);
}

static void
s_series_add(series_t *s, int64_t us)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->us = HUB_CHECK_ALLOC(realloc(s->us, s->cap * sizeof *s->us));
    }
    s->us[s->n++] = us;
}

typedef enum { ASK_OK, ASK_NOTFOUND, ASK_REFUSED, ASK_TIMEOUT } ask_t;

/* q asked (client_ask) and its outcome sorted; *answer (when ASK_OK or
** ASK_NOTFOUND) is the caller's to free. */
static ask_t
s_ask(client_t *c, Hub__Query *q, const char *purpose, uint64_t seq, int timeout_ms, Hub__Message **answer)
{
    Hub__Message *a = *answer = client_ask(c, q, purpose, seq, timeout_ms);
    if (!a)
        return ASK_TIMEOUT;
    if (a->answer->has_status && a->answer->status == HUB_ENOTFOUND)
        return ASK_NOTFOUND;
    if (a->answer->has_status && a->answer->status != HUB_OK) {
        hub__message__free_unpacked(a, NULL);
        *answer = NULL;
        return ASK_REFUSED;
    }
    return ASK_OK;
}

/* One sample of kind k: one round trip, or every page of a roster. */
static ask_t
s_sample(client_t *c, kind_t k, const char *arg, const char *purpose, uint64_t *seq, int timeout_ms)
{
    Hub__Query q = HUB__QUERY__INIT;
    Hub__GetResident g = HUB__GET_RESIDENT__INIT;
    Hub__SearchQuery sq = HUB__SEARCH_QUERY__INIT;
    Hub__StatsRequest sr = HUB__STATS_REQUEST__INIT;
    Hub__Message *a = NULL;
    ask_t rc;
    switch (k) {
    case KIND_GET:
        g.idno = (char *)arg;
        q.q_case = HUB__QUERY__Q_GET;
        q.get = &g;
        break;
    case KIND_SEARCH:
        sq.name = (char *)arg;
        q.q_case = HUB__QUERY__Q_SEARCH;
        q.search = &sq;
        break;
    case KIND_STATS:
        q.q_case = HUB__QUERY__Q_STATS;
        q.stats = &sr;
        break;
    case KIND_ROSTER: {   /* pages of 100 residents, by id, as hubctl roster asks */
        int64_t after = 0;
        for (;;) {
            Hub__Admin ad = HUB__ADMIN__INIT;
            ad.command = "roster";
            ad.name = (char *)arg;
            ad.filter = "";
            ad.has_after = 1;
            ad.after = after;
            q.q_case = HUB__QUERY__Q_ADMIN;
            q.admin = &ad;
            rc = s_ask(c, &q, purpose, ++*seq, timeout_ms, &a);
            if (rc != ASK_OK) {
                if (a)
                    hub__message__free_unpacked(a, NULL);
                return rc;
            }
            size_t n = a->answer->n_hits;
            if (n)
                after = a->answer->hits[n - 1]->resident_id;
            hub__message__free_unpacked(a, NULL);
            if (n < 100)
                return ASK_OK;
        }
    }
    case KIND_N:
        break;
    }
    rc = s_ask(c, &q, purpose, ++*seq, timeout_ms, &a);
    if (a)
        hub__message__free_unpacked(a, NULL);
    return rc;
}

static int
s_cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

/* The sample at quantile p of sorted us[0..n) (nearest rank). */
static int64_t
s_quantile(const int64_t *us, size_t n, double p)
{
    size_t rank = (size_t)(p * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return us[rank - 1];
}

/* Print s's summary line; write its samples (in the order taken) to path when given. */
static void
s_report(series_t *s, kind_t k, const char *path)
{
    if (path) {
        FILE *f = fopen(path, "w");
        if (!f)
            fprintf(stderr, "querylat: cannot write %s\n", path);
        for (size_t i = 0; f && i < s->n; i++)
            fprintf(f, "%lld\n", (long long)s->us[i]);
        if (f)
            fclose(f);
    }
    printf("%s n=%zu ok=%ld notfound=%ld refused=%ld timeouts=%ld", s_kind_names[k], s->n, s->ok, s->notfound,
           s->refused, s->timeouts);
    if (s->n) {
        qsort(s->us, s->n, sizeof *s->us, s_cmp_i64);
        double sum = 0;
        for (size_t i = 0; i < s->n; i++)
            sum += (double)s->us[i];
        printf(" p50_us=%lld p99_us=%lld p999_us=%lld max_us=%lld mean_us=%.0f",
               (long long)s_quantile(s->us, s->n, 0.5), (long long)s_quantile(s->us, s->n, 0.99),
               (long long)s_quantile(s->us, s->n, 0.999), (long long)s->us[s->n - 1], sum / (double)s->n);
    }
    putchar('\n');
}

/* When a kind may start its next sample after one that ran from t0 to t1
** (ns): at most rate samples a second, and busy at most the fraction duty
** of the time, counting as the hub's work for a sample the median of the
** kind's last five (one that waited behind other work was not all its own;
** the work grows with the registry, so not the quickest ever). */
static int64_t
s_next_due(const series_t *s, int64_t t0, int64_t t1, double rate, double duty)
{
    int64_t due = t1, work = t1 - t0, last[5];
    size_t n = s->n < 5 ? s->n : 5;
    if (n) {
        memcpy(last, s->us + s->n - n, n * sizeof *last);
        qsort(last, n, sizeof *last, s_cmp_i64);
        work = last[n / 2] * 1000;
    }
    if (rate > 0 && t0 + (int64_t)(1e9 / rate) > due)
        due = t0 + (int64_t)(1e9 / rate);
    if (duty < 1 && t1 + (int64_t)((double)work * (1 - duty) / duty) > due)
        due = t1 + (int64_t)((double)work * (1 - duty) / duty);
    return due;
}

/* Sleep until ns, or until the stop file appears. */
static void
s_sleep_until(int64_t until, const char *stop)
{
    for (int64_t wait; (wait = until - s_now_ns()) > 0 && !(stop && access(stop, F_OK) == 0);) {
        struct timespec ts = {0, (long)(wait > 50000000 ? 50000000 : wait)};
        nanosleep(&ts, NULL);
    }
}

static int
s_usage(void)
{
    fprintf(stderr, "usage: querylat --home HOME [--principal NAME] [--purpose TEXT]\n"
                    "                --kind get|search|roster|stats[,...] [--count N] [--seconds S]\n"
                    "                [--stop-file PATH] [--timeout MS] [--rate R] [--duty F]\n"
                    "                [--idnos FILE] [--names FILE] [--communities FILE] [--out FILE]\n");
    return 2;
}

int
main(int argc, char **argv)
{
    client_opts_t o = {.principal = "admin", .port = CLIENT_QUERY};
    const char *purpose = getenv("HUB_PURPOSE"), *kinds = NULL, *stop = NULL, *out = NULL;
    const char *files[KIND_N] = {NULL};
    long count = 1000;
    double seconds = 0, rate = 0, duty = 1;
    int timeout_ms = 30000;
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return s_usage();
        if (!strcmp(a, "--home")) o.home = v;
        else if (!strcmp(a, "--principal")) o.principal = v;
        else if (!strcmp(a, "--purpose")) purpose = v;
        else if (!strcmp(a, "--kind")) kinds = v;
        else if (!strcmp(a, "--count")) count = atol(v);
        else if (!strcmp(a, "--seconds")) seconds = atof(v);
        else if (!strcmp(a, "--stop-file")) stop = v;
        else if (!strcmp(a, "--timeout")) timeout_ms = atoi(v);
        else if (!strcmp(a, "--rate")) rate = atof(v);
        else if (!strcmp(a, "--duty")) duty = atof(v);
        else if (!strcmp(a, "--idnos")) files[KIND_GET] = v;
        else if (!strcmp(a, "--names")) files[KIND_SEARCH] = v;
        else if (!strcmp(a, "--communities")) files[KIND_ROSTER] = v;
        else if (!strcmp(a, "--out")) out = v;
        else
            return s_usage();
    }
    if (!o.home || !kinds || count <= 0 || timeout_ms <= 0 || rate < 0 || duty <= 0 || duty > 1)
        return s_usage();
    if (!purpose || !*purpose)
        purpose = "bench: query latency";

    series_t series[KIND_N] = {{0}};
    size_t nkinds = 0;
    char list[256];
    snprintf(list, sizeof list, "%s", kinds);
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int k = 0;
        while (k < KIND_N && strcmp(t, s_kind_names[k]) != 0)
            k++;
        if (k == KIND_N) {
            fprintf(stderr, "querylat: unknown kind `%s`\n", t);
            return s_usage();
        }
        if (k != KIND_STATS && !files[k]) {
            fprintf(stderr, "querylat: %s needs %s FILE\n", t,
                    k == KIND_GET ? "--idnos" : k == KIND_SEARCH ? "--names" : "--communities");
            return 2;
        }
        if (!series[k].wanted && k != KIND_STATS && !s_args_load(&series[k].args, files[k]))
            return 2;
        if (!series[k].wanted)
            nkinds++;
        series[k].wanted = true;
    }

    char err[1200];
    client_t *c = client_new(&o, err, sizeof err);
    if (!c) {
        fprintf(stderr, "querylat: %s\n", err);
        return 2;
    }
    uint64_t seq = 0;
    int64_t start = s_now_ns(), due[KIND_N] = {0};
    double share = duty / (double)nkinds;
    for (;;) {
        int k = -1;   /* the kind due first; with equal times, the one that waited longest */
        for (int i = 0; i < KIND_N; i++)
            if (series[i].wanted && !series[i].given_up && (long)series[i].n < count
                && (k < 0 || due[i] < due[k]))
                k = i;
        if (k < 0)
            break;
        s_sleep_until(due[k], stop);
        if ((stop && access(stop, F_OK) == 0) || (seconds > 0 && (double)(s_now_ns() - start) / 1e9 >= seconds))
            break;
        series_t *s = &series[k];
        const char *arg = k == KIND_STATS ? "" : s_args_next(&s->args);
        int64_t t0 = s_now_ns();
        ask_t rc = s_sample(c, (kind_t)k, arg, purpose, &seq, timeout_ms);
        int64_t t1 = s_now_ns(), us = (t1 - t0) / 1000;
        if (rc == ASK_TIMEOUT) {   /* a late answer must not be read as the next one's */
            s->timeouts++;
            if (s->timeouts >= 3)   /* the hub does not answer this kind: stop asking it */
                s->given_up = true;
            client_destroy(&c);
            if (!(c = client_new(&o, err, sizeof err))) {
                fprintf(stderr, "querylat: %s\n", err);
                return 2;
            }
        } else {
            s_series_add(s, us);
            if (rc == ASK_OK)
                s->ok++;
            else if (rc == ASK_NOTFOUND)
                s->notfound++;
            else
                s->refused++;
        }
        due[k] = s_next_due(s, t0, t1, rate, share);
    }
    client_destroy(&c);

    int status = 0;
    for (int k = 0; k < KIND_N; k++) {
        if (!series[k].wanted)
            continue;
        char path[4096];
        if (out && nkinds > 1)
            snprintf(path, sizeof path, "%s.%s", out, s_kind_names[k]);
        else if (out)
            snprintf(path, sizeof path, "%s", out);
        s_report(&series[k], (kind_t)k, out ? path : NULL);
        if (series[k].ok + series[k].notfound == 0)
            status = 1;
        free(series[k].us);
        s_args_fini(&series[k].args);
    }
    return status;
}
