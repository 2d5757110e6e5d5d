#!/usr/bin/env bash
# Runs the foundation benchmarks beside their anchors and prints Markdown for BENCHMARKS.md.
#   bench/run.sh [crash runs, default 10] [throughput rounds, default 5] [drill runs, default 5] [switchover runs, default 10]
#                [leader-kill runs, default 5] [coordination runs, default 20] [redis-sync rounds, default 5]
# The last two are issue 11's several-controller benches (three instances on etcd; etcd-server installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v haproxy >/dev/null || missing+=(haproxy)
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/bin/etcd ] || missing+=(etcd-server)
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15)  # the throughput bench's pgbench arm
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
dotnet build bench/Understudy.Bench -c Release -nologo -v quiet >&2
bin=bench/Understudy.Bench/bin/Release/net10.0/Understudy.Bench
echo "## Run of $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(haproxy -v | head -n 1 | cut -d' ' -f1-3), $(etcd --version | head -n 1), load average at the start $(cut -d' ' -f1-3 /proc/loadavg)"
echo
"$bin" crash --runs "${1:-10}"
echo
"$bin" throughput --rounds "${2:-5}"
echo
"$bin" drill --runs "${3:-5}"
echo
"$bin" switchover --runs "${4:-10}"
echo
"$bin" leader-kill --runs "${5:-5}"
echo
"$bin" coordination --runs "${6:-20}"
echo
"$bin" redis-sync --rounds "${7:-5}"
