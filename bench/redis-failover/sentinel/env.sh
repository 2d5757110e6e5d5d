#!/usr/bin/env bash
# Two redis-servers (r1 primary, r2 its replica) watched by three Redis Sentinels (quorum 2), on 127.0.0.1: the anchor
# side of bench/redis-failover, with the same commands as ../understudy/env.sh. Clients ask a sentinel for the
# primary (SENTINEL get-master-addr-by-name bench) and connect to it directly.
#
#   env.sh up DIR [--down-after MS]   down-after-milliseconds (default 1000; failover-timeout 10 s with it, Sentinel's
#                                     defaults, 30000 and 180 s, with --down-after 30000)
#   env.sh crash-primary DIR          SIGKILL of the primary's redis-server; prints {"node","port","pid","instant"}
#   env.sh primary DIR                the port a sentinel names for the primary
#   env.sh down DIR                   (KEEP=1 keeps DIR for its logs)
#
# Sentinels are `redis-server FILE --sentinel` (Debian's redis-sentinel is the same binary). Every process is started
# here, recorded by PID under DIR/run, and stopped by those PIDs only. Every wait is bounded.
set -euo pipefail
MARKER=.understudy-redis-bench-env
. "$(dirname "$0")/../lib.sh"
MASTER=bench

sentinel_ports() { cat "$1/run/sentinel.ports"; }

# The primary's port as the first sentinel that answers names it.
cmd_primary() {
  local dir=$1 s out
  for s in $(sentinel_ports "$dir"); do
    out=$(rcli "$s" SENTINEL get-master-addr-by-name "$MASTER" | sed -n 2p) && [ -n "$out" ] && { echo "$out"; return 0; }
  done
  die "no sentinel answers"
}

cmd_up() {
  local dir="" down_after=1000
  while [ $# -gt 0 ]; do
    case "$1" in --down-after) down_after=$2; shift 2 ;; -*) die "up: unknown option $1" ;; *) dir=$1; shift ;; esac
  done
  redis_env_begin "$dir"; dir=$UP_DIR
  local t0=$EPOCHREALTIME timeout=10000; [ "$down_after" -ge 30000 ] && timeout=180000
  read -r p1 p2 s1 s2 s3 <<<"$(free_ports 5)"
  echo "$s1 $s2 $s3" > "$dir/run/sentinel.ports"
  start_redis_pair "$dir" "$p1" "$p2"
  local i=0 s
  for s in $s1 $s2 $s3; do
    i=$((i + 1)); mkdir -p "$dir/s$i"
    cat > "$dir/s$i/sentinel.conf" <<CONF
port $s
bind 127.0.0.1
daemonize no
dir $dir/s$i
logfile $dir/s$i/sentinel.log
sentinel monitor $MASTER 127.0.0.1 $p1 2
sentinel down-after-milliseconds $MASTER $down_after
sentinel failover-timeout $MASTER $timeout
sentinel parallel-syncs $MASTER 1
CONF
    "$REDIS_SERVER" "$dir/s$i/sentinel.conf" --sentinel </dev/null >/dev/null 2>&1 &
    echo $! > "$dir/run/s$i.pid"
  done
  # Ready: every sentinel knows the replica and the two other sentinels (hello messages, every 2 s), and names r1.
  local deadline=$(( $(date +%s) + UP_TIMEOUT )) ok=0
  while [ "$(date +%s)" -lt $deadline ]; do
    ok=1
    for s in $s1 $s2 $s3; do
      [ "$(rcli "$s" SENTINEL get-master-addr-by-name "$MASTER" | sed -n 2p)" = "$p1" ] \
        && [ "$(rcli "$s" SENTINEL master "$MASTER" | awk 'p{print;exit} /^num-other-sentinels$/{p=1}')" = 2 ] \
        && [ "$(rcli "$s" SENTINEL master "$MASTER" | awk 'p{print;exit} /^num-slaves$/{p=1}')" = 1 ] || { ok=0; break; }
    done
    [ $ok = 1 ] && break
    sleep 0.2
  done
  [ $ok = 1 ] || { log "up: sentinels not ready in ${UP_TIMEOUT}s; see $dir/s*/sentinel.log"; teardown "$dir"; exit 1; }
  for i in 1 2 3; do pid_is "$(read_pidfile "$dir/run/s$i.pid")" sentinel || { teardown "$dir"; die "sentinel s$i PID mismatch"; }; done
  python3 - "$dir" "$p1" "$p2" "$s1" "$s2" "$s3" "$down_after" "$timeout" "$(iso_of "$t0")" "$MASTER" <<'PY'
import json, sys
d, p1, p2, s1, s2, s3, down_after, timeout, t0, master = sys.argv[1:]
json.dump({
    "system": "sentinel", "created_at": t0, "down_after_ms": int(down_after), "failover_timeout_ms": int(timeout), "quorum": 2,
    "endpoint": {"kind": "sentinel", "sentinels": [int(s1), int(s2), int(s3)], "master": master},
    "nodes": [{"name": "r1", "port": int(p1)}, {"name": "r2", "port": int(p2)}],
    "logs": [f"{d}/s{i}/sentinel.log" for i in (1, 2, 3)],
}, open(f"{d}/env.json", "w"), indent=2)
PY
  echo "$dir/env.json"
}

cmd_crash_primary() { local dir=$1; kill_redis_on "$dir" "$(cmd_primary "$dir")"; }

# The sentinels' logs, for where the time went.
cmd_events() { cat "$1"/s*/sentinel.log; }

teardown() { # DIR
  local dir=$1 i pid
  for i in 1 2 3; do
    pid=$(read_pidfile "$dir/run/s$i.pid"); [ -n "$pid" ] && pid_is "$pid" sentinel && stop_pid "$pid" TERM 10
  done
  stop_redis_pair "$dir"
}

redis_env_main 2,13 "$@"
