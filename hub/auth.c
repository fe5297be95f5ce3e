/* auth.c: keys on first start, the principals allow-list, ZAP (see auth.h). */
#define _POSIX_C_SOURCE 200809L
#include "auth.h"

#include <errno.h>
#include <pthread.h>
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
    char path[1100];
    struct timespec mtime;
    pthread_mutex_t lock;   /* the list: the main thread and the query thread */
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
               "# Roles: adapter:DEPT, department:DEPT, committee:CODE, street:NAME,\n"
               "# operator, admin (DEPT: police, familyplanning, labour, civilaffairs).\n"
               "# Manage with hubctl principal add|list|revoke; changes apply at once.\n");
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

static const principal_t *
s_find_name(const auth_t *self, const char *name)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->list[i].name, name) == 0)
            return &self->list[i];
    return NULL;
}

bool
auth_parse_role(const char *role, principal_t *p, const char **why)
{
    p->department = 0;
    p->scope[0] = 0;
    const char *colon = strchr(role, ':');
    const char *arg = colon ? colon + 1 : "";
    size_t kind_len = colon ? (size_t)(colon - role) : strlen(role);
    if (kind_len == 7 && strncmp(role, "adapter", 7) == 0 && (p->department = auth_department_code(arg))) {
        p->kind = ROLE_ADAPTER;
    } else if (kind_len == 10 && strncmp(role, "department", 10) == 0 && (p->department = auth_department_code(arg))) {
        p->kind = ROLE_DEPARTMENT;
    } else if (kind_len == 9 && strncmp(role, "committee", 9) == 0 && strlen(arg) == 12
               && strspn(arg, "0123456789") == 12) {
        p->kind = ROLE_COMMITTEE;
        snprintf(p->scope, sizeof p->scope, "%s", arg);
    } else if (kind_len == 6 && strncmp(role, "street", 6) == 0 && *arg) {
        p->kind = ROLE_STREET;
        snprintf(p->scope, sizeof p->scope, "%s", arg);
    } else if (!colon && strcmp(role, "operator") == 0) {
        p->kind = ROLE_OPERATOR;
    } else if (!colon && strcmp(role, "admin") == 0) {
        p->kind = ROLE_ADMIN;
    } else {
        *why = "unknown role: adapter:DEPT, department:DEPT, committee:CODE, street:NAME, operator or admin "
               "(DEPT: police, familyplanning, labour, civilaffairs; CODE: 12 digits)";
        return false;
    }
    return true;
}

static hub_err_t
s_load_principals(auth_t *self, const char *home, char *errbuf, size_t errcap)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/principals", home);
    snprintf(self->path, sizeof self->path, "%s", path);
    struct stat st;
    if (stat(path, &st) == 0)
        self->mtime = st.st_mtim;
    free(self->list);
    self->count = 0;
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
        else if (!auth_parse_role(p.role, &p, &why))
            ;
        else if (s_find_name(self, p.name))
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
    pthread_mutex_init(&self->lock, NULL);
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
    pthread_mutex_destroy(&self->lock);
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

/* Read the file again when it changed; a broken file keeps the old list. */
static void
s_refresh(auth_t *self)
{
    struct stat st;
    if (stat(self->path, &st) != 0
        || (st.st_mtim.tv_sec == self->mtime.tv_sec && st.st_mtim.tv_nsec == self->mtime.tv_nsec))
        return;
    principal_t *old = self->list;
    size_t old_count = self->count;
    self->list = NULL;
    char home[1100], errbuf[600];
    snprintf(home, sizeof home, "%.*s", (int)(strrchr(self->path, '/') - self->path), self->path);
    if (s_load_principals(self, home, errbuf, sizeof errbuf) != HUB_OK) {
        log_error("HUB-PRINCIPALS-BAD", LOG_S("reason", errbuf));
        free(self->list);
        self->list = old;
        self->count = old_count;
        self->mtime = st.st_mtim;
        return;
    }
    free(old);
    log_notice("HUB-PRINCIPALS-RELOAD", LOG_I("principals", self->count));
}

bool
auth_find(auth_t *self, const char *name, principal_t *out)
{
    pthread_mutex_lock(&self->lock);
    s_refresh(self);
    const principal_t *p = s_find_name(self, name);
    if (p)
        *out = *p;
    pthread_mutex_unlock(&self->lock);
    return p != NULL;
}

static hub_err_t
s_append(auth_t *self, const char *line, char *errbuf, size_t errcap)
{
    FILE *f = fopen(self->path, "a");
    if (!f || fprintf(f, "%s\n", line) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0) {
        snprintf(errbuf, errcap, "cannot write %s: %s", self->path, strerror(errno));
        if (f)
            fclose(f);
        return HUB_EIO;
    }
    fclose(f);
    return HUB_OK;
}

/* One word of the principals file: no space, control character or '#' (a
** line break in a name or role would write a line of its own). */
static bool
s_one_word(const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c <= ' ' || *c == 0x7f || *c == '#')
            return false;
    return *s != 0;
}

static hub_err_t
s_add(auth_t *self, const char *name, const char *role, const char *public_key, const char *by, char *errbuf,
      size_t errcap)
{
    s_refresh(self);
    principal_t p = {0};
    const char *why = NULL;
    uint8_t bin[32];
    if (!name || strlen(name) >= sizeof p.name || !s_one_word(name))
        why = "the name must be one word";
    else if (s_find_name(self, name))
        why = "a principal with that name exists already";
    else if (!role || !s_one_word(role))
        why = "the role must be one word";
    else if (!auth_parse_role(role, &p, &why))
        ;
    else if (!public_key || strlen(public_key) != KEY_Z85_LEN || !zmq_z85_decode(bin, public_key))
        why = "the public key must be 40 Z85 characters (hubctl keygen prints one)";
    if (why) {
        snprintf(errbuf, errcap, "%s", why);
        return HUB_EINVAL;
    }
    char line[300];
    snprintf(line, sizeof line, "%s %s %s", name, role, public_key);
    hub_err_t err = s_append(self, line, errbuf, errcap);
    if (err == HUB_OK) {
        log_notice("HUB-PRINCIPAL-ADD", LOG_S("principal", name), LOG_S("role", role), LOG_S("by", by));
        s_refresh(self);
    }
    return err;
}

static hub_err_t
s_revoke(auth_t *self, const char *name, const char *by, char *errbuf, size_t errcap)
{
    s_refresh(self);
    if (!name || !s_find_name(self, name)) {
        snprintf(errbuf, errcap, "no principal called %s", name ? name : "");
        return HUB_ENOTFOUND;
    }
    FILE *in = fopen(self->path, "r");
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.new", self->path);
    FILE *out = fopen(tmp, "w");
    if (!in || !out) {
        snprintf(errbuf, errcap, "cannot rewrite %s: %s", self->path, strerror(errno));
        if (in)
            fclose(in);
        if (out)
            fclose(out);
        return HUB_EIO;
    }
    char line[600], first[128];
    while (fgets(line, sizeof line, in)) {
        if (line[0] != '#' && sscanf(line, "%127s", first) == 1 && strcmp(first, name) == 0)
            fprintf(out, "# revoked by %s: %s", by, line);
        else
            fputs(line, out);
    }
    fclose(in);
    int bad = fflush(out) != 0 || fsync(fileno(out)) != 0;
    bad |= fclose(out) != 0;
    if (bad || rename(tmp, self->path) != 0) {
        snprintf(errbuf, errcap, "cannot rewrite %s: %s", self->path, strerror(errno));
        return HUB_EIO;
    }
    log_notice("HUB-PRINCIPAL-REVOKE", LOG_S("principal", name), LOG_S("by", by));
    s_refresh(self);
    return HUB_OK;
}

hub_err_t
auth_add(auth_t *self, const char *name, const char *role, const char *public_key, const char *by, char *errbuf,
         size_t errcap)
{
    pthread_mutex_lock(&self->lock);
    hub_err_t err = s_add(self, name, role, public_key, by, errbuf, errcap);
    pthread_mutex_unlock(&self->lock);
    return err;
}

hub_err_t
auth_revoke(auth_t *self, const char *name, const char *by, char *errbuf, size_t errcap)
{
    pthread_mutex_lock(&self->lock);
    hub_err_t err = s_revoke(self, name, by, errbuf, errcap);
    pthread_mutex_unlock(&self->lock);
    return err;
}

char *
auth_list(auth_t *self)
{
    pthread_mutex_lock(&self->lock);
    s_refresh(self);
    size_t cap = 64 + self->count * 200, len = 0;
    char *out = HUB_CHECK_ALLOC(malloc(cap));
    out[0] = 0;
    for (size_t i = 0; i < self->count; i++)
        len += (size_t)snprintf(out + len, cap - len, "%-20s %s\n", self->list[i].name, self->list[i].role);
    pthread_mutex_unlock(&self->lock);
    return out;
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
        return p->kind == ROLE_ADAPTER;
    if (strcmp(domain, "query") == 0)
        return p->kind != ROLE_ADAPTER;
    if (strcmp(domain, "events") == 0)   /* the log, live: the operators' */
        return p->kind == ROLE_OPERATOR || p->kind == ROLE_ADMIN;
    return false;
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
    principal_t found;
    const principal_t *p = NULL;
    pthread_mutex_lock(&self->lock);
    s_refresh(self);
    if (strcmp(mech, "CURVE") == 0 && n >= 7 && zmq_msg_size(&part[6]) == 32) {
        zmq_z85_encode(z85, zmq_msg_data(&part[6]), 32);
        if ((p = s_find_key(self, z85)))
            p = memcpy(&found, p, sizeof found);
    }
    pthread_mutex_unlock(&self->lock);
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
