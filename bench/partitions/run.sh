#!/usr/bin/env bash
# The partition suite at bench length: every scenario with several seeds and the full fault lengths (the latency and
# loss scenario runs 30 s instead of CI's 12 s), then the checker's table for BENCHMARKS.md and docs/safety.md.
#   bench/partitions/run.sh [seeds, default "1 2 3"]
# Needs root (network namespaces, nft), PostgreSQL 15, etcd and nftables (installed if missing), the .NET 10 SDK.
# About 40 s per scenario and seed: the default, 8 scenarios × 3 seeds, takes about 16 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql)
command -v etcd >/dev/null || missing+=(etcd-server)
command -v nft >/dev/null || missing+=(nftables)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
out=$(mktemp -d /tmp/understudy-partitions-bench-XXXXXX)
export PARTITION_SEEDS="${1:-1 2 3}" PARTITION_FULL=1 PARTITION_OUT="$out"
dotnet build tests/Understudy.IntegrationTests -c Release -nologo -v quiet >&2
status=0
dotnet test tests/Understudy.IntegrationTests -c Release --no-build --nologo --filter "FullyQualifiedName~Partitions.PartitionTests" \
  --logger "console;verbosity=minimal" >&2 || status=1
echo "## Partition suite, $(date -u +%Y-%m-%dT%H:%MZ), seeds ${PARTITION_SEEDS}, full lengths, $(nproc) cores"
echo
cat "$out/results.md"
echo
echo "(each run's logs and client histories: $out)"
exit $status
