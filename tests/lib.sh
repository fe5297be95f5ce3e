# tests/lib.sh: shared by the integration tests (bash). Starts real hubd
# processes on loopback with their own ports and home, runs the real
# adapters and hubctl, and counts checks. Source it, then call t_done last.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${BIN:-bin}
case "$BIN" in /*) ;; *) BIN="$TOP/$BIN" ;; esac
export HUB_PURPOSE=${HUB_PURPOSE:-"integration test"}   # every request states its purpose
T_PASS=0
T_FAIL=0
T_NAME=$(basename "$0" .sh)
T_TMP=$(mktemp -d "/tmp/hubtest.$T_NAME.XXXXXX")
T_PIDS=""

t_cleanup() {
    for p in $T_PIDS; do kill -9 "$p" 2>/dev/null; done
    if [ "$T_FAIL" = 0 ]; then rm -rf "$T_TMP"; else echo "# kept $T_TMP for inspection"; fi
}
trap t_cleanup EXIT

ok()   { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }
# check DESCRIPTION COMMAND...: passes when the command succeeds
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1 (expected '$2', got '$3')"; fi; }

# hub_init HOME PORTBASE [key=value...]: a hub home with its own ports
# (ingest, query, events, metrics: PORTBASE .. PORTBASE+3)
hub_init() {
    local home=$1 base=$2; shift 2
    mkdir -p "$home"
    {
        echo "ingest_endpoint = tcp://127.0.0.1:$base"
        echo "query_endpoint = tcp://127.0.0.1:$((base + 1))"
        echo "events_endpoint = tcp://127.0.0.1:$((base + 2))"
        echo "metrics_listen = 127.0.0.1:$((base + 3))"
        for kv in "$@"; do echo "$kv"; done
    } > "$home/hub.conf"
}

# hub_start HOME: start hubd in the background, wait until it answers
hub_start() {
    local home=$1
    "$BIN/hubd" --home "$home" 2>>"$home/stderr.log" &
    HUB_PID=$!
    T_PIDS="$T_PIDS $HUB_PID"
    for _ in $(seq 1 100); do
        "$BIN/hubctl" --home "$home" --timeout 300 stats >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "# hubd did not come up; stderr:"; cat "$home/stderr.log"
    return 1
}

# hub_stop: SIGTERM and wait; returns hubd's exit status
hub_stop() {
    kill -TERM "$HUB_PID" 2>/dev/null
    wait "$HUB_PID"
}

# stat_of HOME LABEL: a figure from `hubctl stats`
stat_of() {
    "$BIN/hubctl" --home "$1" stats | awk -v k="$2" 'index($0, k) == 1 { print $NF }'
}

# sql HOME QUERY: read the registry directly (tests only)
sql() { sqlite3 -readonly "$1/registry.db" "$2"; }
# rules_settled HOME: wait (up to 20 s) until the cross-department checks
# have looked at every changed resident (the hub does it in the background)
rules_settled() {
    for _ in $(seq 1 100); do
        [ "$(sql "$1" "SELECT count(*) FROM rules_dirty")" = 0 ] && return 0
        sleep 0.2
    done
    return 1
}
# area_drift HOME: how many residents' area_residents rows (the rosters'
# and figures' table, kept at each commit) differ from their rows worked out
# again from the records now; 0 when the kept table is right
area_drift() {
    sql "$1" "WITH now AS (SELECT s.resident_id, coalesce(
        max(CASE WHEN s.source = 1 THEN p.community_code END), max(CASE WHEN s.source = 4 THEN p.community_code END),
        max(CASE WHEN s.source = 3 THEN p.community_code END), max(CASE WHEN s.source = 2 THEN p.community_code END)) c,
      coalesce(max(CASE WHEN s.source = 1 THEN p.name END), max(p.name)),
      coalesce(max(CASE WHEN s.source = 1 THEN p.birth_date END), max(p.birth_date)),
      coalesce(max(CASE WHEN s.source = 1 THEN p.gender END), max(p.gender)),
      max(p.age), max(CASE WHEN s.source = 1 THEN x.status END)
      FROM source_records s JOIN person_facts p ON p.record_id = s.id LEFT JOIN police_facts x ON x.record_id = s.id
      WHERE s.current = 1 AND s.resident_id IS NOT NULL GROUP BY s.resident_id HAVING c IS NOT NULL)
    SELECT (SELECT count(*) FROM (SELECT * FROM now EXCEPT SELECT * FROM area_residents))
         + (SELECT count(*) FROM (SELECT * FROM area_residents EXCEPT SELECT * FROM now))"
}
# audit_sql HOME QUERY: read the audit log (audit.db) directly
audit_sql() { sqlite3 -readonly "$1/audit.db" "$2"; }

t_done() {
    echo "$T_PASS passed, $T_FAIL failed"
    [ "$T_FAIL" = 0 ]
}

# idno FIRST17: the 18-character synthetic number with its ISO 7064 MOD 11-2 check character
idno() {
    awk -v s="$1" 'BEGIN { split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", w, " "); t = 0;
        for (i = 1; i <= 17; i++) t += substr(s, i, 1) * w[i];
        printf "%s%s\n", s, substr("10X98765432", t % 11 + 1, 1) }'
}

# get_field OUTPUT NAME: "raw [norm] flags" of a source record's field in `hubctl get` output (first match)
get_field() {
    awk -v k="$2" '/^      [^ ]/ && $1 == k { sub(/^ *[^ ]+ +/, ""); print; exit }' <<<"$1"
}

# golden_field OUTPUT NAME: "value   (department)   also: ..." of the golden record
golden_field() {
    awk -v k="$2" '/^    [^ ]/ && $1 == k { sub(/^ *[^ ]+ +/, ""); print; exit }' <<<"$1"
}
