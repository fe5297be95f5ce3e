/*
** keyset.h: the record keys seen in one export file whose keys are derived
** from its values (civil affairs' roster, adp_set_derived_keys), so that two
** of its rows are never taken as one record. A derived key is meant to tell
** the rows apart, but real exports break that: a clerk enters one person
** twice, two members of a household share a name and the head's number. The
** hub would take the later row as a new version of the earlier one and the
** earlier would vanish from the registry. So the adapter core sends the
** second row holding a key under KEY~2, the third under KEY~3, in file
** order, and reports each. (A department's own key again in one file is the
** same record again: a later version, kept as such.)
**
** Keys are held as 64-bit hashes (FNV-1a) with the row that first held
** them: about 16 bytes a row, so a file of a million rows costs ~32 MiB.
*/
#ifndef ADP_KEYSET_H
#define ADP_KEYSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    struct keyset_slot *slots;
    size_t cap, count;
} adp_keyset_t;

/* Forget every key (a new file begins); keeps the memory. */
void adp_keyset_clear(adp_keyset_t *ks);
void adp_keyset_fini(adp_keyset_t *ks);

/* Note that data row `row` holds key. Returns which occurrence of the key
** in this file the row is: 1 for the first, n >= 2 for a later one; the
** first row that held it goes to *first_row. */
uint32_t adp_keyset_add(adp_keyset_t *ks, const char *key, uint32_t row, uint32_t *first_row);

#endif
