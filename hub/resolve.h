/*
** resolve.h: which resident a source record belongs to.
** First cut: a record keeps the resident of the earlier versions of its
** (source, source_key); otherwise a valid identity number is the key to
** one resident; a record without a valid number is a resident of its own.
** The entity-resolution work replaces this with blocking and scoring.
*/
#ifndef HUB_RESOLVE_H
#define HUB_RESOLVE_H

#include "normalize.h"
#include "record.h"
#include "store.h"

typedef struct {
    resident_id_t resident;
    bool created;                       /* a new resident was made */
    norm_idno_status_t idno_status;
    char idno[NORM_IDNO_SIZE];          /* canonical when valid */
} resolution_t;

/* Resolve rec inside the writer's open transaction. */
hub_err_t resolve_record(store_t *store, const rec_t *rec, int64_t now_ms, resolution_t *out);

#endif
