/* config.c: hub.conf reader and default writer (see config.h). */
#define _POSIX_C_SOURCE 200809L
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"

typedef enum { KEY_STR, KEY_INT } key_type_t;

typedef struct {
    const char *name;
    key_type_t type;
    size_t offset;
    size_t size;       /* KEY_STR: buffer size */
    const char *def;
    long min, max;     /* KEY_INT bounds */
    const char *comment;
} key_t_;

#define STR(f, def, c) {#f, KEY_STR, offsetof(hub_config_t, f), sizeof(((hub_config_t *)0)->f), def, 0, 0, c}
#define INT(f, def, lo, hi, c) {#f, KEY_INT, offsetof(hub_config_t, f), 0, def, lo, hi, c}

static const key_t_ s_keys[] = {
    STR(ingest_endpoint, "tcp://127.0.0.1:5560",
        "ZeroMQ endpoint where adapters deliver batches (ROUTER, CURVE)"),
    STR(query_endpoint, "tcp://127.0.0.1:5561",
        "endpoint for hubctl, committee offices and departments (ROUTER, CURVE)"),
    STR(events_endpoint, "tcp://127.0.0.1:5562",
        "endpoint of the change feed (PUB, CURVE)"),
    INT(max_message_bytes, "8388608", 1024, 1L << 30,
        "largest message accepted; a larger one is refused and quarantined"),
    INT(group_commit_max_records, "5000", 1, 1000000,
        "commit once this many records are waiting"),
    INT(group_commit_max_ms, "20", 0, 10000,
        "or once the oldest waiting batch is this old (milliseconds)"),
    INT(sqlite_cache_mib, "256", 1, 65536,
        "SQLite page cache of the registry, MiB"),
    STR(log_level, "info",
        "error, warn, notice, info or debug"),
    STR(metrics_listen, "127.0.0.1:5563",
        "HOST:PORT for /metrics (Prometheus) and /healthz over HTTP; off for none"),
    INT(adapter_silent_s, "60", 1, 86400,
        "an adapter that sent nothing for this long (without saying it left) is silent;\n"
        "# one that announces its heartbeat interval is silent after three of them"),
    INT(slow_commit_ms, "1000", 1, 3600000,
        "a commit slower than this is logged as HUB-COMMIT-SLOW"),
    INT(slow_query_ms, "500", 1, 3600000,
        "a request answered slower than this is logged as HUB-QUERY-SLOW"),
    INT(disk_min_free_mib, "256", 0, 1L << 30,
        "less free space than this under the home directory makes /healthz fail"),
    INT(reviews_degraded, "1000", 1, 100000000,
        "this many open review items make `hubctl status` say degraded"),
};
#define NKEYS (sizeof s_keys / sizeof s_keys[0])

static hub_err_t
s_set(hub_config_t *cfg, const key_t_ *k, const char *value, const char **why)
{
    char *dst = (char *)cfg + k->offset;
    if (k->type == KEY_STR) {
        if (strlen(value) >= k->size) {
            *why = "value too long";
            return HUB_ECONFIG;
        }
        strcpy(dst, value);
        return HUB_OK;
    }
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end) {
        *why = "not a whole number";
        return HUB_ECONFIG;
    }
    if (v < k->min || v > k->max) {
        *why = "out of bounds";
        return HUB_ECONFIG;
    }
    memcpy(dst, &v, sizeof v);
    return HUB_OK;
}

void
config_defaults(hub_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < NKEYS; i++) {
        const char *why;
        hub_err_t rc = s_set(cfg, &s_keys[i], s_keys[i].def, &why);
        (void)rc;
    }
    match_weights_default(&cfg->weights);
    golden_rules_default(&cfg->survivorship);
}

/* A matching weight or threshold: `match_upper = 18`, `weight.name.exact = 9`. */
static bool
s_weight(hub_config_t *cfg, const char *key, const char *value, const char **why)
{
    char *end;
    double v = strtod(value, &end);
    match_weights_t probe = cfg->weights;
    if (!match_weight_set(&probe, key, 0))
        return false;
    if (end == value || *end || v < -100 || v > 100)
        *why = "not a number between -100 and 100";
    else
        match_weight_set(&cfg->weights, key, v);
    return true;
}

static const char *
s_dept_name(int d)
{
    static const char *names[] = {"", "police", "familyplanning", "labour", "civilaffairs"};
    return d > 0 && d < 5 ? names[d] : "";
}

static hub_err_t
s_write_defaults(const char *path, char *errbuf, size_t errcap)
{
    FILE *f = fopen(path, "wx");
    if (!f) {
        snprintf(errbuf, errcap, "%s: cannot create: %s", path, strerror(errno));
        return HUB_ECONFIG;
    }
    fprintf(f, "# hub.conf: settings of hubd. Every key is shown at its default;\n"
               "# remove the '#' before a key to change it. Restart hubd to apply.\n");
    for (size_t i = 0; i < NKEYS; i++) {
        const key_t_ *k = &s_keys[i];
        fprintf(f, "\n# %s", k->comment);
        if (k->type == KEY_INT)
            fprintf(f, " (%ld..%ld)", k->min, k->max);
        fprintf(f, "\n# %s = %s\n", k->name, k->def);
    }
    match_weights_t w;
    match_weights_default(&w);
    fprintf(f, "\n# Matching (entity resolution): Fellegi-Sunter log2 weights of each\n"
               "# field's agreement level, and the two thresholds. A pair of records\n"
               "# scoring >= match_upper links; between the two a review item opens.\n"
               "# `hubctl estimate` prints weights estimated from the loaded data;\n"
               "# `hubctl rematch` applies changed ones to everything stored.\n"
               "# match_upper = %g\n# match_lower = %g\n", w.upper, w.lower);
    for (int fld = 0; fld < MF_COUNT; fld++)
        for (int l = 0; l < ML_COUNT; l++)
            if (w.w[fld][l] != 0) {
                char name[96];
                snprintf(name, sizeof name, "weight.%s.%s", match_field_name(fld), match_level_name(l));
                for (char *p = name; *p; p++)
                    if (*p == ' ')
                        *p = '_';
                fprintf(f, "# %s = %g\n", name, w.w[fld][l]);
            }
    fprintf(f, "\n# Golden record: which value of each field the registry shows. A rule is\n"
               "# `recent` (the most recent observation) or departments in order of\n"
               "# authority (police,familyplanning,labour,civilaffairs).\n");
    for (int g = 0; g < GOLDEN_COUNT; g++) {
        golden_rules_t r;
        golden_rules_default(&r);
        fprintf(f, "# survivorship.%s = ", golden_field_name(g));
        if (r.recent[g])
            fprintf(f, "recent\n");
        else
            for (int k = 0; k < 4 && r.order[g][k]; k++)
                fprintf(f, "%s%s", s_dept_name(r.order[g][k]), k < 3 && r.order[g][k + 1] ? "," : "\n");
    }
    return fclose(f) == 0 ? HUB_OK : HUB_EIO;
}

static char *
s_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = 0;
    return s;
}

hub_err_t
config_load(hub_config_t *cfg, const char *path, char *errbuf, size_t errcap)
{
    config_defaults(cfg);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return s_write_defaults(path, errbuf, errcap);
        snprintf(errbuf, errcap, "%s: cannot read: %s", path, strerror(errno));
        return HUB_ECONFIG;
    }
    char line[1024];
    int lineno = 0;
    hub_err_t rc = HUB_OK;
    while (rc == HUB_OK && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = s_trim(line);
        char orig[1024];
        snprintf(orig, sizeof orig, "%s", s);
        if (*s == 0 || *s == '#')
            continue;
        const char *why = NULL;
        char *eq = strchr(s, '=');
        if (!eq) {
            why = "expected key = value";
        } else {
            *eq = 0;
            char *key = s_trim(s), *value = s_trim(eq + 1);
            const key_t_ *k = NULL;
            for (size_t i = 0; i < NKEYS; i++)
                if (strcmp(s_keys[i].name, key) == 0)
                    k = &s_keys[i];
            if (k)
                s_set(cfg, k, value, &why);
            else if (!s_weight(cfg, key, value, &why) && !golden_rule_set(&cfg->survivorship, key, value, &why))
                why = "unknown key";
        }
        if (why) {
            snprintf(errbuf, errcap, "%s:%d: `%s`: %s", path, lineno, orig, why);
            rc = HUB_ECONFIG;
        }
    }
    fclose(f);
    return rc;
}

void
config_log(const hub_config_t *cfg)
{
    log_kv_t facts[NKEYS + 1];
    for (size_t i = 0; i < NKEYS; i++) {
        const key_t_ *k = &s_keys[i];
        const char *at = (const char *)cfg + k->offset;
        long v;
        memcpy(&v, at, sizeof v);
        facts[i] = k->type == KEY_STR ? LOG_S(k->name, at) : LOG_I(k->name, v);
    }
    facts[NKEYS] = LOG_END;
    if (log_enabled(LOG_NOTICE))
        log_write(LOG_NOTICE, "HUB-CONFIG", facts);
}
