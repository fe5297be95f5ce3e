/*
** log.h: operators' log, one JSON object per line:
**   {"ts":"2026-11-27T04:31:02.123Z","level":"info","msgid":"HUB-COMMIT","records":500}
** Facts are counts, ids and reasons, never names, identity numbers or
** addresses. The level is checked before any argument is formatted.
** A leaf module: anyone may call it. Not thread-safe beyond one line per
** write(2), which POSIX keeps whole for appends of modest size.
*/
#ifndef HUB_LOG_H
#define HUB_LOG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { LOG_ERROR, LOG_WARN, LOG_NOTICE, LOG_INFO, LOG_DEBUG } log_level_t;

typedef enum { LOG_KV_END, LOG_KV_STR, LOG_KV_INT, LOG_KV_REAL } log_kv_type_t;

typedef struct {
    log_kv_type_t type;
    const char *key;
    const char *s;
    long long i;
    double d;
} log_kv_t;

#define LOG_S(k, v) ((log_kv_t){LOG_KV_STR, (k), (v), 0, 0})
#define LOG_I(k, v) ((log_kv_t){LOG_KV_INT, (k), NULL, (long long)(v), 0})
#define LOG_R(k, v) ((log_kv_t){LOG_KV_REAL, (k), NULL, 0, (double)(v)})
#define LOG_END     ((log_kv_t){LOG_KV_END, NULL, NULL, 0, 0})

/* Send lines to the file at path (appended; NULL = none) and, for levels up
** to stderr_max, to standard error. Returns 0, or -1 with errno set. */
int log_open(const char *path, log_level_t level, log_level_t stderr_max);
void log_close(void);
/* Open the file again under its name (after logrotate moved it: SIGHUP).
** Returns 0, or -1 with errno set (the old file stays in use). */
int log_reopen(void);
/* Every line written to the file is also given to fn (the hub publishes
** it for `hubctl tail`); NULL stops it. */
typedef void (*log_sink_fn)(void *ctx, int level, const char *msgid, const char *line, size_t len);
void log_set_sink(log_sink_fn fn, void *ctx);
void log_set_level(log_level_t level);
bool log_enabled(log_level_t level);
/* Parses "error", "warn", ...; returns false for an unknown name. */
bool log_level_parse(const char *name, log_level_t *out);

void log_write(log_level_t level, const char *msgid, const log_kv_t *facts);

#define LOG_AT(level, msgid, ...)                                            \
    do {                                                                     \
        if (log_enabled(level))                                              \
            log_write((level), (msgid), (const log_kv_t[]){__VA_ARGS__, LOG_END}); \
    } while (0)
#define log_error(msgid, ...)  LOG_AT(LOG_ERROR, msgid, __VA_ARGS__)
#define log_warn(msgid, ...)   LOG_AT(LOG_WARN, msgid, __VA_ARGS__)
#define log_notice(msgid, ...) LOG_AT(LOG_NOTICE, msgid, __VA_ARGS__)
#define log_info(msgid, ...)   LOG_AT(LOG_INFO, msgid, __VA_ARGS__)
#define log_debug(msgid, ...)  LOG_AT(LOG_DEBUG, msgid, __VA_ARGS__)

#endif
