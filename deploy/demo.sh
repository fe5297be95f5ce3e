#!/usr/bin/env bash
# make demo: a sample district through all four departments' adapters into
# a hub on loopback, then queries. Leaves the hub's home in demo/ for a look around.
set -eu
cd "$(dirname "$0")/.."
BIN=bin
export HUB_PURPOSE="make demo: showing the hub"
HOME_DIR=demo/hub
rm -rf demo
mkdir -p demo
say() { printf '\n== %s\n' "$*"; }

say "Generating a synthetic district (deterministic, seed 1)"
"$BIN/gen-district" --out demo/district --people 5000 --police-delta 40

say "Starting hubd --home $HOME_DIR (first start makes keys, principals and hub.conf)"
mkdir -p "$HOME_DIR"
"$BIN/hubd" --home "$HOME_DIR" 2>demo/hubd.stderr &
HUB=$!
trap 'kill $HUB 2>/dev/null; wait $HUB 2>/dev/null' EXIT
for _ in $(seq 1 50); do "$BIN/hubctl" --home "$HOME_DIR" --timeout 300 stats >/dev/null 2>&1 && break; sleep 0.1; done
cat "$HOME_DIR/principals"

say "The four departments' adapters, each on its own exports"
"$BIN/adapter-police" --home "$HOME_DIR" demo/district/hukou_*.csv
"$BIN/adapter-familyplanning" --home "$HOME_DIR" demo/district/wis_*.tsv
"$BIN/adapter-labour" --home "$HOME_DIR" demo/district/jyzt_*.jsonl
"$BIN/adapter-civilaffairs" --home "$HOME_DIR" demo/district/mz_roster_*.csv demo/district/facilities.csv

say "hubctl stats"
"$BIN/hubctl" --home "$HOME_DIR" stats

say "hubctl export-links | head (the linkage auditors check)"
"$BIN/hubctl" --home "$HOME_DIR" export-links > demo/links.csv
head -5 demo/links.csv
echo "... $(($(wc -l < demo/links.csv) - 1)) links in demo/links.csv"

# a resident known to three departments or more: one number, many records
rid=$(awk -F, 'NR > 1 { seen[$5 "," $1] = 1 } END { for (k in seen) { split(k, p, ","); n[p[1]]++ }
               for (r in n) if (n[r] >= 3) { print r; exit } }' demo/links.csv)
key=$(awk -F, -v r="$rid" 'NR > 1 && $1 == "police" && $5 == r { print $2; exit }' demo/links.csv)
say "hubctl get --idno $key (one resident, records from several departments, with provenance)"
"$BIN/hubctl" --home "$HOME_DIR" get --idno "$key"
# the same resident as a committee office and as a department see it
code=$(sqlite3 -readonly "$HOME_DIR/registry.db" "SELECT community_code FROM person_facts p JOIN source_records s
       ON s.id = p.record_id WHERE s.resident_id = $rid AND s.source = 1 AND s.current = 1")
"$BIN/hubctl" --home "$HOME_DIR" principal add committee-$code committee:$code --key-out demo/committee.key >/dev/null
"$BIN/hubctl" --home "$HOME_DIR" principal add labour-desk department:labour --key-out demo/labour.key >/dev/null
say "The committee office of community $code (committee:$code) asks for the same resident: numbers masked, no sensitive fields"
"$BIN/hubctl" --home "$HOME_DIR" --principal committee-$code --key demo/committee.key \
    --purpose "居委会核实低保资格" get --resident "$rid" | head -22
say "The labour department (department:labour) asks for the same resident: full numbers"
"$BIN/hubctl" --home "$HOME_DIR" --principal labour-desk --key demo/labour.key \
    --purpose "再就业登记核对" get --resident "$rid" | head -8
other=$(sqlite3 -readonly "$HOME_DIR/registry.db" "SELECT s.resident_id FROM person_facts p JOIN source_records s
        ON s.id = p.record_id WHERE p.community_code <> '$code' AND s.source = 1 AND s.current = 1 LIMIT 1")
say "The committee office asks for a resident of another community: refused, and on the record"
"$BIN/hubctl" --home "$HOME_DIR" --principal committee-$code --key demo/committee.key \
    --purpose "越权尝试" get --resident "$other" || true
say "The committee office's figures for its community (the survey's tables, computed)"
"$BIN/hubctl" --home "$HOME_DIR" --principal committee-$code --key demo/committee.key \
    --purpose "年度社区调查" figures
say "Its roster of floating residents aged 18-60, as CSV for a spreadsheet (first lines)"
"$BIN/hubctl" --home "$HOME_DIR" --principal committee-$code --key demo/committee.key \
    --purpose "流动人口走访" roster --category 流动人口 --age 18-60 --csv | head -5
say "hubctl audit --resident $rid: who looked at this resident, and why"
"$BIN/hubctl" --home "$HOME_DIR" audit --resident "$rid"
"$BIN/hubctl" --home "$HOME_DIR" audit verify
name=$(sqlite3 -readonly "$HOME_DIR/registry.db" "SELECT name FROM person_facts p JOIN source_records s ON s.id = p.record_id
       WHERE s.resident_id = $rid AND s.source = 1")
say "hubctl search --name $name (any script or pinyin finds a resident)"
"$BIN/hubctl" --home "$HOME_DIR" search --name "$name"

fac=$(awk -F, 'NR > 1 && $2 ~ /;/ { print $1; exit }' demo/district/facilities_truth.csv)
fcode=$(awk -F, -v f="$fac" '$1 == f { split($2, c, ";"); print c[2] }' demo/district/facilities_truth.csv)
say "hubctl facilities --community $fcode (facility $fac serves several communities)"
"$BIN/hubctl" --home "$HOME_DIR" facilities --community "$fcode" | grep "$fac"

# a police death reaching civil affairs: its desk follows the change feed;
# the police record one old-age allowance recipient as deceased
"$BIN/hubctl" --home "$HOME_DIR" principal add minzheng department:civilaffairs --key-out demo/minzheng.key >/dev/null
last=$(sqlite3 -readonly "$HOME_DIR/registry.db" "SELECT max(seq) FROM change_events")
"$BIN/hubctl" --home "$HOME_DIR" --principal minzheng --key demo/minzheng.key --purpose "低保与津贴停发核查" \
    subscribe --from "$last" --for 8 > demo/feed.txt &
FEED=$!
snap=$(ls demo/district/hukou_*.csv | grep -v delta | head -1)
who=$(awk -F, 'NR > 1 && $6 == "正常" && $9 ~ /高龄津贴/ { print $1; exit }' demo/district/persons.csv)
row=$(awk -F, -v p="$who" -v f="$(basename "$snap")" '$1 == p && $4 == f { print $5; exit }' demo/district/truth.csv)
iconv -f GB18030 -t UTF-8 "$snap" | tr -d '\r' > demo/hukou.utf8.csv
sqlite3 demo/edit.db ".import --csv demo/hukou.utf8.csv h" \
    "UPDATE h SET 人员状态 = '死亡', 变动类型 = '死亡', 变动日期 = '20261120' WHERE rowid = $row" \
    ".headers on" ".mode csv" ".once demo/death.csv" "SELECT * FROM h WHERE rowid = $row"
iconv -f UTF-8 -t GB18030 demo/death.csv > demo/district/hukou_20261120_delta.csv   # (sqlite3 writes CRLF)
rm -f demo/edit.db demo/hukou.utf8.csv demo/death.csv
sleep 1
say "The police record a death (hukou_20261120_delta.csv: one old-age allowance recipient, $who in the generator)"
"$BIN/adapter-police" --home "$HOME_DIR" demo/district/hukou_20261120_delta.csv
wait $FEED
dead=$(awk -F'\t' '$2 == "life.changed" && $9 == "死亡" { print $3; exit }' demo/feed.txt)
say "What the civil-affairs desk's subscriber received (hubctl subscribe): the death, then the alert"
awk -F'\t' -v r="$dead" '$3 == r' demo/feed.txt
say "hubctl alerts --rule gone-but-paid (the findings of the cross-department checks, with evidence)"
"$BIN/hubctl" --home "$HOME_DIR" alerts --rule gone-but-paid

say "The hub's log (JSON lines, no personal data): last 5 lines of $HOME_DIR/hub.log"
tail -5 "$HOME_DIR/hub.log"

say "hubctl status (exit 0 healthy, 1 degraded, 2 down)"
"$BIN/hubctl" --home "$HOME_DIR" status || true
say "hubctl top, three seconds of it (on a terminal it redraws in place)"
"$BIN/hubctl" --home "$HOME_DIR" top --count 3 | cat
say "The metrics Prometheus scrapes (a few of them) and /healthz"
if command -v curl >/dev/null; then
    curl -s http://127.0.0.1:5563/metrics | grep -E '^hub_(records_accepted_total|residents|adapter_up|healthy)' || true
    curl -s http://127.0.0.1:5563/healthz
fi
echo
echo "Done. The hub's home is $HOME_DIR; run more queries while a hub runs:"
echo "  bin/hubd --home $HOME_DIR &   bin/hubctl --home $HOME_DIR get --idno NUMBER"
