# The change feed end to end: events with a gap-free sequence for what the
# departments change (a police death, a move, a new household, an
# entitlement started, suspended and ended, an employment status, a
# facility), `hubctl subscribe` from a position, a subscriber away while
# changes happen that gets each of them once and in order when it comes back
# (position file, and the hub's acknowledged position), a subscriber
# waiting while the hub is stopped and started (it reconnects), and each
# role's scope: a committee its community's residents (a move: both
# communities), a department every resident, and a sensitive field to its
# own department only.
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
hub_init "$H" 17700 "group_commit_max_ms = 5"
check "hubd starts" hub_start "$H"
CTL() { "$BIN/hubctl" --home "$H" "$@"; }
AS() { local n=$1; shift; "$BIN/hubctl" --home "$H" --principal "$n" --key "$T_TMP/$n.key" "$@"; }
export HUB_PURPOSE="feed test"
for p in "minzheng department:civilaffairs" "jisheng department:familyplanning" \
         "beilong committee:350802001002" "songtao committee:350802001003" "ops operator" \
         "dongcheng street:东城街道" "nancheng street:南城街道"; do
    set -- $p
    CTL principal add "$1" "$2" --key-out "$T_TMP/$1.key" >/dev/null
done

A=$(idno 35080219400101123)   # 北龙社区: police, then dies; civil affairs 高龄津贴
B=$(idno 35080219750505004)   # 松涛社区: moves to 北龙社区
W=$(idno 35080219900101002)   # 北龙社区: family planning (节育措施 changes)
enc() { iconv -f UTF-8 -t GB18030 | sed 's/$/\r/'; }
police_row() {   # ID NAME HOUSEHOLD COMMUNITY STATUS CHANGE DATE
    echo "$1,$2,,男,汉族,${1:6:8},$3,户主,东城街道$4龙津路1号,,$4,户籍人口,$5,$6,$7,13905971234"
}
HEAD='公民身份号码,姓名,曾用名,性别,民族,出生日期,户号,与户主关系,户籍地址,现住址,所属社区,人员类别,人员状态,变动类型,变动日期,联系电话'
{ echo "$HEAD"; police_row "$A" 林晓 900000001 北龙社区 正常 "" ""; police_row "$B" 陈松 900000003 松涛社区 正常 "" "";
  police_row "$W" 林丽 900000002 北龙社区 正常 "" ""; } | enc > "$T_TMP/hukou_20261101.csv"
T=$'\t'
wis() {   # CONTRACEPTION FILE
    { printf '\xEF\xBB\xBF'
      echo "记录编号${T}姓名${T}人员类型${T}身份证号${T}出生日期${T}性别${T}婚姻状况${T}关联记录编号${T}现居住地址${T}所属社区${T}联系电话${T}子女数${T}生育服务证号${T}节育措施${T}更新时间"
      echo "JS2019000123${T}林丽${T}育龄妇女${T}${W}${T}1990-01-01${T}2${T}初婚${T}${T}东城街道龙津路1号${T}北龙社区${T}13905971234${T}1${T}FS2019-0012${T}$1${T}2026-11-20 09:14:03"
    } > "$2"
}
wis 宫内节育器 "$T_TMP/wis_20261101.tsv"
roster() {   # STATUS FILE: 林晓's 高龄津贴 with that 状态
    { echo '序号,街道,社区,户主姓名,姓名,证件类型,证件号码,性别,年龄,住址,类别,保障人数,月发放金额,起始日期,状态,联系电话'
      echo "1,东城街道,北龙社区,林晓,林晓,居民身份证,$A,男,86,东城街道北龙社区龙津路1号,高龄津贴,1,200元,2020-01-01,$1,13905971234"
    } | iconv -f UTF-8 -t GBK | sed 's/$/\r/' > "$2"
}
roster 在保 "$T_TMP/mz_roster_202611.csv"
"$BIN/adapter-police" --home "$H" "$T_TMP/hukou_20261101.csv" >/dev/null
"$BIN/adapter-familyplanning" --home "$H" "$T_TMP/wis_20261101.tsv" >/dev/null
"$BIN/adapter-civilaffairs" --home "$H" "$T_TMP/mz_roster_202611.csv" >/dev/null

# ---- the first load: three residents made, one entitlement started ----
CTL subscribe --from 0 --for 2 > "$T_TMP/all1.txt"
cut -f2 "$T_TMP/all1.txt" | sort | uniq -c | awk '{ print $2 "=" $1 }' | paste -sd' ' > "$T_TMP/kinds1"
check_eq "first load: 3 residents created, 1 entitlement started" "entitlement.started=1 resident.created=3" \
    "$(cat "$T_TMP/kinds1")"
last=$(sql "$H" "SELECT max(seq) FROM change_events")
check_eq "the admin sees every event, seq 1..$last without a gap" "$(seq 1 "$last" | paste -sd,)" \
    "$(cut -f1 "$T_TMP/all1.txt" | paste -sd,)"

# ---- the civil-affairs subscriber takes the first events, then goes away ----
AS minzheng subscribe --from 0 --position "$T_TMP/mz.pos" --count 2 > "$T_TMP/mz1.txt"
check_eq "civil affairs: 2 events, then its position is the second" "2 $(sed -n 2p "$T_TMP/mz1.txt" | cut -f1)" \
    "$(wc -l < "$T_TMP/mz1.txt") $(cat "$T_TMP/mz.pos")"

# ---- while it is away: a death, a move to 北龙, a new household, an entitlement ended, a sensitive change ----
{ echo "$HEAD"; police_row "$A" 林晓 900000001 北龙社区 死亡 死亡 20261105;
  police_row "$B" 陈松 900000009 北龙社区 正常 迁入 20261105; } | enc > "$T_TMP/hukou_20261106_delta.csv"
"$BIN/adapter-police" --home "$H" "$T_TMP/hukou_20261106_delta.csv" >/dev/null
roster 停保 "$T_TMP/mz_roster_202612.csv"
"$BIN/adapter-civilaffairs" --home "$H" "$T_TMP/mz_roster_202612.csv" >/dev/null
wis 无 "$T_TMP/wis_20261201.tsv"
"$BIN/adapter-familyplanning" --home "$H" "$T_TMP/wis_20261201.tsv" >/dev/null

CTL subscribe --from "$last" --for 2 > "$T_TMP/all2.txt"
ra=$(CTL get --idno "$A" --json | sed -n 's/.*"resident_id": *\([0-9]*\).*/\1/p' | head -1)
check "the police death: life.changed 正常 -> 死亡 for 林晓's resident" \
    grep -q "^[0-9]*	life.changed	$ra	350802001002	police	$A	status	正常	死亡$" "$T_TMP/all2.txt"
check "the move: community.moved 松涛 -> 北龙, and household.changed" bash -c \
    'grep -q "	community.moved	.*	community	350802001003	350802001002$" "$0" &&
     grep -q "	household.changed	.*	household_no	900000003	900000009$" "$0"' "$T_TMP/all2.txt"
check "the allowance ended: entitlement.ended 在保 -> 停保" grep -q "	entitlement.ended	$ra	.*	status	在保	停保$" "$T_TMP/all2.txt"
check "the admin does not see the sensitive change" bash -c '! grep -q contraception "$0"' "$T_TMP/all2.txt"

# ---- civil affairs comes back: every event after its position, once, in order ----
AS minzheng subscribe --position "$T_TMP/mz.pos" --for 2 > "$T_TMP/mz2.txt"
cat "$T_TMP/mz1.txt" "$T_TMP/mz2.txt" | cut -f1 > "$T_TMP/mz.seqs"
check_eq "civil affairs, away and back: each event once, in order (the admin's less the sensitive)" \
    "$(cat "$T_TMP/all1.txt" "$T_TMP/all2.txt" | cut -f1 | paste -sd,)" "$(paste -sd, "$T_TMP/mz.seqs")"
check "civil affairs got the death" grep -q "	life.changed	$ra	.*	死亡$" "$T_TMP/mz2.txt"
check "civil affairs does not see family planning's sensitive field" bash -c '! grep -q contraception "$0"' "$T_TMP/mz2.txt"
AS jisheng subscribe --from "$last" --for 2 > "$T_TMP/js.txt"
check "family planning sees its own sensitive field change" grep -q "	field.changed	.*	contraception	宫内节育器	无$" "$T_TMP/js.txt"

# ---- scope: committees see their own community's residents; a move is seen by both ----
AS beilong subscribe --from 0 --for 2 > "$T_TMP/bl.txt"
AS songtao subscribe --from 0 --for 2 > "$T_TMP/st.txt"
check_eq "北龙's committee: only events in 北龙 (the move into it too)" "" \
    "$(cut -f4 "$T_TMP/bl.txt" | grep -v '^350802001002$')"
check "北龙's committee sees the move and the death" bash -c \
    'grep -q "	community.moved	" "$0" && grep -q "	life.changed	" "$0"' "$T_TMP/bl.txt"
check_eq "松涛's committee: its resident created, and the move out of it" "resident.created community.moved" \
    "$(cut -f2 "$T_TMP/st.txt" | paste -sd' ')"
check "committee: the police key (the identity number) masked" bash -c '! grep -q "$1" "$0"' "$T_TMP/bl.txt" "$A"
AS dongcheng subscribe --from 0 --for 2 > "$T_TMP/dc.txt"
AS nancheng subscribe --from 0 --for 2 > "$T_TMP/nc.txt"
check_eq "东城街道's street office: every event of its communities (北龙, 松涛: all of them here)" \
    "$(cat "$T_TMP/all1.txt" "$T_TMP/all2.txt" | cut -f1-3 | paste -sd,)" "$(cut -f1-3 "$T_TMP/dc.txt" | head -n "$(cat "$T_TMP/all1.txt" "$T_TMP/all2.txt" | wc -l)" | paste -sd,)"
check_eq "南城街道's street office: none (no resident of its communities)" 0 "$(wc -l < "$T_TMP/nc.txt")"
out=$(AS ops subscribe --from 0 --for 1 2>&1); rc=$?
check "an operator may not read the feed (it tells of residents)" bash -c '[ "$0" = 1 ] && grep -q "operators" <<<"$1"' \
    "$rc" "$out"

# ---- the hub keeps the acknowledged position: no --from, no file ----
AS minzheng subscribe --from 0 --for 2 > /dev/null   # reads all: asks after the last, which acknowledges it
last2=$(sql "$H" "SELECT max(seq) FROM change_events")
check_eq "the hub keeps civil affairs' position" "$last2" \
    "$(sql "$H" "SELECT acked_seq FROM subscriptions WHERE principal = 'minzheng'")"
wis 皮下埋植 "$T_TMP/wis_20261202.tsv"
"$BIN/adapter-familyplanning" --home "$H" "$T_TMP/wis_20261202.tsv" >/dev/null
{ echo "$HEAD"; police_row "$B" 陈松 900000009 北龙社区 迁出 迁出 20261203; } | enc > "$T_TMP/hukou_20261203_delta.csv"
"$BIN/adapter-police" --home "$H" "$T_TMP/hukou_20261203_delta.csv" >/dev/null
AS minzheng subscribe --for 2 > "$T_TMP/mz3.txt"
check_eq "from the hub's position: only what came since (the move out; not the sensitive change)" \
    "life.changed" "$(cut -f2 "$T_TMP/mz3.txt" | paste -sd' ')"

# ---- waiting while the hub stops and starts: it reconnects and goes on ----
AS minzheng subscribe --position "$T_TMP/mz.pos" --for 15 > "$T_TMP/mz4.txt" 2> "$T_TMP/mz4.err" & SUB=$!
sleep 1
hub_stop
sleep 7    # longer than the feed's wait and answer time: the request is lost
check "hubd starts again" hub_start "$H"
{ echo "$HEAD"; police_row "$W" 林丽 900000002 北龙社区 迁出 迁出 20261204; } | enc > "$T_TMP/hukou_20261204_delta.csv"
"$BIN/adapter-police" --home "$H" "$T_TMP/hukou_20261204_delta.csv" >/dev/null
wait $SUB
check "the waiting subscriber reconnected (said so)" grep -q "[1-9][0-9]* reconnections" "$T_TMP/mz4.err"
check "... and got the event committed after the restart" grep -q "	life.changed	.*	正常	迁出$" "$T_TMP/mz4.txt"
cat "$T_TMP/mz.seqs" > "$T_TMP/mz.all"
cut -f1 "$T_TMP/mz4.txt" >> "$T_TMP/mz.all"
check_eq "over every session of the position file: no event twice, all in order" \
    "$(sort -n "$T_TMP/mz.all" | uniq | paste -sd,)" "$(paste -sd, "$T_TMP/mz.all")"
check "a purpose is audited for each feed request" test "$(audit_sql "$H" \
    "SELECT count(*) FROM audit_log WHERE kind = 'events' AND principal = 'minzheng'")" -gt 3
hub_stop
t_done
