# Slow consumer, burst: all four adapters send at once at ten times the
# normal rate (batches of 2000 records, 20 in flight: 40,000 records each
# unacknowledged, against 500 x 8 = 4,000 by default), far faster than the
# hub resolves, so it falls behind; then the same files again, several
# times, from fresh adapter state (every row a duplicate). hubd's peak
# resident memory (VmHWM) stays under a fixed bound and does not grow with
# what was sent; nothing is dropped: every row is stored exactly once.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/faultlib.bash"

PEOPLE=10000 ROUNDS=4
if [ "$SOAK" = 1 ]; then PEOPLE=50000 ROUNDS=10; fi
CACHE_MIB=32
# The bound. hubd's memory may hold: its two SQLite page caches, writer
# and reader (2 x sqlite_cache_mib = 64 MiB); what the adapters have in
# flight, in ZeroMQ's queues and again in memory the allocator keeps after
# freeing it (2 x 4 adapters x 20 batches x 2000 records x ~300 bytes
# packed = 92 MiB); one decoded batch and the open transaction's answers
# (at most group_commit_max_records): a few MiB; code, libraries and the
# resolver's working set (hubd idles at ~11 MiB; it peaks at ~60 MiB with
# the caches on this district at the normal rate). That is < 200 MiB,
# whatever the size of the district or how often it is sent; 256 MiB
# leaves room for the allocator. A hub that buffered its input without
# bound, or kept something per batch or record after committing it, goes
# over it, or grows from round to round (second check: at most 32 MiB
# more after all the rounds than after the first).
BOUND_KB=$((256 * 1024)) GROWTH_KB=$((32 * 1024))
D=$T_TMP/d
gen_district "$D" "$PEOPLE"
H=$T_TMP/hub
hub_init "$H" 17120 "sqlite_cache_mib = $CACHE_MIB"
check "hubd starts" hub_start "$H"
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$HUB_PID/status"; }
idle=$(hwm)
RATE=(--batch 2000 --window 20)
adapters_start "$H" "$D" "${RATE[@]}"
adapters_wait "burst 1"
total=$(stored "$H")
first=$(hwm)
echo "# hubd's peak memory: $((idle / 1024)) MiB idle, $((first / 1024)) MiB after the first burst ($total records)"
for r in $(seq 2 "$ROUNDS"); do
    STATE_ROOT=$T_TMP/state.$r
    adapters_start "$H" "$D" "${RATE[@]}"
    adapters_wait "burst $r (every row again)"
    check_eq "burst $r: every row a duplicate, nothing stored" "$total" "$(stored "$H")"
done
STATE_ROOT=
last=$(hwm)
echo "# hubd's peak memory after $ROUNDS bursts: $((last / 1024)) MiB"
if [ -n "${ASAN_OPTIONS:-}" ]; then   # make asan: ASan keeps freed memory aside, so RSS says nothing of the hub's
    echo "# under AddressSanitizer the memory bounds are not checked (make test checks them)"
else
    check "hubd's peak memory stays under $((BOUND_KB / 1024)) MiB ($((last / 1024)) MiB)" test "$last" -lt "$BOUND_KB"
    check "hubd's peak memory does not grow with what is sent ($((first / 1024)) MiB after one burst, $((last / 1024)) MiB after $ROUNDS)" \
        test "$last" -le $((first + GROWTH_KB))
fi
grep -h '"msgid":"ADP-' "$T_TMP"/hub.*.err | grep -o '"msgid":"[A-Z-]*"' | sort | uniq -c | sed 's/^/# adapters said: /'
verify "after $ROUNDS bursts" "$H" "$D"
hub_stop
check_eq "SIGTERM stops it cleanly" 0 "$?"
t_done
