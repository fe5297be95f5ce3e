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

# the main thread looks at the changed residents once the load pauses
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

# ---- a household member's change: the checks look at the household again ----
# a conscript-family allowance whose household has one member of conscript
# age (17-24), with one police row; the police then record that member as
# moved out: the recipient's own records do not change, the finding does
pick=$(awk -F, 'NR > 1 { st[$1] = $6; hh[$1] = $7; by[$1] = substr($4, 1, 4); ent[$1] = $9; mem[$7] = mem[$7] " " $1 }
    END { for (p in ent) if (ent[p] ~ /义务兵家庭优待/ && st[p] == "正常") {
        n = split(mem[hh[p]], m, " "); young = ""; c = 0; near = 0
        for (i = 1; i <= n; i++) { x = m[i]; if (x == p || st[x] != "正常") continue
            if (by[x] >= 2003 && by[x] <= 2008) { young = x; c++ } else if (by[x] >= 2000 && by[x] <= 2010) near++ }
        if (c == 1 && near == 0) print p, young } }' "$D/persons.csv" | sort |
    while read -r p x; do
        [ "$(awk -F, -v x="$x" '$1 == x && $2 == "police"' "$D/truth.csv" | wc -l)" = 1 ] && { echo "$p $x"; break; }
    done)
read -r recip member <<<"$pick"
rres=$(q "SELECT DISTINCT l.resident_id FROM truth t JOIN links l ON l.source = t.source AND l.source_key = t.source_key
          WHERE t.person_id = '$recip' AND t.source = 'police'")
conscript_alert() { CTL alerts --rule conscript-without-conscript --status open | awk -F'\t' -v r="$rres" '$5 == r'; }
check "a conscript-family recipient ($recip) with a member of conscript age ($member) at home: no alert" \
    test -n "$member" -a -n "$rres" -a -z "$(conscript_alert)"
set -- $(awk -F, -v x="$member" '$1 == x && $2 == "police" { print $4, $5 }' "$D/truth.csv")
iconv -f GB18030 -t UTF-8 "$D/$1" | tr -d '\r' > "$T_TMP/hukou.utf8.csv"
sqlite3 "$T_TMP/edit.db" ".import --csv $T_TMP/hukou.utf8.csv h" \
    "UPDATE h SET 人员状态 = '迁出', 变动类型 = '迁出', 变动日期 = '20261120' WHERE rowid = $2" \
    ".headers on" ".mode csv" ".once $T_TMP/moved.csv" "SELECT * FROM h WHERE rowid = $2"
iconv -f UTF-8 -t GB18030 "$T_TMP/moved.csv" > "$T_TMP/hukou_20261120_delta.csv"
"$BIN/adapter-police" --home "$H" "$T_TMP/hukou_20261120_delta.csv" >/dev/null
rules_settled "$H"
check "the member moved out: the recipient's household is looked at again and the alert opens" \
    grep -q "no other member aged 17-24" <<<"$(conscript_alert)"
hub_stop
t_done
