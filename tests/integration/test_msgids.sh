# Every message id the README's log table lists is asserted on by some test
# (tests/integration, tests/reliability), and every id the hub's code logs
# is in the README's table. Two error paths no test can provoke without
# breaking the machine are named here with why.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
# zmq_poll failing; a component over 512 records; the quarantine, the facts
# backfill or a reopened log failing to write
UNTESTABLE="HUB-POLL-FAIL HUB-RESOLVE-LARGE HUB-QUARANTINE-FAIL HUB-FACTS-BACKFILL-FAILED HUB-LOG-REOPEN-FAIL HUB-FEED-ACK-FAIL"
table=$(sed -n '/^| msgid | level | when |/,/^$/p' README.md | grep -o 'HUB-[A-Z-]*' | sort -u)
check "the README has a table of message ids" test "$(wc -w <<<"$table")" -gt 30
for id in $table; do
    case " $UNTESTABLE " in *" $id "*) continue ;; esac
    check "$id is asserted on by a test" grep -rqF -- "$id" tests/integration tests/reliability --exclude=test_msgids.sh
done
for id in $(grep -rhoE '"HUB-[A-Z-]+"' hub/*.c | tr -d '"' | sort -u); do
    check "$id (logged by the hub) is in the README's table" grep -qxF -- "$id" <<<"$table"
done
t_done
