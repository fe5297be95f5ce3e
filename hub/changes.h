/*
** changes.h: what changed between two versions of a department's record,
** as change events (the change feed's content, hub/store.c keeps them with
** a gap-free sequence in the transaction that stored the record).
**
** A new version of a record (same source and key, new content) is compared
** field by field with the version it replaces; a record the hub had not
** seen is compared with nothing. Each field that differs gives one change
** of a kind:
**   life.changed         police 人员状态 (死亡, 迁出, 注销; back to 正常)
**   household.changed    police 户号
**   community.moved      police 所属社区 (the registered community)
**   employment.changed   labour 就业状态
**   entitlement.started  civil affairs: a category becomes 在保
**   entitlement.suspended                                暂停
**   entitlement.ended                                    停保
**   entitlement.changed  civil affairs: the amount or people covered
**   facility.changed     any field of a facility
**   field.changed        any other field
** A record the hub had not seen gives only what its values start: a first
** 在保 or other status of an entitlement, an employment status, a police
** status other than 正常, a facility (its name); its ordinary fields are
** not listed (a new resident is the feed's resident.created, store.c).
** Values are the hub's normal forms; a sensitive field (facts.h) is marked
** so the feed gives it to its own department only. Pure: no I/O.
*/
#ifndef HUB_CHANGES_H
#define HUB_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include "record.h"

#define CHANGE_VALUE_MAX 200
#define CHANGES_MAX 48

typedef struct {
    const char *kind;                 /* "field.changed", "life.changed", ... */
    const char *field;                /* the payload's field, as in proto/hub.proto */
    char old_value[CHANGE_VALUE_MAX];  /* "" when none */
    char new_value[CHANGE_VALUE_MAX];
    bool sensitive;
} change_t;

/* The changes from old (NULL: a record not seen before) to new, at most
** cap, in the order of the payload's fields; returns how many. */
size_t changes_diff(const facts_t *old, const facts_t *new_, change_t *out, size_t cap);

#endif
