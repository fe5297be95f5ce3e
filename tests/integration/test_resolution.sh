# Entity resolution end to end against real hubd processes on loopback and the
# real adapters: small fixture files for the four departments (police GB18030
# CSV, family planning UTF-8 BOM TSV, labour JSON Lines, civil affairs GBK CSV),
# one small case per kind of noise that must still link, hard negatives that
# must not (among them two pairs of twins; the second pair's family-planning
# rows both carry the household's landline, as a family's rows often do), order
# independence (the same files in other orders, rows reversed, into fresh
# hubs: the same partition), and a merge of two residents recorded with its
# evidence, the older id kept and the other an alias.
# Results are read with `hubctl export-links` (resident per source record) and
# sqlite3. Identity numbers are synthetic (tests/lib.sh idno).
. "$(dirname "$0")/../lib.sh"

# ---------------- people (synthetic numbers: region, birth date, sequence) ----------------
N1=$(idno 35080219820304962)    # 黄秀英, F: in all four departments
N2=$(idno 35080219750707171)    # 張偉 (police, traditional), M
N3=$(idno 35080219900303352)    # 李丽 (police) / 李莉 (labour), F
N4=$(idno 35080219600808191)    # 刘建国, M: 18 digits in police, 15 in civil affairs
N4_15=350802600808191
N5=$(idno 35080219850909151)    # 陈明, M: valid and mistyped in police
N5_TYPO=${N5:0:17}$([ "${N5:17:1}" = 0 ] && echo 1 || echo 0)
N6M=$(idno 35080219880101262)   # 周丽华, F: the mother
N6C=$(idno 35080220160404282)   # 周子涵, F: her child (family planning has no number)
N7=$(idno 35080219920212372)    # 吴芳, F: full-width digits in labour
N8=$(idno 35080219701010482)    # 郑秀梅, F: spaces in her name in labour (no number there)
N9=$(idno 35080219500615191)    # 陈强, M: civil affairs has only his age
N10A=$(idno 35080220150601011)  # 林晓明, M: twin
N10B=$(idno 35080220150601013)  # 林晓亮, M: twin
N10M=$(idno 35080219880808022)  # 蔡美玲, F: the twins' mother
N14A=$(idno 35080220180909022)  # 林嘉欣, F: twin (second pair; family planning gives the household's landline)
N14B=$(idno 35080220180909042)  # 林嘉怡, F: twin
N14M=$(idno 35080219900909062)  # 吴雅婷, F: their mother
N11=$(idno 35080219850505111)   # 王伟, M (北龙); another 王伟 in 溪南 without a number
N12A=$(idno 35080219930313022)  # 刘洋, F (police)
N12B=$(idno 35080219930313044)  # 刘洋, F (labour): another person, same name and birth date
N13=$(idno 35080219780202062)   # 陈静, F: the merge
check "synthetic numbers are 18 characters, the typo differs only in its check character" \
    test ${#N1} = 18 -a ${#N13} = 18 -a "${N5_TYPO:0:17}" = "${N5:0:17}" -a "$N5_TYPO" != "$N5"
# full-width digits
fw() {
    local FW=(０ １ ２ ３ ４ ５ ６ ７ ８ ９) out="" i c
    for ((i = 0; i < ${#1}; i++)); do
        c=${1:i:1}
        case $c in [0-9]) out+=${FW[c]} ;; *) out+=$c ;; esac
    done
    printf '%s' "$out"
}

# ---------------- the fixture files ----------------
FX=$T_TMP/fixtures
mkdir -p "$FX"
PF=hukou_20261101.csv
FF=wis_20261101.tsv
LF=jyzt_20261101.jsonl
CF=mz_roster_202610.csv
gb18030() { iconv -f UTF-8 -t GB18030 | sed 's/$/\r/'; }
gbk() { iconv -f UTF-8 -t GBK | sed 's/$/\r/'; }

# police: GB18030, CRLF
PH='公民身份号码,姓名,曾用名,性别,民族,出生日期,户号,与户主关系,户籍地址,现住址,所属社区,人员类别,人员状态,变动类型,变动日期,联系电话'
POLICE_ROWS=(
    "$N1,黄秀英,,女,汉族,19820304,900100001,户主,东城街道北龙社区龙津路11号,,北龙社区,户籍人口,正常,,,13905970101"
    "$N2,張偉,,男,汉族,19750707,900100002,户主,东城街道北龙社区龙津路12号,,北龙社区,户籍人口,正常,,,"
    "$N3,李丽,,女,汉族,19900303,900100003,户主,东城街道北龙社区龙津路13号,,北龙社区,户籍人口,正常,,,"
    "$N4,刘建国,,男,汉族,19600808,900100004,户主,东城街道北龙社区龙津路14号,,北龙社区,户籍人口,正常,,,"
    "$N5,陈明,,男,汉族,19850909,900100005,户主,东城街道北龙社区龙津路15号,,北龙社区,户籍人口,正常,,,"
    "$N5_TYPO,陈明,,男,汉族,19850909,900100005,户主,东城街道北龙社区龙津路15号,,北龙社区,户籍人口,正常,,,"
    "$N6M,周丽华,,女,汉族,19880101,900100006,户主,东城街道北龙社区龙津路16号,,北龙社区,户籍人口,正常,,,"
    "$N6C,周子涵,,女,汉族,20160404,900100006,女,东城街道北龙社区龙津路16号,,北龙社区,户籍人口,正常,,,"
    "$N7,吴芳,,女,汉族,19920212,900100007,户主,东城街道北龙社区龙津路17号,,北龙社区,户籍人口,正常,,,"
    "$N8,郑秀梅,,女,汉族,19701010,900100008,户主,南城街道松涛社区松涛路8号,,松涛社区,户籍人口,正常,,,"
    "$N9,陈强,,男,汉族,19500615,900100009,户主,东城街道北龙社区龙津路19号,,北龙社区,户籍人口,正常,,,"
    "$N10A,林晓明,,男,汉族,20150601,900100010,子,东城街道北龙社区龙津路20号,,北龙社区,户籍人口,正常,,,"
    "$N10B,林晓亮,,男,汉族,20150601,900100010,子,东城街道北龙社区龙津路20号,,北龙社区,户籍人口,正常,,,"
    "$N14A,林嘉欣,,女,汉族,20180909,900100014,女,东城街道北龙社区龙津路27号,,北龙社区,户籍人口,正常,,,"
    "$N14B,林嘉怡,,女,汉族,20180909,900100014,女,东城街道北龙社区龙津路27号,,北龙社区,户籍人口,正常,,,"
    "$N11,王伟,,男,汉族,19850505,900100011,户主,东城街道北龙社区龙津路21号,,北龙社区,户籍人口,正常,,,"
    "$N12A,刘洋,,女,汉族,19930313,900100012,户主,东城街道北龙社区龙津路23号,,北龙社区,户籍人口,正常,,,13905970123"
    "$N13,陈静,,女,汉族,19780202,900100013,户主,东城街道北龙社区龙津路25号,,北龙社区,户籍人口,正常,,,"
)
# family planning: UTF-8 with BOM, tabs
T=$'\t'
FH="姓名${T}记录编号${T}人员类型${T}身份证号${T}出生日期${T}性别${T}婚姻状况${T}关联记录编号${T}现居住地址${T}所属社区${T}联系电话${T}子女数${T}生育服务证号${T}节育措施${T}更新时间"
fp() { local IFS=$T; echo "$*"; }
FP_ROWS=(
    "$(fp 黄秀英 JS2019100001 育龄妇女 "$N1" 1982-03-04 2 初婚 '' 龙津路11号 北龙社区 13905970101 1 '' '' '2026-11-01 09:00:00')"
    "$(fp 周丽华 JS2019100006 育龄妇女 "$N6M" 1988-01-01 2 初婚 '' 龙津路16号 北龙社区 '' 1 '' '' '2026-11-01 09:00:00')"
    "$(fp 周子涵 JS2019100007 子女 '' 2016.04.04 2 '' JS2019100006 '东城街道龙津路16號' 北龙社区居委会 '' '' '' '' '2026-11-01 09:00:00')"
    "$(fp 蔡美玲 JS2019100010 育龄妇女 "$N10M" 1988-08-08 2 初婚 '' 龙津路20号 北龙社区 '' 2 '' '' '2026-11-01 09:00:00')"
    "$(fp 林晓明 JS2019100011 子女 '' 2015-06-01 1 '' JS2019100010 龙津路20号 北龙社区 '' '' '' '' '2026-11-01 09:00:00')"
    "$(fp 林晓亮 JS2019100012 子女 '' 2015-06-01 1 '' JS2019100010 龙津路20号 北龙社区 '' '' '' '' '2026-11-01 09:00:00')"
    "$(fp 吴雅婷 JS2019100015 育龄妇女 "$N14M" 1990-09-09 2 初婚 '' 龙津路27号 北龙社区 0597-2230027 2 '' '' '2026-11-01 09:00:00')"
    "$(fp 林嘉欣 JS2019100016 子女 '' 2018-09-09 2 '' JS2019100015 龙津路27号 北龙社区 0597-2230027 '' '' '' '2026-11-01 09:00:00')"
    "$(fp 林嘉怡 JS2019100017 子女 '' 2018-09-09 2 '' JS2019100015 龙津路27号 北龙社区 0597-2230027 '' '' '' '2026-11-01 09:00:00')"
    "$(fp 刘洋 JS2019100013 育龄妇女 '' 1993-03-13 2 未婚 '' 龙津路23号 北龙社区 13905970123 0 '' '' '2026-11-01 09:00:00')"
    "$(fp 陈静 JS2019100014 育龄妇女 "$N13" 1978-02-02 2 初婚 '' 龙津路25号 北龙社区 13905970125 0 '' '' '2026-11-01 09:00:00')"
)
# labour: JSON Lines
LABOUR_ROWS=(
    '{"djbh":"LD2026110001","sfzh":"'"$N1"'","xm":"黄秀英","xb":"2","csrq":"1982-03-04","sqjwh":"北龙社区","jzdz":"龙津路11号","gxsj":"2026-11-01T09:00:00+08:00"}'
    '{"djbh":"LD2026110002","xm":"张伟","xb":"1","csrq":"1975-07-07","sqjwh":"北龙","jzdz":"龙津路12号","gxsj":"2026-11-01T09:00:00+08:00"}'
    '{"djbh":"LD2026110003","sfzh":"'"$N3"'","xm":"李莉","gxsj":"2026-11-01T09:00:00+08:00"}'
    '{"djbh":"LD2026110007","sfzh":"'"$(fw "$N7")"'","xm":"吴芳","xb":"2","csrq":"'"$(fw 1992-02-12)"'","gxsj":"2026-11-01T09:00:00+08:00"}'
    '{"djbh":"LD2026110008","xm":"　郑 秀梅 ","xb":"2","csrq":"1970-10-10","sqjwh":"松涛社区","jzdz":"松涛路8号","gxsj":"2026-11-01T09:00:00+08:00"}'
    '{"djbh":"LD2026110011","xm":"王伟","xb":"1","csrq":"1985-05-05","sqjwh":"溪南社区","jzdz":"溪南路3号","gxsj":"2026-11-01T09:00:00+08:00"}'
    '{"djbh":"LD2026110012","sfzh":"'"$N12B"'","xm":"刘洋","xb":"2","csrq":"1993-03-13","sqjwh":"北龙社区","jzdz":"龙津路23号","gxsj":"2026-11-01T09:00:00+08:00"}'
    '{"djbh":"LD2026110013","xm":"陈静","xb":"2","csrq":"1978-02-02","lxdh":"13905970125","gxsj":"2026-11-01T09:00:00+08:00"}'
)
# civil affairs: GBK, CRLF, no key (derived); ages as of the export month 2026-10
CH='序号,街道,社区,户主姓名,姓名,证件类型,证件号码,性别,年龄,住址,类别,保障人数,月发放金额,起始日期,状态,联系电话'
CIVIL_ROWS=(
    "东城街道,北龙社区,黄秀英,黄秀英,居民身份证,$N1,女,44,龙津路11号,城市低保,1,570元,2020-01-01,在保,"
    "东城街道,北龙社区,刘建国,刘建国,居民身份证,$N4_15,男,66,龙津路14号,城市低保,1,570元,2020-01-01,在保,"
    "东城街道,北龙社区,陈强,陈强,户口簿,,男,76,龙津路19号,高龄津贴,1,100.00,2018-06-01,在保,"
)

# write_fixtures DIR ORDER: the four files, rows in file order (fwd) or reversed (rev)
write_fixtures() {
    local dir=$1 order=$2 i n
    mkdir -p "$dir"
    rows() {   # rows NAME: the array's elements, one a line, in the order asked
        local -n a=$1
        if [ "$order" = fwd ]; then printf '%s\n' "${a[@]}"; else for ((i = ${#a[@]} - 1; i >= 0; i--)); do printf '%s\n' "${a[i]}"; done; fi
    }
    { echo "$PH"; rows POLICE_ROWS; } | gb18030 > "$dir/$PF"
    { printf '\xEF\xBB\xBF'; echo "$FH"; rows FP_ROWS; } > "$dir/$FF"
    rows LABOUR_ROWS > "$dir/$LF"
    n=0
    { echo "$CH"; rows CIVIL_ROWS | while IFS= read -r l; do n=$((n + 1)); echo "$n,$l"; done; } | gbk > "$dir/$CF"
}
write_fixtures "$FX/fwd" fwd
write_fixtures "$FX/rev" rev
check "fixture files decode in their encodings" \
    bash -c "iconv -f GB18030 -t UTF-8 '$FX/rev/$PF' | grep -q 張偉 && iconv -f GBK -t UTF-8 '$FX/fwd/$CF' | grep -q '^3,东城街道,北龙社区,陈强'"

# load HOME DEPT FILE: run the department's adapter; summary must show every row accepted
load() {
    local out n
    out=$("$BIN/adapter-$2" --home "$1" "$3" 2>&1)
    n=$(grep -c '' "$3")
    [ "$2" = labour ] || n=$((n - 1))   # less the header
    check_eq "$(basename "$1"): $2 $(basename "$(dirname "$3")")/$(basename "$3"): every row accepted" \
        "adapter-$2: $n rows read, $n accepted, 0 duplicates, 0 rejected" "$out"
}
# links HOME: export-links into HOME/links.csv
links() { "$BIN/hubctl" --home "$1" export-links > "$1/links.csv"; }
# rid HOME SOURCE KEY: the resident of a source record (from HOME/links.csv)
# (compared as strings: 18-digit numbers compared as numbers in awk's doubles collide)
rid() { awk -F, -v s="$2" -v k="$3" '$1 == s && ($2 "") == (k "") { print $5 }' "$1/links.csv"; }
# rid_row HOME FILE ROW: the resident of the record that came from FILE row ROW
rid_row() { awk -F, -v f="$2" -v r="$3" '$3 == f && $4 == r + 0 { print $5 }' "$1/links.csv"; }
# rec HOME SOURCE KEY: the current record id
rec() { sql "$1" "SELECT id FROM source_records WHERE source=$2 AND source_key='$3' AND current=1"; }
# same DESCRIPTION R1 R2...: all residents given are one, and not empty
same() {
    local d=$1 r=$2 x; shift 2
    for x in "$@"; do
        if [ -z "$r" ] || [ "$x" != "$r" ]; then fail "$d (residents: $r $*)"; return; fi
    done
    ok "$d"
}
# differ DESCRIPTION R1 R2: two residents, both known
differ() {
    if [ -n "$2" ] && [ -n "$3" ] && [ "$2" != "$3" ]; then ok "$1"; else fail "$1 (residents: '$2' '$3')"; fi
}
# two_numbers HOME: residents holding two different valid identity numbers
two_numbers() {
    sql "$1" "SELECT count(*) FROM (SELECT resident_id FROM source_records WHERE current=1 AND idno IS NOT NULL
              AND resident_id IS NOT NULL GROUP BY resident_id HAVING count(DISTINCT idno) > 1)"
}
# partition HOME: each resident's source records (source:key, sorted) one group a line, sorted
partition() {
    tail -n +2 "$1/links.csv" | sort -t, -k1,1 -k2,2 \
        | awk -F, '{ g[$5] = g[$5] " " $1 ":" $2 } END { for (r in g) print substr(g[r], 2) }' | sort
}

# ================= the main hub: police, labour, civil affairs, family planning =================
H=$T_TMP/main
hub_init "$H" 16700 "group_commit_max_ms = 5"
check "hubd starts" hub_start "$H"
load "$H" police "$FX/fwd/$PF"
load "$H" labour "$FX/fwd/$LF"
links "$H"
# the merge case, before the family-planning record that joins them
R_A=$(rid "$H" police "$N13")
R_B=$(rid "$H" labour LD2026110013)
differ "merge, before: police 陈静 (number) and labour 陈静 (phone, no number, no community) are two residents" "$R_A" "$R_B"
load "$H" civilaffairs "$FX/fwd/$CF"
load "$H" familyplanning "$FX/fwd/$FF"
links "$H"
check_eq "every record is in export-links" $((${#POLICE_ROWS[@]} + ${#FP_ROWS[@]} + ${#LABOUR_ROWS[@]} + ${#CIVIL_ROWS[@]})) \
    $(($(grep -c '' "$H/links.csv") - 1))

# --- the same person in all four departments, a valid number in each ---
same "all four departments, one valid number: one resident" \
    "$(rid "$H" police "$N1")" "$(rid "$H" familyplanning JS2019100001)" "$(rid "$H" labour LD2026110001)" \
    "$(rid_row "$H" "$CF" 1)"
check_eq "all four departments: that resident has exactly those 4 records" 4 \
    "$(awk -F, -v r="$(rid "$H" police "$N1")" '$5 == r' "$H/links.csv" | wc -l)"

# --- noise that must still link ---
same "traditional script: police 張偉 (number) and labour 张伟 (no number; same birth date, gender, community, address)" \
    "$(rid "$H" police "$N2")" "$(rid "$H" labour LD2026110002)"
same "homophone given name: police 李丽 and labour 李莉 with the same number" \
    "$(rid "$H" police "$N3")" "$(rid "$H" labour LD2026110003)"
check_eq "homophone given name: the pair is scored as the same pinyin" 1 \
    "$(sql "$H" "SELECT count(*) FROM match_links WHERE min(a,b) = min($(rec "$H" 1 "$N3"), $(rec "$H" 3 LD2026110003))
                 AND max(a,b) = max($(rec "$H" 1 "$N3"), $(rec "$H" 3 LD2026110003)) AND evidence LIKE '%name=same pinyin%'")"
same "15-digit vs 18-digit: civil affairs' 15-digit number and the police record" \
    "$(rid "$H" police "$N4")" "$(rid_row "$H" "$CF" 2)"
same "a wrong check character, same name, birth date and household: one resident" \
    "$(rid "$H" police "$N5")" "$(rid "$H" police "$N5_TYPO")"
same "family-planning child without a number and the child's police record (name, birth date, gender, address, community)" \
    "$(rid "$H" police "$N6C")" "$(rid "$H" familyplanning JS2019100007)"
differ "the child is not her mother" "$(rid "$H" police "$N6C")" "$(rid "$H" police "$N6M")"
same "the mother: family planning and police" "$(rid "$H" police "$N6M")" "$(rid "$H" familyplanning JS2019100006)"
same "full-width digits in labour's number and birth date" "$(rid "$H" police "$N7")" "$(rid "$H" labour LD2026110007)"
same "spaces (U+3000, inner, trailing) in a name without a number: labour '　郑 秀梅 ' and police 郑秀梅" \
    "$(rid "$H" police "$N8")" "$(rid "$H" labour LD2026110008)"
same "civil-affairs row without a number (age 76 in 2026-10) and the police record (same name, community, address, gender)" \
    "$(rid "$H" police "$N9")" "$(rid_row "$H" "$CF" 3)"

# --- hard negatives ---
differ "twins in one household, both with valid numbers (police): two residents" \
    "$(rid "$H" police "$N10A")" "$(rid "$H" police "$N10B")"
differ "the same twins as family-planning children without numbers: two residents" \
    "$(rid "$H" familyplanning JS2019100011)" "$(rid "$H" familyplanning JS2019100012)"
same "twin 林晓明: family planning with police" "$(rid "$H" police "$N10A")" "$(rid "$H" familyplanning JS2019100011)"
same "twin 林晓亮: family planning with police" "$(rid "$H" police "$N10B")" "$(rid "$H" familyplanning JS2019100012)"
differ "the twins' mother is neither twin" "$(rid "$H" familyplanning JS2019100010)" "$(rid "$H" police "$N10A")"
differ "twins, second pair: police records with valid numbers: two residents" \
    "$(rid "$H" police "$N14A")" "$(rid "$H" police "$N14B")"
differ "twins, second pair: family-planning children without numbers, both rows with the household's landline: two residents" \
    "$(rid "$H" familyplanning JS2019100016)" "$(rid "$H" familyplanning JS2019100017)"
same "twin 林嘉欣: family planning with police" "$(rid "$H" police "$N14A")" "$(rid "$H" familyplanning JS2019100016)"
same "twin 林嘉怡: family planning with police" "$(rid "$H" police "$N14B")" "$(rid "$H" familyplanning JS2019100017)"
differ "same common name and birth date, different communities (王伟 北龙 with a number, 溪南 without): two residents" \
    "$(rid "$H" police "$N11")" "$(rid "$H" labour LD2026110011)"
check_eq "same common name and birth date, different communities: the pair is left for review" 1 \
    "$(sql "$H" "SELECT count(*) FROM review_items WHERE status = 'open'
                 AND min(a,b) = min($(rec "$H" 1 "$N11"), $(rec "$H" 3 LD2026110011))
                 AND max(a,b) = max($(rec "$H" 1 "$N11"), $(rec "$H" 3 LD2026110011))")"
differ "two different valid numbers, identical name and birth date (刘洋 police / labour): two residents" \
    "$(rid "$H" police "$N12A")" "$(rid "$H" labour LD2026110012)"
same "a family-planning 刘洋 without a number, linking to both, goes with the one sharing her phone" \
    "$(rid "$H" police "$N12A")" "$(rid "$H" familyplanning JS2019100013)"
check_eq "no resident holds two different valid identity numbers" 0 "$(two_numbers "$H")"

# --- merge recorded ---
R_C=$(rid "$H" familyplanning JS2019100014)
same "merge: the family-planning 陈静 (number and phone) joins police A and labour B into one resident" \
    "$R_C" "$(rid "$H" police "$N13")" "$(rid "$H" labour LD2026110013)"
check_eq "merge: the older id is kept" "$R_A" "$R_C"
check_eq "merge: the other id is an alias of it (residents.merged_into)" "$R_A" \
    "$(sql "$H" "SELECT merged_into FROM residents WHERE id = ${R_B:-0}")"
g=$("$BIN/hubctl" --home "$H" get --resident "${R_B:-0}")
check "merge: get --resident OLD_ALIAS_ID answers with the kept resident" grep -q "^resident $R_A " <<<"$(head -1 <<<"$g")"
check "merge: get --resident OLD_ALIAS_ID says it was merged" grep -q "($R_B was merged into this resident and answers as it)" <<<"$g"
ev=$(sql "$H" "SELECT kind, decided_by, score, evidence, records FROM resolution_events
               WHERE kind = 'merge' AND resident = ${R_A:-0} AND other = ${R_B:-0}")
check_eq "merge: one resolution_events row of kind merge, kept id and alias" 1 \
    "$(sql "$H" "SELECT count(*) FROM resolution_events WHERE kind = 'merge' AND resident = ${R_A:-0} AND other = ${R_B:-0}")"
IFS='|' read -r ev_kind ev_by ev_score ev_evidence ev_records <<<"$ev"
check_eq "merge: decided automatically" auto "${ev_by:-}"
check "merge: its score reaches the upper threshold (18) ($ev_score)" awk -v s="${ev_score:-0}" 'BEGIN { exit !(s >= 18) }'
check "merge: its evidence says why (name, birth date, phone: $ev_evidence)" \
    bash -c '[[ $0 == *name=exact* && $0 == *birth=exact* && $0 == *phone=exact* ]]' "${ev_evidence:-}"
check_eq "merge: it lists the record that moved (labour B)" "$(rec "$H" 3 LD2026110013)" "${ev_records:-}"
check_eq "stats count residents without aliases" \
    "$(sql "$H" "SELECT count(*) FROM residents WHERE merged_into IS NULL")" "$(stat_of "$H" residents)"
hub_stop

# ================= order independence =================
# hub B: police, family planning, labour, civil affairs (rows as written)
HB=$T_TMP/order-b
hub_init "$HB" 16710 "group_commit_max_ms = 5"
check "hubd B starts" hub_start "$HB"
for d in "police $PF" "familyplanning $FF" "labour $LF" "civilaffairs $CF"; do
    set -- $d
    load "$HB" "$1" "$FX/fwd/$2"
done
links "$HB"
check_eq "hub B: no resident holds two different valid identity numbers" 0 "$(two_numbers "$HB")"
hub_stop

# hub C: civil affairs, family planning, labour, police, every file's rows reversed
HC=$T_TMP/order-c
hub_init "$HC" 16720 "group_commit_max_ms = 5"
check "hubd C starts" hub_start "$HC"
load "$HC" civilaffairs "$FX/rev/$CF"
load "$HC" familyplanning "$FX/rev/$FF"
links "$HC"
differ "twins as family-planning children without numbers, before any police record: two residents" \
    "$(rid "$HC" familyplanning JS2019100011)" "$(rid "$HC" familyplanning JS2019100012)"
differ "twins, second pair (household landline on both rows), before any police record: two residents" \
    "$(rid "$HC" familyplanning JS2019100016)" "$(rid "$HC" familyplanning JS2019100017)"
load "$HC" labour "$FX/rev/$LF"
load "$HC" police "$FX/rev/$PF"
links "$HC"
check_eq "hub C: no resident holds two different valid identity numbers" 0 "$(two_numbers "$HC")"
hub_stop

partition "$H" > "$T_TMP/part.main"
partition "$HB" > "$T_TMP/part.b"
partition "$HC" > "$T_TMP/part.c"
check "the partition has as many groups as residents in export-links" \
    test "$(grep -c '' < "$T_TMP/part.main")" = "$(tail -n +2 "$H/links.csv" | cut -d, -f5 | sort -u | wc -l)"
for x in b c; do
    if diff "$T_TMP/part.main" "$T_TMP/part.$x" > "$T_TMP/part.diff.$x"; then
        ok "order independence: hub ${x^^} has the same partition as the main hub"
    else
        fail "order independence: hub ${x^^} has another partition than the main hub:"
        sed 's/^/#   /' "$T_TMP/part.diff.$x"
    fi
done
t_done
