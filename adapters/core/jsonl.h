/*
** jsonl.h: streaming reader for JSON Lines export files (one JSON object
** per line), shared by the adapters. Each line is parsed on its own with
** jansson (the adapters' home of jansson); nothing here parses JSON by hand.
**
** Rows are physical lines: the row number of a line is its 1-based line
** number in the file, so a reject names the line an operator opens in an
** editor. There is no header.
**
** What it accepts:
**   - LF or CRLF line ends (one CR before the LF is dropped; a CR elsewhere
**     is JSON whitespace or, inside a string, an error jansson reports);
**     a last line without a line end;
**   - a UTF-8 byte-order mark at the start of the file (always stripped);
**   - blank lines (nothing, or only spaces, tabs and CRs, before the line
**     end): skipped, not rows; they still count as lines, so the rows after
**     them keep their line numbers.
**
** What it rejects, line by line (never stopping the file for one bad line):
**   - bytes that are not well-formed UTF-8 (overlong forms, surrogates and
**     code points above U+10FFFF included), with the byte where it fails;
**   - text that is not one JSON value (jansson's message with its column:
**     a syntax error, text after the value, \u0000 in a string, an integer
**     too big, ...);
**   - an object that has the same key twice (which one would count is
**     not knowable);
**   - a JSON value that is not an object (array, string, number, ...);
**   - a line longer than max_line_bytes (its line end not counted): the
**     first max_line_bytes bytes are kept as raw, the rest of the line is
**     skipped, and reading goes on with the next line.
** An I/O error is an error for the file.
**
** Limits:
**   - Memory is bounded by the read buffer, max_line_bytes and the parsed
**     object of one line, never by the size of the file. The file need not
**     be seekable (a pipe works).
**   - Column numbers in syntax reasons are jansson's: characters (not
**     bytes) from the start of the line, BOM not counted. Byte numbers in
**     UTF-8 reasons count bytes from 1 at the start of the line.
**   - Only the top level is checked for being an object; what the object
**     holds is the caller's to check (adp_jsonl_type_name helps to say so).
**   - One reader is used by one thread at a time.
*/
#ifndef ADP_JSONL_H
#define ADP_JSONL_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/* Default size of the read buffer, in bytes. */
#define ADP_JSONL_BUFFER_DEFAULT    (64u * 1024u)
/* Default limit on one line's bytes (a real line is a few KB). */
#define ADP_JSONL_MAX_LINE_DEFAULT  (1024u * 1024u)

typedef struct {
    size_t buffer_size;     /* read buffer; 0 = ADP_JSONL_BUFFER_DEFAULT (tests use tiny ones) */
    size_t max_line_bytes;  /* limit on one line's bytes; 0 = ADP_JSONL_MAX_LINE_DEFAULT */
} adp_jsonl_opts_t;

/* What adp_jsonl_next() found. */
typedef enum {
    ADP_JSONL_OBJECT,   /* a good line: object is filled */
    ADP_JSONL_BAD,      /* a bad line: problem, reason and raw are filled; reading may go on */
    ADP_JSONL_EOF,      /* no more lines */
    ADP_JSONL_ERROR     /* the file cannot be read further; adp_jsonl_error() says why */
} adp_jsonl_status_t;

/* Why a line is bad: name and plain-words text. */
#define ADP_JSONL_PROBLEMS(X)                                           \
    X(NONE,          "no problem")                                      \
    X(ENCODING,      "line is not valid UTF-8")                         \
    X(SYNTAX,        "line is not valid JSON")                          \
    X(DUPLICATE_KEY, "object has the same key twice")                   \
    X(NOT_OBJECT,    "line is a JSON value but not an object")          \
    X(TOO_LONG,      "line longer than the limit")

typedef enum {
#define X(name, text) ADP_JSONL_##name,
    ADP_JSONL_PROBLEMS(X)
#undef X
    ADP_JSONL_PROBLEM_COUNT
} adp_jsonl_problem_t;

/* One line as returned by adp_jsonl_next(). Every pointer in it points into
** the reader and stays valid until the next adp_jsonl_next() or
** adp_jsonl_destroy() on that reader; copy (or json_incref) what must live
** longer. */
typedef struct {
    size_t row;                  /* 1-based line number in the file */

    /* ADP_JSONL_OBJECT only (NULL otherwise). Owned by the reader: do not
    ** json_decref it. */
    json_t *object;

    /* ADP_JSONL_BAD only (ADP_JSONL_NONE / 0 / NULL otherwise) */
    adp_jsonl_problem_t problem;
    size_t column;               /* SYNTAX, DUPLICATE_KEY: jansson's column (characters);
                                 ** ENCODING: the 1-based byte; 0 otherwise */
    const char *reason;          /* plain words, UTF-8, e.g.
                                 ** "line 7 is not valid JSON at column 23: string or '}' expected near 'x'",
                                 ** "line 9 is a JSON array, not an object",
                                 ** "line 4 is not valid UTF-8 at byte 12: FF" */

    /* ADP_JSONL_OBJECT and ADP_JSONL_BAD: the line's bytes as in the file,
    ** without its line end (CR LF or LF) and without the BOM; NUL-terminated
    ** for convenience, but may hold NUL bytes: use raw_len. */
    const char *raw;
    size_t raw_len;
    bool raw_truncated;          /* raw holds only the first max_line_bytes of the line */
} adp_jsonl_row_t;

typedef struct adp_jsonl adp_jsonl_t;

/* Open the file at path for reading. opts may be NULL (defaults). Returns
** an owned reader (free with adp_jsonl_destroy), or NULL with a plain-words
** reason in errbuf (when errbuf is not NULL and errcap > 0): the file
** cannot be opened or its first bytes cannot be read, or it is a directory.
** opts and path are only read during the call. */
adp_jsonl_t *adp_jsonl_open(const char *path, const adp_jsonl_opts_t *opts, char *errbuf,
                            size_t errcap);

/* Close the file and free the reader and everything it handed out (the last
** object included); set *self_p to NULL. Accepts NULL and a pointer to NULL
** (safe twice). */
void adp_jsonl_destroy(adp_jsonl_t **self_p);

/* Read the next non-blank line into *row (the caller's struct; its pointers
** then point into the reader, see adp_jsonl_row_t). Releases the object of
** the previous call. After ADP_JSONL_BAD the next call reads the following
** line. After ADP_JSONL_EOF or ADP_JSONL_ERROR every later call returns the
** same status again. Out of memory aborts. */
adp_jsonl_status_t adp_jsonl_next(adp_jsonl_t *self, adp_jsonl_row_t *row);

/* The reason for the last ADP_JSONL_ERROR, or "" when there was none.
** Owned by the reader. */
const char *adp_jsonl_error(const adp_jsonl_t *self);

/* Short name ("SYNTAX") and plain-words text of a problem; never NULL, also
** for unknown values. */
const char *adp_jsonl_problem_name(int problem);
const char *adp_jsonl_problem_text(int problem);

/* What kind of JSON value v is, with its article, for reasons: "an object",
** "an array", "a string", "a number", "a boolean", "null" (also for NULL). */
const char *adp_jsonl_type_name(const json_t *v);

#endif
