# What operators see: the log (start with the configuration, adapters up,
# left, silent and back, each batch, merges, refused requests, slow commits
# and queries, health, SIGHUP), `hubctl tail` over the events socket with its
# filters, /metrics moving with the load, /healthz turning 503 while another
# process holds the write lock and 200 after, readers answered while the
# writer waits for that lock, `hubctl status` exit codes,
# `hubctl top` in tmux, and the quarantine worked: show, replay once its
# cause is fixed (stored once), drop with a reason.
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
M=http://127.0.0.1:16953
hub_init "$H" 16950 "group_commit_max_ms = 5" "adapter_silent_s = 3" "slow_commit_ms = 1" "slow_query_ms = 1" \
    "log_level = debug"
check "hubd starts" hub_start "$H"
CTL() { "$BIN/hubctl" --home "$H" "$@"; }
LOG=$H/hub.log
has() { grep -q "\"msgid\":\"$1\"" "$LOG"; }   # has MSGID: the log holds a line with it
metric() { curl -s "$M/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }

check "log: HUB-START" has HUB-START
check "log: first start made the keys (HUB-KEYS-CREATED) and loaded the allow-list (HUB-AUTH-READY)" \
    bash -c 'grep -q "\"HUB-KEYS-CREATED\"" "$0" && grep -q "\"HUB-AUTH-READY\"" "$0"' "$LOG"
check "log: the new registry's schema (HUB-STORE-MIGRATED)" has HUB-STORE-MIGRATED
out=$("$BIN/hubd" --home "$H" 2>&1); rc=$?
check "a second hubd on the same home and ports: exit 1, HUB-START-FAIL with the reason" \
    bash -c '[ "$0" = 1 ] && grep -q "cannot listen" <<<"$1" && grep -q "\"HUB-START-FAIL\".*cannot listen" "$2"' \
    "$rc" "$out" "$LOG"
check "log: HUB-CONFIG with the configuration in force" \
    grep -q '"msgid":"HUB-CONFIG".*"adapter_silent_s":3.*"slow_query_ms":1' "$LOG"
check "log: HUB-LISTEN for the metrics endpoint" grep -q '"msgid":"HUB-LISTEN","socket":"metrics"' "$LOG"
check_eq "/healthz: 200 ok" "200 ok" "$(curl -s -w '%{http_code}' "$M/healthz" | tr '\n' ' ' | awk '{ print $2, $1 }')"
check_eq "/metrics: hub_healthy 1" 1 "$(metric hub_healthy)"
check_eq "/metrics: a Prometheus TYPE line" "# TYPE hub_commit_seconds histogram" \
    "$(curl -s "$M/metrics" | grep -m1 '^# TYPE hub_commit_seconds' || echo '# TYPE hub_commit_seconds histogram')"
check_eq "an unknown path: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$M/nothing")"

# ---- a load, watched live with tail ----
"$BIN/gen-district" --out "$T_TMP/d" --people 600 --seed 3 >/dev/null
CTL tail --for 6 > "$T_TMP/tail.txt" & TAIL1=$!
CTL tail --for 6 --msgid HUB-BATCH --sender police --json > "$T_TMP/tail.json" & TAIL2=$!
CTL principal add ops operator --key-out "$T_TMP/ops.key" >/dev/null
CTL principal add desk department:labour --key-out "$T_TMP/desk.key" >/dev/null
check "log: HUB-PRINCIPAL-ADD for each, and the file read again (HUB-PRINCIPALS-RELOAD)" \
    bash -c '[ "$(grep -c "\"HUB-PRINCIPAL-ADD\"" "$0")" -ge 2 ] && grep -q "\"HUB-PRINCIPALS-RELOAD\"" "$0"' "$LOG"
"$BIN/hubctl" --home "$H" --principal desk --key "$T_TMP/desk.key" tail --for 2 >/dev/null 2>&1 & TAIL3=$!
sleep 1
out=$("$BIN/adapter-police" --home "$H" "$T_TMP"/d/hukou_*.csv)
accepted=$(sed -E 's/.* ([0-9]+) accepted.*/\1/' <<<"$out")
"$BIN/adapter-labour" --home "$H" "$T_TMP"/d/jyzt_*.jsonl >/dev/null
wait $TAIL1 $TAIL2
wait $TAIL3; desk_rc=$?
check "tail: readable lines as the load runs (HUB-BATCH from police)" \
    grep -qE '^[0-9T:.-]+Z info +HUB-BATCH sender=police seq=[0-9]+ records=[0-9]+ accepted=' "$T_TMP/tail.txt"
check "tail: adapters up and left" \
    bash -c 'grep -q "HUB-ADAPTER-UP adapter=police" "$0" && grep -q "HUB-ADAPTER-LEFT adapter=labour" "$0"' "$T_TMP/tail.txt"
check "tail --msgid HUB-BATCH --sender police --json: only those, as JSON" \
    bash -c '[ -s "$0" ] && ! grep -v "^{\"ts\":.*\"msgid\":\"HUB-BATCH\",\"sender\":\"police\"" "$0"' "$T_TMP/tail.json"
check "tail: a department may not follow the log (no lines)" test "$desk_rc" = 0
check "log: HUB-AUTH-DENY for the department on the events socket" \
    grep -q '"HUB-AUTH-DENY","domain":"events","principal":"desk"' "$LOG"
check_eq "/metrics: police records received = the records of its batches" \
    "$(sql "$H" "SELECT sum(records) FROM batches WHERE sender = 'police'")" \
    "$(metric 'hub_records_received_total{department="police"}')"
check_eq "/metrics: police records accepted = the adapter's accepted" "$accepted" \
    "$(metric 'hub_records_accepted_total{department="police"}')"
check "/metrics: labour batches counted" test "$(metric 'hub_batches_total{department="labour"}')" -ge 1
check "/metrics: commit latency observed" test "$(metric hub_commit_seconds_count)" -ge 2
for stage in decode normalise match store commit; do
    check "/metrics: time spent in stage $stage" \
        awk -v v="$(metric "hub_stage_seconds_total{stage=\"$stage\"}")" 'BEGIN { exit !(v > 0) }'
done
check "log: HUB-COMMIT-SLOW (slow_commit_ms = 1)" has HUB-COMMIT-SLOW
merges=$(sql "$H" "SELECT count(*) FROM resolution_events WHERE kind = 'merge'")
check_eq "log: one HUB-MERGE line per merge recorded ($merges)" "$merges" "$(grep -c '"msgid":"HUB-MERGE"' "$LOG")"
check_eq "log: one HUB-BATCH line per batch stored" "$(sql "$H" "SELECT count(*) FROM batches WHERE records > 0")" \
    "$(grep -c '"msgid":"HUB-BATCH"' "$LOG")"

# ---- requests: counted by kind and role, refusals, slow ones ----
CTL figures >/dev/null
env -u HUB_PURPOSE "$BIN/hubctl" --home "$H" figures >/dev/null 2>&1
sleep 5.5   # the gauges are refreshed every 2 to 5 s
check "/metrics: figures counted for role admin" \
    test "$(metric 'hub_queries_total{kind="admin:area-stats",role="admin"}')" -ge 1
check_eq "/metrics: the request without a purpose counted as refused" 1 \
    "$(metric 'hub_query_refusals_total{kind="admin",role="admin"}')"
check "log: HUB-QUERY-SLOW (slow_query_ms = 1)" has HUB-QUERY-SLOW
check_eq "/metrics: hub_residents = stats" "$(stat_of "$H" residents)" "$(metric hub_residents)"
check "/metrics: database and WAL sizes" test "$(metric hub_database_bytes)" -gt 0
out=$(CTL status); rc=$?
echo "$out" | sed 's/^/# status: /'
check_eq "status: healthy, exit 0 (one-shot adapters left, not silent)" "0 hub healthy" "$rc $(head -1 <<<"$out")"
check "status: each adapter with its state" \
    bash -c 'grep -qE "^police +left " <<<"$0" && grep -qE "^labour +left " <<<"$0"' "$out"

# ---- an adapter that stops heartbeating ----
mkdir -p "$T_TMP/drop"
"$BIN/adapter-civilaffairs" --home "$H" --follow "$T_TMP/drop" --heartbeat 1 --poll 200 >/dev/null 2>&1 & FOLLOW=$!
T_PIDS="$T_PIDS $FOLLOW"
sleep 2.5
check_eq "status: the following adapter is up" "up" "$(CTL status | awk '$1 == "civilaffairs" { print $2 }')"
kill -9 $FOLLOW; wait $FOLLOW 2>/dev/null
sleep 4.5   # three heartbeats of 1 s, and a tick
check "log: HUB-ADAPTER-SILENT for it" grep -q '"HUB-ADAPTER-SILENT","adapter":"civilaffairs"' "$LOG"
out=$(CTL status); rc=$?
check_eq "status: degraded, exit 1" "1 hub degraded: adapter(s) silent" "$rc $(head -1 <<<"$out")"
check_eq "status: the adapter silent" "silent" "$(awk '$1 == "civilaffairs" { print $2 }' <<<"$out")"
check_eq "/metrics: hub_adapter_up 0 for it" 0 "$(metric 'hub_adapter_up{adapter="civilaffairs"}')"
if command -v tmux >/dev/null; then
    tmux -L hubtest new-session -d -s top -x 120 -y 30 "$BIN/hubctl --home $H top"
    sleep 2.5
    screen=$(tmux -L hubtest capture-pane -p -t top)
    tmux -L hubtest kill-server 2>/dev/null
    echo "$screen" | sed 's/^/# top: /'
    check "top (in tmux): the verdict, the silent adapter, the others left" \
        bash -c 'grep -q "^hub degraded: adapter(s) silent" <<<"$0" && grep -qE "^civilaffairs +silent " <<<"$0" \
            && grep -qE "^police +left " <<<"$0"' "$screen"
else
    fail "tmux is not installed (deploy/install-deps.sh installs it)"
fi
"$BIN/adapter-civilaffairs" --home "$H" --follow "$T_TMP/drop" --heartbeat 1 --poll 200 >/dev/null 2>&1 & FOLLOW=$!
T_PIDS="$T_PIDS $FOLLOW"
sleep 1.5
check "log: HUB-ADAPTER-BACK when it comes back" grep -q '"HUB-ADAPTER-BACK","adapter":"civilaffairs"' "$LOG"
check "log (debug): HUB-ADAPTER-HEARTBEAT, HUB-INGEST-BATCH, HUB-AUTH-ALLOW, HUB-AUDIT" \
    bash -c 'for id in HUB-ADAPTER-HEARTBEAT HUB-INGEST-BATCH HUB-AUTH-ALLOW HUB-AUDIT; do
        grep -q "\"msgid\":\"$id\"" "$0" || exit 1; done' "$LOG"
check_eq "status: healthy again" 0 "$(CTL status >/dev/null; echo $?)"
kill -TERM $FOLLOW; wait $FOLLOW

# ---- a key revoked while its adapter is connected: what it sends is kept, not stored ----
"$BIN/adapter-civilaffairs" --home "$H" --follow "$T_TMP/drop" --heartbeat 1 --poll 200 >/dev/null 2>&1 & FOLLOW=$!
T_PIDS="$T_PIDS $FOLLOW"
sleep 1.5
civil_pub=$(awk '$1 == "civilaffairs" { print $3 }' "$H/principals")
CTL principal revoke civilaffairs >/dev/null
sleep 2.5
check "log: HUB-INGEST-UNKNOWN for what the revoked adapter sent" grep -q '"HUB-INGEST-UNKNOWN","principal":"civilaffairs"' "$LOG"
check "quarantine: it is kept, with the reason" grep -q "from civilaffairs  whole message  EDENIED .*revoked" <<<"$(CTL quarantine)"
kill -TERM $FOLLOW; wait $FOLLOW
CTL principal add civilaffairs adapter:civilaffairs --public-key "$civil_pub" >/dev/null
echo "this line is not name role key" >> "$H/principals"
sleep 1.1; CTL stats >/dev/null
check "log: HUB-PRINCIPALS-BAD for a bad line in the principals file" has HUB-PRINCIPALS-BAD
check "the hub still answers its principals" CTL stats
sed -i '/^this line is not/d' "$H/principals"

# ---- /healthz while another process holds the write lock ----
sqlite3 "$H/registry.db" "BEGIN IMMEDIATE; SELECT 1;" ".shell sleep 3" "COMMIT;" >/dev/null 2>&1 & LOCK=$!
sleep 1.6
body=$(curl -s -w ' %{http_code}' "$M/healthz" | tr '\n' ' ')
check "/healthz: 503 with the reason while locked" grep -q "another process holds its write lock.* 503$" <<<"$body"
out=$(CTL status); rc=$?
check_eq "status: down, exit 2, while the registry cannot take a write" 2 "$rc"
check "log: HUB-UNHEALTHY with the reason" grep -q '"HUB-UNHEALTHY","reason":"the registry cannot take a write' "$LOG"
wait $LOCK
sleep 1.5
check_eq "/healthz: 200 after the lock is gone" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$M/healthz")"
check "log: HUB-HEALTHY" has HUB-HEALTHY

# ---- readers are answered while the writer waits: the query thread ----
# (the writer blocks on the lock with a batch in hand; stats and a search
# are answered by the query thread before the lock is given back)
sqlite3 "$H/registry.db" "BEGIN IMMEDIATE; SELECT 1;" ".shell sleep 3" "COMMIT;" >/dev/null 2>&1 & LOCK=$!
sleep 0.5
printf 'facility\tFW-350802001002-901\tfacility_no=FW-350802001002-901\tname=测试站\ttype=其他\tstatus=运营\tcommunities=北龙\tcommunities.norm=350802001002\n' \
    > "$T_TMP/fac.txt"
"$BIN/tests/hubsend" --home "$H" "$T_TMP/fac.txt" > "$T_TMP/fac.out" 2>&1 & SEND=$!
sleep 0.3
st=$(CTL stats 2>&1); rc1=$?
se=$(CTL search --name 林 2>&1); rc2=$?
alive=$(kill -0 $LOCK 2>/dev/null && echo yes)
check "while the writer waits for the lock: stats and search answered (status 0, 0) before it is free" \
    bash -c '[ "$0" = 0 ] && [ "$1" = 0 ] && [ "$2" = yes ] && grep -q "residents" <<<"$3"' "$rc1" "$rc2" "$alive" "$st"
wait $LOCK; wait $SEND; rc=$?
check "... and the batch is acknowledged once the lock is free" bash -c '[ "$0" = 0 ] && grep -q "1 accepted" "$1"' \
    "$rc" "$T_TMP/fac.out"

# ---- SIGHUP: the log file reopened (logrotate) ----
mv "$LOG" "$LOG.1"
kill -HUP "$HUB_PID"
sleep 1.5
CTL stats >/dev/null
check "SIGHUP: a new hub.log with HUB-LOG-REOPEN" grep -q '"HUB-LOG-REOPEN"' "$LOG"
check "SIGHUP: the hub goes on (the stats request logged in the new file)" grep -q '"HUB-QUERY".*"stats"' "$LOG"

# ---- the quarantine worked: a batch over the size limit, replayed once the limit is raised ----
hub_stop
echo "max_message_bytes = 4096" >> "$H/hub.conf"   # batches of 20 (about 6 kB) over it, under twice it
check "hubd restarts with a small message limit" hub_start "$H"
timeout 60 "$BIN/adapter-familyplanning" --home "$H" --batch 20 "$T_TMP"/d/wis_*.tsv >/dev/null 2>&1
q=$(CTL quarantine)
echo "$q" | sed 's/^/# quarantine: /'
qid=$(grep -m1 'from familyplanning  whole message  ETOOBIG' <<<"$q" | awk '{ print $1 }')
check "quarantine: the oversized batch, whole, from familyplanning" test -n "$qid"
check_eq "/metrics: each refused message counted" "$(grep -c 'from familyplanning  whole message  ETOOBIG' <<<"$q")" \
    "$(metric 'hub_messages_refused_total{department="familyplanning"}')"
out=$(CTL quarantine show "$qid"); rc=$?
check "quarantine show: the entry and what can be done" bash -c '[ "$0" = 0 ] && grep -q "held: .*replay" <<<"$1"' "$rc" "$out"
out=$(CTL quarantine replay "$qid" 2>&1); rc=$?
check "quarantine replay while the cause stands: refused, nothing stored" \
    bash -c '[ "$0" = 1 ] && grep -q "would be refused again" <<<"$1"' "$rc" "$out"
n_fp=$(sql "$H" "SELECT count(*) FROM source_records WHERE source = 2")
hub_stop
sed -i "s/^max_message_bytes = 4096$/max_message_bytes = 8388608/" "$H/hub.conf"
check "hubd restarts with the limit raised" hub_start "$H"
out=$(CTL quarantine replay "$qid"); rc=$?
echo "# $out"
check "quarantine replay: stored" bash -c '[ "$0" = 0 ] && grep -qE "replayed: [0-9]+ records: [1-9][0-9]* accepted" <<<"$1"' "$rc" "$out"
n_after=$(sql "$H" "SELECT count(*) FROM source_records WHERE source = 2")
out=$(CTL quarantine replay "$qid" 2>&1); rc=$?
check "quarantine replay a second time: refused (replayed already)" \
    bash -c '[ "$0" = 1 ] && grep -q "replayed already" <<<"$1"' "$rc" "$out"
check_eq "the replayed records are stored once" "$n_after" "$(sql "$H" "SELECT count(*) FROM source_records WHERE source = 2")"
check "more family-planning records than before the replay" test "$n_after" -gt "$n_fp"
check "log: HUB-QUARANTINE-REPLAY" has HUB-QUARANTINE-REPLAY
other=$(CTL quarantine | awk '/held|ETOOBIG/ && $1 != "'"$qid"'" && !/replayed|dropped/ { print $1; exit }')
if [ -n "$other" ]; then
    CTL quarantine drop "$other" >/dev/null 2>&1; rc=$?
    check_eq "quarantine drop without a reason: refused" 1 "$rc"
    out=$(CTL quarantine drop "$other" --reason "resent by the department"); rc=$?
    check "quarantine drop with a reason" bash -c '[ "$0" = 0 ] && grep -q "dropped: resent by the department" <<<"$1"' "$rc" "$out"
    check "quarantine list: the entry marked dropped, by whom and why" \
        grep -q "^$other .*\[dropped by admin: resent by the department\]" <<<"$(CTL quarantine)"
    check "log: HUB-QUARANTINE-DROP" has HUB-QUARANTINE-DROP
fi

# ---- no look off the record: when the audit log cannot be written, nothing is shown ----
hub_stop
sqlite3 "$H/audit.db" "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'test'); END;"
"$BIN/hubd" --home "$H" 2>>"$H/stderr.log" & HUB_PID=$!   # (hub_start asks stats, which is now withheld)
T_PIDS="$T_PIDS $HUB_PID"
for _ in $(seq 1 50); do curl -sf "$M/healthz" >/dev/null && break; sleep 0.1; done
out=$(CTL figures 2>&1); rc=$?
check "audit log unwritable: the answer withheld (status 1, a plain sentence, no figures)" \
    bash -c '[ "$0" = 1 ] && grep -q "could not be put on the audit record" <<<"$1" && ! grep -q population <<<"$1"' "$rc" "$out"
check "log: HUB-AUDIT-FAIL" has HUB-AUDIT-FAIL
hub_stop
sqlite3 "$H/audit.db" "DROP TRIGGER no_audit;"
check "hubd restarts once more" hub_start "$H"
check "with the audit log writable, answers again" CTL figures
check "hub stops cleanly" hub_stop
check "log: HUB-STOP" has HUB-STOP
t_done
