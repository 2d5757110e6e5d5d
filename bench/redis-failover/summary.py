"""Summarises bench/redis-failover's results (one JSON per run, written by load.py) as Markdown: RTO median / p90 / max,
lost acknowledged writes per run, the ratio of each Understudy arm (asynchronous, synchronous) to Sentinel, and where
the time went.

    python3 summary.py RESULTS_DIR
"""
import glob
import json
import math
import os
import statistics
import sys

LOADS = {"probe": "SET every 10 ms, new connection each", "pipeline": "8 connections × batches of 50 SETs"}
ORDER = ["understudy", "understudy-sync", "sentinel", "sentinel-defaults"]
STEPS = {"understudy": ["member.down", "failover.started", "member.promoted", "traffic.switched"],
         "sentinel": ["sdown", "odown", "promoted-slave", "switch-master"]}


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def p90(xs):
    """Nearest rank; None when a run never recovered (it is the worst)."""
    if not xs or any(x is None for x in xs):
        return None
    s = sorted(xs)
    return s[math.ceil(0.9 * len(s)) - 1]


def shown(x):
    return "never" if x is None else f"{x:.0f}"


runs = [json.load(open(f)) for f in sorted(glob.glob(f"{sys.argv[1]}/*.json"))]
groups = {}
for r in sorted(runs, key=lambda r: r["run"]):
    groups.setdefault((r["mode"], r["label"]), []).append(r)
keys = sorted(groups, key=lambda k: (list(LOADS).index(k[0]), ORDER.index(k[1]) if k[1] in ORDER else 9))

print("| system | setting | load | runs | RTO median / p90 / max (ms) | lost acknowledged writes per run | "
      "acknowledged writes per run, median | failed writes after the kill, median | acknowledged writes/s before the kill, median |")
print("|---|---|---|---|---|---|---|---|---|")
for mode, label in keys:
    rs = groups[(mode, label)]
    rtos = [r["rto_ms"] for r in rs]
    worst = None if any(x is None for x in rtos) else max(rtos)
    print(f"| {label} | {rs[0]['setting']} | {LOADS[mode]} | {len(rs)} | {shown(median(rtos))} / {shown(p90(rtos))} / {shown(worst)} "
          f"| {', '.join('?' if r['lost'] is None else str(r['lost']) for r in rs)} | {shown(median([r['acked'] for r in rs]))} "
          f"| {shown(median([r['failed_after_kill'] for r in rs]))} | {shown(median([r['acked_writes_per_s_before_kill'] for r in rs]))} |")
print()

for mode in LOADS:
    for arm in ("understudy", "understudy-sync"):
        u = groups.get((mode, arm))
        for anchor in ("sentinel", "sentinel-defaults"):
            s = groups.get((mode, anchor))
            if not u or not s:
                continue
            mu, ms = median([r["rto_ms"] for r in u]), median([r["rto_ms"] for r in s])
            lu, ls = sum(r["lost"] or 0 for r in u), sum(r["lost"] or 0 for r in s)
            ratio = f"{mu / ms:.3f}" if mu is not None and ms else "n/a"
            print(f"- {LOADS[mode]}: {arm} / {anchor} median RTO **{ratio}** ({shown(mu)} ms / {shown(ms)} ms); "
                  f"lost acknowledged writes in all runs: {lu} of {sum(r['acked'] for r in u)} / {ls} of {sum(r['acked'] for r in s)}")
    sync = groups.get((mode, "understudy-sync"))
    if sync:
        def c(x):
            return "?" if x is None else str(x)
        print(f"- {LOADS[mode]}: understudy-sync, the proxy's `understudy_redis_unprotected_writes_total` per run, just "
              f"before the kill / at the end (after the failover r2 has no replica, so its writes pass without a WAIT): "
              + ", ".join(f"{c(r.get('unprotected_before_kill'))} / {c(r.get('unprotected_writes'))}" for r in sync))

for r in runs:
    if not r.get("kill") or r["killed_node"] != "r1" or not r["new_primary_is_other"] or r["final_primary_role"] != "master":
        print(f"- **odd**: {r['label']} {r['mode']} run {r['run']}: the primary when the kill came was {r.get('killed_node')} "
              f"(r1 unless it had failed over before), final primary port {r['final_primary_port']}, role "
              f"{r['final_primary_role']}{', ' + r['check_error'] if r.get('check_error') else ''}")
    if r["lost"]:
        where = "; ".join(f"{x['id']} sent {x['start_ms']}, done {x['end_ms']}, port {x['port']}" for x in r.get("lost_from", [])[:5])
        print(f"- lost: {r['label']} {r['mode']} run {r['run']}: {r['lost']} keys (e.g. {r['lost_keys'][0]}), acknowledged in "
              f"(ms from the kill; port {r['kill']['port']} was killed): {where or 'not recorded'}")
if os.path.exists(f"{sys.argv[1]}/failures.txt"):
    for line in open(f"{sys.argv[1]}/failures.txt"):
        print(f"- **not measured**: {line.strip()}")

print("\nWhere the time went: the kill → the first record of each step (Understudy's journal; the earliest of the three "
      "sentinels' logs), median / max (ms)\n")
for system, steps in STEPS.items():
    print(f"| {system} | load | " + " | ".join(f"`{s}`" for s in steps) + " |")
    print("|---|---|" + "---|" * len(steps))
    for mode, label in keys:
        if not label.startswith(system):
            continue
        cells = []
        for s in steps:
            xs = [r["steps_ms"][s] for r in groups[(mode, label)] if s in r.get("steps_ms", {})]
            cells.append(f"{shown(median(xs))} / {shown(max(xs))}" if xs else "–")
        print(f"| {label} | {mode} | " + " | ".join(cells) + " |")
    print()
