"""Summarises bench/pg-failover rows (system, setting, replication, rto_ms, recovery_ms, lost, failed, report) as Markdown,
with where Understudy's time went (its journal, saved beside each report as events.json)."""
import json
import os
import re
import statistics
import sys
from datetime import datetime


def number(x):
    return None if x in ("None", "null", "") else float(x)


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def shown(x):
    return "never" if x is None else f"{x:.0f}"


def instant(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


# The journal's steps of a failover, in order; leader.elected only where the leader instance died too.
STEPS = ("leader.elected", "failover.started", "member.fenced", "member.promoted", "traffic.switched")


def crash_instant(report):
    """The instant the fault command printed (the last process of the node stopped); the drill's fault_at is when
    the command returned, after it waited for the processes to go."""
    for step in report.get("steps", []):
        m = re.search(r'"instant":"([^"]+)"', step.get("actual", "")) if step.get("phase") == "fault" else None
        if m:
            return instant(m.group(1))
    return instant(report["fault_at"])


def steps(report_path):
    """Milliseconds from the crash to the first event of each step after it, from events.json beside the report."""
    events_path = os.path.join(os.path.dirname(os.path.dirname(report_path)), "events.json")
    try:
        fault = crash_instant(json.load(open(report_path)))
        events = json.load(open(events_path))["events"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    out = {}
    for e in sorted(events, key=lambda e: e["time"]):
        t = (instant(e["time"]) - fault).total_seconds() * 1000
        if t >= 0 and e["type"] in STEPS and e["type"] not in out:
            out[e["type"]] = t
    return out


rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
runs = sys.argv[2]
groups = {}
for system, setting, sync, rto, rec, lost, failed, report in rows:
    groups.setdefault((setting, sync, system), []).append((number(rto), number(rec), lost, number(failed), steps(report)))

print(f"### PostgreSQL primary host crash, {runs} runs each (sql_write every 10 ms on a new connection; figures from the drill's report)\n")
print("| system | setting | replication | median RTO (ms) | max RTO (ms) | median recovery time (ms) | lost acknowledged writes per run | failed writes, median |")
print("|---|---|---|---|---|---|---|---|")
for (setting, sync, system), rs in sorted(groups.items()):
    rtos = [r[0] for r in rs]
    worst = None if any(x is None for x in rtos) else max(rtos)
    print(f"| {system} | {setting} | {sync} | {shown(median(rtos))} | {shown(worst)} | {shown(median([r[1] for r in rs]))} "
          f"| {', '.join(r[2] for r in rs)} | {shown(median([r[3] for r in rs]))} |")
print()
for (setting, sync, system), us in sorted(groups.items()):
    p = groups.get((setting, sync, "patroni"))
    if system == "patroni" or not p:
        continue
    parts = []
    for label, i in (("RTO", 0), ("recovery time", 1)):
        mu, mp = median([r[i] for r in us]), median([r[i] for r in p])
        if mu is not None and mp:
            parts.append(f"{label} {mu / mp:.3f}")
    print(f"- {setting}, {sync}: {system} / patroni medians: {', '.join(parts)}")

timed = {k: rs for k, rs in sorted(groups.items()) if any(r[4] for r in rs)}
if timed:
    print("\nWhere Understudy's time went: crash instant (printed by crash-leader) → the first journal event of each step, median / max (ms)\n")
    print("| system | setting | replication | " + " | ".join(f"`{s}`" for s in STEPS) + " |")
    print("|---|---|---|" + "---|" * len(STEPS))
    for (setting, sync, system), rs in timed.items():
        cells = []
        for s in STEPS:
            xs = [r[4][s] for r in rs if s in r[4]]
            cells.append(f"{shown(median(xs))} / {shown(max(xs))}" if xs else "–")
        print(f"| {system} | {setting} | {sync} | " + " | ".join(cells) + " |")
