/*
** admin.h: what operators do to resolution, on the writer: review items
** (list, show side by side, link, split, dismiss), the merge and split
** history (events) and its undo, rematch after a rule or weight change, and
** the estimate of weights from the loaded data. Each command runs in its
** own transaction (the server closes any open ingest transaction first)
** and answers with a report in plain words. A decision by a person is
** recorded with the principal's name and is never overturned by automatic
** matching: a split becomes a cannot_link constraint, a link a manual pair.
*/
#ifndef HUB_ADMIN_H
#define HUB_ADMIN_H

#include <stdint.h>
#include "audit.h"
#include "auth.h"
#include "codec.h"
#include "err.h"
#include "ingest.h"
#include "resolve.h"
#include "store.h"

typedef struct admin admin_t;

admin_t *admin_new(store_t *writer, ingest_t *ingest, auth_t *auth, audit_t *audit);
void admin_destroy(admin_t **self_p);

/* Run q->command ("review-list", "review-show", "review-link",
** "review-split", "review-dismiss", "events", "undo", "rematch",
** "estimate", "principal-add", "principal-list", "principal-revoke",
** "audit", "audit-verify") with its id (q->resident_id), limit, name, role
** and key for principal `by`. *report (malloc'd) says what happened or
** why not; the return is HUB_OK, HUB_EINVAL (bad command or id),
** HUB_ENOTFOUND, or a store error (then nothing was changed). */
hub_err_t admin_run(admin_t *self, const char *by, const query_t *q, int64_t now_ms, char **report);

/* At start: when current person records lack matching features (a registry
** from before entity resolution, or features of an older layout), rematch
** everything once, logged as HUB-REMATCH by "upgrade". */
hub_err_t admin_upgrade(admin_t *self, int64_t now_ms);

#endif
