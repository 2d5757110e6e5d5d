#!/usr/bin/env bash
# Context switches a second of the scale bench's controller, per thread name and in all, over SECS seconds (default 20).
# Run it while `scale` is in its window at rest (the 30 s after its 30 s warm-up). Reads /proc only; stops nothing.
set -euo pipefail
secs=${1:-20}
pid=$(pgrep -f "understudy serve -c /tmp/understudy-scale" | head -n 1) || { echo "no scale controller running" >&2; exit 1; }
snap() {
  for t in /proc/"$pid"/task/*; do
    name=$(cat "$t/comm" 2>/dev/null) || continue
    n=$(awk '/^voluntary_ctxt/{v=$2} /^nonvoluntary_ctxt/{n=$2} END{print v+n}' "$t/status" 2>/dev/null) || continue
    echo "${t##*/}|$name|$n"
  done | sort
}
before=$(snap); sleep "$secs"; after=$(snap)
join -t'|' <(echo "$before") <(echo "$after") | awk -F'|' -v s="$secs" '
  { d = ($5 - $3) / s; by[$2] += d; total += d }
  END { for (k in by) if (by[k] > 0.1) printf "%-28s %8.1f/s\n", k, by[k]; printf "%-28s %8.1f/s\n", "TOTAL", total }'
