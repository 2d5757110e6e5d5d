#!/usr/bin/env bash
# traffic.dns at bench length: the primary of an http service SIGKILLed while a client looks the service's name up
# through a caching BIND resolver (forwarding to the authoritative BIND that Understudy updates) on every attempt, every
# 20 ms, at TTL 5 s and 60 s. Prints the switch time and the tail — how long the client kept getting the dead primary's
# address after traffic.switched — as a Markdown table for BENCHMARKS.md.
#   bench/dns-switch/run.sh [runs per TTL, default 3] [TTLs in seconds, default "5 60"]
# Needs bind9 and bind9-dnsutils (installed if missing) and the .NET 10 SDK. Each run takes about 10 s plus up to its TTL.
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=()
command -v named >/dev/null && command -v tsig-keygen >/dev/null || missing+=(bind9)
command -v dig >/dev/null && command -v nsupdate >/dev/null || missing+=(bind9-dnsutils)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
out=$(mktemp -d /tmp/understudy-dns-bench-XXXXXX)
export DNS_BENCH_RUNS="${1:-3}" DNS_BENCH_TTLS="${2:-5 60}" DNS_BENCH_OUT="$out"
dotnet build tests/Understudy.IntegrationTests -c Release -nologo -v quiet >&2
dotnet test tests/Understudy.IntegrationTests -c Release --no-build --nologo --filter "FullyQualifiedName~Traffic.DnsSwitchBench" \
  --logger "console;verbosity=minimal" >&2
echo "## traffic.dns: switch time and resolver tail, $(date -u +%Y-%m-%dT%H:%MZ), ${DNS_BENCH_RUNS} runs per TTL, $(nproc) cores, $(named -v)"
echo
cat "$out/results.md"
