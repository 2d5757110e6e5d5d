#!/usr/bin/env bash
# The test command: restores, builds and runs every test, then prints "N passed, N failed"
# from the TRX results (dotnet test's own summary is per project). Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"

results=TestResults
rm -rf "$results"
status=0

# Debian packages the tests drive, installed only when missing (one apt-get update for all): Chromium opens
# drill reports and the dashboard (Playwright); PostgreSQL 15 backs the PostgreSQL fixtures (its binaries are
# not on PATH, so look for the server itself where the fixtures run it); promtool, from prometheus, checks
# the alert rules; etcd (server and etcdctl) backs the coordination tests of several controllers; nftables
# (nft) and iproute2 (ip) cut and heal the partition suite's network namespaces; nft also applies the drills'
# network drops and loss.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql)
command -v promtool >/dev/null || missing+=(prometheus)
command -v etcd >/dev/null || missing+=(etcd-server)
command -v etcdctl >/dev/null || missing+=(etcd-client)
command -v nft >/dev/null || missing+=(nftables)
# redis-server (7.0) backs the Redis fixtures: kind redis checks, failover, the Sentinel-protocol listener and probes.
command -v redis-server >/dev/null || missing+=(redis-server)
command -v ip >/dev/null || missing+=(iproute2)
# haproxy (2.6) is the HAProxy that traffic.haproxy switches in the HAProxy integration tests.
command -v haproxy >/dev/null || missing+=(haproxy)
# named, tsig-keygen and dig: BIND 9 takes traffic.dns's signed updates in the DNS switch tests.
command -v named >/dev/null && command -v tsig-keygen >/dev/null || missing+=(bind9)
command -v dig >/dev/null || missing+=(bind9-dnsutils)
# mkfs.ext4 and chattr build and break the small file systems the journal-fault tests put a journal on.
command -v mkfs.ext4 >/dev/null && command -v chattr >/dev/null || missing+=(e2fsprogs)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || exit 1
fi

dotnet build Understudy.slnx -c Release -warnaserror -nologo -v quiet || exit 1

# The partition suite's checker writes its table here; it is printed before the count.
export PARTITION_OUT="$PWD/$results/partitions"

# Unit tests first (fast, CPU-bound), then the integration tests alone: they start servers and time.
for project in tests/Understudy.Tests tests/Understudy.IntegrationTests; do
  name=$(basename "$project")
  # Category=Bench: partition scenarios that bench/partitions/run.sh runs, not yet reliable enough to gate on.
  dotnet test "$project" -c Release --no-build --nologo --filter "Category!=Bench" \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" || status=1
done

if [ -f "$PARTITION_OUT/results.md" ]; then
  echo; echo "Partition suite, the checker's table:"; cat "$PARTITION_OUT/results.md"; echo
fi

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
[ "$failed" -eq 0 ] || status=1
[ "$passed" -gt 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
