/* audit.c: the hash-chained audit log (see audit.h). */
#include "audit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void
audit_hash(const audit_row_t *e, uint8_t out[32])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    crypto_generichash_update(&h, e->prev_hash, 32);
    char at[32];
    snprintf(at, sizeof at, "%lld", (long long)e->at_ms);
    const char *parts[] = {at, e->principal, e->role, e->purpose, e->kind, e->args, e->residents, e->outcome};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        const char *p = parts[i] ? parts[i] : "";
        crypto_generichash_update(&h, (const unsigned char *)p, strlen(p) + 1);   /* with its NUL: unambiguous */
    }
    crypto_generichash_final(&h, out, 32);
}

hub_err_t
audit_append(store_t *writer, audit_row_t *e)
{
    bool found;
    hub_err_t err = store_begin(writer);
    if (err == HUB_OK)
        err = store_audit_last(writer, e->prev_hash, &found);
    if (err == HUB_OK) {
        if (!found)
            memset(e->prev_hash, 0, 32);
        audit_hash(e, e->hash);
        err = store_audit_put(writer, e);
    }
    if (err == HUB_OK)
        err = store_commit(writer);
    if (err != HUB_OK)
        store_rollback(writer);
    return err;
}

typedef struct {
    uint8_t prev[32];
    int64_t checked, first_bad;
} verify_t;

static void
s_check(void *ctx, const audit_row_t *a)
{
    verify_t *v = ctx;
    v->checked++;
    if (v->first_bad)
        return;
    audit_row_t e = *a;
    memcpy(e.prev_hash, v->prev, 32);
    uint8_t h[32];
    audit_hash(&e, h);
    if (memcmp(a->prev_hash, v->prev, 32) != 0 || memcmp(a->hash, h, 32) != 0)
        v->first_bad = a->id;
    memcpy(v->prev, a->hash, 32);
}

hub_err_t
audit_verify(store_t *store, int64_t *checked, int64_t *first_bad)
{
    verify_t v = {0};
    hub_err_t err = store_audit_each(store, s_check, &v);
    *checked = v.checked;
    *first_bad = v.first_bad;
    return err;
}
