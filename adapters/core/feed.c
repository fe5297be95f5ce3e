/* feed.c: the change feed's client loop (see feed.h). */
#define _POSIX_C_SOURCE 200809L
#include "feed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct feed {
    feed_opts_t o;
    client_t *client;
    char purpose[256], position_file[1024];
    int64_t pos;             /* every event up to here is handled; -1: the hub's acknowledged one */
    int64_t handed;          /* the event handed out by the last call, not yet known handled; -1 none */
    Hub__Message *page;      /* the last answer, handed out from `next` on */
    size_t next;
    uint64_t seq;
    long gaps, reconnects;
};

static int64_t
s_read_position(const char *path)
{
    FILE *f = path && *path ? fopen(path, "r") : NULL;
    long long v = -1;
    if (f) {
        if (fscanf(f, "%lld", &v) != 1)
            v = -1;
        fclose(f);
    }
    return v;
}

/* Written whole or not at all: a temporary file, synced, renamed. */
static void
s_write_position(feed_t *self)
{
    if (!*self->position_file || self->pos < 0)
        return;
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.new", self->position_file);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return;
    int bad = fprintf(f, "%lld\n", (long long)self->pos) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (!bad)
        rename(tmp, self->position_file);
}

feed_t *
feed_open(const feed_opts_t *opts, char *errbuf, size_t errcap)
{
    feed_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(errbuf, errcap, "out of memory");
        return NULL;
    }
    self->o = *opts;
    snprintf(self->purpose, sizeof self->purpose, "%s", opts->purpose ? opts->purpose : "");
    snprintf(self->position_file, sizeof self->position_file, "%s", opts->position_file ? opts->position_file : "");
    self->o.page = opts->page ? opts->page : 500;
    self->o.wait_ms = opts->wait_ms ? opts->wait_ms : 20000;
    self->pos = opts->has_from ? opts->from : s_read_position(self->position_file);
    self->handed = -1;
    if (!(self->client = client_new(&self->o.client, errbuf, errcap))) {
        free(self);
        return NULL;
    }
    return self;
}

void
feed_close(feed_t **self_p)
{
    feed_t *self = *self_p;
    if (!self)
        return;
    if (self->handed >= 0)   /* the caller asked no more: the last one is handled */
        self->pos = self->handed;
    s_write_position(self);
    if (self->page)
        hub__message__free_unpacked(self->page, NULL);
    client_destroy(&self->client);
    free(self);
    *self_p = NULL;
}

static void
s_copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static void
s_fill(feed_event_t *e, const Hub__Event *v)
{
    memset(e, 0, sizeof *e);
    e->seq = (int64_t)v->event_seq;
    e->at_ms = v->at_ms;
    e->resident_id = v->has_resident_id ? v->resident_id : 0;
    e->other_resident = v->has_other_resident ? v->other_resident : 0;
    e->source = v->has_source ? (int)v->source : 0;
    s_copy(e->kind, sizeof e->kind, v->kind);
    s_copy(e->community, sizeof e->community, v->community);
    s_copy(e->field, sizeof e->field, v->field);
    s_copy(e->source_key, sizeof e->source_key, v->source_key);
    s_copy(e->old_value, sizeof e->old_value, v->old_value);
    s_copy(e->new_value, sizeof e->new_value, v->new_value);
}

bool
feed_continues(int64_t pos, const Hub__Answer *a)
{
    if (!a->has_events_after || !a->has_events_to || (pos >= 0 && (int64_t)a->events_after != pos))
        return false;
    uint64_t prev = a->events_after;
    for (size_t i = 0; i < a->n_events; i++) {
        if (a->events[i]->event_seq <= prev || a->events[i]->event_seq > a->events_to)
            return false;
        prev = a->events[i]->event_seq;
    }
    return a->events_to >= a->events_after;
}

/* Ask for the next page, waiting up to wait_ms at the hub: 1 a page, 0 none
** in time (reconnected), -1 refused. */
static int
s_fetch(feed_t *self, int wait_ms, char *errbuf, size_t errcap)
{
    Hub__EventsQuery eq = HUB__EVENTS_QUERY__INIT;
    if (self->pos >= 0) {
        eq.has_after = 1;
        eq.after = (uint64_t)self->pos;
    }
    eq.has_limit = eq.has_wait_ms = 1;
    eq.limit = self->o.page;
    eq.wait_ms = (uint32_t)(wait_ms > 0 ? wait_ms : 0);
    Hub__Query q = HUB__QUERY__INIT;
    q.q_case = HUB__QUERY__Q_EVENTS;
    q.events = &eq;
    Hub__Message *m = client_ask(self->client, &q, self->purpose, ++self->seq, wait_ms + 5000);
    if (!m) {   /* the hub away or the answer lost: a new connection, the same position */
        char why[256];
        client_t *c = client_new(&self->o.client, why, sizeof why);
        if (c) {
            client_destroy(&self->client);
            self->client = c;
        }
        self->reconnects++;
        return 0;
    }
    const Hub__Answer *a = m->answer;
    if (a->has_status && a->status != 0) {
        snprintf(errbuf, errcap, "%s", a->error ? a->error : "the hub refused the request");
        hub__message__free_unpacked(m, NULL);
        return -1;
    }
    if (!feed_continues(self->pos, a)) {   /* a gap: not where it should start, or out of order */
        self->gaps++;
        hub__message__free_unpacked(m, NULL);
        return 0;
    }
    if (self->pos < 0)
        self->pos = (int64_t)a->events_after;
    self->page = m;
    self->next = 0;
    return 1;
}

int
feed_next(feed_t *self, feed_event_t *e, int timeout_ms, char *errbuf, size_t errcap)
{
    if (self->handed >= 0) {   /* asked again: the one handed out is handled */
        self->pos = self->handed;
        self->handed = -1;
    }
    int64_t deadline = client_mono_ms() + timeout_ms;
    for (;;) {
        if (self->page && self->next < self->page->answer->n_events) {
            s_fill(e, self->page->answer->events[self->next++]);
            self->handed = e->seq;
            return 1;
        }
        if (self->page) {   /* every event of the page handed out: up to its end considered */
            self->pos = (int64_t)self->page->answer->events_to;
            hub__message__free_unpacked(self->page, NULL);
            self->page = NULL;
            s_write_position(self);
        }
        int64_t left = deadline - client_mono_ms();
        if (left <= 0)
            return 0;
        int wait = left < (int64_t)self->o.wait_ms ? (int)left : (int)self->o.wait_ms;
        int rc = s_fetch(self, wait, errbuf, errcap);
        if (rc < 0)
            return -1;
    }
}

int64_t
feed_position(const feed_t *self)
{
    return self->handed >= 0 ? self->handed : self->pos;
}

long
feed_gaps(const feed_t *self)
{
    return self->gaps;
}

long
feed_reconnects(const feed_t *self)
{
    return self->reconnects;
}
