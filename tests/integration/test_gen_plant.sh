# gen-district --plant N (issue 9), without a hub: --plant 0 leaves every
# file as it was; with --plant 3 findings.csv holds exactly 3 planted
# findings per rule, agrees with persons.csv and the files for the rules
# they can show (gone-but-paid, conscript-without-conscript, fp-woman-gone,
# old-age-under-80, and the planted allowance-while-employed and
# community-disagrees), leaves the other persons as they were, and
# reconcile/ differs from the files by exactly what expected.csv says.
. "$(dirname "$0")/../lib.sh"

G="$BIN/gen-district"
D0=$T_TMP/plain D1=$T_TMP/zero D=$T_TMP/plant

# --- --plant 0: byte-identical, no new files ---
"$G" --out "$D0" --people 1500 --seed 5 --police-delta 20 >/dev/null
"$G" --out "$D1" --people 1500 --seed 5 --police-delta 20 --plant 0 >/dev/null
check "--plant 0 writes the same files" diff -r "$D0" "$D1"
check "--plant 0 writes no findings.csv" test ! -e "$D1/findings.csv"

# --- --plant 3 ---
"$G" --out "$D0" --people 2000 --seed 5 --police-delta 20 >/dev/null
check "--plant 3 runs" "$G" --out "$D" --people 2000 --seed 5 --police-delta 20 --plant 3
F=$D/findings.csv P=$D/persons.csv
check_eq "findings.csv header" "rule,person_id,planted,detail" "$(head -1 "$F")"
for rule in gone-but-paid allowance-while-employed conscript-without-conscript fp-woman-gone \
            old-age-under-80 community-disagrees; do
    check_eq "3 planted for $rule" 3 "$(awk -F, -v r=$rule '$1 == r && $3 == 1' "$F" | wc -l)"
done
planted=$(awk -F, 'NR > 1 && $3 == 1 { print $2 }' "$F" | sort)
check_eq "18 distinct persons planted" 18 "$(sort -u <<<"$planted" | wc -l)"
check_eq "no planted person has a finding of another rule" 0 \
    "$(awk -F, 'NR == FNR { if ($3 == 1) p[$2] = 1; next } FNR > 1 && $3 == 0 && ($2 in p)' "$F" "$F" | wc -l)"
check_eq "no planted finding is unsure" 0 "$(awk -F, '$3 == 1 && /unsure/' "$F" | wc -l)"

# The rules over persons.csv (status, household, birth, employment and the
# latest roster's entitlements), for the planted and for every finding.
# month: the first day of --date's month (20261101, the default).
rules() {
    awk -F, -v month=2026-11-01 '
        function age(b) { return substr(month, 1, 4) - substr(b, 1, 4) - (substr(month, 6) < substr(b, 6)) }
        NR > 1 { id[NR] = $1; st[$1] = $6; hh[$1] = $7; b[$1] = $4; emp[$1] = $8; ent[$1] = $9; sex[$1] = $3
                 if ($6 == "正常" && age($4) >= 17 && age($4) <= 24) young[$7]++ }
        END {
            for (k in id) { p = id[k]; e = ";" ent[p]
                gone = st[p] == "死亡" || st[p] == "迁出" || st[p] == "注销"
                paid = e ~ /;(城市低保|特困供养|高龄津贴|重点优抚对象|义务兵家庭优待|残疾人两项补贴):/
                if (gone && paid) print "gone-but-paid", p
                self = st[p] == "正常" && age(b[p]) >= 17 && age(b[p]) <= 24
                if (e ~ /;义务兵家庭优待:/ && young[hh[p]] - self == 0) print "conscript-without-conscript", p
                if (e ~ /;高龄津贴:/ && age(b[p]) < 80) print "old-age-under-80", p
                if (emp[p] ~ /在岗|再就业/ && e ~ /;(城市低保|特困供养):/) print "employed-with-allowance", p
                if (st[p] == "死亡" || st[p] == "迁出") print "gone", p
                if (sex[p] == "F") print "woman", p } }' "$P" | sort
}
R=$(rules)
found() { awk -F, -v r="$1" '$1 == r { print r, $2 }' "$F" | sort; }
for rule in gone-but-paid conscript-without-conscript old-age-under-80; do
    check_eq "$rule: findings.csv is what persons.csv shows" "$(grep "^$rule " <<<"$R")" "$(found $rule)"
done
# fp-woman-gone: family planning's 育龄妇女 rows (truth.csv gives their persons) of persons gone
W=$(ls "$D"/wis_*.tsv) WF=$(basename "$W")
women=$(awk -F'\t' -v f="$WF" 'NR == FNR { split($0, c, ","); if (c[4] == f) who[c[5]] = c[1]; next }
        FNR > 1 && $2 == "育龄妇女" { print "woman-row", who[FNR - 1] }' "$D/truth.csv" "$W" | sort -u)
check_eq "fp-woman-gone: findings.csv is what the family-planning file shows" \
    "$(join <(awk '$1 == "woman-row" { print $2 }' <<<"$women") \
            <(awk '$1 == "gone" { print $2 }' <<<"$R") | sed 's/^/fp-woman-gone /')" \
    "$(found fp-woman-gone)"
# allowance-while-employed: the planted ones are employed and paid (the dates are checked by
# the generator's own evaluation)
check_eq "allowance-while-employed: the planted are employed with an allowance in force" \
    "$(awk -F, '$1 == "allowance-while-employed" && $3 == 1 { print "employed-with-allowance", $2 }' "$F" | sort)" \
    "$(join -1 2 -2 2 <(awk -F, '$1 == "allowance-while-employed" && $3 == 1 { print "x", $2 }' "$F" | sort -k2) \
                      <(grep '^employed-with-allowance ' <<<"$R" | sort -k2) | awk '{ print "employed-with-allowance", $1 }')"
# community-disagrees: each planted person has a labour or family-planning row naming a
# community whose code is not the police one (persons.csv); planted rows use the full name
codes=deploy/communities.csv
J=$(ls "$D"/jyzt_*.jsonl) JF=$(basename "$J")
other=$(awk -F, -v wf="$WF" -v jf="$JF" -v w="$W" -v j="$J" -v codes="$codes" '
    BEGIN { while ((getline l < codes) > 0) { split(l, c, ","); code[c[2]] = c[1] }
            n = 0; while ((getline l < w) > 0) wis[n++] = l
            n = 1; while ((getline l < j) > 0) jy[n++] = l }
    FILENAME ~ /persons.csv$/ { home[$1] = $2; next }
    FILENAME ~ /findings.csv$/ { if ($1 == "community-disagrees" && $3 == 1) want[$2] = 1; next }
    ($1 in want) && $4 == wf { split(wis[$5], c, "\t"); if (code[c[10]] != home[$1]) print $1 }
    ($1 in want) && $4 == jf { if (match(jy[$5], /"sqjwh":"[^"]*"/)) {
        s = substr(jy[$5], RSTART + 9, RLENGTH - 10); if (code[s] != home[$1]) print $1 } }' \
    "$P" "$F" "$D/truth.csv" | sort -u)
check_eq "community-disagrees: each planted person is filed under another community" \
    "$(awk -F, '$1 == "community-disagrees" && $3 == 1 { print $2 }' "$F" | sort)" "$other"

# --- everyone else as without --plant ---
check_eq "persons.csv: the persons not planted are as without --plant" "" \
    "$(diff <(grep -vFf <(sed 's/$/,/' <<<"$planted") "$D0/persons.csv") \
            <(grep -vFf <(sed 's/$/,/' <<<"$planted") "$P"))"
check_eq "truth.csv: the keys of the persons not planted are as without --plant" "" \
    "$(diff <(grep -vFf <(sed 's/$/,/' <<<"$planted") "$D0/truth.csv" | cut -d, -f1-4 | sort) \
            <(grep -vFf <(sed 's/$/,/' <<<"$planted") "$D/truth.csv" | cut -d, -f1-4 | sort))"

# --- reconcile/ ---
E=$D/reconcile/expected.csv
check_eq "expected.csv header" "file,kind,source,source_key,field" "$(head -1 "$E")"
for f in hukou_20261101.csv:GB18030 wis_20261101.tsv:UTF-8 jyzt_20261101.jsonl:UTF-8 mz_roster_202611.csv:GBK; do
    name=${f%%:*} enc=${f#*:}
    for kind in gone_from_export missing_in_hub differs; do
        check_eq "$name: 3 $kind" 3 "$(awk -F, -v f=$name -v k=$kind '$1 == f && $2 == k' "$E" | wc -l)"
    done
    strip=cat; [ "${name#mz_}" != "$name" ] && strip="cut -d, -f2-"   # 序号 is renumbered
    a=$(iconv -f "$enc" -t UTF-8 "$D/$name" | $strip | sort) b=$(iconv -f "$enc" -t UTF-8 "$D/reconcile/$name" | $strip | sort)
    check_eq "$name: 6 rows only in the export (gone, changed)" 6 "$(comm -23 <(echo "$a") <(echo "$b") | wc -l)"
    check_eq "$name: 6 rows only in reconcile/ (added, changed)" 6 "$(comm -13 <(echo "$a") <(echo "$b") | wc -l)"
    check_eq "$name: the gone keys are the file's" 3 \
        "$(awk -F, -v f=$name 'NR == FNR { if ($4 == f) k[$3] = 1; next } $1 == f && $2 != "missing_in_hub" && ($4 in k)' \
           "$D/truth.csv" "$E" | awk -F, '$2 == "gone_from_export"' | wc -l)"
    check_eq "$name: no added key is the file's" 0 \
        "$(awk -F, -v f=$name 'NR == FNR { if ($4 == f) k[$3] = 1; next } $1 == f && $2 == "missing_in_hub" && ($4 in k)' \
           "$D/truth.csv" "$E" | wc -l)"
done
check_eq "the roster's 序号 runs from 1" "" \
    "$(iconv -f GBK -t UTF-8 "$D/reconcile/mz_roster_202611.csv" | awk -F, 'NR > 1 && $1 != NR - 1')"
check "wis keeps its byte-order mark" cmp -n 3 "$D/wis_20261101.tsv" "$D/reconcile/wis_20261101.tsv"

t_done
