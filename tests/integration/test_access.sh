# Access control end to end: principals made with `hubctl principal add`,
# each role asking what it may and may not (department, committee, street,
# operator, admin), the purpose every request must state, revoked, unknown
# and adapter keys on the query socket, and the hash-chained audit log
# (who looked, why, the refusals too; an edited or removed entry is found).
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
hub_init "$H" 16850
check "hubd starts" hub_start "$H"
CTL() { "$BIN/hubctl" --home "$H" "$@"; }
# AS NAME ARGS...: hubctl as the principal NAME, with the key pair the test made for it
AS() { local n=$1; shift; "$BIN/hubctl" --home "$H" --principal "$n" --key "$T_TMP/$n.key" "$@"; }

A=$(idno 35080219800101123)   # 北龙社区 (东城街道), police only
W=$(idno 35080219900101002)   # the woman, 北龙社区: police and family planning (节育措施)
B=$(idno 35080219750505004)   # 松涛社区 (东城街道)
C=$(idno 35080219660606005)   # 溪南社区 (南城街道)
mask() { echo "${1:0:6}********${1:14:4}"; }

# ---------------- fixtures: police GB18030 CSV, family planning UTF-8-BOM TSV, facilities ----------------
enc() { iconv -f UTF-8 -t GB18030 | sed 's/$/\r/'; }
printf '%s\n' '公民身份号码,姓名,曾用名,性别,民族,出生日期,户号,与户主关系,户籍地址,现住址,所属社区,人员类别,人员状态,变动类型,变动日期,联系电话' \
  "$A,林晓,,男,汉族,19800101,900000001,户主,东城街道北龙社区龙津路1号,,北龙社区,户籍人口,正常,,,13905971234" \
  "$W,林丽,,女,汉族,19900101,900000002,户主,东城街道北龙社区龙津路2号,,北龙社区,户籍人口,正常,,,13905971235" \
  "$B,陈松,,男,汉族,19750505,900000003,户主,东城街道松涛社区松涛路1号,,松涛社区,户籍人口,正常,,,13905971236" \
  "$C,黄溪,,女,汉族,19660606,900000004,户主,南城街道溪南社区溪南路9号,,溪南社区,户籍人口,正常,,,13905971237" \
  | enc > "$T_TMP/hukou_20261101.csv"
T=$'\t'
{
    printf '\xEF\xBB\xBF'
    echo "记录编号${T}姓名${T}人员类型${T}身份证号${T}出生日期${T}性别${T}婚姻状况${T}关联记录编号${T}现居住地址${T}所属社区${T}联系电话${T}子女数${T}生育服务证号${T}节育措施${T}更新时间"
    echo "JS2019000123${T}林丽${T}育龄妇女${T}${W}${T}1990-01-01${T}2${T}初婚${T}${T}东城街道龙津路2号${T}北龙社区${T}13905971235${T}1${T}FS2019-0012${T}宫内节育器${T}2026-11-20 09:14:03"
} > "$T_TMP/wis_20261101.tsv"
{
    echo '设施编号,设施名称,设施类型,所属社区,地址,建筑面积,主管单位,状态'
    echo 'FW-350802001002-001,北龙社区服务中心,社区服务中心,北龙社区,龙津路1号,240,东城街道办事处,运营'
    echo 'FW-350802001003-001,松涛阅览室,文化阅览室,松涛社区,松涛路3号,80,文化站,运营'
} > "$T_TMP/facilities.csv"
check_eq "police: 4 accepted" "adapter-police: 4 rows read, 4 accepted, 0 duplicates, 0 rejected" \
    "$("$BIN/adapter-police" --home "$H" "$T_TMP/hukou_20261101.csv")"
check_eq "family planning: 1 accepted" "adapter-familyplanning: 1 rows read, 1 accepted, 0 duplicates, 0 rejected" \
    "$("$BIN/adapter-familyplanning" --home "$H" "$T_TMP/wis_20261101.tsv")"
check_eq "facilities: 2 accepted" "adapter-civilaffairs: 2 rows read, 2 accepted, 0 duplicates, 0 rejected" \
    "$("$BIN/adapter-civilaffairs" --home "$H" "$T_TMP/facilities.csv")"
g=$(CTL get --idno "$W")
WID=$(awk '/^resident /{print $2; exit}' <<<"$g")
check "the woman is one resident with both records" \
    bash -c 'grep -q "^  police record " <<<"$0" && grep -q "^  familyplanning record JS2019000123" <<<"$0"' "$g"

# ---------------- principals ----------------
add() { CTL principal add "$1" "$2" --key-out "$T_TMP/$1.key" >/dev/null; }
check "admin adds department:familyplanning" add fpdesk department:familyplanning
check "admin adds department:labour" add labourdesk department:labour
check "admin adds committee:350802001002 (北龙)" add beilong committee:350802001002
check "admin adds committee:350802001003 (松涛)" add songtao committee:350802001003
check "admin adds street:东城街道" add dongcheng street:东城街道
check "admin adds operator" add ops operator
check "a key file was written by --key-out" test -s "$T_TMP/fpdesk.key"

# ---------------- department:familyplanning ----------------
PURPOSE="家访核实 case-4711"
out=$(AS fpdesk --purpose "$PURPOSE" get --idno "$W"); rc=$?
check_eq "familyplanning: get the woman allowed" 0 "$rc"
check "familyplanning: the woman's full number" grep -q "identity number $W " <<<"$out"
check_eq "familyplanning: the woman's contraception shown" "宫内节育器" "$(get_field "$out" contraception)"
out=$(AS fpdesk get --idno "$C"); rc=$?
check "familyplanning: a resident of another street (溪南) allowed, full number" \
    bash -c '[ "$0" = 0 ] && grep -q "identity number $1 " <<<"$2"' "$rc" "$C" "$out"
out=$(AS fpdesk export-links); rc=$?
check "familyplanning: export-links allowed with lines" \
    bash -c '[ "$0" = 0 ] && [ "$(grep -c "^police," <<<"$1")" = 4 ]' "$rc" "$out"

out=$(AS fpdesk get --idno "$W" --json); rc=$?
check "get --json: the full number, and the contraception field as received" \
    bash -c '[ "$0" = 0 ] && grep -q "\"identity_number\": \"$1\"" <<<"$2" \
        && grep -q "\"contraception\": {" <<<"$2" && grep -q "\"raw\": \"宫内节育器\"" <<<"$2"' "$rc" "$W" "$out"
out=$(AS fpdesk get --idno "$W" --csv); rc=$?
check "get --csv: header, a golden line, a record's field line" \
    bash -c '[ "$0" = 0 ] && grep -qx "resident_id,part,department,source_key,field,value,normal_form,flags" <<<"$1" \
        && grep -qx "$2,golden,police,,name,林丽,," <<<"$1" \
        && grep -q "^$2,record,familyplanning,JS2019000123,contraception,宫内节育器," <<<"$1"' "$rc" "$out" "$WID"

# ---------------- department:labour ----------------
out=$(AS labourdesk get --idno "$W"); rc=$?
check_eq "labour: get the woman allowed" 0 "$rc"
check "labour: the woman's full number" grep -q "identity number $W " <<<"$out"
check "labour: the family-planning record is shown" grep -q "^  familyplanning record JS2019000123" <<<"$out"
check_eq "labour: contraception NOT shown" "" "$(get_field "$out" contraception)"

# ---------------- committee:350802001002 (北龙) ----------------
out=$(AS beilong get --idno "$W"); rc=$?
check_eq "committee 北龙: its own resident allowed" 0 "$rc"
check "committee 北龙: the number masked as 350802********NNNN" grep -qF "identity number $(mask "$W") " <<<"$out"
check "committee 北龙: the police record's key masked" grep -qxF "  police record $(mask "$W")" <<<"$out"
check_eq "committee 北龙: the police idno field masked" "$(mask "$W")" "$(get_field "$out" idno)"
check "committee 北龙: the full number appears nowhere" bash -c '! grep -q "$0" <<<"$1"' "$W" "$out"
check "committee 北龙: no contraception line" bash -c '! grep -q "^ *contraception " <<<"$0"' "$out"
out=$(AS beilong get --idno "$W" --json)
check "get --json as committee: number masked, no contraception, the full number nowhere" \
    bash -c 'grep -qF "\"identity_number\": \"$1\"" <<<"$0" && ! grep -q contraception <<<"$0" && ! grep -q "$2" <<<"$0"' \
    "$out" "$(mask "$W")" "$W"
out=$(AS beilong get --idno "$W" --csv)
check "get --csv as committee: the full number nowhere, no contraception" \
    bash -c '[ -n "$0" ] && ! grep -q "$1" <<<"$0" && ! grep -q contraception <<<"$0"' "$out" "$W"
err=$(AS beilong get --idno "$B" 2>&1 >/dev/null); rc=$?
check_eq "committee 北龙: a 松涛 resident refused (status 1)" 1 "$rc"
check "committee 北龙: a plain message about the community" grep -q "^hubctl: .*community" <<<"$err"
out=$(AS beilong export-links 2>/dev/null); rc=$?
check "committee 北龙: export-links refused" bash -c '[ "$0" = 1 ] && ! grep -q "^police," <<<"$1"' "$rc" "$out"
out=$(AS beilong facilities --community 350802001002); rc=$?
check "committee 北龙: its own facilities allowed" \
    bash -c '[ "$0" = 0 ] && grep -q "^FW-350802001002-001	" <<<"$1"' "$rc" "$out"
out=$(AS beilong facilities --community 350802001003 2>/dev/null); rc=$?
check "committee 北龙: 松涛's facilities refused" bash -c '[ "$0" = 1 ] && [ -z "$1" ]' "$rc" "$out"

# the other community's committee looks at the woman: refused (and audited below)
err=$(AS songtao --purpose "松涛越权查询" get --idno "$W" 2>&1 >/dev/null); rc=$?
check_eq "committee 松涛: the 北龙 woman refused (status 1)" 1 "$rc"
out=$(AS songtao get --idno "$B"); rc=$?
check "committee 松涛: its own resident allowed, masked" \
    bash -c '[ "$0" = 0 ] && grep -qF "identity number $1 " <<<"$2"' "$rc" "$(mask "$B")" "$out"

# ---------------- street:东城街道 ----------------
out=$(AS dongcheng get --idno "$W"); rc=$?
check "street 东城: the 北龙 woman allowed, masked, no contraception" \
    bash -c '[ "$0" = 0 ] && grep -qF "identity number $1 " <<<"$2" && ! grep -q "$3" <<<"$2" && ! grep -q "^ *contraception " <<<"$2"' \
    "$rc" "$(mask "$W")" "$out" "$W"
out=$(AS dongcheng get --idno "$A"); rc=$?
check "street 东城: the 北龙 man allowed, masked" \
    bash -c '[ "$0" = 0 ] && grep -qF "identity number $1 " <<<"$2"' "$rc" "$(mask "$A")" "$out"
out=$(AS dongcheng get --idno "$B"); rc=$?
check "street 东城: the 松涛 resident allowed, masked" \
    bash -c '[ "$0" = 0 ] && grep -qF "identity number $1 " <<<"$2" && ! grep -q "$3" <<<"$2"' "$rc" "$(mask "$B")" "$out" "$B"
err=$(AS dongcheng get --idno "$C" 2>&1 >/dev/null); rc=$?
check "street 东城: the 溪南 (南城街道) resident refused with a message" \
    bash -c '[ "$0" = 1 ] && grep -q "^hubctl: .*street" <<<"$1"' "$rc" "$err"

# ---------------- search: any script, homophones, pinyin; within scope ----------------
out=$(CTL search --name 陳松)
check "search: the traditional 陳松 finds 陈松, by name" grep -qE "^[0-9]+ +陈松 +1975-05-05 +350802001003 +name$" <<<"$out"
out=$(CTL search --name 林莉)
check "search: the homophone 林莉 finds 林丽 (same pinyin)" grep -qE "^$WID +林丽 .* same pinyin$" <<<"$out"
out=$(CTL search --name "Lin Li")
check "search: pinyin 'Lin Li' finds 林丽" grep -qE "^$WID +林丽 .* pinyin$" <<<"$out"
out=$(CTL search --name 林丽 --birth 1990)
check "search: name and birth year together" grep -qE "^$WID +林丽 .* same pinyin|name, birth year$" <<<"$out"
out=$(CTL search --phone "139-0597-1236")
check "search: by phone in any form" grep -qE " 陈松 .*phone$" <<<"$out"
out=$(CTL search --address 龙津路)
check_eq "search: by an address fragment (two in 龙津路)" 2 "$(grep -c ' address$' <<<"$out")"
out=$(AS beilong search --address 路)
check "search as committee 北龙: only its residents" bash -c 'grep -q 林丽 <<<"$0" && ! grep -q 陈松 <<<"$0"' "$out"
AS ops search --name 林丽 >/dev/null 2>&1; rc=$?
check_eq "search as operator: refused" 1 "$rc"
out=$(CTL search --name 陳松 --json)
check "search --json: one object with why" grep -q '"name": "陈松", "birth_date": "1975-05-05", "community": "350802001003", "why": "name"}' <<<"$out"
out=$(CTL search --name 陳松 --csv)
check "search --csv: header and the line" grep -q '^resident_id,name,birth_date,community,why$' <<<"$out"
out=$(CTL household 900000002)
check "household: its member with the relation" grep -qE "^$WID +林丽 .*户主$" <<<"$out"

out=$(AS beilong history --resident "$WID"); rc=$?
check "history as committee 北龙: its resident's records, a table aligned by display width" \
    bash -c '[ "$0" = 0 ] && grep -qE "^when +change +department +record +file +row +note$" <<<"$1" \
        && grep -qE "^[0-9T:-]+Z +record +familyplanning +JS2019000123 +wis_20261101.tsv +1 *$" <<<"$1"' "$rc" "$out"
out=$(AS beilong history --resident "$WID" --csv)
check "history --csv: header, and the police key masked for a committee" \
    bash -c 'grep -qx "when,change,department,record,file,row,note" <<<"$0" \
        && grep -qF "Z,record,police,$1,hukou_20261101.csv,2," <<<"$0"' "$out" "$(mask "$W")"
out=$(CTL history --resident "$WID" --json)
check "history --json: a title and one object per row" \
    bash -c 'grep -q "^{\"title\": \"history of resident $1, oldest first\", \"rows\": \[$" <<<"$0" \
        && grep -q "\"change\": \"record\", \"department\": \"familyplanning\", \"record\": \"JS2019000123\"" <<<"$0"' \
    "$out" "$WID"
BID=$(CTL get --idno "$B" | awk '/^resident /{print $2; exit}')
AS beilong history --resident "$BID" >/dev/null 2>&1; rc=$?
check_eq "history as committee 北龙: another community's resident refused" 1 "$rc"

# ---------------- roster: residents of an area, filtered, within scope ----------------
out=$(AS beilong roster)
check "roster as committee 北龙: its two residents" bash -c 'grep -q "^2 residents$" <<<"$0" && grep -q 林丽 <<<"$0" && grep -q 林晓 <<<"$0"' "$out"
out=$(AS beilong roster --gender F --csv)
check_eq "roster --gender F --csv: header and the woman" "resident_id,name,birth_date,community
$WID,林丽,1990-01-01,350802001002" "$out"
out=$(AS beilong roster --age 30-40 --json)
check "roster --age 30-40 --json: only the 36-year-old" bash -c 'grep -q "\"name\": \"林丽\"" <<<"$0" && ! grep -q 林晓 <<<"$0"' "$out"
out=$(AS beilong roster --household 900000001)
check "roster --household: the household's member" bash -c 'grep -q 林晓 <<<"$0" && grep -q "^1 resident$" <<<"$0"' "$out"
AS beilong roster 350802001003 >/dev/null 2>&1; rc=$?
check_eq "roster as committee 北龙 of another community: refused" 1 "$rc"
out=$(AS fpdesk roster 东城街道 --category 户籍人口)
check "roster as a department, a whole street" grep -q "^3 residents$" <<<"$out"

# ---------------- figures of an area, within scope ----------------
out=$(AS beilong figures)
check "committee 北龙: its community's figures (2 residents, 1 woman aged 15-59, facilities)" \
    bash -c 'grep -q "^figures for 350802001002 (1 community)" <<<"$0" && grep -qE "^  total +2$" <<<"$0"' "$out"
AS beilong figures 350802001003 >/dev/null 2>&1; rc=$?
check_eq "committee 北龙: another community's figures refused" 1 "$rc"
out=$(AS beilong figures --csv)
check "figures --csv: header, the population, a facility with its floor area" \
    bash -c 'grep -qx "section,item,count,amount,unit" <<<"$0" && grep -qx "population,total,2,," <<<"$0" \
        && grep -qx "facilities,社区服务中心,1,240.0,m2" <<<"$0"' "$out"
out=$(AS beilong figures --json)
check "figures --json: title and rows" \
    bash -c 'grep -q "^{\"title\": \"figures for 350802001002 (1 community)" <<<"$0" \
        && grep -q "{\"section\": \"population\", \"item\": \"total\", \"count\": \"2\"" <<<"$0"' "$out"
AS beilong stats --csv >/dev/null 2>&1; rc=$?
check_eq "a command without --csv refuses it (status 2)" 2 "$rc"
out=$(AS dongcheng figures)
check "street 东城: its street's figures (3 residents in its communities)" grep -qE "^  total +3$" <<<"$out"
out=$(AS ops figures)
check "operator: the district's figures (4 residents)" grep -qE "^  total +4$" <<<"$out"

# ---------------- one resident, two communities: the police register places him ----------------
# 陈松 is 松涛's by the police; a later family-planning export says 北龙.
{
    printf '\xEF\xBB\xBF'
    echo "记录编号${T}姓名${T}人员类型${T}身份证号${T}出生日期${T}性别${T}婚姻状况${T}关联记录编号${T}现居住地址${T}所属社区${T}联系电话${T}子女数${T}生育服务证号${T}节育措施${T}更新时间"
    echo "JS2019000456${T}陈松${T}配偶${T}${B}${T}1975-05-05${T}1${T}初婚${T}${T}东城街道龙津路8号${T}北龙社区${T}13905971236${T}0${T}${T}${T}2026-11-21 10:00:00"
} > "$T_TMP/wis_20261102.tsv"
check_eq "family planning: 陈松 under 北龙 accepted" \
    "adapter-familyplanning: 1 rows read, 1 accepted, 0 duplicates, 0 rejected" \
    "$("$BIN/adapter-familyplanning" --home "$H" "$T_TMP/wis_20261102.tsv")"
out=$(CTL get --idno "$B")
check "陈松: one resident with both records" \
    bash -c 'grep -q "^  familyplanning record JS2019000456" <<<"$0" && [ "$(grep -c "^resident " <<<"$0")" = 1 ]' "$out"
check "陈松: the golden community is the police register's (松涛), 北龙 beside it" \
    grep -qE "^    community +350802001003 +\(police\) +also: 350802001002 \(familyplanning\)" <<<"$out"
AS beilong get --idno "$B" >/dev/null 2>&1; rc=$?
check_eq "陈松: committee 北龙 refused though a record names 北龙" 1 "$rc"
out=$(AS beilong search --name 陈松); rc=$?
check "陈松: committee 北龙's search answers without him" bash -c '[ "$0" = 0 ] && ! grep -q 陈松 <<<"$1"' "$rc" "$out"
out=$(AS beilong roster --csv); rc=$?
check "陈松: not on 北龙's roster (still its two)" \
    bash -c '[ "$0" = 0 ] && ! grep -q 陈松 <<<"$1" && [ "$(grep -c "" <<<"$1")" = 3 ]' "$rc" "$out"
out=$(AS songtao get --idno "$B"); rc=$?
check_eq "陈松: committee 松涛 allowed" 0 "$rc"
out=$(AS songtao search --name 陈松)
check "陈松: committee 松涛's search finds him in 松涛" grep -qE " 陈松 .*350802001003" <<<"$out"

# ---------------- operator ----------------
out=$(AS ops get --idno "$A" 2>"$T_TMP/ops.err"); rc=$?
check_eq "operator: get refused (status 1)" 1 "$rc"
check "operator: with a message, and no personal data" \
    bash -c 'grep -q "^hubctl: operators" "$0" && [ -z "$1" ]' "$T_TMP/ops.err" "$out"
out=$(AS ops stats); rc=$?
check "operator: stats allowed" bash -c '[ "$0" = 0 ] && grep -q "^residents  *4$" <<<"$1"' "$rc" "$out"
AS ops review list >/dev/null; rc=$?
check_eq "operator: review list allowed" 0 "$rc"

# ---------------- admin and principal management ----------------
out=$(CTL principal list); rc=$?
check "admin: principal list shows every added principal with its role" \
    bash -c '[ "$0" = 0 ] && for l in "fpdesk department:familyplanning" "labourdesk department:labour" \
        "beilong committee:350802001002" "songtao committee:350802001003" "dongcheng street:东城街道" "ops operator"; do
        grep -Eq "^${l%% *} +${l#* }$" <<<"$1" || exit 1; done' "$rc" "$out"
out=$(AS fpdesk principal list 2>"$T_TMP/plist.err"); rc=$?
check "a department calling principal list is refused (status 1, no list)" \
    bash -c '[ "$0" = 1 ] && ! grep -q fpdesk <<<"$1"' "$rc" "$out"
check "and is told why" grep -q "administrator" <(cat "$T_TMP/plist.err"; echo "$out")
out=$(AS ops principal revoke fpdesk 2>&1); rc=$?
check "an operator cannot revoke a principal" \
    bash -c '[ "$0" = 1 ] && grep -q "^fpdesk " <<<"$1"' "$rc" "$(CTL principal list)"

# ---------------- purpose ----------------
err=$(env -u HUB_PURPOSE "$BIN/hubctl" --home "$H" get --idno "$A" 2>&1 >/dev/null); rc=$?
check "no purpose: refused with the message about purpose" \
    bash -c '[ "$0" = 1 ] && grep -q "purpose" <<<"$1"' "$rc" "$err"
err=$(env -u HUB_PURPOSE "$BIN/hubctl" --home "$H" stats 2>&1 >/dev/null); rc=$?
check "no purpose: even stats refused" bash -c '[ "$0" = 1 ] && grep -q "purpose" <<<"$1"' "$rc" "$err"

# ---------------- revoked, unknown and adapter keys ----------------
check "admin revokes committee 北龙" bash -c '"$0" --home "$1" principal revoke beilong >/dev/null' "$BIN/hubctl" "$H"
AS beilong --timeout 2000 get --idno "$W" >/dev/null 2>&1; rc=$?
check "revoked: its next request is refused or unanswered (status $rc)" bash -c '[ "$0" = 1 ] || [ "$0" = 3 ]' "$rc"
check "revoked: principal list no longer shows it" bash -c '! grep -q "^beilong " <<<"$0"' "$(CTL principal list)"
check "hub.log: HUB-PRINCIPAL-REVOKE" grep -q '"HUB-PRINCIPAL-REVOKE".*beilong' "$H/hub.log"
check "the other principals still work" AS songtao get --idno "$B" >/dev/null

"$BIN/hubctl" keygen "$T_TMP/stranger.key" >/dev/null
deny0=$(grep -c '"HUB-AUTH-DENY"' "$H/hub.log")
AS stranger --timeout 1500 stats >/dev/null 2>&1; rc=$?
check_eq "unknown key: no answer (status 3)" 3 "$rc"
check "hub.log: HUB-AUTH-DENY for the unknown key" \
    bash -c '[ "$(grep -c "\"HUB-AUTH-DENY\"" "$0")" -gt "$1" ] && grep "\"HUB-AUTH-DENY\"" "$0" | grep -q "key not in principals"' \
    "$H/hub.log" "$deny0"
"$BIN/hubctl" --home "$H" --principal police --timeout 1500 stats >/dev/null 2>&1; rc=$?
check_eq "adapter key on the query socket: no answer (status 3)" 3 "$rc"
check "hub.log: HUB-AUTH-DENY for the adapter on the query socket" \
    bash -c 'grep "\"HUB-AUTH-DENY\"" "$0" | grep "\"police\"" | grep -q "role not allowed"' "$H/hub.log"

# ---------------- audit ----------------
out=$(CTL audit --resident "$WID"); rc=$?
echo "$out" | sed 's/^/# audit: /'
check_eq "audit --resident: answered" 0 "$rc"
check "audit: the family-planning look with its principal, role and distinctive purpose" \
    grep -q "fpdesk (department:familyplanning)  get  purpose: $PURPOSE  -> answered" <<<"$out"
check "audit: the labour look" grep -q "labourdesk (department:labour)  get  purpose: integration test  -> answered" <<<"$out"
check "audit: the 北龙 committee's look" grep -q "beilong (committee:350802001002)  get  purpose: .* -> answered" <<<"$out"
check "audit: the street's look" grep -q "dongcheng (street:东城街道)  get  .* -> answered" <<<"$out"
check "audit: the refused look by 松涛's committee (kind get, outcome refused)" \
    grep -q "songtao (committee:350802001003)  get  purpose: 松涛越权查询  -> refused" <<<"$out"
check_eq "audit table: the refused look is stored with its principal and purpose" "get|refused" \
    "$(audit_sql "$H" "SELECT kind, substr(outcome, 1, 7) FROM audit_log WHERE principal = 'songtao' AND purpose = '松涛越权查询'")"
AS fpdesk audit --resident "$WID" >/dev/null 2>&1; rc=$?
check_eq "audit: a department may not read the audit log" 1 "$rc"
out=$(CTL audit verify); rc=$?
check "audit verify: the log is whole" bash -c '[ "$0" = 0 ] && grep -q "^the audit log is whole: [0-9]* entries" <<<"$1"' "$rc" "$out"

hub_stop; rc=$?
check_eq "hub stops cleanly" 0 "$rc"
orig3=$(audit_sql "$H" "SELECT purpose FROM audit_log WHERE id = 3")
sqlite3 "$H/audit.db" "UPDATE audit_log SET purpose = 'x' WHERE id = 3"
check "hubd starts again" hub_start "$H"
out=$(CTL audit verify); rc=$?
check_eq "edited entry: audit verify status 1" 1 "$rc"
check "edited entry: broken at entry 3" grep -q "^the audit log is broken at entry 3 (of [0-9]*)" <<<"$out"
hub_stop; rc=$?
check_eq "hub stops cleanly again" 0 "$rc"
# put entry 3 back and remove entry 5 instead: the break moves to the entry after the gap
sqlite3 "$H/audit.db" "UPDATE audit_log SET purpose = '${orig3//\'/\'\'}' WHERE id = 3; DELETE FROM audit_log WHERE id = 5"
check "hubd starts a third time" hub_start "$H"
out=$(CTL audit verify); rc=$?
check_eq "removed entry: audit verify status 1" 1 "$rc"
check "removed entry: broken at entry 6 (the one after the gap), not 3" \
    grep -q "^the audit log is broken at entry 6 (of [0-9]*)" <<<"$out"
hub_stop
t_done
