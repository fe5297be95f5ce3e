# Labour register (jyzt_YYYYMMDD.jsonl) end to end against a real hubd on
# loopback: every variant of the format page goes in and is checked field by
# field as the hub stored it (value as received, normal form beside it);
# malformed lines are rejected with their reason while the rest go in; the
# change time honours gxsj's offset; the same file again stores nothing new.
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
hub_init "$H" 16300 "group_commit_max_ms = 5"
check "hubd starts on a fresh home" hub_start "$H"

# --- synthetic identity numbers (region 350802, ISO 7064 MOD 11-2) ---
# idno YYYYMMDD SEQ: the 18-character number with its check character
idno() {
    local s="350802$1$2" w=(7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) sum=0 i
    for i in $(seq 0 16); do sum=$((sum + ${s:i:1} * w[i])); done
    echo "$s${CHECKS:sum % 11:1}"
}
CHECKS=10X98765432
# full-width digits
fw() {
    local FW=(０ １ ２ ３ ４ ５ ６ ７ ８ ９) out="" i c
    for ((i = 0; i < ${#1}; i++)); do
        c=${1:i:1}
        case $c in [0-9]) out+=${FW[c]} ;; *) out+=$c ;; esac
    done
    printf '%s' "$out"
}
A=$(idno 19800101 123)                       # male (odd sequence)
B15=350802850315124                          # 15-digit, female (even)
B=$(idno 19850315 124)
seq_x=100 X18=""                             # a number whose check character is X
while [ "${X18:17:1}" != X ]; do seq_x=$((seq_x + 1)); X18=$(idno 19900101 "$seq_x"); done
Xlow=${X18%X}x
D=$(idno 19920517 135)
E=$(idno 19750708 246)
F=$(idno 19880909 357)
check "synthetic numbers are 18 characters" test ${#A} = 18 -a ${#B} = 18 -a ${#X18} = 18 -a ${#D} = 18

# --- the fixture: one line per variant, keys in different orders ---
J=$T_TMP/jyzt_20261120.jsonl
{
printf '%s\n' \
 '{"djbh":"LD3508022021004512","sfzh":"'"$A"'","xm":"林晓","xb":"1","csrq":"1980-01-01","mz":"汉族","whcd":"高中","jyzt":"失业","djrq":"2026-03-01","zjyrq":null,"sybh":"SY2026000123","lxdh":"13905971234","jzdz":"东城街道北龙社区龙津路1号","sqjwh":"北龙社区","pxjl":[{"kc":"电工","jsrq":"2025-06-30"},{"kc":"焊工","jsrq":"2026-01-15","xs":96}],"gxsj":"2026-11-20T09:14:03+08:00","bz":"新增字段","ext":{"a":[1,[2]],"b":null}}' \
 '{"gxsj":"2026-11-19T01:00:00Z","pxjl":[],"sqjwh":"北龙","jzdz":null,"lxdh":null,"sybh":null,"zjyrq":"2026-10-08","djrq":"2026-04-02","jyzt":"再就业","whcd":"大专","mz":null,"csrq":"1985-03-15","xb":"2","xm":"王芳","sfzh":"'"$B15"'","djbh":"LD3508022021004513"}' \
 '' \
 '{"xm":"陳曉華","djbh":"LD3508022021004514","sfzh":"'"$Xlow"'","xb":"1","sqjwh":"北龙社区居委会","lxdh":"+86 139-0597-5678","jyzt":"下岗","gxsj":"2026-11-20T10:00:00+08:00"}' \
 '{"sqjwh":"东城街道北龙社区","djbh":"'"$(fw LD3508022021004515)"'","xm":"刘洋","sfzh":"'"$(fw "$D")"'","lxdh":"'"$(fw 13905978888)"'","csrq":"'"$(fw 1992-05-17)"'","xb":"2","gxsj":"2026-11-20T10:00:00+08:00"}' \
 '{"djbh":"LD3508022021004516","xm":"赵磊","sfzh":"'"$E"'","xb":"1","sqjwh":"幸福里社区","jyzt":"退休","gxsj":"2026-11-20T10:00:00+08:00"}' \
 '{"djbh":"LD3508022021004517","xm":"钱多","sfzh":"'"$F"'",}' \
 '{"djbh":"LD3508022021004518","sfzh":"'"$F"'","xb":"1"}' \
 '{"djbh":"LD3508022021004519","xm":"孙琪","sfzh":"'"$F"'","xb":1}' \
 '{"djbh":"LD3508022021004520","xm":"周敏","sfzh":"'"$F"'","pxjl":"电工"}' \
 '["LD3508022021004521","吴昊"]' \
 '{"djbh":"LD3508022021004522","xm":"郑爽","sfzh":"'"$F"'","pxjl":[{"kc":"电工","jsrq":"2025-06-30"},{"kc":7,"jsrq":null}]}' \
 '{"djbh":null,"xm":"冯刚","sfzh":"'"$F"'"}' \
 '{"jyzt":"再就业","zjyrq":"2026-11-18","djbh":"LD 3508022021004512","sfzh":"'"$A"'","xm":"林晓","xb":"1","sqjwh":"北龙社区","gxsj":"2026-11-20T02:00:00Z"}'
} > "$J"

out=$("$BIN/adapter-labour" --home "$H" "$J"); rc=$?
check_eq "adapter exits 0" 0 "$rc"
check_eq "summary: 13 rows, 6 accepted, 7 rejected" \
    "adapter-labour: 13 rows read, 6 accepted, 0 duplicates, 7 rejected; rejects in $H/adapters/labour/rejects.csv" "$out"


# --- what the hub stored, field by field ---
# fline NAME RAW [NORM] [FLAG]: a field line exactly as `hubctl get` prints it
fline() {
    local s
    s=$(printf '      %-20s %s' "$1" "$2")
    [ -n "${3:-}" ] && s+="   [$3]"
    [ -n "${4:-}" ] && s+="   $4"
    printf '%s' "$s"
}
# block GET ROW: the fields of the source record that came from line ROW
block() { awk -v r="from jyzt_20261120.jsonl row $2," '/^  [a-z]+ record /{p=0} /^    from /{p=index($0, r) == 5} p' <<<"$1"; }
# field DESC BLOCK NAME RAW [NORM] [FLAG]: that exact line is in the block
field() { local d=$1 b=$2; shift 2; check "$d" grep -qxF -- "$(fline "$@")" <<<"$b"; }
# nofield DESC BLOCK NAME: no line for that field (null or absent)
nofield() { check "$1" bash -c '! grep -q "^      $2 " <<<"$1"' _ "$2" "$3"; }
get() { "$BIN/hubctl" --home "$H" get --idno "$1"; }
CODE=350802001002   # 北龙社区 in deploy/communities.csv

gA=$(get "$A"); r1=$(block "$gA" 1); r14=$(block "$gA" 14)
check_eq "line 1 and line 14 (same djbh, spaced) are one key, one resident, two versions" \
    "resident 1  identity number $A  (2 source records)" "$(head -1 <<<"$gA")"
field "djbh as received" "$r1" reg_no LD3508022021004512
field "sfzh 18 digits" "$r1" idno "$A"
field "xm" "$r1" name 林晓
field "xb \"1\" is M" "$r1" gender 1 M
field "csrq" "$r1" birth_date 1980-01-01
field "mz" "$r1" ethnicity 汉族
field "whcd" "$r1" education 高中
field "jyzt" "$r1" employment_status 失业
field "djrq" "$r1" status_date 2026-03-01
field "sybh" "$r1" unemployment_cert SY2026000123
field "lxdh" "$r1" phone 13905971234
field "jzdz" "$r1" address 东城街道北龙社区龙津路1号
field "sqjwh 北龙社区 maps to its code" "$r1" community 北龙社区 "$CODE"
field "gxsj kept as received" "$r1" updated_at 2026-11-20T09:14:03+08:00
nofield "zjyrq null is an absent field" "$r1" reemployed_date
check_eq "pxjl with 2 courses: two training entries in order (unknown key xs ignored)" \
    "$(printf '      training[0]\n%s\n%s\n      training[1]\n%s\n%s' "$(fline course 电工)" \
        "$(fline end_date 2025-06-30)" "$(fline course 焊工)" "$(fline end_date 2026-01-15)")" \
    "$(grep -A5 -xF '      training[0]' <<<"$r1")"
check_eq "unknown keys bz and ext add nothing: 20 lines for 14 fields and 2 courses of 2" 20 "$(grep -c '^      ' <<<"$r1")"
check "line 1 is the older version" grep -q '^  labour record LD3508022021004512  (older version)$' <<<"$gA"
field "a spaced djbh keeps its raw value, normal form is the key" "$r14" reg_no "LD 3508022021004512" LD3508022021004512
field "line 14: zjyrq" "$r14" reemployed_date 2026-11-18

gB=$(get "$B15"); r2=$(block "$gB" 2)
check_eq "15-digit sfzh finds its resident by the 18-digit form" \
    "resident 2  identity number $B  (1 source record)" "$(head -1 <<<"$gB")"
field "15-digit sfzh shows its 18-digit form" "$r2" idno "$B15" "$B"
field "xb \"2\" is F" "$r2" gender 2 F
field "sqjwh 北龙 maps to its code" "$r2" community 北龙 "$CODE"
field "gxsj with Z kept as received" "$r2" updated_at 2026-11-19T01:00:00Z
field "keys in another order: zjyrq" "$r2" reemployed_date 2026-10-08
for k in phone address unemployment_cert ethnicity; do nofield "null $k is absent" "$r2" "$k"; done
check "empty pxjl: no training entries" bash -c '! grep -q training <<<"$1"' _ "$r2"

gX=$(get "$X18"); r4=$(block "$gX" 4)
field "lower-case x shows its canonical X" "$r4" idno "$Xlow" "$X18"
field "a traditional-script name arrives as written" "$r4" name 陳曉華
field "sqjwh 北龙社区居委会 maps to its code" "$r4" community 北龙社区居委会 "$CODE"
field "+86 phone: digits" "$r4" phone "+86 139-0597-5678" 13905975678

gD=$(get "$D"); r5=$(block "$gD" 5)
field "full-width djbh: normal form is the ASCII key" "$r5" reg_no "$(fw LD3508022021004515)" LD3508022021004515
field "full-width sfzh" "$r5" idno "$(fw "$D")" "$D"
field "full-width csrq" "$r5" birth_date "$(fw 1992-05-17)" 1992-05-17
field "full-width lxdh" "$r5" phone "$(fw 13905978888)" 13905978888
field "sqjwh 东城街道北龙社区 maps to its code" "$r5" community 东城街道北龙社区 "$CODE"

gE=$(get "$E"); r6=$(block "$gE" 6)
field "an unknown community is kept, not mapped" "$r6" community 幸福里社区 "" "(not mapped)"

# --- change time: gxsj with its offset ---
chg() { sql "$H" "SELECT changed_at || ',' || current FROM source_records WHERE origin_row = $1"; }
check_eq "+08:00 honoured" "$(date -d 2026-11-20T09:14:03+08:00 +%s),0" "$(chg 1)"
check_eq "Z honoured" "$(date -d 2026-11-19T01:00:00Z +%s),1" "$(chg 2)"
check_eq "02:00Z is after 09:14:03+08:00: line 14 is current" "$(date -d 2026-11-20T02:00:00Z +%s),1" "$(chg 14)"
"$BIN/hubctl" --home "$H" export-links > "$T_TMP/links.csv"
check_eq "export-links: 5 labour keys, djbh as norm_key tidies it, latest origin" \
    "labour,LD3508022021004512,jyzt_20261120.jsonl,14 labour,LD3508022021004513,jyzt_20261120.jsonl,2 labour,LD3508022021004514,jyzt_20261120.jsonl,4 labour,LD3508022021004515,jyzt_20261120.jsonl,5 labour,LD3508022021004516,jyzt_20261120.jsonl,6" \
    "$(grep '^labour,' "$T_TMP/links.csv" | cut -d, -f1-4 | sort | tr '\n' ' ' | sed 's/ $//')"

# --- malformed lines: rejected with their reason, numbered by physical line ---
REJ=$H/adapters/labour/rejects.csv
rej() { check "$1" grep -qF -- "$2" "$REJ"; }
rej "invalid JSON: its column (in characters) and jansson's words, the line kept whole" \
    'jyzt_20261120.jsonl,7,,line 7 is not valid JSON at column 68: string or '"'}'"' expected near '"'}'"',"{""djbh"":""LD3508022021004517"",""xm"":""钱多"",""sfzh"":""'"$F"'"",}"'
rej "required key missing: named" 'jyzt_20261120.jsonl,8,xm,required key xm is missing,'
rej "a number where a string is expected" 'jyzt_20261120.jsonl,9,xb,"xb is a number, not a string",'
rej "pxjl not an array" 'jyzt_20261120.jsonl,10,pxjl,"pxjl is a string, not an array",'
rej "a line that is not an object" 'jyzt_20261120.jsonl,11,,"line 11 is a JSON array, not an object",'
rej "a training entry of the wrong type: its path" 'jyzt_20261120.jsonl,12,pxjl,"pxjl[1].kc is a number, not a string",'
rej "required key null: named" 'jyzt_20261120.jsonl,13,djbh,required key djbh is null,'
check_eq "seven rejects" 8 "$(grep -c '' "$REJ")"
check_eq "no rejected line reached the hub" 0 "$(sql "$H" "SELECT count(*) FROM source_records WHERE origin_row BETWEEN 7 AND 13")"
check_eq "stats: 5 residents" 5 "$(stat_of "$H" residents)"
check "hub log has no names or numbers" bash -c "! grep -qE '350802|林晓|LD35' '$H/hub.log'"

# --- BOM, CRLF and a line that is not UTF-8, through the adapter ---
G=$(idno 19660606 468)
# (and gxsj without an offset, China time; a gxsj that is not a time)
G=$(idno 19660606 468)
K=$(idno 19700707 579)
printf '\xef\xbb\xbf{"djbh":"LD3508022021004530","xm":"何平","sfzh":"%s","xb":"2","gxsj":"2026-11-21 08:30"}\r\n\r\n{"djbh":"LD3508022021004531","xm":"\xff\xfe"}\r\n{"djbh":"LD3508022021004532","xm":"蒋一","sfzh":"%s","gxsj":"昨天"}\r\n' "$G" "$K" \
    > "$T_TMP/jyzt_20261121.jsonl"
out=$("$BIN/adapter-labour" --home "$H" "$T_TMP/jyzt_20261121.jsonl")
check_eq "BOM and CRLF: 3 rows, 2 accepted, 1 rejected" \
    "adapter-labour: 3 rows read, 2 accepted, 0 duplicates, 1 rejected; rejects in $REJ" "$out"
check "the first line after the BOM is a record" grep -qxF "$(fline reg_no LD3508022021004530)" <<<"$(get "$G")"
check_eq "gxsj without an offset is China time" "$(date -d 2026-11-21T08:30:00+08:00 +%s)" \
    "$(sql "$H" "SELECT changed_at FROM source_records WHERE source_key = 'LD3508022021004530'")"
check "a gxsj that is not a time is kept, flagged invalid" grep -qxF "$(fline updated_at 昨天 "" "(invalid)")" <<<"$(get "$K")"
check_eq "... and the change time is unknown" 0 \
    "$(sql "$H" "SELECT changed_at FROM source_records WHERE source_key = 'LD3508022021004532'")"
rej "invalid UTF-8: the line, its byte, bytes escaped in the reject file" \
    'jyzt_20261121.jsonl,3,,line 3 is not valid UTF-8 at byte 36: FF,"{""djbh"":""LD3508022021004531"",""xm"":""\xFF\xFE""}"'

# --- the same file again stores nothing new; a missing file is an error ---
before=$(sql "$H" "SELECT count(*) FROM source_records")
check_eq "same file, same state: nothing to send" "adapter-labour: 0 rows read, 0 accepted, 0 duplicates, 0 rejected" \
    "$("$BIN/adapter-labour" --home "$H" "$J")"
check_eq "same file, fresh state: accepted rows are duplicates, bad lines rejected again" \
    "adapter-labour: 13 rows read, 0 accepted, 6 duplicates, 7 rejected; rejects in $T_TMP/state2/rejects.csv" \
    "$("$BIN/adapter-labour" --home "$H" --state "$T_TMP/state2" "$J")"
check_eq "nothing new stored" "$before" "$(sql "$H" "SELECT count(*) FROM source_records")"
msg=$("$BIN/adapter-labour" --home "$H" "$T_TMP/jyzt_20261199.jsonl" 2>&1 >/dev/null); rc=$?
check_eq "a missing file: exit 1" 1 "$rc"
check "a missing file: says why" grep -q "jyzt_20261199.jsonl: cannot .*No such file or directory; nothing of this file was sent" <<<"$msg"

hub_stop; check_eq "SIGTERM stops hubd cleanly" 0 "$?"
t_done
