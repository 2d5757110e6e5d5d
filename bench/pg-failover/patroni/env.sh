#!/usr/bin/env bash
# A two-node Patroni cluster (etcd + HAProxy) on 127.0.0.1, the anchor side of bench/pg-failover.
#
#   env.sh up DIR [--setting defaults|aggressive] [--synchronous]
#   env.sh crash-leader DIR
#   env.sh status DIR
#   env.sh down DIR [--keep]
#
# See README.md beside this file. Every process is started by this script, recorded by PID under DIR/run,
# and stopped by those PIDs only (never by name). Every wait is bounded.
set -euo pipefail

PGBIN=/usr/lib/postgresql/15/bin
PATRONI_BIN=/usr/bin/patroni
ETCD_BIN=/usr/bin/etcd
HAPROXY_BIN=/usr/sbin/haproxy
PSQL_BIN=/usr/bin/psql
PG_USER=postgres
NODES=(pg1 pg2)
SCOPE=understudy-bench
NAMESPACE=/understudy-bench/
UP_TIMEOUT=${UP_TIMEOUT:-120}          # seconds for the whole cluster to come up
MARKER=.patroni-bench-env               # down only removes a folder that holds this file

die() { echo "env.sh: $*" >&2; exit 1; }
log() { echo "env.sh: $*" >&2; }
now_iso() { iso_of "$EPOCHREALTIME"; }
iso_of() { # EPOCHREALTIME value -> UTC ISO 8601 with milliseconds
  local t=$1; local sec=${t%.*} frac=${t#*.}000
  TZ=UTC printf '%(%Y-%m-%dT%H:%M:%S)T.%sZ\n' "$sec" "${frac:0:3}"
}
now_s() { echo "$EPOCHREALTIME"; }
phase() { [ "${VERBOSE:-0}" = 1 ] && log "+$(python3 -c "print(round($EPOCHREALTIME - $1, 2))")s $2" || true; }

# ---------------------------------------------------------------- processes (by PID, verified by cmdline)

# cmdline of PID with NULs as spaces, or nothing when it is gone.
cmdline_of() { { tr '\0' ' ' < "/proc/$1/cmdline"; } 2>/dev/null || true; }

# State letter of PID (R, S, T, Z, ...), or nothing when it is gone.
state_of() {
  local s
  { read -r s < "/proc/$1/stat"; } 2>/dev/null || return 0
  s=${s##*) }
  echo "${s%% *}"
}

# True when PID exists, is not a zombie, and its cmdline contains every given fragment.
pid_is() {
  local pid=$1 cmd st frag; shift
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  st=$(state_of "$pid"); [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ] || return 1
  cmd=$(cmdline_of "$pid")
  for frag in "$@"; do [[ "$cmd" == *"$frag"* ]] || return 1; done
}

alive() { local st; st=$(state_of "$1"); [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]; }

# Prints every descendant of the given PIDs (not the PIDs themselves), walking /proc by ppid.
descendants() {
  local -A children=()
  local f s rest pid ppid
  for f in /proc/[0-9]*/stat; do
    { read -r s < "$f"; } 2>/dev/null || continue
    rest=${s##*) }; rest=${rest#* }; ppid=${rest%% *}
    pid=${f#/proc/}; pid=${pid%/stat}
    children[$ppid]+=" $pid"
  done
  local -a queue=("$@"); local i=0 p c
  while [ $i -lt ${#queue[@]} ] && [ $i -lt 100000 ]; do
    p=${queue[$i]}; i=$((i + 1))
    for c in ${children[$p]:-}; do echo "$c"; queue+=("$c"); done
  done
}

# Waits up to SECONDS for all PIDs to be gone (or zombies); returns 1 if some are left.
wait_gone() {
  local secs=$1; shift
  local deadline=$(( $(date +%s) + secs )) p left
  while :; do
    left=0
    for p in "$@"; do alive "$p" && left=1; done
    [ $left = 0 ] && return 0
    [ "$(date +%s)" -ge $deadline ] && return 1
    sleep 0.1
  done
}

# Sends SIG to PID (and SIGCONT, in case it is stopped), waits up to SECS for it to go, then SIGKILL.
stop_pid() {
  local pid=$1 sig=$2 secs=$3
  alive "$pid" || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  kill -CONT "$pid" 2>/dev/null || true
  if ! wait_gone "$secs" "$pid"; then
    log "PID $pid still alive after SIG$sig and ${secs}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone 5 "$pid" || log "PID $pid survived SIGKILL"
  fi
}

read_pidfile() { [ -s "$1" ] && head -n 1 "$1" | tr -dc 0-9 || true; }

# ---------------------------------------------------------------- small helpers

free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()
EOF
}

http_code() { curl -s -o /dev/null -m "${2:-1}" -w '%{http_code}' "$1" 2>/dev/null || true; }
http_body() { curl -s -m "${2:-1}" "$1" 2>/dev/null || true; }

psql_ha() { # psql through HAProxy: psql_ha PORT SQL
  PGCONNECT_TIMEOUT=2 "$PSQL_BIN" -w -X -A -t -q -h 127.0.0.1 -p "$1" -U postgres -d postgres \
    -v ON_ERROR_STOP=1 -c "$2" 2>/dev/null
}

# Reads a field of DIR/env.json by its keys: json_get DIR haproxy port
json_get() {
  python3 - "$1/env.json" "${@:2}" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(json.dumps(v) if isinstance(v, (list, dict)) else v)
EOF
}

as_pg() { runuser -u "$PG_USER" -- "$@"; }

# HAProxy's view of a server via its stats socket: UP, DOWN, ...
haproxy_server_status() { # DIR SERVER
  python3 - "$1/haproxy/admin.sock" "$2" <<'EOF'
import socket, sys
try:
    s = socket.socket(socket.AF_UNIX); s.settimeout(1); s.connect(sys.argv[1])
    s.sendall(b"show stat\n"); data = b""
    while True:
        b = s.recv(65536)
        if not b: break
        data += b
    for line in data.decode().splitlines():
        f = line.split(",")
        if len(f) > 17 and f[0] == "pg" and f[1] == sys.argv[2]:
            print(f[17]); break
except Exception:
    pass
EOF
}

# Name of the node whose Patroni answers 200 on /primary, or nothing.
leader_of() { # DIR
  local n
  for n in "${NODES[@]}"; do
    local port; port=$(read_pidfile "$1/run/$n.restapi.port")
    [ -n "$port" ] && [ "$(http_code "http://127.0.0.1:$port/primary" 1)" = 200 ] && { echo "$n"; return 0; }
  done
  return 0
}

# ---------------------------------------------------------------- up

setting_values() { # prints "ttl loop_wait retry_timeout"
  case "$1" in
    defaults) echo "30 10 10" ;;
    aggressive) echo "10 1 4" ;;
    *) die "unknown setting '$1' (defaults|aggressive)" ;;
  esac
}

write_patroni_yml() { # DIR NAME PGPORT RESTPORT ETCDPORT TTL LOOP RETRY SYNC
  local dir=$1 name=$2 pgport=$3 restport=$4 etcdport=$5 ttl=$6 loop=$7 retry=$8 sync=$9
  local nd="$dir/$name"
  cat > "$nd/patroni.yml" <<EOF
# Generated by bench/pg-failover/patroni/env.sh
scope: $SCOPE
namespace: $NAMESPACE
name: $name

log:
  level: INFO

restapi:
  listen: 127.0.0.1:$restport
  connect_address: 127.0.0.1:$restport

etcd3:
  host: 127.0.0.1:$etcdport

bootstrap:
  dcs:
    ttl: $ttl
    loop_wait: $loop
    retry_timeout: $retry
    maximum_lag_on_failover: 1048576
    synchronous_mode: $sync
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        max_wal_senders: 10
        max_replication_slots: 10
  initdb:
    - encoding: UTF8
    - data-checksums
    - auth: trust

postgresql:
  listen: 127.0.0.1:$pgport
  connect_address: 127.0.0.1:$pgport
  data_dir: $nd/data
  bin_dir: $PGBIN
  pgpass: $nd/pgpass
  authentication:
    superuser:
      username: postgres
      password: postgres
    replication:
      username: replicator
      password: replicator
    rewind:
      username: postgres
      password: postgres
  parameters:
    unix_socket_directories: '$nd'
  pg_hba:
    - local all all trust
    - local replication all trust
    - host all all 127.0.0.1/32 trust
    - host replication replicator 127.0.0.1/32 trust

watchdog:
  mode: "off"

tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
EOF
}

write_haproxy_cfg() { # DIR HAPORT RPORT1 PGPORT1 RPORT2 PGPORT2
  local dir=$1
  cat > "$dir/haproxy/haproxy.cfg" <<EOF
# Generated by bench/pg-failover/patroni/env.sh: writes go to the node whose Patroni says it is primary.
global
    maxconn 2000
    stats socket $dir/haproxy/admin.sock mode 600 level admin

defaults
    mode tcp
    retries 2
    timeout connect 1s
    timeout check 1s
    timeout client 30m
    timeout server 30m

listen pg
    bind 127.0.0.1:$2
    option httpchk GET /primary
    http-check expect status 200
    default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
    server pg1 127.0.0.1:$4 check port $3
    server pg2 127.0.0.1:$6 check port $5
EOF
}

start_node() { # DIR NAME
  local dir=$1 name=$2 nd="$1/$2"
  # runuser forks and waits, so the shell inside writes Patroni's own PID (exec keeps it).
  ( cd "$nd" && exec setsid runuser -u "$PG_USER" -- sh -c 'echo $$ > "$1"; exec "$2" "$3"' sh \
      "$nd/patroni.pid" "$PATRONI_BIN" "$nd/patroni.yml" </dev/null >>"$nd/patroni.log" 2>&1 ) &
  local i pid=""
  for i in $(seq 1 50); do
    pid=$(read_pidfile "$nd/patroni.pid")
    [ -n "$pid" ] && pid_is "$pid" patroni && break
    pid=""; sleep 0.1
  done
  [ -n "$pid" ] || die "$name: Patroni did not start (see $nd/patroni.log)"
  echo "$pid" > "$dir/run/$name.patroni.pid"
  # Its parent is runuser (ours too); record it so down can reap it.
  local s; { read -r s < "/proc/$pid/stat"; } 2>/dev/null || true
  s=${s##*) }; s=${s#* }; s=${s%% *}
  pid_is "$s" runuser && echo "$s" > "$dir/run/$name.runuser.pid" || true
}

# Records the current postmaster PID of NAME (appending to the list down will check) and prints it.
postmaster_pid() { # DIR NAME
  local dir=$1 name=$2 pid
  pid=$(read_pidfile "$dir/$name/data/postmaster.pid")
  if [ -n "$pid" ] && pid_is "$pid" "$dir/$name/data"; then
    grep -qx "$pid" "$dir/run/$name.postmaster.pids" 2>/dev/null || echo "$pid" >> "$dir/run/$name.postmaster.pids"
    echo "$pid"
  fi
}

cmd_up() {
  local dir="" setting=aggressive sync=false
  while [ $# -gt 0 ]; do
    case "$1" in
      --setting) setting=${2:-}; shift 2 ;;
      --setting=*) setting=${1#*=}; shift ;;
      --synchronous) sync=true; shift ;;
      -*) die "up: unknown option $1" ;;
      *) [ -z "$dir" ] || die "up: one DIR only"; dir=$1; shift ;;
    esac
  done
  [ -n "$dir" ] || die "usage: env.sh up DIR [--setting defaults|aggressive] [--synchronous]"
  [ "$(id -u)" = 0 ] || die "up: run as root (it starts Patroni as $PG_USER with runuser)"
  local ttl loop retry; read -r ttl loop retry <<<"$(setting_values "$setting")"
  for b in "$PGBIN/postgres" "$PATRONI_BIN" "$ETCD_BIN" "$HAPROXY_BIN" "$PSQL_BIN"; do
    [ -x "$b" ] || die "missing $b (apt-get install -y patroni etcd-server haproxy postgresql-15)"
  done
  mkdir -p "$dir"; dir=$(cd "$dir" && pwd -P)
  [ -z "$(ls -A "$dir")" ] || die "up: $dir is not empty"
  [ ${#dir} -le 80 ] || die "up: $dir is too long for PostgreSQL's unix socket path (keep it under 80 characters)"
  touch "$dir/$MARKER"
  mkdir -p "$dir/run" "$dir/etcd" "$dir/haproxy" "$dir/pg1" "$dir/pg2"
  chown -R "$PG_USER:$PG_USER" "$dir"; chmod 700 "$dir"
  as_pg test -w "$dir/pg1" || die "up: $PG_USER cannot write $dir (is a parent folder closed to it?)"

  # If anything below fails, stop what was started (logs stay in DIR).
  trap 'rc=$?; if [ $rc != 0 ]; then log "up failed; stopping what it started (logs kept in '"$dir"')"; teardown "'"$dir"'" || true; fi' EXIT

  local -a p; read -r -a p <<<"$(free_ports 7)"
  local haport=${p[0]} etcd_c=${p[1]} etcd_p=${p[2]} pg1=${p[3]} pg2=${p[4]} r1=${p[5]} r2=${p[6]}
  echo "$r1" > "$dir/run/pg1.restapi.port"; echo "$r2" > "$dir/run/pg2.restapi.port"
  local t0; t0=$(now_s)

  # etcd, single member, as root.
  ( exec setsid "$ETCD_BIN" --name etcd1 --data-dir "$dir/etcd/data" \
      --listen-client-urls "http://127.0.0.1:$etcd_c" --advertise-client-urls "http://127.0.0.1:$etcd_c" \
      --listen-peer-urls "http://127.0.0.1:$etcd_p" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_p" \
      --initial-cluster "etcd1=http://127.0.0.1:$etcd_p" --initial-cluster-state new \
      --initial-cluster-token "understudy-bench-$$" </dev/null >"$dir/etcd/etcd.log" 2>&1 ) &
  echo $! > "$dir/run/etcd.pid"
  local i ok=0
  for i in $(seq 1 100); do
    [[ "$(http_body "http://127.0.0.1:$etcd_c/health")" == *'"health":"true"'* ]] && { ok=1; break; }
    alive "$(read_pidfile "$dir/run/etcd.pid")" || break
    sleep 0.1
  done
  [ $ok = 1 ] || die "etcd did not become healthy (see $dir/etcd/etcd.log)"
  phase "$t0" "etcd healthy"
  pid_is "$(read_pidfile "$dir/run/etcd.pid")" etcd || die "etcd PID mismatch"

  write_patroni_yml "$dir" pg1 "$pg1" "$r1" "$etcd_c" "$ttl" "$loop" "$retry" "$sync"
  write_patroni_yml "$dir" pg2 "$pg2" "$r2" "$etcd_c" "$ttl" "$loop" "$retry" "$sync"
  chown "$PG_USER:$PG_USER" "$dir"/pg1/patroni.yml "$dir"/pg2/patroni.yml

  # HAProxy, as root, in the foreground of its own PID (no master-worker, no daemon).
  write_haproxy_cfg "$dir" "$haport" "$r1" "$pg1" "$r2" "$pg2"
  "$HAPROXY_BIN" -c -q -f "$dir/haproxy/haproxy.cfg" || die "haproxy config check failed"
  ( exec setsid "$HAPROXY_BIN" -db -f "$dir/haproxy/haproxy.cfg" </dev/null >"$dir/haproxy/haproxy.log" 2>&1 ) &
  echo $! > "$dir/run/haproxy.pid"

  # pg1 first, so it bootstraps and leads; then pg2 clones from it.
  local deadline=$(( $(date +%s) + UP_TIMEOUT ))
  start_node "$dir" pg1
  ok=0
  while [ "$(date +%s)" -lt $deadline ]; do
    [ "$(http_code "http://127.0.0.1:$r1/primary")" = 200 ] && { ok=1; break; }
    alive "$(read_pidfile "$dir/run/pg1.patroni.pid")" || break
    sleep 0.2
  done
  [ $ok = 1 ] || die "pg1 did not become leader within ${UP_TIMEOUT}s (see $dir/pg1/patroni.log)"
  phase "$t0" "pg1 leader"
  start_node "$dir" pg2

  # Leader reports pg2 streaming (and, with --synchronous, as its sync standby); pg2 answers /replica.
  ok=0
  while [ "$(date +%s)" -lt $deadline ]; do
    if http_body "http://127.0.0.1:$r1/primary" | python3 -c '
import json, sys
j = json.load(sys.stdin)
sync = sys.argv[1] == "true"
sys.exit(0 if any(r.get("application_name") == "pg2" and r.get("state") == "streaming"
                  and (not sync or r.get("sync_state") == "sync")
                  for r in j.get("replication", [])) else 1)' "$sync" 2>/dev/null \
       && [ "$(http_code "http://127.0.0.1:$r2/replica")" = 200 ]; then ok=1; break; fi
    alive "$(read_pidfile "$dir/run/pg2.patroni.pid")" || break
    sleep 0.2
  done
  [ $ok = 1 ] || die "pg2 did not stream from pg1 (synchronous_mode $sync) within ${UP_TIMEOUT}s (see $dir/pg2/patroni.log)"
  phase "$t0" "pg2 streaming"

  # HAProxy: pg1 UP, pg2 DOWN, and a write through it lands on pg1.
  ok=0
  while [ "$(date +%s)" -lt $deadline ]; do
    if [ "$(haproxy_server_status "$dir" pg1)" = UP ] && [ "$(haproxy_server_status "$dir" pg2)" = DOWN ] \
       && [ "$(psql_ha "$haport" 'SELECT txid_current() > 0, inet_server_port()')" = "t|$pg1" ]; then ok=1; break; fi
    alive "$(read_pidfile "$dir/run/haproxy.pid")" || break
    sleep 0.2
  done
  [ $ok = 1 ] || die "HAProxy did not route writes to pg1 within ${UP_TIMEOUT}s (see $dir/haproxy/haproxy.log)"
  phase "$t0" "HAProxy routes writes to pg1"
  pid_is "$(read_pidfile "$dir/run/haproxy.pid")" haproxy || die "HAProxy PID mismatch"

  local pm1 pm2; pm1=$(postmaster_pid "$dir" pg1); pm2=$(postmaster_pid "$dir" pg2)
  [ -n "$pm1" ] && [ -n "$pm2" ] || die "could not read both postmaster PIDs"
  local secs; secs=$(python3 -c "print(round($(now_s) - $t0, 1))")

  DIR="$dir" SETTING="$setting" SYNC="$sync" TTL="$ttl" LOOP="$loop" RETRY="$retry" HAPORT="$haport" \
  ETCD_C="$etcd_c" ETCD_P="$etcd_p" PG1="$pg1" PG2="$pg2" R1="$r1" R2="$r2" PM1="$pm1" PM2="$pm2" \
  PAT1="$(read_pidfile "$dir/run/pg1.patroni.pid")" PAT2="$(read_pidfile "$dir/run/pg2.patroni.pid")" \
  RU1="$(read_pidfile "$dir/run/pg1.runuser.pid")" RU2="$(read_pidfile "$dir/run/pg2.runuser.pid")" \
  ETCD_PID="$(read_pidfile "$dir/run/etcd.pid")" HA_PID="$(read_pidfile "$dir/run/haproxy.pid")" \
  SECS="$secs" CREATED="$(now_iso)" \
  VPATRONI="$("$PATRONI_BIN" --version 2>/dev/null | awk '{print $2}')" \
  VETCD="$("$ETCD_BIN" --version 2>/dev/null | awk '/^etcd Version/{print $3}')" \
  VHAPROXY="$("$HAPROXY_BIN" -v 2>/dev/null | awk 'NR==1{print $3}')" \
  VPG="$("$PGBIN/postgres" --version | awk '{print $3}')" \
  python3 - <<'EOF'
import json, os
e = os.environ
n = lambda k: int(e[k]) if e.get(k) else None
def node(name, pg, rest, pat, ru, pm):
    return {"name": name, "pg_port": n(pg), "restapi_port": n(rest),
            "restapi": "http://127.0.0.1:%s" % e[rest], "patroni_pid": n(pat), "runuser_pid": n(ru),
            "postmaster_pid": n(pm), "data_dir": "%s/%s/data" % (e["DIR"], name),
            "patroni_log": "%s/%s/patroni.log" % (e["DIR"], name)}
ha = int(e["HAPORT"])
env = {
    "system": "patroni",
    "created_at": e["CREATED"],
    "setting": e["SETTING"],
    "dcs": {"ttl": int(e["TTL"]), "loop_wait": int(e["LOOP"]), "retry_timeout": int(e["RETRY"]),
            "maximum_lag_on_failover": 1048576, "synchronous_mode": e["SYNC"] == "true"},
    "haproxy": {"port": ha, "pid": n("HA_PID"), "stats_socket": e["DIR"] + "/haproxy/admin.sock",
                "check": "GET /primary, expect 200, inter 1s fall 2 rise 1, on-marked-down shutdown-sessions"},
    "etcd": {"endpoint": "http://127.0.0.1:%s" % e["ETCD_C"], "peer_port": n("ETCD_P"), "pid": n("ETCD_PID")},
    "nodes": [node("pg1", "PG1", "R1", "PAT1", "RU1", "PM1"), node("pg2", "PG2", "R2", "PAT2", "RU2", "PM2")],
    "leader": "pg1",
    "replica": "pg2",
    "connection_string": "Host=127.0.0.1;Port=%d;Username=postgres;Database=postgres" % ha,
    "libpq": "host=127.0.0.1 port=%d user=postgres dbname=postgres" % ha,
    "versions": {"patroni": e["VPATRONI"], "etcd": e["VETCD"], "haproxy": e["VHAPROXY"], "postgresql": e["VPG"]},
    "up_seconds": float(e["SECS"]),
}
path = e["DIR"] + "/env.json"
with open(path + ".tmp", "w") as f:
    json.dump(env, f, indent=2); f.write("\n")
os.replace(path + ".tmp", path)
EOF
  trap - EXIT
  log "up in ${secs}s: leader pg1, replica pg2 streaming, HAProxy on 127.0.0.1:$haport ($setting, synchronous_mode $sync)"
  echo "$dir/env.json"
}

# ---------------------------------------------------------------- crash-leader

cmd_crash_leader() {
  local dir=${1:-}; [ -n "$dir" ] && [ -f "$dir/$MARKER" ] || die "usage: env.sh crash-leader DIR (an env made by up)"
  dir=$(cd "$dir" && pwd -P)
  local leader="" i
  for i in $(seq 1 20); do leader=$(leader_of "$dir"); [ -n "$leader" ] && break; sleep 0.25; done
  [ -n "$leader" ] || die "crash-leader: no node answers 200 on /primary"

  # Roots: Patroni (and its runuser parent) and the postmaster, which Patroni detaches from itself.
  local -a roots=() all=()
  local pat ru pm
  pat=$(read_pidfile "$dir/run/$leader.patroni.pid"); pid_is "$pat" patroni && roots+=("$pat")
  ru=$(read_pidfile "$dir/run/$leader.runuser.pid"); pid_is "$ru" runuser && roots+=("$ru")
  pm=$(read_pidfile "$dir/$leader/data/postmaster.pid"); pid_is "$pm" "$dir/$leader/data" && roots+=("$pm")
  [ ${#roots[@]} -gt 0 ] || die "crash-leader: no live process found for $leader"

  # 1. SIGSTOP the roots: a stopped postmaster cannot fork backends, a stopped Patroni cannot start anything.
  # 2. Walk /proc for their descendants (a stable set now) and SIGSTOP them all in one call, so that no
  #    backend keeps committing after the walsender is frozen (that would lose acknowledged writes that a
  #    real host crash would not). 3. Walk again until a walk finds nothing new.
  all=("${roots[@]}")
  local -A seen=(); local p
  for p in "${roots[@]}"; do seen[$p]=1; done
  local t_began=$EPOCHREALTIME
  kill -STOP "${roots[@]}" 2>/dev/null || true
  local t_stopped=$EPOCHREALTIME
  for i in $(seq 1 20); do
    local -a batch=()
    for p in $(descendants "${all[@]}"); do
      [ -n "${seen[$p]:-}" ] && continue
      seen[$p]=1; batch+=("$p")
    done
    [ ${#batch[@]} = 0 ] && break
    kill -STOP "${batch[@]}" 2>/dev/null || true
    t_stopped=$EPOCHREALTIME   # the instant is when the last of them was stopped
    all+=("${batch[@]}")
  done
  kill -KILL "${all[@]}" 2>/dev/null || true
  local t_killed=$EPOCHREALTIME
  local instant began killed
  instant=$(iso_of "$t_stopped"); began=$(iso_of "$t_began"); killed=$(iso_of "$t_killed")
  [ -n "$pm" ] && { grep -qx "$pm" "$dir/run/$leader.postmaster.pids" 2>/dev/null || echo "$pm" >> "$dir/run/$leader.postmaster.pids"; }
  echo "$leader" > "$dir/run/crashed"
  printf '%s\n' "${all[@]}" >> "$dir/run/crashed.pids"
  wait_gone 5 "${all[@]}" || log "crash-leader: some of ${all[*]} still alive 5 s after SIGKILL"
  local pids; pids=$(IFS=,; echo "${all[*]}")
  echo "{\"node\":\"$leader\",\"instant\":\"$instant\",\"began\":\"$began\",\"killed\":\"$killed\",\"pids\":[$pids]}"
}

# ---------------------------------------------------------------- status

cmd_status() {
  local dir=${1:-}; [ -n "$dir" ] && [ -f "$dir/$MARKER" ] || die "usage: env.sh status DIR"
  dir=$(cd "$dir" && pwd -P)
  local n port cluster=""
  for n in "${NODES[@]}"; do
    port=$(read_pidfile "$dir/run/$n.restapi.port"); [ -n "$port" ] || continue
    cluster=$(http_body "http://127.0.0.1:$port/cluster"); [ -n "$cluster" ] && break
  done
  local ha=""; [ -f "$dir/env.json" ] && ha=$(json_get "$dir" haproxy port)
  CLUSTER="$cluster" HA1="$(haproxy_server_status "$dir" pg1)" HA2="$(haproxy_server_status "$dir" pg2)" \
  WRITE="$( [ -n "$ha" ] && psql_ha "$ha" 'SELECT inet_server_port()' || true)" python3 - <<'EOF'
import json, os
e = os.environ
try:
    c = json.loads(e["CLUSTER"])
except Exception:
    c = None
if not c:
    print("no Patroni REST API answers /cluster")
else:
    leader = [m for m in c.get("members", []) if m.get("role") == "leader"]
    print("leader: %s" % (leader[0]["name"] if leader else "none"))
    for m in c.get("members", []):
        print("  %-4s role=%-12s state=%-10s pg=%s:%s timeline=%s lag=%s" % (
            m.get("name"), m.get("role"), m.get("state"), m.get("host"), m.get("port"),
            m.get("timeline"), m.get("lag", "-")))
print("haproxy: pg1=%s pg2=%s; write through it lands on port %s" % (
    e.get("HA1") or "?", e.get("HA2") or "?", e.get("WRITE") or "none (no answer)"))
EOF
}

# ---------------------------------------------------------------- down

# Stops every process recorded under DIR/run, by PID, each verified by its cmdline first.
teardown() {
  local dir=$1 pid n pm
  pid=$(read_pidfile "$dir/run/haproxy.pid")
  pid_is "$pid" haproxy "$dir" && stop_pid "$pid" TERM 5
  # Patroni first, with SIGKILL: a Patroni leader stopped gently releases its lock and the other node
  # promotes itself on the way down. With no agent left, each PostgreSQL gets a fast shutdown (SIGINT).
  for n in "${NODES[@]}"; do
    pid=$(read_pidfile "$dir/run/$n.patroni.pid")
    if pid_is "$pid" patroni "$dir/$n"; then
      # Its own children (initdb, pg_basebackup, pg_rewind while they run) go with it; the postmaster is
      # not among them (Patroni detaches it) and gets its fast shutdown below.
      local -a kids=(); read -r -a kids <<<"$(descendants "$pid" | tr '\n' ' ')"
      kill -STOP "$pid" 2>/dev/null || true
      [ ${#kids[@]} -gt 0 ] && kill -KILL "${kids[@]}" 2>/dev/null || true
      stop_pid "$pid" KILL 5
    fi
    pid=$(read_pidfile "$dir/run/$n.runuser.pid")
    pid_is "$pid" runuser "$dir/$n" && stop_pid "$pid" TERM 5
  done
  for n in "${NODES[@]}"; do
    postmaster_pid "$dir" "$n" >/dev/null || true
    if [ -f "$dir/run/$n.postmaster.pids" ]; then
      while read -r pm; do
        pid_is "$pm" "$dir/$n/data" && stop_pid "$pm" INT 15
      done < "$dir/run/$n.postmaster.pids"
    fi
  done
  pid=$(read_pidfile "$dir/run/etcd.pid")
  pid_is "$pid" etcd "$dir" && stop_pid "$pid" TERM 10
  # Report anything recorded that is still alive.
  local left=""
  for f in "$dir"/run/*.pid "$dir"/run/*.pids; do
    [ -f "$f" ] || continue
    while read -r pid; do [ -n "$pid" ] && alive "$pid" && pid_is "$pid" "$dir" && left+=" $pid"; done < "$f"
  done
  [ -z "$left" ] || { log "still alive after down:$left"; return 1; }
}

cmd_down() {
  local dir="" keep=0
  while [ $# -gt 0 ]; do
    case "$1" in --keep) keep=1; shift ;; -*) die "down: unknown option $1" ;; *) dir=$1; shift ;; esac
  done
  [ -n "$dir" ] || die "usage: env.sh down DIR [--keep]"
  [ -d "$dir" ] || { log "down: $dir does not exist"; return 0; }
  [ -f "$dir/$MARKER" ] || die "down: $dir was not made by env.sh up (no $MARKER); refusing"
  dir=$(cd "$dir" && pwd -P)
  teardown "$dir" || die "down: processes left; $dir kept"
  if [ $keep = 1 ]; then log "down: stopped; kept $dir"; else rm -rf -- "$dir"; log "down: stopped and removed $dir"; fi
}

# ---------------------------------------------------------------- main

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  crash-leader) shift; cmd_crash_leader "$@" ;;
  status) shift; cmd_status "$@" ;;
  down) shift; cmd_down "$@" ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
