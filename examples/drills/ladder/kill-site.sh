#!/bin/sh
# SIGKILL every process named by the pidfiles given, together: a site lost at once rather than one by one.
# Careful, as kill-random-member.sh: only a plain pid above 1 read from the first line of each pidfile.
set -eu
[ "$#" -gt 0 ] || { echo "usage: $0 PIDFILE..." >&2; exit 2; }
pids=""
for f in "$@"; do
  pid=$(head -n 1 "$f")
  case "$pid" in ''|*[!0-9]*) echo "$f: no pid on its first line" >&2; exit 1;; esac
  [ "$pid" -gt 1 ] || { echo "$f: refusing pid $pid" >&2; exit 1; }
  pids="$pids $pid"
done
# shellcheck disable=SC2086 # one word per pid
kill -KILL $pids
echo "killed$pids"
