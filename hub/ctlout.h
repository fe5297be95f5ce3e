/*
** ctlout.h: how hubctl prints what the hub answers, in one of three forms:
** a table for people (Chinese text aligned by display width), CSV
** (RFC 4180, a header line) or JSON (jansson) for scripts. Only hubctl
** uses it; the hub sends data, never layout.
*/
#ifndef HUB_CTLOUT_H
#define HUB_CTLOUT_H

#include <stdbool.h>

#include "feed.h"
#include "proto/hub.pb-c.h"

typedef enum { OUT_TABLE, OUT_CSV, OUT_JSON } out_format_t;

const char *out_dept_name(int department);

/* Residents found (search, household, roster), a page at a time. */
typedef struct {
    out_format_t format;
    bool why;            /* search and household say why each matched */
    long long n;         /* printed so far */
} out_hits_t;
void out_hits_begin(out_hits_t *h, out_format_t format, bool why);
void out_hit(out_hits_t *h, const Hub__SearchHit *hit);
/* The closing line: "N residents" (table), "]" (JSON); empty says "nobody found". */
void out_hits_end(out_hits_t *h, bool count_line);

/* An answer's title and table (figures, history). */
void out_table(const Hub__Answer *a, out_format_t format);

/* The residents of a get answer. */
void out_residents(const Hub__Answer *a, out_format_t format);

/* One line of the hub's log (a JSON object) if it passes the filters
** (NULL or 0: any): at level or more urgent, a msgid starting with msgid,
** a sender/adapter/principal named sender, a resident fact equal to
** resident. Readable: "TS LEVEL MSGID key=value ...", or the JSON as is.
** Returns whether it was printed. */
bool out_log_line(const char *json, out_format_t format, const char *level, const char *msgid, const char *sender,
                  long long resident);

/* One change-feed event as a JSON object on a line of its own (dept: the
** source department's name, "" for the hub's resolution). */
void out_event_json(const feed_event_t *e, const char *dept);

/* One CSV field, quoted when it must be. */
void out_csv_field(const char *s);

#endif
