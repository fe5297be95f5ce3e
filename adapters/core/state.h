/*
** state.h: an adapter's durable memory, in STATE_DIR/state.db (SQLite,
** synchronous=FULL): which rows of which files are finished (acknowledged
** by the hub, or rejected with a reason), and the next envelope sequence
** number. A file is known by its base name and a digest of its content,
** so a changed file is read again and a renamed copy is not confused with it.
** The adapters' only user of sqlite3.
*/
#ifndef ADP_STATE_H
#define ADP_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct adp_state adp_state_t;

/* mkdir -p dir; 0 or -1 (errno). */
int adp_mkdirs(const char *dir);

/* Open or create the state in dir (created if missing). NULL + reason on failure. */
adp_state_t *adp_state_open(const char *dir, char *errbuf, size_t errcap);
void adp_state_close(adp_state_t **self_p);

/* Reserve the next envelope sequence number (strictly increasing across
** restarts; reserved in blocks so most calls write nothing). -1 on error. */
int64_t adp_state_next_seq(adp_state_t *self);

/* Load the finished row ranges of file_key; adp_state_row_done then answers
** for that file. */
int adp_state_load_file(adp_state_t *self, const char *file_key);
bool adp_state_row_done(const adp_state_t *self, uint32_t row);

/* Durably record rows first..last of file_key as finished. 0 or -1. */
int adp_state_finish_rows(adp_state_t *self, const char *file_key, uint32_t first, uint32_t last);

/* Durably record that every row of file_key is finished / ask whether so. */
int adp_state_finish_file(adp_state_t *self, const char *file_key);
bool adp_state_file_finished(adp_state_t *self, const char *file_key);

/* A stable key for the file at path: "BASENAME#DIGEST". 0 or -1 (errno). */
int adp_state_file_key(const char *path, char *out, size_t cap);

#endif
