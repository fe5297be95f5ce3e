/*
** jsonl.c: streaming reader for JSON Lines files (see jsonl.h).
**
** Lines are cut on LF from a fixed read buffer into a line buffer of at most
** max_line_bytes + 1 bytes (one more than the limit, so a CR before the LF
** of a line of exactly the limit still fits); the rest of a longer line is
** read and dropped. A complete line is checked for UTF-8 here (to say at
** which byte it fails) and then handed whole to json_loadb.
*/
#define _POSIX_C_SOURCE 200809L

#include "jsonl.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"

#define S_MSG_SIZE      768
#define S_MIN_BUFFER    16

struct adp_jsonl {
    int fd;
    char *path;
    size_t max_line;

    /* read buffer: in[in_pos..in_len) not yet looked at */
    unsigned char *in;
    size_t in_cap;
    size_t in_len;
    size_t in_pos;
    long long in_off;          /* file offset of in[0], for I/O error messages */

    /* the line being read: at most max_line + 1 bytes kept, plus a NUL */
    char *line;
    size_t line_len;
    bool line_cut;             /* bytes of the line were dropped */
    size_t lineno;             /* number of the last line read */

    json_t *object;            /* handed out by the last call */
    adp_jsonl_status_t finished;  /* EOF or ERROR once reached; else OBJECT */
    char reason[S_MSG_SIZE];
    char error[S_MSG_SIZE];
};

/* ---------------------------------------------------------------- messages */

static void
s_format(char *dst, size_t cap, const char *fmt, ...)
{
    if (!dst || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (vsnprintf(dst, cap, fmt, ap) < 0)
        dst[0] = '\0';
    va_end(ap);
}

/* Up to four bytes as hex, "ED A0 80". */
static void
s_hex(const unsigned char *p, size_t n, char *dst, size_t cap)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t k = 0;
    if (n > 4)
        n = 4;
    for (size_t i = 0; i < n && k + 4 <= cap; i++) {
        if (i > 0)
            dst[k++] = ' ';
        dst[k++] = digits[p[i] >> 4];
        dst[k++] = digits[p[i] & 15];
    }
    if (cap > 0)
        dst[k < cap ? k : cap - 1] = '\0';
}

/* jansson's text, with "end of file" said as "end of line" (it only ever
** sees one line). */
static void
s_jansson_text(const char *text, char *dst, size_t cap)
{
    const char *eof = strstr(text, "end of file");
    if (eof)
        s_format(dst, cap, "%.*send of line%s", (int) (eof - text), text,
                 eof + strlen("end of file"));
    else
        s_format(dst, cap, "%s", text);
}

/* ---------------------------------------------------------------- input */

/* Refill the read buffer. Returns 1 with bytes, 0 at end of file, -1 on error. */
static int
s_fill(adp_jsonl_t *self)
{
    self->in_off += (long long) self->in_len;
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
            s_format(self->error, sizeof self->error, "cannot read %s at byte %lld: %s", self->path,
                     self->in_off, strerror(errno));
            return -1;
        }
    }
}

/* Keep what fits of n more bytes of the current line. */
static void
s_keep(adp_jsonl_t *self, const unsigned char *p, size_t n)
{
    size_t room = self->max_line + 1 - self->line_len;
    if (n > room) {
        n = room;
        self->line_cut = true;
    }
    memcpy(self->line + self->line_len, p, n);
    self->line_len += n;
}

/* Read the next physical line (without its LF) into self->line. Returns 1
** with a line, 0 at end of file, -1 on error. */
static int
s_read_line(adp_jsonl_t *self)
{
    self->line_len = 0;
    self->line_cut = false;
    bool any = false;
    for (;;) {
        if (self->in_pos == self->in_len) {
            int rc = s_fill(self);
            if (rc <= 0) {
                if (rc == 0 && any)
                    break;   /* a last line without a line end */
                return rc;
            }
        }
        const unsigned char *start = self->in + self->in_pos;
        size_t avail = self->in_len - self->in_pos;
        const unsigned char *lf = memchr(start, '\n', avail);
        size_t take = lf ? (size_t) (lf - start) : avail;
        s_keep(self, start, take);
        self->in_pos += take + (lf ? 1 : 0);
        any = true;
        if (lf)
            break;
    }
    self->lineno++;
    if (!self->line_cut && self->line_len > 0 && self->line[self->line_len - 1] == '\r')
        self->line_len--;
    self->line[self->line_len] = '\0';
    return 1;
}

/* ---------------------------------------------------------------- checks */

static bool
s_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* Offset of the first byte that does not start a well-formed UTF-8
** sequence (RFC 3629: no overlong forms, surrogates or code points above
** U+10FFFF), with the length of the ill-formed part in *bad_len; n when the
** whole text is well-formed. */
static size_t
s_utf8_invalid_at(const unsigned char *s, size_t n, size_t *bad_len)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF;   /* bounds of the second byte */
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            *bad_len = 1;
            return i;
        }
        size_t k = 1;
        for (; k < len && i + k < n; k++) {
            unsigned char b = s[i + k];
            if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
                break;
        }
        if (k < len) {
            *bad_len = k < n - i ? k + 1 : k;   /* the sequence so far and the byte that broke it */
            return i;
        }
        i += len;
    }
    *bad_len = 0;
    return n;
}

/* "a JSON array" etc., for a top-level value that is not an object. */
static const char *
s_json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_ARRAY: return "a JSON array";
    case JSON_STRING: return "a JSON string";
    case JSON_INTEGER:
    case JSON_REAL: return "a JSON number";
    case JSON_TRUE:
    case JSON_FALSE: return "a JSON boolean";
    case JSON_NULL: return "JSON null";
    default: return "a JSON object";
    }
}

/* ---------------------------------------------------------------- rows */

static adp_jsonl_status_t
s_bad(adp_jsonl_t *self, adp_jsonl_row_t *row, adp_jsonl_problem_t problem, size_t column)
{
    row->problem = problem;
    row->column = column;
    row->reason = self->reason;
    return ADP_JSONL_BAD;
}

/* Parse the line in self->line into *row. */
static adp_jsonl_status_t
s_parse(adp_jsonl_t *self, adp_jsonl_row_t *row)
{
    size_t n = self->line_len;
    row->raw = self->line;
    row->raw_len = n;
    if (n > self->max_line) {
        row->raw_len = self->max_line;
        row->raw_truncated = true;
        self->line[self->max_line] = '\0';
        s_format(self->reason, sizeof self->reason, "line %zu is longer than the limit of %zu bytes",
                 self->lineno, self->max_line);
        return s_bad(self, row, ADP_JSONL_TOO_LONG, 0);
    }

    size_t bad_len;
    size_t at = s_utf8_invalid_at((const unsigned char *) self->line, n, &bad_len);
    if (at < n) {
        char hex[16];
        s_hex((const unsigned char *) self->line + at, bad_len, hex, sizeof hex);
        s_format(self->reason, sizeof self->reason, "line %zu is not valid UTF-8 at byte %zu: %s",
                 self->lineno, at + 1, hex);
        return s_bad(self, row, ADP_JSONL_ENCODING, at + 1);
    }

    json_error_t err;
    json_t *v = json_loadb(self->line, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
    if (!v) {
        enum json_error_code code = json_error_code(&err);
        if (code == json_error_out_of_memory)
            hub_alloc_check(NULL, __FILE__, __LINE__);
        char text[JSON_ERROR_TEXT_LENGTH + 16];
        s_jansson_text(err.text, text, sizeof text);
        size_t column = err.column > 0 ? (size_t) err.column : 0;
        const char *what = code == json_error_duplicate_key ? "has a key twice" : "is not valid JSON";
        if (column)
            s_format(self->reason, sizeof self->reason, "line %zu %s at column %zu: %s", self->lineno,
                     what, column, text);
        else
            s_format(self->reason, sizeof self->reason, "line %zu %s: %s", self->lineno, what, text);
        return s_bad(self, row,
                     code == json_error_duplicate_key ? ADP_JSONL_DUPLICATE_KEY : ADP_JSONL_SYNTAX,
                     column);
    }
    if (!json_is_object(v)) {
        s_format(self->reason, sizeof self->reason, "line %zu is %s, not an object", self->lineno,
                 s_json_kind(v));
        json_decref(v);
        return s_bad(self, row, ADP_JSONL_NOT_OBJECT, 0);
    }
    self->object = v;
    row->object = v;
    return ADP_JSONL_OBJECT;
}

adp_jsonl_status_t
adp_jsonl_next(adp_jsonl_t *self, adp_jsonl_row_t *row)
{
    assert(self && row);
    memset(row, 0, sizeof *row);
    json_decref(self->object);
    self->object = NULL;
    if (self->finished != ADP_JSONL_OBJECT) {
        row->row = self->lineno;
        return self->finished;
    }
    for (;;) {
        int rc = s_read_line(self);
        if (rc <= 0) {
            self->finished = rc == 0 ? ADP_JSONL_EOF : ADP_JSONL_ERROR;
            row->row = self->lineno;
            return self->finished;
        }
        if (self->line_cut || self->line_len > self->max_line || !s_blank(self->line, self->line_len))
            break;
    }
    row->row = self->lineno;
    return s_parse(self, row);
}

/* ---------------------------------------------------------------- open, close */

adp_jsonl_t *
adp_jsonl_open(const char *path, const adp_jsonl_opts_t *opts, char *errbuf, size_t errcap)
{
    assert(path);
    if (errbuf && errcap > 0)
        errbuf[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        s_format(errbuf, errcap, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        s_format(errbuf, errcap, "cannot read %s: it is a directory", path);
        close(fd);
        return NULL;
    }

    adp_jsonl_t *self = HUB_CHECK_ALLOC(calloc(1, sizeof *self));
    self->fd = fd;
    self->path = HUB_CHECK_ALLOC(strdup(path));
    self->max_line = opts && opts->max_line_bytes ? opts->max_line_bytes : ADP_JSONL_MAX_LINE_DEFAULT;
    self->in_cap = opts && opts->buffer_size ? opts->buffer_size : ADP_JSONL_BUFFER_DEFAULT;
    if (self->in_cap < S_MIN_BUFFER)
        self->in_cap = S_MIN_BUFFER;
    self->in = HUB_CHECK_ALLOC(malloc(self->in_cap));
    self->line = HUB_CHECK_ALLOC(malloc(self->max_line + 2));
    self->finished = ADP_JSONL_OBJECT;

    /* a UTF-8 byte-order mark is not part of the first line: read until
    ** three bytes are in (or the file ends) and step over it */
    while (self->in_len < 3) {
        ssize_t n = read(fd, self->in + self->in_len, self->in_cap - self->in_len);
        if (n == 0)
            break;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            s_format(errbuf, errcap, "cannot read %s: %s", path, strerror(errno));
            adp_jsonl_destroy(&self);
            return NULL;
        }
        self->in_len += (size_t) n;
    }
    if (self->in_len >= 3 && memcmp(self->in, "\xEF\xBB\xBF", 3) == 0)
        self->in_pos = 3;
    return self;
}

void
adp_jsonl_destroy(adp_jsonl_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    adp_jsonl_t *self = *self_p;
    json_decref(self->object);
    if (self->fd >= 0)
        close(self->fd);
    free(self->line);
    free(self->in);
    free(self->path);
    free(self);
    *self_p = NULL;
}

const char *
adp_jsonl_error(const adp_jsonl_t *self)
{
    return self->finished == ADP_JSONL_ERROR ? self->error : "";
}

/* ---------------------------------------------------------------- names */

static const char *const s_problem_names[] = {
#define X(name, text) #name,
    ADP_JSONL_PROBLEMS(X)
#undef X
};

static const char *const s_problem_texts[] = {
#define X(name, text) text,
    ADP_JSONL_PROBLEMS(X)
#undef X
};

const char *
adp_jsonl_problem_name(int problem)
{
    return problem >= 0 && problem < ADP_JSONL_PROBLEM_COUNT ? s_problem_names[problem] : "UNKNOWN";
}

const char *
adp_jsonl_problem_text(int problem)
{
    return problem >= 0 && problem < ADP_JSONL_PROBLEM_COUNT ? s_problem_texts[problem]
                                                             : "unknown problem";
}

const char *
adp_jsonl_type_name(const json_t *v)
{
    if (!v)
        return "null";
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}
