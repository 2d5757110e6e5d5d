#!/bin/sh
# A ladder step's rollback: rejoin the crashed members as standbys and move the primary back to pg1, so the
# next step starts where this one did. Members to rejoin besides pg1 (e.g. pg2) may be given as arguments.
# Assumes examples/postgres (its understudy.yaml with data_dir set, so the controller's built-in rejoin stops,
# rewinds and starts each one). The switchover is refused until pg1 streams from the new primary: it is
# retried, a bounded number of times.
set -eu
config=../../postgres/understudy.yaml
for member in "$@" pg1; do
  understudy rejoin -c "$config" orders-db "$member"
done
for attempt in 1 2 3 4 5 6 7 8 9 10 11 12; do
  if understudy switchover -c "$config" orders-db --to pg1 --reason "drill ladder: pg1 back as primary" --wait --timeout 2m; then
    exit 0
  fi
  echo "switchover to pg1 not done yet (attempt $attempt of 12); trying again in 5 s" >&2
  sleep 5
done
exit 1
