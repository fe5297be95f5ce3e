# Busy database: another process holds the registry's write lock in the
# middle of a load (sqlite3 in BEGIN IMMEDIATE, kept open). For less than
# the hub's busy timeout (5 s) the hub waits; for longer, it gives up on
# that transaction (HUB-STORE-BUSY in its log) and the adapters resend.
# While the lock is held nothing is stored, no batch is ever half-stored
# (every stored batch holds exactly its accepted records), and once the
# lock is released everything arrives exactly once.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/faultlib.bash"

PEOPLE=4000 HOLDS=(2 7)
if [ "$SOAK" = 1 ]; then
    PEOPLE=20000 HOLDS=()
    for _ in 1 2 3 4 5 6 7 8; do rnd 12; HOLDS+=($((R + 1))); done
fi
D=$T_TMP/d
gen_district "$D" "$PEOPLE"
reference "$T_TMP/ref" 17110 "$D"
TOTAL=$(cat "$T_TMP/ref.count")

H=$T_TMP/hub
hub_init "$H" 17100
check "hubd starts" hub_start "$H"
# small batches and a short window
adapters_start "$H" "$D" --batch 50 --window 2 --ack-timeout 500
i=0
for hold in "${HOLDS[@]}"; do
    i=$((i + 1))
    check "lock $i: $i/$((${#HOLDS[@]} + 2)) of the load is in" wait_stored "$H" $((TOTAL * i / (${#HOLDS[@]} + 2))) 120
    # the other process: its shell command runs once BEGIN IMMEDIATE holds
    # the lock (it waits up to 30 s for it); it ends when told to
    {
        echo ".timeout 30000"
        echo ".bail on"
        echo "BEGIN IMMEDIATE;"
        echo ".shell touch $T_TMP/locked.$i"
        while [ ! -e "$T_TMP/release.$i" ]; do sleep 0.05; done
        echo "ROLLBACK;"
    } | sqlite3 "$H/registry.db" > "$T_TMP/lock.$i" 2>&1 &
    lock=$!
    # the adapters paused until it has the lock: a busy hub may hold the
    # lock from one transaction to the next, and the load must not end first
    for n in $DEPTS; do kill -STOP "${A_PID[$n]}" 2>/dev/null; done
    for _ in $(seq 1 600); do [ -e "$T_TMP/locked.$i" ] && break; sleep 0.05; done
    for n in $DEPTS; do kill -CONT "${A_PID[$n]}" 2>/dev/null; done
    check "lock $i: another process holds the registry's write lock" test -e "$T_TMP/locked.$i"
    held_at=$(stored "$H")
    sleep "$hold"
    check_eq "lock $i: nothing is stored while it is held (${hold}s)" "$held_at" "$(stored "$H")"
    check "lock $i: the load was not over ($held_at of $TOTAL)" test "$held_at" -lt "$TOTAL"
    touch "$T_TMP/release.$i"
    wait "$lock"
    check_eq "lock $i: the other process's transaction ends (status)" 0 "$?"
    check "lock $i: hubd keeps running" kill -0 "$HUB_PID"
done
adapters_wait "after ${#HOLDS[@]} locks"
verify "after ${#HOLDS[@]} locks" "$H" "$D" "$T_TMP/ref"
longest=$(printf '%s\n' "${HOLDS[@]}" | sort -n | tail -1)
if [ "$longest" -gt 5 ]; then
    check "a lock longer than the busy timeout is logged (HUB-STORE-BUSY)" grep -q '"msgid":"HUB-STORE-BUSY"' "$H/hub.log"
fi
hub_stop
check_eq "SIGTERM stops it cleanly" 0 "$?"
t_done
