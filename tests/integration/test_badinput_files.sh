# Bad files through the real adapters into a real hubd: a file in the wrong
# encoding (UTF-8 to the GB18030 police adapter, GBK where UTF-8 is due), a
# quote that never closes, a JSON line of 100 MB (rejected, memory bounded),
# identity numbers of 17, 19 and 40 characters, values over the hub's
# limit. Each ends in STATE/rejects.csv with where and why, with a line on
# the adapter's stderr log; the rows around it go in.
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
hub_init "$H" 17520
hub_start "$H" >/dev/null || fail "hubd starts"
stored() { sql "$H" "SELECT count(*) FROM source_records WHERE source_key = '$1'"; }
gb() { iconv -f UTF-8 -t GB18030 | sed 's/$/\r/'; }
HDR='公民身份号码,姓名,曾用名,性别,民族,出生日期,户号,与户主关系,户籍地址,现住址,所属社区,人员类别,人员状态,变动类型,变动日期,联系电话'
# prow NUMBER NAME [ADDRESS]: a police row
prow() { echo "$1,$2,,男,汉族,19800101,900000001,户主,龙津路1号,${3:-},北龙社区,户籍人口,正常,,,"; }
for k in 0 1 2 3 4 5 6 7 8 9; do eval "N$k=$(idno "3508021980010170$k")"; done

# --- the wrong encoding: the whole file refused, saying which it seems to be ---
printf '%s\r\n' "$HDR" "$(prow "$N1" 林晓)" > "$T_TMP/hukou_20261201.csv"
out=$("$BIN/adapter-police" --home "$H" "$T_TMP/hukou_20261201.csv" 2>"$T_TMP/err1"); rc=$?
check_eq "UTF-8 to the police adapter: exit 1" 1 "$rc"
why="read as UTF-8 the header is right: the file seems to be in UTF-8, not GB18030"
check "... says it seems to be UTF-8, nothing sent" grep -q "hukou_20261201.csv: .*$why; nothing of this file was sent" "$T_TMP/err1"
check "... logged" grep -q '"msgid":"ADP-FILE-FAIL","file":"hukou_20261201.csv"' "$T_TMP/err1"
check "... kept in rejects.csv as row 0, the whole file" grep -q "^hukou_20261201.csv,0,,\".*$why\",$" "$H/adapters/police/rejects.csv"
check_eq "... nothing stored" 0 "$(stored "$N1")"
FPH='记录编号	人员类型	姓名	身份证号	出生日期	性别	婚姻状况	关联记录编号	现居住地址	所属社区	联系电话	子女数	生育服务证号	节育措施	更新时间'
printf '%s\n%s\n' "$FPH" "JS2026000001	育龄妇女	林晓	$N1	1980-01-01	2	已婚		龙津路1号	北龙社区		1			2026-11-01 09:00:00" |
    iconv -f UTF-8 -t GBK > "$T_TMP/wis_20261201.tsv"
"$BIN/adapter-familyplanning" --home "$H" "$T_TMP/wis_20261201.tsv" >/dev/null 2>"$T_TMP/err2"; rc=$?
check_eq "GBK to the family-planning adapter (UTF-8): exit 1" 1 "$rc"
why="read as GB18030 the header is right: the file seems to be in GB18030 (or GBK), not UTF-8"
check "... says it seems to be GB18030 or GBK" grep -q "wis_20261201.tsv: .*not valid UTF-8.*$why; nothing of this file was sent" "$T_TMP/err2"
check "... kept in rejects.csv as row 0" grep -q "^wis_20261201.tsv,0,,\".*$why\",$" "$H/adapters/familyplanning/rejects.csv"
check_eq "... nothing stored" 0 "$(stored JS2026000001)"
printf '{"djbh":"LD2026000001","xm":"林晓","sfzh":"%s"}\n{"djbh":"LD2026000002","xm":"Lin Xiao"}\n' "$N1" |
    iconv -f UTF-8 -t GBK > "$T_TMP/jyzt_20261201.jsonl"
out=$("$BIN/adapter-labour" --home "$H" "$T_TMP/jyzt_20261201.jsonl" 2>"$T_TMP/err3")
check_eq "GBK JSON Lines: the line with Chinese rejected, the ASCII one taken" \
    "adapter-labour: 2 rows read, 1 accepted, 0 duplicates, 1 rejected; rejects in $H/adapters/labour/rejects.csv" "$out"
check "... with its byte, the bytes kept escaped" grep -qF \
    'jyzt_20261201.jsonl,1,,line 1 is not valid UTF-8 at byte 30: C1,"{""djbh"":""LD2026000001"",""xm"":""\xC1\xD6\xCF\xFE""' \
    "$H/adapters/labour/rejects.csv"
check "... logged" grep -q '"msgid":"ADP-FILE-REJECTS","file":"jyzt_20261201.jsonl","rows":1' "$T_TMP/err3"

# --- a quote that never closes: that row's first line rejected, reading goes on ---
{ echo "$HDR"; prow "$N2" 林一; prow "$N3" 林二 '"龙津路2号'; prow "$N4" 林三; } | gb > "$T_TMP/hukou_20261202.csv"
out=$("$BIN/adapter-police" --home "$H" "$T_TMP/hukou_20261202.csv" 2>"$T_TMP/err4")
check_eq "an unterminated quote: 2 accepted, 1 rejected" \
    "adapter-police: 3 rows read, 2 accepted, 0 duplicates, 1 rejected; rejects in $H/adapters/police/rejects.csv" "$out"
check "... the row, its column and why" grep -q \
    '^hukou_20261202.csv,2,现住址,"quote opened at the start of column 10 (现住址) on line 3 is never closed' \
    "$H/adapters/police/rejects.csv"
check_eq "... the rows before and after it stored" "1 0 1" "$(stored "$N2") $(stored "$N3") $(stored "$N4")"
check "... logged" grep -q '"msgid":"ADP-FILE-REJECTS","file":"hukou_20261202.csv","rows":1' "$T_TMP/err4"

# --- a JSON line of 100 MB: rejected at 1 MiB, the next lines read, memory bounded ---
J=$T_TMP/jyzt_20261202.jsonl
{ echo '{"djbh":"LD2026000011","xm":"甲"}'; printf '{"djbh":"LD2026000012","xm":"'
  head -c 104857600 /dev/zero | tr '\0' a; echo '"}'; echo '{"djbh":"LD2026000013","xm":"丙"}'; } > "$J"
check "the file is over 100 MB" test "$(stat -c %s "$J")" -gt 104857600
out=$("$BIN/tests/maxrss" "$T_TMP/rss" "$BIN/adapter-labour" --home "$H" "$J" 2>"$T_TMP/err5")
rm -f "$J"
check_eq "a 100 MB line: rejected, the lines around it taken" \
    "adapter-labour: 3 rows read, 2 accepted, 0 duplicates, 1 rejected; rejects in $H/adapters/labour/rejects.csv" "$out"
check "... with why" grep -q '^jyzt_20261202.jsonl,2,,line 2 is longer than the limit of 1048576 bytes,' "$H/adapters/labour/rejects.csv"
check "... its first MiB kept, not 100 MB" test "$(grep '^jyzt_20261202.jsonl,2,' "$H/adapters/labour/rejects.csv" | wc -c)" -lt 1100000
check "... logged" grep -q '"msgid":"ADP-FILE-REJECTS","file":"jyzt_20261202.jsonl","rows":1' "$T_TMP/err5"
check_eq "... the lines around it stored" "1 0 1" "$(stored LD2026000011) $(stored LD2026000012) $(stored LD2026000013)"
check "... the adapter's peak memory stays under 64 MiB ($(cat "$T_TMP/rss") KiB)" test "$(cat "$T_TMP/rss")" -lt 65536

# --- identity numbers of 17, 19 and 40 characters ---
L40A=${N5}${N7}1234
L40B=${N5}${N7}1235
{ echo "$HDR"; prow "${N5:0:17}" 十七; prow "${N7}9" 十九; prow "$L40A" 四十甲; prow "$L40B" 四十乙; prow "$N6" 正常; } |
    gb > "$T_TMP/hukou_20261203.csv"
out=$("$BIN/adapter-police" --home "$H" "$T_TMP/hukou_20261203.csv" 2>"$T_TMP/err6")
check_eq "numbers of 17 and 19 characters kept, of 40 rejected" \
    "adapter-police: 5 rows read, 3 accepted, 0 duplicates, 2 rejected; rejects in $H/adapters/police/rejects.csv" "$out"
check_eq "a 17-character number: the police record, keyed as typed, its number flagged invalid" "1 3" \
    "$(stored "${N5:0:17}") $(sql "$H" "SELECT idno_status FROM source_records WHERE source_key = '${N5:0:17}'")"
g=$("$BIN/hubctl" --home "$H" get --idno "${N5:0:17}")
check "... hubctl shows it as received, flagged" grep -qE "^      idno +${N5:0:17} +\(invalid\)$" <<<"$g"
check_eq "a 19-character number: the same" "1 3" \
    "$(stored "${N7}9") $(sql "$H" "SELECT idno_status FROM source_records WHERE source_key = '${N7}9'")"
check "a 40-character number: rejected, not cut to a key another number shares" grep -q \
    "^hukou_20261203.csv,3,公民身份号码,\"identity number (the record's key) is 40 bytes without spaces, longer than the 31 a key may have: not a number\"," \
    "$H/adapters/police/rejects.csv"
check "... the next one too" grep -q "^hukou_20261203.csv,4,公民身份号码,\"identity number" "$H/adapters/police/rejects.csv"
check_eq "... neither stored under a shortened key" 0 "$(sql "$H" "SELECT count(*) FROM source_records WHERE source_key LIKE '$N5%' AND length(source_key) > 19")"
printf '{"djbh":"LD2026000021","xm":"十九","sfzh":"%s9"}\n' "$N8" > "$T_TMP/jyzt_20261203.jsonl"
"$BIN/adapter-labour" --home "$H" "$T_TMP/jyzt_20261203.jsonl" >/dev/null
check "labour's 19-character sfzh: stored, flagged invalid" grep -qE "^      idno +${N8}9 +\(invalid\)$" \
    <<<"$("$BIN/hubctl" --home "$H" get --idno LD2026000021)"

# --- keys longer than a buffer: kept whole, never cut to one another shares ---
LONG=JS$(head -c 200 /dev/zero | tr '\0' 7)
{ printf '\xef\xbb\xbf%s\n' "$FPH"
  for k in 1 2; do n=N$k; printf '%s\t育龄妇女\t林%s\t%s\t1980-01-01\t2\t已婚\t\t龙津路1号\t北龙社区\t\t1\t\t\t2026-11-01 09:00:00\n' "$LONG$k" "$k" "${!n}"; done
} > "$T_TMP/wis_20261202.tsv"
out=$("$BIN/adapter-familyplanning" --home "$H" "$T_TMP/wis_20261202.tsv")
check_eq "two 203-character 记录编号 differing at the end: two records" \
    "adapter-familyplanning: 2 rows read, 2 accepted, 0 duplicates, 0 rejected" "$out"
check_eq "... each under its whole key" "1 1" "$(stored "${LONG}1") $(stored "${LONG}2")"

# --- values over the hub's limit: those rows rejected by the hub; a batch
# --- of big rows is cut at 4 MiB so the others still fit in one message
BIG=$(head -c 300000 /dev/zero | tr '\0' a | sed 's/a/ａ/g')   # 900 kB as UTF-8, 300 kB as its normal form
{ echo "$HDR"; prow "$N9" 甲
  for k in 1 2 3 4 5 6 7 8; do prow "$(idno "3508021980010180$k")" 大 "$BIG"; done
  prow "$N0" 乙; } | gb > "$T_TMP/hukou_20261204.csv"
l0=$(grep -c '"msgid":"HUB-INGEST-REJECT"' "$H/hub.log")
out=$("$BIN/adapter-police" --home "$H" "$T_TMP/hukou_20261204.csv" 2>"$T_TMP/err7")
check_eq "eight rows with a 900 kB address: rejected by the hub, the two others taken" \
    "adapter-police: 10 rows read, 2 accepted, 0 duplicates, 8 rejected; rejects in $H/adapters/police/rejects.csv" "$out"
check_eq "... each with the hub's reason" 8 \
    "$(grep -c '^hukou_20261204.csv,[2-9],,"police.current_address.raw is 900000 bytes, over the limit of 65536",' "$H/adapters/police/rejects.csv")"
check_eq "... logged by the hub" "$((l0 + 8))" "$(grep -c '"msgid":"HUB-INGEST-REJECT"' "$H/hub.log")"
check "... and by the adapter" grep -q '"msgid":"ADP-HUB-REJECTED","file":"hukou_20261204.csv"' "$T_TMP/err7"
check_eq "... the rows around them stored" "1 1" "$(stored "$N9") $(stored "$N0")"
check_eq "... no message was too big for the hub" 0 "$(sql "$H" "SELECT count(*) FROM quarantine WHERE reason_code = 6")"

check "the hub still answers" grep -qE "^residents +[0-9]+" <<<"$("$BIN/hubctl" --home "$H" stats)"
hub_stop; check_eq "SIGTERM stops hubd cleanly" 0 "$?"
t_done
