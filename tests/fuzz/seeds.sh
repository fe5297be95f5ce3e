#!/usr/bin/env bash
# Writes the seed corpus of tests/fuzz/ (tests/fuzz/corpus/TARGET/seed-*):
# a few realistic inputs per target, cut from a small generated district
# (bin/gen-district: synthetic people, valid synthetic identity numbers)
# and frames encoded with protoc-c from the text below. Each target reads
# its first byte as a choice (see the target's file header), so every seed
# starts with one.
#   tests/fuzz/seeds.sh [BIN]      (BIN defaults to bin; needs BIN/gen-district)
# Seeds that reproduce fixed findings (tests/fuzz/corpus/TARGET/regress-*)
# are kept by hand and not touched here.
set -eu
cd "$(dirname "$0")/../.."
BIN=${1:-bin}
C=tests/fuzz/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$BIN"/gen-district --out "$work/d" --people 30 --seed 7 --police-delta 5 >/dev/null
d=$work/d
mkdir -p $C/csv $C/jsonl $C/adapters $C/ingest $C/normalize $C/values
rm -f $C/*/seed-*

# seed FILE BYTE: write the byte (octal escape for printf) then stdin
seed() { { printf "$2"; cat; } > "$1"; }
rows() { head -n "$2" "$1"; }        # the header and some rows of an export

# ---- file readers: byte 0 = form | buffer << 2 | limit << 5 (csv), buffer | limit << 3 (jsonl)
rows "$d"/hukou_20261101.csv 8 | seed $C/csv/seed-police '\000'
rows "$d"/hukou_20261101.csv 4 | seed $C/csv/seed-police-tiny-buffer '\014'
rows "$d"/wis_20261101.tsv 6 | seed $C/csv/seed-familyplanning '\001'
rows "$d"/mz_roster_202611.csv 5 | seed $C/csv/seed-roster '\002'
rows "$d"/facilities.csv 6 | seed $C/csv/seed-facilities '\003'
rows "$d"/facilities.csv 3 | seed $C/csv/seed-facilities-limit '\247'
printf 'a,b\r\n"x,""y""\r\nz",2\r\n"never closed,3\r\n1,2,3\r\n' | seed $C/csv/seed-quoting '\003'
rows "$d"/jyzt_20261101.jsonl 5 | seed $C/jsonl/seed-labour '\000'
rows "$d"/jyzt_20261101.jsonl 2 | seed $C/jsonl/seed-labour-tiny-buffer '\002'
printf '\357\273\277{"a":1}\r\n\n  \n{"a":1,"a":2}\n[1]\n{"x":"\\u0000"}\n{\n' | seed $C/jsonl/seed-bad-lines '\000'

# ---- adapters --check: byte 0 = the file (see adapters.c)
rows "$d"/hukou_20261101.csv 8 | seed $C/adapters/seed-police '\000'
cat "$d"/hukou_20261102_delta.csv | seed $C/adapters/seed-police-delta '\001'
rows "$d"/wis_20261101.tsv 8 | seed $C/adapters/seed-familyplanning '\002'
rows "$d"/jyzt_20261101.jsonl 5 | seed $C/adapters/seed-labour '\003'
rows "$d"/mz_roster_202611.csv 7 | seed $C/adapters/seed-roster '\004'
rows "$d"/facilities.csv 8 | seed $C/adapters/seed-facilities '\005'

# ---- normalize: byte 0 = the function, byte 1 = the output capacity (see normalize.c)
n() { printf '%s' "$3" | seed "$C/normalize/seed-$1" "$2"; }
n idno '\000\040' '35080219650603072X'
n idno15 '\000\040' '350802650603072'
n idno-fullwidth '\000\040' '３５０８０２ １９６５０６０３ ０７２ｘ'
n text '\001\100' '　东肖街道  炉桥社区　炉桥４组３９号 '
n text-cut '\001\007' '东肖街道炉桥社区'
n phone '\002\040' '+86 138-7297-4928'
n phone-landline '\002\014' '0597-2231234'
n date '\003\000' '1965年6月3日'
n date-time '\003\000' '2026-11-20T09:14:03+08:00'
n gender '\004\000' ' 女 '
n key '\005\040' 'ＪＳ 2009000003'
n name '\006\100' '張 偉'
n name-dot '\006\100' '阿依 . 买买提'
n pinyin '\007\100' '吕曾单'
n pinyin-cut '\007\011' '邓涵秀'
printf '张伟\000张玮' | seed $C/normalize/seed-pinyin-match '\014\000'
n width '\010\000' '邓涵秀 Ali'
n address '\011\200' '福建省龙岩市新罗区东城街道北龙社区西安路246號13栋303室'
n community '\012\000' '东城街道北龙社区居委会'
n all '\013\000' '350802199402171986'
rows deploy/communities.csv 6 | seed $C/normalize/seed-communities-file '\015\000'

# ---- values: byte 0 = the parser, byte 1 = a parameter (see values.c)
v() { printf '%s' "$3" | seed "$C/values/seed-$1" "$2"; }
v amount '\000\000' '1,234.50元'
v amount-yuan '\000\000' '￥570元/月'
v area '\001\000' '240.5㎡'
v count '\002\031' '3人'
v community-code '\003\000' '350802001002'
v fields '\004\000' '19650603'
v field-community '\005\000' '北龙社区、松涛、东城街道社兴社区'
v time '\006\000' '2024-09-26T14:06:59+08:00'
v time-space '\006\000' '2009-03-06 10:45:18'
v day '\007\000' '2026-11-02'
v all '\010\000' '67岁'
iconv -f UTF-8 -t GB18030 <<<'邓涵秀,东肖街道' | seed $C/values/seed-gb18030 '\011\001'
printf '\xff\xfe\xa1' | seed $C/values/seed-bad-bytes '\011\002'
printf '350821199608110854\000黄义伟\000\000北龙社区\000西安路246号\000社区志愿者' \
    | seed $C/values/seed-civil-key '\012\000'

# ---- ingest: byte 0 = the principal (0 police, 1 familyplanning, 2 labour, 3 civilaffairs)
frame() {   # frame NAME BYTE: the hub.Message in text form on stdin
    protoc-c --encode=hub.Message proto/hub.proto | seed "$C/ingest/seed-$1" "$2"
}
envelope() { echo "env { sender: \"$1\" seq: $2 schema_version: 1 sent_at_ms: 1795910400000 }"; }
{ envelope police 1; cat <<'EOF'
batch { records { source: POLICE source_key: "35080219650603072X" origin { file: "hukou_20261101.csv" row: 1 }
  police { idno { raw: "35080219650603072X" } name { raw: "邓涵秀" } gender { raw: "女" norm: "F" }
    ethnicity { raw: "汉族" } birth_date { raw: "19650603" norm: "1965-06-03" } household_no { raw: "823030141" }
    relation { raw: "户主" } registered_address { raw: "东肖街道炉桥社区炉桥4组39号" }
    community { raw: "炉桥社区" norm: "350802006005" } category { raw: "户籍人口" } status { raw: "正常" }
    phone { raw: "13872974928" } } }
  records { source: POLICE source_key: "35080219931009395X" changed_at: 1793548800
    origin { file: "hukou_20261102_delta.csv" row: 2 }
    police { idno { raw: "35080219931009395X" } name { raw: "张文强" } gender { raw: "男" norm: "M" }
      birth_date { raw: "19931009" norm: "1993-10-09" } household_no { raw: "157113592" }
      community { raw: "和平社区" flags: 2 } status { raw: "迁出" } change_type { raw: "迁出" }
      change_date { raw: "20261102" norm: "2026-11-02" } phone { raw: "137 4080 6657" norm: "13740806657" }
      delta: true } } }
EOF
} | frame police '\000'
{ envelope familyplanning 7; cat <<'EOF'
batch { records { source: FAMILY_PLANNING source_key: "JS2009000003" origin { file: "wis_20261101.tsv" row: 1 }
  family_planning { record_no { raw: "JS2009000003" } person_type { raw: "育龄妇女" } name { raw: "廖兰芳" }
    idno { raw: "350802199402171986" } birth_date { raw: "1994-02-17" } gender { raw: "2" norm: "F" }
    marital_status { raw: "丧偶" } address { raw: "东肖街道炉桥社区炉桥4组39号" }
    community { raw: "炉桥社区" norm: "350802006005" } phone { raw: "19992037845" }
    children_count { raw: "0" } contraception { raw: "避孕药" } updated_at { raw: "2009-03-06 10:45:18" } } } }
EOF
} | frame familyplanning '\001'
{ envelope labour 3; cat <<'EOF'
batch { records { source: LABOUR source_key: "LD3508022020000006" changed_at: 1668838348
  origin { file: "jyzt_20261101.jsonl" row: 2 }
  labour { reg_no { raw: "LD3508022020000006" } idno { raw: "350802197811070239" } name { raw: "李浩亮" }
    gender { raw: "1" norm: "M" } birth_date { raw: "1978-11-07" } ethnicity { raw: "汉族" }
    education { raw: "本科" } employment_status { raw: "失业" } status_date { raw: "2020-07-11" }
    unemployment_cert { raw: "3508022020567621" } phone { raw: "13698541720" }
    address { raw: "中城街道人民社区和平路261号3幢1703室" } community { raw: "人民社区" norm: "350802004006" }
    training { course { raw: "电工" } end_date { raw: "2021-03-27" } }
    training { course { raw: "育婴员" } end_date { raw: "2021-13-01" } }
    updated_at { raw: "2022-11-19T14:12:28+08:00" } } } }
EOF
} | frame labour '\002'
{ envelope civilaffairs 11; cat <<'EOF'
batch { records { source: CIVIL_AFFAIRS source_key: "MZ-0123456789abcdef" origin { file: "mz_roster_202611.csv" row: 1 }
  civil_affairs { serial_no { raw: "1" } street { raw: "东城街道" } community { raw: "北龙社区" norm: "350802001002" }
    head_name { raw: "黄义伟" } name { raw: "黄义伟" } doc_type { raw: "居民身份证" }
    doc_no { raw: "350821199608110854" } gender { raw: "男" norm: "M" } age { raw: "30" }
    address { raw: "东城街道北龙社区西安路246号13幢303室" } category { raw: "低保" }
    covered_count { raw: "2人" } monthly_amount { raw: "1,234.50元" } start_date { raw: "2020-03-01" }
    status { raw: "在保" } phone { raw: "13935408244" } } }
  records { source: CIVIL_AFFAIRS source_key: "FW-350802001001-002" origin { file: "facilities.csv" row: 1 }
    facility { facility_no { raw: "FW-350802001001-002" } name { raw: "社兴社区服务站" } type { raw: "社区服务站" }
      communities { raw: "社兴社区、北龙" norm: "350802001001,350802001002" } address { raw: "东城街道社兴社区北环路35号" }
      floor_area { raw: "748㎡" } authority { raw: "东城街道办事处" } status { raw: "运营" } } }
  records { source: POLICE source_key: "x" origin { file: "mz_roster_202611.csv" row: 3 }
    civil_affairs { name { raw: "not its department" } } }
  records { source: CIVIL_AFFAIRS origin { file: "mz_roster_202611.csv" row: 4 } } }
EOF
} | frame civilaffairs '\003'
{ envelope labour 4; echo 'heartbeat { rows_pending: 12 }'; } | frame heartbeat '\002'
{ envelope admin 5; echo 'query { purpose: "checking" get { idno: "35080219650603072X" } }'; } | frame query '\004'
echo 'env { sender: "police" seq: 9 schema_version: 2 }' | frame old-schema '\000'
echo "seeds written to $C"
