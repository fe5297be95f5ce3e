#!/usr/bin/env bash
# make eval: generate a district, load it through the real adapters into a
# real hub, export the links, and score them against the generator's truth.
#   PEOPLE=20000 NOISE=1 SEED=1 tests/eval.sh
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
export HUB_PURPOSE="make eval: measuring matching quality"
PEOPLE=${PEOPLE:-20000}
NOISE=${NOISE:-1}
SEED=${SEED:-1}
W=$(mktemp -d /tmp/hubeval.XXXXXX)
trap 'kill $HUB 2>/dev/null; wait $HUB 2>/dev/null; rm -rf "$W"' EXIT
"$BIN/gen-district" --out "$W/d" --people "$PEOPLE" --noise "$NOISE" --seed "$SEED"
mkdir -p "$W/hub"
printf 'ingest_endpoint = tcp://127.0.0.1:16900\nquery_endpoint = tcp://127.0.0.1:16901\nevents_endpoint = tcp://127.0.0.1:16902\nmetrics_listen = 127.0.0.1:16903\n' \
    > "$W/hub/hub.conf"
[ -n "${HUB_CONF:-}" ] && cat "$HUB_CONF" >> "$W/hub/hub.conf"
"$BIN/hubd" --home "$W/hub" 2>"$W/hubd.err" &
HUB=$!
for _ in $(seq 1 50); do "$BIN/hubctl" --home "$W/hub" --timeout 300 stats >/dev/null 2>&1 && break; sleep 0.1; done
start=$(date +%s.%N)
"$BIN/adapter-police" --home "$W/hub" "$W"/d/hukou_*.csv
"$BIN/adapter-familyplanning" --home "$W/hub" "$W"/d/wis_*.tsv
"$BIN/adapter-labour" --home "$W/hub" "$W"/d/jyzt_*.jsonl
"$BIN/adapter-civilaffairs" --home "$W/hub" "$W"/d/mz_roster_*.csv
end=$(date +%s.%N)
records=$(sqlite3 -readonly "$W/hub/registry.db" "SELECT count(*) FROM source_records")
awk -v r="$records" -v s="$start" -v e="$end" 'BEGIN { printf "loaded and resolved %d records in %.1f s: %.0f records/s\n", r, e - s, r / (e - s) }'
"$BIN/hubctl" --home "$W/hub" export-links > "$W/links.csv"
sqlite3 -readonly -csv "$W/hub/registry.db" \
    "SELECT CASE source WHEN 1 THEN 'police' WHEN 2 THEN 'familyplanning' WHEN 3 THEN 'labour' ELSE 'civilaffairs' END,
            source_key, idno IS NOT NULL FROM source_records WHERE current = 1" > "$W/valid.csv"
echo "== people $PEOPLE, noise ${NOISE}x, seed $SEED"
"$BIN/tests/evaluate" "$W/d/truth.csv" "$W/links.csv" "$W/valid.csv" | tee "$W/eval.txt"
two=$(sqlite3 -readonly "$W/hub/registry.db" \
    "SELECT count(*) FROM (SELECT resident_id FROM source_records WHERE current = 1 AND idno IS NOT NULL
     GROUP BY resident_id HAVING count(DISTINCT idno) > 1)")
echo "residents holding two different valid identity numbers: $two"
echo "review items open: $(sqlite3 -readonly "$W/hub/registry.db" "SELECT count(*) FROM review_items WHERE status = 'open'")"
f1=$(awk '/pairwise/ { print $NF; exit }' "$W/eval.txt")
if awk -v f="$f1" -v t="$two" 'BEGIN { exit !(f >= 0.995 && t == 0) }'; then verdict=met; else verdict="NOT met"; fi
echo "the bar (pairwise F1 >= 0.995, no resident with two different valid numbers): $verdict (F1 $f1)"
