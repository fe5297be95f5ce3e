/* community.c: community names to codes (see community.h). */
#define _POSIX_C_SOURCE 200809L
#include "community.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "normalize.h"

extern const char adp_communities_builtin[];   /* generated from deploy/communities.csv */

typedef struct {
    char code[16];
    char name[64];      /* 北龙社区 */
    char short_[64];    /* 北龙 */
    char street[64];    /* 东城街道 */
    bool village;       /* 类型 村改居型: its old village name (北龙村) names it too */
} community_t;

struct adp_communities {
    community_t *list;
    size_t n;
};

static bool
s_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool
s_strip_suffix(char *s, const char *suffix)
{
    if (!s_ends_with(s, suffix) || strlen(s) <= strlen(suffix))
        return false;
    s[strlen(s) - strlen(suffix)] = 0;
    return true;
}

/* Parse "code,name,street,type" lines after the header. */
static int
s_parse(adp_communities_t *self, const char *text, char *errbuf, size_t errcap)
{
    size_t cap = 64, lineno = 0;
    self->list = HUB_CHECK_ALLOC(calloc(cap, sizeof *self->list));
    const char *p = text;
    if (strncmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), p);
        line[strcspn(line, "\r")] = 0;
        p += len + (end ? 1 : 0);
        if (lineno++ == 0 || !line[0])
            continue;
        community_t c = {0};
        char name[128], street[128];
        char type[128] = "";
        if (sscanf(line, "%15[0-9],%127[^,],%127[^,],%127s", c.code, name, street, type) < 3 || strlen(c.code) != 12) {
            snprintf(errbuf, errcap, "communities line %zu: expected 社区代码,社区名称,街道,类型", lineno);
            return -1;
        }
        norm_text(name, c.name, sizeof c.name);
        norm_text(street, c.street, sizeof c.street);
        snprintf(c.short_, sizeof c.short_, "%s", c.name);
        s_strip_suffix(c.short_, "社区");
        c.village = strcmp(type, "村改居型") == 0;
        if (self->n == cap) {
            cap *= 2;
            self->list = HUB_CHECK_ALLOC(realloc(self->list, cap * sizeof *self->list));
        }
        self->list[self->n++] = c;
    }
    if (self->n == 0) {
        snprintf(errbuf, errcap, "communities: the list is empty");
        return -1;
    }
    return 0;
}

adp_communities_t *
adp_communities_load(const char *path, char *errbuf, size_t errcap)
{
    adp_communities_t *self = HUB_CHECK_ALLOC(calloc(1, sizeof *self));
    char *text = NULL;
    if (path) {
        FILE *f = fopen(path, "rb");
        if (!f) {
            snprintf(errbuf, errcap, "%s: cannot read the communities list", path);
            free(self);
            return NULL;
        }
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        fseek(f, 0, SEEK_SET);
        text = HUB_CHECK_ALLOC(calloc(1, (size_t)(size > 0 ? size : 0) + 1));
        size_t got = fread(text, 1, (size_t)(size > 0 ? size : 0), f);
        text[got] = 0;
        fclose(f);
    }
    int rc = s_parse(self, text ? text : adp_communities_builtin, errbuf, errcap);
    free(text);
    if (rc != 0)
        adp_communities_destroy(&self);
    return self;
}

void
adp_communities_destroy(adp_communities_t **self_p)
{
    adp_communities_t *self = *self_p;
    if (!self)
        return;
    free(self->list);
    free(self);
    *self_p = NULL;
}

size_t
adp_communities_count(const adp_communities_t *self)
{
    return self->n;
}

const char *
adp_community_code(const adp_communities_t *self, const char *raw)
{
    if (!raw)
        return NULL;
    char s[256], t[256];
    norm_text(raw, t, sizeof t);
    /* drop inner spaces too: 北龙 社区 */
    size_t k = 0;
    for (const char *q = t; *q && k + 1 < sizeof s; q++)
        if (*q != ' ')
            s[k++] = *q;
    s[k] = 0;
    s_strip_suffix(s, "居民委员会");
    s_strip_suffix(s, "居委会");
    if (s_strip_suffix(s, "村民委员会") || s_strip_suffix(s, "村委会"))
        strcat(s, "村");   /* 林邦村委会: the village 林邦村 (stripped more than it adds) */
    s_strip_suffix(s, "委员会");
    /* a converted village's old name: 林邦村 for 林邦社区 (村改居型 only) */
    char village[256];
    snprintf(village, sizeof village, "%s", s);
    bool old_name = s_strip_suffix(village, "村");
    for (size_t i = 0; i < self->n; i++) {
        const community_t *c = &self->list[i];
        const char *rest = s, *vrest = village;
        size_t sl = strlen(c->street);
        if (strncmp(rest, c->street, sl) == 0 && rest[sl])
            rest += sl, vrest += sl;
        if (strcmp(rest, c->name) == 0 || strcmp(rest, c->short_) == 0)
            return c->code;
        if (old_name && c->village && strcmp(vrest, c->short_) == 0)
            return c->code;
    }
    return NULL;
}

const char *
adp_community_code_at(const adp_communities_t *self, size_t i)
{
    return i < self->n ? self->list[i].code : NULL;
}

const char *
adp_community_street(const adp_communities_t *self, const char *code)
{
    for (size_t i = 0; i < self->n; i++)
        if (strcmp(self->list[i].code, code) == 0)
            return self->list[i].street;
    return NULL;
}

const char *
adp_community_name(const adp_communities_t *self, const char *code)
{
    for (size_t i = 0; i < self->n; i++)
        if (strcmp(self->list[i].code, code) == 0)
            return self->list[i].name;
    return NULL;
}
