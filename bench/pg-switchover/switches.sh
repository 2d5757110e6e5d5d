#!/usr/bin/env bash
# The fault step of bench/pg-switchover's drill: RUNS planned switchovers on one rig, pg1 → pg2, then back,
# alternating. Before each: waits (bounded) until the pair is ready — the current primary takes writes through
# the entry point, the target streams from it, and (Understudy) the controller sees both up with no request
# open — then SETTLE seconds of quiet. Logs one JSON line per switchover to LOG: command start and end
# (EPOCHREALTIME), its exit status and output, and when the old primary streamed from the new one again.
#
#   switches.sh understudy|patroni DIR RUNS LOG
#
# Exits 0 even when a switchover fails (the log says so), so that the drill still reads its writes back;
# it stops early if the pair is not ready within READY_TIMEOUT (the log says that too).
set -euo pipefail
SYSTEM=$1 DIR=$2 RUNS=$3 LOG=$4
SETTLE=${SETTLE:-3}
READY_TIMEOUT=${READY_TIMEOUT:-60}
CMD_TIMEOUT=${CMD_TIMEOUT:-120}
PSQL_BIN=/usr/bin/psql
PG_USER=postgres
. "$(dirname "$0")/../pg-failover/lib.sh"

port_of() { python3 -c 'import json,sys
for n in json.load(open(sys.argv[1]))["nodes"]:
    if n["name"] == sys.argv[2]: print(n["pg_port"])' "$DIR/env.json" "$1"; }
ENTRY=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); print(e.get("proxy_port") or e["haproxy"]["port"])' "$DIR/env.json")

# TO streams from FROM (its application_name is its member name on both systems).
streaming() { # FROM TO
  [ "$(psql_ha "$(port_of "$1")" "SELECT count(*) FROM pg_stat_replication WHERE application_name = '$2' AND state = 'streaming'")" = 1 ]
}

# The controller routes to FROM, sees TO up as a standby and has no request open (Understudy only).
controller_ready() { # FROM TO
  [ "$SYSTEM" = understudy ] || return 0
  curl -s -m 2 "$(json_get "$DIR" api)/api/status" | python3 -c 'import json, sys
s = json.load(sys.stdin)["services"][0]
m = {x["name"]: x for x in s["members"]}
t = m[sys.argv[2]]
ok = (s["primary"] == sys.argv[1] and s["routable"] == sys.argv[1] and s["phase"] == "steady" and not s["open_request"]
      and t["health"] == "up" and t["role"] == "standby" and not t["needs_rejoin"])
sys.exit(0 if ok else 1)' "$1" "$2" 2>/dev/null
}

ready() { # FROM TO
  [ "$(psql_ha "$ENTRY" "SELECT inet_server_port()")" = "$(port_of "$1")" ] && streaming "$1" "$2" && controller_ready "$1" "$2"
}

wait_until() { # SECONDS COMMAND...: prints the EPOCHREALTIME it became true; 1 if it did not
  local deadline=$(( ${EPOCHREALTIME%.*} + $1 )); shift
  while [ "${EPOCHREALTIME%.*}" -lt $deadline ]; do
    "$@" && { echo "$EPOCHREALTIME"; return 0; }
    sleep 0.05
  done
  return 1
}

switch_command() { # FROM TO I: the command as an array in CMD
  case "$SYSTEM" in
    understudy) CMD=("$UNDERSTUDY" switchover db --to "$2" --reason "bench/pg-switchover $3" --wait --timeout "${CMD_TIMEOUT}s" -c "$DIR/understudy.yaml") ;;
    patroni) CMD=(patronictl -c "$DIR/$1/patroni.yml" switchover --leader "$1" --candidate "$2" --force) ;;
  esac
}

record() { python3 -c 'import json, sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' "$@" >> "$LOG"; }

from=pg1 to=pg2
for i in $(seq 1 "$RUNS"); do
  if ! t_ready=$(wait_until "$READY_TIMEOUT" ready "$from" "$to"); then
    record i "$i" from "$from" to "$to" error "not ready within ${READY_TIMEOUT}s: $from primary behind the entry point, $to streaming from it$([ "$SYSTEM" = understudy ] && echo ', the controller steady')"
    break
  fi
  sleep "$SETTLE"
  switch_command "$from" "$to" "$i"
  t0=$EPOCHREALTIME
  set +e
  out=$(timeout "$((CMD_TIMEOUT + 10))" "${CMD[@]}" 2>&1)
  rc=$?
  set -e
  t1=$EPOCHREALTIME
  # The old primary streaming from the new one: ready for the switchover back.
  t_follow=$(wait_until "$READY_TIMEOUT" streaming "$to" "$from") || t_follow=""
  record i "$i" from "$from" to "$to" from_port "$(port_of "$from")" to_port "$(port_of "$to")" ready "$t_ready" \
    start "$t0" end "$t1" rc "$rc" output "$out" following "$t_follow"
  log "switchover $i $from → $to: rc $rc in $(python3 -c "print(round($t1 - $t0, 2))") s"
  [ -n "$t_follow" ] || { record i "$i" error "$from did not stream from $to within ${READY_TIMEOUT}s"; break; }
  tmp=$from; from=$to; to=$tmp
done
exit 0
