# Police register end to end against a real hubd on loopback: load, links,
# one resident per number in all its written forms, rejects, reload stores
# nothing new, SIGKILL of the hub mid-load, SIGTERM.
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
hub_init "$H" 16100 "group_commit_max_ms = 5"
check "hubd starts on a fresh home" hub_start "$H"
check "first start made keys and principals" test -s "$H/keys/hub.key" -a -s "$H/keys/police.key" -a -s "$H/principals"

# --- a generated district ---
"$BIN/gen-district" --out "$T_TMP/d" --people 3000 --seed 7 >/dev/null
F=$T_TMP/d/hukou_20261101.csv
rows=$(grep -c ",police," "$T_TMP/d/truth.csv")
out=$("$BIN/adapter-police" --home "$H" "$F"); rc=$?
check_eq "adapter exits 0" 0 "$rc"
check_eq "summary counts every row accepted" \
    "adapter-police: $rows rows read, $rows accepted, 0 duplicates, 0 rejected" "$out"
"$BIN/hubctl" --home "$H" export-links > "$T_TMP/links1.csv"
check_eq "export-links header" "source,source_key,origin_file,origin_row,resident_id" "$(head -1 "$T_TMP/links1.csv")"
check_eq "export-links has one line per row" "$rows" "$(($(grep -c '' "$T_TMP/links1.csv") - 1))"
# every truth row appears with its file and row
missing=$(grep ",police," "$T_TMP/d/truth.csv" | cut -d, -f3-5 | sort > "$T_TMP/t.keys"; \
          tail -n +2 "$T_TMP/links1.csv" | cut -d, -f2-4 | sort > "$T_TMP/l.keys"; \
          comm -23 "$T_TMP/t.keys" "$T_TMP/l.keys" | wc -l)
check_eq "every truth row is linked with its origin" 0 "$missing"
check_eq "stats: police records" "$rows" "$(stat_of "$H" "  police")"

# --- one number, many written forms: one resident ---
enc() { iconv -f UTF-8 -t GB18030 | sed 's/$/\r/'; }
HDR='公民身份号码,姓名,曾用名,性别,民族,出生日期,户号,与户主关系,户籍地址,现住址,所属社区,人员类别,人员状态,变动类型,变动日期,联系电话'
printf '%s\n' "$HDR" \
  '350802198001011231,林晓,,男,汉族,19800101,900000001,户主,"东城街道北龙社区龙津路1号,2幢",,北龙社区,户籍人口,正常,,,13905971234' \
  '350802198001011232,林晓,,男,汉族,19800101,900000001,户主,东城街道北龙社区龙津路1号,,北龙社区,户籍人口,正常,,,' \
  | enc > "$T_TMP/hukou_20261102.csv"
printf '%s\n' \
  '现住址,公民身份号码,姓名,曾用名,性别,民族,出生日期,户号,与户主关系,户籍地址,所属社区,人员类别,人员状态,变动类型,变动日期,联系电话' \
  ',350802800101123,林晓,,男,汉族,19800101,900000001,户主,龙津路1号,北龙,户籍人口,正常,,,' \
  ',３５０８０２１９８００１０１１２３１,林晓,,男,汉族,19800101,900000001,户主,龙津路1号,北龙,户籍人口,正常,,,' \
  ',350802 19800101 1231,林晓,,男,汉族,19800101,900000001,户主,龙津路1号,北龙,户籍人口,正常,,,' \
  ',350802198001011231,短行' \
  ',,无号,,女,汉族,19900101,900000002,户主,龙津路2号,北龙,户籍人口,正常,,,' \
  | enc > "$T_TMP/hukou_20261103.csv"
printf ',350802199001012345,\xff\xfe,,\xc5\xae,\xba\xba\xd7\xe5,19900101,900000003,,,,,\xd5\xfd\xb3\xa3,,,\r\n' >> "$T_TMP/hukou_20261103.csv"
out=$("$BIN/adapter-police" --home "$H" "$T_TMP/hukou_20261102.csv" "$T_TMP/hukou_20261103.csv")
check_eq "fixture: 5 accepted, 3 rejected" \
    "adapter-police: 8 rows read, 5 accepted, 0 duplicates, 3 rejected; rejects in $H/adapters/police/rejects.csv" "$out"
"$BIN/hubctl" --home "$H" export-links > "$T_TMP/links2.csv"
check_eq "18-digit, 15-digit, full-width and spaced forms are one police record, last seen in row 3" \
    "police,350802198001011231,hukou_20261103.csv,3" "$(grep ',350802198001011231,' "$T_TMP/links2.csv" | cut -d, -f1-4)"
r1=$(grep ',350802198001011231,' "$T_TMP/links2.csv" | cut -d, -f5)
r2=$(grep ',350802198001011232,' "$T_TMP/links2.csv" | cut -d, -f5)
check "a mistyped check character, same name, birth date and household: the same resident" test -n "$r2" -a "$r1" = "$r2"
get=$("$BIN/hubctl" --home "$H" get --idno 350802800101123)
check_eq "get by the 15-digit form finds the resident with its 5 records (4 versions of one, and the typo)" \
    "resident $r1  identity number 350802198001011231  (5 source records)" "$(echo "$get" | head -1)"
check "get shows provenance" grep -q "from hukou_20261103.csv row 2, sent by police" <<<"$get"
check "get shows the value as received beside its normal form" grep -q "idno *３５０８０２１９８００１０１１２３１   \[350802198001011231\]" <<<"$get"
check "a quoted address with a comma arrives whole" grep -q '东城街道北龙社区龙津路1号,2幢' <<<"$("$BIN/hubctl" --home "$H" get --resident "$r1")"
REJ=$H/adapters/police/rejects.csv
check "short row rejected with its reason" grep -q '^hukou_20261103.csv,4,曾用名,"row has 3 fields, header has 16",",350802198001011231,短行"$' "$REJ"
check "empty key rejected with its column" grep -q "^hukou_20261103.csv,5,公民身份号码,identity number (the record's key) is empty" "$REJ"
check "bad byte sequence rejected with row and column, kept with the bytes escaped" \
    grep -q '^hukou_20261103.csv,6,姓名,.*not valid GB18030.*,350802199001012345,\\xFF\\xFE,,女,汉族,' "$REJ"
printf '%s\n' '公民身份号码,曾用名,性别,民族,出生日期,户号,所属社区,人员状态' '350802198001011231,,男,汉族,19800101,900000001,北龙,正常' \
  | enc > "$T_TMP/hukou_20261104.csv"
before=$(sql "$H" "SELECT count(*) FROM source_records")
msg=$("$BIN/adapter-police" --home "$H" "$T_TMP/hukou_20261104.csv" 2>&1 >/dev/null); rc=$?
check_eq "a missing required column: exit 1" 1 "$rc"
check "a missing required column: says which" grep -q "hukou_20261104.csv: required column 姓名 is missing from the header; nothing of this file was sent" <<<"$msg"
check_eq "a missing required column: nothing sent" "$before" "$(sql "$H" "SELECT count(*) FROM source_records")"
check "hub log has no names or numbers" bash -c "! grep -qE '350802|林晓' '$H/hub.log'"

# --- the same file again: nothing new ---
before=$(sql "$H" "SELECT count(*) FROM source_records")
out=$("$BIN/adapter-police" --home "$H" "$F")
check_eq "same file, same state: nothing to send" "adapter-police: 0 rows read, 0 accepted, 0 duplicates, 0 rejected" "$out"
out=$("$BIN/adapter-police" --home "$H" --state "$T_TMP/state2" "$F")
check_eq "same file, fresh state: every row a duplicate" \
    "adapter-police: $rows rows read, 0 accepted, $rows duplicates, 0 rejected" "$out"
check_eq "nothing new stored" "$before" "$(sql "$H" "SELECT count(*) FROM source_records")"

# --- a delta moves origins, keeps residents ---
"$BIN/gen-district" --out "$T_TMP/d" --people 3000 --seed 7 --police-delta 50 >/dev/null
D=$(ls "$T_TMP"/d/hukou_*_delta.csv)
out=$("$BIN/adapter-police" --home "$H" "$D")
check_eq "delta accepted" "adapter-police: 50 rows read, 50 accepted, 0 duplicates, 0 rejected" "$out"
"$BIN/hubctl" --home "$H" export-links > "$T_TMP/links3.csv"
# the generator may mistype a number in the delta: that row is a new key
grep "$(basename "$D")" "$T_TMP/d/truth.csv" | cut -d, -f3 | sort > "$T_TMP/delta.keys"
cut -d, -f2 "$T_TMP/links2.csv" | sort > "$T_TMP/known.keys"
known=$(comm -12 "$T_TMP/delta.keys" "$T_TMP/known.keys" | wc -l)
check "most delta rows change a known record ($known of 50)" test "$known" -ge 40
check_eq "a changed record is still one line" "$(($(grep -c '' "$T_TMP/links2.csv") + 50 - known))" \
    "$(grep -c '' "$T_TMP/links3.csv")"
check_eq "changed records keep their resident and show the delta as origin" "$known" \
    "$(join -t, -j1 <(grep "$(basename "$D")" "$T_TMP/links3.csv" | awk -F, '{print $2","$5}' | sort) \
                     <(awk -F, '{print $2","$5}' "$T_TMP/links2.csv" | sort) | awk -F, '$2 == $3' | wc -l)"
check_eq "stats still answer" 0 "$("$BIN/hubctl" --home "$H" stats >/dev/null; echo $?)"
hub_stop; check_eq "SIGTERM stops hubd cleanly" 0 "$?"
check "stop is logged" grep -q '"msgid":"HUB-STOP"' "$H/hub.log"

# --- SIGKILL mid-load: every acknowledged row there exactly once ---
H2=$T_TMP/hub2
hub_init "$H2" 16110
check "a second hub starts for the crash test" hub_start "$H2"
"$BIN/gen-district" --out "$T_TMP/big" --people 30000 --seed 11 >/dev/null
BIG=$T_TMP/big/hukou_20261101.csv
big_rows=$(grep -c ",police," "$T_TMP/big/truth.csv")
"$BIN/adapter-police" --home "$H2" --batch 200 --window 4 --ack-timeout 1000 "$BIG" > "$T_TMP/kill.out" &
APID=$!
for _ in $(seq 1 200); do
    n=$(sql "$H2" "SELECT count(*) FROM source_records" 2>/dev/null || echo 0)
    [ "${n:-0}" -gt 2000 ] && break
    sleep 0.05
done
kill -9 "$HUB_PID"; wait "$HUB_PID" 2>/dev/null
mid=$(sql "$H2" "SELECT count(*) FROM source_records")
check "hub was killed mid-load ($mid of $big_rows stored)" test "$mid" -gt 0 -a "$mid" -lt "$big_rows"
sleep 0.5
check "the killed hub starts again" hub_start "$H2"
wait "$APID"; rc=$?
check_eq "adapter finishes after the hub comes back" 0 "$rc"
read -r _ _ _ _ acc _ dup _ rej _ < <(tr -d ',' < "$T_TMP/kill.out")
check_eq "every row acknowledged once: accepted + duplicates + rejected = rows" "$big_rows" "$((acc + dup + rej))"
check_eq "every row stored exactly once" "$big_rows" "$(sql "$H2" "SELECT count(*) FROM source_records")"
check_eq "no key stored twice" 0 "$(sql "$H2" "SELECT count(*) FROM (SELECT 1 FROM source_records GROUP BY source, source_key HAVING count(*) > 1)")"
"$BIN/hubctl" --home "$H2" export-links > "$T_TMP/links4.csv"
check_eq "export-links after the crash: one line per row" "$big_rows" "$(($(grep -c '' "$T_TMP/links4.csv") - 1))"
hub_stop
t_done
