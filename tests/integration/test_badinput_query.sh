# SQL-looking text, text that is not UTF-8 and over-long text in every
# string a reader can send, against a real hubd with a loaded district:
# every request is answered or refused in plain words (never left without
# an answer), refusals are logged and audited, and afterwards the registry
# is whole (every table's rows, integrity, the audit chain) and the hub
# still answers and takes a good batch.
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
hub_init "$H" 17510
hub_start "$H" >/dev/null || fail "hubd starts"
"$BIN/gen-district" --out "$T_TMP/d" --people 300 --seed 5 >/dev/null
D=$T_TMP/d
"$BIN/adapter-police" --home "$H" "$D"/hukou_*.csv >/dev/null
"$BIN/adapter-familyplanning" --home "$H" "$D"/wis_*.tsv >/dev/null
"$BIN/adapter-labour" --home "$H" "$D"/jyzt_*.jsonl >/dev/null
"$BIN/adapter-civilaffairs" --home "$H" "$D"/mz_roster_*.csv "$D/facilities.csv" >/dev/null
check "a district is loaded" test "$(sql "$H" "SELECT count(*) FROM source_records")" -gt 300

# every table of the registry (the audit log is audit.db), with its row count and a digest of its rows
snapshot() {
    sql "$H" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name" |
        while read -r t; do echo "$t $(sql "$H" "SELECT count(*) FROM \"$t\"") $(sqlite3 -readonly "$H/registry.db" ".dump \"$t\"" | md5sum | cut -c1-12)"; done
}
rules_settled "$H"   # (the checks write alerts in the background after a load)
before=$(snapshot)
check "the snapshot names the registry's tables" grep -q '^source_records ' <<<"$before"
audit0=$(audit_sql "$H" "SELECT count(*) FROM audit_log")

S="'; DROP TABLE source_records; --"
n=0
# ask WHAT ARGS...: hubctl answers (0) or refuses (1 from the hub, 2 by hubctl itself) in words
ask() {
    local what=$1; shift
    local out rc
    out=$("$BIN/hubctl" --home "$H" --timeout 5000 "$@" 2>&1); rc=$?
    n=$((n + 1))
    if [ "$rc" -le 2 ] && [ -n "$out" ] && ! grep -q "no answer" <<<"$out"; then
        ok "$what: answered or refused ($rc): $(head -1 <<<"$out" | cut -c1-90)"
    else
        fail "$what: status $rc, output '$out'"
    fi
}
ask "get --idno" get --idno "$S"
ask "search --name" search --name "$S"
ask "search --phone" search --phone "$S"
ask "search --address" search --address "$S"
ask "search --birth" search --birth "$S"
ask "search, every field at once" search --name "$S" --phone "$S" --address "$S" --birth "$S"
ask "household" household "$S"
ask "roster AREA" roster "$S"
for f in status category employment entitlement household gender age; do
    ask "roster --$f" roster --$f "$S"
done
ask "roster --entitlement CAT:STATUS" roster --entitlement "$S:$S"
ask "figures AREA" figures "$S"
ask "facilities --community" facilities --community "$S"
ask "history --resident" history --resident "$S"
ask "events --resident" events --resident "$S"
ask "review show" review show "$S"
ask "undo" undo "$S"
ask "audit --resident" audit --resident "$S"
ask "--purpose" --purpose "$S" stats
ask "principal add NAME" principal add "$S" operator --key-out "$T_TMP/k1"
ask "principal add ROLE" principal add sqlrole "street:$S" --key-out "$T_TMP/k2"
ask "principal add KEY" principal add sqlkey operator --public-key "$S"
ask "principal revoke NAME" principal revoke "$S"
ask "backup FILE" backup "$T_TMP/$S"
# the raw query fields hubctl never sends as given: the command itself, and
# its name, role, public key and filter, all the SQL text
out=$("$BIN/tests/hubpoke" --home "$H" q-command "$S")
check_eq "an operator's command named by SQL text: refused" "status=EINVAL error=record failed validation report=unknown command \`$S\`" "$out"

# a name or role with a line break would write a principal of its own
key=$("$BIN/hubctl" keygen "$T_TMP/mallory.key")
out=$("$BIN/hubctl" --home "$H" principal add x "street:x
mallory admin $key" --public-key "$key" 2>&1); rc=$?
check_eq "a role with a line break: refused" "1 the role must be one word" "$rc $out"
out=$("$BIN/hubctl" --home "$H" principal add "x
mallory" admin --public-key "$key" 2>&1); rc=$?
check_eq "a name with a line break: refused" "1 the name must be one word" "$rc $out"
check "... and no principal was written by them" bash -c "! grep -q mallory '$H/principals'"
"$BIN/hubctl" --home "$H" --principal mallory --key "$T_TMP/mallory.key" --timeout 1500 stats >/dev/null 2>&1
check_eq "... so that key is not admitted" 3 "$?"

# text that is not UTF-8, and text over the limit, in a query
l0=$(grep -c '"msgid":"HUB-QUERY-REFUSE"' "$H/hub.log")
check_eq "a search name that is not UTF-8: refused, saying where" \
    "status=EINVAL error=query.search.name is not valid UTF-8 (byte 4 of 4 is 0xFF) report=" \
    "$("$BIN/tests/hubpoke" --home "$H" q-badutf8)"
check_eq "an address of 1 MB: refused" "status=EINVAL error=query.search.address is 1000000 bytes, over the limit of 4096 report=" \
    "$("$BIN/tests/hubpoke" --home "$H" q-hugestr 1000000)"
check_eq "both refusals logged" "$((l0 + 2))" "$(grep -c '"msgid":"HUB-QUERY-REFUSE"' "$H/hub.log")"
check_eq "... and audited as refused" 2 \
    "$(audit_sql "$H" "SELECT count(*) FROM (SELECT outcome FROM audit_log ORDER BY id DESC LIMIT 2) WHERE outcome LIKE 'refused: query.search.%'")"
check "the audit log stays UTF-8 (a long Chinese search is cut at a character)" bash -c \
    "'$BIN/hubctl' --home '$H' search --address '$(printf '龙%.0s' $(seq 1 80))' >/dev/null 2>&1;
     sqlite3 -readonly '$H/audit.db' 'SELECT args FROM audit_log ORDER BY id DESC LIMIT 1' | iconv -f UTF-8 -t UTF-8 >/dev/null"

# the registry is whole
check_eq "every table as it was (the audit log is audit.db)" "$before" "$(snapshot)"
check_eq "registry integrity" ok "$(sql "$H" "PRAGMA integrity_check")"
check "every request was audited" test "$(audit_sql "$H" "SELECT count(*) FROM audit_log")" -gt "$audit0"
check "the audit chain is whole" grep -q "^the audit log is whole" <<<"$("$BIN/hubctl" --home "$H" audit verify)"
check "the hub still answers" grep -qE "^residents +[0-9]+" <<<"$("$BIN/hubctl" --home "$H" stats)"
check_eq "... and takes a good batch" "status=ACK_OK code=OK results=1 rejected=0 reason=" \
    "$("$BIN/tests/hubpoke" --home "$H" --idno "$(idno 11010119900307460)" good)"
hub_stop; check_eq "SIGTERM stops hubd cleanly" 0 "$?"
t_done
