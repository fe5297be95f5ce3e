/* alerts.c: the rules run over residents, findings opened as alerts (see alerts.h). */
#include "alerts.h"

#include <stdlib.h>

#include "log.h"
#include "rules.h"

hub_err_t
alerts_run(store_t *writer, size_t max, int64_t now_ms, size_t *looked, size_t *opened)
{
    *looked = *opened = 0;
    resident_id_t *ids = HUB_CHECK_ALLOC(calloc(max ? max : 1, sizeof *ids));
    int year, month;
    hub_err_t err = store_rules_dirty_take(writer, ids, max, looked);
    if (err == HUB_OK && *looked)
        err = store_latest_roster(writer, &year, &month);
    for (size_t i = 0; i < *looked && err == HUB_OK; i++) {
        rule_subject_t s;
        char community[16] = "";
        if ((err = store_rule_subject(writer, ids[i], year, month, &s)) != HUB_OK)
            break;
        for (size_t r = 0; r < rules_count && err == HUB_OK; r++) {
            char evidence[RULE_EVIDENCE_MAX];
            bool opened_one = false;
            if (!rules[r].check(&s, evidence, sizeof evidence))
                continue;
            if (!*community)
                store_resident_community(writer, ids[i], community, sizeof community);
            err = store_alert_put(writer, rules[r].id, rules[r].severity, ids[i], community, evidence, now_ms,
                                  &opened_one);
            if (opened_one) {
                (*opened)++;
                log_notice("HUB-ALERT", LOG_S("rule", rules[r].id), LOG_S("severity", rules[r].severity),
                           LOG_I("resident", ids[i].v));
            }
        }
    }
    free(ids);
    return err;
}
