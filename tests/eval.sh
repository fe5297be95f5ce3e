#!/usr/bin/env bash
# make eval: generate a district, load it through the real adapters into a
# real hub, export the links, and score them against the generator's truth
# (tests/tools/evaluate.c says what is printed). With NOISE unset, at noise
# 1, 2 and 3 in turn, then one table of the three; NOISE=N: that level only.
#   PEOPLE=20000 NOISE=1 SEED=1 tests/eval.sh
# EVAL_PORT (16900): the first of the four loopback ports the hub listens on;
# EVAL_KEEP=1 keeps each level's district, hub home and links (printed).
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
export HUB_PURPOSE="make eval: measuring matching quality"
PEOPLE=${PEOPLE:-20000}
LEVELS=${NOISE:-1 2 3}
SEED=${SEED:-1}
PORT=${EVAL_PORT:-16900}
W=$(mktemp -d /tmp/hubeval.XXXXXX)
HUB=
trap '[ -n "$HUB" ] && { kill $HUB 2>/dev/null; wait $HUB 2>/dev/null; }; [ "${EVAL_KEEP:-0}" = 1 ] && echo "kept $W" || rm -rf "$W"' EXIT

# level N: one district at noise N, scored; its closing figures go to $W/table
level() {
    local n=$1 d=$W/n$1
    mkdir -p "$d/hub"
    "$BIN/gen-district" --out "$d/d" --people "$PEOPLE" --noise "$n" --seed "$SEED"
    printf 'ingest_endpoint = tcp://127.0.0.1:%d\nquery_endpoint = tcp://127.0.0.1:%d\nevents_endpoint = tcp://127.0.0.1:%d\nmetrics_listen = 127.0.0.1:%d\n' \
        "$PORT" $((PORT + 1)) $((PORT + 2)) $((PORT + 3)) > "$d/hub/hub.conf"
    [ -n "${HUB_CONF:-}" ] && cat "$HUB_CONF" >> "$d/hub/hub.conf"
    "$BIN/hubd" --home "$d/hub" 2>"$d/hubd.err" &
    HUB=$!
    for _ in $(seq 1 50); do "$BIN/hubctl" --home "$d/hub" --timeout 300 stats >/dev/null 2>&1 && break; sleep 0.1; done
    local start end records
    start=$(date +%s.%N)
    "$BIN/adapter-police" --home "$d/hub" "$d"/d/hukou_*.csv
    "$BIN/adapter-familyplanning" --home "$d/hub" "$d"/d/wis_*.tsv
    "$BIN/adapter-labour" --home "$d/hub" "$d"/d/jyzt_*.jsonl
    "$BIN/adapter-civilaffairs" --home "$d/hub" "$d"/d/mz_roster_*.csv
    end=$(date +%s.%N)
    records=$(sqlite3 -readonly "$d/hub/registry.db" "SELECT count(*) FROM source_records")
    awk -v r="$records" -v s="$start" -v e="$end" 'BEGIN { printf "loaded and resolved %d records in %.1f s: %.0f records/s\n", r, e - s, r / (e - s) }'
    "$BIN/hubctl" --home "$d/hub" export-links > "$d/links.csv"
    sqlite3 -readonly -csv "$d/hub/registry.db" \
        "SELECT CASE source WHEN 1 THEN 'police' WHEN 2 THEN 'familyplanning' WHEN 3 THEN 'labour' ELSE 'civilaffairs' END,
                source_key, idno IS NOT NULL FROM source_records WHERE current = 1" > "$d/valid.csv"
    echo "== people $PEOPLE, noise ${n}x, seed $SEED"
    "$BIN/tests/evaluate" "$d/d/truth.csv" "$d/links.csv" "$d/valid.csv" | tee "$d/eval.txt"
    local two review f1 bar verdict
    two=$(sqlite3 -readonly "$d/hub/registry.db" \
        "SELECT count(*) FROM (SELECT resident_id FROM source_records WHERE current = 1 AND idno IS NOT NULL
         GROUP BY resident_id HAVING count(DISTINCT idno) > 1)")
    review=$(sqlite3 -readonly "$d/hub/registry.db" "SELECT count(*) FROM review_items WHERE status = 'open'")
    echo "residents holding two different valid identity numbers: $two"
    awk -v r="$review" -v n="$records" 'BEGIN { printf "review items open: %d (%.2f%% of records)\n", r, n ? 100 * r / n : 0 }'
    f1=$(awk '/pairwise/ { print $NF; exit }' "$d/eval.txt")
    # the bar of issue 15: F1 >= 0.995 at noise 1 (0.98 at 2, 0.96 at 3 and more),
    # precision >= 0.999, no row missing, no hard-negative group merged, nobody
    # with two different valid numbers
    bar=$(awk -v n="$n" 'BEGIN { print n <= 1 ? 0.995 : n <= 2 ? 0.98 : 0.96 }')
    verdict=$(awk -v bar="$bar" -v t="$two" '/^summary:/ {
        for (i = 2; i < NF; i++) v[$i] = $(i + 1)
        why = ""
        if (v["F1"] < bar) why = why ", F1 " v["F1"] " < " bar
        if (v["precision"] < 0.999) why = why ", precision " v["precision"] " < 0.999"
        if (v["rows-missing"] != 0) why = why ", " v["rows-missing"] " rows missing"
        if (v["twin"] + v["namesake"] + v["sibling_name"] > 0) why = why ", hard-negative groups merged"
        if (t != 0) why = why ", " t " residents with two valid numbers"
        print why == "" ? "met" : "NOT met (" substr(why, 3) ")" }' "$d/eval.txt")
    echo "the bar (pairwise F1 >= $bar, precision >= 0.999, no row missing, no twin, namesake or sibling group merged, no resident with two different valid numbers): $verdict (F1 $f1)"
    echo "$n $(grep '^summary:' "$d/eval.txt") two-ids $two review $review records $records" >> "$W/table"
    kill $HUB 2>/dev/null; wait $HUB 2>/dev/null || true
    HUB=
    [ "${EVAL_KEEP:-0}" = 1 ] || rm -rf "$d"
}

for n in $LEVELS; do level "$n"; done
if [ "$(wc -l < "$W/table")" -gt 1 ]; then
    echo "== make eval: people $PEOPLE, seed $SEED, by noise level"
    awk 'function v(k,   i) { for (i = 3; i < NF; i++) if ($i == k) return $(i + 1); return "-" }
        BEGIN { printf "%-6s %9s %7s %7s %8s %6s %5s %8s %8s %8s %8s %5s %8s %8s %7s %7s\n", "noise", "precision", "recall",
                "F1", "missing", "split", "over", "no_id-P", "no_id-R", "forgn-P", "forgn-R", "twin", "namesake",
                "sibling", "two-ids", "review%" }
        { printf "%-6s %9s %7s %7s %8s %6s %5s %8s %8s %8s %8s %5s %8s %8s %7s %7.2f\n", $1 "x", v("precision"), v("recall"),
          v("F1"), v("rows-missing"), v("split"), v("over-merged"), v("no_id-precision"), v("no_id-recall"),
          v("foreign_id-precision"), v("foreign_id-recall"), v("twin"), v("namesake"), v("sibling_name"),
          v("two-ids"), 100 * v("review") / v("records") }' "$W/table"
    echo "(missing: truth rows not in the hub; split: persons in two residents or more; over: residents"
    echo " holding two persons or more; no_id/forgn: records without a valid number / on someone else's"
    echo " number, pairwise precision and recall; twin/namesake/sibling: groups merged; two-ids: residents"
    echo " holding two different valid numbers; review%: open review items per 100 records)"
fi
