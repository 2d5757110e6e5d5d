# Shared by sentinel/env.sh and understudy/env.sh: two redis-servers (r1 primary, r2 its replica), started and stopped by
# PID only (verified by the process title, which names 127.0.0.1:PORT). The process helpers (pid_is, stop_pid,
# wait_gone, free_ports, ...) are bench/pg-failover's. Callers set MARKER before sourcing.

. "$(dirname "${BASH_SOURCE[0]}")/../pg-failover/lib.sh"
REDIS_SERVER=${REDIS_SERVER:-/usr/bin/redis-server}
REDIS_CLI=${REDIS_CLI:-/usr/bin/redis-cli}

rcli() { timeout 3 "$REDIS_CLI" -h 127.0.0.1 -p "$1" "${@:2}" 2>/dev/null; } # rcli PORT COMMAND...

# A field of INFO replication on PORT: info_field PORT master_link_status
info_field() { rcli "$1" INFO replication | tr -d '\r' | sed -n "s/^$2://p"; }

# One redis-server named NAME on PORT in DIR/NAME, without persistence, its PID in DIR/run/NAME.pid; extra arguments
# (e.g. --replicaof 127.0.0.1 P) are passed on. Returns once it answers PING.
start_redis() { # DIR NAME PORT [ARGS...]
  local dir=$1 name=$2 port=$3 i pid; shift 3
  mkdir -p "$dir/$name"
  "$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --protected-mode no --dir "$dir/$name" --save '' --appendonly no \
    --daemonize no --logfile "$dir/$name/redis.log" "$@" </dev/null >/dev/null 2>&1 &
  pid=$!; echo "$pid" > "$dir/run/$name.pid"
  for i in $(seq 1 50); do
    [ "$(rcli "$port" PING)" = PONG ] && { pid_is "$pid" "127.0.0.1:$port" || die "$name: PID $pid is not redis on $port"; return 0; }
    alive "$pid" || break
    sleep 0.1
  done
  die "$name did not answer on $port (see $dir/$name/redis.log)"
}

# r1 on P1 and r2 replicating from it on P2; returns once r2's link is up and a key written on r1 is on r2.
start_redis_pair() { # DIR P1 P2
  local dir=$1 p1=$2 p2=$3 i
  start_redis "$dir" r1 "$p1"
  start_redis "$dir" r2 "$p2" --replicaof 127.0.0.1 "$p1"
  rcli "$p1" SET bench:ready "$$" >/dev/null
  for i in $(seq 1 100); do
    [ "$(info_field "$p2" master_link_status)" = up ] && [ "$(rcli "$p2" GET bench:ready)" = "$$" ] && return 0
    sleep 0.1
  done
  die "r2 did not catch up with r1 (see $dir/r2/redis.log)"
}

# SIGKILL of the redis-server serving PORT (one of r1, r2 of DIR, by its recorded PID); prints one JSON line with
# the instant (Unix seconds, taken right after the kill) and waits (bounded) for it to be gone.
kill_redis_on() { # DIR PORT
  local dir=$1 port=$2 name pid t
  for name in r1 r2; do
    pid=$(read_pidfile "$dir/run/$name.pid")
    pid_is "$pid" "127.0.0.1:$port" || continue
    kill -KILL "$pid"; t=$EPOCHREALTIME
    echo "$name" > "$dir/run/crashed"
    wait_gone 5 "$pid" || log "PID $pid still alive 5 s after SIGKILL"
    echo "{\"node\":\"$name\",\"port\":$port,\"pid\":$pid,\"instant\":$t}"
    return 0
  done
  die "no live redis-server of $dir on port $port"
}

stop_redis_pair() { # DIR
  local name pid
  for name in r1 r2; do
    pid=$(read_pidfile "$1/run/$name.pid")
    [ -n "$pid" ] && pid_is "$pid" redis-server && stop_pid "$pid" TERM 10
  done
  return 0
}

# down DIR: pg-failover's cmd_down (the caller's teardown, then DIR removed, only a DIR that up made); with KEEP=1 the
# teardown only, DIR kept for its logs.
redis_env_down() {
  [ "${KEEP:-0}" = 1 ] || { cmd_down "$@"; return; }
  [ -f "${1:-}/$MARKER" ] || die "down: ${1:-} was not made by env.sh up; refusing"
  teardown "$(cd "$1" && pwd -P)"
}

# up's start: DIR made (new or empty), marked with $MARKER, given run/.
redis_env_begin() { # DIR
  [ -n "${1:-}" ] || die "usage: env.sh up DIR ..."
  mkdir -p "$1"; UP_DIR=$(cd "$1" && pwd -P)
  [ -z "$(ls -A "$UP_DIR")" ] || die "up: $UP_DIR is not empty"
  touch "$UP_DIR/$MARKER"; mkdir -p "$UP_DIR/run"
}

# The commands of an env.sh (its cmd_up, cmd_crash_primary, cmd_primary, cmd_events, teardown); USAGE is the sed
# range of the header that says how to call it.
redis_env_main() { # USAGE COMMAND ARGS...
  local usage=$1; shift
  case "${1:-}" in
    up) shift; cmd_up "$@" ;;
    crash-primary) cmd_crash_primary "$(cd "$2" && pwd -P)" ;;
    primary) cmd_primary "$(cd "$2" && pwd -P)" ;;
    events) cmd_events "$(cd "$2" && pwd -P)" ;;
    down) shift; redis_env_down "$@" ;;
    *) sed -n "${usage}p" "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
}
