"""Summarises bench/pg-failover rows (system, setting, replication, rto_ms, recovery_ms, lost, failed) as Markdown."""
import statistics
import sys


def number(x):
    return None if x in ("None", "null", "") else float(x)


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def shown(x):
    return "never" if x is None else f"{x:.0f}"


rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
runs = sys.argv[2]
groups = {}
for system, setting, sync, rto, rec, lost, failed in rows:
    groups.setdefault((setting, sync, system), []).append((number(rto), number(rec), lost, number(failed)))

print(f"### PostgreSQL primary host crash, {runs} runs each (sql_write every 10 ms on a new connection; figures from the drill's report)\n")
print("| system | setting | replication | median RTO (ms) | max RTO (ms) | median recovery time (ms) | lost acknowledged writes per run | failed writes, median |")
print("|---|---|---|---|---|---|---|---|")
for (setting, sync, system), rs in sorted(groups.items()):
    rtos = [r[0] for r in rs]
    worst = None if any(x is None for x in rtos) else max(rtos)
    print(f"| {system} | {setting} | {sync} | {shown(median(rtos))} | {shown(worst)} | {shown(median([r[1] for r in rs]))} "
          f"| {', '.join(r[2] for r in rs)} | {shown(median([r[3] for r in rs]))} |")
print()
for setting in ("defaults", "aggressive"):
    for sync in ("async", "sync"):
        u, p = groups.get((setting, sync, "understudy")), groups.get((setting, sync, "patroni"))
        if not (u and p):
            continue
        parts = []
        for label, i in (("RTO", 0), ("recovery time", 1)):
            mu, mp = median([r[i] for r in u]), median([r[i] for r in p])
            if mu is not None and mp:
                parts.append(f"{label} {mu / mp:.3f}")
        print(f"- {setting}, {sync}: understudy / patroni medians: {', '.join(parts)}")
