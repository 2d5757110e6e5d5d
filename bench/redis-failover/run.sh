#!/usr/bin/env bash
# Redis primary crash, side by side: r1 (primary) and r2 (its replica), redis-server 7.0 without persistence, fronted
# by Understudy (one controller and its proxy; checks every 100 ms, timeout 80 ms, fall 2, rise 1), by the same with
# failover.synchronous: true (label understudy-sync: the proxy holds each batch of writes' replies until WAIT 1 1000
# says a replica has them), or watched by three Redis Sentinels (quorum 2, down-after-milliseconds 1000,
# failover-timeout 10 s), a fresh pair for every run; SIGKILL of r1's PID under two loads (load.py): "probe", a SET
# every 10 ms on a new connection (open loop), and "pipeline", 8 connections each sending batches of 50 SETs; the
# arms' order rotates from round to round. Then a few Sentinel runs at its defaults (down-after 30 s), probe only.
# Prints Markdown for BENCHMARKS.md.
#
#   bench/redis-failover/run.sh [runs per arm and load, default 10] [Sentinel-defaults runs, default 3]
#   bench/redis-failover/run.sh 3 0     # quick
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-10}
DEFAULT_RUNS=${2:-3}
HERE=bench/redis-failover
missing=()
[ -x /usr/bin/redis-server ] || missing+=(redis-server)   # also the sentinels: redis-server FILE --sentinel
[ -x /usr/bin/redis-cli ] || missing+=(redis-tools)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi
dotnet build src/Understudy -c Release -nologo -v quiet >&2
results=$(mktemp -d /tmp/redisbench-results.XXXX)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg) T0=$(date -u +%Y-%m-%dT%H:%MZ)

one_run() { # SYSTEM LABEL LOAD INDEX MAX_AFTER [UP OPTIONS...]
  local system=$1 label=$2 load=$3 i=$4 max_after=$5 dir env stable=3; shift 5
  [ "$load" = pipeline ] && stable=1
  dir=$(mktemp -d /tmp/rfb.XXXX); rmdir "$dir"
  env="$PWD/$HERE/$system/env.sh"
  if ! "$env" up "$dir" "$@" >/dev/null; then
    echo "$label $load run $i: env did not come up (kept: $dir)" | tee -a "$results/failures.txt" >&2; KEEP=1 "$env" down "$dir" >/dev/null 2>&1 || true; return 0
  fi
  if ! timeout $((max_after + 90)) python3 "$HERE/load.py" "$load" "$env" "$dir" --run "$i" --label "$label" \
       --max-after "$max_after" --stable "$stable" --out "$results/$label-$load-$i.json" >&2; then
    echo "$label $load run $i: the load failed (kept: $dir)" | tee -a "$results/failures.txt" >&2; KEEP=1 "$env" down "$dir" >/dev/null 2>&1 || true; return 0
  fi
  "$env" events "$dir" > "$results/$label-$load-$i.events" 2>/dev/null || true   # the journal, or the sentinels' logs
  if python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(r["killed_node"] != "r1" or r["lost"] is None)' "$results/$label-$load-$i.json"; then
    "$env" down "$dir" >/dev/null 2>&1 || true
  else
    echo "$label $load run $i: odd, see the summary (kept: $dir)" | tee -a "$results/failures.txt" >&2; KEEP=1 "$env" down "$dir" >/dev/null 2>&1 || true
  fi
}

arm() { # ARM INDEX: both loads
  case "$1" in
    understudy) one_run understudy understudy probe "$2" 30; one_run understudy understudy pipeline "$2" 30 ;;
    understudy-sync) one_run understudy understudy-sync probe "$2" 30 --synchronous
                     one_run understudy understudy-sync pipeline "$2" 30 --synchronous ;;
    sentinel) one_run sentinel sentinel probe "$2" 30 --down-after 1000; one_run sentinel sentinel pipeline "$2" 30 --down-after 1000 ;;
  esac
}
ARMS=(understudy understudy-sync sentinel)
for i in $(seq 1 "$RUNS"); do
  # The arms' order rotates (and reverses every other cycle), so that a change in the host's load does not favour one.
  order=()
  for j in 0 1 2; do order+=("${ARMS[$(( (i - 1 + j) % 3 ))]}"); done
  [ $(( (i - 1) / 3 % 2 )) = 1 ] && order=("${order[2]}" "${order[1]}" "${order[0]}")
  for a in "${order[@]}"; do arm "$a" "$i"; done
done
for i in $(seq 1 "$DEFAULT_RUNS"); do
  one_run sentinel sentinel-defaults probe "$i" 60 --down-after 30000
done

echo "Run of $T0 to $(date -u +%H:%MZ) on $(nproc) cores, $(redis-server --version | cut -d' ' -f1-3), .NET $(dotnet --version):" \
  "load average at the start $LOAD0, at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 "$HERE/summary.py" "$results"
echo
echo "Results: $results"
