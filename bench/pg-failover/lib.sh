# Shared by patroni/env.sh and understudy/env.sh: processes are handled by PID only (verified by their
# command line), never by name; every wait is bounded. Callers set PG_USER and PSQL_BIN before sourcing.

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
log() { echo "$(basename "$0"): $*" >&2; }
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

# Installs Debian's patroni, etcd-server, haproxy and postgresql when one is missing (the rigs' packages).
ensure_rig_packages() {
  local missing=()
  command -v patroni >/dev/null || missing+=(patroni)
  command -v etcd >/dev/null || missing+=(etcd-server)
  command -v haproxy >/dev/null || missing+=(haproxy)
  [ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  fi
}

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

# The "host crash" fault of the anchor measurements: SIGSTOP the given root processes and every descendant (walking /proc
# again until a walk finds nothing new), then SIGKILL them all, so nothing of that node answers after the
# instant. Sets CRASH_PIDS, CRASH_BEGAN, CRASH_INSTANT (when the last one was stopped) and CRASH_KILLED.
crash_processes() {
  local -a roots=("$@") all=("$@")
  local -A seen=(); local p i
  for p in "${roots[@]}"; do seen[$p]=1; done
  # 1. SIGSTOP the roots: a stopped postmaster cannot fork backends, a stopped Patroni cannot start anything.
  # 2. Walk /proc for their descendants (a stable set now) and SIGSTOP them all in one call, so that no
  #    backend keeps committing after the walsender is frozen (that would lose acknowledged writes that a
  #    real host crash would not). 3. Walk again until a walk finds nothing new.
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
  CRASH_PIDS=("${all[@]}")
  CRASH_BEGAN=$(iso_of "$t_began"); CRASH_INSTANT=$(iso_of "$t_stopped"); CRASH_KILLED=$(iso_of "$t_killed")
}

# ---------------------------------------------------------------- etcd (patroni/ and understudy-ha/)

# One etcd member as root in DIR/etcd, its PID in DIR/run/etcd.pid; returns once it is healthy, or dies.
start_etcd() { # DIR CLIENT_PORT PEER_PORT
  local dir=$1 c=$2 p=$3
  mkdir -p "$dir/etcd"
  ( exec setsid "${ETCD_BIN:-/usr/bin/etcd}" --name etcd1 --data-dir "$dir/etcd/data" \
      --listen-client-urls "http://127.0.0.1:$c" --advertise-client-urls "http://127.0.0.1:$c" \
      --listen-peer-urls "http://127.0.0.1:$p" --initial-advertise-peer-urls "http://127.0.0.1:$p" \
      --initial-cluster "etcd1=http://127.0.0.1:$p" --initial-cluster-state new \
      --initial-cluster-token "understudy-bench-$$" </dev/null >"$dir/etcd/etcd.log" 2>&1 ) &
  echo $! > "$dir/run/etcd.pid"
  local i ok=0
  for i in $(seq 1 100); do
    [[ "$(http_body "http://127.0.0.1:$c/health")" == *'"health":"true"'* ]] && { ok=1; break; }
    alive "$(read_pidfile "$dir/run/etcd.pid")" || break
    sleep 0.1
  done
  [ $ok = 1 ] || die "etcd did not become healthy (see $dir/etcd/etcd.log)"
  pid_is "$(read_pidfile "$dir/run/etcd.pid")" etcd || die "etcd PID mismatch"
}

# ---------------------------------------------------------------- the Understudy side (understudy/ and understudy-ha/)

UNDERSTUDY=${UNDERSTUDY:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/src/Understudy/bin/Release/net10.0/understudy}
UP_TIMEOUT=${UP_TIMEOUT:-90}

# The controller's check for each setting: defaults are Understudy's own (every 1 s, timeout 500 ms, fall 3);
# aggressive is the issue's example (every 200 ms, timeout 150 ms, fall 2).
check_of() {
  case "$1" in
    defaults) echo "{ interval: 1s, timeout: 500ms, fall: 3, rise: 2 }" ;;
    aggressive) echo "{ interval: 200ms, timeout: 150ms, fall: 2, rise: 2 }" ;;
    *) die "unknown setting $1 (defaults or aggressive)" ;;
  esac
}

# pg1, a primary on P1, and pg2, its streaming standby (pg_basebackup) on P2, both started; DIR/pg1 and DIR/pg2
# exist and belong to PG_USER. Their postmaster PIDs go to DIR/run/NAME.postmaster.pids.
start_two_servers() { # DIR P1 P2
  local dir=$1 p1=$2 p2=$3 data=$1/pg1/data
  as_pg "$PGBIN/initdb" --data-checksums -U postgres --auth=trust -D "$data" >/dev/null
  cat >> "$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $p1
unix_socket_directories = '$dir/pg1'
wal_level = replica
max_wal_senders = 10
hot_standby = on
wal_keep_size = '256MB'
shared_buffers = 32MB
CONF
  echo "host replication all 127.0.0.1/32 trust" >> "$data/pg_hba.conf"
  echo "host all all 127.0.0.1/32 trust" >> "$data/pg_hba.conf"
  start_pg "$dir" pg1
  as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$p1" -U postgres -D "$dir/pg2/data" -R -X stream -c fast \
    -d "host=127.0.0.1 port=$p1 user=postgres application_name=pg2"
  sed -i -e "s/^port = .*/port = $p2/" -e "s|^unix_socket_directories = .*|unix_socket_directories = '$dir/pg2'|" "$dir/pg2/data/postgresql.conf"
  start_pg "$dir" pg2
}

start_pg() { # DIR NAME
  as_pg "$PGBIN/pg_ctl" -D "$1/$2/data" -l "$1/$2/log" start -w -t 60 >/dev/null
  echo "$(read_pidfile "$1/$2/data/postmaster.pid")" >> "$1/run/$2.postmaster.pids"
}

# The services: section of a controller's config: the two servers, the check, and a proxy on PROXY.
db_service() { # DIR P1 P2 CHECK SYNC PROXY
  cat <<YAML
services:
  db:
    kind: postgres
    postgres: { user: postgres, database: postgres }
    members:
      - { name: pg1, address: 127.0.0.1:$2, data_dir: $1/pg1/data }
      - { name: pg2, address: 127.0.0.1:$3, data_dir: $1/pg2/data }
    check: $4
    failover: { mode: automatic, max_lag: 1MB, synchronous: $5 }
    traffic:
      proxy: { listen: 127.0.0.1:$6, hold: 10s }
YAML
}

# A field of the JSON at URL by its keys: json_get_url URL services 0 primary
json_get_url() { curl -s -m 2 "$1" | python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1:]: v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "${@:2}"; }

# Stops the postmasters recorded for pg1 and pg2 (fast shutdown), by PID, and the one each data folder's
# postmaster.pid names now (a switchover or a rejoin restarts a server under a new PID).
stop_servers() { # DIR
  local dir=$1 name pid
  for name in pg1 pg2; do
    while read -r pid || [ -n "$pid" ]; do
      if [ -n "$pid" ] && pid_is "$pid" "$dir/$name/data"; then stop_pid "$pid" INT 15; fi
    done < <(cat "$dir/run/$name.postmaster.pids" 2>/dev/null; read_pidfile "$dir/$name/data/postmaster.pid")
  done
}

# The start of an Understudy env's up: DIR [--setting S] [--synchronous] into UP_DIR, UP_SETTING and UP_SYNC; DIR
# made (it must be new or empty), marked with $MARKER, given run/, pg1/ and pg2/, and owned by PG_USER.
begin_up() {
  UP_DIR="" UP_SETTING=aggressive UP_SYNC=false
  while [ $# -gt 0 ]; do
    case "$1" in --setting) UP_SETTING=$2; shift 2 ;; --synchronous) UP_SYNC=true; shift ;; -*) die "up: unknown option $1" ;; *) UP_DIR=$1; shift ;; esac
  done
  [ -n "$UP_DIR" ] || die "usage: env.sh up DIR [--setting defaults|aggressive] [--synchronous]"
  [ -x "$UNDERSTUDY" ] || die "no understudy binary at $UNDERSTUDY (dotnet build src/Understudy -c Release)"
  mkdir -p "$UP_DIR"; UP_DIR=$(cd "$UP_DIR" && pwd -P)
  [ -z "$(ls -A "$UP_DIR")" ] || die "up: $UP_DIR is not empty"
  touch "$UP_DIR/$MARKER"; mkdir -p "$UP_DIR/run" "$UP_DIR/pg1" "$UP_DIR/pg2"; chown -R "$PG_USER:$PG_USER" "$UP_DIR"
}

# down DIR: the caller's teardown, then DIR removed; only a DIR that up made (it holds $MARKER).
cmd_down() {
  local dir=${1:-}; [ -n "$dir" ] || die "usage: env.sh down DIR"
  [ -d "$dir" ] || return 0
  [ -f "$dir/$MARKER" ] || die "down: $dir was not made by env.sh up; refusing"
  dir=$(cd "$dir" && pwd -P)
  teardown "$dir"
  rm -rf -- "$dir"
}

# The commands of an Understudy env.sh (its cmd_up, cmd_crash_leader, teardown); USAGE is the sed range of the
# header that says how to call it.
env_main() { # USAGE COMMAND ARGS...
  local usage=$1; shift
  case "${1:-}" in
    up) shift; cmd_up "$@" ;;
    crash-leader) shift; cmd_crash_leader "$@" ;;
    down) shift; cmd_down "$@" ;;
    *) sed -n "${usage}p" "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
}
