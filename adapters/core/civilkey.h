/*
** civilkey.h: the civil-affairs roster has no record key (序号 is only the
** row number of one export), so the adapter derives one that stays the same
** from one monthly export to the next:
**
**   key = "MZ-" + 16 hex digits of BLAKE2b-64 over
**         "id:" + the canonical identity number + "|" + name  (when it is valid)
**         "nm:" + name + "|" + community + "|" + address      (otherwise)
**         then "|" + category (类别)
**
** where name is folded by norm_name (simplified script, half-width, no
** spaces), address and category are tidied by norm_key (norm_text with every
** space removed), and community is the community's code when it maps, else
** its tidied text. One person has one record per category. The name is in
** the key also beside a valid number because a roster is kept per
** household: a spouse's or child's row often carries the head's number, and
** each is a person of their own. Two rows of one file that still derive one
** key are kept apart by the adapter core (adapter.h: a suffix ~2, ~3, ...).
** The generator uses the same function for its ground truth.
*/
#ifndef ADP_CIVILKEY_H
#define ADP_CIVILKEY_H

#include <stdbool.h>

#define ADP_CIVIL_KEY_SIZE 20

/* community_code may be NULL (then community_raw is used). */
void adp_civil_key(const char *idno_raw, const char *name, const char *community_code,
                   const char *community_raw, const char *address, const char *category,
                   char out[ADP_CIVIL_KEY_SIZE]);

/* Whether the valid number on a roster row is evidently someone else's:
** its gender digit is not the row's 性别, or its birth year is more than two
** years from what the row's 年龄 says at the roster's year (the head's
** number on a son's or a wife's row). Such a row is keyed as one without a
** number (pass NULL to adp_civil_key), so that a father and a son of one
** name, both on the father's number, keep their own keys from month to
** month whatever the rows' order. The hub applies the same test
** (match_idno_foreign). False when the number is not valid. */
bool adp_civil_number_theirs(const char *idno_raw, const char *gender_raw, const char *age_raw, int year);

#endif
