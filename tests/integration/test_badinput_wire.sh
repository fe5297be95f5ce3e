# Bad input on the wire, against a real hubd (the cases test_badinput.sh
# does not cover): over-long protobuf, a length field that claims 4 GiB,
# nesting beyond the schema, too many records, a huge string, an unknown
# Department, strings that are not UTF-8 or hold a NUL, sequence numbers
# replayed, reused, going back or skipping, and a key not in principals.
# Each refusal: its answer, a quarantine entry, a log line; afterwards the
# hub answers a query and takes a good batch.
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
hub_init "$H" 17500
hub_start "$H" >/dev/null || fail "hubd starts"
poke() { "$BIN/tests/hubpoke" --home "$H" "$@"; }
quarantined() { sql "$H" "SELECT count(*) FROM quarantine"; }
logged() { grep -c "\"msgid\":\"$1\"" "$H/hub.log"; }
# refused KIND ANSWER [HUBPOKE ARGS...]: the whole message refused with ANSWER
# (status, code, counts, reason), quarantined whole with that reason, logged once
refused() {
    local what=$1 want=$2; shift 2
    local q0 l0 out
    q0=$(quarantined); l0=$(logged HUB-INGEST-REFUSE)
    out=$(poke "$@")
    check_eq "$what: refused" "$want" "$out"
    check_eq "$what: quarantined whole with its reason" "$((q0 + 1))|${want#*reason=}|" \
        "$(quarantined)|$(sql "$H" "SELECT reason || '|' || coalesce(record_index, '') FROM quarantine ORDER BY id DESC LIMIT 1")"
    check_eq "$what: logged" "$((l0 + 1))" "$(logged HUB-INGEST-REFUSE)"
}
# rejected KIND REASON [HUBPOKE ARGS...]: the batch taken, its one record
# rejected with REASON, quarantined as record 0 with that reason, logged once
rejected() {
    local what=$1 want=$2; shift 2
    local q0 l0 out
    q0=$(quarantined); l0=$(logged HUB-INGEST-REJECT)
    out=$(poke "$@")
    check_eq "$what: the record rejected" "record_code=EINVAL status=ACK_OK code=OK results=1 rejected=1 reason=$want" "$out"
    check_eq "$what: quarantined as record 0 with its reason" "$((q0 + 1))|$want|0" \
        "$(quarantined)|$(sql "$H" "SELECT reason || '|' || record_index FROM quarantine ORDER BY id DESC LIMIT 1")"
    check_eq "$what: logged" "$((l0 + 1))" "$(logged HUB-INGEST-REJECT)"
}
stored() { sql "$H" "SELECT count(*) FROM source_records WHERE source_key = '$1'"; }
for k in 0 1 2 3 4 5 6 7 8 9; do eval "K$k=$(idno "1101011990030745$k")"; done   # a number for each case

# --- whole messages the hub cannot use ---
refused "over-long protobuf (8 bytes after the message)" \
    "status=ACK_REJECTED code=EPROTO results=0 rejected=0 reason=not a hub.Message (undecodable protobuf)" trailing
refused "a length field that claims 4 GiB" \
    "status=ACK_REJECTED code=EPROTO results=0 rejected=0 reason=not a hub.Message (undecodable protobuf)" hugelen
refused "records nested 100000 deep" \
    "status=ACK_REJECTED code=EPROTO results=0 rejected=0 reason=not a hub.Message (undecodable protobuf)" deep 100000
check_eq "... its 400 kB kept whole" 1 "$(sql "$H" "SELECT length(bytes) > 300000 FROM quarantine ORDER BY id DESC LIMIT 1")"
refused "a batch of 10001 records" \
    "status=ACK_REJECTED code=ETOOBIG results=0 rejected=0 reason=batch of 10001 records is over the limit of 10000" many 10001
check_eq "... none of them stored" 0 "$(stored HUBPOKE00000000)"
check_eq "a batch of 10000 records is taken" "status=ACK_OK code=OK results=10000 rejected=0 reason=" "$(poke many 10000)"
refused "an envelope sender that is not UTF-8" \
    "status=ACK_REJECTED code=EPROTO results=0 rejected=0 reason=envelope.sender is not valid UTF-8 (byte 4 of 8 is 0xFF)" badsender
refused "a string holding a NUL byte (it would be cut short)" \
    "status=ACK_REJECTED code=EPROTO results=0 rejected=0 reason=message does not survive decoding unchanged (92 bytes, 91 decoded): a NUL byte in a string, a field given twice, or a padded encoding" \
    --seq 4000000000000 --idno "$K1" nulstr
check_eq "... kept whole" 92 "$(sql "$H" "SELECT length(bytes) FROM quarantine ORDER BY id DESC LIMIT 1")"
check_eq "... nothing of it stored" 0 "$(stored $K1)"

# --- single records the hub cannot use; the rest of a batch goes in ---
rejected "a name of 100000 bytes" "police.name.raw is 100000 bytes, over the limit of 65536" \
    --idno $K2 hugestr 100000
check_eq "... not stored" 0 "$(stored $K2)"
check_eq "a name of 65536 bytes is taken" "status=ACK_OK code=OK results=1 rejected=0 reason=" \
    "$(poke --idno $K3 hugestr 65536)"
rejected "Department 99" "record has no known source department" --idno $K4 dept99
check_eq "... not stored" 0 "$(stored $K4)"
rejected "a name that is not UTF-8" "police.name.raw is not valid UTF-8 (byte 4 of 5 is 0xFF)" \
    --idno $K5 badutf8
check_eq "... not stored" 0 "$(stored $K5)"
check_eq "... kept in quarantine as received (张 FF FE)" 1 \
    "$(sql "$H" "SELECT instr(hex(bytes), 'E5BCA0FFFE') > 0 FROM quarantine ORDER BY id DESC LIMIT 1")"

# --- sequence numbers: (sender, seq) names a batch ---
S=5000000000000
first=$(poke --seq $S --idno $K6 good)
check_eq "seq S: taken" "status=ACK_OK code=OK results=1 rejected=0 reason=" "$first"
digest=$(sql "$H" "SELECT hex(digest) FROM batches WHERE sender = 'police' AND seq = $S")
l0=$(logged HUB-INGEST-REPLAY)
check_eq "the same bytes under seq S again: the stored ack" "$first" "$(poke --seq $S --idno $K6 good)"
check_eq "... logged as a replay" "$((l0 + 1))" "$(logged HUB-INGEST-REPLAY)"
refused "another batch under seq S" \
    "status=ACK_REJECTED code=ESEQ results=0 rejected=0 reason=seq $S was used for another batch already; this one is not stored" \
    --seq $S --idno $K7 good
check_eq "... the first batch under seq S stays as it was" "$digest" \
    "$(sql "$H" "SELECT hex(digest) FROM batches WHERE sender = 'police' AND seq = $S")"
check_eq "... nothing of the second stored" 0 "$(stored $K7)"
l0=$(logged HUB-INGEST-SEQ-BACK)
check_eq "a seq below the highest: taken" "status=ACK_OK code=OK results=1 rejected=0 reason=" \
    "$(poke --seq $((S - 1000)) --idno $K8 good)"
check_eq "... and logged" "$((l0 + 1))" "$(logged HUB-INGEST-SEQ-BACK)"
check "... with both numbers" grep -q "\"msgid\":\"HUB-INGEST-SEQ-BACK\",\"principal\":\"police\",\"seq\":$((S - 1000)),\"highest\":$S" "$H/hub.log"
check_eq "a seq that skips 1000: taken" "status=ACK_OK code=OK results=1 rejected=0 reason=" \
    "$(poke --seq $((S + 1000)) --idno $K9 good)"
check_eq "... without a log line (heartbeats and restarts skip seqs)" "$((l0 + 1))" "$(logged HUB-INGEST-SEQ-BACK)"

# --- a key that is not in principals: nothing reaches ingest ---
"$BIN/hubctl" keygen "$T_TMP/stranger.key" >/dev/null
q0=$(quarantined)
out=$("$BIN/tests/hubpoke" --home "$H" --principal stranger --key "$T_TMP/stranger.key" good); rc=$?
check_eq "a batch from an unlisted key: no answer (CURVE refuses the handshake)" "3 no answer" "$rc $out"
check "... logged" grep -q '"msgid":"HUB-AUTH-DENY".*"reason":"key not in principals"' "$H/hub.log"
check_eq "... no bytes of it received, so nothing to quarantine" "$q0" "$(quarantined)"

# --- the hub keeps serving ---
check_eq "quarantine: one entry per refusal and rejection" 10 "$(quarantined)"
check_eq "hubctl quarantine lists them" 10 "$("$BIN/hubctl" --home "$H" quarantine | grep -c ' from police ')"
check "the hub answers a query afterwards" grep -qE "^resident [0-9]+  identity number $K6  \(1 source record\)$" \
    <<<"$("$BIN/hubctl" --home "$H" get --idno "$K6")"
check_eq "... and takes a good batch" "status=ACK_OK code=OK results=1 rejected=0 reason=" \
    "$(poke --idno $K0 good)"
check_eq "... stored" 1 "$(stored $K0)"
check_eq "registry intact" ok "$(sql "$H" "PRAGMA integrity_check")"
hub_stop; check_eq "SIGTERM stops hubd cleanly" 0 "$?"
t_done
