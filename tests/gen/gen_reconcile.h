/*
** gen_reconcile.h: reconcile/, the department person files again as a
** later export would differ from what the hub was given: N rows gone, N
** rows of new persons, N rows with one value changed, every other row as
** it was; and reconcile/expected.csv, the answer key. See gendistrict.c's
** header for the files.
**
** It reads back the files the writers wrote (and truth.csv for each row's
** person and key), so it runs after them; the new persons come from a small
** population of their own, written by the writers' row functions without
** mess.
*/
#ifndef GEN_RECONCILE_H
#define GEN_RECONCILE_H

#include "gen_writers.h"

#include <stddef.h>

#define GEN_RECONCILE_DIR      "reconcile"
#define GEN_RECONCILE_EXPECTED "expected.csv"

/* The kinds of expected.csv, in its order per file. */
typedef enum { GEN_RECON_GONE, GEN_RECON_DIFFERS, GEN_RECON_MISSING, GEN_RECON_KINDS } gen_recon_kind_t;

/* Writes ctx->outdir/reconcile/ with n rows of each kind per file (fewer
** when a file has too few rows to choose from); counts[kind] receives the
** rows over all files. Rows of planted persons (ctx->plant) are left as
** they are. Draws from "reconcile.*" streams only. Returns 0, or -1 with
** the reason in err. */
int gen_reconcile_write(const gen_ctx_t *ctx, size_t n, size_t counts[GEN_RECON_KINDS], char *err,
                        size_t errlen);

#endif
