# Operators' work on resolution against a real hubd: review items between the
# thresholds, listed and shown side by side; link, split and dismiss; the
# history of merges and splits and its undo (which then sticks); rematch
# after a weight change in hub.conf; an alias id answering as its resident.
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
hub_init "$H" 16800
hub_start "$H" >/dev/null || fail "hubd starts"
C() { "$BIN/hubctl" --home "$H" "$@"; }
resident_of() { C export-links | awk -F, -v s="$1" -v k="$2" '$1 == s && $2 == k { print $5 }'; }

# three pairs: same name and birth date, one with a number (police), one
# without (labour), in other communities: not enough to link, enough to ask
HDR='公民身份号码,姓名,曾用名,性别,民族,出生日期,户号,与户主关系,户籍地址,现住址,所属社区,人员类别,人员状态,变动类型,变动日期,联系电话'
{
    echo "$HDR"
    echo "$(idno 35080219800505001),王伟,,男,汉族,19800505,900000101,户主,龙津路1号,,北龙社区,户籍人口,正常,,,"
    echo "$(idno 35080219810606002),李娜,,女,汉族,19810606,900000102,户主,龙津路2号,,北龙社区,户籍人口,正常,,,"
    echo "$(idno 35080219820707003),张敏,,男,汉族,19820707,900000103,户主,龙津路3号,,北龙社区,户籍人口,正常,,,"
    echo "$(idno 35080219830808005),赵强,,女,汉族,19830809,900000104,户主,龙津路4号,,北龙社区,户籍人口,正常,,,"
} | iconv -f UTF-8 -t GB18030 | sed 's/$/\r/' > "$T_TMP/hukou_20261101.csv"
{
    echo '{"djbh":"LD1","sfzh":null,"xm":"王伟","xb":"1","csrq":"1980-05-05","sqjwh":"松涛社区","jzdz":"松涛路9号","gxsj":"2026-11-20T09:00:00+08:00"}'
    echo '{"djbh":"LD2","sfzh":null,"xm":"李娜","xb":"2","csrq":"1981-06-06","sqjwh":"松涛社区","jzdz":"松涛路8号","gxsj":"2026-11-20T09:00:00+08:00"}'
    echo '{"djbh":"LD3","sfzh":null,"xm":"张敏","xb":"1","csrq":"1982-07-07","sqjwh":"松涛社区","jzdz":"松涛路7号","gxsj":"2026-11-20T09:00:00+08:00"}'
} > "$T_TMP/jyzt_20261101.jsonl"
"$BIN/adapter-police" --home "$H" "$T_TMP/hukou_20261101.csv" >/dev/null
"$BIN/adapter-labour" --home "$H" "$T_TMP/jyzt_20261101.jsonl" >/dev/null

q=$(sql "$H" "SELECT group_concat(flag, ' ') FROM (SELECT flag FROM quality_flags q JOIN source_records s ON s.id = q.record_id
            WHERE s.source_key = '$(idno 35080219830808005)' ORDER BY flag)")
check_eq "what the number says against the record's own birth date and gender: data-quality flags" \
    "idno-birth-date idno-gender" "$q"
check_eq "the other records carry no flag" 1 "$(sql "$H" "SELECT count(DISTINCT record_id) FROM quality_flags")"
list=$(C review list)
check_eq "three review items, one per pair" 3 "$(grep -c '^#' <<<"$list")"
check "a review item names both records and the evidence" grep -q 'police record .* ~ labour record .*' <<<"$list"
check "the evidence says where they agree and differ" grep -q 'name=exact birth=exact gender=exact community=different' <<<"$list"
id_for() { grep -B1 '' <<<"$list" | awk -v r="$1" '/^#/ && $0 ~ "record " r " " { sub(/^#/, "", $1); print $1 }'; }
p1=$(sql "$H" "SELECT id FROM source_records WHERE source = 1 AND source_key = '$(idno 35080219800505001)'")
p3=$(sql "$H" "SELECT id FROM source_records WHERE source = 1 AND source_key = '$(idno 35080219820707003)'")
l1=$(sql "$H" "SELECT id FROM source_records WHERE source = 3 AND source_key = 'LD1'")
l2=$(sql "$H" "SELECT id FROM source_records WHERE source = 3 AND source_key = 'LD2'")
r1=$(sql "$H" "SELECT id FROM review_items WHERE $p1 IN (a, b)")
r2=$(sql "$H" "SELECT id FROM review_items WHERE $l2 IN (a, b)")
r3=$(sql "$H" "SELECT id FROM review_items WHERE $p3 IN (a, b)")
show=$(C review show "$r1")
check "show: side by side" grep -q "^  name  *王伟  *王伟$" <<<"$show"
check "show: what differs is marked" grep -q "^  community .*350802001002 .*350802001003   <- differ$" <<<"$show"

# link: one resident, recorded as a merge by the administrator
before=$(resident_of labour LD1)
out=$(C review link "$r1")
check "link: the two records are one resident" grep -q "now in resident $(resident_of police "$(idno 35080219800505001)")$" <<<"$out"
check_eq "link: one resident" "$(resident_of police "$(idno 35080219800505001)")" "$(resident_of labour LD1)"
ev=$(C events)
check "link: a merge event by admin with the evidence" grep -q "merge of resident .* by admin, score 1000.0" <<<"$ev"
get=$(C get --resident "$before")
check "the merged id answers as its resident" grep -q "($before was merged into this resident and answers as it)" <<<"$get"
check_eq "the golden record shows both communities" \
    "1" "$(golden_field "$get" community | grep -c 'also:')"

# undo: apart again, and automatic matching does not merge them back
event=$(sql "$H" "SELECT max(id) FROM resolution_events WHERE kind = 'merge'")
out=$(C undo "$event")
check "undo says what happened" grep -q "event $event undone by admin: 1 record back in resident $before; they will not be merged again automatically" <<<"$out"
check "undo: two residents again" test "$(resident_of police "$(idno 35080219800505001)")" != "$(resident_of labour LD1)"
check_eq "undo is recorded" 1 "$(sql "$H" "SELECT count(*) FROM resolution_events WHERE kind = 'undo'")"
C undo "$event" >/dev/null; check_eq "an undone event cannot be undone twice" 1 "$?"
HUB_PURPOSE=test "$BIN/hubctl" --home "$H" subscribe --from 0 --for 1 > "$T_TMP/feed.txt"
check_eq "the change feed: each merge, split and undo as resident.merged / .split / .undone" \
    "$(sql "$H" "SELECT count(*) FROM resolution_events")" "$(grep -c "	resident\.\(merged\|split\|undone\)	" "$T_TMP/feed.txt")"
check_eq "the undo is one resident.undone event" 1 "$(grep -c "	resident.undone	" "$T_TMP/feed.txt")"
hist=$(C history --resident "$(resident_of police "$(idno 35080219800505001)")")
check "history: the record, when, from which department and file" \
    grep -qE "^[0-9T:-]+Z +record +police +$(idno 35080219800505001) +hukou_20261101.csv +1 *$" <<<"$hist"
check "history: the merge, by whom, marked undone" grep -qE "^[0-9T:-]+Z +merge +with resident [0-9]+ by admin \(score 1000.0\), undone$" <<<"$hist"

# split: the second pair is declared different people
out=$(C review split "$r2")
check_eq "split: recorded, and they may never link" 1 "$(sql "$H" "SELECT count(*) FROM cannot_link WHERE $l2 IN (a, b)")"
check_eq "split: review item closed" split "$(sql "$H" "SELECT status FROM review_items WHERE id = $r2")"
# dismiss: the third
C review dismiss "$r3" >/dev/null
check "dismissed items leave the list" bash -c "! '$BIN/hubctl' --home '$H' review list | grep -q '^#$r3 '"
C review link 999 >/dev/null 2>&1; check_eq "an unknown review item: status 1" 1 "$?"

# rematch after a weight change: the threshold lowered so such pairs link;
# the person's decisions (undo, split) still hold; the dismissed pair links
hub_stop
echo "match_upper = 14" >> "$H/hub.conf"
hub_start "$H" >/dev/null
out=$(C rematch)
check "rematch reports what moved" grep -qE '^rematched 7 records: 1 moved to another resident, 1 merges, 0 splits$' <<<"$out"
check_eq "rematch: the dismissed pair now links" "$(resident_of police "$(idno 35080219820707003)")" "$(resident_of labour LD3)"
check "rematch: the undone merge stays undone" test "$(resident_of police "$(idno 35080219800505001)")" != "$(resident_of labour LD1)"
check "rematch: the split pair stays apart" test "$(resident_of police "$(idno 35080219810606002)")" != "$(resident_of labour LD2)"
check "rematch is logged" grep -q '"msgid":"HUB-REMATCH","records":7,"moved":1' "$H/hub.log"

# estimate: weights from the loaded data, as lines hub.conf takes
est=$(C estimate)
check "estimate: m, u and weight per level" grep -qE '^#   exact +[0-9.]+ +[0-9.]+ +-?[0-9.]+$' <<<"$est"
check "estimate: lines for hub.conf" grep -qE '^weight\.name\.exact = -?[0-9.]+$' <<<"$est"
# the log has each step of the operators' work
check "log: HUB-REVIEW-OPEN for the pairs sent to review" grep -q '"msgid":"HUB-REVIEW-OPEN","record":[0-9]*,"other":[0-9]*' "$H/hub.log"
check "log: HUB-REVIEW-DECIDED for the link and the split" \
    bash -c 'grep -q "\"HUB-REVIEW-DECIDED\".*\"link\"" "$0" && grep -q "\"HUB-REVIEW-DECIDED\".*\"split\"" "$0"' "$H/hub.log"
check "log: HUB-MERGE by admin for the linked pair" grep -q '"msgid":"HUB-MERGE","resident":[0-9]*,"other":[0-9]*,"score":[0-9.]*,.*"by":"admin"' "$H/hub.log"
check "log: HUB-UNDO" grep -q '"msgid":"HUB-UNDO"' "$H/hub.log"
check "log: HUB-ESTIMATE" grep -q '"msgid":"HUB-ESTIMATE"' "$H/hub.log"

# a split: a labour record joins 赵强 by his number, then its next version carries another person's
Z=$(idno 35080219830808005)
echo '{"djbh":"LD9","sfzh":"'"$Z"'","xm":"赵强","xb":"2","csrq":"1983-08-09","sqjwh":"北龙社区","jzdz":"龙津路4号","gxsj":"2026-11-21T09:00:00+08:00"}' \
    > "$T_TMP/jyzt_20261102.jsonl"
"$BIN/adapter-labour" --home "$H" "$T_TMP/jyzt_20261102.jsonl" >/dev/null
check_eq "LD9 is 赵强's by his number" "$(resident_of police "$Z")" "$(resident_of labour LD9)"
echo '{"djbh":"LD9","sfzh":"'"$(idno 35080219991212009)"'","xm":"钱多","xb":"1","csrq":"1999-12-12","sqjwh":"松涛社区","jzdz":"松涛路1号","gxsj":"2026-11-22T09:00:00+08:00"}' \
    > "$T_TMP/jyzt_20261103.jsonl"
"$BIN/adapter-labour" --home "$H" "$T_TMP/jyzt_20261103.jsonl" >/dev/null
check "its next version is someone else: split off" test "$(resident_of police "$Z")" != "$(resident_of labour LD9)"
check "the split is recorded" test "$(sql "$H" "SELECT count(*) FROM resolution_events WHERE kind = 'split'")" -ge 1
check "log: HUB-SPLIT" grep -q '"msgid":"HUB-SPLIT"' "$H/hub.log"

# an item that a decision on another answers is settled: 孙立 is in the
# police register and twice in labour as 孙力 (no number, another address,
# one phone: the two labour records link each other); each labour record is
# a review item with the police record; linking one puts all three in one
# resident, and the other item is answered with it
S=$(idno 35080219770707017)
printf '%s\r\n' '公民身份号码,姓名,曾用名,性别,民族,出生日期,户号,与户主关系,户籍地址,现住址,所属社区,人员类别,人员状态,变动类型,变动日期,联系电话' \
    "$S,孙立,,男,汉族,19770707,900300001,户主,南城街道松涛社区松涛路9号,,松涛社区,户籍人口,正常,,," \
    | iconv -f UTF-8 -t GB18030 > "$T_TMP/hukou_20261104.csv"
"$BIN/adapter-police" --home "$H" "$T_TMP/hukou_20261104.csv" >/dev/null
{
    echo '{"djbh":"LD21","xm":"孙力","xb":"1","csrq":"1977-07-07","sqjwh":"松涛社区","jzdz":"松涛路19号","lxdh":"13905977777","gxsj":"2026-11-21T09:00:00+08:00"}'
    echo '{"djbh":"LD22","xm":"孙力","xb":"1","csrq":"1977-07-07","sqjwh":"松涛社区","jzdz":"松涛路19号","lxdh":"13905977777","gxsj":"2026-11-21T09:00:00+08:00"}'
} > "$T_TMP/jyzt_20261104.jsonl"
"$BIN/adapter-labour" --home "$H" "$T_TMP/jyzt_20261104.jsonl" >/dev/null
check_eq "the two labour records of 孙力 are one resident" "$(resident_of labour LD21)" "$(resident_of labour LD22)"
check "…not yet the police record's" test "$(resident_of police "$S")" != "$(resident_of labour LD21)"
PS=$(sql "$H" "SELECT id FROM source_records WHERE source = 1 AND source_key = '$S'")
items=$(sql "$H" "SELECT id FROM review_items WHERE status = 'open' AND (a = $PS OR b = $PS) ORDER BY id")
check_eq "two open items: the police record with each labour record" 2 "$(grep -c . <<<"$items")"
first=$(head -1 <<<"$items")
second=$(tail -1 <<<"$items")
out=$(C review link "$first")
check "linking one says the other is settled" grep -q "1 other review item now in one resident: settled" <<<"$out"
check_eq "all three are one resident" "$(resident_of police "$S")" "$(resident_of labour LD22)"
check_eq "the other item is settled, by auto" "settled|auto" \
    "$(sql "$H" "SELECT status || '|' || decided_by FROM review_items WHERE id = ${second:-0}")"
check "settled items leave the list" bash -c "! '$BIN/hubctl' --home '$H' review list | grep -q '^#$second '"

# …and an item that later evidence answers is settled when the load pauses:
# 周平 in police and, as 周萍 without a number, in labour (a review item);
# then a labour record with his number and 周萍's phone joins both
Z2=$(idno 35080219690909019)
printf '%s\r\n' '公民身份号码,姓名,曾用名,性别,民族,出生日期,户号,与户主关系,户籍地址,现住址,所属社区,人员类别,人员状态,变动类型,变动日期,联系电话' \
    "$Z2,周平,,男,汉族,19690909,900300002,户主,南城街道松涛社区松涛路29号,,松涛社区,户籍人口,正常,,," \
    | iconv -f UTF-8 -t GB18030 > "$T_TMP/hukou_20261105.csv"
"$BIN/adapter-police" --home "$H" "$T_TMP/hukou_20261105.csv" >/dev/null
echo '{"djbh":"LD31","xm":"周萍","xb":"1","csrq":"1969-09-09","sqjwh":"松涛社区","jzdz":"松涛路39号","lxdh":"13905978888","gxsj":"2026-11-21T09:00:00+08:00"}' \
    > "$T_TMP/jyzt_20261105.jsonl"
"$BIN/adapter-labour" --home "$H" "$T_TMP/jyzt_20261105.jsonl" >/dev/null
PZ=$(sql "$H" "SELECT id FROM source_records WHERE source = 1 AND source_key = '$Z2'")
item=$(sql "$H" "SELECT id FROM review_items WHERE status = 'open' AND (a = $PZ OR b = $PZ)")
check "周萍 is a review item with 周平's police record" test -n "$item"
echo '{"djbh":"LD32","sfzh":"'"$Z2"'","xm":"周萍","xb":"1","csrq":"1969-09-09","sqjwh":"松涛社区","jzdz":"松涛路39号","lxdh":"13905978888","gxsj":"2026-11-21T09:00:00+08:00"}' \
    > "$T_TMP/jyzt_20261106.jsonl"
"$BIN/adapter-labour" --home "$H" "$T_TMP/jyzt_20261106.jsonl" >/dev/null
check_eq "the new record puts 周萍's first record with 周平" "$(resident_of police "$Z2")" "$(resident_of labour LD31)"
for _ in $(seq 1 50); do
    [ "$(sql "$H" "SELECT status FROM review_items WHERE id = ${item:-0}")" = settled ] && break
    sleep 0.2
done
check_eq "once the load pauses, the item is settled by auto" "settled|auto" \
    "$(sql "$H" "SELECT status || '|' || decided_by FROM review_items WHERE id = ${item:-0}")"
check "log: HUB-REVIEW-SETTLED" grep -q '"msgid":"HUB-REVIEW-SETTLED"' "$H/hub.log"

# the counts kept by triggers (store_stats) against counting, after merges,
# splits, undo and decided reviews
check_eq "counts: current records by department, as counted" \
    "$(sql "$H" "SELECT group_concat(n) FROM (SELECT source, count(*) n FROM source_records WHERE current = 1 GROUP BY source ORDER BY source)")" \
    "$(sql "$H" "SELECT group_concat(n) FROM (SELECT n FROM counts WHERE name LIKE 'records:%' AND n > 0 ORDER BY name)")"
check_eq "counts: residents, as counted" \
    "$(sql "$H" "SELECT count(*) FROM residents r WHERE merged_into IS NULL AND EXISTS (SELECT 1 FROM source_records s WHERE s.resident_id = r.id AND s.current = 1)")" \
    "$(sql "$H" "SELECT n FROM counts WHERE name = 'residents'")"
check_eq "the rosters' area rows agree with the records after merges, splits and undo" 0 "$(area_drift "$H")"
check_eq "counts: merges, splits, open reviews, as counted" \
    "$(sql "$H" "SELECT (SELECT count(*) FROM resolution_events WHERE kind = 'merge') || ',' || (SELECT count(*) FROM resolution_events WHERE kind = 'split') || ',' || (SELECT count(*) FROM review_items WHERE status = 'open')")" \
    "$(sql "$H" "SELECT (SELECT n FROM counts WHERE name = 'merges') || ',' || (SELECT n FROM counts WHERE name = 'splits') || ',' || (SELECT n FROM counts WHERE name = 'reviews_open')")"

hub_stop
grep -v '^#' <<<"$est" >> "$H/hub.conf"
check "hubd starts with the estimated weights" hub_start "$H"
hub_stop
t_done
