/*
** csv.h: streaming reader for the departments' delimited export files
** (CSV with RFC 4180 quoting, TSV without quoting), shared by the adapters.
**
** The reader splits records on the raw bytes, then decodes each field on its
** own to UTF-8 with iconv, so an undecodable byte sequence is reported with
** its row, column and byte. The first record is the header; data rows are
** numbered from 1 (the header is row 0), and a row keeps its number when a
** quoted field carries it over several physical lines.
**
** What it accepts:
**   - LF or CRLF line ends (a CR elsewhere is data); a last line without one;
**   - a UTF-8 byte-order mark at the start of the file (always stripped);
**   - with quoting: quoted fields holding separators, line ends and doubled
**     quotes ("" for "); embedded line ends are kept as in the file;
**   - entirely empty lines (nothing but the line end) outside quotes: skipped,
**     they are not rows and have no row number.
**
** What it rejects, row by row (never stopping the file for one bad row):
**   - a row whose field count differs from the header's;
**   - with quoting: a quote inside an unquoted field, or text between a
**     closing quote and the next separator or line end;
**   - a quote that is never closed. The quote would swallow the rest of the
**     file, so only the row's first physical line is rejected and reading
**     resumes at the line after it;
**   - a row longer than max_row_bytes (same recovery: its first line is
**     rejected, or, when that line alone is too long, the line's first
**     max_row_bytes bytes, and the rest of that line is skipped);
**   - a field that is not valid in the declared encoding or holds a NUL byte.
** An I/O error, or a header that cannot be read, is an error for the file.
**
** Limits:
**   - The encoding must be ASCII-compatible and non-stateful (GB18030, GBK,
**     UTF-8, ...): the bytes of ',', '\t', '"', CR and LF must never occur
**     inside a multi-byte character. UTF-16/32 are refused at open; stateful
**     7-bit ones (ISO-2022-*) must not be used.
**   - The file must be seekable (a regular file): recovering from a quote
**     that never closes reads part of the file again.
**   - Memory is bounded by the read buffer plus a small multiple (about six)
**     of max_row_bytes, never by the size of the file.
**   - Row and line numbers count records and LFs; a lone CR is data.
**   - Data fields are not trimmed or normalised; header names are trimmed of
**     spaces (ASCII, U+3000) and U+FEFF at both ends.
**   - One reader is used by one thread at a time.
*/
#ifndef ADP_CSV_H
#define ADP_CSV_H

#include <stdbool.h>
#include <stddef.h>

/* Default size of the read buffer, in bytes. */
#define ADP_CSV_BUFFER_DEFAULT   (64u * 1024u)
/* Default limit on one row's raw bytes (a real row is a few KB). */
#define ADP_CSV_MAX_ROW_DEFAULT  (1024u * 1024u)

typedef struct {
    const char *encoding;  /* iconv name of the file's encoding: "GB18030", "GBK", "UTF-8"; NULL = UTF-8 */
    char separator;        /* ',' or '\t' */
    bool quoting;          /* RFC 4180 quoting applies (CSV: true; the TSV: false) */
    size_t buffer_size;    /* read buffer; 0 = ADP_CSV_BUFFER_DEFAULT (tests use tiny ones) */
    size_t max_row_bytes;  /* limit on one row's raw bytes; 0 = ADP_CSV_MAX_ROW_DEFAULT */
} adp_csv_opts_t;

/* What adp_csv_next() found. */
typedef enum {
    ADP_CSV_ROW,    /* a good row: fields are filled */
    ADP_CSV_BAD,    /* a bad row: problem, reason and raw are filled; reading may go on */
    ADP_CSV_EOF,    /* no more rows */
    ADP_CSV_ERROR   /* the file cannot be read further; adp_csv_error() says why */
} adp_csv_status_t;

/* Why a row is bad: name and plain-words text. */
#define ADP_CSV_PROBLEMS(X)                                                   \
    X(NONE,               "no problem")                                       \
    X(FIELD_COUNT,        "row has a different number of fields than the header") \
    X(STRAY_QUOTE,        "quote inside an unquoted field or after a closing quote") \
    X(UNTERMINATED_QUOTE, "quote never closed")                               \
    X(TOO_LONG,           "row longer than the limit")                        \
    X(ENCODING,           "bytes not valid in the file's encoding")           \
    X(NUL_BYTE,           "NUL byte in a field")

typedef enum {
#define X(name, text) ADP_CSV_##name,
    ADP_CSV_PROBLEMS(X)
#undef X
    ADP_CSV_PROBLEM_COUNT
} adp_csv_problem_t;

/* One row as returned by adp_csv_next(). Every pointer in it points into the
** reader and stays valid until the next adp_csv_next() or adp_csv_destroy()
** on that reader; copy what must live longer. */
typedef struct {
    size_t row;                  /* 1-based data row number (the header is row 0) */
    size_t line;                 /* 1-based physical line where the row starts */

    /* ADP_CSV_ROW only (0 / NULL otherwise) */
    size_t nfields;              /* always adp_csv_ncolumns() */
    const char *const *fields;   /* nfields UTF-8 strings, NUL-terminated */
    const size_t *lengths;       /* their lengths in bytes, without the NUL */

    /* ADP_CSV_BAD only (ADP_CSV_NONE / 0 / NULL otherwise) */
    adp_csv_problem_t problem;
    size_t column;               /* 1-based offending column; 0 when none applies */
    const char *column_name;     /* header name of that column; NULL when none */
    const char *reason;          /* plain words, UTF-8, e.g. "row has 14 fields, header has 16",
                                 ** "bytes are not valid GB18030 at byte 3 of column 2 (姓名): FF FF";
                                 ** a byte counts from 1 in the field's value (encoding, NUL) or in
                                 ** the field as written, opening quote included (quoting) */

    /* ADP_CSV_ROW and ADP_CSV_BAD: the row's bytes as in the file, embedded
    ** line ends kept, without its final line end; NUL-terminated for
    ** convenience, but may hold NUL bytes: use raw_len. */
    const char *raw;
    size_t raw_len;
    bool raw_truncated;          /* raw holds only the first max_row_bytes of the line */
} adp_csv_row_t;

typedef struct adp_csv adp_csv_t;

/* Open the file at path and read its header row. Returns an owned reader
** (free with adp_csv_destroy), or NULL with a plain-words reason in errbuf
** (when errbuf is not NULL and errcap > 0): file cannot be opened or read,
** unknown or unsupported encoding, bad separator, no header row, or a header
** row that is malformed or not valid in the encoding. opts and path are only
** read during the call. */
adp_csv_t *adp_csv_open(const char *path, const adp_csv_opts_t *opts,
                        char *errbuf, size_t errcap);

/* Close the file and free the reader and everything it handed out; set
** *self_p to NULL. Accepts NULL and a pointer to NULL (safe twice). */
void adp_csv_destroy(adp_csv_t **self_p);

/* Read the next row into *row (the caller's struct; its pointers then point
** into the reader, see adp_csv_row_t). After ADP_CSV_BAD the next call reads
** the following row. After ADP_CSV_EOF or ADP_CSV_ERROR every later call
** returns the same status again. */
adp_csv_status_t adp_csv_next(adp_csv_t *self, adp_csv_row_t *row);

/* Number of columns in the header. */
size_t adp_csv_ncolumns(const adp_csv_t *self);

/* 0-based index of the header column called name (exact match against the
** trimmed UTF-8 header name; the first one when names repeat), or -1 when
** the header has none. */
int adp_csv_column(const adp_csv_t *self, const char *name);

/* Trimmed UTF-8 name of the 0-based column index, or NULL when out of range.
** Owned by the reader, valid until adp_csv_destroy. */
const char *adp_csv_column_name(const adp_csv_t *self, size_t index);

/* Physical line of the header row (1 unless blank lines precede it). */
size_t adp_csv_header_line(const adp_csv_t *self);

/* The reason for the last ADP_CSV_ERROR, or "" when there was none.
** Owned by the reader. */
const char *adp_csv_error(const adp_csv_t *self);

/* Short name ("FIELD_COUNT") and plain-words text of a problem; never NULL,
** also for unknown values. */
const char *adp_csv_problem_name(int problem);
const char *adp_csv_problem_text(int problem);

#endif
