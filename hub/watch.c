/* watch.c: the adapters as the hub sees them (see watch.h). */
#define _POSIX_C_SOURCE 200809L
#include "watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "log.h"

#define RATE_SLOTS 60   /* one per second: records accepted or duplicate */

typedef enum { W_UP, W_SILENT, W_LEFT } w_state_t;

typedef struct {
    char name[64];
    int department;
    w_state_t state;
    int64_t last_seen_ms;
    uint32_t interval_s;
    uint64_t last_seq;
    long long records, rejected;
    int64_t slot_sec[RATE_SLOTS];
    long slot_n[RATE_SLOTS];
} adapter_t;

struct watch {
    metrics_t *metrics;
    long silent_ms;
    adapter_t *a;
    size_t n, cap;
};

static const char *s_states[] = {"up", "silent", "left"};

watch_t *
watch_new(metrics_t *metrics, long silent_ms)
{
    watch_t *self = HUB_CHECK_ALLOC(calloc(1, sizeof *self));
    self->metrics = metrics;
    self->silent_ms = silent_ms;
    return self;
}

void
watch_destroy(watch_t **self_p)
{
    if (!*self_p)
        return;
    free((*self_p)->a);
    free(*self_p);
    *self_p = NULL;
}

static adapter_t *
s_find(watch_t *self, const char *name, bool make)
{
    for (size_t i = 0; i < self->n; i++)
        if (strcmp(self->a[i].name, name) == 0)
            return &self->a[i];
    if (!make)
        return NULL;
    if (self->n == self->cap) {
        self->cap = self->cap ? 2 * self->cap : 8;
        self->a = HUB_CHECK_ALLOC(realloc(self->a, self->cap * sizeof *self->a));
    }
    adapter_t *a = &self->a[self->n++];
    memset(a, 0, sizeof *a);
    snprintf(a->name, sizeof a->name, "%s", name);
    a->state = W_LEFT;   /* not yet seen: its first message says it is up */
    a->last_seen_ms = -1;
    return a;
}

static void
s_labels(const adapter_t *a, char *out, size_t cap)
{
    snprintf(out, cap, "adapter=\"%s\"", a->name);
}

static void
s_state(watch_t *self, adapter_t *a, w_state_t to, const char *msgid, int64_t quiet_ms)
{
    char labels[96];
    s_labels(a, labels, sizeof labels);
    a->state = to;
    metrics_set(self->metrics, "hub_adapter_up", labels, to == W_UP);
    if (quiet_ms >= 0)
        log_warn(msgid, LOG_S("adapter", a->name), LOG_I("quiet_s", quiet_ms / 1000));
    else
        log_notice(msgid, LOG_S("adapter", a->name), LOG_I("heartbeat_s", a->interval_s));
}

void
watch_seen(watch_t *self, const char *name, int department, int64_t now_ms, uint32_t interval_s, bool leaving)
{
    adapter_t *a = s_find(self, name, true);
    bool first = a->last_seen_ms < 0;
    a->department = department;
    if (interval_s)
        a->interval_s = interval_s;
    if (leaving)
        s_state(self, a, W_LEFT, "HUB-ADAPTER-LEFT", -1);
    else if (a->state == W_SILENT)
        s_state(self, a, W_UP, "HUB-ADAPTER-BACK", -1);
    else if (a->state == W_LEFT)
        s_state(self, a, W_UP, first ? "HUB-ADAPTER-UP" : "HUB-ADAPTER-BACK", -1);
    a->last_seen_ms = now_ms;
    char labels[96];
    s_labels(a, labels, sizeof labels);
    metrics_set(self->metrics, "hub_adapter_last_seen_seconds", labels, (double)now_ms / 1000.0);
}

void
watch_batch(watch_t *self, const char *name, uint64_t seq, int64_t sent_ms, int64_t now_ms, const int counts[4])
{
    adapter_t *a = s_find(self, name, true);
    a->last_seq = seq;
    a->records += counts[0];
    a->rejected += counts[3];
    int64_t sec = now_ms / 1000;
    int k = (int)(sec % RATE_SLOTS);
    if (a->slot_sec[k] != sec) {
        a->slot_sec[k] = sec;
        a->slot_n[k] = 0;
    }
    a->slot_n[k] += counts[1] + counts[2];
    char labels[96];
    s_labels(a, labels, sizeof labels);
    metrics_set(self->metrics, "hub_adapter_last_seq", labels, (double)seq);
    if (sent_ms > 0)
        metrics_set(self->metrics, "hub_adapter_lag_seconds", labels, (double)(now_ms - sent_ms) / 1000.0);
}

void
watch_tick(watch_t *self, int64_t now_ms)
{
    for (size_t i = 0; i < self->n; i++) {
        adapter_t *a = &self->a[i];
        long limit = a->interval_s ? 3000L * (long)a->interval_s : self->silent_ms;
        if (a->state == W_UP && now_ms - a->last_seen_ms > limit)
            s_state(self, a, W_SILENT, "HUB-ADAPTER-SILENT", now_ms - a->last_seen_ms);
    }
}

int
watch_silent(const watch_t *self)
{
    int n = 0;
    for (size_t i = 0; i < self->n; i++)
        n += self->a[i].state == W_SILENT;
    return n;
}

void
watch_report(const watch_t *self, int64_t now_ms, report_t *r)
{
    for (size_t i = 0; i < self->n; i++) {
        const adapter_t *a = &self->a[i];
        long recent = 0;
        for (int k = 0; k < RATE_SLOTS; k++)
            if (now_ms / 1000 - a->slot_sec[k] < RATE_SLOTS)
                recent += a->slot_n[k];
        char when[32] = "never";
        if (a->last_seen_ms >= 0) {
            time_t t = (time_t)(a->last_seen_ms / 1000);
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        }
        report_cell(r, "%s", a->name);
        report_cell(r, "%s", s_states[a->state]);
        report_cell(r, "%s", when);
        report_cell(r, "%llu", (unsigned long long)a->last_seq);
        report_cell(r, "%.1f", (double)recent / RATE_SLOTS);
        report_cell(r, "%lld", a->records);
        report_cell(r, "%lld", a->rejected);
    }
}
