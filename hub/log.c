/* log.c: JSON-lines log sink (see log.h). */
#define _POSIX_C_SOURCE 200809L
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int s_fd = -1;
static char s_path[1024];
static log_sink_fn s_sink;
static void *s_sink_ctx;
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;   /* lines whole, the sink one at a time */
static _Thread_local bool s_in_sink;   /* a sink that logs does not come back here */
static log_level_t s_level = LOG_INFO;
static log_level_t s_stderr_max = LOG_NOTICE;

static const char *s_names[] = {"error", "warn", "notice", "info", "debug"};

int
log_open(const char *path, log_level_t level, log_level_t stderr_max)
{
    log_close();
    s_level = level;
    s_stderr_max = stderr_max;
    snprintf(s_path, sizeof s_path, "%s", path ? path : "");
    if (path) {
        s_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (s_fd < 0)
            return -1;
    }
    return 0;
}

void
log_close(void)
{
    if (s_fd >= 0)
        close(s_fd);
    s_fd = -1;
}

int
log_reopen(void)
{
    if (!*s_path)
        return 0;
    int fd = open(s_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return -1;   /* keep writing to the old one */
    pthread_mutex_lock(&s_lock);
    if (s_fd >= 0)
        close(s_fd);
    s_fd = fd;
    pthread_mutex_unlock(&s_lock);
    return 0;
}

void
log_set_sink(log_sink_fn fn, void *ctx)
{
    pthread_mutex_lock(&s_lock);
    s_sink = fn;
    s_sink_ctx = ctx;
    pthread_mutex_unlock(&s_lock);
}

void
log_set_level(log_level_t level)
{
    s_level = level;
}

bool
log_enabled(log_level_t level)
{
    return level <= s_level || level <= s_stderr_max;
}

bool
log_level_parse(const char *name, log_level_t *out)
{
    for (int i = 0; i <= LOG_DEBUG; i++)
        if (strcmp(name, s_names[i]) == 0) {
            *out = (log_level_t)i;
            return true;
        }
    return false;
}

typedef struct {
    char buf[4096];
    size_t len;
} line_t;

static void
s_put(line_t *l, const char *s, size_t n)
{
    if (l->len + n >= sizeof l->buf - 2)
        n = sizeof l->buf - 2 - l->len;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void
s_putf(line_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
s_putf(line_t *l, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        s_put(l, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A JSON string; bytes >= 0x80 pass through (the log is UTF-8). */
static void
s_put_json(line_t *l, const char *s)
{
    s_put(l, "\"", 1);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            s_put(l, esc, 2);
        } else if (c < 0x20) {
            s_putf(l, "\\u%04x", c);
        } else {
            s_put(l, (const char *)&c, 1);
        }
    }
    s_put(l, "\"", 1);
}

void
log_write(log_level_t level, const char *msgid, const log_kv_t *facts)
{
    line_t l = {.len = 0};
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    s_putf(&l, "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\",\"level\":\"%s\",\"msgid\":",
           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
           tm.tm_sec, ts.tv_nsec / 1000000, s_names[level]);
    s_put_json(&l, msgid);
    for (const log_kv_t *f = facts; f && f->type != LOG_KV_END; f++) {
        s_put(&l, ",", 1);
        s_put_json(&l, f->key);
        s_put(&l, ":", 1);
        switch (f->type) {
        case LOG_KV_STR: s_put_json(&l, f->s ? f->s : ""); break;
        case LOG_KV_INT: s_putf(&l, "%lld", f->i); break;
        case LOG_KV_REAL: s_putf(&l, "%.3f", f->d); break;
        case LOG_KV_END: break;
        }
    }
    s_put(&l, "}\n", 2);
    bool nested = s_in_sink;   /* this thread holds the lock already */
    if (!nested)
        pthread_mutex_lock(&s_lock);
    if (level <= s_level && s_fd >= 0) {
        ssize_t rc = write(s_fd, l.buf, l.len);
        (void)rc;
    }
    if (level <= s_stderr_max) {
        ssize_t rc = write(STDERR_FILENO, l.buf, l.len);
        (void)rc;
    }
    if (level <= s_level && s_sink && !nested) {
        s_in_sink = true;
        s_sink(s_sink_ctx, level, msgid, l.buf, l.len);
        s_in_sink = false;
    }
    if (!nested)
        pthread_mutex_unlock(&s_lock);
}
