/*
** gen_out.c: buffers, delimited tables, encoded file output and truth.csv
** for the synthetic-district generator. See gen_out.h.
*/
#define _POSIX_C_SOURCE 200809L

#include "gen_out.h"
#include "gen_util.h"

#include <assert.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- buffer ------------------------------------------------------------- */

void
gen_buf_init(gen_buf_t *buf)
{
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

void
gen_buf_fini(gen_buf_t *buf)
{
    free(buf->data);
    gen_buf_init(buf);
}

void
gen_buf_put(gen_buf_t *buf, const void *data, size_t size)
{
    if (buf->len + size + 1 > buf->cap) {
        size_t cap = buf->cap ? buf->cap : 4096;
        while (cap < buf->len + size + 1)
            cap *= 2;
        buf->data = gen_xrealloc(buf->data, cap);
        buf->cap = cap;
    }
    memcpy(buf->data + buf->len, data, size);
    buf->len += size;
    buf->data[buf->len] = '\0';
}

void
gen_buf_puts(gen_buf_t *buf, const char *s)
{
    gen_buf_put(buf, s, strlen(s));
}

void
gen_buf_json_str(gen_buf_t *buf, const char *s)
{
    if (!s) {
        gen_buf_puts(buf, "null");
        return;
    }
    gen_buf_put(buf, "\"", 1);
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        char esc[8];
        switch (*p) {
        case '"':  gen_buf_puts(buf, "\\\""); break;
        case '\\': gen_buf_puts(buf, "\\\\"); break;
        case '\n': gen_buf_puts(buf, "\\n"); break;
        case '\r': gen_buf_puts(buf, "\\r"); break;
        case '\t': gen_buf_puts(buf, "\\t"); break;
        default:
            if (*p < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                gen_buf_puts(buf, esc);
            } else {
                gen_buf_put(buf, p, 1);
            }
            break;
        }
    }
    gen_buf_put(buf, "\"", 1);
}

/* ---- tables ------------------------------------------------------------- */

void
gen_table_init(gen_table_t *t, char sep, bool quote, const char *eol)
{
    gen_buf_init(&t->buf);
    t->sep = sep;
    t->quote = quote;
    t->eol = eol;
    t->col = 0;
    t->rows = 0;
}

void
gen_table_fini(gen_table_t *t)
{
    gen_buf_fini(&t->buf);
}

void
gen_table_cell(gen_table_t *t, const char *s)
{
    if (!s)
        s = "";
    if (t->col++ > 0)
        gen_buf_put(&t->buf, &t->sep, 1);
    bool special = strchr(s, t->sep) || strchr(s, '"') || strchr(s, '\r')
                   || strchr(s, '\n');
    if (!t->quote) {
        assert(!strchr(s, t->sep) && !strchr(s, '\r') && !strchr(s, '\n'));
        gen_buf_puts(&t->buf, s);
        return;
    }
    if (!special) {
        gen_buf_puts(&t->buf, s);
        return;
    }
    gen_buf_put(&t->buf, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            gen_buf_put(&t->buf, "\"", 1);
        gen_buf_put(&t->buf, p, 1);
    }
    gen_buf_put(&t->buf, "\"", 1);
}

void
gen_table_header(gen_table_t *t, const char *const *names, size_t count)
{
    assert(t->col == 0 && t->rows == 0);
    for (size_t i = 0; i < count; i++)
        gen_table_cell(t, names[i]);
    gen_buf_puts(&t->buf, t->eol);
    t->col = 0;
}

size_t
gen_table_end_row(gen_table_t *t)
{
    gen_buf_puts(&t->buf, t->eol);
    t->col = 0;
    return ++t->rows;
}

/* ---- files -------------------------------------------------------------- */

int
gen_mkdirs(const char *dir, char *err, size_t errlen)
{
    size_t n = strlen(dir);
    if (n == 0) {
        snprintf(err, errlen, "empty output directory");
        return -1;
    }
    char *path = gen_xmalloc(n + 1);
    memcpy(path, dir, n + 1);
    for (char *p = path + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST) {
                snprintf(err, errlen, "cannot create directory %s: %s", path,
                         strerror(errno));
                free(path);
                return -1;
            }
            *p = saved;
            if (saved == '\0')
                break;
        }
    }
    free(path);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s is not a directory", dir);
        return -1;
    }
    return 0;
}

/* Converts buf from encoding from to encoding into *out; -1 with err on a
** character the encoding cannot hold. */
static int
s_convert(const gen_buf_t *buf, const char *from, const char *encoding, const char *name,
          gen_buf_t *out, char *err, size_t errlen)
{
    iconv_t cd = iconv_open(encoding, from);
    if (cd == (iconv_t) -1) {
        snprintf(err, errlen, "%s: iconv cannot convert %s to %s: %s", name, from,
                 encoding, strerror(errno));
        return -1;
    }
    char *in = buf->data ? buf->data : (char *) "";
    size_t inleft = buf->len;
    char chunk[65536];
    while (inleft > 0) {
        char *o = chunk;
        size_t oleft = sizeof chunk;
        size_t rc = iconv(cd, &in, &inleft, &o, &oleft);
        gen_buf_put(out, chunk, sizeof chunk - oleft);
        if (rc == (size_t) -1 && errno != E2BIG) {
            size_t line = 1;
            for (const char *p = buf->data; p < in; p++)
                line += *p == '\n';
            snprintf(err, errlen, "%s: line %zu has a character %s cannot hold (%s)",
                     name, line, encoding, strerror(errno));
            iconv_close(cd);
            return -1;
        }
    }
    char *o = chunk;
    size_t oleft = sizeof chunk;
    iconv(cd, NULL, NULL, &o, &oleft);   /* flush any shift state */
    gen_buf_put(out, chunk, sizeof chunk - oleft);
    iconv_close(cd);
    return 0;
}

int
gen_file_write(const char *dir, const char *name, const gen_buf_t *buf,
               const char *encoding, char *err, size_t errlen)
{
    gen_buf_t converted;
    gen_buf_init(&converted);
    const gen_buf_t *bytes = buf;
    if (encoding && strcmp(encoding, "UTF-8") != 0) {
        if (s_convert(buf, "UTF-8", encoding, name, &converted, err, errlen) != 0) {
            gen_buf_fini(&converted);
            return -1;
        }
        bytes = &converted;
    }
    size_t plen = strlen(dir) + strlen(name) + 16;
    char *path = gen_xmalloc(plen), *tmp = gen_xmalloc(plen);
    snprintf(path, plen, "%s/%s", dir, name);
    snprintf(tmp, plen, "%s/.%s.tmp", dir, name);
    int rc = -1;
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        goto done;
    }
    size_t written = bytes->len ? fwrite(bytes->data, 1, bytes->len, f) : 0;
    int werr = written != bytes->len ? errno : 0;
    if (fclose(f) != 0 && !werr)
        werr = errno ? errno : EIO;
    if (werr) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(werr));
        remove(tmp);
        goto done;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        remove(tmp);
        goto done;
    }
    rc = 0;
done:
    free(path);
    free(tmp);
    gen_buf_fini(&converted);
    return rc;
}

int
gen_file_read(const char *dir, const char *name, const char *encoding, gen_buf_t *out,
              char *err, size_t errlen)
{
    size_t plen = strlen(dir) + strlen(name) + 2;
    char *path = gen_xmalloc(plen);
    snprintf(path, plen, "%s/%s", dir, name);
    gen_buf_t raw;
    gen_buf_init(&raw);
    int rc = -1;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        goto done;
    }
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        gen_buf_put(&raw, chunk, got);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "cannot read %s", path);
        goto done;
    }
    if (encoding && strcmp(encoding, "UTF-8") != 0) {
        rc = s_convert(&raw, encoding, "UTF-8", name, out, err, errlen);
    } else {
        gen_buf_put(out, raw.data ? raw.data : "", raw.len);
        rc = 0;
    }
done:
    gen_buf_fini(&raw);
    free(path);
    return rc;
}

/* ---- truth.csv ---------------------------------------------------------- */

void
gen_tags_add(gen_tags_t *tags, const char *tag)
{
    if (!tag || !*tag || gen_tags_has(tags, tag))
        return;
    size_t n = strlen(tags->s), m = strlen(tag);
    if (n + (n > 0) + m + 1 > sizeof tags->s)
        return;
    if (n > 0)
        tags->s[n++] = ' ';
    memcpy(tags->s + n, tag, m + 1);
}

bool
gen_tags_has(const gen_tags_t *tags, const char *tag)
{
    size_t m = strlen(tag);
    for (const char *p = tags->s; (p = strstr(p, tag)) != NULL; p += m)
        if ((p == tags->s || p[-1] == ' ') && (p[m] == ' ' || p[m] == '\0'))
            return true;
    return false;
}

void
gen_truth_init(gen_truth_t *truth)
{
    static const char *const cols[] = { "person_id", "source", "source_key", "file", "row",
                                        "tags" };
    gen_table_init(&truth->table, ',', true, "\n");
    gen_table_header(&truth->table, cols, sizeof cols / sizeof cols[0]);
    truth->cap = 1024;
    truth->used = 0;
    truth->slot = gen_xcalloc(truth->cap, sizeof *truth->slot);
}

void
gen_truth_fini(gen_truth_t *truth)
{
    gen_table_fini(&truth->table);
    for (size_t i = 0; i < truth->cap; i++)
        free(truth->slot[i].text);
    free(truth->slot);
    truth->slot = NULL;
    truth->cap = truth->used = 0;
}

static uint64_t
s_hash(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);   /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char) *s) * UINT64_C(0x100000001b3);
    return h;
}

/* The slot of text (file + 0x1f + key), made when missing. */
static gen_truth_slot_t *
s_slot(gen_truth_t *truth, const char *text)
{
    if (2 * (truth->used + 1) > truth->cap) {
        size_t cap = truth->cap * 2;
        gen_truth_slot_t *slot = gen_xcalloc(cap, sizeof *slot);
        for (size_t i = 0; i < truth->cap; i++) {
            if (!truth->slot[i].text)
                continue;
            size_t k = (size_t) (s_hash(truth->slot[i].text) & (cap - 1));
            while (slot[k].text)
                k = (k + 1) & (cap - 1);
            slot[k] = truth->slot[i];
        }
        free(truth->slot);
        truth->slot = slot;
        truth->cap = cap;
    }
    size_t k = (size_t) (s_hash(text) & (truth->cap - 1));
    while (truth->slot[k].text && strcmp(truth->slot[k].text, text) != 0)
        k = (k + 1) & (truth->cap - 1);
    if (!truth->slot[k].text) {
        size_t n = strlen(text) + 1;
        truth->slot[k].text = gen_xmalloc(n);
        memcpy(truth->slot[k].text, text, n);
        truth->slot[k].count = 0;
        truth->used++;
    }
    return &truth->slot[k];
}

static void
s_truth_row(gen_truth_t *truth, const char *person_id, const char *source, const char *key,
            const char *file, size_t row, const gen_tags_t *tags)
{
    char rowtext[32];
    snprintf(rowtext, sizeof rowtext, "%zu", row);
    gen_table_cell(&truth->table, person_id);
    gen_table_cell(&truth->table, source);
    gen_table_cell(&truth->table, key);
    gen_table_cell(&truth->table, file);
    gen_table_cell(&truth->table, rowtext);
    gen_table_cell(&truth->table, tags ? tags->s : "");
    gen_table_end_row(&truth->table);
}

void
gen_truth_add(gen_truth_t *truth, const char *person_id, const char *source,
              const char *source_key, const char *file, size_t row, const gen_tags_t *tags)
{
    s_truth_row(truth, person_id, source, source_key, file, row, tags);
}

void
gen_truth_add_derived(gen_truth_t *truth, const char *person_id, const char *source,
                      const char *source_key, const char *file, size_t row,
                      const gen_tags_t *tags)
{
    size_t n = strlen(file) + strlen(source_key) + 2;
    char *text = gen_xmalloc(n);
    snprintf(text, n, "%s\x1f%s", file, source_key);
    unsigned seen = ++s_slot(truth, text)->count;
    free(text);
    char key[512];
    if (seen > 1)
        snprintf(key, sizeof key, "%s~%u", source_key, seen);
    else
        snprintf(key, sizeof key, "%s", source_key);
    s_truth_row(truth, person_id, source, key, file, row, tags);
}

int
gen_truth_write(const gen_truth_t *truth, const char *dir, char *err, size_t errlen)
{
    return gen_file_write(dir, GEN_TRUTH_FILE, &truth->table.buf, NULL, err, errlen);
}
