/*
** alerts.h: the cross-department checks at work. The rules (rules.h) look
** at each resident whose records changed (ingest marks it; the main thread
** takes some every second when no batch is waiting, alerts_run) and, on
** demand, at everyone (`hubctl alerts check`). Each finding opens an alert
** with its evidence, unless one is open for that rule and resident; a new
** alert is logged (HUB-ALERT) and is a change event (alert.raised) for the
** subscribers whose scope holds the resident. A person closes it with a
** note; a finding that holds again later opens a new one.
*/
#ifndef HUB_ALERTS_H
#define HUB_ALERTS_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "store.h"

/* Look at up to max residents marked for it, in the writer's open
** transaction: *looked of them, *opened new alerts. */
hub_err_t alerts_run(store_t *writer, size_t max, int64_t now_ms, size_t *looked, size_t *opened);

#endif
