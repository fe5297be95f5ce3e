# Figures and rosters against the generator's answer key: a clean district
# (--noise 0, so every person is exactly one resident) loaded through the
# four real adapters; `hubctl figures` (district and two communities) and
# `hubctl roster --csv` counted against persons.csv, the population's true
# values (community = the police register's 所属社区; labour's 就业状态; the
# entitlements of the latest civil-affairs roster, 在保 with their amounts
# and the others with their status).
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
hub_init "$H" 16880 "group_commit_max_ms = 5"
check "hubd starts" hub_start "$H"
CTL() { "$BIN/hubctl" --home "$H" "$@"; }

# --- a clean district, all four departments ---
"$BIN/gen-district" --out "$T_TMP/d" --people 3000 --noise 0 >/dev/null
P=$T_TMP/d/persons.csv
check_eq "persons.csv header" \
    "person_id,community_code,gender,birth_date,category,status,household_no,employment_status,entitlements,other_entitlements" \
    "$(head -1 "$P")"
check_eq "persons.csv has one line per person" 3000 "$(($(grep -c '' "$P") - 1))"
check "persons.csv has people in labour's register" grep -qE '^([^,]*,){7}在岗,' "$P"
check "persons.csv has entitlements in force with amounts" grep -qE '^([^,]*,){8}[^,]*城市低保:[0-9]+' "$P"
check "persons.csv has volunteers" grep -qE '^([^,]*,){8}[^,]*社区志愿者:' "$P"
check "police loads" "$BIN/adapter-police" --home "$H" "$T_TMP"/d/hukou_*.csv
check "family planning loads" "$BIN/adapter-familyplanning" --home "$H" "$T_TMP"/d/wis_*.tsv
check "labour loads" "$BIN/adapter-labour" --home "$H" "$T_TMP"/d/jyzt_*.jsonl
check "civil affairs loads (rosters and facilities)" \
    "$BIN/adapter-civilaffairs" --home "$H" "$T_TMP"/d/mz_roster_*.csv "$T_TMP/d/facilities.csv"

# fig OUTPUT SECTION LABEL [N]: in SECTION of `figures` output (a line at
# column 0), the item line whose label is LABEL: its N-th number after the
# label (1, the default: the count; 2: the amount of `entitlements in force`),
# or nothing when there is no such line or number
fig() {
    awk -v s="$2" -v k="$3" -v n="${4:-1}" '/^[^ ]/ { sec = $0; next }
        sec == s && index($0, "  " k " ") == 1 {
            m = split(substr($0, length(k) + 3), w, " ")
            for (i = 1; i <= m; i++) if (w[i] ~ /^[0-9]+(\.[0-9]+)?$/ && --n == 0) { print w[i]; break }
            exit }' <<<"$1"
}
# labels OUTPUT SECTION: the labels of SECTION's item lines, sorted, space-separated
labels() {
    awk -v s="$2" '/^[^ ]/ { sec = $0; next }
        sec == s { line = substr($0, 3); sub(/ +[0-9]+( .*)?$/, "", line); print line }' <<<"$1" |
        LC_ALL=C sort | paste -sd' '
}
# truth CODE EXPR: the living persons of persons.csv (status 正常: not dead,
# moved out or cancelled, whom the figures and rosters leave out) counted
# with awk (fields: $2 community, $3 gender, $5 category, $7 household);
# EXPR is "n" (persons), "f", "fl" or "hh"
truth() {
    awk -F, -v c="$1" -v e="$2" 'NR > 1 && (c == "" || $2 == c) && $6 == "正常" { n++; if ($3 == "F") f++;
        if ($5 == "流动人口") fl++; if (!($7 in h)) { h[$7] = 1; hh++ } }
        END { v = e == "n" ? n : e == "f" ? f : e == "fl" ? fl : hh; print v + 0 }' "$P"
}
# facts CODE TODAY: the rest of persons.csv tabulated for CODE ("" for the
# district), one "KEY<tab>VALUE" line each:
#   band:B G     persons of age band B (0-14, 15-59, 60-79, 80+) and gender G
#   age:LO-HI    persons aged LO..HI
#   emp:E        persons with employment status E (a person counts once in
#                each of their statuses)
#   ent:C        persons with an entitlement C in force on the latest roster
#   fen:C        the sum of their monthly amounts, in fen
#   any:C        persons on the latest roster with C, in force or not
# Only the living persons (status 正常) count; ages are calendar ages at TODAY.
facts() {
    awk -F, -v c="$1" -v today="$2" '
        BEGIN { split("0-14 15-59 60-79 80-150 16-64 18-75", ranges, " ") }
        NR > 1 && (c == "" || $2 == c) && $6 == "正常" {
            y = substr(today, 1, 4) - substr($4, 1, 4) - (substr(today, 6, 5) < substr($4, 6, 5))
            band = y < 15 ? "0-14" : y < 60 ? "15-59" : y < 80 ? "60-79" : "80+"
            v["band:" band " " $3]++
            for (i in ranges) { split(ranges[i], lh, "-"); if (y >= lh[1] + 0 && y <= lh[2] + 0) v["age:" ranges[i]]++ }
            m = split($8, es, ";"); for (i = 1; i <= m; i++) v["emp:" es[i]]++
            m = split($9, en, ";")
            for (i = 1; i <= m; i++) { split(en[i], kv, ":"); v["ent:" kv[1]]++; v["fen:" kv[1]] += kv[2]; any[kv[1]] = 1 }
            m = split($10, ot, ";"); for (i = 1; i <= m; i++) { split(ot[i], kv, ":"); any[kv[1]] = 1 }
            for (k in any) v["any:" k]++
            delete any
        }
        END { for (k in v) printf "%s\t%.0f\n", k, v[k] }' "$P"
}
# tv TABLE KEY: the value of KEY in a facts table, 0 when absent
tv() { awk -F'\t' -v k="$2" '$1 == k { v = $2 } END { print v + 0 }' <<<"$1"; }
# tlabels TABLE PREFIX: the keys with PREFIX, without it, sorted, space-separated
tlabels() { awk -F'\t' -v p="$2" 'index($1, p) == 1 { print substr($1, length(p) + 1) }' <<<"$1" |
    LC_ALL=C sort | paste -sd' '; }
# yuan FEN: the amount as figures shows it, with two decimals; 0.00 for none
yuan() { awk -v f="$1" 'BEGIN { printf "%.2f\n", f / 100 }'; }
# rows OUTPUT: the data lines of a `roster --csv` answer
rows() { echo $(($(grep -c '' <<<"$1") - 1)); }

EMPLOYMENT="在岗 下岗 失业 再就业 退休"
CATEGORIES="城市低保 特困供养 高龄津贴 重点优抚对象 义务兵家庭优待 残疾人两项补贴 社区志愿者"

# figures_check WHERE OUTPUT CODE: the age bands, employment, entitlements in
# force and volunteers of OUTPUT (figures of CODE, "" for the district)
# against persons.csv (checks named WHERE: ...); leaves the facts table of
# CODE in FACTS for the caller
figures_check() {
    local w=$1 out=$2 code=$3 today t b g e c v
    today=$(sed -n '1s/.*, ages at \([0-9-]*\)$/\1/p' <<<"$out")
    check_eq "$w: figures give today's date for ages" "$(date +%F)" "$today"
    t=$(facts "$code" "$today")
    for b in 0-14 15-59 60-79 80+; do
        for g in F M; do
            check_eq "$w: age band and gender $b $g" "$(tv "$t" "band:$b $g")" \
                "$(v=$(fig "$out" "age band and gender" "$b $g"); echo "${v:-0}")"
        done
    done
    check_eq "$w: age band and gender lists only the true bands" "$(tlabels "$t" band:)" \
        "$(labels "$out" "age band and gender")"
    for e in $EMPLOYMENT; do
        check_eq "$w: employment $e" "$(tv "$t" "emp:$e")" "$(v=$(fig "$out" employment "$e"); echo "${v:-0}")"
    done
    check_eq "$w: employment lists only labour's statuses" "$(tlabels "$t" emp:)" "$(labels "$out" employment)"
    for c in $CATEGORIES; do
        check_eq "$w: entitlements in force $c: residents" "$(tv "$t" "ent:$c")" \
            "$(v=$(fig "$out" "entitlements in force" "$c"); echo "${v:-0}")"
        # (no amount shown counts as 0.00: figures leaves it out when there is none)
        check_eq "$w: entitlements in force $c: yuan a month" "$(yuan "$(tv "$t" "fen:$c")")" \
            "$(v=$(fig "$out" "entitlements in force" "$c" 2); echo "${v:-0.00}")"
    done
    check_eq "$w: entitlements in force lists only the latest roster's" "$(tlabels "$t" ent:)" \
        "$(labels "$out" "entitlements in force")"
    # the last line: "registered volunteers: N, X% of the population", or
    # "  share of the population   N   X %" in a section "registered volunteers"
    v=$(tv "$t" "ent:社区志愿者")
    check_eq "$w: registered volunteers and their share of the population" \
        "$v $(awk -v v="$v" -v n="$(truth "$code" n)" 'BEGIN { printf "%.2f", 100 * v / n }')" \
        "$(tail -1 <<<"$out" | sed -nE 's/^registered volunteers: ([0-9]+), ([0-9.]+)% of the population$/\1 \2/p
            s/^  share of the population +([0-9]+) +([0-9.]+) %$/\1 \2/p')"
    FACTS=$t
}

# --- the district ---
out=$(CTL figures); rc=$?
check_eq "figures (district) exits 0" 0 "$rc"
check_eq "district: population total = persons" "$(truth "" n)" "$(fig "$out" population total)"
figures_check district "$out" ""
for st in 死亡 迁出 注销; do
    check_eq "district: life status $st = persons with that status (they are not in the population)" \
        "$(awk -F, -v s="$st" 'NR > 1 && $6 == s { n++ } END { print n + 0 }' "$P")" \
        "$(v=$(fig "$out" "life status" "$st"); echo "${v:-0}")"
done

# --- a street's roster: more than one page (a page is 100), each page
# after the last one's cursor, every living person of its communities once
street=$(awk -F, 'NR > 1 && $1 == "350802001001" { print $3 }' deploy/communities.csv)
want=0
for c in $(awk -F, -v s="$street" 'NR > 1 && $3 == s { print $1 }' deploy/communities.csv); do
    want=$((want + $(truth "$c" n)))
done
r=$(CTL roster "$street" --csv); rc=$?
check_eq "roster $street --csv exits 0" 0 "$rc"
check "roster $street: more than one page ($want persons)" test "$want" -gt 100
check_eq "roster $street: one line per living person of its communities" "$want" "$(rows "$r")"
check_eq "roster $street: no resident twice" "" "$(tail -n +2 <<<"$r" | cut -d, -f1 | sort | uniq -d)"

# --- the two communities with most persons ---
for code in $(tail -n +2 "$P" | cut -d, -f2 | sort | uniq -c | sort -k1,1nr -k2,2 | head -2 | awk '{ print $2 }'); do
    out=$(CTL figures "$code"); rc=$?
    check_eq "figures $code exits 0" 0 "$rc"
    check_eq "$code: population total = persons there" "$(truth "$code" n)" "$(fig "$out" population total)"
    check_eq "$code: registration 流动人口 = floating persons there" "$(truth "$code" fl)" \
        "$(fig "$out" registration 流动人口)"
    check_eq "$code: police households = distinct household numbers there" "$(truth "$code" hh)" \
        "$(fig "$out" households "police households")"
    figures_check "$code" "$out" "$code"
    t=$FACTS
    r=$(CTL roster "$code" --gender F --csv); rc=$?
    check_eq "roster $code --gender F --csv exits 0" 0 "$rc"
    check_eq "roster $code --gender F: one line per female person" "$(truth "$code" f)" "$(rows "$r")"
    r=$(CTL roster "$code" --category 流动人口 --csv); rc=$?
    check_eq "roster $code --category 流动人口 --csv exits 0" 0 "$rc"
    check_eq "roster $code --category 流动人口: one line per floating person" "$(truth "$code" fl)" "$(rows "$r")"
    for e in $EMPLOYMENT; do
        r=$(CTL roster "$code" --employment "$e" --csv); rc=$?
        check_eq "roster $code --employment $e: exits 0, one line per person" "0 $(tv "$t" "emp:$e")" "$rc $(rows "$r")"
    done
    for c in $CATEGORIES; do
        r=$(CTL roster "$code" --entitlement "$c" --csv); rc=$?
        check_eq "roster $code --entitlement $c: exits 0, one line per person on the latest roster with it" \
            "0 $(tv "$t" "any:$c")" "$rc $(rows "$r")"
        r=$(CTL roster "$code" --entitlement "$c:在保" --csv); rc=$?
        check_eq "roster $code --entitlement $c:在保: exits 0, one line per person with it in force" \
            "0 $(tv "$t" "ent:$c")" "$rc $(rows "$r")"
    done
    r=$(CTL roster "$code" --status 死亡 --csv); rc=$?
    check_eq "roster $code --status 死亡: exits 0, one line per dead person there" \
        "0 $(awk -F, -v c="$code" 'NR > 1 && $2 == c && $6 == "死亡" { n++ } END { print n + 0 }' "$P")" "$rc $(rows "$r")"
    r=$(CTL roster "$code" --volunteer --csv); rc=$?
    check_eq "roster $code --volunteer: exits 0, one line per volunteer" "0 $(tv "$t" "ent:社区志愿者")" "$rc $(rows "$r")"
    for a in 0-14 15-59 60-79 80-150 16-64 18-75; do
        r=$(CTL roster "$code" --age "$a" --csv); rc=$?
        check_eq "roster $code --age $a: exits 0, one line per person of those ages" "0 $(tv "$t" "age:$a")" \
            "$rc $(rows "$r")"
    done
done

check "hubd stops cleanly" hub_stop
t_done
