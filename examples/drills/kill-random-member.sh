#!/bin/sh
# Sends SIGKILL to one process chosen at random among pidfiles: kill-random-member.sh PIDFILE|PATTERN...
#
# A drill's exec step runs no shell, so a pattern such as "run/*.pid" arrives as written; it is expanded
# here. Only a pid read from a pidfile is ever signalled, and only a plain number above 1 (kill -KILL -1 or
# 0 would hit far more than one process).
set -eu

if [ "$#" -eq 0 ]; then
  echo "usage: $0 PIDFILE|PATTERN..." >&2
  exit 2
fi

nl='
'
files=''
for arg in "$@"; do
  # Unquoted on purpose: this is where the pattern is expanded into file names.
  for f in $arg; do
    if [ -f "$f" ]; then files="$files$f$nl"; fi
  done
done
if [ -z "$files" ]; then
  echo "no pidfile found in: $*" >&2
  exit 1
fi

pidfile=$(printf '%s' "$files" | shuf -n 1)
pid=$(head -n 1 "$pidfile" | tr -d '[:space:]')
case "$pid" in
  '' | *[!0-9]*) echo "$pidfile does not hold a pid (got '$pid')" >&2; exit 1 ;;
esac
if [ "$pid" -le 1 ]; then
  echo "$pidfile holds pid $pid; refusing to signal it" >&2
  exit 1
fi
if ! kill -0 "$pid" 2>/dev/null; then
  echo "pid $pid from $pidfile is not running" >&2
  exit 1
fi

echo "SIGKILL pid $pid from $pidfile"
kill -KILL "$pid"
