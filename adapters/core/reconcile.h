/*
** reconcile.h: a department's full export against what the hub holds from
** that department (`adapter-DEPT --reconcile FILE`, `hubctl reconcile
** DEPT FILE`). The adapter reads the export as it would send it (the same
** mapping, keys and normal forms), collecting the records here instead of
** sending them; then the hub's current records of the department are read
** page by page (RecordsQuery) and the two are compared by key:
**   missing_in_hub    a row of the export the hub does not hold
**   gone_from_export  a record the hub holds that the export no longer has
**   differs           both, with a field whose value differs (one line a field;
**                     civil affairs' 序号, a row number, and police's delta
**                     flag are not values)
** Only records of the kinds the export holds are compared (a roster is not
** compared with the facilities register). One line each, tab-separated
** (kind, key, field, the hub's value, the export's), then a summary line.
*/
#ifndef ADP_RECONCILE_H
#define ADP_RECONCILE_H

#include <stdio.h>
#include "client.h"
#include "proto/hub.pb-c.h"

typedef struct recon recon_t;

recon_t *recon_new(void);
void recon_destroy(recon_t **self_p);

/* One record of the export (copied). */
void recon_add(recon_t *self, const Hub__Record *rec);

/* Read the hub's records of department through a CLIENT_QUERY client for
** opts, compare, print to out. 0: the hub holds exactly the export; 1:
** differences (listed); 3: the hub did not answer or refused (said why on
** stderr). */
int recon_run(recon_t *self, const client_opts_t *opts, int department, const char *purpose, FILE *out);

#endif
