/*
** feed.h: the hub's change feed for a department's own system, in C.
**
** Every change to the registry has a hub-wide sequence number with no gap
** (proto/hub.proto, Event). A subscriber asks the hub's query endpoint for
** the events after the last one it handled (EventsQuery{after}); the hub
** answers with the next events within the subscriber's scope (a committee
** office: its community's residents; a department: every resident, and
** sensitive fields of its own records only), every event up to
** Answer.events_to considered, or holds the request until a change is
** committed (wait_ms). Asking for the events after N acknowledges N: the
** hub keeps it, and a subscriber without a position of its own starts
** there (so one that was away for a week gets the week).
**
** This library does that loop: it hands out each event once, in order; it
** checks that every answer continues where the last one ended (an answer
** that does not is a gap: it is dropped and asked for again); when the
** hub does not answer in time it reconnects and asks again from the same
** position; with a position file it keeps its position across restarts
** (written after each answer, renamed into place).
**
**     feed_opts_t o = {.client = {.home = "/var/lib/hub", .principal = "minzheng",
**                                 .port = CLIENT_QUERY},
**                      .position_file = "/var/lib/minzheng/feed.pos", .purpose = "allowance checks"};
**     feed_t *f = feed_open(&o, err, sizeof err);
**     feed_event_t e;
**     while (feed_next(f, &e, 30000) >= 0)   // 1: an event; 0: none within the time
**         ...e.seq, e.kind, e.resident_id, e.field, e.old_value, e.new_value...
**     feed_close(&f);
*/
#ifndef ADP_FEED_H
#define ADP_FEED_H

#include <stdbool.h>
#include <stdint.h>
#include "client.h"

typedef struct {
    client_opts_t client;        /* the hub and the principal's keys (port CLIENT_QUERY) */
    const char *purpose;         /* why it reads: audited with every request */
    const char *position_file;   /* NULL: no position of its own (the hub's acknowledged one) */
    bool has_from;               /* start after `from`, whatever the file or the hub says */
    int64_t from;
    uint32_t page;               /* events per request (default 500) */
    uint32_t wait_ms;            /* how long the hub may hold a request (default 20000) */
} feed_opts_t;

typedef struct {
    int64_t seq, at_ms, resident_id, other_resident;
    int source;                  /* proto Department; 0: the hub's resolution */
    char kind[32], community[16], field[48], source_key[64];
    char old_value[256], new_value[256];
} feed_event_t;

typedef struct feed feed_t;

feed_t *feed_open(const feed_opts_t *opts, char *errbuf, size_t errcap);
void feed_close(feed_t **self_p);

/* The next event within timeout_ms: 1 and *e, 0 when none came (the hub
** quiet or away: call again), -1 when the hub refuses (errbuf says why). */
int feed_next(feed_t *self, feed_event_t *e, int timeout_ms, char *errbuf, size_t errcap);

/* Does answer a continue exactly at position pos (-1: any), its events in
** order and within what it says it covers? (Else it is a gap.) */
bool feed_continues(int64_t pos, const Hub__Answer *a);

/* The last seq handed out (or started after), and how many gaps were
** repaired and reconnections made. */
int64_t feed_position(const feed_t *self);
long feed_gaps(const feed_t *self);
long feed_reconnects(const feed_t *self);

#endif
