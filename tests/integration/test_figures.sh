# Figures and rosters against the generator's answer key: a clean district
# (--noise 0, so every person is exactly one resident) loaded through the
# four real adapters; `hubctl figures` (district and two communities) and
# `hubctl roster --csv` counted against persons.csv, the population's true
# values (community = the police register's 所属社区).
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
hub_init "$H" 16880 "group_commit_max_ms = 5"
check "hubd starts" hub_start "$H"
CTL() { "$BIN/hubctl" --home "$H" "$@"; }

# --- a clean district, all four departments ---
"$BIN/gen-district" --out "$T_TMP/d" --people 3000 --noise 0 >/dev/null
P=$T_TMP/d/persons.csv
check_eq "persons.csv header" "person_id,community_code,gender,birth_date,category,status,household_no" \
    "$(head -1 "$P")"
check_eq "persons.csv has one line per person" 3000 "$(($(grep -c '' "$P") - 1))"
check "police loads" "$BIN/adapter-police" --home "$H" "$T_TMP"/d/hukou_*.csv
check "family planning loads" "$BIN/adapter-familyplanning" --home "$H" "$T_TMP"/d/wis_*.tsv
check "labour loads" "$BIN/adapter-labour" --home "$H" "$T_TMP"/d/jyzt_*.jsonl
check "civil affairs loads (rosters and facilities)" \
    "$BIN/adapter-civilaffairs" --home "$H" "$T_TMP"/d/mz_roster_*.csv "$T_TMP/d/facilities.csv"

# fig OUTPUT SECTION LABEL: the number after LABEL in SECTION of `figures` output
fig() {
    awk -v s="$2" -v k="$3" '/^[^ ]/ { sec = $0; next }
        sec == s { line = $0; sub(/^ +/, "", line);
                   if (index(line, k " ") == 1) { print $(NF); exit } }' <<<"$1"
}
# truth CODE EXPR: persons.csv counted with awk (fields: $2 community, $3 gender,
# $5 category, $7 household); EXPR is "n" (persons), "f", "fl" or "hh"
truth() {
    awk -F, -v c="$1" -v e="$2" 'NR > 1 && (c == "" || $2 == c) { n++; if ($3 == "F") f++;
        if ($5 == "流动人口") fl++; if (!($7 in h)) { h[$7] = 1; hh++ } }
        END { v = e == "n" ? n : e == "f" ? f : e == "fl" ? fl : hh; print v + 0 }' "$P"
}

# --- the district ---
out=$(CTL figures); rc=$?
check_eq "figures (district) exits 0" 0 "$rc"
check_eq "district: population total = persons" "$(truth "" n)" "$(fig "$out" population total)"

# --- the two communities with most persons ---
for code in $(tail -n +2 "$P" | cut -d, -f2 | sort | uniq -c | sort -k1,1nr -k2,2 | head -2 | awk '{ print $2 }'); do
    out=$(CTL figures "$code"); rc=$?
    check_eq "figures $code exits 0" 0 "$rc"
    check_eq "$code: population total = persons there" "$(truth "$code" n)" "$(fig "$out" population total)"
    check_eq "$code: registration 流动人口 = floating persons there" "$(truth "$code" fl)" \
        "$(fig "$out" registration 流动人口)"
    check_eq "$code: police households = distinct household numbers there" "$(truth "$code" hh)" \
        "$(fig "$out" households "police households")"
    rows=$(CTL roster "$code" --gender F --csv); rc=$?
    check_eq "roster $code --gender F --csv exits 0" 0 "$rc"
    check_eq "roster $code --gender F: one line per female person" "$(truth "$code" f)" \
        "$(($(grep -c '' <<<"$rows") - 1))"
    rows=$(CTL roster "$code" --category 流动人口 --csv); rc=$?
    check_eq "roster $code --category 流动人口 --csv exits 0" 0 "$rc"
    check_eq "roster $code --category 流动人口: one line per floating person" "$(truth "$code" fl)" \
        "$(($(grep -c '' <<<"$rows") - 1))"
done

check "hubd stops cleanly" hub_stop
t_done
