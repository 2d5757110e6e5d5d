#!/usr/bin/env bash
# Two redis-servers (r1 primary, r2 its replica) with an Understudy controller and its proxy in front, on 127.0.0.1:
# the Understudy side of bench/redis-failover, with the same commands as ../sentinel/env.sh.
#
#   env.sh up DIR [--synchronous] check { interval 100ms, timeout 80ms, fall 2, rise 1 }, proxy hold 5s; with
#                                 --synchronous, failover.synchronous: true (the proxy sends WAIT 1 1000 after each
#                                 batch of writes and holds their replies until it answers; not strict)
#   env.sh crash-primary DIR      SIGKILL of the primary's redis-server; prints {"node","port","pid","instant"}
#   env.sh primary DIR            the port of the member the controller routes to
#   env.sh down DIR               (KEEP=1 keeps DIR for its logs)
#
# The controller plays the other machine: it stays up while the primary crashes. Every process is started here,
# recorded by PID under DIR/run, and stopped by those PIDs only. Every wait is bounded.
set -euo pipefail
MARKER=.understudy-redis-bench-env
. "$(dirname "$0")/../lib.sh"
CHECK=${CHECK:-"{ interval: 100ms, timeout: 80ms, fall: 2, rise: 1 }"}

api_of() { echo "http://127.0.0.1:$(cat "$1/run/api.port")"; }
port_of() { python3 -c "import json,sys;e=json.load(open(sys.argv[1]));print({n['name']:n['port'] for n in e['nodes']}[sys.argv[2]])" "$1/env.json" "$2"; }

cmd_up() {
  local dir="" sync=false
  while [ $# -gt 0 ]; do
    case "$1" in --synchronous) sync=true; shift ;; -*) die "up: unknown option $1" ;; *) dir=$1; shift ;; esac
  done
  redis_env_begin "$dir"; dir=$UP_DIR; local t0=$EPOCHREALTIME
  [ -x "$UNDERSTUDY" ] || die "no understudy binary at $UNDERSTUDY (dotnet build src/Understudy -c Release)"
  read -r p1 p2 proxy api <<<"$(free_ports 4)"
  echo "$api" > "$dir/run/api.port"
  start_redis_pair "$dir" "$p1" "$p2"
  cat > "$dir/understudy.yaml" <<YAML
controller: { api: 127.0.0.1:$api, journal: journal.db }
services:
  cache:
    kind: redis
    members:
      - { name: r1, address: 127.0.0.1:$p1 }
      - { name: r2, address: 127.0.0.1:$p2 }
    primary: r1
    check: $CHECK
    failover: { mode: automatic, synchronous: $sync }
    traffic:
      proxy: { listen: 127.0.0.1:$proxy, hold: 5s }
YAML
  ( cd "$dir" && exec "$UNDERSTUDY" serve -c "$dir/understudy.yaml" ) > "$dir/controller.log" 2>&1 &
  echo $! > "$dir/run/controller.pid"

  local deadline=$(( $(date +%s) + UP_TIMEOUT )) ok=0
  while [ "$(date +%s)" -lt $deadline ]; do
    alive "$(read_pidfile "$dir/run/controller.pid")" || break
    if [ "$(json_get_url "$(api_of "$dir")/api/status" services 0 routable 2>/dev/null)" = r1 ] \
       && [ "$(rcli "$proxy" SET bench:proxy ok)" = OK ]; then ok=1; break; fi
    sleep 0.2
  done
  [ $ok = 1 ] || { log "up: not ready in ${UP_TIMEOUT}s; see $dir/controller.log"; teardown "$dir"; exit 1; }
  python3 - "$dir" "$proxy" "$api" "$p1" "$p2" "$(iso_of "$t0")" "$CHECK" "$sync" <<'PY'
import json, sys
d, proxy, api, p1, p2, t0, check, sync = sys.argv[1:]
json.dump({
    "system": "understudy", "created_at": t0, "check": check, "hold": "5s", "synchronous": sync == "true",
    "endpoint": {"kind": "proxy", "port": int(proxy)}, "api": f"http://127.0.0.1:{api}",
    "nodes": [{"name": "r1", "port": int(p1)}, {"name": "r2", "port": int(p2)}],
}, open(f"{d}/env.json", "w"), indent=2)
PY
  echo "$dir/env.json"
}

cmd_primary() { # the port of the member the controller routes to
  local dir=$1 name; name=$(json_get_url "$(api_of "$dir")/api/status" services 0 routable) || die "the controller does not answer"
  [ -n "$name" ] && [ "$name" != None ] || die "no member is routable"
  port_of "$dir" "$name"
}

cmd_crash_primary() { local dir=$1; kill_redis_on "$dir" "$(cmd_primary "$dir")"; }

# The journal's events of the service, for where the time went.
cmd_events() { curl -s -m 5 "$(api_of "$1")/api/events?service=cache"; }

teardown() { # DIR
  local dir=$1 pid
  pid=$(read_pidfile "$dir/run/controller.pid"); [ -n "$pid" ] && pid_is "$pid" serve && stop_pid "$pid" TERM 15
  stop_redis_pair "$dir"
}

redis_env_main 2,13 "$@"
