/*
** auth.h: who may connect and as whom. CURVE keys of the hub and of its
** principals, the allow-list DIR/principals ("name role public-key" per
** line), and the ZAP handler that admits only listed keys, per socket
** domain ("ingest": adapters; "query": readers; "events": any principal).
** Roles: `adapter:DEPT` writes DEPT's records (DEPT: police,
** familyplanning, labour, civilaffairs) and cannot query;
** `department:DEPT` reads every resident and DEPT's sensitive fields;
** `committee:CODE` reads the residents of one community (12-digit code),
** numbers masked, no sensitive fields; `street:NAME` the same for every
** community of a street; `operator` statistics, review and quarantine;
** `admin` manages principals (and may read everything).
** The file is read again whenever it changes (add and revoke take effect
** without a restart); a revoked line is kept as a comment.
*/
#ifndef HUB_AUTH_H
#define HUB_AUTH_H

#include <stdbool.h>
#include "err.h"
#include "keys.h"

typedef enum { ROLE_ADAPTER, ROLE_DEPARTMENT, ROLE_COMMITTEE, ROLE_STREET, ROLE_OPERATOR, ROLE_ADMIN } role_kind_t;

typedef struct {
    char name[64];
    char role[96];
    role_kind_t kind;
    int department;        /* adapter: the department it writes; department: the one it is */
    char scope[64];        /* committee: community code; street: street name */
    char public_[KEY_Z85_LEN + 1];
} principal_t;

typedef struct auth auth_t;

/* On first start make DIR/keys (the hub's pair and one per local principal:
** the four adapters and `admin`) and DIR/principals; then load the list and
** bind the ZAP handler in zctx. Must run before any CURVE socket binds. */
auth_t *auth_new(void *zctx, const char *home, char *errbuf, size_t errcap);
void auth_destroy(auth_t **self_p);

/* The hub's own key pair (server side of CURVE). */
const keypair_t *auth_server_keys(const auth_t *self);

/* The ZAP socket, for the server's poll loop; auth_handle_zap answers one
** request waiting on it (never blocks when polled readable). */
void *auth_zap_socket(auth_t *self);
void auth_handle_zap(auth_t *self);

/* A principal by name, copied into out; false when none (re-reads the
** file when it changed). Safe from any thread, as are add, revoke and list. */
bool auth_find(auth_t *self, const char *name, principal_t *out);

/* Add a principal (a new line in the file) or revoke one (its line becomes
** a comment). On failure errbuf says why in plain words. */
hub_err_t auth_add(auth_t *self, const char *name, const char *role, const char *public_key, const char *by,
                   char *errbuf, size_t errcap);
hub_err_t auth_revoke(auth_t *self, const char *name, const char *by, char *errbuf, size_t errcap);
/* The principals, one "name role" line each, into a malloc'd string. */
char *auth_list(auth_t *self);

/* Parse a role ("committee:350802001002") into p; false with why. */
bool auth_parse_role(const char *role, principal_t *p, const char **why);

/* The department code of an adapter role name ("police" -> 1), 0 if none. */
int auth_department_code(const char *name);

#endif
