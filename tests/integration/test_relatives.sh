# Persons written down with someone else's number or none, found through the
# relative their row names (issue 15): a civil-affairs roster kept per
# household, on which every member carries the head's identity number, in two
# monthly exports; a family-planning child row carrying its mother's number;
# a child registered before naming (陈宝宝) without a number; a roster member
# without a number whose age is off by two years. Each must stay a person of
# its own, linked to its own police record, never to the relative whose
# number or name it carries. Also: two rows of one file that derive the same
# key are both kept (KEY~2) and reported with both row numbers.
# Real hubd on loopback, real adapters, export-links. Numbers are synthetic.
. "$(dirname "$0")/../lib.sh"

HEAD=$(idno 35080219600312001)    # 陈建国, M, 户主
WIFE=$(idno 35080219620520002)    # 林秀兰, F, 配偶
SON=$(idno 35080219880808003)     # 陈伟, M, 子
DAU=$(idno 35080219920101004)     # 陈丽, F, 女
FATHER=$(idno 35080219880606005)  # 陈刚, M, 户主 of the second household
MOTHER=$(idno 35080219900909006)  # 王芳, F, 配偶
GIRL=$(idno 35080220190505008)    # 陈晓, F, 女: family planning gives her mother's number
BABY=$(idno 35080220250301007)    # 陈浩, M, 子: family planning has him as 陈宝宝, no number
OLD=$(idno 35080219500101008)     # 黄桂英, F, 母亲 in the first household (the roster: 黃桂瑛)
BRO=$(idno 35080219610415011)     # 陈建军, M, 兄弟: the head's age and gender, on the head's number

FX=$T_TMP/fx
mkdir -p "$FX"
gb18030() { iconv -f UTF-8 -t GB18030 | sed 's/$/\r/'; }
gbk() { iconv -f UTF-8 -t GBK | sed 's/$/\r/'; }
{
    echo '公民身份号码,姓名,曾用名,性别,民族,出生日期,户号,与户主关系,户籍地址,现住址,所属社区,人员类别,人员状态,变动类型,变动日期,联系电话'
    echo "$HEAD,陈建国,,男,汉族,19600312,900200001,户主,东城街道北龙社区龙津路31号,,北龙社区,户籍人口,正常,,,13905970301"
    echo "$WIFE,林秀兰,,女,汉族,19620520,900200001,配偶,东城街道北龙社区龙津路31号,,北龙社区,户籍人口,正常,,,"
    echo "$SON,陈伟,,男,汉族,19880808,900200001,子,东城街道北龙社区龙津路31号,,北龙社区,户籍人口,正常,,,"
    echo "$DAU,陈丽,,女,汉族,19920101,900200001,女,东城街道北龙社区龙津路31号,,北龙社区,户籍人口,正常,,,"
    echo "$OLD,黄桂英,,女,汉族,19500101,900200001,母亲,东城街道北龙社区龙津路31号,,北龙社区,户籍人口,正常,,,"
    echo "$BRO,陈建军,,男,汉族,19610415,900200001,兄弟,东城街道北龙社区龙津路31号,,北龙社区,户籍人口,正常,,,"
    echo "$FATHER,陈刚,,男,汉族,19880606,900200002,户主,东城街道北龙社区龙津路32号,,北龙社区,户籍人口,正常,,,13905970302"
    echo "$MOTHER,王芳,,女,汉族,19900909,900200002,配偶,东城街道北龙社区龙津路32号,,北龙社区,户籍人口,正常,,,"
    echo "$GIRL,陈晓,,女,汉族,20190505,900200002,女,东城街道北龙社区龙津路32号,,北龙社区,户籍人口,正常,,,"
    echo "$BABY,陈浩,,男,汉族,20250301,900200002,子,东城街道北龙社区龙津路32号,,北龙社区,户籍人口,正常,,,"
} | gb18030 > "$FX/hukou_20261101.csv"
T=$'\t'
{
    printf '\xef\xbb\xbf'
    echo "姓名${T}记录编号${T}人员类型${T}身份证号${T}出生日期${T}性别${T}婚姻状况${T}关联记录编号${T}现居住地址${T}所属社区${T}联系电话${T}子女数${T}生育服务证号${T}节育措施${T}更新时间"
    echo "王芳${T}JS2020200001${T}育龄妇女${T}$MOTHER${T}1990-09-09${T}2${T}初婚${T}${T}龙津路32号${T}北龙社区${T}${T}2${T}${T}${T}2026-11-01 09:00:00"
    echo "陈晓${T}JS2020200002${T}子女${T}$MOTHER${T}2019-05-05${T}2${T}${T}JS2020200001${T}龙津路32号${T}北龙社区${T}${T}${T}${T}${T}2026-11-01 09:00:00"
    echo "陈宝宝${T}JS2020200003${T}子女${T}${T}2025-03-01${T}1${T}${T}JS2020200001${T}龙津路32號${T}北龙${T}${T}${T}${T}${T}2026-11-01 09:00:00"
} > "$FX/wis_20261101.tsv"
# the roster, kept per household: every member on the head's number; the
# head's mother has no number, her name in traditional script with a
# same-sounding character (黃桂瑛), and an age two years off (76 at 2026-10
# is born 1950; 78)
roster() {   # roster MONTH: the same people, rows in another order each month
    echo '序号,街道,社区,户主姓名,姓名,证件类型,证件号码,性别,年龄,住址,类别,保障人数,月发放金额,起始日期,状态,联系电话'
    local rows=(
        "东城街道,北龙社区,陈建国,陈建国,户口簿,$HEAD,男,66,龙津路31号,城市低保,5,1400元,2020-01-01,在保,"
        "东城街道,北龙社区,陈建国,林秀兰,户口簿,$HEAD,女,64,龙津路31号,城市低保,5,1400元,2020-01-01,在保,"
        "东城街道,北龙社区,陈建国,陈伟,户口簿,$HEAD,男,38,龙津路31号,城市低保,5,1400元,2020-01-01,在保,"
        "东城街道,北龙社区,陈建国,陈丽,户口簿,$HEAD,女,34,龙津路31号,城市低保,5,1400元,2020-01-01,在保,"
        "东城街道,北龙社区,陈建国,黃桂瑛,户口簿,,女,78,龙津路31号,高龄津贴,1,100,2020-01-01,在保,"
        "东城街道,北龙社区,陈建国,陈建军,户口簿,$HEAD,男,65,龙津路31号,残疾人两项补贴,1,160,2020-01-01,在保,"
    )
    local i n=0
    if [ "$1" = 202610 ]; then order="0 1 2 3 4 5"; else order="5 4 3 2 1 0"; fi
    for i in $order; do n=$((n + 1)); echo "$n,${rows[i]}"; done
}
roster 202610 | gbk > "$FX/mz_roster_202610.csv"
roster 202611 | gbk > "$FX/mz_roster_202611.csv"

H=$T_TMP/hub
hub_init "$H" 17760 "group_commit_max_ms = 5"
check "hubd starts" hub_start "$H"
out=$("$BIN/adapter-police" --home "$H" "$FX/hukou_20261101.csv" 2>&1)
check_eq "police: every row accepted" "adapter-police: 10 rows read, 10 accepted, 0 duplicates, 0 rejected" "$out"
out=$("$BIN/adapter-familyplanning" --home "$H" "$FX/wis_20261101.tsv" 2>&1)
check_eq "family planning: every row accepted" \
    "adapter-familyplanning: 3 rows read, 3 accepted, 0 duplicates, 0 rejected" "$out"
out=$("$BIN/adapter-civilaffairs" --home "$H" "$FX/mz_roster_202610.csv" "$FX/mz_roster_202611.csv" 2>&1)
check_eq "civil affairs: six records, each the same again next month" \
    "adapter-civilaffairs: 12 rows read, 6 accepted, 6 duplicates, 0 rejected" "$out"
check_eq "civil affairs: five rows on one number are five records" 6 \
    "$(sql "$H" "SELECT count(*) FROM source_records WHERE source = 4 AND current = 1")"

"$BIN/hubctl" --home "$H" export-links > "$H/links.csv"
rid() { awk -F, -v s="$2" -v k="$3" '$1 == s && ($2 "") == (k "") { print $5 }' "$1/links.csv"; }
rid_row() { awk -F, -v f="$2" -v r="$3" '$3 == f && $4 == r + 0 { print $5 }' "$1/links.csv"; }
# rows of the November roster (reversed): the records' origin is their latest delivery
for p in "$HEAD 6 陈建国" "$WIFE 5 林秀兰" "$SON 4 陈伟" "$DAU 3 陈丽" "$OLD 2 黃桂瑛" "$BRO 1 陈建军"; do
    set -- $p
    police=$(rid "$H" police "$1")
    civil=$(rid_row "$H" mz_roster_202611.csv "$2")
    if [ -n "$police" ] && [ "$police" = "$civil" ]; then
        ok "roster row $2 ($3) is the resident of its own police record"
    else
        fail "roster row $2 ($3): resident '$civil', its police record's '$police'"
    fi
done
check_eq "the household's six police records are six residents" 6 \
    "$(for n in "$HEAD" "$WIFE" "$SON" "$DAU" "$OLD" "$BRO"; do rid "$H" police "$n"; done | sort -u | grep -c .)"
check_eq "no resident holds two different valid numbers" 0 \
    "$(sql "$H" "SELECT count(*) FROM (SELECT resident_id FROM source_records WHERE current=1 AND idno IS NOT NULL
                 GROUP BY resident_id HAVING count(DISTINCT idno) > 1)")"
check_eq "a member's row does not hold the head's number as its own" 1 \
    "$(sql "$H" "SELECT count(*) FROM source_records WHERE source = 4 AND current = 1 AND idno = '$HEAD'")"
check_eq "and says so: idno-other-person on the four members' rows (the brother's: the head's name)" 4 \
    "$(sql "$H" "SELECT count(DISTINCT q.record_id) FROM quality_flags q JOIN source_records s ON s.id = q.record_id
                 WHERE q.flag = 'idno-other-person' AND s.source = 4")"

check_eq "the child on her mother's number is the child, not the mother" "$(rid "$H" police "$GIRL")" \
    "$(rid "$H" familyplanning JS2020200002)"
check "the mother stays the mother" test "$(rid "$H" police "$MOTHER")" = "$(rid "$H" familyplanning JS2020200001)"
check_eq "陈宝宝 (no number, before naming) is 陈浩 of his mother's police household" "$(rid "$H" police "$BABY")" \
    "$(rid "$H" familyplanning JS2020200003)"
hub_stop

# ---- the other order: the relatives' rows first, the police last ----
partition() {   # each resident's source records (source:key), one group a line, sorted
    tail -n +2 "$1/links.csv" | sort -t, -k1,1 -k2,2 \
        | awk -F, '{ g[$5] = g[$5] " " $1 ":" $2 } END { for (r in g) print substr(g[r], 2) }' | sort
}
HR=$T_TMP/hub-reverse
hub_init "$HR" 17780 "group_commit_max_ms = 5"
check "hubd (reverse order) starts" hub_start "$HR"
"$BIN/adapter-civilaffairs" --home "$HR" "$FX/mz_roster_202610.csv" "$FX/mz_roster_202611.csv" >/dev/null 2>&1
"$BIN/adapter-familyplanning" --home "$HR" "$FX/wis_20261101.tsv" >/dev/null 2>&1
"$BIN/adapter-police" --home "$HR" "$FX/hukou_20261101.csv" >/dev/null 2>&1
"$BIN/hubctl" --home "$HR" export-links > "$HR/links.csv"
hub_stop
if diff <(partition "$H") <(partition "$HR") > "$T_TMP/order.diff"; then
    ok "police last: the same residents as police first (the relatives' rows are woken by their household)"
else
    fail "police last gives other residents:"
    sed 's/^/#   /' "$T_TMP/order.diff"
fi

# ---- two rows of one file that derive one key: both kept, both reported ----
{
    echo '序号,街道,社区,户主姓名,姓名,证件类型,证件号码,性别,年龄,住址,类别,保障人数,月发放金额,起始日期,状态,联系电话'
    echo "1,东城街道,北龙社区,陈建国,陈建国,户口簿,$HEAD,男,66,龙津路31号,城市低保,5,1400元,2020-01-01,在保,"
    echo "2,东城街道,北龙社区,陈建国,陈伟,户口簿,$HEAD,男,38,龙津路31号,城市低保,5,1400元,2020-01-01,在保,"
    echo "3,东城街道,北龙社区,陈建国,陈建国,户口簿,$HEAD,男,66,龙津路31号,城市低保,5,1500元,2021-01-01,在保,"
} | gbk > "$FX/mz_roster_202612.csv"
H2=$T_TMP/hub2
hub_init "$H2" 17770 "group_commit_max_ms = 5"
check "hubd 2 starts" hub_start "$H2"
out=$("$BIN/adapter-civilaffairs" --home "$H2" "$FX/mz_roster_202612.csv" 2>"$T_TMP/err2")
check_eq "same key twice in one roster: both rows accepted, and the summary says so" \
    "adapter-civilaffairs: 3 rows read, 3 accepted, 0 duplicates, 0 rejected
adapter-civilaffairs: 1 rows held the key of an earlier row of their file and went as KEY~N; both rows of each are in $H2/adapters/civilaffairs/kept-apart.csv" \
    "$out"
check "and a log line on standard error: ADP-FILE-SAME-KEYS" grep -q '"msgid":"ADP-FILE-SAME-KEYS","file":"mz_roster_202612.csv","rows":1' "$T_TMP/err2"
report=$H2/adapters/civilaffairs/kept-apart.csv
check_eq "the report names the row, the earlier row and both keys" "mz_roster_202612.csv,3,1" \
    "$(tail -n 1 "$report" | cut -d, -f1-3)"
key=$(tail -n 1 "$report" | cut -d, -f4)
check_eq "the second row went under KEY~2" "$key~2" "$(tail -n 1 "$report" | cut -d, -f5)"
check_eq "the hub holds both: three current records" 3 \
    "$(sql "$H2" "SELECT count(*) FROM source_records WHERE source = 4 AND current = 1")"
check_eq "rows 1 and 3 (one person twice) are one resident" \
    "$(sql "$H2" "SELECT resident_id FROM source_records WHERE source_key = '$key'")" \
    "$(sql "$H2" "SELECT resident_id FROM source_records WHERE source_key = '$key~2'")"
hub_stop

# ---- a father and a son of one name, both on the father's number, in two
# months in the other order: each keeps his key (the son's row, by its age,
# is keyed as one without a number), no KEY~2 that could swap ----
SONJR=$(idno 35080219880303013)   # 陈建国 the son, M, 38
mkdir -p "$FX/fs"
{
    echo '公民身份号码,姓名,曾用名,性别,民族,出生日期,户号,与户主关系,户籍地址,现住址,所属社区,人员类别,人员状态,变动类型,变动日期,联系电话'
    echo "$HEAD,陈建国,,男,汉族,19600312,900200001,户主,东城街道北龙社区龙津路31号,,北龙社区,户籍人口,正常,,,"
    echo "$SONJR,陈建国,,男,汉族,19880303,900200001,子,东城街道北龙社区龙津路31号,,北龙社区,户籍人口,正常,,,"
} | gb18030 > "$FX/fs/hukou_20261101.csv"
fs_roster() {   # fs_roster FIRST SECOND: the father's (f) and the son's (s) rows in that order
    echo '序号,街道,社区,户主姓名,姓名,证件类型,证件号码,性别,年龄,住址,类别,保障人数,月发放金额,起始日期,状态,联系电话'
    local f="东城街道,北龙社区,陈建国,陈建国,户口簿,$HEAD,男,66,龙津路31号,城市低保,2,800,2020-01-01,在保,"
    local s="东城街道,北龙社区,陈建国,陈建国,户口簿,$HEAD,男,38,龙津路31号,城市低保,2,800,2020-01-01,在保,"
    if [ "$1" = f ]; then echo "1,$f"; echo "2,$s"; else echo "1,$s"; echo "2,$f"; fi
}
fs_roster f s | gbk > "$FX/fs/mz_roster_202610.csv"
fs_roster s f | gbk > "$FX/fs/mz_roster_202611.csv"
H3=$T_TMP/hub3
hub_init "$H3" 17790 "group_commit_max_ms = 5"
check "hubd 3 starts" hub_start "$H3"
"$BIN/adapter-police" --home "$H3" "$FX/fs/hukou_20261101.csv" >/dev/null 2>&1
out=$("$BIN/adapter-civilaffairs" --home "$H3" "$FX/fs/mz_roster_202610.csv" "$FX/fs/mz_roster_202611.csv" 2>/dev/null)
check_eq "father and son on one number: two keys, the same again next month in the other order" \
    "adapter-civilaffairs: 4 rows read, 2 accepted, 2 duplicates, 0 rejected" "$out"
check "no row went as KEY~N" test ! -e "$H3/adapters/civilaffairs/kept-apart.csv"
"$BIN/hubctl" --home "$H3" export-links > "$H3/links.csv"
check_eq "the November roster's son (row 1) is the son's police resident" "$(rid "$H3" police "$SONJR")" \
    "$(rid_row "$H3" mz_roster_202611.csv 1)"
check_eq "the November roster's father (row 2) is the father's police resident" "$(rid "$H3" police "$HEAD")" \
    "$(rid_row "$H3" mz_roster_202611.csv 2)"
hub_stop

# ---- twins, in both load orders: 何一鹏's family-planning row on his twin's
# number; 张子涵 and 张梓涵 (same-sounding) without numbers; and a brother on
# the head's number where the head is in labour only ----
TA=$(idno 35080220240505013)   # 何一鸣, M
TB=$(idno 35080220240505021)   # 何一鹏, M
TM=$(idno 35080219950101022)   # 王丽, F, their mother
ZA=$(idno 35080220050707042)   # 张子涵, F
ZB=$(idno 35080220050707064)   # 张梓涵, F
ZM=$(idno 35080219800808024)   # 李红, F, their mother
DH=$(idno 35080219750404015)   # 邓建明, M: in labour only
DB=$(idno 35080219750909017)   # 邓建新, M, his brother
mkdir -p "$FX/tw"
{
    echo '公民身份号码,姓名,曾用名,性别,民族,出生日期,户号,与户主关系,户籍地址,现住址,所属社区,人员类别,人员状态,变动类型,变动日期,联系电话'
    echo "$TM,王丽,,女,汉族,19950101,900400001,户主,东城街道北龙社区龙津路41号,,北龙社区,户籍人口,正常,,,"
    echo "$TA,何一鸣,,男,汉族,20240505,900400001,子,东城街道北龙社区龙津路41号,,北龙社区,户籍人口,正常,,,"
    echo "$TB,何一鹏,,男,汉族,20240505,900400001,子,东城街道北龙社区龙津路41号,,北龙社区,户籍人口,正常,,,"
    echo "$ZM,李红,,女,汉族,19800808,900400002,户主,东城街道北龙社区龙津路42号,,北龙社区,户籍人口,正常,,,"
    echo "$ZA,张子涵,,女,汉族,20050707,900400002,女,东城街道北龙社区龙津路42号,,北龙社区,户籍人口,正常,,,"
    echo "$ZB,张梓涵,,女,汉族,20050707,900400002,女,东城街道北龙社区龙津路42号,,北龙社区,户籍人口,正常,,,"
    echo "$DB,邓建新,,男,汉族,19750909,900400003,户主,东城街道北龙社区龙津路43号,,北龙社区,户籍人口,正常,,,"
} | gb18030 > "$FX/tw/hukou_20261101.csv"
{
    printf '\xef\xbb\xbf'
    echo "姓名${T}记录编号${T}人员类型${T}身份证号${T}出生日期${T}性别${T}婚姻状况${T}关联记录编号${T}现居住地址${T}所属社区${T}联系电话${T}子女数${T}生育服务证号${T}节育措施${T}更新时间"
    echo "王丽${T}JS2024400001${T}育龄妇女${T}$TM${T}1995-01-01${T}2${T}初婚${T}${T}龙津路41号${T}北龙社区${T}${T}2${T}${T}${T}2026-11-01 09:00:00"
    echo "何一鸣${T}JS2024400002${T}子女${T}$TA${T}2024-05-05${T}1${T}${T}JS2024400001${T}龙津路41号${T}北龙社区${T}${T}${T}${T}${T}2026-11-01 09:00:00"
    echo "何一鹏${T}JS2024400003${T}子女${T}$TA${T}2024-05-05${T}1${T}${T}JS2024400001${T}龙津路41号${T}北龙社区${T}${T}${T}${T}${T}2026-11-01 09:00:00"
    echo "李红${T}JS2024400011${T}育龄妇女${T}$ZM${T}1980-08-08${T}2${T}初婚${T}${T}龙津路42号${T}北龙社区${T}${T}2${T}${T}${T}2026-11-01 09:00:00"
    echo "张子涵${T}JS2024400012${T}子女${T}${T}2005-07-07${T}2${T}${T}JS2024400011${T}龙津路42号${T}北龙社区${T}${T}${T}${T}${T}2026-11-01 09:00:00"
    echo "张梓涵${T}JS2024400013${T}子女${T}${T}2005-07-07${T}2${T}${T}JS2024400011${T}龙津路42号${T}北龙社区${T}${T}${T}${T}${T}2026-11-01 09:00:00"
} > "$FX/tw/wis_20261101.tsv"
echo '{"djbh":"LD4001","sfzh":"'"$DH"'","xm":"邓建明","xb":"1","csrq":"1975-04-04","sqjwh":"北龙社区","jzdz":"龙津路43号","gxsj":"2026-11-01T09:00:00+08:00"}' \
    > "$FX/tw/jyzt_20261101.jsonl"
{
    echo '序号,街道,社区,户主姓名,姓名,证件类型,证件号码,性别,年龄,住址,类别,保障人数,月发放金额,起始日期,状态,联系电话'
    echo "1,东城街道,北龙社区,邓建明,邓建新,户口簿,$DH,男,51,龙津路43号,城市低保,1,570,2020-01-01,在保,"
} | gbk > "$FX/tw/mz_roster_202611.csv"
for order in "police familyplanning labour civilaffairs" "civilaffairs labour familyplanning police"; do
    H4=$T_TMP/hub4-${order%% *}
    hub_init "$H4" 17800 "group_commit_max_ms = 5"
    check "hubd ($order) starts" hub_start "$H4"
    for dep in $order; do
        case $dep in police) f=hukou_20261101.csv ;; familyplanning) f=wis_20261101.tsv ;;
                     labour) f=jyzt_20261101.jsonl ;; civilaffairs) f=mz_roster_202611.csv ;; esac
        "$BIN/adapter-$dep" --home "$H4" "$FX/tw/$f" >/dev/null 2>&1
    done
    "$BIN/hubctl" --home "$H4" export-links > "$H4/links.csv"
    check_eq "$order: 何一鹏's row on his twin's number is 何一鹏" "$(rid "$H4" police "$TB")" \
        "$(rid "$H4" familyplanning JS2024400003)"
    check_eq "$order: …and 何一鸣's row 何一鸣" "$(rid "$H4" police "$TA")" "$(rid "$H4" familyplanning JS2024400002)"
    check_eq "$order: 张子涵 without a number is 张子涵" "$(rid "$H4" police "$ZA")" \
        "$(rid "$H4" familyplanning JS2024400012)"
    check_eq "$order: 张梓涵 without a number is 张梓涵" "$(rid "$H4" police "$ZB")" \
        "$(rid "$H4" familyplanning JS2024400013)"
    check_eq "$order: 邓建新 on his brother's number (the brother in labour only) is 邓建新" \
        "$(rid "$H4" police "$DB")" "$(rid_row "$H4" mz_roster_202611.csv 1)"
    check "$order: …not his brother" test "$(rid "$H4" labour LD4001)" != "$(rid_row "$H4" mz_roster_202611.csv 1)"
    hub_stop
done
t_done
