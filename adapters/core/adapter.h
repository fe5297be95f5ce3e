/*
** adapter.h: the shared core of the department adapters. A department's
** program is a small mapping (its file pattern and a function that turns
** one export file into records); this core does the rest: arguments, keys
** and endpoint, durable state, batching, a bounded window of unacknowledged
** batches, acks, resends with backoff while the hub is away, the reject
** file and the summary line.
**
** A row is finished when the hub acknowledged it (accepted or duplicate),
** or it was rejected with a reason (by the mapping or by the hub) and
** written to STATE/rejects.csv. Finished rows are recorded in the state
** only after that, so a restarted adapter resends exactly what was not
** finished.
*/
#ifndef ADP_ADAPTER_H
#define ADP_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "community.h"
#include "proto/hub.pb-c.h"

typedef struct adp adp_t;

typedef struct {
    const char *name;         /* program suffix and default principal: "police" */
    int department;           /* Hub__Department of every record it sends */
    const char *files;        /* the files it reads, for --help: "hukou_YYYYMMDD[_delta].csv" */
    const char *encoding;     /* of its files (iconv name), to show rejected rows as UTF-8 */
    const char *const *patterns; /* fnmatch patterns of its file names, for --follow */
    /* Read the file at path: for every data row call adp_emit or
    ** adp_reject, also for a row adp_row_done says is finished (they pass
    ** over it, but its key still counts among the file's derived keys).
    ** Return 0, or -1 after adp_file_error when the file cannot be used. */
    int (*read_file)(adp_t *a, const char *path);
} adp_mapping_t;

/* The whole program: parse argv, send every FILE, print the summary.
** Exit status: 0 every row finished; 1 a file could not be read or the
** state could not be kept; 2 bad usage. */
int adp_main(int argc, char **argv, const adp_mapping_t *map);

/* True when data row `row` of the file being read is already finished. */
bool adp_row_done(const adp_t *a, uint32_t row);

/* Send rec for data row `row` (unless the row is finished already); in a
** file of derived keys, a key an earlier row holds goes as KEY~N
** (adp_set_derived_keys); takes ownership of rec (freed with
** hub__record__free_unpacked, so build it from malloc'd parts). raw is the
** row as read (in the file's encoding), kept for the reject file should
** the hub refuse it. May block
** while the window of unacknowledged batches is full. */
void adp_emit(adp_t *a, uint32_t row, Hub__Record *rec, const char *raw, size_t raw_len);

/* Reject data row `row` here: column (may be NULL) and reason go to the
** reject file with the row as read. */
void adp_reject(adp_t *a, uint32_t row, const char *column, const char *reason, const char *raw,
                size_t raw_len);

/* The file cannot be used at all (unreadable, a required column missing):
** nothing of it is sent; the reason is printed, logged and written to the
** rejects file as row 0 (the file as a whole). */
void adp_file_error(adp_t *a, const char *reason);

/* A new record of the file being read: source, key (copied), origin (this
** file, row) and, when not 0, the department's change time. The caller
** sets the payload. */
Hub__Record *adp_record_new(const adp_t *a, int source, const char *key, uint32_t row, int64_t changed_at);

/* The district's communities, for adp_field_community. */
const adp_communities_t *adp_communities(const adp_t *a);

/* The encoding of the file being read, when it is not the mapping's
** (a department with two registers); reset for each file. */
void adp_set_file_encoding(adp_t *a, const char *encoding);

/* The file being read has no record key of its own: its keys are derived
** from its values (civil affairs' roster), so two of its rows that derive
** one key are two records, and the later goes as KEY~N (keyset.h). Where a
** department keys its records itself, a key again in one file is the same
** record again (a later version). Reset for each file. */
void adp_set_derived_keys(adp_t *a);

/* Base name of the file being read. */
const char *adp_file_name(const adp_t *a);

#endif
