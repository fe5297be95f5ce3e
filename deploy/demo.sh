#!/usr/bin/env bash
# make demo: a sample district through the police adapter into a hub on
# loopback, then queries. Leaves the hub's home in demo/ for a look around.
set -eu
cd "$(dirname "$0")/.."
BIN=bin
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

say "Police adapter: the snapshot, then the next day's changes"
"$BIN/adapter-police" --home "$HOME_DIR" demo/district/hukou_*.csv

say "hubctl stats"
"$BIN/hubctl" --home "$HOME_DIR" stats

say "hubctl export-links | head (the linkage auditors check)"
"$BIN/hubctl" --home "$HOME_DIR" export-links > demo/links.csv
head -5 demo/links.csv
echo "... $(($(wc -l < demo/links.csv) - 1)) links in demo/links.csv"

key=$(awk -F, 'NR > 1 && $3 == "hukou_20261102_delta.csv" { print $2; exit }' demo/links.csv)
say "hubctl get --idno $key (a resident changed by the delta: both versions, with provenance)"
"$BIN/hubctl" --home "$HOME_DIR" get --idno "$key"

say "The hub's log (JSON lines, no personal data): last 5 lines of $HOME_DIR/hub.log"
tail -5 "$HOME_DIR/hub.log"
echo
echo "Done. The hub's home is $HOME_DIR; run more queries while a hub runs:"
echo "  bin/hubd --home $HOME_DIR &   bin/hubctl --home $HOME_DIR get --idno NUMBER"
