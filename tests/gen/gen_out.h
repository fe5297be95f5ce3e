/*
** gen_out.h: how the generator's files reach the disk. A writer builds a
** whole file as UTF-8 text in memory (gen_table_t for CSV/TSV, or a bare
** gen_buf_t for JSON Lines), then gen_file_write() converts it to the
** department's encoding with iconv and writes it under the output directory
** (to a temporary name, then renamed, so a file is never seen half written).
** truth.csv, the answer key for matching, is a gen_truth_t.
**
** Limits: files are built in memory (a few MB at 20 000 people); quoting is
** RFC 4180 for CSV, none for TSV (the caller guarantees no tab or newline).
*/
#ifndef GEN_OUT_H
#define GEN_OUT_H

#include <stdbool.h>
#include <stddef.h>

/* A growable byte buffer. Zero-initialised or gen_buf_init() is empty. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
} gen_buf_t;

void gen_buf_init(gen_buf_t *buf);
void gen_buf_fini(gen_buf_t *buf);
void gen_buf_put(gen_buf_t *buf, const void *data, size_t size);
void gen_buf_puts(gen_buf_t *buf, const char *s);
/* Appends s as a JSON string, quoted, with ", \\ and control characters
** escaped (other UTF-8 bytes as they are); NULL appends null. */
void gen_buf_json_str(gen_buf_t *buf, const char *s);

/* A delimited table built row by row. */
typedef struct {
    gen_buf_t buf;
    char sep;          /* ',' or '\t' */
    bool quote;        /* RFC 4180 quoting when a cell needs it */
    const char *eol;   /* "\r\n" or "\n" */
    size_t col;        /* cells written on the current row */
    size_t rows;       /* data rows ended (the header is not counted) */
} gen_table_t;

/* sep ',' with quote for CSV, '\t' without for TSV; eol "\r\n" or "\n". */
void gen_table_init(gen_table_t *t, char sep, bool quote, const char *eol);
void gen_table_fini(gen_table_t *t);
/* Writes the header row (not counted in rows). */
void gen_table_header(gen_table_t *t, const char *const *names, size_t count);
/* Appends one cell (NULL is written as empty) to the current row. A CSV cell
** holding the separator, a quote, CR or LF is quoted with inner quotes
** doubled; a TSV cell must hold no tab, CR or LF (asserted). */
void gen_table_cell(gen_table_t *t, const char *s);
/* Ends the current row; returns its 1-based data row number. */
size_t gen_table_end_row(gen_table_t *t);

/* Creates dir and its missing parents (mode 0777 less umask). Returns 0, or
** -1 with a message in err. */
int gen_mkdirs(const char *dir, char *err, size_t errlen);

/* Writes the UTF-8 text buf to dir/name in encoding (an iconv name such as
** "GB18030" or "GBK"; NULL or "UTF-8" writes the bytes as they are). Returns
** 0, or -1 with a message in err naming the file (and, for a character the
** encoding lacks, the line). */
int gen_file_write(const char *dir, const char *name, const gen_buf_t *buf,
                   const char *encoding, char *err, size_t errlen);

/* Reads dir/name, written in encoding (as gen_file_write takes it), into
** out as UTF-8. Returns 0, or -1 with a message in err. */
int gen_file_read(const char *dir, const char *name, const char *encoding, gen_buf_t *out,
                  char *err, size_t errlen);

/* truth.csv: UTF-8, LF, header person_id,source,source_key,file,row,tags;
** one line per data row any writer wrote. source_key is the key the
** source's adapter reports for the row, from the values exactly as written
** in that file: the writer's key, and in a file whose keys the adapter
** derives from the values (civil affairs' roster: gen_truth_add_derived),
** when an earlier row of the same file already had that key, the key with
** the suffix ~2 (the third ~3, ...), as the adapter sends it (counted per
** file in the order rows are added, which is file order). (A department's
** own key again in one file is the same record again; gen_truth_add leaves
** it as it is.) tags: what makes the row hard to resolve, space-separated
** words (gen_tags_t). */
typedef struct {
    char *text;          /* file + '\x1f' + key, owned */
    unsigned count;      /* rows of the file with that key so far */
} gen_truth_slot_t;

typedef struct {
    gen_table_t table;
    gen_truth_slot_t *slot;   /* open addressing, keyed by file and key */
    size_t cap, used;
} gen_truth_t;

/* The tags of one truth row: space-separated words, each at most once, in
** the order added (truncated past GEN_TAGS_MAX). */
#define GEN_TAGS_MAX 320
typedef struct {
    char s[GEN_TAGS_MAX];
} gen_tags_t;

void gen_tags_add(gen_tags_t *tags, const char *tag);
bool gen_tags_has(const gen_tags_t *tags, const char *tag);

void gen_truth_init(gen_truth_t *truth);
void gen_truth_fini(gen_truth_t *truth);
/* Adds a row; tags may be NULL (none). The key written is source_key. */
void gen_truth_add(gen_truth_t *truth, const char *person_id, const char *source,
                   const char *source_key, const char *file, size_t row,
                   const gen_tags_t *tags);
/* The same for a file of derived keys: the key written is source_key, or
** source_key~N for the N-th row of file with that key (N >= 2). */
void gen_truth_add_derived(gen_truth_t *truth, const char *person_id, const char *source,
                           const char *source_key, const char *file, size_t row,
                           const gen_tags_t *tags);
int gen_truth_write(const gen_truth_t *truth, const char *dir, char *err, size_t errlen);

#define GEN_TRUTH_FILE "truth.csv"

#endif
