"""The clients of bench/redis-failover, and the count of what they lost. Python's standard library only (RESP by hand).

    load.py probe    ENV_SH DIR --run N --out FILE [--max-after S] [--label L]   one SET every 10 ms, each on a new connection (open loop)
    load.py pipeline ENV_SH DIR --run N --out FILE [--max-after S] [--label L]   8 connections, each sending batches of 50 SETs pipelined

Both: 2 s of load, then `ENV_SH crash-primary DIR` (SIGKILL of the primary, which prints the instant), load until the
clients have been served again for a while (bounded by --max-after), then every acknowledged key is looked up on the
primary that `ENV_SH primary DIR` names (its ROLE must be master). The endpoint comes from DIR/env.json: Understudy's
proxy, or, for Sentinel, the primary a sentinel names, asked before every connection as a client library does on
reconnect. Every command batch ends with CONFIG GET port, so each acknowledgement knows which server gave it.

RTO = kill → the end of the first write acknowledged after the kill by a server other than the killed one.
Lost = acknowledged keys missing on the final primary (exact, per key). Prints one JSON object to --out.
"""
import argparse
import asyncio
import json
import subprocess
import sys
import time
import urllib.request
from datetime import datetime

TIMEOUT = 5.0          # one attempt or one batch, connect included
SENTINEL_TIMEOUT = 0.2  # one sentinel's answer, before the next one is asked


def command(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class RedisError(Exception):
    pass


async def reply(reader):
    line = await reader.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("connection closed")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        return RedisError(rest.decode())  # returned, not raised: the other replies of a pipeline still follow
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        return None if n < 0 else (await reader.readexactly(n + 2))[:-2].decode()
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [await reply(reader) for _ in range(n)]
    raise ConnectionError(f"unexpected reply {line!r}")


async def call(port, *args, timeout=TIMEOUT):
    async def go():
        r, w = await asyncio.open_connection("127.0.0.1", port)
        try:
            w.write(command(*args))
            return await reply(r)
        finally:
            w.close()
    return await asyncio.wait_for(go(), timeout)


class Endpoint:
    def __init__(self, env):
        e = env["endpoint"]
        self.kind = e["kind"]
        self.port = e.get("port")
        self.sentinels = e.get("sentinels", [])
        self.master = e.get("master")

    async def resolve(self):
        """The port to connect to: the proxy's, or the primary's as the first sentinel that answers names it."""
        if self.kind == "proxy":
            return self.port
        for s in self.sentinels:
            try:
                addr = await call(s, "SENTINEL", "get-master-addr-by-name", self.master, timeout=SENTINEL_TIMEOUT)
                if isinstance(addr, list) and len(addr) == 2:
                    return int(addr[1])
            except (OSError, asyncio.TimeoutError, ConnectionError, ValueError):
                continue
        raise ConnectionError("no sentinel answered")


def env_sh(env_sh_path, verb, d):
    return subprocess.run([env_sh_path, verb, d], check=True, capture_output=True, text=True, timeout=30).stdout.strip()


class Run:
    def __init__(self, args, env):
        self.args = args
        self.endpoint = Endpoint(env)
        self.prefix = f"{args.mode}:{env['system']}:{args.run}"
        self.kill = None          # the crash command's JSON: node, port, pid, instant
        self.first_new_ack = None  # the end of the first acknowledgement from another server than the killed one
        self.records = []          # (start, end, acked, port or None, error, id), one per attempt or batch
        self.acked = []            # keys acknowledged
        self.stop = asyncio.Event()
        self.env = env
        self.unprotected_before_kill = None

    def note_ack(self, end, port):
        if self.kill and port is not None and port != self.kill["port"] and end > self.kill["instant"] and self.first_new_ack is None:
            self.first_new_ack = end

    # ------------------------------------------------------------------ the two loads

    async def probe_attempt(self, seq):
        key, start = f"{self.prefix}:{seq}", time.time()
        acked, port, error = False, None, None
        try:
            async def go():
                target = await self.endpoint.resolve()
                r, w = await asyncio.open_connection("127.0.0.1", target)
                try:
                    w.write(command("SET", key, seq) + command("CONFIG", "GET", "port"))
                    ok = await reply(r)
                    t_ack = time.time()
                    who = await reply(r)
                    return ok, t_ack, who
                finally:
                    w.close()
            ok, t_ack, who = await asyncio.wait_for(go(), TIMEOUT)
            if ok == "OK":
                acked = True
                self.acked.append(key)
                port = int(who[1]) if isinstance(who, list) else None
                self.note_ack(t_ack, port)
            else:
                error = str(ok)
        except (OSError, asyncio.TimeoutError, ConnectionError, ValueError, asyncio.IncompleteReadError) as e:
            error = type(e).__name__ + (f": {e}" if str(e) else "")
        self.records.append((start, time.time(), acked, port, error, key))

    async def probe(self):
        tasks, seq, t0 = set(), 0, time.monotonic()
        limit = int((2 + self.args.max_after + 10) / 0.01)   # bounded in count as well as in time
        while not self.stop.is_set() and seq < limit:
            seq += 1
            t = asyncio.create_task(self.probe_attempt(seq))
            tasks.add(t); t.add_done_callback(tasks.discard)
            await asyncio.sleep(max(0.0, t0 + seq * 0.01 - time.monotonic()))
        if tasks:
            await asyncio.wait(tasks, timeout=TIMEOUT + 1)

    async def pipeline_conn(self, c):
        batch = 0
        while not self.stop.is_set() and batch < 1_000_000:
            w, in_batch = None, False
            try:
                target = await asyncio.wait_for(self.endpoint.resolve(), TIMEOUT)
                r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", target), TIMEOUT)
                while not self.stop.is_set() and batch < 1_000_000:
                    batch, in_batch = batch + 1, True
                    keys = [f"{self.prefix}:{c}:{batch}:{i}" for i in range(self.args.batch)]
                    start, got, port = time.time(), [], None
                    try:
                        w.write(b"".join(command("SET", k, 1) for k in keys) + command("CONFIG", "GET", "port"))

                        async def read_all():
                            for k in keys:
                                if await reply(r) == "OK":
                                    got.append((k, time.time()))
                            return await reply(r)
                        who = await asyncio.wait_for(read_all(), TIMEOUT)
                        port = int(who[1]) if isinstance(who, list) else None
                    finally:
                        # Replies read before a failure are acknowledgements too; which server gave them is known only
                        # when the batch's CONFIG GET came back, else they are counted but do not end the outage.
                        self.acked.extend(k for k, _ in got)
                        if got and port is not None:
                            self.note_ack(got[0][1], port)
                        self.records.append((start, time.time(), len(got), port, None if len(got) == len(keys) else "partial",
                                             f"{self.prefix}:{c}:{batch}"))
                    in_batch = False
            except (OSError, asyncio.TimeoutError, ConnectionError, ValueError, asyncio.IncompleteReadError) as e:
                if not in_batch:  # a failed batch has its record already
                    self.records.append((time.time(), time.time(), 0, None, type(e).__name__, None))
                await asyncio.sleep(0.01)
            finally:
                if w is not None:
                    w.close()

    async def pipeline(self):
        await asyncio.gather(*(self.pipeline_conn(c) for c in range(self.args.conns)))

    # ------------------------------------------------------------------ the run

    async def crash_and_watch(self):
        await asyncio.sleep(2.0)
        self.unprotected_before_kill = await asyncio.to_thread(unprotected_writes, self.env)
        proc = await asyncio.create_subprocess_exec(self.args.env_sh, "crash-primary", self.args.dir,
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
        if proc.returncode != 0:
            sys.stderr.write(err.decode())
            self.stop.set()
            return
        self.kill = json.loads(out.decode().strip().splitlines()[-1])
        # Load goes on until the clients have been served again for `stable` seconds, at most max_after after the kill.
        deadline = self.kill["instant"] + self.args.max_after
        while time.time() < deadline:
            if self.first_new_ack and time.time() > self.first_new_ack + self.args.stable:
                break
            await asyncio.sleep(0.05)
        self.stop.set()

    async def check(self):
        """Every acknowledged key looked up on the final primary, pipelined EXISTS in chunks; None for what could not be
        found out (no primary named, or it does not answer), with the reason."""
        try:
            return await self.lookup()
        except (OSError, asyncio.TimeoutError, ConnectionError, subprocess.SubprocessError, ValueError) as e:
            return None, None, None, f"{type(e).__name__}: {e}"

    async def lookup(self):
        port = int(env_sh(self.args.env_sh, "primary", self.args.dir))
        r, w = await asyncio.open_connection("127.0.0.1", port)
        try:
            w.write(command("ROLE"))
            role = (await reply(r))[0]
            missing = []
            for i in range(0, len(self.acked), 2000):
                chunk = self.acked[i:i + 2000]
                w.write(b"".join(command("EXISTS", k) for k in chunk))
                for k in chunk:
                    if await asyncio.wait_for(reply(r), 30) != 1:
                        missing.append(k)
            return port, role, missing, None
        finally:
            w.close()

    async def main(self):
        load = self.probe() if self.args.mode == "probe" else self.pipeline()
        await asyncio.gather(load, self.crash_and_watch())
        port, role, missing, check_error = await self.check()
        k = self.kill["instant"] if self.kill else None
        before = [x for x in self.records if k and x[1] <= k]
        after = [x for x in self.records if k and x[1] > k]
        acked_before = sum(int(x[2]) for x in before)
        span = (max(x[1] for x in before) - min(x[0] for x in before)) if before else 0
        return {
            "mode": self.args.mode, "run": self.args.run, "kill": self.kill, "killed_node": (self.kill or {}).get("node"),
            "rto_ms": round((self.first_new_ack - k) * 1000) if k and self.first_new_ack else None,
            "final_primary_port": port, "final_primary_role": role,
            "new_primary_is_other": bool(self.kill) and port is not None and port != self.kill["port"], "check_error": check_error,
            "attempts": len(self.records), "acked": len(self.acked),
            "failed_after_kill": sum(1 for x in after if not x[2] or x[4]),
            "acked_writes_per_s_before_kill": round(acked_before / span) if span else None,
            "lost": None if missing is None else len(missing), "lost_keys": (missing or [])[:20],
            "lost_from": self.lost_from(missing or []),
            "unprotected_before_kill": self.unprotected_before_kill,
        }

    def lost_from(self, missing):
        """The attempts or batches the lost keys were acknowledged in: ms from the kill to their start and end, and the
        port of the server that acknowledged them."""
        k = self.kill["instant"] if self.kill else 0
        ids = {m if self.args.mode == "probe" else m.rsplit(":", 1)[0] for m in missing}
        return [{"id": x[5], "start_ms": round((x[0] - k) * 1000, 1), "end_ms": round((x[1] - k) * 1000, 1), "acked": x[2], "port": x[3]}
                for x in self.records if x[5] in ids][:20]


def timeline(env_sh_path, d, env, kill_instant):
    """Milliseconds from the kill to each step of the failover: Understudy's journal, or the sentinels' logs."""
    out = {}
    text = subprocess.run([env_sh_path, "events", d], capture_output=True, text=True, timeout=30).stdout
    if env["system"] == "understudy":
        for e in sorted(json.loads(text or '{"events":[]}').get("events", []), key=lambda e: e["time"]):
            t = datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp()
            if t >= kill_instant - 0.001 and e["type"] in ("member.down", "failover.started", "member.promoted", "traffic.switched"):
                out.setdefault(e["type"], round((t - kill_instant) * 1000))
    else:
        for line in text.splitlines():
            parts = line.split(" ", 6)
            if len(parts) < 7 or not any(s in parts[6] for s in ("+sdown master", "+odown master", "+promoted-slave", "+switch-master")):
                continue
            t = datetime.strptime(" ".join(parts[1:5]), "%d %b %Y %H:%M:%S.%f").timestamp()  # the sentinels' local time
            step = parts[6].split(" ")[0].lstrip("+")
            if t >= kill_instant - 0.001:
                out[step] = min(out.get(step, 1e12), round((t - kill_instant) * 1000))
    return out


def unprotected_writes(env):
    """Understudy in synchronous mode: the proxy's count of writes acknowledged without a replica (a WAIT that timed
    out, or a write passed on while the checks saw no replica online), from /metrics; None otherwise."""
    if env["system"] != "understudy" or not env.get("synchronous"):
        return None
    try:
        with urllib.request.urlopen(f"{env['api']}/metrics", timeout=5) as r:
            for line in r.read().decode().splitlines():
                if line.startswith("understudy_redis_unprotected_writes_total"):
                    return int(float(line.rsplit(" ", 1)[1]))
    except (OSError, ValueError):
        pass
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["probe", "pipeline"])
    p.add_argument("env_sh")
    p.add_argument("dir")
    p.add_argument("--run", type=int, default=1)
    p.add_argument("--label", help="the row of the summary (default: the system)")
    p.add_argument("--out", required=True)
    p.add_argument("--max-after", type=float, default=30.0, help="seconds after the kill at most")
    p.add_argument("--stable", type=float, default=3.0, help="seconds of load after the first new acknowledgement")
    p.add_argument("--conns", type=int, default=8)
    p.add_argument("--batch", type=int, default=50)
    args = p.parse_args()
    env = json.load(open(f"{args.dir}/env.json"))
    result = asyncio.run(Run(args, env).main())
    setting = (env["check"].strip("{} ").replace(":", "") + (", synchronous" if env.get("synchronous") else "")) if env.get("check") \
        else f"down-after {env.get('down_after_ms')} ms"
    result.update(system=env["system"], label=args.label or env["system"], setting=setting, unprotected_writes=unprotected_writes(env),
                  steps_ms=timeline(args.env_sh, args.dir, env, result["kill"]["instant"]) if result["kill"] else {})
    json.dump(result, open(args.out, "w"), indent=1)
    print(json.dumps({k: result[k] for k in ("system", "mode", "run", "rto_ms", "lost", "acked", "failed_after_kill", "steps_ms")}))


if __name__ == "__main__":
    main()
