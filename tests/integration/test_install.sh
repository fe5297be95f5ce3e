# make install: the programs already built in $BIN (nothing rebuilt), the
# example hub.conf, the systemd units, the logrotate snippet, the Prometheus
# files and the README land under DESTDIR/PREFIX, as whoever runs it. The
# units name the installed programs and the adapters' real options; the
# example hub.conf is exactly what hubd writes on first start and,
# uncommented, is a hub.conf the installed hubd starts with. Ports 17700-17703.
. "$(dirname "$0")/../lib.sh"

# inst DESTDIR PREFIX [VAR=VALUE...]: make install of $BIN's programs
inst() {
    local d=$1 p=$2; shift 2
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" --no-print-directory install \
        BIN="$BIN" DESTDIR="$d" PREFIX="$p" "$@" >"$T_TMP/install.out" 2>&1 || { cat "$T_TMP/install.out"; return 1; }
}
DEPTS=$(for f in "$TOP"/adapters/*.c; do basename "$f" .c; done)
R=$T_TMP/root
P=$R/usr/local
U=$P/lib/systemd/system

# 1. the files, in place
check "make install DESTDIR=... PREFIX=/usr/local succeeds as $(id -un)" inst "$R" /usr/local
check "it built nothing (no compiler ran)" bash -c "! grep -Eq '(^| )-o ' '$T_TMP/install.out'"
for p in hubd hubctl $(for d in $DEPTS; do echo "adapter-$d"; done); do
    check "bin/$p installed, executable, the very program of \$BIN" \
        bash -c "test -f '$P/bin/$p' -a -x '$P/bin/$p' && cmp -s '$BIN/$p' '$P/bin/$p'"
done
for f in share/hub/hub.conf.example share/hub/adapter.env.example share/hub/prometheus/prometheus.yml \
         share/hub/prometheus/alerts.yml share/doc/hub/README.md lib/systemd/system/hubd.service \
         lib/systemd/system/hub-adapter@.service; do
    check "$f installed, mode 644" test "$(stat -c %a "$P/$f" 2>/dev/null)" = 644
done
check "the logrotate snippet in DESTDIR/etc/logrotate.d/hub" test -f "$R/etc/logrotate.d/hub"
check_eq "every file belongs to whoever installed it (no chown)" "" \
    "$(find "$R" ! -user "$(id -u)" 2>/dev/null)"

# 2. the units name what was installed, with options the programs have
check "hubd.service runs the installed hubd on /var/lib/hub" \
    grep -qx 'ExecStart=/usr/local/bin/hubd --home /var/lib/hub' "$U/hubd.service"
check "hubd.service: user hub, SIGHUP on reload, restart on failure" \
    bash -c "grep -qx 'User=hub' '$U/hubd.service' && grep -qx 'ExecReload=/bin/kill -HUP \$MAINPID' '$U/hubd.service' \
             && grep -qx 'Restart=on-failure' '$U/hubd.service' && grep -qx 'StateDirectory=hub' '$U/hubd.service'"
exec_line=$(grep '^ExecStart=' "$U/hub-adapter@.service")
check "hub-adapter@.service runs the installed adapter-%i in --follow mode" \
    grep -q '^ExecStart=/usr/local/bin/adapter-%i .*--state /var/lib/hub-adapter/%i --follow /srv/exports/%i' \
    "$U/hub-adapter@.service"
opts=$(grep -Eo -- ' --[a-z-]+' <<<"$exec_line" | tr -d ' ' | sort -u)
for d in $DEPTS; do
    missing=$(for o in $opts; do "$P/bin/adapter-$d" --help | grep -q -- "^  $o " || echo "$o"; done)
    check_eq "adapter-$d --help lists every option the unit gives it ($(echo $opts))" "" "$missing"
done
check "the units point at the installed README" \
    grep -q "^Documentation=file:/usr/local/share/doc/hub/README.md" "$U/hubd.service"

inst "$T_TMP/root2" /opt/hub
check "PREFIX=/opt/hub: the units name /opt/hub/bin" \
    bash -c "grep -qx 'ExecStart=/opt/hub/bin/hubd --home /var/lib/hub' '$T_TMP/root2/opt/hub/lib/systemd/system/hubd.service' \
             && grep -q '^ExecStart=/opt/hub/bin/adapter-%i ' '$T_TMP/root2/opt/hub/lib/systemd/system/hub-adapter@.service' \
             && test -x '$T_TMP/root2/opt/hub/bin/hubd'"
check_eq "PREFIX=/opt/hub: no /usr/local left in the units" "" \
    "$(grep -h '^[A-Z].*=.*/usr/local' "$T_TMP"/root2/opt/hub/lib/systemd/system/*)"

if command -v systemd-analyze >/dev/null; then
    # installed for real under a scratch prefix, so that the programs exist
    S=$T_TMP/sys
    inst "" "$S" SYSCONFDIR="$S/etc"
    mkdir -p "$T_TMP/units"
    check "systemd-analyze verify hubd.service" systemd-analyze verify "$S/lib/systemd/system/hubd.service"
    for d in $DEPTS; do
        cp "$S/lib/systemd/system/hub-adapter@.service" "$T_TMP/units/hub-adapter@$d.service"
        check "systemd-analyze verify hub-adapter@$d.service" \
            systemd-analyze verify "$T_TMP/units/hub-adapter@$d.service"
    done
else
    echo "# systemd-analyze not found: units not verified"
fi

# 3. logrotate: rename and SIGHUP, never copytruncate
LR=$R/etc/logrotate.d/hub
check "logrotate rotates /var/lib/hub/hub.log" grep -q '^/var/lib/hub/hub.log {' "$LR"
check "logrotate does not copytruncate" bash -c "! grep -v '^ *#' '$LR' | grep -q copytruncate"
check "logrotate's postrotate reloads hubd (SIGHUP)" \
    bash -c "sed -n '/postrotate/,/endscript/p' '$LR' | grep -q 'systemctl reload hubd.service'"

# 4. Prometheus: every metric the alerts name is one hubd exports
names=$(grep -Eo '\bhub_[a-z_]+' "$P/share/hub/prometheus/alerts.yml" | sed -E 's/_(bucket|sum|count)$//' | sort -u)
families=$(grep -Eo '\{"hub_[a-z_]+"' "$TOP/hub/metrics.c" | tr -d '{"' | sort -u)
check_eq "the alerts name only metrics hubd exports" "" "$(comm -23 <(echo "$names") <(echo "$families"))"
check "the scrape config points at metrics_listen's default" \
    grep -q "targets: \['127.0.0.1:5563'\]" "$P/share/hub/prometheus/prometheus.yml"
if command -v promtool >/dev/null; then
    check "promtool check rules alerts.yml" promtool check rules "$P/share/hub/prometheus/alerts.yml"
fi

# 5. hub.conf.example is what hubd writes into an empty home on first start
# (hub.log a directory stops hubd right after it wrote hub.conf: no sockets)
E=$P/share/hub/hub.conf.example
mkdir -p "$T_TMP/first/hub.log"
"$P/bin/hubd" --home "$T_TMP/first" >/dev/null 2>&1
check "hubd wrote a hub.conf into the empty home" test -s "$T_TMP/first/hub.conf"
check "the installed hub.conf.example is exactly what hubd writes (else: make deploy/hub.conf.example)" \
    cmp "$T_TMP/first/hub.conf" "$E"
check "every line of it is a comment or blank" bash -c "! grep -Ev '^(#|$)' '$E'"

# ...and uncommented, it is a hub.conf the installed hubd starts with
H=$T_TMP/hub
mkdir -p "$H"
sed -E 's/^# ([a-z_.]+ = .*)$/\1/
        s|^ingest_endpoint = .*|ingest_endpoint = tcp://127.0.0.1:17700|
        s|^query_endpoint = .*|query_endpoint = tcp://127.0.0.1:17701|
        s|^events_endpoint = .*|events_endpoint = tcp://127.0.0.1:17702|
        s|^metrics_listen = .*|metrics_listen = 127.0.0.1:17703|' "$E" >"$H/hub.conf"
nkeys=$(grep -Ec '^[a-z_.]+ = ' "$H/hub.conf")
check "the example holds every key ($nkeys)" test "$nkeys" -ge 40
BIN=$P/bin   # from here on the installed programs
check "the installed hubd starts with the example uncommented" hub_start "$H"
check "it runs with the example's values" \
    grep -q '"msgid":"HUB-CONFIG".*"group_commit_max_records":5000.*"log_level":"info".*"reviews_degraded":1000' "$H/hub.log"
"$BIN/hubctl" --home "$H" status >/dev/null 2>&1
check_eq "the installed hubctl: status healthy (exit 0)" 0 "$?"
healthz() { exec 3<>/dev/tcp/127.0.0.1/17703 && printf 'GET /healthz HTTP/1.0\r\n\r\n' >&3 && head -n 1 <&3; exec 3<&-; }
check "/healthz answers 200 where prometheus.yml's target would be" bash -c "$(declare -f healthz); healthz | grep -q ' 200 '"

# the logrotate convention: hub.log renamed, SIGHUP, a new hub.log
mv "$H/hub.log" "$H/hub.log.1"
kill -HUP "$HUB_PID"
for _ in $(seq 1 50); do grep -qs HUB-LOG-REOPEN "$H/hub.log" && break; sleep 0.1; done
check "after a rename and SIGHUP hubd writes a new hub.log" grep -q '"msgid":"HUB-LOG-REOPEN"' "$H/hub.log"
"$BIN/hubctl" --home "$H" status >/dev/null 2>&1
check "and keeps running" kill -0 "$HUB_PID"
hub_stop
check_eq "SIGTERM stops it with status 0" 0 "$?"
t_done
