/*
** keys.h: CURVE key pairs on disk, shared by hubd, hubctl and adapters.
** A key file holds `public = Z85` and, for a secret key file, `secret = Z85`
** (40 characters each, ZeroMQ's Z85 text form); `#` starts a comment.
*/
#ifndef HUB_KEYS_H
#define HUB_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include "err.h"

#define KEY_Z85_LEN 40

typedef struct {
    char public_[KEY_Z85_LEN + 1];
    char secret[KEY_Z85_LEN + 1];   /* "" when only the public half is known */
} keypair_t;

/* Make a fresh key pair (zmq_curve_keypair). */
hub_err_t keys_generate(keypair_t *kp);

/* Write kp to path: with the secret half (mode 0600) when with_secret,
** else the public half only (mode 0644). Fails if path exists. */
hub_err_t keys_save(const keypair_t *kp, const char *path, const char *comment, bool with_secret);

/* Read a key file. want_secret: fail unless a secret is present.
** On failure errbuf says which file and why. */
hub_err_t keys_load(const char *path, keypair_t *kp, bool want_secret, char *errbuf, size_t errcap);

#endif
