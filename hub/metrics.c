/* metrics.c: the hub's figures in memory, rendered for Prometheus (see metrics.h). */
#define _POSIX_C_SOURCE 200809L
#include "metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"

typedef enum { M_COUNTER, M_GAUGE, M_HISTOGRAM } m_type_t;

static const struct {
    const char *name;
    m_type_t type;
    const char *help;
} s_families[] = {
    {"hub_records_received_total", M_COUNTER, "Records received in batches, by department"},
    {"hub_records_accepted_total", M_COUNTER, "Records stored as new or changed, by department"},
    {"hub_records_duplicate_total", M_COUNTER, "Records already stored with the same content, by department"},
    {"hub_records_rejected_total", M_COUNTER, "Records refused and quarantined, by department"},
    {"hub_batches_total", M_COUNTER, "Batches acknowledged, by department"},
    {"hub_messages_refused_total", M_COUNTER, "Whole messages refused and quarantined, by department"},
    {"hub_commits_failed_total", M_COUNTER, "Group commits that failed (their batches were told to resend)"},
    {"hub_alerts_opened_total", M_COUNTER, "Cross-department check findings opened as alerts since start"},
    {"hub_reviews_settled_total", M_COUNTER, "Open review items whose two records later evidence put in one resident"},
    {"hub_commit_seconds", M_HISTOGRAM, "Time to commit a group of batches"},
    {"hub_stage_seconds_total", M_COUNTER, "Time spent taking records in, by stage: decode, normalise, match, store, commit"},
    {"hub_ingest_queue_depth", M_GAUGE, "Batches waiting in the open transaction for their commit"},
    {"hub_residents", M_GAUGE, "Residents in the registry"},
    {"hub_source_records", M_GAUGE, "Current source records in the registry"},
    {"hub_merges_total", M_GAUGE, "Merges recorded since the registry began"},
    {"hub_splits_total", M_GAUGE, "Splits recorded since the registry began"},
    {"hub_reviews_open", M_GAUGE, "Review items waiting for a decision"},
    {"hub_quarantined", M_GAUGE, "Entries in the quarantine"},
    {"hub_queries_total", M_COUNTER, "Requests answered on the query socket, by kind and role"},
    {"hub_query_refusals_total", M_COUNTER, "Requests refused, by kind and role"},
    {"hub_query_seconds", M_HISTOGRAM, "Time to answer a request, by kind"},
    {"hub_adapter_up", M_GAUGE, "1 while the adapter is sending or heartbeating, 0 when silent or gone"},
    {"hub_adapter_last_seq", M_GAUGE, "The last sequence number received from the adapter"},
    {"hub_adapter_last_seen_seconds", M_GAUGE, "Unix time of the adapter's last message"},
    {"hub_adapter_lag_seconds", M_GAUGE, "Receive time minus send time of the adapter's last batch"},
    {"hub_database_bytes", M_GAUGE, "Size of registry.db"},
    {"hub_wal_bytes", M_GAUGE, "Size of registry.db-wal"},
    {"hub_disk_free_bytes", M_GAUGE, "Free space on the file system of the hub's home"},
    {"hub_uptime_seconds", M_GAUGE, "Seconds since hubd started"},
    {"hub_healthy", M_GAUGE, "1 when the hub can commit and answer (as /healthz), else 0"},
};
#define NFAMILIES (sizeof s_families / sizeof s_families[0])

static const double s_buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBUCKETS (sizeof s_buckets / sizeof s_buckets[0])

typedef struct {
    size_t family;
    char labels[160];
    double value;                /* counter, gauge; histogram: sum */
    unsigned long long count;    /* histogram */
    unsigned long long bucket[NBUCKETS];
} series_t;

struct metrics {
    pthread_mutex_t lock;
    series_t *series;
    size_t n, cap;
    char health[256];            /* "" healthy */
    struct timespec reported;    /* when the poll loop last set health */
};

metrics_t *
metrics_new(void)
{
    metrics_t *self = HUB_CHECK_ALLOC(calloc(1, sizeof *self));
    pthread_mutex_init(&self->lock, NULL);
    clock_gettime(CLOCK_MONOTONIC, &self->reported);
    return self;
}

void
metrics_destroy(metrics_t **self_p)
{
    metrics_t *self = *self_p;
    if (!self)
        return;
    pthread_mutex_destroy(&self->lock);
    free(self->series);
    free(self);
    *self_p = NULL;
}

static size_t
s_family(const char *name)
{
    for (size_t f = 0; f < NFAMILIES; f++)
        if (strcmp(s_families[f].name, name) == 0)
            return f;
    fprintf(stderr, "metrics: family %s is not declared in metrics.c\n", name);
    abort();
}

/* The series (family, labels), made when new; the lock is held. */
static series_t *
s_series(metrics_t *self, const char *family, const char *labels)
{
    size_t f = s_family(family);
    for (size_t i = 0; i < self->n; i++)
        if (self->series[i].family == f && strcmp(self->series[i].labels, labels) == 0)
            return &self->series[i];
    if (self->n == self->cap) {
        self->cap = self->cap ? 2 * self->cap : 64;
        self->series = HUB_CHECK_ALLOC(realloc(self->series, self->cap * sizeof *self->series));
    }
    series_t *s = &self->series[self->n++];
    memset(s, 0, sizeof *s);
    s->family = f;
    snprintf(s->labels, sizeof s->labels, "%s", labels);
    return s;
}

void
metrics_add(metrics_t *self, const char *family, const char *labels, double v)
{
    pthread_mutex_lock(&self->lock);
    s_series(self, family, labels)->value += v;
    pthread_mutex_unlock(&self->lock);
}

void
metrics_set(metrics_t *self, const char *family, const char *labels, double v)
{
    pthread_mutex_lock(&self->lock);
    s_series(self, family, labels)->value = v;
    pthread_mutex_unlock(&self->lock);
}

void
metrics_observe(metrics_t *self, const char *family, const char *labels, double v)
{
    pthread_mutex_lock(&self->lock);
    series_t *s = s_series(self, family, labels);
    s->value += v;
    s->count++;
    for (size_t b = 0; b < NBUCKETS; b++)
        if (v <= s_buckets[b])
            s->bucket[b]++;
    pthread_mutex_unlock(&self->lock);
}

double
metrics_get(metrics_t *self, const char *family, const char *labels)
{
    pthread_mutex_lock(&self->lock);
    size_t f = s_family(family);
    double v = 0;
    for (size_t i = 0; i < self->n; i++)
        if (self->series[i].family == f && strcmp(self->series[i].labels, labels) == 0)
            v = s_families[f].type == M_HISTOGRAM ? (double)self->series[i].count : self->series[i].value;
    pthread_mutex_unlock(&self->lock);
    return v;
}

typedef struct {
    char *s;
    size_t len, cap;
} buf_t;

static void
s_put(buf_t *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap * 2 + (size_t)(n > 0 ? n : 0);
        b->s = HUB_CHECK_ALLOC(realloc(b->s, b->cap));
    }
}

/* name{labels[,extra]} */
static void
s_name(buf_t *b, const char *name, const char *suffix, const char *labels, const char *extra)
{
    s_put(b, "%s%s", name, suffix);
    if (*labels || *extra)
        s_put(b, "{%s%s%s}", labels, *labels && *extra ? "," : "", extra);
}

char *
metrics_render(metrics_t *self)
{
    buf_t b = {HUB_CHECK_ALLOC(malloc(4096)), 0, 4096};
    b.s[0] = 0;
    pthread_mutex_lock(&self->lock);
    for (size_t f = 0; f < NFAMILIES; f++) {
        static const char *types[] = {"counter", "gauge", "histogram"};
        bool any = false;
        for (size_t i = 0; i < self->n && !any; i++)
            any = self->series[i].family == f;
        if (!any)
            continue;
        s_put(&b, "# HELP %s %s\n# TYPE %s %s\n", s_families[f].name, s_families[f].help, s_families[f].name,
              types[s_families[f].type]);
        for (size_t i = 0; i < self->n; i++) {
            const series_t *s = &self->series[i];
            if (s->family != f)
                continue;
            if (s_families[f].type != M_HISTOGRAM) {
                s_name(&b, s_families[f].name, "", s->labels, "");
                s_put(&b, " %.17g\n", s->value);
                continue;
            }
            for (size_t k = 0; k < NBUCKETS; k++) {
                char le[32];
                snprintf(le, sizeof le, "le=\"%g\"", s_buckets[k]);
                s_name(&b, s_families[f].name, "_bucket", s->labels, le);
                s_put(&b, " %llu\n", s->bucket[k]);
            }
            s_name(&b, s_families[f].name, "_bucket", s->labels, "le=\"+Inf\"");
            s_put(&b, " %llu\n", s->count);
            s_name(&b, s_families[f].name, "_sum", s->labels, "");
            s_put(&b, " %.17g\n", s->value);
            s_name(&b, s_families[f].name, "_count", s->labels, "");
            s_put(&b, " %llu\n", s->count);
        }
    }
    pthread_mutex_unlock(&self->lock);
    return b.s;
}

void
metrics_health_set(metrics_t *self, const char *reason)
{
    pthread_mutex_lock(&self->lock);
    snprintf(self->health, sizeof self->health, "%s", reason ? reason : "");
    clock_gettime(CLOCK_MONOTONIC, &self->reported);
    pthread_mutex_unlock(&self->lock);
}

bool
metrics_health(metrics_t *self, long stall_ms, char *buf, size_t cap)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&self->lock);
    long age = (long)((now.tv_sec - self->reported.tv_sec) * 1000 + (now.tv_nsec - self->reported.tv_nsec) / 1000000);
    if (age > stall_ms)
        snprintf(buf, cap, "the hub's poll loop has not turned for %ld ms (busy or stuck)", age);
    else
        snprintf(buf, cap, "%s", self->health);
    pthread_mutex_unlock(&self->lock);
    return !*buf;
}
