# The tricky district (tests/fixtures/tricky, issue 15): a small district
# written by hand by someone who has not read the resolver, loaded into a
# real hubd on loopback through the four adapters as the README says, then
# scored against its answer key (truth.csv: person, file and row of every
# data row) with `hubctl export-links`:
#   - the fixture is what its build.sh makes, in the formats of the format page;
#   - every row of every file is in the hub (none taken as a new version of
#     another person's row);
#   - no two persons of a hard-negative group (negatives.csv) in one resident;
#   - each case, one numbered check at a time (members on the head's number,
#     children without numbers, placeholders, homophones, former names, ...);
#   - pairwise precision, recall and F1 (printed, not asserted): the project's
#     evaluator on truth.csv as written, which needs the evaluator that
#     matches an empty source_key by (file, row) (issue 15, another branch);
#     the same evaluator on truth.csv with the hub's keys filled in; and over
#     the rows themselves, missing rows counted as persons of their own.
# Several checks are expected to fail until issue 15 is done: they report
# what the hub does today.
. "$(dirname "$0")/../lib.sh"
FX=$TOP/tests/fixtures/tricky
H=$T_TMP/hub
PF=hukou_20261101.csv
FF=wis_20261101.tsv
LF=jyzt_20261101.jsonl
C10=mz_roster_202610.csv
C11=mz_roster_202611.csv

# Checks are numbered: "ok - 07 ..." / "not ok - 07 ...". Details of a
# failure follow it as "#   " lines.
NUM=0
nok()   { NUM=$((NUM + 1)); ok "$(printf '%02d' $NUM) $*"; }
nfail() { NUM=$((NUM + 1)); fail "$(printf '%02d' $NUM) $*"; }
ncheck() { local d=$1; shift; if "$@"; then nok "$d"; else nfail "$d"; fi; }
detail() { sed 's/^/#   /'; }

# ---------------- the fixture ----------------
if bash "$FX/build.sh" "$T_TMP/rebuilt" 2> "$T_TMP/build.err" &&
   for f in $PF $FF $LF $C10 $C11 truth.csv; do cmp -s "$FX/$f" "$T_TMP/rebuilt/$f" || exit 1; done; then
    nok "the fixture's files are exactly what its build.sh makes from the .src files"
else
    nfail "the fixture's files are exactly what its build.sh makes from the .src files"
    detail < "$T_TMP/build.err"
fi
formats() {
    local f
    iconv -f GB18030 -t UTF-8 "$FX/$PF" > /dev/null || return 1
    for f in $C10 $C11; do iconv -f GBK -t UTF-8 "$FX/$f" > /dev/null || return 1; done
    for f in $PF $C10 $C11; do   # every line ends with CRLF
        [ "$(grep -c $'\r$' "$FX/$f")" = "$(grep -c '' "$FX/$f")" ] || return 1
    done
    [ "$(head -c 3 "$FX/$FF" | od -An -tx1 | tr -d ' ')" = efbbbf ] || return 1
    ! grep -q $'\r' "$FX/$FF" "$FX/$LF" || return 1
    [ "$(head -1 "$FX/$FF" | tr -cd '\t' | wc -c)" = 14 ] || return 1
    # 䶮 is outside GBK: the police file has it (GB18030), the rosters a substitute
    iconv -f GB18030 -t UTF-8 "$FX/$PF" | grep -q 黄䶮 && iconv -f GBK -t UTF-8 "$FX/$C10" | grep -q ',黄岩,'
}
ncheck "the files are in their departments' forms (GB18030 CRLF, UTF-8 BOM tabs, JSON Lines, GBK CRLF)" formats

# ---------------- load it as the README says ----------------
hub_init "$H" 16980 "group_commit_max_ms = 5"
ncheck "hubd starts" hub_start "$H"
# load DEPT FILE: the adapter's summary; all rows accepted unless DUP (the November roster repeats October's rows)
load() {
    local dept=$1 f=$2 n out
    n=$(grep -c '' "$FX/$f")
    [ "$dept" = labour ] || n=$((n - 1))
    out=$("$BIN/adapter-$dept" --home "$H" "$FX/$f" 2>&1)
    if [ "${3:-}" = dup ]; then
        if grep -Eq "^adapter-$dept: $n rows read, [0-9]+ accepted, [0-9]+ duplicates, 0 rejected\$" <<<"$out"; then
            nok "$dept $f: $n rows read, none rejected ($out)"
        else
            nfail "$dept $f: $n rows read, none rejected"; detail <<<"$out"
        fi
    elif [ "$out" = "adapter-$dept: $n rows read, $n accepted, 0 duplicates, 0 rejected" ]; then
        nok "$dept $f: every row accepted ($n)"
    else
        nfail "$dept $f: every row accepted ($n)"; detail <<<"$out"
    fi
}
load police $PF
load familyplanning $FF
load labour $LF
# The README loads both rosters in one call (the files in name order); here
# they are two calls in the same order, so that the links after October
# show which record each October row became.
load civilaffairs $C10
"$BIN/hubctl" --home "$H" export-links > "$T_TMP/links10.csv"
load civilaffairs $C11 dup
"$BIN/hubctl" --home "$H" export-links > "$T_TMP/links.csv"
sqlite3 -readonly -csv "$H/registry.db" \
    "SELECT CASE source WHEN 1 THEN 'police' WHEN 2 THEN 'familyplanning' WHEN 3 THEN 'labour' ELSE 'civilaffairs' END,
            source_key, idno IS NOT NULL FROM source_records WHERE current = 1" > "$T_TMP/valid.csv"

# ---------------- where each truth row ended ----------------
# rowmap.csv: person,source,file,row,key,resident,tags,note for every truth
# row. A row is found by its (file, row) in export-links; an October roster
# row that November repeats is found through the record it became in
# October, when November's row of that record is the same person's.
# key and resident are empty for a row the hub does not hold.
awk -F, -v c10="$C10" '
    FILENAME == ARGV[1] { if (FNR > 1) { L10[$3 "," $4] = $2 }; next }
    FILENAME == ARGV[2] { if (FNR > 1) { K[$3 "," $4] = $2; RES[$1 "," $2] = $5; ORIG[$1 "," $2] = $3 "," $4 }; next }
    FNR == 1 { next }
    { T[NR] = $0; P[$4 "," $5] = $1; order[++n] = NR }
    END {
        for (i = 1; i <= n; i++) {
            split(T[order[i]], t, ",")
            fr = t[4] "," t[5]; key = ""; note = ""
            if (t[4] == c10) {
                k = L10[fr]
                if (k == "") note = "not in export-links after the October roster was loaded"
                else if (!(("civilaffairs," k) in ORIG)) note = "its record " k " is gone after November"
                else {
                    o = ORIG["civilaffairs," k]
                    if (o == fr || P[o] == t[1]) key = k
                    else { split(o, oo, ","); note = "its record " k " is now " oo[1] " row " oo[2] ", which is " P[o] }
                }
            } else {
                key = K[fr]
                if (key == "") note = "not in export-links"
            }
            res = key == "" ? "" : RES[t[2] "," key]
            printf "%s,%s,%s,%s,%s,%s,%s,%s\n", t[1], t[2], t[4], t[5], key, res, t[6], note
        }
    }' "$T_TMP/links10.csv" "$T_TMP/links.csv" "$FX/truth.csv" > "$T_TMP/rowmap.csv"

# ---------------- no row missing ----------------
for f in $PF $FF $LF $C10 $C11; do
    n=$(awk -F, -v f="$f" '$3 == f' "$T_TMP/rowmap.csv" | wc -l)
    miss=$(awk -F, -v f="$f" '$3 == f && $6 == ""' "$T_TMP/rowmap.csv")
    if [ -z "$miss" ]; then
        nok "$f: every one of its $n rows is in the hub"
    else
        nfail "$f: every one of its $n rows is in the hub ($(grep -c '' <<<"$miss") missing)"
        awk -F, '{ printf "row %s (%s, %s): %s\n", $4, $1, $7, $8 }' <<<"$miss" | detail
    fi
done
extra=$(tail -n +2 "$T_TMP/links.csv" | awk -F, 'NR == FNR { if (FNR > 1) t[$4 "," $5] = 1; next } !(($3 "," $4) in t)' "$FX/truth.csv" -)
if [ -z "$extra" ]; then nok "export-links holds no record from a row the answer key does not know"
else nfail "export-links holds no record from a row the answer key does not know"; detail <<<"$extra"; fi

# ---------------- helpers over rowmap.csv ----------------
# rows ITEM...: the rowmap lines of each ITEM, PERSON or PERSON:FILEPREFIX (hukou, wis, jyzt, mz_roster_202610, ...)
rows() {
    local it
    for it in "$@"; do
        case $it in
            *:*) awk -F, -v p="${it%%:*}" -v f="${it#*:}" '$1 == p && index($3, f) == 1' "$T_TMP/rowmap.csv" ;;
            *) awk -F, -v p="$it" '$1 == p' "$T_TMP/rowmap.csv" ;;
        esac
    done
}
show() { awk -F, '{ printf "%s %s row %s: %s\n", $1, $3, $4, $6 == "" ? "MISSING (" $8 ")" : "resident " $6 }' | detail; }
# together DESCRIPTION ITEM...: every row named is in the hub, all in one resident
together() {
    local d=$1 r; shift
    r=$(rows "$@")
    if [ "$(grep -c '' <<<"$r")" -ge 2 ] && ! awk -F, '$6 == ""' <<<"$r" | grep -q . &&
       [ "$(cut -d, -f6 <<<"$r" | sort -u | wc -l)" = 1 ]; then
        nok "$d"
    else
        nfail "$d"; show <<<"$r"
    fi
}
# apart DESCRIPTION ITEM...: every row named is in the hub, and rows of different persons are in different residents
apart() {
    local d=$1 r; shift
    r=$(rows "$@")
    if ! awk -F, '$6 == ""' <<<"$r" | grep -q . &&
       [ -z "$(awk -F, '{ if (($6 in who) && who[$6] != $1) print; who[$6] = $1 }' <<<"$r")" ]; then
        nok "$d"
    else
        nfail "$d"; show <<<"$r"
    fi
}

# ---------------- hard negatives: never one resident ----------------
while IFS=, read -r group persons what; do
    [ "$group" = group ] && continue
    r=$(rows $persons | awk -F, '$6 != ""')
    merged=$(awk -F, '{ if (($6 in who) && index(who[$6], $1) == 0) who[$6] = who[$6] " " $1; else if (!($6 in who)) who[$6] = $1 }
                     END { for (x in who) if (split(who[x], a, " ") > 1) printf "resident %s holds %s\n", x, who[x] }' <<<"$r")
    if [ -z "$merged" ]; then
        nok "hard negatives $group ($persons): no two of them in one resident"
    else
        nfail "hard negatives $group ($persons) merged: ${what//\"/}"; detail <<<"$merged"
    fi
done < "$FX/negatives.csv"

# ---------------- members on the head's number (civil-affairs roster) ----------------
for hh in "北龙 罗 T005 T006 T007 T008" "溪南 钟 T010 T011 T012 T013" "东肖 邱 T015 T016 T017 T018"; do
    set -- $hh
    c=$1 s=$2; shift 2
    for m in 202610 202611; do
        apart "$c $s household, roster $m: the four rows, all on the head's number, are four residents" \
            "$1:mz_roster_$m" "$2:mz_roster_$m" "$3:mz_roster_$m" "$4:mz_roster_$m"
        bad=""
        for p in "$@"; do
            r=$(rows "$p:hukou" "$p:mz_roster_$m")
            [ "$(cut -d, -f6 <<<"$r" | grep -c .)" = 2 ] && [ "$(cut -d, -f6 <<<"$r" | sort -u | wc -l)" = 1 ] || bad+="$r"$'\n'
        done
        if [ -z "$bad" ]; then nok "$c $s household, roster $m: each member's row is with their own police record"
        else nfail "$c $s household, roster $m: each member's row is with their own police record"; grep . <<<"$bad" | show; fi
    done
done

# ---------------- family-planning children ----------------
together "钟浩然 (溪南): family-planning child without a number, his mother's surname, with his police record" T013:hukou T013:wis
together "吴思琪 (炉桥): family-planning child without a number, with her police record" T047:hukou T047:wis
together "江雨桐 (南门): family-planning child without a number at the family's old address in 兴晖, with her police record" T082:hukou T082:wis
together "twin 张子轩 (龙腾): family planning without a number, with his police record" T022:hukou T022:wis
together "twin 张子涵 (龙腾): family planning without a number, with his police record" T023:hukou T023:wis
together "twin 吴欣怡 (中山): family planning without a number, with her police record" T027:hukou T027:wis
together "twin 吴欣悦 (中山): family planning without a number, with her police record" T028:hukou T028:wis
together "placeholder 林宝宝 (后田, mother 王丽萍) is 林梓涵's police record" T032:hukou T032:wis
together "placeholder 陈小宝 (西安, the mother's old phone) is 陈宇航's police record" T037:hukou T037:wis
together "placeholder 陈静之女 (松涛) is 王诗琪's police record" T042:hukou T042:wis
together "王浩宇 (松涛): the child row with his mother 陈静's number is with his own police record" T043:hukou T043:wis
together "吴俊豪 (炉桥): the child row with his mother 邓秀琴's number is with his own police record" T048:hukou T048:wis
apart "陈静 (松涛) is not her son 王浩宇's family-planning row, which carries her number" T041 T043:wis
apart "邓秀琴 (炉桥) is not her son 吴俊豪's family-planning row, which carries her number" T046 T048:wis
together "吴永福 (中山): the twins' father, a family-planning spouse row without a number, with his police record" T025

# ---------------- civil-affairs rows without a number ----------------
together "陳淑貞 (红坊; traditional script and a homophone of 陈淑珍, age 82 for 81): both rosters with the police record" T090
together "黄岩 (红坊; GBK's substitute for 黄䶮, age 60 for 58): both rosters with the police and labour records" T091
together "温贵兰 in October, 温桂兰 in November (石粉, no number, age 70 for 69): with the police record" T096
together "卢晓军 (石粉, no number, age 41 for 39) and his disability-card row as 卢小军: with the police and labour records" T097
together "王芳 (溪连, volunteer without a number): with the 溪连 王芳's police and family-planning records" T066
together "the roster's 李国强 on a 15-digit number (高龄津贴, 81): with the father's police record" T050

# ---------------- former names, old village names, addresses ----------------
together "林小妹 (labour, no number) is 林晓梅, whose police record gives 曾用名 林小妹" T075
together "赖金水 (roster, no number, both months) is 赖俊杰, whose police record gives 曾用名 赖金水" T078
together "黄志强 (labour, no number, community 林邦村: 林邦社区 is 村改居型) with his police record" T001:hukou T001:jyzt
together "黄志强's volunteer row (林邦村 in October, 林邦社区 in November, his number) with his police record" T001:hukou T001:mz_roster
together "陈秀兰 (roster, 林邦村, a disability card number only) with her police record" T002
together "江海涛 (labour, no number, the old address in 兴晖 before his move to 南门) with his police record" T080
together "刘春燕 (family planning, her number, the old address in 兴晖) with her police record" T081
together "苏建明 (labour, no number, where he lives in 大同; registered in 东门) with his police and roster records" T085
together "熊文 (floating; labour without a number gives her 瑞金 registered address) with her police and family-planning records" T086

# ---------------- namesakes, father and son, siblings ----------------
together "李国强 the son: labour without a number (born 1976), family planning and the volunteer roster, with his police record" T051
together "郑明华 (labour, no number) with his own police record, not his brother's" T056
together "郑明辉 (family-planning spouse row without a number) with his own police and labour records, not his brother's" T055
together "何丽娜 (labour, no number) with her police and family-planning records, not her sister's" T062
together "何丽娟 (family planning, no number) with her police and labour records, not her sister's" T063
together "王芳 of 西山 (labour, no number) with the 西山 王芳's records" T065
together "陈伟 of 登高 (labour, no number) with the 登高 陈伟's police and roster records" T071
together "陈伟 of 南环 (family-planning spouse row without a number) with the 南环 陈伟's police and labour records" T070

# ---------------- identity numbers in messy forms ----------------
# (钟国平's spaces and 邱炳坤's x are on the head-number rows, checked above)
together "邱文华 (下洋): a 15-digit police number, 18 digits in both rosters" T105
together "何建国 (永兴): a 15-digit number in labour" T060
together "蔡明亮 (华侨): full-width number in labour" T100
together "叶淑芬 (华侨): number typed with spaces in family planning" T101
together "苏建明 (东门): number typed with spaces on his volunteer rows, both months" T085:hukou T085:mz_roster
together "熊文 (金鸡): a lower-case x in family planning" T086:hukou T086:wis
together "罗婷婷 (莲东): a wrong check character in family planning" T111
together "郑桂香 (后田): a wrong check character on the roster, both months" T033
together "廖志勇 (莲东): two digits swapped in labour" T110

# ---------------- ordinary persons ----------------
bad=""
for p in $(awk -F, 'NR > 1 { tags[$1] = tags[$1] " " $6 } END { for (p in tags) { n = split(tags[p], a, " "); e = 1; for (i = 1; i <= n; i++) if (a[i] != "easy") e = 0; if (e) print p } }' "$FX/truth.csv" | sort); do
    r=$(rows "$p")
    { ! awk -F, '$6 == ""' <<<"$r" | grep -q . && [ "$(cut -d, -f6 <<<"$r" | sort -u | wc -l)" = 1 ]; } || bad+="$r"$'\n'
done
if [ -z "$bad" ]; then nok "every ordinary person (tagged easy only) is one resident"
else nfail "every ordinary person (tagged easy only) is one resident"; grep . <<<"$bad" | show; fi
together "温水生 (社兴, died in August): his police record and both roster rows (在保, then 停保)" T118

# ---------------- precision ----------------
over=$(awk -F, '$6 != "" { if (!(($6, $1) in seen)) { seen[$6, $1] = 1; who[$6] = who[$6] " " $1; n[$6]++ } }
                END { for (r in n) if (n[r] > 1) printf "resident %s holds%s\n", r, who[r] }' "$T_TMP/rowmap.csv" | sort)
if [ -z "$over" ]; then nok "no resident holds rows of two persons"
else nfail "no resident holds rows of two persons ($(grep -c '' <<<"$over") do)"; detail <<<"$over"; fi
two=$(sql "$H" "SELECT count(*) FROM (SELECT resident_id FROM source_records WHERE current = 1 AND idno IS NOT NULL
                AND resident_id IS NOT NULL GROUP BY resident_id HAVING count(DISTINCT idno) > 1)")
ncheck "no resident holds two different valid identity numbers ($two do)" test "$two" = 0

# ---------------- scores (printed) ----------------
echo "# the project's evaluator on truth.csv as written (rows known by file and row; source_key empty);"
echo "# an evaluator that matches only (source, source_key) finds none of its rows, and its figures are then empty:"
"$BIN/tests/evaluate" "$FX/truth.csv" "$T_TMP/links.csv" "$T_TMP/valid.csv" 2>&1 | detail
awk -F, 'BEGIN { print "person_id,source,source_key,file,row" } $5 != "" { print $1 "," $2 "," $5 "," $3 "," $4 }' \
    "$T_TMP/rowmap.csv" > "$T_TMP/truth_keyed.csv"
echo "# the same evaluator on truth.csv with the hub's record keys filled in (the rows it holds):"
"$BIN/tests/evaluate" "$T_TMP/truth_keyed.csv" "$T_TMP/links.csv" "$T_TMP/valid.csv" 2>&1 | detail
awk -F, '{ n++; res = $6 == "" ? "missing" NR : $6; pp[$1]++; rr[res]++; cc[$1 SUBSEP res]++ }
    END {
        for (k in pp) sp += pp[k] * (pp[k] - 1) / 2
        for (k in rr) sr += rr[k] * (rr[k] - 1) / 2
        for (k in cc) tp += cc[k] * (cc[k] - 1) / 2
        p = sr ? tp / sr : 1; r = sp ? tp / sp : 1
        printf "# over the %d rows themselves (a missing row a person of its own): pairwise precision %.4f  recall %.4f  F1 %.4f\n",
            n, p, r, p + r ? 2 * p * r / (p + r) : 0
    }' "$T_TMP/rowmap.csv"
# by case: of the rows with a tag that are not police rows, how many are
# with their person's police record
echo "# rows with their person's police record, by tag (police rows left out):"
awk -F, '$2 == "police" { pol[$1] = $6 } { line[NR] = $0 }
    END {
        for (i = 1; i <= NR; i++) {
            split(line[i], t, ","); if (t[2] == "police") continue
            n = split(t[7], tg, " ")
            for (j = 1; j <= n; j++) { all[tg[j]]++; if (t[6] != "" && t[6] == pol[t[1]]) good[tg[j]]++ }
        }
        for (g in all) printf "%-20s %3d of %3d\n", g, good[g], all[g]
    }' "$T_TMP/rowmap.csv" | sort | detail

hub_stop
t_done
