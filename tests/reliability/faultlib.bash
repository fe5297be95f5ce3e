# tests/reliability/faultlib.bash: what the fault tests share. Source it
# after tests/lib.sh (it is not a test itself: tests/run.sh runs *.sh only).
#
# Every test is random but replayable: SEED (printed as `# seed N`) seeds
# bash's RANDOM, which picks the generated district's seed and every fault
# moment, so `SEED=N bash tests/reliability/test_x.sh` takes the same
# decisions again (the machine's timing still varies). SOAK=1 (make soak)
# makes each test longer: more faults, more people.

SOAK=${SOAK:-0}
if [ -z "${SEED:-}" ]; then SEED=$(( (RANDOM << 15 | RANDOM) % 1000000000 )); fi
RANDOM=$SEED
echo "# seed $SEED (replay: SEED=$SEED BIN=${BIN#"$TOP"/} bash tests/reliability/$T_NAME.sh)"
GSEED=$(( SEED % 100000 + 1 ))      # the generated district's seed
DEPTS="police familyplanning labour civilaffairs"
export LC_ALL=C                     # sort and comm in byte order
declare -A A_PID A_ARGS A_RC

# rnd N: R = a random integer in [0, N) (a variable, not an echo: $(...)
# would run in a subshell and not advance the parent's RANDOM)
rnd() { R=$(( (RANDOM << 15 | RANDOM) % $1 )); }
# sleep_ms MS
sleep_ms() { sleep "$(( $1 / 1000 )).$(printf %03d $(( $1 % 1000 )))"; }

# gen_district DIR PEOPLE: a generated district (five exports and truth.csv)
gen_district() { "$BIN/gen-district" --out "$1" --people "$2" --seed "$GSEED" >/dev/null; }

# dept_files NAME DIR: that department's files in DIR
dept_files() {
    case $1 in
    police) echo "$2"/hukou_*.csv ;;
    familyplanning) echo "$2"/wis_*.tsv ;;
    labour) echo "$2"/jyzt_*.jsonl ;;
    civilaffairs) echo "$2"/mz_roster_*.csv "$2"/facilities.csv ;;
    esac
}

# adapter_start NAME HOME DIR [OPTIONS...]: one adapter in the background on
# its department's files in DIR; its output is appended to
# $T_TMP/<home>.NAME.out and .err; A_PID[NAME] is its pid. The same
# arguments are kept in A_ARGS[NAME] for adapter_restart. With STATE_ROOT
# set, its state is in STATE_ROOT/NAME (else HOME/adapters/NAME).
STATE_ROOT=
adapter_start() {
    local n=$1 h=$2 d=$3 state_opt=(); shift 3
    A_ARGS[$n]="$h $d $*"
    [ -n "$STATE_ROOT" ] && state_opt=(--state "$STATE_ROOT/$n")
    # shellcheck disable=SC2046
    "$BIN/adapter-$n" --home "$h" "${state_opt[@]}" "$@" $(dept_files "$n" "$d") \
        >>"$T_TMP/$(basename "$h").$n.out" 2>>"$T_TMP/$(basename "$h").$n.err" &
    A_PID[$n]=$!
    unset "A_RC[$n]"
    T_PIDS="$T_PIDS $!"
}
# adapter_restart NAME: start it again exactly as the last time
adapter_restart() { # shellcheck disable=SC2086
    adapter_start "$1" ${A_ARGS[$1]}; }
# adapters_start HOME DIR [OPTIONS...]: all four at once
adapters_start() { local n; for n in $DEPTS; do adapter_start "$n" "$@"; done; }
# adapter_alive NAME
adapter_alive() { kill -0 "${A_PID[$1]}" 2>/dev/null; }
# adapter_reap NAME: wait for an adapter that has exited; its exit status
# is kept in A_RC[NAME] (once reaped, adapters_wait reports that status)
adapter_reap() {
    [ -n "${A_RC[$1]-}" ] && return 0
    wait "${A_PID[$1]}"
    A_RC[$1]=$?
}
# adapters_running: how many of the four still run
adapters_running() { local n c=0; for n in $DEPTS; do adapter_alive "$n" && c=$((c + 1)); done; echo $c; }
# adapters_wait WHAT [SECONDS]: wait for all four (killing any still running
# after SECONDS, 300 by default); one check per adapter that it exited 0
adapters_wait() {
    local what=$1 limit=${2:-300} n
    for _ in $(seq 1 $((limit * 10))); do
        [ "$(adapters_running)" = 0 ] && break
        sleep 0.1
    done
    for n in $DEPTS; do
        if adapter_alive "$n"; then
            kill -9 "${A_PID[$n]}" 2>/dev/null
            wait "${A_PID[$n]}" 2>/dev/null
            fail "$what: adapter-$n finished within ${limit}s (killed)"
            continue
        fi
        adapter_reap "$n"
        check_eq "$what: adapter-$n finished every row (exit status)" 0 "${A_RC[$n]}"
    done
}

# stored HOME: source records in the registry (every version), read directly
stored() {
    local n
    n=$(sqlite3 -readonly "$1/registry.db" "SELECT count(*) FROM source_records" 2>/dev/null)
    echo "${n:-0}"
}
# wait_stored HOME N SECONDS: until at least N records are stored; false on timeout
wait_stored() {
    local end=$((SECONDS + $3))
    while [ "$(stored "$1")" -lt "$2" ]; do
        [ $SECONDS -ge $end ] && return 1
        [ "$(adapters_running)" = 0 ] && return 1
        sleep 0.03
    done
}

# thresholds K TOTAL LO% HI%: K random record counts between LO% and HI% of TOTAL, sorted
thresholds() {
    local k=$1 lo=$(( $2 * $3 / 100 )) hi=$(( $2 * $4 / 100 )) i
    TH=()
    for ((i = 0; i < k; i++)); do rnd $((hi - lo + 1)); TH+=($((lo + R))); done
    mapfile -t TH < <(printf '%s\n' "${TH[@]}" | sort -n)
}

# partition LINKS: export-links as a partition of source records into
# residents, without the ids: each resident's records (source:key, sorted)
# one group a line, lines sorted
partition() {
    tail -n +2 "$1" | sort -t, -k1,1 -k2,2 \
        | awk -F, '{ g[$5] = g[$5] " " $1 ":" $2 } END { for (r in g) print substr(g[r], 2) }' | sort
}

# rejects_of HOME|STATE-ROOT: every row the adapters rejected (dept,file,row), once
rejects_of() {
    local n
    for n in $DEPTS; do
        [ -f "$1/adapters/$n/rejects.csv" ] && tail -n +2 "$1/adapters/$n/rejects.csv" | cut -d, -f1,2 | sed "s/^/$n,/"
        [ -f "$1/$n/rejects.csv" ] && tail -n +2 "$1/$n/rejects.csv" | cut -d, -f1,2 | sed "s/^/$n,/"
    done | sort -u
}

# now_ms: the clock in milliseconds
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# reference REF PORT DIR: the same files loaded without any fault into a
# fresh hub at REF: REF.links, REF.part (partition), REF.count, REF.rejects,
# and REF_MS, how long the load took
reference() {
    local ref=$1 port=$2 d=$3 t0
    hub_init "$ref" "$port"
    if ! hub_start "$ref"; then fail "reference hub starts"; return 1; fi
    t0=$(now_ms)
    adapters_start "$ref" "$d"
    adapters_wait "reference load"
    REF_MS=$(( $(now_ms) - t0 ))
    echo "# the load without faults took $REF_MS ms"
    "$BIN/hubctl" --home "$ref" export-links > "$ref.links"
    partition "$ref.links" > "$ref.part"
    stored "$ref" > "$ref.count"
    rejects_of "$ref" > "$ref.rejects"
    hub_stop
}

# verify WHAT HOME DIR [REF [STATE-ROOT]]: the promises after a load with
# faults: every truth row linked exactly once, nothing else; each record's
# origin a row that carried it; one current version per key; every stored
# batch's accepted records stored with it and no record without its batch
# (acknowledged exactly when committed); PRAGMA integrity_check ok; and with
# REF, the same records, rejects and partition into residents as a load
# without faults. HOME's hub must be running.
verify() {
    local what=$1 h=$2 d=$3 ref=${4:-} st=${5:-$2} l
    V_N=$(( ${V_N:-0} + 1 )); l=$T_TMP/verify.$V_N
    if ! "$BIN/hubctl" --home "$h" export-links > "$l.links"; then
        fail "$what: export-links answers"
        return 1
    fi
    tail -n +2 "$d/truth.csv" | cut -d, -f2,3 | sort -u > "$l.truth"
    tail -n +2 "$l.links" | cut -d, -f1,2 | sort > "$l.keys"
    check_eq "$what: no record twice in export-links" 0 "$(uniq -d "$l.keys" | wc -l)"
    check_eq "$what: every row of truth.csv is linked" 0 "$(comm -23 "$l.truth" "$l.keys" | wc -l)"
    check_eq "$what: nothing linked that truth.csv does not have" 0 "$(comm -13 "$l.truth" <(uniq "$l.keys") | wc -l)"
    tail -n +2 "$d/truth.csv" | cut -d, -f2-5 | sort -u > "$l.truthrows"
    tail -n +2 "$l.links" | cut -d, -f1-4 | sort > "$l.origins"
    check_eq "$what: every record's origin is a row that carried it" 0 "$(comm -13 "$l.truthrows" "$l.origins" | wc -l)"
    check_eq "$what: one current version per key" 0 \
        "$(sql "$h" "SELECT count(*) FROM (SELECT 1 FROM source_records GROUP BY source, source_key HAVING sum(current) != 1)")"
    check_eq "$what: every stored batch holds exactly its accepted records" 0 \
        "$(sql "$h" "SELECT count(*) FROM batches b LEFT JOIN (SELECT sender, batch_seq, count(*) n FROM source_records
                     GROUP BY sender, batch_seq) s ON s.sender = b.sender AND s.batch_seq = b.seq
                     WHERE b.accepted != coalesce(s.n, 0)")"
    check_eq "$what: no record stored without its batch's acknowledgement" 0 \
        "$(sql "$h" "SELECT count(*) FROM source_records s LEFT JOIN batches b ON b.sender = s.sender AND b.seq = s.batch_seq
                     WHERE b.seq IS NULL")"
    check_eq "$what: PRAGMA integrity_check" ok "$(sql "$h" "PRAGMA integrity_check")"
    check_eq "$what: the rosters' area rows agree with the records" 0 "$(area_drift "$h")"
    [ -n "$ref" ] || return 0
    check_eq "$what: as many records (all versions) as the load without faults" "$(cat "$ref.count")" "$(stored "$h")"
    check_eq "$what: the same rows rejected as without faults" "$(cat "$ref.rejects")" "$(rejects_of "$st")"
    partition "$l.links" > "$l.part"
    if diff "$ref.part" "$l.part" > "$l.diff"; then
        ok "$what: the same residents as the load without faults ($(grep -c '' < "$l.part") residents, compared as a partition of the records)"
    else
        fail "$what: other residents than the load without faults ($(grep -c '^[<>]' "$l.diff") groups differ):"
        head -20 "$l.diff" | sed 's/^/#   /'
    fi
}
