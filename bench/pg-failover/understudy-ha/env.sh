#!/usr/bin/env bash
# Two PostgreSQL 15 servers (a primary and a streaming standby) with three Understudy instances on one etcd in
# front (issue 11), on 127.0.0.1: the several-controllers side of bench/pg-failover, with the commands of
# ../understudy/env.sh. Clients go through a follower's proxy (connection_string in env.json).
#
#   env.sh up DIR [--setting defaults|aggressive] [--synchronous]
#   env.sh crash-leader DIR [--with-controller-leader]
#   env.sh down DIR
#
# crash-leader is the host crash of the primary's node; the instances play the other machines and stay up. With
# --with-controller-leader the leader instance's PID is stopped and killed at the same instant, as if it ran on
# that host. Every process is started here, recorded by PID under DIR/run, and stopped by those PIDs only.
set -euo pipefail

PGBIN=/usr/lib/postgresql/15/bin
PSQL_BIN=/usr/bin/psql
PG_USER=postgres
MARKER=.understudy-ha-bench-env
INSTANCES=(ctl-a ctl-b ctl-c)
LEASE=2s
. "$(dirname "$0")/../lib.sh"

api_of() { cat "$1/run/$2.api"; }
# The instance the clients go through: ctl-b, a follower (ctl-a is started first and leads).
probe_instance() { echo ctl-b; }

cmd_up() {
  begin_up "$@"
  local dir=$UP_DIR setting=$UP_SETTING sync=$UP_SYNC
  local t0=$EPOCHREALTIME check; check=$(check_of "$setting")
  local -a p; read -r -a p <<<"$(free_ports 10)"
  local p1=${p[0]} p2=${p[1]} etcd_c=${p[2]} etcd_p=${p[3]} i=4 name
  trap 'rc=$?; if [ $rc != 0 ]; then log "up failed; stopping what it started (logs kept in '"$dir"')"; teardown "'"$dir"'" || true; fi' EXIT

  start_etcd "$dir" "$etcd_c" "$etcd_p"
  start_two_servers "$dir" "$p1" "$p2"
  for name in "${INSTANCES[@]}"; do
    echo "${p[$i]}" > "$dir/run/$name.api"; echo "${p[$((i + 1))]}" > "$dir/run/$name.proxy"; i=$((i + 2))
    { cat <<YAML
controller:
  name: $name
  api: 127.0.0.1:$(api_of "$dir" "$name")
  journal: $dir/$name.db
  coordination: { etcd: [http://127.0.0.1:$etcd_c], cluster: bench, lease: $LEASE }
YAML
      db_service "$dir" "$p1" "$p2" "$check" "$sync" "$(cat "$dir/run/$name.proxy")"; } > "$dir/$name.yaml"
  done

  # ctl-a alone until it leads, then the others join: the leader is known and the clients' instance a follower.
  local deadline=$(( $(date +%s) + UP_TIMEOUT )) ok=0
  for name in "${INSTANCES[@]}"; do
    "$UNDERSTUDY" serve -c "$dir/$name.yaml" > "$dir/$name.log" 2>&1 &
    echo $! > "$dir/run/$name.pid"
    [ "$name" = ctl-a ] || continue
    while [ "$(date +%s)" -lt $deadline ]; do
      [ "$(json_get_url "http://127.0.0.1:$(api_of "$dir" ctl-a)/api/cluster" leader 2>/dev/null)" = ctl-a ] && { ok=1; break; }
      sleep 0.2
    done
    [ $ok = 1 ] || die "up: ctl-a did not lead in ${UP_TIMEOUT}s; see $dir/ctl-a.log"
  done

  # Every instance routes to pg1 and names ctl-a; a query through the clients' proxy works; pg2 streams.
  local probe proxy; probe=$(probe_instance); proxy=$(cat "$dir/run/$probe.proxy")
  ok=0
  while [ "$(date +%s)" -lt $deadline ]; do
    local all=1
    for name in "${INSTANCES[@]}"; do
      local api; api=$(api_of "$dir" "$name")
      [ "$(json_get_url "http://127.0.0.1:$api/api/status" services 0 routable 2>/dev/null)" = pg1 ] \
        && [ "$(json_get_url "http://127.0.0.1:$api/api/cluster" leader 2>/dev/null)" = ctl-a ] \
        && [ "$(http_code "http://127.0.0.1:$api/ready")" = 200 ] || { all=0; break; }
    done
    if [ $all = 1 ] && psql_ha "$proxy" "SELECT 1" >/dev/null && [ "$(psql_ha "$p1" "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" = 1 ]; then
      ok=1; break
    fi
    sleep 0.2
  done
  [ $ok = 1 ] || die "up: not ready in ${UP_TIMEOUT}s; see $dir/ctl-*.log"
  trap - EXIT

  python3 - "$dir" "$setting" "$sync" "$probe" "$proxy" "$(api_of "$dir" "$probe")" "$p1" "$p2" "$etcd_c" "$(iso_of "$t0")" <<'PY'
import json, sys
d, setting, sync, probe, proxy, api, p1, p2, etcd, t0 = sys.argv[1:]
instances = []
for name in ("ctl-a", "ctl-b", "ctl-c"):
    read = lambda what: int(open(f"{d}/run/{name}.{what}").read())
    instances.append({"name": name, "api": f"http://127.0.0.1:{read('api')}", "proxy_port": read("proxy"), "pid": read("pid"), "config": f"{d}/{name}.yaml"})
json.dump({
    "system": "understudy-ha", "setting": setting, "synchronous": sync == "true", "created_at": t0,
    "connection_string": f"Host=127.0.0.1;Port={proxy};Username=postgres;Database=postgres",
    "api": f"http://127.0.0.1:{api}", "proxy_port": int(proxy), "clients_through": probe, "leader": "ctl-a",
    "etcd": f"http://127.0.0.1:{etcd}", "instances": instances,
    "nodes": [{"name": "pg1", "pg_port": int(p1), "data_dir": f"{d}/pg1/data"}, {"name": "pg2", "pg_port": int(p2), "data_dir": f"{d}/pg2/data"}],
}, open(f"{d}/env.json", "w"), indent=2)
PY
  echo "$dir/env.json"
}

cmd_crash_leader() {
  local dir="" with_leader=0
  while [ $# -gt 0 ]; do
    case "$1" in --with-controller-leader) with_leader=1; shift ;; -*) die "crash-leader: unknown option $1" ;; *) dir=$1; shift ;; esac
  done
  [ -n "$dir" ] && [ -f "$dir/$MARKER" ] || die "usage: env.sh crash-leader DIR [--with-controller-leader] (an env made by up)"
  dir=$(cd "$dir" && pwd -P)
  # One curl each and no python before the crash: a drill counts the outage from when this step began.
  local api primary pm leader="" ctl=""
  api="http://127.0.0.1:$(api_of "$dir" "$(probe_instance)")"
  primary=$(curl -s -m 2 "$api/api/status" | grep -o '"primary":"[^"]*"' | head -n 1 | cut -d'"' -f4)
  [ -n "$primary" ] || die "crash-leader: $(probe_instance) does not answer"
  pm=$(read_pidfile "$dir/$primary/data/postmaster.pid")
  pid_is "$pm" "$dir/$primary/data" || die "crash-leader: no live postmaster for $primary"
  local -a roots=("$pm")
  if [ $with_leader = 1 ]; then
    leader=$(curl -s -m 2 "$api/api/cluster" | grep -o '"leader":"[^"]*"' | head -n 1 | cut -d'"' -f4)
    ctl=$(read_pidfile "$dir/run/$leader.pid")
    pid_is "$ctl" serve "$dir/$leader.yaml" || die "crash-leader: no live process for the leader '$leader'"
    roots+=("$ctl")
  fi
  crash_processes "${roots[@]}"
  echo "$primary" > "$dir/run/crashed"
  wait_gone 5 "${CRASH_PIDS[@]}" || log "crash-leader: some of ${CRASH_PIDS[*]} still alive 5 s after SIGKILL"
  local pids; pids=$(IFS=,; echo "${CRASH_PIDS[*]}")
  echo "{\"node\":\"$primary\",\"controller_leader\":\"$leader\",\"instant\":\"$CRASH_INSTANT\",\"began\":\"$CRASH_BEGAN\",\"killed\":\"$CRASH_KILLED\",\"pids\":[$pids]}"
}

teardown() { # DIR
  local dir=$1 pid name
  for name in "${INSTANCES[@]}"; do
    pid=$(read_pidfile "$dir/run/$name.pid"); [ -n "$pid" ] && pid_is "$pid" serve "$dir/$name.yaml" && stop_pid "$pid" TERM 15
  done
  stop_servers "$dir"
  pid=$(read_pidfile "$dir/run/etcd.pid"); [ -n "$pid" ] && pid_is "$pid" etcd "$dir" && stop_pid "$pid" TERM 10
  return 0
}

env_main 2,12 "$@"
