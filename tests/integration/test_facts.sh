# Facts end to end against a real hubd on loopback: records of all four
# departments (sent by tests/tools/hubsend as each department's principal,
# with adapter norms the hub must not trust) land in the fact tables with
# the hub's own normal forms; contraception is marked sensitive and still
# in the blob; `hubctl facilities` finds a facility from each community it
# serves, current versions only; a registry from before facts gets them at
# the next start.
. "$(dirname "$0")/../lib.sh"

H=$T_TMP/hub
hub_init "$H" 16400 "group_commit_max_ms = 5"
check "hubd starts" hub_start "$H"
send() { "$BIN/tests/hubsend" --home "$H" "$@"; }
# rec FIELD...: one hubsend line, the fields joined by tabs
rec() { local IFS=$'\t'; echo "$*"; }

{
rec police 350802198001011231 "idno=350802 19800101 1231" "name= 林晓　" gender=男 gender.norm=F \
    birth_date=19800101 birth_date.norm=1999-09-09 ethnicity=汉族 household_no=900000001 relation=户主 \
    "registered_address=东城街道北龙社区龙津路1号" community=北龙社区 community.norm=350802001002 \
    category=户籍人口 status=正常 change_type=变更 change_date=2026年3月1日 \
    "phone=+86 139 0597 1234" phone.norm=000 former_name=林小晓
rec police 350802198502023456 name=吴敏 gender=女 birth_date=1985-02-02 community=不存在社区 \
    community.norm=350802001099 community.flags=2 phone=12ab current_address=新华路5号 \
    registered_address=龙津路2号 change_date=2026-13-01
rec family_planning JS2019000123 "record_no=JS 2019000123" person_type=育龄妇女 name=王芳 \
    idno=350802198503071220 gender=2 birth_date=1985/3/7 marital_status=初婚 address=北龙社区龙津路3号 \
    community=北龙 community.norm=350802001002 phone=139-0597-5678 children_count=2 \
    certificate_no=SF2020001 contraception=上环 contraception.flags=4 "updated_at=2026-11-20 09:14:03"
rec family_planning JS2019000124 record_no=JS2019000124 person_type=子女 name=王小明 gender=1 \
    birth_date=2012.06.01 linked_record_no=JS2019000123 community=北龙 community.norm=350802001002
rec labour LD3508022021004512 reg_no=LD3508022021004512 name=陈强 gender=1 birth_date=1979-05-06 \
    ethnicity=汉族 education=高中 employment_status=再就业 status_date=2025-01-02 reemployed_date=2025-06-01 \
    unemployment_cert=SY2021001 phone=13905970001 address=松涛路8号 community=松涛社区 \
    community.norm=350802001003 training.course=电工 training.end_date=2024-05-01 \
    training.course=厨师 training.end_date=2024/11/30
rec civil_affairs MZ-0000000000000001 street=东城街道 community=北龙社区 community.norm=350802001002 \
    head_name=李梅 name=李梅 doc_type=居民身份证 "doc_no=350802 19590101 1234" gender=女 age=67 \
    address=龙津路9号 category=城市低保 covered_count=3 monthly_amount=570元 monthly_amount.norm=1 \
    start_date=2019年3月1日 status=在保 phone=0597-2231234
rec civil_affairs MZ-0000000000000002 community=北龙 community.norm=350802001002 name=赵刚 gender=男 \
    age=45 category=社区志愿者 start_date=2020-05-01 status=在保
rec civil_affairs MZ-0000000000000003 name=孙丽 category=高龄津贴 covered_count=1人 monthly_amount=1,234.50
rec civil_affairs MZ-0000000000000004 name=周伟 category=特困供养 monthly_amount=约五百
rec facility FW-350802001003-007 facility_no=FW-350802001003-007 name=北龙松涛社区服务中心 \
    type=社区服务中心 communities=北龙、松涛 communities.norm=350802001002,350802001003 address=龙津路10号 \
    floor_area=240.5 authority=区民政局 status=运营
rec facility FW-350802001002-001 facility_no=FW-350802001002-001 name=北龙警务室 type=警务室 \
    communities=北龙 communities.norm=350802001002 floor_area=80㎡ status=运营
rec facility FW-350802001002-002 facility_no=FW-350802001002-002 name=北龙卫生服务站 type=卫生服务站 \
    communities=北龙、不存在 communities.norm=350802001002 communities.flags=2 floor_area=大约 status=在建 \
    changed_at=1000
} > "$T_TMP/records.txt"

out=$(send "$T_TMP/records.txt")
check_eq "every department's records accepted" \
"police: 2 records, 2 accepted, 0 duplicates, 0 rejected
familyplanning: 2 records, 2 accepted, 0 duplicates, 0 rejected
labour: 1 records, 1 accepted, 0 duplicates, 0 rejected
civilaffairs: 7 records, 7 accepted, 0 duplicates, 0 rejected" "$out"

# facts of one record: the columns of TABLE for SOURCE_KEY, |-separated
facts() { sql "$H" "SELECT $3 FROM $1 f JOIN source_records s ON s.id = f.record_id WHERE s.source_key = '$2'"; }
P='name, gender, birth_date, age, ethnicity, community_code, address, phone'

# --- police ---
check_eq "police person facts: tidied name, the hub's own gender, birth date, phone (adapter norms ignored)" \
    "林晓|M|1980-01-01||汉族|350802001002|东城街道北龙社区龙津路1号|13905971234" \
    "$(facts person_facts 350802198001011231 "$P")"
check_eq "police facts" "900000001|户主|户籍人口|正常|变更|2026-03-01|东城街道北龙社区龙津路1号||林小晓" \
    "$(facts police_facts 350802198001011231 'household_no, relation, category, status, change_type, change_date, registered_address, current_address, former_name')"
check_eq "unmapped community, bad phone: NULL; the person lives at the current address" \
    "吴敏|F|1985-02-02||||新华路5号|" "$(facts person_facts 350802198502023456 "$P")"
check_eq "values that did not normalise are kept raw" "change_date=2026-13-01;community=不存在社区;phone=12ab" \
    "$(sql "$H" "SELECT group_concat(field || '=' || raw, ';') FROM (SELECT field, raw FROM fact_raw r JOIN source_records s ON s.id = r.record_id WHERE s.source_key = '350802198502023456' ORDER BY field)")"

# --- family planning ---
check_eq "family-planning woman" "JS2019000123|育龄妇女||初婚|2|SF2020001|上环" \
    "$(facts fp_facts JS2019000123 'record_no, person_type, linked_record_no, marital_status, children_count, certificate_no, contraception')"
check_eq "family-planning woman, person facts" "王芳|F|1985-03-07|||350802001002|北龙社区龙津路3号|13905975678" \
    "$(facts person_facts JS2019000123 "$P")"
check_eq "family-planning child linked to the woman" "子女|JS2019000123|M|2012-06-01" \
    "$(sql "$H" "SELECT f.person_type, f.linked_record_no, p.gender, p.birth_date FROM fp_facts f JOIN person_facts p USING (record_id) WHERE f.record_no = 'JS2019000124'")"
check_eq "contraception is the one sensitive field in the catalogue" "family_planning|contraception|fp_facts|contraception" \
    "$(sql "$H" "SELECT payload, field, fact_table, fact_column FROM fact_fields WHERE sensitive = 1")"
check "every catalogued column exists" test "$(sql "$H" "SELECT count(*) FROM fact_fields f WHERE fact_column IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pragma_table_info(f.fact_table) p WHERE p.name = f.fact_column)")" = 0
check "the blob still holds contraception, as received" test \
    "$(sql "$H" "SELECT instr(body, CAST('上环' AS BLOB)) > 0 FROM source_records WHERE source_key = 'JS2019000123'")" = 1
check "sensitive values never go to fact_raw" test "$(sql "$H" "SELECT count(*) FROM fact_raw WHERE field = 'contraception'")" = 0

# --- labour ---
check_eq "labour facts" "LD3508022021004512|高中|再就业|2025-01-02|2025-06-01|SY2021001" \
    "$(facts labour_facts LD3508022021004512 'reg_no, education, employment_status, status_date, reemployed_date, unemployment_cert')"
check_eq "labour person facts" "陈强|M|1979-05-06||汉族|350802001003|松涛路8号|13905970001" \
    "$(facts person_facts LD3508022021004512 "$P")"
check_eq "two trainings, in order, dates normalised" "1|电工|2024-05-01;2|厨师|2024-11-30" \
    "$(sql "$H" "SELECT group_concat(seq || '|' || course || '|' || end_date, ';') FROM (SELECT t.* FROM labour_training t JOIN source_records s ON s.id = t.record_id WHERE s.source_key = 'LD3508022021004512' ORDER BY seq)")"

# --- civil affairs ---
C='category, covered_count, monthly_amount_fen, start_date, status, doc_type, doc_no, street, head_name'
check_eq "allowance: 570元 is 57000 fen (the adapter's norm ignored), dates normalised" \
    "城市低保|3|57000|2019-03-01|在保|居民身份证|350802195901011234|东城街道|李梅" "$(facts civil_entitlements MZ-0000000000000001 "$C")"
check_eq "allowance person facts: age, no birth date" "李梅|F||67||350802001002|龙津路9号|05972231234" \
    "$(facts person_facts MZ-0000000000000001 "$P")"
check_eq "volunteer: category, no amounts" "社区志愿者|||2020-05-01|在保||||" \
    "$(facts civil_entitlements MZ-0000000000000002 "$C")"
check_eq "1,234.50 is 123450 fen; 1人 is 1" "1|123450" \
    "$(facts civil_entitlements MZ-0000000000000003 'covered_count, monthly_amount_fen')"
check_eq "an amount in words: NULL and kept raw" "|约五百" \
    "$(facts civil_entitlements MZ-0000000000000004 "monthly_amount_fen, (SELECT raw FROM fact_raw r WHERE r.record_id = f.record_id AND field = 'monthly_amount')")"

# --- facilities ---
check_eq "facility facts" "FW-350802001003-007|北龙松涛社区服务中心|社区服务中心|龙津路10号|240.5|区民政局|运营" \
    "$(facts facilities FW-350802001003-007 'facility_no, name, type, address, floor_area, authority, status')"
check_eq "one row per community a facility serves" "350802001002,350802001003" \
    "$(sql "$H" "SELECT group_concat(community_code) FROM (SELECT c.community_code FROM facility_communities c JOIN source_records s ON s.id = c.record_id WHERE s.source_key = 'FW-350802001003-007' ORDER BY 1)")"
check_eq "80㎡ is 80" "80.0" "$(facts facilities FW-350802001002-001 floor_area)"
check_eq "a partly unmapped facility keeps its known community and the raw text" "350802001002|北龙、不存在" \
    "$(facts facility_communities FW-350802001002-002 "community_code, (SELECT raw FROM fact_raw r WHERE r.record_id = f.record_id AND field = 'communities')")"

BL=$(printf 'FW-350802001002-001\t北龙警务室\t警务室\t运营\t350802001002\nFW-350802001002-002\t北龙卫生服务站\t卫生服务站\t在建\t350802001002\nFW-350802001003-007\t北龙松涛社区服务中心\t社区服务中心\t运营\t350802001002,350802001003')
check_eq "hubctl facilities --community: 北龙's three facilities, one per line" "$BL" \
    "$("$BIN/hubctl" --home "$H" facilities --community 350802001002)"
check_eq "the two-community facility is found from the other code too" \
    "$(printf 'FW-350802001003-007\t北龙松涛社区服务中心\t社区服务中心\t运营\t350802001002,350802001003')" \
    "$("$BIN/hubctl" --home "$H" facilities --community 350802001003)"
check_eq "a community with no facilities: no lines, exit 0" "0|" \
    "$(o=$("$BIN/hubctl" --home "$H" facilities --community 350802009999); echo "$?|$o")"
check_eq "without --community: every facility" 3 "$("$BIN/hubctl" --home "$H" facilities | wc -l)"
msg=$("$BIN/hubctl" --home "$H" facilities --community 北龙 2>&1 >/dev/null); rc=$?
check_eq "a community name instead of a code: exit 1" 1 "$rc"
check_eq "... with the reason" "hubctl: give the community as its 12-digit code" "$msg"
"$BIN/hubctl" --home "$H" facilities --bogus >/dev/null 2>&1
check_eq "bad facilities usage: exit 2" 2 "$?"

# a later version of a facility moves it; only current versions answer
rec facility FW-350802001002-002 facility_no=FW-350802001002-002 name=松涛卫生服务站 type=卫生服务站 \
    communities=松涛 communities.norm=350802001003 status=运营 changed_at=2000 > "$T_TMP/moved.txt"
check_eq "new facility version accepted" "civilaffairs: 1 records, 1 accepted, 0 duplicates, 0 rejected" \
    "$(send "$T_TMP/moved.txt")"
check "the moved facility no longer serves 北龙" \
    bash -c "! '$BIN/hubctl' --home '$H' facilities --community 350802001002 | grep -q FW-350802001002-002"
check_eq "... and serves 松涛 under its new name" "$(printf 'FW-350802001002-002\t松涛卫生服务站\t卫生服务站\t运营\t350802001003')" \
    "$("$BIN/hubctl" --home "$H" facilities --community 350802001003 | grep FW-350802001002-002)"
check_eq "both versions keep their facts" 2 "$(sql "$H" "SELECT count(*) FROM facilities WHERE facility_no = 'FW-350802001002-002'")"

# the same records again: duplicates, no new facts
before=$(sql "$H" "SELECT (SELECT count(*) FROM person_facts) || '/' || (SELECT count(*) FROM labour_training) || '/' || (SELECT count(*) FROM facility_communities)")
out=$(send "$T_TMP/records.txt")
check "sent again: all duplicates" grep -q "civilaffairs: 7 records, 0 accepted, 7 duplicates, 0 rejected" <<<"$out"
check_eq "no new facts for duplicates" "$before" \
    "$(sql "$H" "SELECT (SELECT count(*) FROM person_facts) || '/' || (SELECT count(*) FROM labour_training) || '/' || (SELECT count(*) FROM facility_communities)")"
check_eq "every stored record has facts" 0 \
    "$(sql "$H" "SELECT count(*) FROM source_records s WHERE NOT EXISTS (SELECT 1 FROM person_facts WHERE record_id = s.id) AND NOT EXISTS (SELECT 1 FROM facilities WHERE record_id = s.id)")"
check "hub log has no names or numbers" bash -c "! grep -qE '350802|林晓|上环' '$H/hub.log'"
check_eq "export-links unchanged in form" "source,source_key,origin_file,origin_row,resident_id" \
    "$("$BIN/hubctl" --home "$H" export-links | head -1)"

# --- a registry from before facts (schema version 1) gets them at the next start ---
dump() { sql "$H" "SELECT * FROM person_facts ORDER BY 1; SELECT * FROM police_facts ORDER BY 1; SELECT * FROM fp_facts ORDER BY 1; SELECT * FROM labour_facts ORDER BY 1; SELECT * FROM labour_training ORDER BY 1, 2; SELECT * FROM civil_entitlements ORDER BY 1; SELECT * FROM facilities ORDER BY 1; SELECT * FROM facility_communities ORDER BY 1, 2; SELECT * FROM fact_raw ORDER BY 1, 2"; }
dump > "$T_TMP/facts.before"
hub_stop
sqlite3 "$H/registry.db" "$(for t in rec_ins rec_upd rec_del res_ins res_upd res_del quar_ins quar_upd quar_del \
    event_ins event_del review_ins review_upd review_del; do echo "DROP TRIGGER counts_$t;"; done)
  DROP TABLE counts; ALTER TABLE residents DROP COLUMN live;
  DROP TABLE person_facts; DROP TABLE police_facts; DROP TABLE fp_facts; DROP TABLE labour_facts;
  DROP TABLE labour_training; DROP TABLE civil_entitlements; DROP TABLE facility_communities; DROP TABLE facilities;
  DROP TABLE fact_raw; DROP TABLE fact_fields; DROP TABLE facts_pending;
  DROP TABLE match_features; DROP TABLE match_links; DROP TABLE cannot_link;
  DROP TABLE resolution_events; DROP TABLE review_items; DROP TABLE quality_flags; DROP TABLE change_events; DROP TABLE subscriptions; DROP TABLE alerts; DROP TABLE rules_dirty; DROP TABLE area_residents; DROP INDEX residents_idno; DROP INDEX source_records_idno;
  ALTER TABLE residents DROP COLUMN merged_into; ALTER TABLE quarantine DROP COLUMN status;
  ALTER TABLE quarantine DROP COLUMN decided_by; ALTER TABLE quarantine DROP COLUMN decided_ms;
  ALTER TABLE quarantine DROP COLUMN note; PRAGMA user_version = 1"
check "hubd starts on a version-1 registry" hub_start "$H"
check_eq "migrated to the current version" 11 "$(sql "$H" "PRAGMA user_version")"
check_eq "nothing left pending" 0 "$(sql "$H" "SELECT count(*) FROM facts_pending")"
dump > "$T_TMP/facts.after"
check "the backfill gives every record the same facts as ingest did" cmp -s "$T_TMP/facts.before" "$T_TMP/facts.after"
check_eq "the area rows made by the migration and the backfill agree with the records" 0 "$(area_drift "$H")"
check "and they are there ($(sql "$H" "SELECT count(*) FROM area_residents") residents placed)" \
    test "$(sql "$H" "SELECT count(*) FROM area_residents")" -gt 0
check "the backfill is logged" grep -q '"msgid":"HUB-FACTS-BACKFILL","records":13' "$H/hub.log"
check "the upgraded registry is matched again once, and it is logged" grep -q '"msgid":"HUB-REMATCH-UPGRADE"' "$H/hub.log"
check_eq "every current person record has its matching features" \
    "$(sql "$H" "SELECT count(*) FROM source_records WHERE current = 1 AND resident_id IS NOT NULL")" \
    "$(sql "$H" "SELECT count(*) FROM match_features")"
check_eq "the facilities query answers after the upgrade" 2 \
    "$("$BIN/hubctl" --home "$H" facilities --community 350802001002 | wc -l)"
hub_stop; check_eq "SIGTERM stops hubd cleanly" 0 "$?"
# the blocking keys live in memory: a restart builds them from the stored features
hub_start "$H"
check_eq "a restart loads every record's features into the matching index" \
    "$(sql "$H" "SELECT count(*) FROM match_features")" \
    "$(grep '"msgid":"HUB-MATCH-INDEX"' "$H/hub.log" | tail -1 | sed 's/.*"records":\([0-9]*\).*/\1/')"
hub_stop

# --- a registry of version 7 kept the audit log as a table of its own: its
# entries move to audit.db at the next start, chain and ids as they were ---
entries=$(sqlite3 "$H/audit.db" "SELECT count(*) FROM audit_log")
sqlite3 "$H/registry.db" "ATTACH '$H/audit.db' AS a;
  CREATE TABLE audit_log(id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, principal TEXT NOT NULL, role TEXT NOT NULL,
    purpose TEXT NOT NULL, kind TEXT NOT NULL, args TEXT NOT NULL, residents TEXT NOT NULL, outcome TEXT NOT NULL,
    prev_hash BLOB NOT NULL, hash BLOB NOT NULL);
  INSERT INTO audit_log SELECT * FROM a.audit_log; DROP TABLE change_events; DROP TABLE subscriptions;
  DROP TABLE alerts; DROP TABLE rules_dirty; DROP INDEX police_facts_household; DROP TABLE area_residents;
  PRAGMA user_version = 7"
rm -f "$H/audit.db" "$H/audit.db-wal" "$H/audit.db-shm"
check "hubd starts on a version-7 registry with its audit log inside" hub_start "$H"
check_eq "migrated to the current version" 11 "$(sql "$H" "PRAGMA user_version")"
check_eq "the registry no longer holds the audit log" 0 \
    "$(sql "$H" "SELECT count(*) FROM sqlite_master WHERE name = 'audit_log'")"
check_eq "a version-7 registry gets its area rows, as the records say" 0 "$(area_drift "$H")"
check "the move is logged with its count" grep -q "\"msgid\":\"HUB-AUDIT-MOVED\",\"entries\":$entries" "$H/hub.log"
out=$("$BIN/hubctl" --home "$H" audit verify)
n=$(sed -n 's/.*whole: \([0-9]*\) entries.*/\1/p' <<<"$out")
check "the moved log is whole: its $entries entries and those since, each hash following the one before" \
    test "${n:-0}" -gt "$entries"
hub_stop
t_done
