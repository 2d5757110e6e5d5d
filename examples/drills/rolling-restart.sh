#!/bin/sh
# Rolling restart, one member at a time: rolling-restart.sh PIDFILE...
#
# For each pidfile in order: SIGTERM the pid in it, then wait until a supervisor (systemd, runit, a loop of
# your own) has started the member again, i.e. the pidfile names a new, running pid, then pause and go on.
# It starts nothing itself: without a supervisor the wait times out and the script stops with an error
# before touching the next member, so it never takes down more than one.
#
# RESTART_TIMEOUT: seconds to wait for each restart (default 30). PAUSE: seconds between members (default 2).
set -eu

timeout=${RESTART_TIMEOUT:-30}
pause=${PAUSE:-2}

if [ "$#" -eq 0 ]; then
  echo "usage: $0 PIDFILE..." >&2
  exit 2
fi

read_pid() { head -n 1 "$1" 2>/dev/null | tr -d '[:space:]'; }

# A plain number above 1: "kill -TERM -1" or "0" would signal far more than one process.
is_pid() {
  case "$1" in '' | *[!0-9]*) return 1 ;; esac
  [ "$1" -gt 1 ]
}

first=yes
for pidfile in "$@"; do
  if [ "$first" = no ]; then sleep "$pause"; fi
  first=no

  old=$(read_pid "$pidfile")
  if ! is_pid "$old"; then
    echo "$pidfile does not hold a pid (got '$old'); stopping here" >&2
    exit 1
  fi
  if ! kill -0 "$old" 2>/dev/null; then
    echo "pid $old from $pidfile is not running; stopping here" >&2
    exit 1
  fi
  echo "$(date -u +%H:%M:%S) SIGTERM pid $old from $pidfile"
  kill -TERM "$old"

  waited=0
  while :; do
    new=$(read_pid "$pidfile")
    if is_pid "$new" && [ "$new" != "$old" ] && kill -0 "$new" 2>/dev/null; then
      echo "$(date -u +%H:%M:%S) restarted as pid $new"
      break
    fi
    if [ "$waited" -ge "$timeout" ]; then
      echo "$pidfile: not restarted within ${timeout}s; stopping before the next member" >&2
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
done
