#!/usr/bin/env bash
# PostgreSQL planned switchover, side by side: RUNS switchovers (pg1 → pg2, then back, alternating) on a pair
# run by Understudy (one controller; `understudy switchover db --to … --wait`) and on a pair run by Patroni 3.0.2
# + etcd + HAProxy (`patronictl switchover --leader … --candidate … --force`), each under the same write probe
# through the system's entry point: a drill's sql_write probe, one INSERT every 10 ms on a new connection. The
# rigs are bench/pg-failover's (its understudy/ and patroni/ env.sh), asynchronous replication, the setting
# PG_SETTING (default aggressive). Prints Markdown for BENCHMARKS.md.
#
#   bench/pg-switchover/run.sh [RUNS, default 5]
#
# PG_SYSTEMS picks a subset ("understudy patroni" by default); SETTLE (3 s) is the quiet time before each
# switchover once the pair is ready again.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-5}
HERE=bench/pg-switchover
SETTING=${PG_SETTING:-aggressive}
PSQL_BIN=/usr/bin/psql PG_USER=postgres
# shellcheck source=../pg-failover/lib.sh
. bench/pg-failover/lib.sh
ensure_rig_packages
dotnet build src/Understudy -c Release -nologo -v quiet >&2
export UNDERSTUDY=$PWD/src/Understudy/bin/Release/net10.0/understudy
results=$(mktemp -d /tmp/pgsw-results.XXXX)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
T0=$(date -u +%Y-%m-%dT%H:%MZ)
TABLE=pgsw_probe

one_system() { # SYSTEM
  local system=$1 dir env out="$results/$1"
  dir=$(mktemp -d /tmp/pgsw.XXXX); rmdir "$dir"
  env="$PWD/bench/pg-failover/$system/env.sh"
  mkdir -p "$out"
  if ! "$env" up "$dir" --setting "$SETTING" >/dev/null; then
    echo "$system: env did not come up" >&2; "$env" down "$dir" >/dev/null 2>&1 || true; return 0
  fi
  cp "$dir/env.json" "$out/env.json"
  local conn entry
  conn=$(json_get "$dir" connection_string)
  entry=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); print(e.get("proxy_port") or e["haproxy"]["port"])' "$dir/env.json")
  # The probe's table, with the port of the server that committed each row (the drill creates it only if missing).
  psql_ha "$entry" "CREATE TABLE $TABLE (run text NOT NULL, id bigint NOT NULL, at timestamptz NOT NULL DEFAULT now(),
    port int DEFAULT inet_server_port(), PRIMARY KEY (run, id))" >/dev/null || { echo "$system: cannot create $TABLE" >&2; "$env" down "$dir" >/dev/null 2>&1 || true; return 0; }
  cat > "$dir.drill.yaml" <<YAML
name: pg switchover $system
probes:
  - { name: writes, sql_write: { connection: "$conn", table: $TABLE, interval: 10ms, timeout: 5s, max_in_flight: 500 } }
steady_state: { duration: 2s, max_error_rate: 0 }
faults:
  - exec: { command: ["$PWD/$HERE/switches.sh", $system, "$dir", "$RUNS", "$out/switches.jsonl"], timeout: $((RUNS * 200))s }
recovery: { timeout: 60s, stable_for: 2s }
YAML
  "$UNDERSTUDY" drill run "$dir.drill.yaml" --out "$out" > "$out/drill.log" 2>&1 || true
  # Every row on the final primary, through the entry point, with the server that committed it.
  psql_ha "$entry" "SELECT id, port FROM $TABLE ORDER BY id" > "$out/rows.txt" || echo "$system: read-back failed" >&2
  if [ "$system" = understudy ]; then
    "$UNDERSTUDY" events -c "$dir/understudy.yaml" --service db --json > "$out/events.json" 2>/dev/null || true
    cp "$dir/controller.log" "$out/" 2>/dev/null || true
  else
    cp "$dir/pg1/patroni.log" "$out/pg1-patroni.log"; cp "$dir/pg2/patroni.log" "$out/pg2-patroni.log"
  fi
  "$env" down "$dir" >/dev/null 2>&1 || echo "$system: down reported processes left in $dir" >&2
  rm -f "$dir.drill.yaml"
}

read -r -a SYSTEMS <<< "${PG_SYSTEMS:-understudy patroni}"
for system in "${SYSTEMS[@]}"; do one_system "$system"; done

echo "Run of $T0 on $(nproc) cores: load average at the start $LOAD0, at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 "$HERE/summary.py" "$results" "$RUNS" "$SETTING"
echo
echo "Reports: $results"
