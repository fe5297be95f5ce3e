# The cross-department checks on a generated district with planted
# findings (gen-district --plant 3): the hub finds them as the records
# arrive (no `alerts check` needed), exactly the generator's findings for
# the five rules it plants only, and for the community rule every finding
# but those whose rows the generator marks unsure (no valid number: the
# hub may not link them) and nothing else; `alerts check` then adds none;
# evidence, filters, closing with a note, the feed's alert.raised, and who
# may read them.
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
D=$T_TMP/d
"$BIN/gen-district" --out "$D" --people 2000 --plant 3 --seed 1 >/dev/null
hub_init "$H" 17720 "group_commit_max_ms = 5"
check "hubd starts" hub_start "$H"
export HUB_PURPOSE="alerts test"
CTL() { "$BIN/hubctl" --home "$H" "$@"; }
"$BIN/adapter-police" --home "$H" "$D"/hukou_*.csv >/dev/null
"$BIN/adapter-familyplanning" --home "$H" "$D"/wis_*.tsv >/dev/null
"$BIN/adapter-labour" --home "$H" "$D"/jyzt_*.jsonl >/dev/null
"$BIN/adapter-civilaffairs" --home "$H" "$D"/mz_roster_*.csv "$D/facilities.csv" >/dev/null

# the main thread looks at the changed residents a few hundred a second when idle
rules_settled "$H"
check_eq "as the records arrived, every changed resident was looked at" 0 "$(sql "$H" "SELECT count(*) FROM rules_dirty")"
check "each new alert logged (HUB-ALERT: rule, severity, resident id)" \
    grep -q '"msgid":"HUB-ALERT","rule":"[a-z-]*","severity":"[a-z]*","resident":[0-9]*}' "$H/hub.log"

# ---- the hub's findings, by person, against the generator's ----
CTL export-links > "$T_TMP/links.csv"
CTL alerts > "$T_TMP/alerts.txt"
sqlite3 "$T_TMP/cmp.db" <<EOF
.import --csv $D/truth.csv truth
.import --csv $T_TMP/links.csv links
.import --csv $D/findings.csv findings
CREATE TABLE alerts(id, status, rule, severity, resident, community, opened, evidence);
.mode tabs
.import $T_TMP/alerts.txt alerts
CREATE TABLE hub AS SELECT DISTINCT a.rule, t.person_id FROM alerts a JOIN links l ON l.resident_id = a.resident
  JOIN truth t ON t.source = l.source AND t.source_key = l.source_key;
EOF
q() { sqlite3 "$T_TMP/cmp.db" "$1"; }
for rule in gone-but-paid allowance-while-employed conscript-without-conscript fp-woman-gone old-age-under-80; do
    check_eq "$rule: the hub's findings are the generator's ($(q "SELECT count(*) FROM findings WHERE rule = '$rule'"), planted $(q "SELECT count(*) FROM findings WHERE rule = '$rule' AND planted = '1'"))" \
        "$(q "SELECT person_id FROM findings WHERE rule = '$rule' ORDER BY 1" | paste -sd,)" \
        "$(q "SELECT person_id FROM hub WHERE rule = '$rule' ORDER BY 1" | paste -sd,)"
done
r=community-disagrees
check_eq "$r: nothing the generator does not list" "" \
    "$(q "SELECT person_id FROM hub WHERE rule = '$r' EXCEPT SELECT person_id FROM findings WHERE rule = '$r'")"
check_eq "$r: all the generator lists, but rows it marks unsure ($(q "SELECT count(*) FROM hub WHERE rule = '$r'") of $(q "SELECT count(*) FROM findings WHERE rule = '$r'"))" "" \
    "$(q "SELECT person_id FROM findings WHERE rule = '$r' AND detail NOT LIKE '%unsure%' EXCEPT SELECT person_id FROM hub WHERE rule = '$r'")"
check_eq "every planted finding found" 0 \
    "$(q "SELECT count(*) FROM (SELECT rule, person_id FROM findings WHERE planted = '1' EXCEPT SELECT rule, person_id FROM hub)")"
check_eq "one open alert a rule and resident" 0 "$(q "SELECT count(*) FROM (SELECT rule, resident FROM alerts GROUP BY 1, 2 HAVING count(*) > 1)")"

# ---- on demand: every resident again; nothing new ----
out=$(CTL alerts check)
check "alerts check: looks at every resident, opens nothing twice" grep -q "^looked at 20[0-9][0-9] residents: 0 new alerts" <<<"$out"
check "alerts check: open alerts by rule" grep -q "gone-but-paid *3 open" <<<"$out"

# ---- evidence, filters, closing ----
one=$(CTL alerts --rule gone-but-paid | head -1)
check "evidence: the police record's status and the entitlement still 在保" \
    grep -qE "	police [0-9X]+: (死亡|迁出|注销).*; civil affairs .*在保" <<<"$one"
comm=$(cut -f6 <<<"$one")
check_eq "--community: only that community's" "$comm" "$(CTL alerts --community "$comm" | cut -f6 | sort -u)"
id=$(cut -f1 <<<"$one")
check_eq "close with a note" "alert $id closed" "$(CTL alerts close "$id" --note "payment stopped 2026-11-30")"
check "closed: listed with who and the note" grep -q "^$id	closed	gone-but-paid	.*closed by admin: payment stopped 2026-11-30$" \
    <<<"$(CTL alerts --status closed)"
check_eq "open alerts of the rule: one fewer" 2 "$(CTL alerts --rule gone-but-paid --status open | wc -l)"
out=$(CTL alerts close "$id" --note again 2>&1); rc=$?
check "closing it again: status 1, says none is open" bash -c '[ "$0" = 1 ] && grep -q "no open alert" <<<"$1"' "$rc" "$out"
out=$(CTL alerts --rule no-such 2>&1); rc=$?
check "an unknown rule: status 1 and the rules' ids" bash -c '[ "$0" = 1 ] && grep -q "gone-but-paid" <<<"$1"' "$rc" "$out"
check "HUB-ALERT-CLOSE logged" grep -q "\"msgid\":\"HUB-ALERT-CLOSE\",\"alert\":$id,\"by\":\"admin\"" "$H/hub.log"

# ---- the feed tells of them; committees may not list them ----
CTL subscribe --from 0 --for 2 > "$T_TMP/feed.txt"
check_eq "each alert is an alert.raised event on the feed" "$(wc -l < "$T_TMP/alerts.txt")" \
    "$(grep -c "	alert.raised	" "$T_TMP/feed.txt")"
check_eq "each merge and split of the load is a resident.merged / resident.split event" \
    "$(sql "$H" "SELECT count(*) FROM resolution_events WHERE kind IN ('merge', 'split')")" \
    "$(grep -c "	resident\.\(merged\|split\)	" "$T_TMP/feed.txt")"
CTL principal add beilong committee:350802001002 --key-out "$T_TMP/beilong.key" >/dev/null
out=$("$BIN/hubctl" --home "$H" --principal beilong --key "$T_TMP/beilong.key" alerts 2>&1); rc=$?
check "a committee may not list alerts (status 1, says where it gets them)" \
    bash -c '[ "$0" = 1 ] && grep -q "change feed" <<<"$1"' "$rc" "$out"
hub_stop
t_done
