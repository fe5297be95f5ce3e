# Crash anywhere: while all four adapters load a generated district, hubd
# is killed with SIGKILL at random moments (in a commit, in resolution,
# while it starts) and started again each time. Afterwards every
# acknowledged record is stored exactly once, the registry passes
# integrity_check, and the residents are those of the same files loaded
# into a fresh hub without a fault.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/faultlib.bash"

KILLS=20 PEOPLE=6000
if [ "$SOAK" = 1 ]; then KILLS=200 PEOPLE=30000; fi
D=$T_TMP/d
gen_district "$D" "$PEOPLE"
reference "$T_TMP/ref" 17010 "$D"
TOTAL=$(cat "$T_TMP/ref.count")

H=$T_TMP/hub
hub_init "$H" 17000
check "hubd starts" hub_start "$H"
# small batches, a short window and a short ack timeout: many batches in
# every state at any moment, and quick resends after each kill
adapters_start "$H" "$D" --batch 200 --window 4 --ack-timeout 500
# the kills come as the registry passes random counts of stored records
# (so each falls while the load goes on), a random 0-250 ms later
thresholds "$KILLS" "$TOTAL" 2 95
kills=0 boot_kills=0
for t in "${TH[@]}"; do
    wait_stored "$H" "$t" 120 || break
    rnd 250; sleep_ms "$R"
    kill -9 "$HUB_PID"; wait "$HUB_PID" 2>/dev/null
    kills=$((kills + 1))
    rnd 4
    if [ "$R" = 0 ]; then   # now and then one more while it starts: WAL recovery, catalogue, upgrade
        "$BIN/hubd" --home "$H" 2>>"$H/stderr.log" &
        p=$!
        rnd 150; sleep_ms "$R"
        kill -9 "$p"; wait "$p" 2>/dev/null
        boot_kills=$((boot_kills + 1))
    fi
    if ! hub_start "$H"; then fail "hubd starts again after kill $kills"; break; fi
done
check "hubd was killed at least $KILLS times while the adapters loaded ($kills, and $boot_kills while starting)" \
    test "$kills" -ge "$KILLS"
adapters_wait "after $kills kills"
verify "after $kills kills" "$H" "$D" "$T_TMP/ref"
hub_stop
check_eq "SIGTERM stops it cleanly at the end" 0 "$?"
t_done
