#!/usr/bin/env bash
# make bench: how fast the hub takes in a district and answers while it
# does, with the ceilings of SQLite and ZeroMQ measured in the same run on
# the same rows. Generates a district, loads it through the four real
# adapters (concurrently, over CURVE) into a fresh hubd, and measures:
# ingest rate overall, per department and per band of registry growth;
# query latency (get, search, roster, stats) under the load and idle; the
# hub's stage counters; peak memory of hubd and of each adapter; database
# bytes per record; start-up time empty and full; rematch time; the
# linkage quality of the run (as make eval); the two ceilings. Writes
# bench/results/bench-PERSONS-UTCSTAMP.json and prints a table with each
# target of issue 7, met or not. bench/PERFORMANCE.md.draft says more.
#   BENCH_PERSONS=200000 SEED=1 NOISE=1 BENCH_QUERIES=2000 bench/run.sh
# Environment: BIN (bin; built with `make all bench-build`), BENCH_PERSONS
# (200000), SEED (1), NOISE (1), BENCH_QUERIES (2000 samples a kind),
# BENCH_OUT (bench/results), BENCH_BAND (100000 records a band of the rate
# curve), BENCH_QUERY_SECONDS (30: at most this long a kind on the idle
# hub), BENCH_LOAD_QUERIES (get=10,search=0.5,stats=0.1,roster=0.05: the
# queries beside the load, samples a second of each kind, each kind from a
# client of its own; a sample slower than its interval is followed by the
# next at once; a kind left out or at 0 is not asked: BENCH_LOAD_QUERIES=
# loads without queries), BENCH_LOAD_DUTY (0.05: no search, roster or stats
# client keeps the hub busy more than this share of the time, however slow
# they are; gets, point look-ups, are paced by their rate only), BENCH_PORT
# (18500: ingest; +1 query, +2 events, +3 metrics, +4 the ZeroMQ ceiling),
# BENCH_KEEP=1 keeps the work directory.
# A step that fails says why and the run goes on with what it has; the
# exit status is then 1. Missed targets do not change the exit status.
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
BIN=${BIN:-bin}
case "$BIN" in /*) ;; *) BIN="$TOP/$BIN" ;; esac
PERSONS=${BENCH_PERSONS:-200000}
SEED=${SEED:-1}
NOISE=${NOISE:-1}
QUERIES=${BENCH_QUERIES:-2000}
OUT=${BENCH_OUT:-bench/results}
BAND=${BENCH_BAND:-100000}
QSECONDS=${BENCH_QUERY_SECONDS:-30}
LOAD_QUERIES=${BENCH_LOAD_QUERIES-get=10,search=0.5,stats=0.1,roster=0.05}
LOAD_DUTY=${BENCH_LOAD_DUTY:-0.05}
PORT=${BENCH_PORT:-18500}
MPORT=$((PORT + 3))
export HUB_PURPOSE="make bench: measuring speed"
W=$(mktemp -d /tmp/hubbench.XXXXXX)
H="$W/hub"
PIDS=""        # what this script started and has not yet waited for
HUB=""
FAILED=""      # steps that failed

# kill_tree SIGNAL PID: the process and its descendants (an adapter under maxrss under a subshell)
kill_tree() {
    local c
    for c in $(ps -o pid= --ppid "$2" 2>/dev/null); do kill_tree "$1" "$c"; done
    kill "-$1" "$2" 2>/dev/null
}
cleanup() {
    local p
    for p in $PIDS; do kill_tree TERM "$p"; done
    [ -n "$PIDS" ] && sleep 0.5
    for p in $PIDS; do kill_tree KILL "$p"; done
    wait 2>/dev/null
    if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
say() { echo "bench: $*" >&2; }
fail_step() { say "step $1 failed: $2"; FAILED="$FAILED $1"; }
forget_pid() { local keep="" p; for p in $PIDS; do [ "$p" = "$1" ] || keep="$keep $p"; done; PIDS=$keep; }
# calc EXPR: awk arithmetic on numbers; empty when an operand is empty or a divisor is 0
calc() { awk "BEGIN { x = $1; printf \"%.6g\", x }" 2>/dev/null; }
div() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 != 0) printf "%.6g", a / b }'; }
isnum() { [[ "${1:-}" =~ ^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]]; }

# ---- the figures, as JSON: put SECTION.KEY VALUE (VALUE already JSON) ----
declare -A VAL
ORDER=()
put() { [ -z "${VAL[$1]+x}" ] && ORDER+=("$1"); VAL[$1]=$2; }
jnum() { if isnum "${1:-}"; then printf '%s' "$1"; else printf 'null'; fi; }
jstr() {
    local s=${1-}
    s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\t'/\\t}; s=${s//$'\r'/}
    printf '"%s"' "$s"
}
# jobj KEY VALUE ...: {"KEY": VALUE, ...} (VALUEs already JSON)
jobj() { local o="{" sep=""; while [ $# -ge 2 ]; do o+="$sep\"$1\": $2"; sep=", "; shift 2; done; printf '%s}' "$o"; }
write_json() {   # sections in the order they first appear, each with its keys in order
    local file=$1 sec k sep1="" sep2 sections=" "
    for k in "${ORDER[@]}"; do
        case "$sections" in *" ${k%%.*} "*) ;; *) sections="$sections${k%%.*} " ;; esac
    done
    {
        echo "{"
        for sec in $sections; do
            printf '%s  "%s": {\n' "$sep1" "$sec"
            sep1=$',\n' sep2=""
            for k in "${ORDER[@]}"; do
                [ "${k%%.*}" = "$sec" ] || continue
                printf '%s    "%s": %s' "$sep2" "${k#*.}" "${VAL[$k]}"
                sep2=$',\n'
            done
            printf '\n  }'
        done
        printf '\n}\n'
    } > "$file"
}

# metric NAME [LABEL-MATCH]: the sum of a family's samples in the file $W/metrics.now
metric() {
    awk -v n="$1" -v l="${2:-}" '$1 == n || index($1, n "{") == 1 { if (l == "" || index($1, l)) { s += $NF; f = 1 } }
        END { if (f) printf "%.6f", s }' "$W/metrics.now"
}
scrape() { curl -s --max-time 5 "http://127.0.0.1:$MPORT/metrics" > "$W/metrics.now" 2>/dev/null; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# hub_start: start hubd on $H; sets HUB and STARTUP_S (until `hubctl stats` answers)
hub_start() {
    local t0 t1
    STARTUP_S=""
    t0=$(now)
    "$BIN/hubd" --home "$H" 2>>"$W/hubd.err" &
    HUB=$!
    PIDS="$PIDS $HUB"
    for _ in $(seq 1 3000); do   # the first start makes the keys hubctl needs
        [ -s "$H/keys/admin.key" ] && [ -s "$H/keys/hub.pub" ] && break
        kill -0 "$HUB" 2>/dev/null || break
        sleep 0.01
    done
    if "$BIN/hubctl" --home "$H" --timeout 600000 stats >/dev/null 2>"$W/hubctl.err"; then
        t1=$(now)
        STARTUP_S=$(calc "$t1 - $t0")
        return 0
    fi
    say "hubd did not answer: $(tail -3 "$W/hubd.err" "$W/hubctl.err" 2>/dev/null | tr '\n' ' ')"
    return 1
}
# hub_stop: SIGTERM, wait; STOP_S its time
hub_stop() {
    local t0 rc
    [ -n "$HUB" ] || return 0
    t0=$(now)
    kill -TERM "$HUB" 2>/dev/null
    wait "$HUB"
    rc=$?
    STOP_S=$(calc "$(now) - $t0")
    forget_pid "$HUB"
    HUB=""
    return $rc
}

mkdir -p "$OUT" || { say "cannot make $OUT"; exit 1; }
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
JSON="$OUT/bench-$PERSONS-$STAMP.json"
[ -e "$JSON" ] && JSON="$OUT/bench-$PERSONS-$STAMP-$$.json"   # never overwrite an earlier run

# ---- the machine and the parameters ----
put machine.nproc "$(jnum "$(nproc)")"
put machine.cpu "$(jstr "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)")"
put machine.mem_total_kib "$(jnum "$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)")"
put machine.kernel "$(jstr "$(uname -sr)")"
put machine.sqlite "$(jstr "$(pkg-config --modversion sqlite3 2>/dev/null)")"
put machine.zeromq "$(jstr "$(pkg-config --modversion libzmq 2>/dev/null)")"
put machine.git_commit "$(jstr "$(git rev-parse HEAD 2>/dev/null)")"
put machine.git_dirty "$([ -n "$(git status --porcelain --untracked-files=no -- hub adapters proto 2>/dev/null)" ] && echo true || echo false)"
put machine.loadavg_at_start "$(jstr "$(cut -d' ' -f1-3 /proc/loadavg)")"
put params.persons "$(jnum "$PERSONS")"
put params.seed "$(jnum "$SEED")"
put params.noise "$(jnum "$NOISE")"
put params.queries_per_kind "$(jnum "$QUERIES")"
put params.band_records "$(jnum "$BAND")"
put params.idle_query_seconds_max "$(jnum "$QSECONDS")"
put params.load_queries_per_s "$(jstr "$LOAD_QUERIES")"
put params.load_query_duty_per_kind "$(jnum "$LOAD_DUTY")"
put params.started_utc "$(jstr "$STAMP")"
for p in hubd hubctl adapter-police adapter-familyplanning adapter-labour adapter-civilaffairs gen-district \
         tests/maxrss tests/evaluate bench/querylat bench/sqlite_ceiling bench/zmq_ceiling; do
    [ -x "$BIN/$p" ] || fail_step build "$BIN/$p is missing (make all bench-build BIN=...)"
done

# ---- 1. the district ----
say "generating $PERSONS persons (seed $SEED, noise $NOISE)"
t0=$(now)
if "$BIN/gen-district" --out "$W/d" --people "$PERSONS" --noise "$NOISE" --seed "$SEED" > "$W/gen.out" 2>&1; then
    put generation.seconds "$(jnum "$(calc "$(now) - $t0")")"
    put generation.summary "$(jstr "$(tail -1 "$W/gen.out")")"
else
    fail_step generate "$(tail -1 "$W/gen.out")"
fi
# arguments of the queries: numbers as police typed them, names (UTF-8) from the register, every community
awk -F, '$2 == "police" { print $3 }' "$W/d/truth.csv" 2>/dev/null | shuf --random-source=<(yes) > "$W/idnos.txt"
hukou=$(ls "$W"/d/hukou_*.csv 2>/dev/null | head -1)
if [ -n "$hukou" ] && ! iconv -f UTF-8 -t UTF-8 "$hukou" >/dev/null 2>&1; then enc=GB18030; else enc=UTF-8; fi
[ -n "$hukou" ] && iconv -f "$enc" -t UTF-8 "$hukou" 2>/dev/null | awk -F, 'NR > 1 && $2 != "" { print $2 }' \
    | shuf --random-source=<(yes) > "$W/names.txt"
awk -F, 'NR > 1 { print $1 }' deploy/communities.csv | tr -d '\r' > "$W/communities.txt"

# ---- 2. a fresh hub ----
mkdir -p "$H"
printf 'ingest_endpoint = tcp://127.0.0.1:%d\nquery_endpoint = tcp://127.0.0.1:%d\nevents_endpoint = tcp://127.0.0.1:%d\nmetrics_listen = 127.0.0.1:%d\n' \
    "$PORT" $((PORT + 1)) $((PORT + 2)) "$MPORT" > "$H/hub.conf"
[ -n "${HUB_CONF:-}" ] && cat "$HUB_CONF" >> "$H/hub.conf"
if hub_start; then
    put startup.empty_seconds "$(jnum "$STARTUP_S")"
else
    fail_step start "hubd did not start"
fi
# the readers' principal: a department's, as an office's client would be (admin when it cannot be added)
QP="admin"
if [ -n "$HUB" ] && "$BIN/hubctl" --home "$H" principal add bench department:police --key-out "$H/keys/bench.key" \
    >/dev/null 2>"$W/principal.err"; then
    QP=bench
else
    say "queries ask as admin: $(cat "$W/principal.err" 2>/dev/null)"
fi
put params.query_principal "$(jstr "$QP")"

# ---- 3-5. the load, with the metrics sampled and queries beside it ----
DEPTS="police familyplanning labour civilaffairs"
files_of() {
    case $1 in
    police) ls "$W"/d/hukou_*.csv ;; familyplanning) ls "$W"/d/wis_*.tsv ;;
    labour) ls "$W"/d/jyzt_*.jsonl ;; civilaffairs) ls "$W"/d/mz_roster_*.csv ;;
    esac 2>/dev/null
}
sampler() {
    while :; do
        local t m
        t=$(now)
        m=$(curl -s --max-time 2 "http://127.0.0.1:$MPORT/metrics" 2>/dev/null)
        awk -v t="$t" -v rss="$(awk '/^VmRSS:/ { print $2 }' "/proc/$HUB/status" 2>/dev/null)" '
            /^hub_records_accepted_total/ { a += $NF } /^hub_records_received_total/ { r += $NF }
            /^hub_source_records / { s = $NF }
            END { printf "%s %d %d %d %d\n", t, a, r, s, rss }' <<<"$m"
        [ -e "$W/load.done" ] && break
        sleep 1
    done > "$W/samples.txt"
}
LOAD_S=""
KINDS="get search roster stats"
: > "$W/lat-load.txt"
if [ -n "$HUB" ]; then
    say "loading: four adapters at once${LOAD_QUERIES:+; queries beside them ($LOAD_QUERIES a second)}"
    rm -f "$W/load.done"
    T_LOAD0=$(now)
    sampler &
    SAMPLER=$!
    PIDS="$PIDS $SAMPLER"
    # a fixed trickle, one client a kind (a slow roster must not hold up the gets); the scans at
    # most LOAD_DUTY of the hub's time each, so that slow queries do not become the load (a get's
    # time under load is mostly waiting for the ingest: pacing gets by it would leave few samples)
    QLOAD=""
    for k in $KINDS; do
        rate=$(tr ',' '\n' <<<"$LOAD_QUERIES" | awk -F= -v k="$k" '$1 == k { print $2 }')
        isnum "$rate" && awk -v r="$rate" 'BEGIN { exit !(r > 0) }' || continue
        "$BIN/bench/querylat" --home "$H" --principal "$QP" --kind "$k" --count 100000000 \
            --stop-file "$W/load.done" --rate "$rate" --duty "$([ "$k" = get ] && echo 1 || echo "$LOAD_DUTY")" --idnos "$W/idnos.txt" \
            --names "$W/names.txt" --communities "$W/communities.txt" --out "$W/lat-load.$k" \
            > "$W/lat-load.$k.txt" 2>"$W/lat-load.$k.err" &
        QLOAD="$QLOAD $k=$!"
        PIDS="$PIDS $!"
    done
    APIDS=""
    for d in $DEPTS; do
        # shellcheck disable=SC2046
        ( s=$(now); "$BIN/tests/maxrss" "$W/rss.$d" "$BIN/adapter-$d" --home "$H" $(files_of "$d") \
              > "$W/adp.$d.out" 2>&1; rc=$?; echo "$s $(now) $rc" > "$W/time.$d" ) &
        APIDS="$APIDS $!"
    done
    PIDS="$PIDS $APIDS"
    for p in $APIDS; do wait "$p"; forget_pid "$p"; done
    touch "$W/load.done"
    for kp in $QLOAD; do
        k=${kp%=*}
        wait "${kp#*=}"
        [ $? -lt 2 ] || fail_step "query-under-load-$k" "$(tail -2 "$W/lat-load.$k.err" | tr '\n' ' ')"
        forget_pid "${kp#*=}"
        cat "$W/lat-load.$k.txt" >> "$W/lat-load.txt"
    done
    wait "$SAMPLER"
    forget_pid "$SAMPLER"
    first=""; last=""
    for d in $DEPTS; do
        if [ ! -s "$W/time.$d" ]; then fail_step "adapter-$d" "did not run"; continue; fi
        read -r s e rc < "$W/time.$d"
        [ "$rc" = 0 ] || fail_step "adapter-$d" "exit $rc: $(tail -2 "$W/adp.$d.out" | tr '\n' ' ')"
        first=$(awk -v a="${first:-$s}" -v b="$s" 'BEGIN { print (b < a ? b : a) }')
        last=$(awk -v a="${last:-$e}" -v b="$e" 'BEGIN { print (b > a ? b : a) }')
    done
    LOAD_S=$(calc "$last - $first")
fi

# ---- after the load: records, rates, memory, stages, storage ----
DB="$H/registry.db"
sqlq() { sqlite3 -readonly "$DB" "$1" 2>/dev/null; }
declare -A RECS
TOTAL=$(sqlq "SELECT count(*) FROM source_records")
for row in $(sqlq "SELECT source || '=' || count(*) FROM source_records GROUP BY source"); do
    case ${row%%=*} in 1) RECS[police]=${row#*=} ;; 2) RECS[familyplanning]=${row#*=} ;;
                       3) RECS[labour]=${row#*=} ;; 4) RECS[civilaffairs]=${row#*=} ;; esac
done
RATE=$(div "$TOTAL" "$LOAD_S")
ROWS_READ=0
ADP_MAX_KIB=""
for d in $DEPTS; do
    [ -s "$W/time.$d" ] || continue
    read -r s e rc < "$W/time.$d"
    secs=$(calc "$e - $s")
    line=$(grep -E "^adapter-$d: [0-9]+ rows read" "$W/adp.$d.out" | tail -1)
    read_n=$(sed -E 's/.*: ([0-9]+) rows read.*/\1/' <<<"$line")
    acc_n=$(sed -E 's/.* ([0-9]+) accepted.*/\1/' <<<"$line")
    dup_n=$(sed -E 's/.* ([0-9]+) duplicates.*/\1/' <<<"$line")
    rej_n=$(sed -E 's/.* ([0-9]+) rejected.*/\1/' <<<"$line")
    isnum "$read_n" && ROWS_READ=$((ROWS_READ + read_n))
    kib=$(cat "$W/rss.$d" 2>/dev/null)
    isnum "$kib" && { [ -z "$ADP_MAX_KIB" ] || [ "$kib" -gt "$ADP_MAX_KIB" ]; } && ADP_MAX_KIB=$kib
    put "departments.$d" "$(jobj seconds "$(jnum "$secs")" source_records "$(jnum "${RECS[$d]:-}")" \
        records_per_s "$(jnum "$(div "${RECS[$d]:-}" "$secs")")" rows_read "$(jnum "$read_n")" \
        accepted "$(jnum "$acc_n")" duplicates "$(jnum "$dup_n")" rejected "$(jnum "$rej_n")" \
        peak_rss_kib "$(jnum "$kib")")"
done
put ingest.source_records "$(jnum "$TOTAL")"
put ingest.rows_read "$(jnum "$ROWS_READ")"
put ingest.wall_seconds "$(jnum "$LOAD_S")"
put ingest.records_per_s "$(jnum "$RATE")"
put ingest.rows_read_per_s "$(jnum "$(div "$ROWS_READ" "$LOAD_S")")"
HWM1=""
[ -n "$HUB" ] && HWM1=$(hwm_kib "$HUB")
put memory.hubd_peak_kib_load "$(jnum "$HWM1")"
put memory.adapter_peak_kib_max "$(jnum "$ADP_MAX_KIB")"

# the rate per band of registry growth, from the samples (accepted records against time)
CURVE="[]"; BAND_FIRST=""; BAND_LAST=""
if [ -s "$W/samples.txt" ] && [ -n "$LOAD_S" ]; then
    awk -v band="$BAND" -v t0="$T_LOAD0" '
        { t[NR] = $1; a[NR] = $2 }
        END {
            bt = t0; ba = 0; k = 1; n = NR
            for (i = 1; i <= n; i++) if (a[i] == 0) bt = t[i]      # the last moment with nothing accepted
            for (target = band; ; target += band) {
                while (k <= n && a[k] < target) k++
                if (k > n) break
                pt = k > 1 ? t[k - 1] : t0; pa = k > 1 ? a[k - 1] : 0
                ct = a[k] == pa ? t[k] : pt + (t[k] - pt) * (target - pa) / (a[k] - pa)
                if (ct > bt) printf "%d %d %.3f %.1f\n", target - band, target, ct - bt, band / (ct - bt)
                bt = ct
            }
        }' "$W/samples.txt" > "$W/curve.txt"
    CURVE=$(awk 'BEGIN { printf "[" } { printf "%s{\"from\": %d, \"to\": %d, \"seconds\": %s, \"records_per_s\": %s}",
        (NR > 1 ? ", " : ""), $1, $2, $3, $4 } END { printf "]" }' "$W/curve.txt")
    [ -n "$CURVE" ] || CURVE="[]"
    BAND_FIRST=$(awk 'NR == 1 { print $4 }' "$W/curve.txt")
    BAND_LAST=$(awk 'END { if (NR > 1) print $4 }' "$W/curve.txt")
    PEAK_SAMPLE_KIB=$(awk '$5 > m { m = $5 } END { print m + 0 }' "$W/samples.txt")
    put memory.hubd_rss_kib_sampled_max "$(jnum "$PEAK_SAMPLE_KIB")"
fi
put curve.bands "$CURVE"
put curve.first_band_records_per_s "$(jnum "$BAND_FIRST")"
put curve.last_band_records_per_s "$(jnum "$BAND_LAST")"
put curve.last_over_first "$(jnum "$(div "$BAND_LAST" "$BAND_FIRST")")"

# the hub's own counters: stages, query time during the load
STAGES="decode normalise match store commit"
if [ -n "$HUB" ] && scrape; then
    RECEIVED=$(metric hub_records_received_total)
    put ingest.hub_records_received "$(jnum "$RECEIVED")"
    put ingest.hub_records_accepted "$(jnum "$(metric hub_records_accepted_total)")"
    put ingest.hub_commits "$(jnum "$(metric hub_commit_seconds_count)")"
    put ingest.hub_commit_seconds "$(jnum "$(metric hub_commit_seconds_sum)")"
    put ingest.hub_query_seconds_during_load "$(jnum "$(metric hub_query_seconds_sum)")"
    more=$(awk -F'"' '/^hub_stage_seconds_total\{stage="/ { print $2 }' "$W/metrics.now" | sort -u)
    for st in $more; do case " $STAGES " in *" $st "*) ;; *) STAGES="$STAGES $st" ;; esac; done
    for st in $STAGES; do
        secs=$(metric hub_stage_seconds_total "stage=\"$st\"")
        us=""
        [ -n "$secs" ] && us=$(div "$(calc "$secs * 1e6")" "${RECEIVED:-}")
        put "stages.$st" "$(jobj seconds "$(jnum "$secs")" us_per_record "$(jnum "$us")")"
    done
else
    fail_step metrics "no /metrics from hubd on port $MPORT"
fi

DBB=$(( $(stat -c %s "$DB" 2>/dev/null || echo 0) + $(stat -c %s "$DB-wal" 2>/dev/null || echo 0) ))
put storage.registry_bytes "$(jnum "$DBB")"
put storage.bytes_per_source_record "$(jnum "$(div "$DBB" "$TOTAL")")"

# ---- 5b. queries on the idle hub ----
qline() { grep "^$2 " "$1" 2>/dev/null | tail -1; }
qfig() { sed -nE "s/.* $2=([0-9]+).*/\1/p" <<<"$1"; }
qjson() {   # qjson LINE: the line's figures as a JSON object
    jobj n "$(jnum "$(sed -nE 's/^[a-z]+ n=([0-9]+).*/\1/p' <<<"$1")")" ok "$(jnum "$(qfig "$1" ok)")" \
        notfound "$(jnum "$(qfig "$1" notfound)")" refused "$(jnum "$(qfig "$1" refused)")" \
        timeouts "$(jnum "$(qfig "$1" timeouts)")" p50_us "$(jnum "$(qfig "$1" p50_us)")" \
        p99_us "$(jnum "$(qfig "$1" p99_us)")" p999_us "$(jnum "$(qfig "$1" p999_us)")" \
        max_us "$(jnum "$(qfig "$1" max_us)")" mean_us "$(jnum "$(qfig "$1" mean_us)")"
}
: > "$W/lat-idle.txt"
if [ -n "$HUB" ]; then
    say "queries on the idle hub (at most $QSECONDS s a kind)"
    for k in $KINDS; do
        "$BIN/bench/querylat" --home "$H" --principal "$QP" --kind "$k" --count "$QUERIES" --seconds "$QSECONDS" \
            --idnos "$W/idnos.txt" --names "$W/names.txt" --communities "$W/communities.txt" \
            --out "$W/lat-idle.$k" >> "$W/lat-idle.txt" 2>>"$W/lat-idle.err" \
            || fail_step "query-idle-$k" "$(tail -1 "$W/lat-idle.err")"
    done
fi
for k in $KINDS; do
    put "queries_load.$k" "$(qjson "$(qline "$W/lat-load.txt" "$k")")"
    put "queries_idle.$k" "$(qjson "$(qline "$W/lat-idle.txt" "$k")")"
done

# ---- 8. linkage quality of this run (as make eval) ----
F1=""; TWO=""
if [ -n "$HUB" ] && "$BIN/hubctl" --home "$H" --timeout 600000 export-links > "$W/links.csv" 2>"$W/links.err"; then
    sqlite3 -readonly -csv "$DB" \
        "SELECT CASE source WHEN 1 THEN 'police' WHEN 2 THEN 'familyplanning' WHEN 3 THEN 'labour' ELSE 'civilaffairs' END,
                source_key, idno IS NOT NULL FROM source_records WHERE current = 1" > "$W/valid.csv"
    if "$BIN/tests/evaluate" "$W/d/truth.csv" "$W/links.csv" "$W/valid.csv" > "$W/eval.txt" 2>&1; then
        pw=$(grep -m1 'pairwise' "$W/eval.txt")
        F1=$(awk '{ print $NF }' <<<"$pw")
        put quality.pairwise_precision "$(jnum "$(sed -nE 's/.*precision ([0-9.]+).*/\1/p' <<<"$pw")")"
        put quality.pairwise_recall "$(jnum "$(sed -nE 's/.*recall ([0-9.]+).*/\1/p' <<<"$pw")")"
        put quality.pairwise_f1 "$(jnum "$F1")"
        bc=$(grep -m1 'B-cubed' "$W/eval.txt")
        put quality.bcubed_precision "$(jnum "$(sed -nE 's/.*precision ([0-9.]+).*/\1/p' <<<"$bc")")"
        put quality.bcubed_recall "$(jnum "$(sed -nE 's/.*recall ([0-9.]+).*/\1/p' <<<"$bc")")"
        om=$(grep -m1 'over-merged' "$W/eval.txt")
        put quality.over_merged_residents "$(jnum "$(sed -nE 's/.*over-merged residents ([0-9]+).*/\1/p' <<<"$om")")"
        put quality.split_persons "$(jnum "$(sed -nE 's/.*split persons ([0-9]+).*/\1/p' <<<"$om")")"
    else
        fail_step quality "$(tail -1 "$W/eval.txt")"
    fi
    TWO=$(sqlq "SELECT count(*) FROM (SELECT resident_id FROM source_records WHERE current = 1 AND idno IS NOT NULL
                GROUP BY resident_id HAVING count(DISTINCT idno) > 1)")
    put quality.residents_with_two_valid_numbers "$(jnum "$TWO")"
    put quality.review_items_open "$(jnum "$(sqlq "SELECT count(*) FROM review_items WHERE status = 'open'")")"
else
    fail_step quality "export-links: $(tail -1 "$W/links.err" 2>/dev/null)"
fi

# ---- 9. the ceilings, on the rows of this run (hubd stopped: the machine is theirs) ----
if [ -n "$HUB" ]; then
    hub_stop || fail_step stop "hubd exited $? on SIGTERM"
    put startup.stop_seconds "$(jnum "$STOP_S")"
fi
SQL_RATE=""; ZMQ_RATE=""
if [ -s "$DB" ]; then
    say "ceilings: SQLite, then ZeroMQ+CURVE, on the rows of this run"
    if "$BIN/bench/sqlite_ceiling" --from "$DB" --to "$W/ceiling.db" --conf "$H/hub.conf" --batch 10000 \
        > "$W/sqlite_ceiling.txt" 2>"$W/sqlite_ceiling.err"; then
        l=$(cat "$W/sqlite_ceiling.txt")
        SQL_RATE=$(qfig "$l" records_per_s)
        put ceiling_sqlite.records_per_s "$(jnum "$SQL_RATE")"
        put ceiling_sqlite.rows_per_s "$(jnum "$(qfig "$l" rows_per_s)")"
        put ceiling_sqlite.rows "$(jnum "$(qfig "$l" rows)")"
        put ceiling_sqlite.seconds "$(jnum "$(sed -nE 's/.* seconds=([0-9.]+).*/\1/p' <<<"$l")")"
        put ceiling_sqlite.tables "$(jstr "$(sed -nE 's/.* tables=([^ ]*).*/\1/p' <<<"$l")")"
        put ceiling_sqlite.left_out "$(jstr "$(sed -nE 's/.* skipped=([^ ]*).*/\1/p' <<<"$l")")"
    else
        fail_step ceiling-sqlite "$(grep -v '"level"' "$W/sqlite_ceiling.err" | tail -1)"
    fi
    rm -f "$W/ceiling.db" "$W/ceiling.db-wal" "$W/ceiling.db-shm"
    if "$BIN/bench/zmq_ceiling" --from "$DB" --endpoint "tcp://127.0.0.1:$((PORT + 4))" --batch 500 --window 8 \
        > "$W/zmq_ceiling.txt" 2>"$W/zmq_ceiling.err"; then
        l=$(cat "$W/zmq_ceiling.txt")
        ZMQ_RATE=$(qfig "$l" records_per_s)
        put ceiling_zmq.records_per_s "$(jnum "$ZMQ_RATE")"
        put ceiling_zmq.mb_per_s "$(jnum "$(sed -nE 's/.* mb_per_s=([0-9.]+).*/\1/p' <<<"$l")")"
        put ceiling_zmq.bytes_per_record "$(jnum "$(div "$(qfig "$l" bytes)" "$(qfig "$l" records)")")"
    else
        fail_step ceiling-zmq "$(tail -1 "$W/zmq_ceiling.err")"
    fi
fi
put ingest.share_of_sqlite_ceiling "$(jnum "$(div "$RATE" "$SQL_RATE")")"
put ingest.share_of_zmq_ceiling "$(jnum "$(div "$RATE" "$ZMQ_RATE")")"

# ---- 7. start-up on the full registry, then rematch over everything ----
HWM2=""
if [ -s "$DB" ] && [ -z "$HUB" ]; then
    if hub_start; then
        put startup.full_seconds "$(jnum "$STARTUP_S")"
        say "rematch over everything"
        t0=$(now)
        if "$BIN/hubctl" --home "$H" --timeout 600000 rematch > "$W/rematch.txt" 2>&1; then
            put rematch.seconds "$(jnum "$(calc "$(now) - $t0")")"
            put rematch.report "$(jstr "$(tail -1 "$W/rematch.txt")")"
        else
            fail_step rematch "$(tail -1 "$W/rematch.txt")"
        fi
        HWM2=$(hwm_kib "$HUB")
        hub_stop || fail_step stop "hubd exited $? on SIGTERM"
    else
        fail_step restart "hubd did not start on the full registry"
    fi
fi
put memory.hubd_peak_kib_restart_rematch "$(jnum "$HWM2")"
HWM=$(awk -v a="${HWM1:-0}" -v b="${HWM2:-0}" 'BEGIN { m = a > b ? a : b; if (m > 0) print m }')
put memory.hubd_peak_kib "$(jnum "$HWM")"

# ---- 10. the targets of issue 7, the table, the JSON ----
# verdict VALUE OP LIMIT: met, NOT met, or n/a when there is no value
verdict() { if ! isnum "${1:-}"; then echo "n/a"; elif awk -v v="$1" -v l="$3" "BEGIN { exit !(v $2 l) }"; then echo "met"; else echo "NOT met"; fi; }
TARGETS=()
target() {   # target NAME VALUE OP LIMIT SHOWN-VALUE SHOWN-TARGET
    local v
    v=$(verdict "$2" "$3" "$4")
    TARGETS+=("$1|$5|$6|$v")
    put "targets.$(tr ' /%.,()=' '_______' <<<"$1" | tr -s _ | sed 's/_$//')" \
        "$(jobj value "$(jnum "$2")" limit "$(jnum "$4")" op "$(jstr "$3")" verdict "$(jstr "$v")")"
}
ms() { isnum "${1:-}" && awk -v u="$1" 'BEGIN { printf "%.2f ms", u / 1000 }' || echo n/a; }
fmt() { isnum "${1:-}" && printf "$2" "$1" || echo n/a; }
p99() { qfig "$(qline "$1" "$2")" p99_us; }
SHARE=$(div "$RATE" "$SQL_RATE")
BANDS=$(div "$BAND_LAST" "$BAND_FIRST")
target "ingest records/s" "$RATE" ">=" 50000 "$(fmt "$RATE" '%.0f')" ">= 50000"
target "share of SQLite ceiling" "$SHARE" ">=" 0.5 "$(fmt "$SHARE" '%.3f')" ">= 0.50"
target "last band / first band" "$BANDS" ">=" 0.8 "$(fmt "$BANDS" '%.3f')" ">= 0.80"
target "get p99 idle" "$(p99 "$W/lat-idle.txt" get)" "<=" 1000 "$(ms "$(p99 "$W/lat-idle.txt" get)")" "<= 1 ms"
target "get p99 under load" "$(p99 "$W/lat-load.txt" get)" "<=" 5000 "$(ms "$(p99 "$W/lat-load.txt" get)")" "<= 5 ms"
target "search p99 idle" "$(p99 "$W/lat-idle.txt" search)" "<=" 20000 "$(ms "$(p99 "$W/lat-idle.txt" search)")" "<= 20 ms"
target "roster p99 idle" "$(p99 "$W/lat-idle.txt" roster)" "<=" 50000 "$(ms "$(p99 "$W/lat-idle.txt" roster)")" "<= 50 ms"
target "stats p99 idle" "$(p99 "$W/lat-idle.txt" stats)" "<=" 100000 "$(ms "$(p99 "$W/lat-idle.txt" stats)")" "<= 100 ms"
target "hubd peak memory" "$HWM" "<=" 2097152 "$(fmt "$(div "${HWM:-}" 1024)" '%.0f MiB')" "<= 2048 MiB"
target "adapter peak memory (max)" "$ADP_MAX_KIB" "<=" 204800 "$(fmt "$(div "${ADP_MAX_KIB:-}" 1024)" '%.0f MiB')" "<= 200 MiB"
target "pairwise F1 (make eval bar)" "$F1" ">=" 0.995 "$(fmt "$F1" '%s')" ">= 0.995"
target "residents with two valid numbers" "$TWO" "==" 0 "$(fmt "$TWO" '%s')" "0"
[ -n "$FAILED" ] && put run.failed_steps "$(jstr "${FAILED# }")"
put machine.loadavg_at_end "$(jstr "$(cut -d' ' -f1-3 /proc/loadavg)")"
put run.finished_utc "$(jstr "$(date -u +%Y%m%dT%H%M%SZ)")"
write_json "$JSON" || fail_step json "cannot write $JSON"

row() { if [ -n "${3:-}" ]; then printf '%-34s %-30s %s\n' "$1" "$2" "$3"; else printf '%-34s %s\n' "$1" "$2"; fi; }
echo
echo "== make bench: $PERSONS persons (seed $SEED, noise ${NOISE}x), $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
row "generation (not in the rate)" "$(fmt "${VAL[generation.seconds]:-}" '%.1f s')"
row "hubd start-up, empty / full" "$(fmt "${VAL[startup.empty_seconds]:-}" '%.2f s') / $(fmt "${VAL[startup.full_seconds]:-}" '%.2f s')"
row "source records / wall time" "$(fmt "$TOTAL" '%s') / $(fmt "$LOAD_S" '%.1f s')"
for d in $DEPTS; do
    [ -s "$W/time.$d" ] || continue
    read -r s e rc < "$W/time.$d"
    row "  $d" "$(fmt "$(div "${RECS[$d]:-}" "$(calc "$e - $s")")" '%.0f rec/s')" \
        "$(fmt "${RECS[$d]:-}" '%s records') in $(fmt "$(calc "$e - $s")" '%.1f s'), peak $(fmt "$(div "$(cat "$W/rss.$d" 2>/dev/null)" 1024)" '%.0f MiB')"
done
if [ -s "$W/curve.txt" ]; then
    row "rate per $BAND records" "$(awk '{ printf "%s%.0f", (NR > 1 ? " " : ""), $4 }' "$W/curve.txt")" "rec/s, band by band"
fi
for st in $STAGES; do
    secs=$(sed -nE 's/.*"seconds": ([0-9.e+-]+).*/\1/p' <<<"${VAL[stages.$st]:-}")
    us=$(sed -nE 's/.*"us_per_record": ([0-9.e+-]+).*/\1/p' <<<"${VAL[stages.$st]:-}")
    row "stage $st" "$(fmt "$secs" '%.2f s')" "$(fmt "$us" '%.1f µs/record')"
done
# trio LINE: "p50/p99/p99.9 ms (n N)" of a querylat line
trio() {
    local a b c
    a=$(qfig "$1" p50_us); b=$(qfig "$1" p99_us); c=$(qfig "$1" p999_us)
    isnum "$a" || { echo n/a; return; }
    awk -v a="$a" -v b="$b" -v c="$c" -v n="$(qfig "$1" n)" 'BEGIN { printf "%.2f/%.2f/%.2f ms (n %d)", a / 1000, b / 1000, c / 1000, n }'
}
row "query latency p50/p99/p99.9" "idle" "under load"
for k in $KINDS; do
    row "  $k" "$(trio "$(qline "$W/lat-idle.txt" "$k")")" "$(trio "$(qline "$W/lat-load.txt" "$k")")"
done
row "database bytes / source record" "$(fmt "$(div "$DBB" "$TOTAL")" '%.0f')" "$(fmt "$(div "$DBB" 1048576)" '%.0f MiB in all')"
row "rematch over everything" "$(fmt "${VAL[rematch.seconds]:-}" '%.1f s')"
row "SQLite ceiling" "$(fmt "$SQL_RATE" '%.0f rec/s')" "hub at $(fmt "$SHARE" '%.3f') of it"
row "ZeroMQ+CURVE ceiling" "$(fmt "$ZMQ_RATE" '%.0f rec/s')" "hub at $(fmt "$(div "$RATE" "$ZMQ_RATE")" '%.4f') of it"
row "linkage precision / recall / F1" "$(sed -nE 's/.*pairwise precision ([0-9.]+) +recall ([0-9.]+) +F1 ([0-9.]+).*/\1 \/ \2 \/ \3/p' "$W/eval.txt" 2>/dev/null | head -1)"
echo
printf '%-34s %-14s %-12s %s\n' "target (issue 7)" "this run" "target" "verdict"
for t in "${TARGETS[@]}"; do
    IFS='|' read -r n v l verd <<<"$t"
    printf '%-34s %-14s %-12s %s\n' "$n" "$v" "$l" "$verd"
done
echo
echo "figures: $JSON"
if [ -n "$FAILED" ]; then
    say "steps that failed:$FAILED"
    exit 1
fi
exit 0
