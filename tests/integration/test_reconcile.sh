# hubctl reconcile DEPT FILE: each department's full export against what
# the hub holds from it. The hub loads a generated district (one export a
# department); each export as loaded reconciles clean (exit 0); the
# generator's variants (gen-district --plant 3: rows removed, added and
# changed) give exactly the differences its reconcile/expected.csv lists,
# by kind, key and field; only the department's own principal may
# reconcile (its records hold its sensitive fields).
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
D=$T_TMP/d
"$BIN/gen-district" --out "$D" --people 1500 --plant 3 --seed 2 >/dev/null
hub_init "$H" 17740 "group_commit_max_ms = 5"
check "hubd starts" hub_start "$H"
export HUB_PURPOSE="reconcile test"
CTL() { "$BIN/hubctl" --home "$H" "$@"; }
# DESK DEPT ARGS...: hubctl as that department's desk (made here)
DESK() { local d=$1; shift; "$BIN/hubctl" --home "$H" --principal "desk-$d" --key "$T_TMP/$d.key" "$@"; }
for d in police familyplanning labour civilaffairs; do
    CTL principal add "desk-$d" "department:$d" --key-out "$T_TMP/$d.key" >/dev/null
done
P=$(basename "$D"/hukou_*.csv); F=$(basename "$D"/wis_*.tsv); L=$(basename "$D"/jyzt_*.jsonl)
C=$(basename "$(ls "$D"/mz_roster_*.csv | tail -1)")   # the latest roster
"$BIN/adapter-police" --home "$H" "$D/$P" >/dev/null
"$BIN/adapter-familyplanning" --home "$H" "$D/$F" >/dev/null
"$BIN/adapter-labour" --home "$H" "$D/$L" >/dev/null
"$BIN/adapter-civilaffairs" --home "$H" "$D/$C" >/dev/null

# the export's column names as the generator writes them -> the record's field names
field() {
    case "$1" in
        姓名|xm) echo name ;; 户籍地址) echo registered_address ;; 现住址) echo current_address ;;
        现居住地址|住址|jzdz) echo address ;; 联系电话|lxdh) echo phone ;; 人员状态|状态) echo status ;;
        jyzt) echo employment_status ;; *) echo "$1" ;;
    esac
}
for pair in "police $P" "familyplanning $F" "labour $L" "civilaffairs $C"; do
    set -- $pair
    dept=$1 file=$2
    out=$(DESK "$dept" reconcile "$dept" "$D/$file"); rc=$?
    check "$dept: the export as loaded reconciles clean (exit 0, nothing listed)" \
        bash -c '[ "$0" = 0 ] && grep -q "0 missing from the hub, 0 no longer in the export, 0 differing" <<<"$1" &&
                 [ "$(grep -c "^\(missing_in_hub\|gone_from_export\|differs\)	" <<<"$1")" = 0 ]' "$rc" "$out"
    out=$(DESK "$dept" reconcile "$dept" "$D/reconcile/$file"); rc=$?
    check_eq "$dept: the changed export: exit 1" 1 "$rc"
    got=$(grep -E "^(missing_in_hub|gone_from_export|differs)	" <<<"$out" | cut -f1-3 | sort)
    want=$(awk -F, -v f="$file" 'NR > 1 && $1 == f { print $2 "\t" $4 "\t" $5 }' "$D/reconcile/expected.csv" |
           while IFS=$'\t' read -r kind key col; do printf '%s\t%s\t%s\n' "$kind" "$key" "$([ -n "$col" ] && field "$col")"; done | sort)
    check_eq "$dept: exactly the planted differences ($(wc -l <<<"$want") rows: 3 missing, 3 gone, 3 changed)" "$want" "$got"
done
check "the summary line says how many of each" grep -q "^reconciled: [0-9]* records in the export, [0-9]* in the hub: 3 missing from the hub, 3 no longer in the export, 3 differing (3 fields)$" <<<"$out"

# ---- who may ----
CTL principal add beilong committee:350802001002 --key-out "$T_TMP/bl.key" >/dev/null
out=$(DESK civilaffairs reconcile police "$D/$P" 2>&1); rc=$?
check "civil affairs may not reconcile the police's (exit 3, says who may)" \
    bash -c '[ "$0" = 3 ] && grep -q "reconciled by that department.s own principal" <<<"$1"' "$rc" "$out"
out=$(CTL reconcile police "$D/$P" 2>&1); rc=$?
check_eq "nor the administrator (the records hold the department's sensitive fields): exit 3" 3 "$rc"
out=$("$BIN/hubctl" --home "$H" --principal beilong --key "$T_TMP/bl.key" reconcile police "$D/$P" 2>&1); rc=$?
check_eq "nor a committee (exit 3)" 3 "$rc"
out=$("$BIN/adapter-police" --home "$H" --reconcile "$D/$P" 2>&1); rc=$?
check "the adapter's own key does not read: it says to give the department's principal (exit 2)" \
    bash -c '[ "$0" = 2 ] && grep -q "own principal" <<<"$1"' "$rc" "$out"
out=$(CTL reconcile nosuch "$D/$P" 2>&1); rc=$?
check_eq "an unknown department: usage (exit 2)" 2 "$rc"
check "each page asked is audited" test "$(audit_sql "$H" "SELECT count(*) FROM audit_log WHERE kind = 'records'")" -ge 8
hub_stop
t_done
