/*
** auth.h: who may connect and as whom. CURVE keys of the hub and of its
** principals, the allow-list DIR/principals ("name role public-key" per
** line), and the ZAP handler that admits only listed keys, per socket
** domain ("ingest": adapters; "query": readers; "events": any principal).
** Roles today: `adapter:DEPARTMENT` (police, familyplanning, labour,
** civilaffairs) and `admin`; the access-control work adds reader roles.
*/
#ifndef HUB_AUTH_H
#define HUB_AUTH_H

#include "err.h"
#include "keys.h"

typedef struct {
    char name[64];
    char role[64];
    int department;        /* hub department code for adapters, else 0 */
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

/* A principal by name, or NULL. */
const principal_t *auth_find(const auth_t *self, const char *name);

/* The department code of an adapter role name ("police" -> 1), 0 if none. */
int auth_department_code(const char *name);

#endif
