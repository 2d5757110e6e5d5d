#!/usr/bin/env bash
# Reconnect storm (issue 13 item 5): 3,000 clients connect through the proxy at once, three storms per run, against
# a live primary. Counts the runs in which anything was failed over or marked down. Usage: bench/storm/run.sh [RUNS]
set -uo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
dotnet build tests/Understudy.IntegrationTests -c Release -nologo -v quiet >/dev/null || exit 1
bad=0
for i in $(seq 1 "$runs"); do
  if dotnet test tests/Understudy.IntegrationTests -c Release --no-build --nologo \
       --filter "FullyQualifiedName~ReconnectStormTests" >/tmp/understudy-storm-$i.log 2>&1; then
    echo "run $i: no failover, no member down"
  else
    bad=$((bad + 1)); echo "run $i: FAILED (see /tmp/understudy-storm-$i.log)"
  fi
done
echo "$bad of $runs runs failed over or marked a live member down ($((runs * 3)) storms of 3000 connects)"
