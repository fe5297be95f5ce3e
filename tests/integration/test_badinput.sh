# Bad input and strangers against a real hubd: every unusable message gets a
# negative ack and a quarantine entry, the hub keeps serving, unknown keys
# are refused and logged, a bad hub.conf stops start-up with its line.
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
hub_init "$H" 16200 "max_message_bytes = 65536"
hub_start "$H" >/dev/null || fail "hubd starts"
poke() { "$BIN/tests/hubpoke" --home "$H" "$@"; }

check_eq "garbage bytes: refused as malformed" "status=ACK_REJECTED code=EPROTO" "$(poke garbage | cut -d' ' -f1-2)"
check_eq "truncated protobuf: refused as malformed" "status=ACK_REJECTED code=EPROTO" "$(poke truncated | cut -d' ' -f1-2)"
check_eq "oversized frame: refused as too big" "status=ACK_REJECTED code=ETOOBIG" "$(poke oversized 100000 | cut -d' ' -f1-2)"
check_eq "wrong schema version: refused" "status=ACK_REJECTED code=EVERSION" "$(poke version | cut -d' ' -f1-2)"
check_eq "envelope naming another principal: refused" "status=ACK_REJECTED code=EDENIED" "$(poke sender | cut -d' ' -f1-2)"
check_eq "another department's record: that record rejected" \
    "record_code=EDENIED status=ACK_OK code=OK results=1 rejected=1" "$(poke foreign | cut -d' ' -f1-5)"
check_eq "the hub still accepts good input afterwards" "status=ACK_OK code=OK results=1 rejected=0" \
    "$(poke good | cut -d' ' -f1-4)"
check_eq "six quarantine entries" 6 "$(stat_of "$H" quarantined)"
check_eq "quarantine keeps the garbage bytes whole, with the reason" "1|64|not a hub.Message (undecodable protobuf)" \
    "$(sql "$H" "SELECT reason_code, length(bytes), reason FROM quarantine ORDER BY id LIMIT 1")"
check_eq "quarantine keeps the oversized frame whole" 100000 "$(sql "$H" "SELECT length(bytes) FROM quarantine WHERE reason_code = 6")"
q=$("$BIN/hubctl" --home "$H" quarantine)
check_eq "hubctl quarantine lists the six entries" 6 "$(grep -c ' from police ' <<<"$q")"
check "hubctl quarantine says what and why, without the bytes" \
    grep -qE "^[0-9]+  [0-9T:-]+Z  from police  whole message  ETOOBIG \(100000 bytes\): message of 100000 bytes is over the limit of 65536$" <<<"$q"
"$BIN/hubctl" --home "$H" principal add ops operator --key-out "$T_TMP/ops.key" >/dev/null
check_eq "an operator may list the quarantine" 6 \
    "$("$BIN/hubctl" --home "$H" --principal ops --key "$T_TMP/ops.key" quarantine | grep -c ' from police ')"
"$BIN/hubctl" --home "$H" principal add fpdesk department:familyplanning --key-out "$T_TMP/fp.key" >/dev/null
"$BIN/hubctl" --home "$H" --principal fpdesk --key "$T_TMP/fp.key" quarantine >/dev/null 2>&1
check_eq "a department may not" 1 "$?"
check_eq "each refusal is logged with its reason" 5 "$(grep -c '"msgid":"HUB-INGEST-REFUSE"' "$H/hub.log")"
check_eq "the rejected record is logged" 1 "$(grep -c '"msgid":"HUB-INGEST-REJECT"' "$H/hub.log")"

# strangers
"$BIN/hubctl" keygen "$T_TMP/stranger.key" >/dev/null
"$BIN/hubctl" --home "$H" --principal stranger --key "$T_TMP/stranger.key" --timeout 1500 stats >/dev/null 2>&1
check_eq "an unknown key gets no answer" 3 "$?"
check "an unknown key is logged" grep -q '"msgid":"HUB-AUTH-DENY".*"reason":"key not in principals"' "$H/hub.log"
"$BIN/hubctl" --home "$H" --principal police --timeout 1500 stats >/dev/null 2>&1
check_eq "an adapter's key may not query" 3 "$?"
check_eq "the hub still answers its administrator" 0 "$("$BIN/hubctl" --home "$H" stats >/dev/null; echo $?)"
hub_stop

# a bad hub.conf stops start-up with the line and the reason
H2=$T_TMP/hub2
hub_init "$H2" 16210 "group_commit_max_ms = soon"
msg=$("$BIN/hubd" --home "$H2" 2>&1); rc=$?
check_eq "bad config: hubd exits 1" 1 "$rc"
check_eq "bad config: says where and why" "hubd: $H2/hub.conf:5: \`group_commit_max_ms = soon\`: not a whole number" "$msg"
t_done
