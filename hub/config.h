/*
** config.h: hub.conf, one table of keys (name, type, default, bounds,
** comment). The file is `key = value` lines with `#` comments; a missing
** file is created with every key commented out at its default.
*/
#ifndef HUB_CONFIG_H
#define HUB_CONFIG_H

#include <stddef.h>
#include "err.h"
#include "golden.h"
#include "match.h"

typedef struct {
    char ingest_endpoint[256];
    char query_endpoint[256];
    char events_endpoint[256];
    long max_message_bytes;
    long group_commit_max_records;
    long group_commit_max_ms;
    long sqlite_cache_mib;
    char log_level[16];
    char metrics_listen[64];   /* HOST:PORT of /metrics and /healthz; "off": none */
    long adapter_silent_s;
    long slow_commit_ms;
    long slow_query_ms;
    long disk_min_free_mib;
    long reviews_degraded;
    match_weights_t weights;   /* match_upper, match_lower, weight.FIELD.LEVEL */
    golden_rules_t survivorship;  /* survivorship.FIELD */
} hub_config_t;

/* Fill cfg with the defaults. */
void config_defaults(hub_config_t *cfg);

/* Read path into cfg (defaults first). When the file does not exist, write
** it with commented defaults. On a bad line returns HUB_ECONFIG with
** "hub.conf:LINE: `TEXT`: REASON" in errbuf. */
hub_err_t config_load(hub_config_t *cfg, const char *path, char *errbuf, size_t errcap);

/* One HUB-CONFIG log line with every key's value in force (weights and
** survivorship rules are in hub.conf). */
void config_log(const hub_config_t *cfg);

#endif
