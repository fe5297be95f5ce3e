# --follow: a drop folder watched by the police adapter. Files dropped while
# the hub is down are delivered once it is up; an adapter killed mid-file
# and restarted delivers every row exactly once; a finished file is never
# sent again; an idle adapter sends heartbeats.
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
hub_init "$H" 16600 "log_level = debug"
hub_start "$H" >/dev/null && hub_stop     # first start makes the keys
DROP=$T_TMP/drop
mkdir -p "$DROP"
"$BIN/gen-district" --out "$T_TMP/d1" --people 800 --seed 3 --date 20261101 >/dev/null
"$BIN/gen-district" --out "$T_TMP/d2" --people 40000 --seed 4 --date 20261102 >/dev/null
rows1=$(grep -c ",police," "$T_TMP/d1/truth.csv")
rows2=$(grep -c ",police," "$T_TMP/d2/truth.csv")
drop() { cp "$1" "$DROP/.$(basename "$1").part" && mv "$DROP/.$(basename "$1").part" "$DROP/$(basename "$1")"; }
count() { sql "$H" "SELECT count(*) FROM source_records" 2>/dev/null || echo 0; }
# wait_count N SECONDS: until the registry holds N records
wait_count() { for _ in $(seq 1 $(($2 * 10))); do [ "$(count)" = "$1" ] && return 0; sleep 0.1; done; return 1; }

# 1. hub down: the file waits in the adapter, then goes in
"$BIN/adapter-police" --home "$H" --follow "$DROP" --poll 200 --heartbeat 1 --ack-timeout 500 > "$T_TMP/a1.out" 2>"$T_TMP/a1.err" &
A=$!; T_PIDS="$T_PIDS $A"
drop "$T_TMP/d1/hukou_20261101.csv"
sleep 1.5
check "the adapter keeps waiting while the hub is down" kill -0 "$A"
hub_start "$H" >/dev/null
check "files dropped while the hub was down are delivered once it is up" wait_count "$rows1" 30
sleep 2
check "an idle adapter sends heartbeats" grep -q '"msgid":"HUB-ADAPTER-HEARTBEAT","principal":"police"' "$H/hub.log"

# 2. a big file; kill the adapter in the middle of it; restart
drop "$T_TMP/d2/hukou_20261102.csv"
for _ in $(seq 1 300); do [ "$(count)" -gt $((rows1 + 3000)) ] && break; sleep 0.05; done
kill -9 "$A"; wait "$A" 2>/dev/null
sleep 1   # what the killed adapter had sent may still be committing
mid=$(count)
check "the adapter was killed mid-file ($((mid - rows1)) of $rows2 rows in)" test "$mid" -gt "$rows1" -a "$mid" -lt $((rows1 + rows2))
"$BIN/adapter-police" --home "$H" --follow "$DROP" --poll 200 > "$T_TMP/a2.out" 2>"$T_TMP/a2.err" &
A=$!; T_PIDS="$T_PIDS $A"
check "after the restart every row arrives" wait_count $((rows1 + rows2)) 60
sleep 0.5
kill -TERM "$A"; wait "$A"
check_eq "SIGTERM stops a following adapter with status 0" 0 "$?"
read -r _ read2 _ _ acc _ dup _ _ < <(tr -d ',' < "$T_TMP/a2.out")
check_eq "the restarted adapter stored exactly the rows that were missing" "$((rows1 + rows2 - mid))" "$acc"
check "it resent no more than its window of unacknowledged batches (8 x 500): $dup duplicates" test "$dup" -le 4000
check_eq "every row stored exactly once" "$((rows1 + rows2))" "$(count)"
check_eq "no key stored twice" 0 "$(sql "$H" "SELECT count(*) FROM (SELECT 1 FROM source_records GROUP BY source, source_key HAVING count(*) > 1)")"

# 3. a third start sends nothing: both files are finished
"$BIN/adapter-police" --home "$H" --follow "$DROP" --poll 200 > "$T_TMP/a3.out" 2>/dev/null &
A=$!; T_PIDS="$T_PIDS $A"
sleep 1.5
kill -TERM "$A"; wait "$A"
check_eq "finished files are not read again" "adapter-police: 0 rows read, 0 accepted, 0 duplicates, 0 rejected" "$(cat "$T_TMP/a3.out")"
check "a temporary name in the drop folder is ignored" test -z "$(ls -A "$DROP" | grep '^\.')"
hub_stop
t_done
