/*
** fields.h: build hub.Field values from cells as read: the raw value
** exactly as received (decoded to UTF-8) with the normal form beside it,
** and flags for what failed validation. Nothing is altered that cannot be
** undone. Every constructor returns NULL for an empty cell (the field is
** then absent) and a malloc'd Field otherwise, freed with the record that
** holds it (hub__record__free_unpacked).
*/
#ifndef ADP_FIELDS_H
#define ADP_FIELDS_H

#include <stddef.h>
#include <stdint.h>
#include "community.h"
#include "proto/hub.pb-c.h"

Hub__Field *adp_field(const char *raw, const char *norm, uint32_t flags);
Hub__Field *adp_field_text(const char *raw);    /* spaces and full-width forms tidied */
Hub__Field *adp_field_idno(const char *raw);    /* canonical 18 characters, or FIELD_INVALID */
Hub__Field *adp_field_date(const char *raw);    /* YYYY-MM-DD, or FIELD_INVALID */
Hub__Field *adp_field_phone(const char *raw);   /* digits, or FIELD_INVALID */
Hub__Field *adp_field_gender(const char *raw);  /* M / F, or FIELD_INVALID */
/* Community: norm = 12-digit code, or FIELD_UNMAPPED. With several names
** separated by `、` (facilities), norm = the codes found, joined by ',', and
** FIELD_UNMAPPED when any one is unknown (never guessed). */
Hub__Field *adp_field_community(const adp_communities_t *list, const char *raw);

/* Seconds since the epoch of midnight, China Standard Time (UTC+8), of a
** "YYYY-MM-DD" date; 0 when the text is not one. */
int64_t adp_day_epoch(const char *ymd);

/* Seconds since the epoch of a department's time stamp, tidied first:
** YYYY-MM-DD[T or space]HH:MM[:SS[.fff]] then Z or an offset +HH:MM, +HHMM
** or +HH (or -); without one, China Standard Time. 0 when not one. */
int64_t adp_time_epoch(const char *text);

/* malloc'd copy / block, aborting when memory runs out. */
char *adp_strdup(const char *s);
void *adp_alloc(size_t size);

#endif
