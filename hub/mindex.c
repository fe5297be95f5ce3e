/* mindex.c: the matching index in memory (see mindex.h). */
#include "mindex.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

typedef struct {
    uint8_t *data;          /* NULL: no record under this id */
    uint32_t len;
    uint32_t gen;           /* of its latest put: older key entries are stale */
} slot_t;

typedef struct {
    uint32_t id, gen;
    uint32_t next;          /* index + 1 of the next entry under the same key; 0 ends */
} entry_t;

typedef struct {
    uint64_t hash;          /* 0: empty */
    uint32_t head;          /* index + 1 of the newest entry */
} bucket_t;

typedef struct {
    uint32_t id;
    uint32_t len, gen;
    uint8_t *data;          /* what the slot held before (owned here until commit) */
} undo_t;

struct mindex {
    slot_t *slots;
    size_t nslots;
    size_t records, blob_bytes;
    entry_t *entries;
    size_t nentries, capentries;
    bucket_t *buckets;
    size_t nbuckets, used;  /* nbuckets a power of two */
    uint32_t gen;
    undo_t *undo;
    size_t nundo, capundo;
};

static const unsigned char s_hash_key[crypto_shorthash_KEYBYTES] = "hub matching idx";

static uint64_t
s_hash(const char *key)
{
    uint64_t h;
    crypto_shorthash((unsigned char *)&h, (const unsigned char *)key, strlen(key), s_hash_key);
    return h ? h : 1;
}

mindex_t *
mindex_new(void)
{
    if (sodium_init() < 0)
        abort();
    return HUB_CHECK_ALLOC(calloc(1, sizeof(mindex_t)));
}

static void
s_free_contents(mindex_t *self)
{
    for (size_t i = 0; i < self->nslots; i++)
        free(self->slots[i].data);
    for (size_t i = 0; i < self->nundo; i++)
        free(self->undo[i].data);
    free(self->slots);
    free(self->entries);
    free(self->buckets);
    free(self->undo);
}

void
mindex_destroy(mindex_t **self_p)
{
    if (*self_p) {
        s_free_contents(*self_p);
        free(*self_p);
    }
    *self_p = NULL;
}

static bucket_t *
s_bucket(const mindex_t *self, uint64_t hash)
{
    if (!self->nbuckets)
        return NULL;
    size_t mask = self->nbuckets - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask)
        if (self->buckets[i].hash == hash || self->buckets[i].hash == 0)
            return &self->buckets[i];
}

static void
s_grow_buckets(mindex_t *self)
{
    bucket_t *old = self->buckets;
    size_t n = self->nbuckets;
    self->nbuckets = n ? n * 2 : 1 << 16;
    self->buckets = HUB_CHECK_ALLOC(calloc(self->nbuckets, sizeof *self->buckets));
    for (size_t i = 0; i < n; i++)
        if (old[i].hash)
            *s_bucket(self, old[i].hash) = old[i];
    free(old);
}

static void
s_add_entry(mindex_t *self, const char *key, uint32_t id, uint32_t gen)
{
    if ((self->used + 1) * 2 > self->nbuckets)
        s_grow_buckets(self);
    uint64_t h = s_hash(key);
    bucket_t *b = s_bucket(self, h);
    if (!b->hash) {
        b->hash = h;
        self->used++;
    }
    if (self->nentries == self->capentries) {
        self->capentries = self->capentries ? self->capentries * 2 : 1 << 16;
        self->entries = HUB_CHECK_ALLOC(realloc(self->entries, self->capentries * sizeof *self->entries));
    }
    self->entries[self->nentries] = (entry_t){.id = id, .gen = gen, .next = b->head};
    b->head = (uint32_t)++self->nentries;
}

/* Set slot id to (data, len, gen), keeping what it held for an undo. */
static void
s_set(mindex_t *self, uint32_t id, uint8_t *data, uint32_t len, uint32_t gen)
{
    if (id >= self->nslots) {
        size_t n = self->nslots ? self->nslots : 1 << 16;
        while (n <= id)
            n *= 2;
        self->slots = HUB_CHECK_ALLOC(realloc(self->slots, n * sizeof *self->slots));
        memset(self->slots + self->nslots, 0, (n - self->nslots) * sizeof *self->slots);
        self->nslots = n;
    }
    slot_t *s = &self->slots[id];
    if (self->nundo == self->capundo) {
        self->capundo = self->capundo ? self->capundo * 2 : 1024;
        self->undo = HUB_CHECK_ALLOC(realloc(self->undo, self->capundo * sizeof *self->undo));
    }
    self->undo[self->nundo++] = (undo_t){.id = id, .len = s->len, .gen = s->gen, .data = s->data};
    self->records += (data != NULL) - (s->data != NULL);
    self->blob_bytes += len;
    self->blob_bytes -= s->data ? s->len : 0;
    *s = (slot_t){.data = data, .len = len, .gen = gen};
}

void
mindex_put(mindex_t *self, int64_t id, const void *data, size_t len, const char *const *keys, size_t nkeys)
{
    if (id <= 0 || id > UINT32_MAX)
        abort();   /* the registry holds fewer than four thousand million records */
    uint8_t *copy = HUB_CHECK_ALLOC(malloc(len ? len : 1));
    memcpy(copy, data, len);
    uint32_t gen = ++self->gen;
    s_set(self, (uint32_t)id, copy, (uint32_t)len, gen);
    for (size_t k = 0; k < nkeys; k++)
        s_add_entry(self, keys[k], (uint32_t)id, gen);
}

void
mindex_drop(mindex_t *self, int64_t id)
{
    if (id > 0 && (uint64_t)id < self->nslots && self->slots[id].data)
        s_set(self, (uint32_t)id, NULL, 0, 0);
}

bool
mindex_get(const mindex_t *self, int64_t id, const void **data, size_t *len)
{
    if (id <= 0 || (uint64_t)id >= self->nslots || !self->slots[id].data)
        return false;
    *data = self->slots[id].data;
    *len = self->slots[id].len;
    return true;
}

static int
s_cmp_ids(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

size_t
mindex_lookup(const mindex_t *self, const char *key, int64_t **out)
{
    *out = NULL;
    const bucket_t *b = s_bucket(self, s_hash(key));
    if (!b || !b->hash)
        return 0;
    size_t n = 0, cap = 64;
    int64_t *all = HUB_CHECK_ALLOC(malloc(cap * sizeof *all));
    for (uint32_t e = b->head; e; e = self->entries[e - 1].next) {
        const entry_t *x = &self->entries[e - 1];
        const slot_t *s = &self->slots[x->id];
        if (!s->data || s->gen != x->gen)
            continue;   /* dropped, or put again under other keys */
        if (n == cap)
            all = HUB_CHECK_ALLOC(realloc(all, (cap *= 2) * sizeof *all));
        all[n++] = x->id;
    }
    qsort(all, n, sizeof *all, s_cmp_ids);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || all[k - 1] != all[i])
            all[k++] = all[i];
    *out = all;
    return k;
}

size_t
mindex_block(const mindex_t *self, const char *key, size_t limit, int64_t *out, size_t cap)
{
    int64_t *all;
    size_t n = mindex_lookup(self, key, &all), k = 0;
    for (; k < n && k < limit && k < cap; k++)
        out[k] = all[k];
    free(all);
    return k;
}

void
mindex_commit(mindex_t *self)
{
    for (size_t i = 0; i < self->nundo; i++)
        free(self->undo[i].data);
    self->nundo = 0;
}

void
mindex_rollback(mindex_t *self)
{
    while (self->nundo) {
        undo_t *u = &self->undo[--self->nundo];
        slot_t *s = &self->slots[u->id];
        self->records += (u->data != NULL) - (s->data != NULL);
        self->blob_bytes += u->data ? u->len : 0;
        self->blob_bytes -= s->data ? s->len : 0;
        free(s->data);
        *s = (slot_t){.data = u->data, .len = u->len, .gen = u->gen};
    }
}

size_t
mindex_records(const mindex_t *self)
{
    return self->records;
}

size_t
mindex_bytes(const mindex_t *self)
{
    return self->blob_bytes + self->records * 16 /* malloc's own per blob */ + self->nslots * sizeof(slot_t)
           + self->capentries * sizeof(entry_t) + self->nbuckets * sizeof(bucket_t);
}
