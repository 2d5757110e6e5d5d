#!/usr/bin/env bash
# Two PostgreSQL 15 servers (a primary and a streaming standby) with an Understudy controller in front,
# on 127.0.0.1: the Understudy side of bench/pg-failover, with the same commands as ../patroni/env.sh.
#
#   env.sh up DIR [--setting defaults|aggressive] [--synchronous]
#   env.sh crash-leader DIR
#   env.sh down DIR
#
# The controller plays the other machine: it stays up while the primary's "host" crashes. Every process is
# started here, recorded by PID under DIR/run, and stopped by those PIDs only. Every wait is bounded.
set -euo pipefail

PGBIN=/usr/lib/postgresql/15/bin
PSQL_BIN=/usr/bin/psql
PG_USER=postgres
MARKER=.understudy-bench-env
. "$(dirname "$0")/../lib.sh"

primary_of() { json_get_url "http://127.0.0.1:$(cat "$1/run/api.port")/api/status" services 0 primary; }

cmd_up() {
  begin_up "$@"
  local dir=$UP_DIR setting=$UP_SETTING sync=$UP_SYNC
  local t0=$EPOCHREALTIME check; check=$(check_of "$setting")
  read -r p1 p2 proxy api <<<"$(free_ports 4)"
  echo "$api" > "$dir/run/api.port"

  start_two_servers "$dir" "$p1" "$p2"
  { echo "controller: { api: 127.0.0.1:$api, journal: journal.db }"; db_service "$dir" "$p1" "$p2" "$check" "$sync" "$proxy"; } > "$dir/understudy.yaml"
  "$UNDERSTUDY" serve -c "$dir/understudy.yaml" > "$dir/controller.log" 2>&1 &
  echo $! > "$dir/run/controller.pid"

  local deadline=$(( $(date +%s) + UP_TIMEOUT )) ok=0
  while [ "$(date +%s)" -lt $deadline ]; do
    if [ "$(json_get_url "http://127.0.0.1:$api/api/status" services 0 routable 2>/dev/null)" = pg1 ] \
       && psql_ha "$proxy" "SELECT 1" >/dev/null && [ "$(psql_ha "$p1" "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" = 1 ]; then
      ok=1; break
    fi
    sleep 0.2
  done
  [ $ok = 1 ] || { log "up: not ready in ${UP_TIMEOUT}s; see $dir/controller.log"; teardown "$dir"; exit 1; }

  python3 - "$dir" "$setting" "$sync" "$proxy" "$api" "$p1" "$p2" "$(iso_of "$t0")" <<'PY'
import json, sys
d, setting, sync, proxy, api, p1, p2, t0 = sys.argv[1:]
json.dump({
    "system": "understudy", "setting": setting, "synchronous": sync == "true", "created_at": t0,
    "connection_string": f"Host=127.0.0.1;Port={proxy};Username=postgres;Database=postgres",
    "api": f"http://127.0.0.1:{api}", "proxy_port": int(proxy),
    "nodes": [{"name": "pg1", "pg_port": int(p1), "data_dir": f"{d}/pg1/data"}, {"name": "pg2", "pg_port": int(p2), "data_dir": f"{d}/pg2/data"}],
}, open(f"{d}/env.json", "w"), indent=2)
PY
  echo "$dir/env.json"
}

cmd_crash_leader() {
  local dir=${1:-}; [ -n "$dir" ] && [ -f "$dir/$MARKER" ] || die "usage: env.sh crash-leader DIR (an env made by up)"
  dir=$(cd "$dir" && pwd -P)
  local leader pm; leader=$(primary_of "$dir") || die "crash-leader: the controller does not answer"
  pm=$(read_pidfile "$dir/$leader/data/postmaster.pid")
  pid_is "$pm" "$dir/$leader/data" || die "crash-leader: no live postmaster for $leader"
  crash_processes "$pm"
  echo "$leader" > "$dir/run/crashed"
  wait_gone 5 "${CRASH_PIDS[@]}" || log "crash-leader: some of ${CRASH_PIDS[*]} still alive 5 s after SIGKILL"
  local pids; pids=$(IFS=,; echo "${CRASH_PIDS[*]}")
  echo "{\"node\":\"$leader\",\"instant\":\"$CRASH_INSTANT\",\"began\":\"$CRASH_BEGAN\",\"killed\":\"$CRASH_KILLED\",\"pids\":[$pids]}"
}

teardown() { # DIR
  local dir=$1 pid
  pid=$(read_pidfile "$dir/run/controller.pid"); [ -n "$pid" ] && pid_is "$pid" serve && stop_pid "$pid" TERM 15
  stop_servers "$dir"
}

env_main 2,9 "$@"
