#!/usr/bin/env bash
# HAProxy 2.6 in front of two sample apps, primary SIGKILL, side by side: (a) Understudy switches HAProxy's servers
# through its runtime API (traffic.haproxy; checks every 100 ms, timeout 80 ms, fall 2, rise 1); (b) HAProxy's own
# health checks (inter 100ms fall 2 rise 1, web-b as backup); and (a) again with traffic.haproxy.shutdown_sessions: false. The same HAProxy settings otherwise (retries 3, option
# redispatch); a GET every 10 ms on a new connection through the frontend (bench.py). The arms alternate which goes
# first. Prints a Markdown table for BENCHMARKS.md.
#
#   bench/haproxy-switch/run.sh [runs per arm, default 5]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-5}
command -v haproxy >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >&2; }
dotnet build src/Understudy -c Release -nologo -v quiet >&2
UNDERSTUDY=$PWD/src/Understudy/bin/Release/net10.0/understudy
results=$(mktemp /tmp/haproxy-switch-results.XXXX)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg) T0=$(date -u +%Y-%m-%dT%H:%MZ)
for i in $(seq 1 "$RUNS"); do
  if [ $((i % 2)) = 1 ]; then arms="understudy understudy-keep haproxy"; else arms="haproxy understudy-keep understudy"; fi
  for arm in $arms; do
    if line=$(timeout 120 python3 bench/haproxy-switch/bench.py "$arm" "$UNDERSTUDY"); then
      echo "$line" | tee -a "$results" >&2
    else
      echo "$arm run $i failed" >&2
    fi
  done
done
echo "Run of $T0 to $(date -u +%H:%MZ) on $(nproc) cores, $(haproxy -v | head -1 | cut -d' ' -f1-3), .NET $(dotnet --version):" \
  "load average at the start $LOAD0, at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 - "$results" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
names = {"understudy": "Understudy switches HAProxy (runtime API)", "understudy-keep": "Understudy, `shutdown_sessions: false`",
         "haproxy": "HAProxy's own health checks (backup server)"}
print("| switched by | runs | failed requests, median (min–max) | failed, by status (all runs) | kill → first 200 from web-b, median (min–max) ms | slowest request, median ms | answers from web-a after the kill |")
print("|---|---|---|---|---|---|---|")
for arm in ("understudy", "understudy-keep", "haproxy"):
    r = [x for x in runs if x["arm"] == arm]
    if not r: continue
    f, t, s = [x["failed"] for x in r], [x["first_ms"] for x in r], [x["slowest_ms"] for x in r]
    by = {}
    for x in r:
        for k, n in x["failures"].items(): by[k] = by.get(k, 0) + n
    shown = ", ".join(f"{k}: {n}" for k, n in sorted(by.items())) or "none"
    print(f"| {names[arm]} | {len(r)} | {statistics.median(f):g} ({min(f)}–{max(f)}) | {shown} | {statistics.median(t):.0f} ({min(t):.0f}–{max(t):.0f}) | {statistics.median(s):.0f} | {sum(x['web_a_after'] for x in r)} |")
PY
rm -f "$results"
