/* err.c: text for the hub's error codes (see err.h). */
#include "err.h"

#include <stdio.h>
#include <stdlib.h>

static const char *s_text[] = {
#define X(name, text) text,
    HUB_ERRORS(X)
#undef X
};

static const char *s_name[] = {
#define X(name, text) #name,
    HUB_ERRORS(X)
#undef X
};

const char *
hub_strerror(int err)
{
    if (err < 0 || err >= HUB_ERR_COUNT)
        return "unknown error";
    return s_text[err];
}

const char *
hub_errname(int err)
{
    if (err < 0 || err >= HUB_ERR_COUNT)
        return "EUNKNOWN";
    return s_name[err];
}

void *
hub_alloc_check(void *p, const char *file, int line)
{
    if (p == NULL) {
        fprintf(stderr, "out of memory at %s:%d\n", file, line);
        abort();
    }
    return p;
}
