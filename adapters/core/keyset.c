/* keyset.c: the record keys seen in one export file (see keyset.h). */
#include "keyset.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

struct keyset_slot {
    uint64_t hash;   /* 0: empty */
    uint32_t first_row, count;
};

static uint64_t
s_hash(const char *key)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * UINT64_C(1099511628211);
    return h ? h : 1;
}

void
adp_keyset_clear(adp_keyset_t *ks)
{
    if (ks->slots)
        memset(ks->slots, 0, ks->cap * sizeof *ks->slots);
    ks->count = 0;
}

void
adp_keyset_fini(adp_keyset_t *ks)
{
    free(ks->slots);
    memset(ks, 0, sizeof *ks);
}

static struct keyset_slot *
s_slot(struct keyset_slot *slots, size_t cap, uint64_t hash)
{
    size_t i = (size_t)hash & (cap - 1);
    while (slots[i].hash && slots[i].hash != hash)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

uint32_t
adp_keyset_add(adp_keyset_t *ks, const char *key, uint32_t row, uint32_t *first_row)
{
    if (2 * (ks->count + 1) > ks->cap) {   /* at most half full */
        size_t cap = ks->cap ? 2 * ks->cap : 1024;
        struct keyset_slot *slots = HUB_CHECK_ALLOC(calloc(cap, sizeof *slots));
        for (size_t i = 0; i < ks->cap; i++)
            if (ks->slots[i].hash)
                *s_slot(slots, cap, ks->slots[i].hash) = ks->slots[i];
        free(ks->slots);
        ks->slots = slots;
        ks->cap = cap;
    }
    uint64_t h = s_hash(key);
    struct keyset_slot *s = s_slot(ks->slots, ks->cap, h);
    if (!s->hash) {
        *s = (struct keyset_slot){.hash = h, .first_row = row, .count = 1};
        ks->count++;
        *first_row = row;
        return 1;
    }
    *first_row = s->first_row;
    return ++s->count;
}
