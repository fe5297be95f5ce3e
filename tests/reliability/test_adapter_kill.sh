# Adapters killed at random moments: while all four load a generated
# district, SIGKILL one or several of them (while reading, with batches in
# flight, while they record progress) and run them again with the same
# files and state. Afterwards every row is stored exactly once, the
# registry and the adapters' state pass integrity_check, and the residents
# are those of the same files loaded into a fresh hub without a fault.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/faultlib.bash"

KILLS=20 PEOPLE=6000
if [ "$SOAK" = 1 ]; then KILLS=200 PEOPLE=30000; fi
D=$T_TMP/d
gen_district "$D" "$PEOPLE"
reference "$T_TMP/ref" 17030 "$D"

H=$T_TMP/hub
hub_init "$H" 17020
check "hubd starts" hub_start "$H"
adapters_start "$H" "$D" --batch 200 --window 4 --ack-timeout 1000
# Kill moments: random gaps averaging half the fault-free load's time over
# KILLS, so that all of them fall while the load goes on; at each,
# every running adapter dies with probability 1/2 (at least one), and is
# started again at once or, one time in three, up to 300 ms later.
gap=$(( REF_MS / KILLS )); [ "$gap" -lt 20 ] && gap=20
kills=0 moments=0
while [ "$kills" -lt "$KILLS" ] && [ "$(adapters_running)" != 0 ]; do
    rnd "$gap"; sleep_ms "$R"
    victims=()
    for n in $DEPTS; do
        adapter_alive "$n" || continue
        rnd 2; [ "$R" = 0 ] && victims+=("$n")
    done
    if [ ${#victims[@]} = 0 ]; then
        for n in $DEPTS; do adapter_alive "$n" && { victims=("$n"); break; }; done
    fi
    for n in "${victims[@]}"; do
        kill -9 "${A_PID[$n]}" 2>/dev/null && kills=$((kills + 1))
        wait "${A_PID[$n]}" 2>/dev/null
    done
    moments=$((moments + 1))
    rnd 3; [ "$R" = 0 ] && { rnd 300; sleep_ms "$R"; }
    for n in "${victims[@]}"; do adapter_restart "$n"; done
done
check "adapters were killed at least $KILLS times while they loaded ($kills kills at $moments moments)" \
    test "$kills" -ge "$KILLS"
adapters_wait "after $kills adapter kills"
verify "after $kills adapter kills" "$H" "$D" "$T_TMP/ref"
for n in $DEPTS; do
    check_eq "adapter-$n's state passes integrity_check" ok \
        "$(sqlite3 -readonly "$H/adapters/$n/state.db" "PRAGMA integrity_check" 2>&1)"
done
# their last runs left nothing unfinished: once more with the same state,
# nothing is sent
for n in $DEPTS; do
    # shellcheck disable=SC2046
    out=$("$BIN/adapter-$n" --home "$H" $(dept_files "$n" "$D") 2>/dev/null)
    check_eq "adapter-$n run once more: nothing left to send" \
        "adapter-$n: 0 rows read, 0 accepted, 0 duplicates, 0 rejected" "$out"
done
hub_stop
t_done
