/*
** csv.c: streaming reader for delimited export files (see csv.h).
**
** One pass of a byte state machine over a fixed read buffer finds a record:
** its raw bytes (kept for rejects), the unquoted content of each field and
** the first structural problem. Only then is each field decoded on its own
** with iconv, so an encoding error names its row, column and byte. A quote
** that never closes (or a row over the length limit) is recovered from by
** seeking back to the line after the row's first line: the file must be
** seekable, which a regular file is.
*/
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64

#include "csv.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "encoding.h"

#define S_NO_LF     SIZE_MAX
#define S_MSG_SIZE  768

/* A growable byte buffer. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
} bytes_t;

/* One field of the record being read: content in self->val, start in raw. */
typedef struct {
    size_t start;       /* content bytes val[start..end) */
    size_t end;
    size_t raw_start;   /* offset in raw of the field's first byte */
} field_t;

typedef enum {
    S_FIELD_START,      /* nothing of the field read yet */
    S_UNQUOTED,         /* inside an unquoted field */
    S_QUOTED,           /* inside a quoted field */
    S_QUOTE_SEEN,       /* a quote in a quoted field: doubled, or the closing one */
    S_CLOSED_CR         /* CR after a closing quote: a line end if LF follows */
} scan_state_t;

typedef enum {
    SCAN_RECORD,        /* a record ended by LF or end of file */
    SCAN_EOF,           /* no byte left */
    SCAN_UNTERMINATED,  /* end of file inside a quoted field */
    SCAN_TOO_LONG,      /* the record reached max_row bytes */
    SCAN_IOERR          /* read failed; self->error says why */
} scan_t;

struct adp_csv {
    int fd;
    iconv_t cd;
    char *path;
    char *encoding;
    bool utf8;              /* checked by adp_utf8_valid too: glibc's iconv lets some bad UTF-8 through */
    unsigned char sep;
    bool quoting;
    size_t max_row;

    /* read buffer: in[0..in_len) holds file bytes from offset in_off */
    unsigned char *in;
    size_t in_cap;
    size_t in_len;
    size_t in_pos;
    off_t in_off;
    size_t line;            /* physical line of the byte at in_pos */
    bool skip_line;         /* discard up to the next LF before the next record */

    /* the record being read */
    bytes_t raw;
    bytes_t val;
    field_t *fields;
    size_t nfields;
    size_t fields_cap;
    size_t cur_start;       /* current field: content start in val */
    size_t cur_raw_start;   /* current field: first byte in raw */
    size_t first_lf;        /* offset in raw of the first LF, or S_NO_LF */
    off_t rec_off;          /* file offset of raw[0] */
    size_t rec_line;        /* line of raw[0] */
    adp_csv_problem_t problem;  /* first structural problem, with where */
    size_t prob_col;
    size_t prob_byte;
    bool prob_after_close;

    /* decoded fields of the last good row */
    bytes_t out;
    size_t *out_off;
    const char **out_ptr;
    size_t *out_len;

    /* header */
    char **names;
    size_t ncols;
    size_t header_line;

    size_t row;                 /* number of the last data row handed out */
    adp_csv_status_t finished;  /* ADP_CSV_EOF or ADP_CSV_ERROR once reached; else ADP_CSV_ROW */
    char reason[S_MSG_SIZE];
    char error[S_MSG_SIZE];
};

/* ---------------------------------------------------------------- memory */

static void *
s_check_alloc(void *p, const char *file, int line)
{
    if (!p) {
        fprintf(stderr, "%s:%d: out of memory\n", file, line);
        abort();
    }
    return p;
}
#define S_CHECK(p) s_check_alloc((p), __FILE__, __LINE__)

/* Make room for at least extra more bytes in b. */
static void
s_reserve(bytes_t *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra) {
        assert(cap <= SIZE_MAX / 2);
        cap *= 2;
    }
    b->data = S_CHECK(realloc(b->data, cap));
    b->cap = cap;
}

static inline void
s_put(bytes_t *b, unsigned char c)
{
    if (b->len == b->cap)
        s_reserve(b, 1);
    b->data[b->len++] = (char) c;
}

static char *
s_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = S_CHECK(malloc(n));
    memcpy(copy, s, n);
    return copy;
}

/* ---------------------------------------------------------------- messages */

static void
s_vformat(char *dst, size_t cap, const char *fmt, va_list ap)
{
    if (!dst || cap == 0)
        return;
    int n = vsnprintf(dst, cap, fmt, ap);
    if (n < 0)
        dst[0] = '\0';
}

static void
s_format(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_vformat(dst, cap, fmt, ap);
    va_end(ap);
}

/* Set the file-level error message. */
static void
s_set_error(adp_csv_t *self, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_vformat(self->error, sizeof self->error, fmt, ap);
    va_end(ap);
}

/* "column 3 (姓名)" or "column 17" into dst. */
static void
s_colref(const adp_csv_t *self, size_t col, char *dst, size_t cap)
{
    if (col >= 1 && col <= self->ncols && self->names)
        s_format(dst, cap, "column %zu (%s)", col, self->names[col - 1]);
    else
        s_format(dst, cap, "column %zu", col);
}

/* Up to four bytes as hex, "FF FF". */
static void
s_hex(const char *p, size_t n, char *dst, size_t cap)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t k = 0;
    if (n > 4)
        n = 4;
    for (size_t i = 0; i < n && k + 4 <= cap; i++) {
        unsigned char c = (unsigned char) p[i];
        if (i > 0)
            dst[k++] = ' ';
        dst[k++] = digits[c >> 4];
        dst[k++] = digits[c & 15];
    }
    if (cap > 0)
        dst[k < cap ? k : cap - 1] = '\0';
}

/* ---------------------------------------------------------------- input */

/* Refill the read buffer. Returns 1 with bytes, 0 at end of file, -1 on error. */
static int
s_fill(adp_csv_t *self)
{
    self->in_off += (off_t) self->in_len;
    self->in_len = 0;
    self->in_pos = 0;
    for (;;) {
        ssize_t n = read(self->fd, self->in, self->in_cap);
        if (n > 0) {
            self->in_len = (size_t) n;
            return 1;
        }
        if (n == 0)
            return 0;
        if (errno != EINTR) {
            s_set_error(self, "cannot read %s at byte %lld: %s", self->path,
                        (long long) self->in_off, strerror(errno));
            return -1;
        }
    }
}

/* Continue reading at file offset target. Returns 0, or -1 with self->error. */
static int
s_seek(adp_csv_t *self, off_t target)
{
    off_t end = self->in_off + (off_t) self->in_len;
    if (target >= self->in_off && target <= end) {
        self->in_pos = (size_t) (target - self->in_off);
        return 0;
    }
    if (lseek(self->fd, target, SEEK_SET) == (off_t) -1) {
        s_set_error(self, "cannot seek in %s to byte %lld: %s", self->path,
                    (long long) target, strerror(errno));
        return -1;
    }
    self->in_off = target;
    self->in_len = 0;
    self->in_pos = 0;
    return 0;
}

/* Discard bytes up to and including the next LF. Returns 0, or -1 on error. */
static int
s_skip_line(adp_csv_t *self)
{
    while (self->skip_line) {
        if (self->in_pos == self->in_len) {
            int rc = s_fill(self);
            if (rc < 0)
                return -1;
            if (rc == 0) {
                self->skip_line = false;
                break;
            }
        }
        const unsigned char *start = self->in + self->in_pos;
        const unsigned char *lf = memchr(start, '\n', self->in_len - self->in_pos);
        if (lf) {
            self->in_pos += (size_t) (lf - start) + 1;
            self->line++;
            self->skip_line = false;
        }
        else
            self->in_pos = self->in_len;
    }
    return 0;
}

/* ---------------------------------------------------------------- scanning */

static void
s_end_field(adp_csv_t *self)
{
    if (self->nfields == self->fields_cap) {
        size_t cap = self->fields_cap ? self->fields_cap * 2 : 32;
        self->fields = S_CHECK(realloc(self->fields, cap * sizeof *self->fields));
        self->fields_cap = cap;
    }
    field_t *f = &self->fields[self->nfields++];
    f->start = self->cur_start;
    f->end = self->val.len;
    f->raw_start = self->cur_raw_start;
    self->cur_start = self->val.len;
    self->cur_raw_start = self->raw.len;
}

/* An unquoted field ending at a line end loses the CR of a CRLF. */
static void
s_trim_cr(adp_csv_t *self)
{
    if (self->val.len > self->cur_start && self->val.data[self->val.len - 1] == '\r')
        self->val.len--;
}

/* Note a quoting problem at raw offset at (in the current field), the first one only. */
static void
s_flag_quote(adp_csv_t *self, size_t at, bool after_close)
{
    if (self->problem != ADP_CSV_NONE)
        return;
    self->problem = ADP_CSV_STRAY_QUOTE;
    self->prob_col = self->nfields + 1;
    self->prob_byte = at - self->cur_raw_start + 1;
    self->prob_after_close = after_close;
}

/* Read one record (a header or data row, or a blank line) from the stream. */
static scan_t
s_scan_record(adp_csv_t *self)
{
    if (self->skip_line && s_skip_line(self) < 0)
        return SCAN_IOERR;
    self->raw.len = 0;
    self->val.len = 0;
    self->nfields = 0;
    self->cur_start = 0;
    self->cur_raw_start = 0;
    self->first_lf = S_NO_LF;
    self->rec_off = self->in_off + (off_t) self->in_pos;
    self->rec_line = self->line;
    self->problem = ADP_CSV_NONE;
    self->prob_col = 0;
    self->prob_byte = 0;
    self->prob_after_close = false;

    const unsigned char sep = self->sep;
    const bool quoting = self->quoting;
    scan_state_t state = S_FIELD_START;
    for (;;) {
        if (self->in_pos == self->in_len) {
            int rc = s_fill(self);
            if (rc < 0)
                return SCAN_IOERR;
            if (rc == 0)
                break;
        }
        if (self->raw.len >= self->max_row)
            return SCAN_TOO_LONG;
        unsigned char c = self->in[self->in_pos++];
        s_put(&self->raw, c);
        if (c == '\n') {
            self->line++;
            if (self->first_lf == S_NO_LF)
                self->first_lf = self->raw.len - 1;
        }
        switch (state) {
        case S_FIELD_START:
            if (c == '"' && quoting) {
                state = S_QUOTED;
                break;
            }
            state = S_UNQUOTED;
            /* the byte is handled as in an unquoted field */
            if (c == sep) {
                s_end_field(self);
                state = S_FIELD_START;
            }
            else if (c == '\n') {
                s_end_field(self);
                return SCAN_RECORD;
            }
            else
                s_put(&self->val, c);
            break;
        case S_UNQUOTED:
            if (c == sep) {
                s_end_field(self);
                state = S_FIELD_START;
            }
            else if (c == '\n') {
                s_trim_cr(self);
                s_end_field(self);
                return SCAN_RECORD;
            }
            else {
                if (c == '"' && quoting)
                    s_flag_quote(self, self->raw.len - 1, false);
                s_put(&self->val, c);
            }
            break;
        case S_QUOTED:
            if (c == '"')
                state = S_QUOTE_SEEN;
            else
                s_put(&self->val, c);
            break;
        case S_QUOTE_SEEN:
            if (c == '"') {
                s_put(&self->val, c);
                state = S_QUOTED;
            }
            else if (c == sep) {
                s_end_field(self);
                state = S_FIELD_START;
            }
            else if (c == '\n') {
                s_end_field(self);
                return SCAN_RECORD;
            }
            else if (c == '\r')
                state = S_CLOSED_CR;
            else {
                s_flag_quote(self, self->raw.len - 1, true);
                s_put(&self->val, c);
                state = S_UNQUOTED;
            }
            break;
        case S_CLOSED_CR:
            if (c == '\n') {
                s_end_field(self);
                return SCAN_RECORD;
            }
            /* the CR was text after the closing quote; go on as unquoted */
            s_flag_quote(self, self->raw.len - 2, true);
            s_put(&self->val, '\r');
            state = S_UNQUOTED;
            if (c == sep) {
                s_end_field(self);
                state = S_FIELD_START;
            }
            else
                s_put(&self->val, c);
            break;
        }
    }
    /* end of file */
    if (self->raw.len == 0)
        return SCAN_EOF;
    if (state == S_QUOTED)
        return SCAN_UNTERMINATED;
    if (state == S_UNQUOTED)
        s_trim_cr(self);
    s_end_field(self);
    return SCAN_RECORD;
}

/* Length of the record's raw bytes without its final line end. */
static size_t
s_content_len(const adp_csv_t *self)
{
    size_t n = self->raw.len;
    if (n > 0 && self->raw.data[n - 1] == '\n')
        n--;
    if (n > 0 && self->raw.data[n - 1] == '\r')
        n--;
    return n;
}

/* ---------------------------------------------------------------- decoding */

typedef enum { DEC_OK, DEC_INVALID, DEC_INCOMPLETE, DEC_NUL } decode_t;

/* Append src[0..len) decoded to UTF-8, and a NUL, to out. On failure *at is
** the 0-based offset in src of the offending byte; out is then unspecified. */
static decode_t
s_decode(adp_csv_t *self, const char *src, size_t len, bytes_t *out, size_t *at)
{
    const char *nul = memchr(src, '\0', len);
    size_t scan = nul ? (size_t) (nul - src) : len;

    bool ascii = true;
    for (size_t i = 0; i < scan && ascii; i++)
        ascii = ((unsigned char) src[i] < 0x80);
    if (!ascii) {
        /* every input byte makes at most 4 bytes of UTF-8 */
        iconv(self->cd, NULL, NULL, NULL, NULL);
        char *in = (char *) src;
        size_t in_left = scan;
        while (in_left > 0) {
            s_reserve(out, in_left * 4 + 16);
            char *o = out->data + out->len;
            size_t o_left = out->cap - out->len;
            size_t rc = iconv(self->cd, &in, &in_left, &o, &o_left);
            out->len = (size_t) (o - out->data);
            if (rc != (size_t) -1)
                continue;
            if (errno == E2BIG)
                continue;
            *at = (size_t) (in - src);
            return errno == EINVAL ? DEC_INCOMPLETE : DEC_INVALID;
        }
        if (self->utf8 && (*at = adp_utf8_valid(src, scan)) < scan)
            return DEC_INVALID;
    }
    else {
        s_reserve(out, scan);
        memcpy(out->data + out->len, src, scan);
        out->len += scan;
    }
    if (nul) {
        *at = scan;
        return DEC_NUL;
    }
    s_put(out, '\0');
    return DEC_OK;
}

/* Describe a failed decode of 1-based column col into dst. */
static void
s_decode_reason(const adp_csv_t *self, decode_t rc, size_t col, const char *src,
                size_t len, size_t at, char *dst, size_t cap)
{
    char where[S_MSG_SIZE / 2];
    char hex[16];
    s_colref(self, col, where, sizeof where);
    s_hex(src + at, len - at, hex, sizeof hex);
    if (rc == DEC_NUL)
        s_format(dst, cap, "NUL byte at byte %zu of %s", at + 1, where);
    else if (rc == DEC_INCOMPLETE)
        s_format(dst, cap, "%s ends inside a %s character at byte %zu: %s",
                 where, self->encoding, at + 1, hex);
    else
        s_format(dst, cap, "bytes are not valid %s at byte %zu of %s: %s",
                 self->encoding, at + 1, where, hex);
}

/* Describe the record's quoting problem into dst. */
static void
s_quote_reason(const adp_csv_t *self, char *dst, size_t cap)
{
    char where[S_MSG_SIZE / 2];
    s_colref(self, self->prob_col, where, sizeof where);
    if (self->prob_after_close)
        s_format(dst, cap, "text after the closing quote at byte %zu of %s",
                 self->prob_byte, where);
    else
        s_format(dst, cap, "stray quote at byte %zu of %s (a field holding quotes "
                 "must be quoted, with each quote doubled)", self->prob_byte, where);
}

/* ---------------------------------------------------------------- rows */

/* Fill row as a bad row (raw already set) with reason from fmt. */
static adp_csv_status_t
s_bad(adp_csv_t *self, adp_csv_row_t *row, adp_csv_problem_t problem, size_t col,
      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_vformat(self->reason, sizeof self->reason, fmt, ap);
    va_end(ap);
    row->problem = problem;
    row->column = col;
    row->column_name = (col >= 1 && col <= self->ncols) ? self->names[col - 1] : NULL;
    row->reason = self->reason;
    return ADP_CSV_BAD;
}

/* Set row's raw to raw[0..len), NUL-terminated. */
static void
s_set_raw(adp_csv_t *self, adp_csv_row_t *row, size_t len)
{
    s_reserve(&self->raw, 1);   /* room for the NUL when len == raw.len */
    self->raw.data[len] = '\0';
    row->raw = self->raw.data;
    row->raw_len = len;
}

/* Line where the current field's first byte is. */
static size_t
s_field_line(const adp_csv_t *self)
{
    size_t line = self->rec_line;
    for (size_t i = 0; i < self->cur_raw_start; i++)
        line += (self->raw.data[i] == '\n');
    return line;
}

/* A record that never ended (quote never closed, or too long): reject its
** first line and resume after it, or reject the head of an overlong line and
** skip the rest of that line. */
static adp_csv_status_t
s_bad_overrun(adp_csv_t *self, scan_t why, adp_csv_row_t *row)
{
    size_t col = self->nfields + 1;
    char where[S_MSG_SIZE / 2];
    s_colref(self, col, where, sizeof where);
    size_t quote_line = s_field_line(self);
    bool whole = (self->first_lf == S_NO_LF);   /* the row is one line */
    size_t len = whole ? self->raw.len : self->first_lf;

    row->row = ++self->row;
    row->line = self->rec_line;
    if (!whole) {
        if (len > 0 && self->raw.data[len - 1] == '\r')
            len--;
        if (s_seek(self, self->rec_off + (off_t) self->first_lf + 1) < 0) {
            self->finished = ADP_CSV_ERROR;
            return ADP_CSV_ERROR;
        }
        self->line = self->rec_line + 1;
    }
    s_set_raw(self, row, len);

    if (why == SCAN_UNTERMINATED) {
        if (whole)
            return s_bad(self, row, ADP_CSV_UNTERMINATED_QUOTE, col,
                         "quote opened at the start of %s is never closed "
                         "before the end of the file", where);
        return s_bad(self, row, ADP_CSV_UNTERMINATED_QUOTE, col,
                     "quote opened at the start of %s on line %zu is never closed; "
                     "rejected line %zu only, reading resumes at line %zu",
                     where, quote_line, self->rec_line, self->rec_line + 1);
    }
    if (whole) {
        row->raw_truncated = true;
        self->skip_line = true;
        return s_bad(self, row, ADP_CSV_TOO_LONG, col,
                     "line is longer than %zu bytes; kept its first %zu bytes "
                     "and skipped the rest of the line", self->max_row, self->max_row);
    }
    return s_bad(self, row, ADP_CSV_TOO_LONG, col,
                 "row is longer than %zu bytes (a quote in %s on line %zu is "
                 "probably never closed); rejected line %zu only, reading resumes "
                 "at line %zu", self->max_row, where, quote_line,
                 self->rec_line, self->rec_line + 1);
}

/* Turn the complete, non-blank record just scanned into a good or bad row. */
static adp_csv_status_t
s_make_row(adp_csv_t *self, adp_csv_row_t *row, size_t raw_len)
{
    row->row = ++self->row;
    row->line = self->rec_line;
    s_set_raw(self, row, raw_len);

    if (self->problem == ADP_CSV_STRAY_QUOTE) {
        char reason[S_MSG_SIZE];
        s_quote_reason(self, reason, sizeof reason);
        return s_bad(self, row, ADP_CSV_STRAY_QUOTE, self->prob_col, "%s", reason);
    }
    if (self->nfields != self->ncols) {
        size_t n = self->nfields;
        size_t col = (n < self->ncols ? n : self->ncols) + 1;   /* first missing or first extra */
        return s_bad(self, row, ADP_CSV_FIELD_COUNT, col,
                     "row has %zu field%s, header has %zu", n, n == 1 ? "" : "s",
                     self->ncols);
    }

    self->out.len = 0;
    for (size_t i = 0; i < self->nfields; i++) {
        const field_t *f = &self->fields[i];
        const char *src = self->val.data + f->start;
        size_t len = f->end - f->start;
        size_t at = 0;
        size_t before = self->out.len;
        decode_t rc = s_decode(self, src, len, &self->out, &at);
        if (rc != DEC_OK) {
            char reason[S_MSG_SIZE];
            s_decode_reason(self, rc, i + 1, src, len, at, reason, sizeof reason);
            return s_bad(self, row, rc == DEC_NUL ? ADP_CSV_NUL_BYTE : ADP_CSV_ENCODING,
                         i + 1, "%s", reason);
        }
        self->out_off[i] = before;
        self->out_len[i] = self->out.len - before - 1;
    }
    for (size_t i = 0; i < self->nfields; i++)
        self->out_ptr[i] = self->out.data + self->out_off[i];
    row->nfields = self->nfields;
    row->fields = (const char *const *) self->out_ptr;
    row->lengths = self->out_len;
    return ADP_CSV_ROW;
}

/* ---------------------------------------------------------------- header */

/* Does s[0..n) start / end with the UTF-8 bytes of t? */
static size_t
s_prefix(const char *s, size_t n, const char *t)
{
    size_t k = strlen(t);
    return (n >= k && memcmp(s, t, k) == 0) ? k : 0;
}

static size_t
s_suffix(const char *s, size_t n, const char *t)
{
    size_t k = strlen(t);
    return (n >= k && memcmp(s + n - k, t, k) == 0) ? k : 0;
}

/* Copy of s[0..n) without leading and trailing spaces (ASCII, U+3000) and U+FEFF. */
static char *
s_trimmed(const char *s, size_t n)
{
    static const char *const blanks[] = { " ", "\t", "\xE3\x80\x80", "\xEF\xBB\xBF" };
    size_t nb = sizeof blanks / sizeof blanks[0];
    bool again = true;
    while (again) {
        again = false;
        for (size_t i = 0; i < nb; i++) {
            size_t k = s_prefix(s, n, blanks[i]);
            s += k;
            n -= k;
            size_t m = s_suffix(s, n, blanks[i]);
            n -= m;
            again = again || k || m;
        }
    }
    char *copy = S_CHECK(malloc(n + 1));
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

/* Read the header row. Returns 0, or -1 with a reason in self->error. */
static int
s_read_header(adp_csv_t *self)
{
    scan_t rc;
    while ((rc = s_scan_record(self)) == SCAN_RECORD && s_content_len(self) == 0)
        ;   /* blank lines before the header */
    self->header_line = self->rec_line;
    switch (rc) {
    case SCAN_IOERR:
        return -1;
    case SCAN_EOF:
        s_set_error(self, "%s has no header row (the file is empty)", self->path);
        return -1;
    case SCAN_UNTERMINATED:
        s_set_error(self, "%s: header row (line %zu) has a quote that is never closed",
                    self->path, self->rec_line);
        return -1;
    case SCAN_TOO_LONG:
        s_set_error(self, "%s: header row (line %zu) is longer than %zu bytes",
                    self->path, self->rec_line, self->max_row);
        return -1;
    case SCAN_RECORD:
        break;
    }
    if (self->problem == ADP_CSV_STRAY_QUOTE) {
        char reason[S_MSG_SIZE];
        s_quote_reason(self, reason, sizeof reason);
        s_set_error(self, "%s: header row (line %zu): %s", self->path,
                    self->rec_line, reason);
        return -1;
    }

    size_t n = self->nfields;
    self->names = S_CHECK(calloc(n, sizeof *self->names));
    for (size_t i = 0; i < n; i++) {
        const field_t *f = &self->fields[i];
        const char *src = self->val.data + f->start;
        size_t len = f->end - f->start;
        size_t at = 0;
        self->out.len = 0;
        decode_t dc = s_decode(self, src, len, &self->out, &at);
        if (dc != DEC_OK) {
            char reason[S_MSG_SIZE];
            s_decode_reason(self, dc, i + 1, src, len, at, reason, sizeof reason);
            s_set_error(self, "%s: header row (line %zu): %s", self->path,
                        self->rec_line, reason);
            return -1;
        }
        self->names[i] = s_trimmed(self->out.data, self->out.len - 1);
        self->ncols = i + 1;   /* names[0..ncols) are set, for destroy */
    }
    self->ncols = n;
    self->out_off = S_CHECK(calloc(n, sizeof *self->out_off));
    self->out_ptr = S_CHECK(calloc(n, sizeof *self->out_ptr));
    self->out_len = S_CHECK(calloc(n, sizeof *self->out_len));
    return 0;
}

/* ---------------------------------------------------------------- public */

/* Can the parser split this encoding's bytes? ASCII must map to itself. */
static bool
s_ascii_compatible(iconv_t cd)
{
    char in_text[] = "a,\t\"\r\nZ";
    char out_text[64];
    char *in = in_text;
    char *out = out_text;
    size_t in_left = strlen(in_text);
    size_t out_left = sizeof out_text;
    iconv(cd, NULL, NULL, NULL, NULL);
    if (iconv(cd, &in, &in_left, &out, &out_left) == (size_t) -1)
        return false;
    return (size_t) (out - out_text) == strlen(in_text)
        && memcmp(out_text, in_text, strlen(in_text)) == 0;
}

adp_csv_t *
adp_csv_open(const char *path, const adp_csv_opts_t *opts, char *errbuf, size_t errcap)
{
    assert(path && opts);
    if (errbuf && errcap > 0)
        errbuf[0] = '\0';
    if (opts->separator != ',' && opts->separator != '\t') {
        s_format(errbuf, errcap, "separator must be ',' or tab, not byte 0x%02X",
                 (unsigned) (unsigned char) opts->separator);
        return NULL;
    }
    const char *encoding = opts->encoding ? opts->encoding : "UTF-8";
    iconv_t cd = iconv_open("UTF-8", encoding);
    if (cd == (iconv_t) -1) {
        s_format(errbuf, errcap, "unknown encoding \"%s\" (iconv: %s)", encoding,
                 strerror(errno));
        return NULL;
    }
    if (!s_ascii_compatible(cd)) {
        iconv_close(cd);
        s_format(errbuf, errcap, "encoding \"%s\" is not ASCII-compatible; the reader "
                 "splits fields on raw bytes", encoding);
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        s_format(errbuf, errcap, "cannot open %s: %s", path, strerror(errno));
        iconv_close(cd);
        return NULL;
    }

    adp_csv_t *self = S_CHECK(calloc(1, sizeof *self));
    self->fd = fd;
    self->cd = cd;
    self->path = s_strdup(path);
    self->encoding = s_strdup(encoding);
    self->utf8 = adp_encoding_is_utf8(encoding);
    self->sep = (unsigned char) opts->separator;
    self->quoting = opts->quoting;
    self->max_row = opts->max_row_bytes ? opts->max_row_bytes : ADP_CSV_MAX_ROW_DEFAULT;
    self->in_cap = opts->buffer_size ? opts->buffer_size : ADP_CSV_BUFFER_DEFAULT;
    self->in = S_CHECK(malloc(self->in_cap));
    self->line = 1;
    self->finished = ADP_CSV_ROW;
    s_reserve(&self->raw, 256);   /* never NULL, even for empty fields */
    s_reserve(&self->val, 256);
    s_reserve(&self->out, 256);

    /* a UTF-8 byte-order mark is not part of the first line */
    unsigned char bom[3];
    ssize_t n;
    do
        n = pread(fd, bom, sizeof bom, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        s_format(errbuf, errcap, "cannot read %s: %s", path, strerror(errno));
        adp_csv_destroy(&self);
        return NULL;
    }
    if (n == 3 && bom[0] == 0xEF && bom[1] == 0xBB && bom[2] == 0xBF
        && s_seek(self, 3) < 0) {
        s_format(errbuf, errcap, "%s", self->error);
        adp_csv_destroy(&self);
        return NULL;
    }

    if (s_read_header(self) < 0) {
        s_format(errbuf, errcap, "%s", self->error);
        adp_csv_destroy(&self);
        return NULL;
    }
    self->error[0] = '\0';
    return self;
}

void
adp_csv_destroy(adp_csv_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    adp_csv_t *self = *self_p;
    if (self->fd >= 0)
        close(self->fd);
    if (self->cd != (iconv_t) -1)
        iconv_close(self->cd);
    for (size_t i = 0; self->names && i < self->ncols; i++)
        free(self->names[i]);
    free(self->names);
    free(self->out_off);
    free(self->out_ptr);
    free(self->out_len);
    free(self->out.data);
    free(self->fields);
    free(self->val.data);
    free(self->raw.data);
    free(self->in);
    free(self->encoding);
    free(self->path);
    free(self);
    *self_p = NULL;
}

adp_csv_status_t
adp_csv_next(adp_csv_t *self, adp_csv_row_t *row)
{
    assert(self && row);
    memset(row, 0, sizeof *row);
    row->problem = ADP_CSV_NONE;
    if (self->finished != ADP_CSV_ROW)
        return self->finished;
    for (;;) {
        scan_t rc = s_scan_record(self);
        switch (rc) {
        case SCAN_IOERR:
            self->finished = ADP_CSV_ERROR;
            return ADP_CSV_ERROR;
        case SCAN_EOF:
            self->finished = ADP_CSV_EOF;
            return ADP_CSV_EOF;
        case SCAN_UNTERMINATED:
        case SCAN_TOO_LONG:
            return s_bad_overrun(self, rc, row);
        case SCAN_RECORD: {
            size_t len = s_content_len(self);
            if (len == 0)
                continue;   /* blank line */
            return s_make_row(self, row, len);
        }
        }
    }
}

size_t
adp_csv_ncolumns(const adp_csv_t *self)
{
    assert(self);
    return self->ncols;
}

int
adp_csv_column(const adp_csv_t *self, const char *name)
{
    assert(self && name);
    for (size_t i = 0; i < self->ncols; i++)
        if (strcmp(self->names[i], name) == 0)
            return (int) i;
    return -1;
}

const char *
adp_csv_column_name(const adp_csv_t *self, size_t index)
{
    assert(self);
    return index < self->ncols ? self->names[index] : NULL;
}

size_t
adp_csv_header_line(const adp_csv_t *self)
{
    assert(self);
    return self->header_line;
}

const char *
adp_csv_error(const adp_csv_t *self)
{
    assert(self);
    return self->error;
}

static const char *const s_problem_names[] = {
#define X(name, text) #name,
    ADP_CSV_PROBLEMS(X)
#undef X
};

static const char *const s_problem_texts[] = {
#define X(name, text) text,
    ADP_CSV_PROBLEMS(X)
#undef X
};

const char *
adp_csv_problem_name(int problem)
{
    if (problem < 0 || problem >= ADP_CSV_PROBLEM_COUNT)
        return "UNKNOWN";
    return s_problem_names[problem];
}

const char *
adp_csv_problem_text(int problem)
{
    if (problem < 0 || problem >= ADP_CSV_PROBLEM_COUNT)
        return "unknown problem";
    return s_problem_texts[problem];
}
