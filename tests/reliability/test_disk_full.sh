# Disk full: the hub's home fills up in the middle of a load. The hub keeps
# running, answers batches with "resend later" (ACK_RETRY: the adapters
# keep their rows) and a reason that names the disk, says so in its log,
# stores nothing and corrupts nothing; once space is freed it carries on
# without a restart, the adapters' resends go in, every row is stored
# exactly once and the registry passes integrity_check.
#
# The full disk is a small tmpfs holding the hub's home (as root, when
# mount works), else a file-size limit set on the running hubd (prlimit;
# SIGXFSZ ignored, so writes past it fail with EFBIG). DISK=limit forces
# the second. The adapters keep their state elsewhere (--state), as on
# their own machines. The hub's log lines are read from its standard error
# (its journal): hub.log is on the full disk.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/faultlib.bash"

PEOPLE=4000 FULL=3
if [ "$SOAK" = 1 ]; then PEOPLE=20000 FULL=20; fi
D=$T_TMP/d
gen_district "$D" "$PEOPLE"
reference "$T_TMP/ref" 17090 "$D"
TOTAL=$(cat "$T_TMP/ref.count")

MNT=$T_TMP/disk
mkdir -p "$MNT"
MODE=${DISK:-tmpfs}
# room for the whole registry twice (its WAL) and more: only the balloon fills it
SIZE_MIB=$(( $(stat -c %s "$T_TMP/ref/registry.db") * 2 / 1048576 + 64 ))
if [ "$MODE" = tmpfs ] && ! { [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=${SIZE_MIB}m tmpfs "$MNT" 2>/dev/null; }; then
    MODE=limit
fi
echo "# the full disk: $MODE$([ "$MODE" = tmpfs ] && echo " of $SIZE_MIB MiB")"
cleanup() {
    for p in $T_PIDS; do kill -CONT "$p" 2>/dev/null; kill -9 "$p" 2>/dev/null; done
    if [ "$MODE" = tmpfs ]; then sleep 0.2; umount "$MNT"; fi
    t_cleanup
}
trap cleanup EXIT

H=$MNT/hub
ERR=$T_TMP/hubd.stderr
hub_init "$H" 17080
# hub_here: hubd with SIGXFSZ ignored and its standard error off the full
# disk; wait until it answers
hub_here() {
    (trap '' XFSZ; exec "$BIN/hubd" --home "$H") 2>>"$ERR" &
    HUB_PID=$!
    T_PIDS="$T_PIDS $HUB_PID"
    for _ in $(seq 1 100); do
        "$BIN/hubctl" --home "$H" --timeout 300 stats >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}
running_set() { local n; for n in $DEPTS; do adapter_alive "$n" && printf '%s ' "$n"; done; }

check "hubd starts" hub_here
STATE_ROOT=$T_TMP/state
adapters_start "$H" "$D" --batch 100 --window 4 --ack-timeout 500
check "a third of the load is in" wait_stored "$H" $((TOTAL / 3)) 60

# --- fill the disk ---
err_at=$(stat -c %s "$ERR")
declare -A adp_at
for n in $DEPTS; do adp_at[$n]=$(stat -c %s "$T_TMP/hub.$n.err"); done
if [ "$MODE" = tmpfs ]; then
    dd if=/dev/zero of="$MNT/balloon" bs=64k 2>/dev/null
    check_eq "the hub's disk is full" 0 "$(df --output=avail "$MNT" | tail -1 | tr -d ' ')"
else
    lim=$(stat -c %s "$H"/registry.db* | sort -n | tail -1)
    check "a file-size limit on hubd ($lim bytes)" prlimit --pid "$HUB_PID" --fsize="$lim:unlimited"
fi
# what fits in space already allocated (a WAL written again from its start
# once a checkpoint has emptied it) may still go in, a batch now and then:
# the promise is that the load stays cut and no adapter gives up, not that
# not one more record fits
full_at=$(stored "$H")
before=$(running_set)
sleep "$FULL"
check "hubd keeps running on a full disk" kill -0 "$HUB_PID"
now=$(stored "$H")
check "nothing is lost while the disk is full ($full_at stored when it filled, $now after ${FULL}s)" test "$now" -ge "$full_at"
check "the load stays cut while the disk is full ($now of $TOTAL)" test "$now" -lt "$TOTAL"
# an adapter that stopped in the meantime must have finished its rows (its
# last batches fitted), never given up
for n in $before; do
    adapter_alive "$n" && continue
    adapter_reap "$n"
    check_eq "adapter-$n, stopped while the disk was full, had finished every row" 0 "${A_RC[$n]}"
done
check "the adapters with rows left keep trying ($(running_set | wc -w) of them)" test -n "$(running_set)"
check_eq "the registry passes integrity_check while the disk is full" ok "$(sql "$H" "PRAGMA integrity_check")"
tail -c +$((err_at + 1)) "$ERR" > "$T_TMP/full.log"
check "hubd logs the failed commits" grep -q '"msgid":"HUB-COMMIT-FAIL"' "$T_TMP/full.log"
check "hubd logs why: the disk ($(grep -m1 -o '"reason":"[^"]*"' "$T_TMP/full.log"))" \
    grep -Eq '"msgid":"HUB-STORE-ERROR".*"reason":"(database or disk is full|disk I/O error)"' "$T_TMP/full.log"
for n in $DEPTS; do tail -c +$((adp_at[$n] + 1)) "$T_TMP/hub.$n.err"; done > "$T_TMP/full.adapters"
check "the adapters are told to resend (ACK_RETRY)" grep -q '"msgid":"ADP-HUB-RETRY"' "$T_TMP/full.adapters"
reason=$(grep -m1 '"msgid":"ADP-HUB-RETRY"' "$T_TMP/full.adapters" | grep -o '"reason":"[^"]*"')
check "the refusal's reason names the disk ($reason)" grep -Eqi 'disk|space|input/output' <<<"$reason"
check "no row was refused for good" test -z "$(grep '"msgid":"ADP-BATCH-REFUSED"' "$T_TMP/full.adapters")"

# --- free the space ---
if [ "$MODE" = tmpfs ]; then rm -f "$MNT/balloon"; else prlimit --pid "$HUB_PID" --fsize=unlimited:unlimited; fi
pid=$HUB_PID
adapters_wait "after the disk was full for ${FULL}s"
check_eq "the same hubd carried on once space was freed" "$pid" "$HUB_PID"
check "and it is still running" kill -0 "$HUB_PID"
verify "after the disk was full" "$H" "$D" "$T_TMP/ref" "$STATE_ROOT"
hub_stop
check_eq "SIGTERM stops it cleanly" 0 "$?"
check "it starts again on the same home" hub_here
check_eq "after a restart: every record still there" "$TOTAL" "$(stored "$H")"
check_eq "after a restart: PRAGMA integrity_check" ok "$(sql "$H" "PRAGMA integrity_check")"
hub_stop
t_done
