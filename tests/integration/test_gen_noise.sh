# gen-district's data-clerk noise (issue 15), without a hub: same arguments
# give the same bytes; --noise 0 tags nothing but documents that are not
# identity numbers; at noise 2 every tag of truth.csv occurs; a roster's
# KEY~N follows KEY, ..., KEY~(N-1) in its file, and only rosters have
# them; what the tags say is in the files (placeholder names, 年龄 off
# exactly on the age_off rows and right on the others, members on the
# head's number alike in both months, old village names as community).
. "$(dirname "$0")/../lib.sh"

G="$BIN/gen-district"
A=$T_TMP/a B=$T_TMP/b Z=$T_TMP/zero D=$T_TMP/d

"$G" --out "$A" --people 3000 --seed 9 --police-delta 20 >/dev/null
"$G" --out "$B" --people 3000 --seed 9 --police-delta 20 >/dev/null
check "same arguments, same files" diff -r "$A" "$B"
check_eq "truth.csv header" "person_id,source,source_key,file,row,tags" "$(head -1 "$A/truth.csv")"

# --- --noise 0: clean ---
"$G" --out "$Z" --people 3000 --seed 9 --noise 0 >/dev/null
check_eq "--noise 0: no tag but no_id" "no_id" \
    "$(tail -n +2 "$Z/truth.csv" | cut -d, -f6 | tr ' ' '\n' | grep -v '^$' | sort -u | paste -sd' ')"
check_eq "--noise 0: no_id only on civil-affairs rows (其他: a disability card, not an identity number)" \
    "civilaffairs" "$(awk -F, 'NR > 1 && $6 != "" { print $2 }' "$Z/truth.csv" | sort -u | paste -sd' ')"
check_eq "--noise 0: no repeated key (~N)" 0 "$(grep -c '~' "$Z/truth.csv")"

# --- noise 2: everything occurs ---
"$G" --out "$D" --people 8000 --seed 9 --noise 2 >/dev/null
T=$D/truth.csv
tags=$(tail -n +2 "$T" | cut -d, -f6 | tr ' ' '\n' | grep -v '^$' | sort -u)
for tag in no_id id_typo foreign_id head_id mother_id placeholder former_name village_name age_off \
           stale_address reg_address addr_form homophone surname_homophone shape_typo name_drop trad \
           rare_name birth_swap birth_day01 gender_flip phone_relative phone_old duplicate row_twice \
           twin namesake sibling_name; do
    check "noise 2: some row is tagged $tag" grep -qx "$tag" <<<"$tags"
done
check_eq "noise 2: a KEY~N follows KEY and KEY~2 .. KEY~(N-1) in its file" "" \
    "$(awk -F, 'NR > 1 { k = $3; n = 1; if (match(k, /~[0-9]+$/)) { n = substr(k, RSTART + 1) + 0; k = substr(k, 1, RSTART - 1) }
                          if (seen[$4 SUBSEP k] != n - 1) print; seen[$4 SUBSEP k] = n }' "$T" | head -3)"
check_eq "noise 2: ~N only on roster keys (derived; the other departments' keys are their own)" 0 \
    "$(awk -F, 'NR > 1 && $2 != "civilaffairs" && $3 ~ /~/' "$T" | wc -l)"
check "noise 2: some roster key is repeated (a row typed twice, a member on the head's number and name)" \
    grep -q ',civilaffairs,MZ-[0-9a-f]*~2,' "$T"
check_eq "noise 2: a foreign number is never no number" 0 "$(awk -F, '$6 ~ /foreign_id/ && $6 ~ /no_id/' "$T" | wc -l)"

# the files as sqlite tables (RFC 4180 parsed by sqlite3), rowid = data row
W=$(ls "$D"/wis_*.tsv) M=$(ls "$D"/mz_roster_*.csv | tail -1) M0=$(ls "$D"/mz_roster_*.csv | head -1)
tail -c +4 "$W" > "$T_TMP/wis.tsv"
iconv -f GBK -t UTF-8 "$M" | tr -d '\r' > "$T_TMP/mz.csv"
iconv -f GBK -t UTF-8 "$M0" | tr -d '\r' > "$T_TMP/mz0.csv"
DB=$T_TMP/g.db
sqlite3 "$DB" ".import --csv $T truth" ".import --csv $D/persons.csv persons" ".import --csv $T_TMP/mz.csv mz" \
    ".import --csv $T_TMP/mz0.csv mz0" ".mode tabs" ".import $T_TMP/wis.tsv wis"
q() { sqlite3 "$DB" "$1"; }
wf=$(basename "$W") mf=$(basename "$M") mf0=$(basename "$M0")
check_eq "placeholder rows: 林宝宝, 陈小宝, 陈静之女 (宝宝, 小宝, 之女, 之子), no number but the mother's" 0 \
    "$(q "SELECT count(*) FROM truth t JOIN (SELECT rowid, 身份证号,
            replace(replace(replace(姓名, ' ', ''), '　', ''), '寶', '宝') n FROM wis) w ON w.rowid = t.row
          WHERE t.file = '$wf' AND t.tags LIKE '%placeholder%'
          AND NOT ((n GLOB '*宝宝' OR n GLOB '*小宝' OR n GLOB '*之女' OR n GLOB '*之子')
                   AND (w.身份证号 = '' OR t.tags LIKE '%mother_id%'))")"
check "some placeholder rows" test "$(q "SELECT count(*) FROM truth WHERE tags LIKE '%placeholder%'")" -gt 0
# 年龄 at the first of the roster's month: off exactly on age_off rows
ages=$(q "SELECT sum(CASE WHEN t.tags LIKE '%age_off%' THEN m.年龄 = a.age ELSE m.年龄 != a.age END)
          FROM truth t JOIN mz m ON m.rowid = t.row
          JOIN (SELECT person_id, 2026 - substr(birth_date, 1, 4) - (substr(birth_date, 6) > '11-01') age FROM persons) a
            ON a.person_id = t.person_id
          WHERE t.file = '$mf'")
check_eq "年龄 is the age at the roster's month but on age_off rows, where it is one or two off" 0 "$ages"
check_eq "age_off rows: one or two years off" 0 \
    "$(q "SELECT count(*) FROM truth t JOIN mz m ON m.rowid = t.row
          JOIN (SELECT person_id, 2026 - substr(birth_date, 1, 4) - (substr(birth_date, 6) > '11-01') age FROM persons) a
            ON a.person_id = t.person_id
          WHERE t.file = '$mf' AND t.tags LIKE '%age_off%' AND abs(m.年龄 - a.age) NOT IN (1, 2)")"
check_eq "a key on both rosters is tagged head_id in both or in neither" 0 \
    "$(q "SELECT count(*) FROM truth a JOIN truth b ON a.source_key = b.source_key AND a.person_id = b.person_id
          WHERE a.file = '$mf0' AND b.file = '$mf' AND (a.tags LIKE '%head_id%') != (b.tags LIKE '%head_id%')")"
check_eq "head_id rows: not the head (户主姓名 is another name), 证件类型 户口簿 or 居民身份证" 0 \
    "$(q "SELECT count(*) FROM truth t JOIN mz m ON m.rowid = t.row WHERE t.file = '$mf' AND t.tags LIKE '%head_id%'
          AND (m.证件类型 NOT IN ('户口簿', '居民身份证'))")"
check_eq "village_name rows: the community written as a village (村, 村委会)" 0 \
    "$(q "SELECT count(*) FROM truth t JOIN mz m ON m.rowid = t.row WHERE t.file = '$mf' AND t.tags LIKE '%village_name%'
          AND m.社区 NOT GLOB '*村' AND m.社区 NOT GLOB '*村委会'")"
check_eq "row_twice: the roster rows so tagged come in identical pairs but for 序号" 0 \
    "$(q "SELECT count(*) FROM (SELECT t.person_id, m.类别 FROM truth t JOIN mz m ON m.rowid = t.row
          WHERE t.file = '$mf' AND t.tags LIKE '%row_twice%' GROUP BY 1, 2 HAVING count(*) != 2
          OR count(DISTINCT m.街道 || m.社区 || m.户主姓名 || m.姓名 || m.证件类型 || m.证件号码 || m.性别 || m.年龄 || m.住址
                            || m.保障人数 || m.月发放金额 || m.起始日期 || m.状态 || m.联系电话) != 1)")"

t_done
