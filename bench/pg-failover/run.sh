#!/usr/bin/env bash
# PostgreSQL failover, side by side: the same crash drill (a sql_write probe every 10 ms on a new connection,
# through each system's entry point; the fault is the "host crash" fault of the anchor measurements) against Understudy (one
# controller), Understudy-HA (three instances on etcd, clients through a follower's proxy) and Patroni + etcd +
# HAProxy, at their default and at an aggressive setting, N runs each, plus synchronous runs for lost writes and
# Understudy-HA runs where the leader instance dies with the primary. Prints Markdown for BENCHMARKS.md.
#
#   bench/pg-failover/run.sh [runs per system and setting, default 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-3}
HERE=bench/pg-failover
. "$HERE/lib.sh"
ensure_rig_packages
dotnet build src/Understudy -c Release -nologo -v quiet >&2
UNDERSTUDY=$PWD/src/Understudy/bin/Release/net10.0/understudy
results=$(mktemp -d /tmp/pgbench-results.XXXX)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

one_run() { # SYSTEM SETTING SYNC INDEX [LABEL CRASH-LEADER-OPTION...]
  local system=$1 setting=$2 sync=$3 i=$4 label=${5:-$1} dir env
  local crash=""; [ $# -gt 5 ] && crash=$(printf ', "%s"' "${@:6}")
  dir=$(mktemp -d /tmp/pgb.XXXX); rmdir "$dir"
  env="$PWD/$HERE/$system/env.sh"
  local out="$results/$label-$setting-$sync-$i"
  local extra=(); [ "$sync" = sync ] && extra+=(--synchronous)
  if ! "$env" up "$dir" --setting "$setting" "${extra[@]}" >/dev/null; then
    echo "$label $setting $sync run $i: env did not come up" >&2; "$env" down "$dir" >/dev/null 2>&1 || true; return 0
  fi
  local conn; conn=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['connection_string'])" "$dir/env.json")
  cat > "$dir.drill.yaml" <<YAML
name: $label $setting $sync $i
probes:
  - { name: writes, sql_write: { connection: "$conn", interval: 10ms, timeout: 5s } }
steady_state: { duration: 2s, max_error_rate: 0 }
faults:
  - exec: { command: ["$env", crash-leader, "$dir"$crash], timeout: 30s }
recovery: { timeout: 90s, stable_for: 5s }
YAML
  "$UNDERSTUDY" drill run "$dir.drill.yaml" --out "$out" >/dev/null 2>&1 || true
  # Understudy's journal (from the instance the clients go through), for where the time went.
  local api; api=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1])).get('api',''))" "$dir/env.json")
  [ -z "$api" ] || curl -s -m 5 "$api/api/events?service=db" > "$out/events.json" || true
  "$env" down "$dir" >/dev/null 2>&1 || true
  rm -f "$dir.drill.yaml"
  local report; report=$(ls "$out"/*/report.json 2>/dev/null | head -n 1)
  [ -n "$report" ] || { echo "$label $setting $sync run $i: no report" >&2; return 0; }
  python3 - "$report" "$label" "$setting" "$sync" <<'PY' | tee -a "$results/rows.tsv" >&2
import json, sys
r = json.load(open(sys.argv[1])); p = r["probes"][0]
print("\t".join([sys.argv[2], sys.argv[3], sys.argv[4], str(p["rto_ms"]), str(p["recovery_time_ms"]), str(p["lost_acknowledged_writes"]), str(p["failed"]), sys.argv[1]]))
PY
}

# PG_SYSTEMS / PG_SETTINGS pick a subset (e.g. a re-check of one system beside Patroni); PG_SYNC=0 skips the synchronous and leader-too runs.
read -r -a SYSTEMS <<< "${PG_SYSTEMS:-understudy understudy-ha patroni}"
read -r -a SETTINGS <<< "${PG_SETTINGS:-aggressive defaults}"
for setting in "${SETTINGS[@]}"; do
  for i in $(seq 1 "$RUNS"); do
    for system in "${SYSTEMS[@]}"; do one_run "$system" "$setting" async "$i"; done
  done
done
for i in $(seq 1 "$RUNS"); do
  [ "${PG_SYNC:-1}" = 1 ] || break
  for system in "${SYSTEMS[@]}"; do one_run "$system" aggressive sync "$i"; done
  # The leader instance dies with the primary (its PID stopped and killed at the same instant).
  one_run understudy-ha aggressive async "$i" understudy-ha-leader-too --with-controller-leader
done

echo "Run of $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores: load average at the start $LOAD0, at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 "$HERE/summary.py" "$results/rows.tsv" "$RUNS"
echo
echo "Reports: $results"
