# Online backup: `hubctl backup FILE` while all four adapters load a
# district. The copy is one consistent moment (every batch it records has
# all its records, integrity ok), a later restore of it is a working hub
# that the adapters can finish loading, and a backup never overwrites.
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
hub_init "$H" 17600 "group_commit_max_ms = 5"
check "hubd starts" hub_start "$H"
CTL() { "$BIN/hubctl" --home "$H" "$@"; }
"$BIN/gen-district" --out "$T_TMP/d" --people 20000 --seed 7 >/dev/null
D=$T_TMP/d

# consistent SQLITE-FILE: every record an acknowledged batch accepted is there, and no more
consistent() {
    local a s
    a=$(sqlite3 "$1" "SELECT coalesce(sum(accepted), 0) FROM batches")
    s=$(sqlite3 "$1" "SELECT count(*) FROM source_records")
    [ "$a" = "$s" ] || { echo "# batches accepted $a, source records $s"; return 1; }
}

"$BIN/adapter-police" --home "$H" "$D"/hukou_*.csv >"$T_TMP/police.out" &
P1=$!
"$BIN/adapter-labour" --home "$H" "$D"/jyzt_*.jsonl >"$T_TMP/labour.out" &
P2=$!
"$BIN/adapter-familyplanning" --home "$H" "$D"/wis_*.tsv >"$T_TMP/fp.out" &
P3=$!
"$BIN/adapter-civilaffairs" --home "$H" "$D"/mz_roster_*.csv "$D/facilities.csv" >"$T_TMP/civil.out" &
P4=$!
# wait until some records are in, then copy while the load goes on
for _ in $(seq 1 100); do
    [ "$(sqlite3 "$H/registry.db" "SELECT count(*) FROM source_records" 2>/dev/null || echo 0)" -gt 2000 ] && break
    sleep 0.05
done
out=$(cd "$T_TMP" && CTL backup mid.db); rc=$?
echo "# $out"
during=$(kill -0 $P1 2>/dev/null || kill -0 $P2 2>/dev/null || kill -0 $P3 2>/dev/null || kill -0 $P4 2>/dev/null && echo yes)
check_eq "backup (a relative path) while loading: status 0" 0 "$rc"
check "backup: says where, how big, and that it was checked" grep -q "^backup written to $T_TMP/mid.db: [0-9]* bytes in [0-9]* ms, checked$" <<<"$out"
echo "# adapters still loading when the backup finished: ${during:-no}"
check "backup: no .partial file left" test ! -e "$T_TMP/mid.db.partial"
check "backup: the audit log beside it, said so" bash -c \
    '[ "$(sqlite3 "$0.audit" "PRAGMA integrity_check")" = ok ] && grep -q "^audit log written to $0.audit$" <<<"$1"' \
    "$T_TMP/mid.db" "$out"
check_eq "backup: integrity_check ok" ok "$(sqlite3 "$T_TMP/mid.db" "PRAGMA integrity_check")"
check "backup: one consistent moment (accepted records of its batches = its source records)" consistent "$T_TMP/mid.db"
n_mid=$(sqlite3 "$T_TMP/mid.db" "SELECT count(*) FROM source_records")
echo "# the backup holds $n_mid source records"
check "backup: holds records" test "$n_mid" -gt 0
check "hub.log: HUB-BACKUP with bytes and ms" grep -q '"HUB-BACKUP".*"bytes":[0-9]*.*"ms":[0-9]*' "$H/hub.log"

out=$(CTL backup "$T_TMP/mid.db" 2>&1); rc=$?
check_eq "backup onto an existing file: refused (status 1)" 1 "$rc"
check "and says it never overwrites" grep -q "never overwrites" <<<"$out"
check "hub.log: HUB-BACKUP-FAIL with the reason" grep -q '"HUB-BACKUP-FAIL".*never overwrites' "$H/hub.log"
check "the refused backup left the first copy alone" test "$(sqlite3 "$T_TMP/mid.db" "SELECT count(*) FROM source_records")" = "$n_mid"
CTL principal add desk department:labour --key-out "$T_TMP/desk.key" >/dev/null
"$BIN/hubctl" --home "$H" --principal desk --key "$T_TMP/desk.key" --timeout 60000 backup "$T_TMP/x.db" >/dev/null 2>&1; rc=$?
check "a department may not take a backup (status 1, no file)" bash -c '[ "$0" = 1 ] && [ ! -e "$1" ]' "$rc" "$T_TMP/x.db"

for p in $P1 $P2 $P3 $P4; do wait "$p"; done
check "hub keeps serving after the backups" CTL stats
n_all=$(sql "$H" "SELECT count(*) FROM source_records")
CTL export-links | tail -n +2 | cut -d, -f1,2 | sort > "$T_TMP/keys.orig"
hub_stop

# ---- restore: the copy becomes a new hub's registry; the adapters finish the load into it ----
R=$T_TMP/restored
hub_init "$R" 17610 "group_commit_max_ms = 5"
cp "$T_TMP/mid.db" "$R/registry.db"
cp "$T_TMP/mid.db.audit" "$R/audit.db"
check "a hub starts on the restored copy" hub_start "$R"
RC() { "$BIN/hubctl" --home "$R" "$@"; }
check_eq "restored: its source records are the copy's" "$n_mid" "$(sql "$R" "SELECT count(*) FROM source_records")"
out=$(RC audit verify); rc=$?
check "restored: the audit log is whole" bash -c '[ "$0" = 0 ] && grep -q "is whole" <<<"$1"' "$rc" "$out"
"$BIN/adapter-police" --home "$R" "$D"/hukou_*.csv >/dev/null
"$BIN/adapter-labour" --home "$R" "$D"/jyzt_*.jsonl >/dev/null
"$BIN/adapter-familyplanning" --home "$R" "$D"/wis_*.tsv >/dev/null
"$BIN/adapter-civilaffairs" --home "$R" "$D"/mz_roster_*.csv "$D/facilities.csv" >/dev/null
check_eq "restored, then loaded again: as many record versions as the original hub" "$n_all" \
    "$(sql "$R" "SELECT count(*) FROM source_records")"
RC export-links | tail -n +2 | cut -d, -f1,2 | sort > "$T_TMP/keys.restored"
check "restored, then loaded again: the same records (source, key) as the original hub" \
    cmp -s "$T_TMP/keys.orig" "$T_TMP/keys.restored"
check_eq "restored: no record twice" "" "$(uniq -d "$T_TMP/keys.restored" | head -3)"
hub_stop
check_eq "restored registry: integrity_check ok" ok "$(sqlite3 "$R/registry.db" "PRAGMA integrity_check")"
t_done
