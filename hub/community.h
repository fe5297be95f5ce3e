/*
** community.h: the district's communities, and their names in every form
** the departments write them (北龙社区, 北龙, 北龙社区居委会, 东城街道北龙社区,
** with stray spaces or full-width forms) mapped to the 12-digit code of
** deploy/communities.csv. The list is built into the programs from that file
** at build time; --communities FILE reads another at run time.
** Shared by the adapters (names to codes) and the hub (a street's
** communities, for access scopes).
*/
#ifndef ADP_COMMUNITY_H
#define ADP_COMMUNITY_H

#include <stddef.h>

typedef struct adp_communities adp_communities_t;

/* Load the list from path (UTF-8, header 社区代码,社区名称,街道,类型), or the
** built-in one when path is NULL. NULL with a reason when unreadable. */
adp_communities_t *adp_communities_load(const char *path, char *errbuf, size_t errcap);
void adp_communities_destroy(adp_communities_t **self_p);

/* The code of the community raw names, or NULL when none matches. */
const char *adp_community_code(const adp_communities_t *self, const char *raw);

/* Name and street of a code, or NULL. */
const char *adp_community_name(const adp_communities_t *self, const char *code);
const char *adp_community_street(const adp_communities_t *self, const char *code);

size_t adp_communities_count(const adp_communities_t *self);
/* The i-th community's code (0 <= i < count). */
const char *adp_community_code_at(const adp_communities_t *self, size_t i);

#endif
