/* auth.c: keys on first start, the principals allow-list, ZAP (see auth.h). */
#define _POSIX_C_SOURCE 200809L
#include "auth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "log.h"

#define MAX_PRINCIPALS 1024

struct auth {
    void *zap;
    keypair_t server;
    principal_t *list;
    size_t count;
};

static const char *s_departments[] = {"", "police", "familyplanning", "labour", "civilaffairs"};
#define NDEPTS (sizeof s_departments / sizeof s_departments[0])

int
auth_department_code(const char *name)
{
    for (size_t i = 1; i < NDEPTS; i++)
        if (strcmp(name, s_departments[i]) == 0)
            return (int)i;
    return 0;
}

/* Make what a first start needs; leave whatever exists alone. */
static hub_err_t
s_first_start(const char *home, char *errbuf, size_t errcap)
{
    char dir[1024], path[1100];
    snprintf(dir, sizeof dir, "%s/keys", home);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(errbuf, errcap, "%s: cannot create: %s", dir, strerror(errno));
        return HUB_EIO;
    }
    snprintf(path, sizeof path, "%s/hub.key", dir);
    if (access(path, F_OK) != 0) {
        keypair_t kp;
        char pub[1100];
        snprintf(pub, sizeof pub, "%s/hub.pub", dir);
        unlink(pub);
        if (keys_generate(&kp) != HUB_OK || keys_save(&kp, path, "hubd server key pair", true) != HUB_OK
            || keys_save(&kp, pub, "hubd public key: give this to every client", false) != HUB_OK) {
            snprintf(errbuf, errcap, "%s: cannot write the hub's keys", dir);
            return HUB_EIO;
        }
        log_notice("HUB-KEYS-CREATED", LOG_S("what", "hub"));
    }
    snprintf(path, sizeof path, "%s/principals", home);
    if (access(path, F_OK) == 0)
        return HUB_OK;
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(errbuf, errcap, "%s: cannot create: %s", path, strerror(errno));
        return HUB_EIO;
    }
    fprintf(f, "# Principals admitted by hubd: name role public-key (Z85).\n"
               "# Roles: adapter:police, adapter:familyplanning, adapter:labour,\n"
               "# adapter:civilaffairs, admin. Restart hubd after a change.\n");
    const char *local[] = {"police", "familyplanning", "labour", "civilaffairs", "admin"};
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++) {
        keypair_t kp;
        char keyfile[1200], comment[128], role[64];
        snprintf(keyfile, sizeof keyfile, "%s/%s.key", dir, local[i]);
        snprintf(comment, sizeof comment, "principal %s", local[i]);
        if (keys_generate(&kp) != HUB_OK) {
            fclose(f);
            return HUB_EIO;
        }
        unlink(keyfile);
        if (keys_save(&kp, keyfile, comment, true) != HUB_OK) {
            snprintf(errbuf, errcap, "%s: cannot write", keyfile);
            fclose(f);
            return HUB_EIO;
        }
        if (strcmp(local[i], "admin") == 0)
            snprintf(role, sizeof role, "admin");
        else
            snprintf(role, sizeof role, "adapter:%s", local[i]);
        fprintf(f, "%s %s %s\n", local[i], role, kp.public_);
    }
    if (fclose(f) != 0)
        return HUB_EIO;
    log_notice("HUB-KEYS-CREATED", LOG_S("what", "principals"), LOG_I("count", 5));
    return HUB_OK;
}

static hub_err_t
s_load_principals(auth_t *self, const char *home, char *errbuf, size_t errcap)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/principals", home);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errbuf, errcap, "%s: cannot read: %s", path, strerror(errno));
        return HUB_ECONFIG;
    }
    self->list = HUB_CHECK_ALLOC(calloc(MAX_PRINCIPALS, sizeof *self->list));
    char line[512];
    int lineno = 0;
    hub_err_t rc = HUB_OK;
    while (rc == HUB_OK && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '#' || *s == '\n' || *s == '\r' || *s == 0)
            continue;
        principal_t p = {0};
        char extra[8];
        uint8_t bin[32];
        const char *why = NULL;
        int n = sscanf(s, "%63s %63s %40s %7s", p.name, p.role, p.public_, extra);
        if (n != 3)
            why = "expected: name role public-key";
        else if (strlen(p.public_) != KEY_Z85_LEN || !zmq_z85_decode(bin, p.public_))
            why = "public key is not 40 Z85 characters";
        else if (strncmp(p.role, "adapter:", 8) == 0 && !(p.department = auth_department_code(p.role + 8)))
            why = "unknown department in adapter role";
        else if (strncmp(p.role, "adapter:", 8) != 0 && strcmp(p.role, "admin") != 0)
            why = "unknown role (adapter:DEPT or admin)";
        else if (auth_find(self, p.name))
            why = "principal listed twice";
        else if (self->count == MAX_PRINCIPALS)
            why = "too many principals";
        if (why) {
            s[strcspn(s, "\r\n")] = 0;
            snprintf(errbuf, errcap, "%s:%d: `%s`: %s", path, lineno, s, why);
            rc = HUB_ECONFIG;
        } else {
            self->list[self->count++] = p;
        }
    }
    fclose(f);
    return rc;
}

auth_t *
auth_new(void *zctx, const char *home, char *errbuf, size_t errcap)
{
    if (s_first_start(home, errbuf, errcap) != HUB_OK)
        return NULL;
    auth_t *self = HUB_CHECK_ALLOC(calloc(1, sizeof *self));
    char path[1100];
    snprintf(path, sizeof path, "%s/keys/hub.key", home);
    if (keys_load(path, &self->server, true, errbuf, errcap) != HUB_OK
        || s_load_principals(self, home, errbuf, errcap) != HUB_OK) {
        auth_destroy(&self);
        return NULL;
    }
    self->zap = zmq_socket(zctx, ZMQ_REP);
    int linger = 0;
    zmq_setsockopt(self->zap, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(self->zap, "inproc://zeromq.zap.01") != 0) {
        snprintf(errbuf, errcap, "cannot bind the ZAP handler: %s", zmq_strerror(errno));
        auth_destroy(&self);
        return NULL;
    }
    log_notice("HUB-AUTH-READY", LOG_I("principals", self->count));
    return self;
}

void
auth_destroy(auth_t **self_p)
{
    auth_t *self = *self_p;
    if (!self)
        return;
    if (self->zap)
        zmq_close(self->zap);
    free(self->list);
    free(self);
    *self_p = NULL;
}

const keypair_t *
auth_server_keys(const auth_t *self)
{
    return &self->server;
}

void *
auth_zap_socket(auth_t *self)
{
    return self->zap;
}

const principal_t *
auth_find(const auth_t *self, const char *name)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->list[i].name, name) == 0)
            return &self->list[i];
    return NULL;
}

static const principal_t *
s_find_key(const auth_t *self, const char *z85)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->list[i].public_, z85) == 0)
            return &self->list[i];
    return NULL;
}

static bool
s_domain_allows(const char *domain, const principal_t *p)
{
    if (strcmp(domain, "ingest") == 0)
        return p->department != 0;
    if (strcmp(domain, "query") == 0)
        return strcmp(p->role, "admin") == 0;
    return strcmp(domain, "events") == 0;
}

/* ZAP request frames (RFC 27): version, request id, domain, address,
** identity, mechanism, credentials... Reply: version, request id, status
** code, status text, user id, metadata. */
void
auth_handle_zap(auth_t *self)
{
    zmq_msg_t part[8];
    int n = 0, more = 1;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, self->zap, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            break;
        }
        more = zmq_msg_more(&m);
        if (n < 8)
            part[n++] = m;
        else
            zmq_msg_close(&m);
    }
    if (n < 6) {
        for (int i = 0; i < n; i++)
            zmq_msg_close(&part[i]);
        return;
    }
    char domain[64] = "", mech[16] = "", address[64] = "", z85[KEY_Z85_LEN + 1] = "";
    snprintf(domain, sizeof domain, "%.*s", (int)zmq_msg_size(&part[2]), (char *)zmq_msg_data(&part[2]));
    snprintf(address, sizeof address, "%.*s", (int)zmq_msg_size(&part[3]), (char *)zmq_msg_data(&part[3]));
    snprintf(mech, sizeof mech, "%.*s", (int)zmq_msg_size(&part[5]), (char *)zmq_msg_data(&part[5]));
    const principal_t *p = NULL;
    if (strcmp(mech, "CURVE") == 0 && n >= 7 && zmq_msg_size(&part[6]) == 32) {
        zmq_z85_encode(z85, zmq_msg_data(&part[6]), 32);
        p = s_find_key(self, z85);
    }
    const char *code = "200", *text = "OK";
    if (!p) {
        code = "400";
        text = "unknown key";
        log_warn("HUB-AUTH-DENY", LOG_S("domain", domain), LOG_S("address", address),
                 LOG_S("mechanism", mech), LOG_S("reason", "key not in principals"));
    } else if (!s_domain_allows(domain, p)) {
        code = "400";
        text = "role not allowed here";
        log_warn("HUB-AUTH-DENY", LOG_S("domain", domain), LOG_S("principal", p->name),
                 LOG_S("reason", "role not allowed on this socket"));
    } else {
        log_debug("HUB-AUTH-ALLOW", LOG_S("domain", domain), LOG_S("principal", p->name));
    }
    const char *user = p ? p->name : "";
    zmq_send(self->zap, zmq_msg_data(&part[0]), zmq_msg_size(&part[0]), ZMQ_SNDMORE);
    zmq_send(self->zap, zmq_msg_data(&part[1]), zmq_msg_size(&part[1]), ZMQ_SNDMORE);
    zmq_send(self->zap, code, 3, ZMQ_SNDMORE);
    zmq_send(self->zap, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(self->zap, user, strlen(user), ZMQ_SNDMORE);
    zmq_send(self->zap, "", 0, 0);
    for (int i = 0; i < n; i++)
        zmq_msg_close(&part[i]);
}
