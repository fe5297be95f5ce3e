/* keys.c: CURVE key files (see keys.h). The only file that writes keys. */
#define _POSIX_C_SOURCE 200809L
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

hub_err_t
keys_generate(keypair_t *kp)
{
    memset(kp, 0, sizeof *kp);
    return zmq_curve_keypair(kp->public_, kp->secret) == 0 ? HUB_OK : HUB_EIO;
}

hub_err_t
keys_save(const keypair_t *kp, const char *path, const char *comment, bool with_secret)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, with_secret ? 0600 : 0644);
    if (fd < 0)
        return HUB_EIO;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return HUB_EIO;
    }
    fprintf(f, "# %s\n", comment);
    if (with_secret)
        fprintf(f, "# keep this file secret: it is this principal's identity\n");
    fprintf(f, "public = %s\n", kp->public_);
    if (with_secret)
        fprintf(f, "secret = %s\n", kp->secret);
    int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    return bad ? HUB_EIO : HUB_OK;
}

static bool
s_z85_ok(const char *s)
{
    if (strlen(s) != KEY_Z85_LEN)
        return false;
    uint8_t bin[32];
    return zmq_z85_decode(bin, s) != NULL;
}

hub_err_t
keys_load(const char *path, keypair_t *kp, bool want_secret, char *errbuf, size_t errcap)
{
    memset(kp, 0, sizeof *kp);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errbuf, errcap, "%s: cannot read key file: %s", path, strerror(errno));
        return HUB_EIO;
    }
    char line[256];
    int lineno = 0;
    hub_err_t rc = HUB_OK;
    while (rc == HUB_OK && fgets(line, sizeof line, f)) {
        lineno++;
        char name[16], value[64];
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, " %15[a-z] = %63s", name, value) != 2 || !s_z85_ok(value)) {
            snprintf(errbuf, errcap, "%s:%d: expected `public = KEY` or `secret = KEY` (40 Z85 characters)",
                     path, lineno);
            rc = HUB_ECONFIG;
        } else if (strcmp(name, "public") == 0) {
            memcpy(kp->public_, value, KEY_Z85_LEN + 1);
        } else if (strcmp(name, "secret") == 0) {
            memcpy(kp->secret, value, KEY_Z85_LEN + 1);
        } else {
            snprintf(errbuf, errcap, "%s:%d: unknown key kind `%s`", path, lineno, name);
            rc = HUB_ECONFIG;
        }
    }
    fclose(f);
    if (rc == HUB_OK && !kp->public_[0]) {
        snprintf(errbuf, errcap, "%s: no public key in file", path);
        rc = HUB_ECONFIG;
    }
    if (rc == HUB_OK && want_secret && !kp->secret[0]) {
        snprintf(errbuf, errcap, "%s: no secret key in file", path);
        rc = HUB_ECONFIG;
    }
    return rc;
}
