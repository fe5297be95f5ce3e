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
fac=$(awk -F, 'NR > 1 && $2 ~ /;/ { print $1; exit }' demo/district/facilities_truth.csv)
say "hubctl get --idno $fac (a facility serving several communities)"
"$BIN/hubctl" --home "$HOME_DIR" get --idno "$fac"

say "The hub's log (JSON lines, no personal data): last 5 lines of $HOME_DIR/hub.log"
tail -5 "$HOME_DIR/hub.log"
echo
echo "Done. The hub's home is $HOME_DIR; run more queries while a hub runs:"
echo "  bin/hubd --home $HOME_DIR &   bin/hubctl --home $HOME_DIR get --idno NUMBER"
