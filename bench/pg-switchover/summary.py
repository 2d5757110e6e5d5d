"""Summarises bench/pg-switchover: per system, the switchovers its switches.jsonl logged, against the drill's
samples.csv (every write attempt) and rows.txt (every row on the final primary, with the port of the server that
committed it). Prints Markdown.

    summary.py RESULTS_DIR RUNS SETTING
"""
import csv
import glob
import json
import os
import statistics
import sys
from collections import Counter
from datetime import datetime

results, runs, setting = sys.argv[1], sys.argv[2], sys.argv[3]
SYSTEMS = ("understudy", "patroni")
# Understudy's journal, in the order of a PostgreSQL switchover (docs/operations.md).
STEPS = ("switchover.started", "switchover.stopping", "member.stopped", "member.fenced", "member.promoted",
         "traffic.switched", "member.following", "switchover.completed")
# Journal events that are no part of a switchover: listed wherever they happen.
ANOMALIES = ("failover.started", "failover.completed", "switchover.failed", "switchover.giving_back", "service.degraded")
# Patroni's own log lines (INFO) for the same steps, on the old leader then the candidate.
PATRONI_STEPS = (("received switchover request", "request received"), ("Demoting self", "demoting"),
                 ("Leader key released", "leader key released"), ("promoted self to leader", "candidate took the lock"))
# A write is the switchover's if it started between the command's start and 1 s after it returned (or the next one).
AFTER_S = 1.0


def ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def top(xs):
    xs = [x for x in xs if x is not None]
    return max(xs) if xs else None


def shown(x):
    return "–" if x is None else f"{x:.0f}"


def load(system):
    d = os.path.join(results, system)
    log = os.path.join(d, "switches.jsonl")
    if not os.path.exists(log):
        return None
    entries = [json.loads(line) for line in open(log) if line.strip()]
    switches = [e for e in entries if "start" in e]
    errors = [e["error"] for e in entries if "error" in e]
    samples_path = next(iter(glob.glob(os.path.join(d, "*", "samples.csv"))), None)
    samples = []
    if samples_path:
        for r in csv.DictReader(open(samples_path)):
            samples.append({"seq": int(r["seq"]), "start": ts(r["start"]), "end": ts(r["end"]), "ok": r["ok"] == "true", "error": r["error"]})
    port = {}
    rows_path = os.path.join(d, "rows.txt")
    if os.path.exists(rows_path):
        for line in open(rows_path):
            if "|" in line:
                i, p = line.strip().split("|")
                port[int(i)] = int(p) if p else None
    events = []
    try:
        events = json.load(open(os.path.join(d, "events.json")))
    except (OSError, ValueError):
        pass
    for name in ("pg1", "pg2"):  # Patroni's log lines as events: "2026-12-05 23:53:52,354 INFO: message" (UTC)
        path = os.path.join(d, f"{name}-patroni.log")
        for line in open(path) if os.path.exists(path) else []:
            if len(line) > 24 and line[23:29] == " INFO:":
                try:
                    t = datetime.fromisoformat(line[:23].replace(",", ".") + "+00:00")
                except ValueError:
                    continue
                events.append({"time": t.isoformat(), "type": line[30:].strip(), "member": name})
    return {"switches": switches, "errors": errors, "samples": samples, "port": port, "read_back": os.path.exists(rows_path),
            "events": events, "report": next(iter(glob.glob(os.path.join(d, "*", "report.json"))), None)}


def measure(data, system):
    sw, samples, port = data["switches"], data["samples"], data["port"]
    acks = sorted((s["end"], s["seq"]) for s in samples if s["ok"])
    out = []
    starts = [float(e["start"]) for e in sw]
    for k, e in enumerate(sw):
        s, end = float(e["start"]), float(e["end"])
        w = min(starts[k + 1] if k + 1 < len(sw) else float("inf"), end + AFTER_S)
        to_port = int(e["to_port"])
        gap = None
        for (a, _), (b, _) in zip(acks, acks[1:]):
            if b > s and a < w:
                gap = max(gap or 0, b - a)
        first_new = next((a for a, q in acks if a > s and port.get(q) == to_port), None)
        failed = [x for x in samples if not x["ok"] and s <= x["start"] < w]
        lost = [q for a, q in acks if s <= a < w and q not in port] if data["read_back"] else None
        ok = e["rc"] == "0" and (system != "patroni" or "Successfully switched over" in e["output"])
        row = {
            "i": int(e["i"]), "dir": f'{e["from"]} → {e["to"]}', "ok": ok,
            "duration": (end - s) * 1000,
            "gap": None if gap is None else gap * 1000,
            "first_new": None if first_new is None else (first_new - s) * 1000,
            "following": (float(e["following"]) - s) * 1000 if e.get("following") else None,
            "failed": len(failed), "errors": Counter(x["error"] for x in failed),
            "lost": None if lost is None else len(lost),
            "output": e["output"], "steps": {},
        }
        for ev in sorted(data["events"], key=lambda v: v["time"]):
            t = ts(ev["time"])
            if not s <= t < w:
                continue
            step = ev["type"] if ev["type"] in STEPS else next((label for text, label in PATRONI_STEPS if ev["type"].startswith(text)), None)
            if step and step not in row["steps"]:
                row["steps"][step] = (t - s) * 1000
        out.append(row)
    windows = [(float(e["start"]), min(starts[k + 1] if k + 1 < len(sw) else float("inf"), float(e["end"]) + AFTER_S)) for k, e in enumerate(sw)]
    outside = lambda t: not any(a <= t < b for a, b in windows)
    first = starts[0] if starts else float("inf")
    failed_out = [x for x in samples if not x["ok"] and outside(x["start"])]
    lost_out = [q for a, q in acks if outside(a) and q not in port] if data["read_back"] else []
    steady = [b - a for (a, _), (b, _) in zip(acks, acks[1:]) if b < first]
    latency = [x["end"] - x["start"] for x in samples if x["ok"] and x["end"] < first]
    anomalies = [e for e in data["events"] if e["type"] in ANOMALIES]
    return out, {"failed_out": len(failed_out), "errors_out": Counter(x["error"] for x in failed_out), "lost_out": len(lost_out),
                 "attempts": len(samples), "acked": len(acks), "anomalies": anomalies,
                 "steady_gap": max(steady) * 1000 if steady else None, "steady_latency": median(latency) * 1000 if latency else None}


MEASURES = (("duration", "command start → command returned (ms)"),
            ("gap", "longest time between two acknowledged writes (ms)"),
            ("first_new", "command start → first write acknowledged by the new primary (ms)"),
            ("following", "command start → old primary streaming from the new one (ms)"),
            ("failed", "failed writes"),
            ("lost", "acknowledged writes lost"))

loaded = {s: load(s) for s in SYSTEMS}
measured = {s: measure(d, s) for s, d in loaded.items() if d}
print(f"### PostgreSQL planned switchover, {runs} per system, alternating pg1 → pg2 and back (setting {setting}, asynchronous; "
      "sql_write every 10 ms on a new connection through the entry point)\n")
for system, (rows, extra) in measured.items():
    done = sum(1 for r in rows if r["ok"])
    print(f"**{system}**: {done} of {len(rows)} switchovers completed ({runs} asked); {extra['attempts']} write attempts, {extra['acked']} acknowledged. "
          f"Before the first switchover: write latency {shown(extra['steady_latency'])} ms (median), longest time between two acknowledged writes "
          f"{shown(extra['steady_gap'])} ms. Outside the switchovers' windows (command start → 1 s after it returned): "
          f"{extra['failed_out']} failed writes{' (' + ', '.join(f'{k} {v}' for k, v in sorted(extra['errors_out'].items())) + ')' if extra['errors_out'] else ''}, "
          f"{extra['lost_out']} lost\n")
    for err in loaded[system]["errors"]:
        print(f"- the run stopped early: {err}")
    for e in extra["anomalies"]:
        print(f"- journal, {e['time'][11:23]} UTC, epoch {e['epoch']}: `{e['type']}` {e.get('member') or ''}: {e['details'].get('reason', '')}")
    if loaded[system]["errors"] or extra["anomalies"]:
        print()
    print("| measure | median | max |")
    print("|---|---|---|")
    for key, label in MEASURES:
        xs = [r[key] for r in rows]
        print(f"| {label} | {shown(median(xs))} | {shown(top(xs))} |")
    kinds = sum((r["errors"] for r in rows), Counter())
    if kinds:
        print(f"\nFailed writes by kind: {', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}")
    print("\n| # | direction | completed | duration | longest gap | first write on new primary | old primary following | failed | lost |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['i']} | {r['dir']} | {'yes' if r['ok'] else 'NO'} | {shown(r['duration'])} | {shown(r['gap'])} | {shown(r['first_new'])} "
              f"| {shown(r['following'])} | {r['failed']} | {'–' if r['lost'] is None else r['lost']} |")
    failed_cmds = [r for r in rows if not r["ok"]]
    for r in failed_cmds:
        print(f"\nSwitchover {r['i']} ({r['dir']}) did not complete; the command said:\n\n```\n{r['output'].strip()}\n```")
    timed = [r for r in rows if r["steps"]]
    if timed:
        steps = STEPS if system == "understudy" else [label for _, label in PATRONI_STEPS]
        source = "the first journal event of each step" if system == "understudy" else "Patroni's log line for each step"
        print(f"\nWhere {system}'s time went: command start → {source}, median / max (ms)\n")
        print("| " + " | ".join(f"`{s}`" for s in steps) + " |")
        print("|" + "---|" * len(steps))
        cells = []
        for s in steps:
            xs = [r["steps"][s] for r in timed if s in r["steps"]]
            cells.append(f"{shown(median(xs))} / {shown(top(xs))}" if xs else "–")
        print("| " + " | ".join(cells) + " |")
    print()

if all(s in measured for s in SYSTEMS):
    u, p = measured["understudy"][0], measured["patroni"][0]
    parts = []
    for key, label in MEASURES[:4]:
        mu, mp = median([r[key] for r in u]), median([r[key] for r in p])
        if mu is not None and mp:
            parts.append(f"{label.split(' (')[0]} {mu / mp:.2f}")
    print("Understudy / Patroni, medians: " + "; ".join(parts))
    print(f"\nFailed writes in all: Understudy {sum(r['failed'] for r in u)}, Patroni {sum(r['failed'] for r in p)}; "
          f"acknowledged writes lost: Understudy {sum(r['lost'] or 0 for r in u)}, Patroni {sum(r['lost'] or 0 for r in p)}")
