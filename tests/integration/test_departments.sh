# Family planning and civil affairs (roster and facilities) end to end:
# fixture files with every variant of the format page, checked field by
# field against what the hub stored; malformed rows rejected with their
# reason while the rest goes in; the derived civil-affairs key is the same
# in two monthly exports whose 序号 differ; --check sends nothing.
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
hub_init "$H" 16500
check "hubd starts" hub_start "$H"
W=$(idno 35080219900101002)       # the woman
M=$(idno 35080219880305003)       # her spouse (ends in X)
O=$(idno 35080219700101123)       # a woman with a 15-digit number
O15=350802700101123
GET() { "$BIN/hubctl" --home "$H" get --idno "$1"; }

# ---------------- family planning: UTF-8 with BOM, tabs, no quoting ----------------
FP=$T_TMP/wis_20261101.tsv
T=$'\t'
{
    printf '\xEF\xBB\xBF'
    # columns in another order than the format page
    echo "姓名${T}记录编号${T}人员类型${T}身份证号${T}出生日期${T}性别${T}婚姻状况${T}关联记录编号${T}现居住地址${T}所属社区${T}联系电话${T}子女数${T}生育服务证号${T}节育措施${T}更新时间"
    echo "林丽${T}JS2019000123${T}育龄妇女${T}${W}${T}1990-01-01${T}2${T}初婚${T}${T}东城街道龙津路1号${T}北龙社区${T}13905971234${T}2${T}FS2019-0012${T}宫内节育器${T}2026-11-20 09:14:03"
    echo "陳明${T}JS2019000124${T}配偶${T}${M,,}${T}1988/3/5${T}1${T}初婚${T}JS2019000123${T}东城街道龙津路1号${T}北龙${T}139-0597-1235${T}${T}${T}${T}2026-11-20 09:14:03"
    echo "林小${T}JS2019000125${T}子女${T}${T}2015.06.01${T}2${T}${T}JS2019000123${T}东城街道龙津路1号${T}北龙社区居委会${T}${T}${T}${T}${T}2026-11-20 09:14:03"
    echo "　王 芳 ${T}ＪＳ2019000126${T}育龄妇女${T}${O15}${T}1970.01.01${T}2${T}再婚${T}${T}南城街道溪南路9号${T}东城街道北龙社区${T}+86 139 0597 1236${T}1${T}${T}无${T}2026-11-21 10:00:00"
    echo "赵敏${T}JS2019000127${T}育龄妇女${T}${T}1991-02-03${T}2${T}未婚${T}${T}某地${T}不存在社区${T}${T}0${T}${T}${T}2026-11-21 10:00:00"
    echo "缺列${T}JS2019000128${T}育龄妇女"
    echo "无号${T}${T}育龄妇女${T}${T}1991-02-03${T}2${T}未婚${T}${T}某地${T}北龙${T}${T}0${T}${T}${T}2026-11-21 10:00:00"
} > "$FP"
out=$("$BIN/adapter-familyplanning" --home "$H" --check "$FP")
check_eq "--check validates and sends nothing" \
    "adapter-familyplanning --check: 7 rows read, 5 valid, 0 duplicates, 2 rejected; rejects in $H/adapters/familyplanning/check-rejects.csv" "$out"
check_eq "--check stored nothing" 0 "$(sql "$H" "SELECT count(*) FROM source_records")"
out=$("$BIN/adapter-familyplanning" --home "$H" "$FP")
check_eq "family planning: 5 accepted, 2 rejected" \
    "adapter-familyplanning: 7 rows read, 5 accepted, 0 duplicates, 2 rejected; rejects in $H/adapters/familyplanning/rejects.csv" "$out"
REJ=$H/adapters/familyplanning/rejects.csv
check "a short TSV row is rejected with its reason" grep -q '^wis_20261101.tsv,6,.*"row has 3 fields, header has 15"' "$REJ"
check "an empty 记录编号 is rejected" grep -q "^wis_20261101.tsv,7,记录编号,记录编号 (the record's key) is empty" "$REJ"
g=$(GET "$W")
check_eq "the woman: number" "$W" "$(get_field "$g" idno)"
check_eq "the woman: record number is the key" "JS2019000123" "$(get_field "$g" record_no)"
check_eq "the woman: birth date" "1990-01-01" "$(get_field "$g" birth_date)"
check_eq "the woman: gender 2 is F" "2   [F]" "$(get_field "$g" gender)"
check_eq "the woman: community by its full name" "北龙社区   [350802001002]" "$(get_field "$g" community)"
check_eq "the woman: contraception not shown to the administrator (sensitive)" "" "$(get_field "$g" contraception)"
"$BIN/hubctl" --home "$H" principal add fpdesk department:familyplanning --key-out "$T_TMP/fpdesk.key" >/dev/null
"$BIN/hubctl" --home "$H" principal add labourdesk department:labour --key-out "$T_TMP/labourdesk.key" >/dev/null
gfp=$("$BIN/hubctl" --home "$H" --principal fpdesk --key "$T_TMP/fpdesk.key" get --idno "$W")
check_eq "the woman: contraception shown to the family-planning department" "宫内节育器" "$(get_field "$gfp" contraception)"
glab=$("$BIN/hubctl" --home "$H" --principal labourdesk --key "$T_TMP/labourdesk.key" get --idno "$W")
check "labour sees the woman's record with her full number" grep -q "idno *$W$" <<<"$glab"
check_eq "but never family planning's sensitive field" "" "$(get_field "$glab" contraception)"
check_eq "the woman: children" "2" "$(get_field "$g" children_count)"
check_eq "the woman: certificate" "FS2019-0012" "$(get_field "$g" certificate_no)"
check_eq "the woman: update time" "2026-11-20 09:14:03" "$(get_field "$g" updated_at)"
g=$(GET "$M")
check_eq "spouse: lower-case x kept as received, canonical beside" "${M,,}   [$M]" "$(get_field "$g" idno)"
check_eq "spouse: traditional name kept as received" "陳明" "$(get_field "$g" name)"
check_eq "spouse: date YYYY/M/D" "1988/3/5   [1988-03-05]" "$(get_field "$g" birth_date)"
check_eq "spouse: gender 1 is M" "1   [M]" "$(get_field "$g" gender)"
check_eq "spouse: linked to the woman" "JS2019000123" "$(get_field "$g" linked_record_no)"
check_eq "spouse: community short form" "北龙   [350802001002]" "$(get_field "$g" community)"
check_eq "spouse: phone with dashes" "139-0597-1235   [13905971235]" "$(get_field "$g" phone)"
g=$("$BIN/hubctl" --home "$H" get --idno JS2019000125)
check_eq "child without a number: found by its key, date YYYY.MM.DD" "2015.06.01   [2015-06-01]" "$(get_field "$g" birth_date)"
check_eq "child: community with 居委会" "北龙社区居委会   [350802001002]" "$(get_field "$g" community)"
g=$(GET "$O")
check_eq "15-digit number: converted beside the raw" "$O15   [$O]" "$(get_field "$g" idno)"
check_eq "full-width key tidied" "ＪＳ2019000126   [JS2019000126]" "$(get_field "$g" record_no)"
check_eq "spaces (U+3000, inner, trailing) tidied in the name" "　王 芳    [王 芳]" "$(get_field "$g" name)"
check_eq "community with its street" "东城街道北龙社区   [350802001002]" "$(get_field "$g" community)"
check_eq "phone with +86" "+86 139 0597 1236   [13905971236]" "$(get_field "$g" phone)"
g=$("$BIN/hubctl" --home "$H" get --idno JS2019000127)
check_eq "an unknown community is kept and flagged, not guessed" "不存在社区   (not mapped)" "$(get_field "$g" community)"

# ---------------- civil affairs roster: GBK, CRLF, RFC 4180, derived key ----------------
A=$(idno 35080219500101001)
gbk() { iconv -f UTF-8 -t GBK | sed 's/$/\r/'; }
RH='序号,街道,社区,户主姓名,姓名,证件类型,证件号码,性别,年龄,住址,类别,保障人数,月发放金额,起始日期,状态,联系电话'
{
    echo "$RH"
    echo "1,东城街道,北龙社区,张伟,张伟,居民身份证,$A,男,76,\"龙津路3号,1幢\",城市低保,2,570元,2019年3月1日,在保,0597-2231234"
    echo "2,东城街道,北龙,张伟,张伟,居民身份证,$A,男,76,\"龙津路3号,1幢\",残疾人两项补贴,1,80.5,2020-01-15,在保,"
    echo "3,东城街道,北龙社区,李娜,李娜,其他,DC35080219600101002X,女,66,龙津路5号,社区志愿者,,,2021-05-01,在保,13905970000"
    echo "4,东城街道,北龙社区居委会,陈强,陈强,户口簿,,男,81,龙津路7号,高龄津贴,1,100.00,2018-06-01,暂停,"
    echo "5,东城街道,北龙社区,错行,错行,居民身份证"
} | gbk > "$T_TMP/mz_roster_202610.csv"
# next month: other 序号, other order, one more person
{
    echo "$RH"
    echo "1,东城街道,北龙社区居委会,陈强,陈强,户口簿,,男,81,龙津路7号,高龄津贴,1,100.00,2018-06-01,暂停,"
    echo "2,东城街道,北龙社区,李娜,李娜,其他,DC35080219600101002X,女,66,龙津路5号,社区志愿者,,,2021-05-01,在保,13905970000"
    echo "3,东城街道,北龙,张伟,张伟,居民身份证,$A,男,76,\"龙津路3号,1幢\",残疾人两项补贴,1,80.5,2020-01-15,在保,"
    echo "4,东城街道,北龙社区,张伟,张伟,居民身份证,$A,男,76,\"龙津路3号,1幢\",城市低保,2,570元,2019年3月1日,在保,0597-2231234"
    echo "5,东城街道,松涛社区,刘洋,刘洋,居民身份证,$(idno 35080219450202003),女,81,松涛路1号,高龄津贴,1,100,2016-02-01,在保,"
} | gbk > "$T_TMP/mz_roster_202611.csv"
out=$("$BIN/adapter-civilaffairs" --home "$H" "$T_TMP/mz_roster_202610.csv")
check_eq "roster: 4 accepted, the short row rejected" \
    "adapter-civilaffairs: 5 rows read, 4 accepted, 0 duplicates, 1 rejected; rejects in $H/adapters/civilaffairs/rejects.csv" "$out"
"$BIN/hubctl" --home "$H" export-links | grep '^civilaffairs,' | sort > "$T_TMP/mz1"
out=$("$BIN/adapter-civilaffairs" --home "$H" "$T_TMP/mz_roster_202611.csv")
check_eq "next month: the new person accepted; the others, only renumbered, are the same records" \
    "adapter-civilaffairs: 5 rows read, 1 accepted, 4 duplicates, 0 rejected" "$out"
check "a renumbered record shows its latest origin and 序号" grep -q "from mz_roster_202611.csv row 3,.*" <<<"$(GET "$A")"
"$BIN/hubctl" --home "$H" export-links | grep '^civilaffairs,' | sort > "$T_TMP/mz2"
check_eq "the same person-and-category keeps its key across months whose 序号 differ" 4 \
    "$(join -t, -j 2 <(cut -d, -f2 "$T_TMP/mz1" | sort | sed 's/^/x,/') <(cut -d, -f2 "$T_TMP/mz2" | sort | sed 's/^/x,/') | wc -l)"
check_eq "keys look as documented" 5 "$(cut -d, -f2 "$T_TMP/mz2" | grep -cE '^MZ-[0-9a-f]{16}$')"
check_eq "one person, two categories, two keys" 2 "$(GET "$A" | grep -c '^  civilaffairs record')"
g=$(GET "$A")
check "amount 570元 is 57000 fen" grep -q "monthly_amount *570元   \[57000\]" <<<"$g"
check "amount 80.5 is 8050 fen" grep -q "monthly_amount *80.5   \[8050\]" <<<"$g"
check "start date 2019年3月1日" grep -q "start_date *2019年3月1日   \[2019-03-01\]" <<<"$g"
check "age kept (no birth date in this register)" grep -q "age *76$" <<<"$g"
check "a quoted address with a comma" grep -q "address *龙津路3号,1幢" <<<"$g"
vol=$(awk -F, '{print $2}' "$T_TMP/mz2" | while read -r k; do "$BIN/hubctl" --home "$H" get --idno "$k"; done)
check "a volunteer has no amount" bash -c "grep -A12 '社区志愿者' <<<\"\$0\" | grep -qv monthly_amount" "$vol"
check "其他: a disability card number is kept as text, not an identity number" grep -q "doc_no *DC35080219600101002X$" <<<"$vol"
check "amount 100.00 is 10000 fen" grep -q "monthly_amount *100.00   \[10000\]" <<<"$vol"

# ---------------- facilities: UTF-8, LF, several communities ----------------
{
    echo '设施编号,设施名称,设施类型,所属社区,地址,建筑面积,主管单位,状态'
    echo 'FW-350802001002-001,北龙社区服务中心,社区服务中心,北龙社区,龙津路1号,240,东城街道办事处,运营'
    echo 'FW-350802001002-002,"龙津托老所,二部",托老机构,北龙社区、松涛社区,龙津路2号,240.5,民政局,运营'
    echo 'FW-350802001003-001,松涛阅览室,文化阅览室,松涛,松涛路3号,约八十,文化站,停用'
} > "$T_TMP/facilities.csv"
out=$("$BIN/adapter-civilaffairs" --home "$H" "$T_TMP/facilities.csv")
check_eq "facilities: 3 accepted" "adapter-civilaffairs: 3 rows read, 3 accepted, 0 duplicates, 0 rejected" "$out"
f1=$("$BIN/hubctl" --home "$H" facilities --community 350802001002)
f2=$("$BIN/hubctl" --home "$H" facilities --community 350802001003)
check "a facility serving two communities is found from the first" grep -q "^FW-350802001002-002	龙津托老所,二部	托老机构	运营	350802001002,350802001003$" <<<"$f1"
check "and from the second" grep -q "^FW-350802001002-002	" <<<"$f2"
check "a facility of one community only there" bash -c "grep -q '^FW-350802001002-001	' <<<\"\$0\" && ! grep -q '^FW-350802001002-001	' <<<\"\$1\"" "$f1" "$f2"
check_eq "a facility is not a resident" "" "$("$BIN/hubctl" --home "$H" export-links | grep FW-)"
check_eq "a floor area that is not a number is kept as raw" "floor_area|约八十" \
    "$(sql "$H" "SELECT field, raw FROM fact_raw JOIN source_records s ON s.id = record_id WHERE s.source_key = 'FW-350802001003-001'")"
hub_stop
t_done
