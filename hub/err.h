/*
** err.h: the hub's error codes, one X-macro table for the enum and its text.
** The numeric values travel on the wire (Ack.reason_code, Answer.status):
** append new codes at the end, never reorder.
*/
#ifndef HUB_ERR_H
#define HUB_ERR_H

#define HUB_ERRORS(X)                                                        \
    X(OK,        "success")                                                  \
    X(EPROTO,    "malformed or unknown message")                             \
    X(EINVAL,    "record failed validation")                                 \
    X(EDENIED,   "principal may not do this")                                \
    X(EBUSY,     "registry busy, retry later")                               \
    X(EDB,       "registry database error")                                  \
    X(ETOOBIG,   "message larger than the configured limit")                 \
    X(EVERSION,  "unsupported schema version")                               \
    X(ENOTFOUND, "not found")                                                \
    X(EIO,       "input/output error")                                       \
    X(ECONFIG,   "bad configuration")                                        \
    X(ENOMEM,    "out of memory")                                            \
    X(ETIMEOUT,  "timed out")                                                \
    X(ESEQ,      "sequence number already used for another message")         \
    X(EFULL,     "registry disk full, retry later")

typedef enum {
#define X(name, text) HUB_##name,
    HUB_ERRORS(X)
#undef X
    HUB_ERR_COUNT
} hub_err_t;

/* Plain-words text for a code; never NULL, also for unknown values. */
const char *hub_strerror(int err);

/* The code's short name ("EPROTO"), for logs and machine-readable output. */
const char *hub_errname(int err);

/* Abort with file:line when an allocation fails (out of memory is fatal). */
void *hub_alloc_check(void *p, const char *file, int line);
#define HUB_CHECK_ALLOC(p) hub_alloc_check((p), __FILE__, __LINE__)

#endif
