#!/usr/bin/env bash
# Sanity check of env.sh, not the drill: up, write through HAProxy with psql (a new connection per write),
# crash the leader, wait for writes to come back, report a rough RTO and lost acknowledged writes, down.
#
#   smoke.sh [--setting defaults|aggressive] [--synchronous]     (KEEP=1 keeps the folder and its logs)
#
# RTO here = first failed write after the crash -> end of the first success of a run of SUSTAIN_S seconds
# of successes. psql starts a process per write (~20-40 ms each), so this is coarser than the drill's probe.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SUSTAIN_S=${SUSTAIN_S:-5}
MAX_WAIT_S=${MAX_WAIT_S:-90}
PSQL=/usr/bin/psql

dir=$(mktemp -d /tmp/pgpat.XXXXXX)
writer=""
cleanup() {
  [ -n "$writer" ] && kill "$writer" 2>/dev/null || true
  "$HERE/env.sh" down "$dir" $([ "${KEEP:-0}" = 1 ] && echo --keep) >&2 || true
}
trap cleanup EXIT

"$HERE/env.sh" up "$dir" "$@" >/dev/null
port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["haproxy"]["port"])' "$dir/env.json")
export PGCONNECT_TIMEOUT=2 PGOPTIONS='-c statement_timeout=2000'
q() { "$PSQL" -w -X -A -t -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -c "$1"; }
q 'CREATE TABLE probe (id int PRIMARY KEY, port int, at timestamptz DEFAULT clock_timestamp())' >/dev/null

# Writer: one psql per write, logging "start_s end_s ok|fail id port". Bounded in count and time.
log="$dir/writes.log"
(
  deadline=$(( ${EPOCHREALTIME%.*} + MAX_WAIT_S + 30 ))
  for id in $(seq 1 20000); do
    [ "${EPOCHREALTIME%.*}" -ge $deadline ] && break
    t0=$EPOCHREALTIME
    if out=$(q "INSERT INTO probe (id, port) VALUES ($id, inet_server_port()) RETURNING port" 2>/dev/null); then
      echo "$t0 $EPOCHREALTIME ok $id $out"
    else
      echo "$t0 $EPOCHREALTIME fail $id -"
    fi
    sleep 0.02
  done
) > "$log" &
writer=$!

sleep 3
crash=$("$HERE/env.sh" crash-leader "$dir")
echo "crash-leader: $crash"

# Wait (bounded) for SUSTAIN_S seconds of successes after the first failure.
verdict=$(python3 - "$log" "$SUSTAIN_S" "$MAX_WAIT_S" <<'EOF'
import sys, time
path, sustain, max_wait = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
t_end = time.time() + max_wait
while time.time() < t_end:
    rows = [l.split() for l in open(path) if l.count(" ") >= 4]
    first_fail = next((i for i, r in enumerate(rows) if r[2] == "fail"), None)
    if first_fail is not None:
        run_start = None
        for r in rows[first_fail:]:
            if r[2] == "ok":
                run_start = run_start or r
                if float(r[1]) - float(run_start[1]) >= sustain:
                    f = rows[first_fail]
                    fails = sum(1 for x in rows if x[2] == "fail")
                    print("rto=%.2fs first_fail=%s recovered=%s failed_writes=%d new_port=%s" % (
                        float(run_start[1]) - float(f[0]), f[0], run_start[1], fails, run_start[4]))
                    sys.exit(0)
            else:
                run_start = None
    time.sleep(0.5)
print("no recovery within %ss" % max_wait); sys.exit(1)
EOF
) || { echo "FAIL: $verdict"; "$HERE/env.sh" status "$dir"; exit 1; }
echo "$verdict"
kill "$writer" 2>/dev/null || true; wait "$writer" 2>/dev/null || true; writer=""

# Lost acknowledged writes: acked ids missing on the new primary.
acked=$(awk '$3 == "ok" {print $4}' "$log" | sort)
present=$(q 'SELECT id FROM probe ORDER BY id' | sort)
lost=$(comm -23 <(echo "$acked") <(echo "$present") | grep -c . || true)
echo "acked=$(echo "$acked" | grep -c .) lost_acked=$lost"
"$HERE/env.sh" status "$dir"

# Every PID recorded must be gone after down.
pids=$(cat "$dir"/run/*.pid "$dir"/run/*.pids 2>/dev/null | grep -E '^[0-9]+$' | sort -u | tr '\n' ' ')
trap - EXIT
"$HERE/env.sh" down "$dir" $([ "${KEEP:-0}" = 1 ] && echo --keep)
left=""
for p in $pids; do
  [[ "$( { tr '\0' ' ' < "/proc/$p/cmdline"; } 2>/dev/null || true)" == *"$dir"* ]] && left+=" $p"
done
[ -z "$left" ] && echo "down: all recorded PIDs gone ($pids)" || { echo "FAIL: still alive:$left"; exit 1; }
