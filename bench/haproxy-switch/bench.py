#!/usr/bin/env python3
"""One run of one arm: two sample apps behind HAProxy 2.6, switched (a) by Understudy through the runtime API
(traffic.haproxy; checks every 100 ms, timeout 80 ms, fall 2, rise 1) or (b) by HAProxy's own health checks (inter 100ms
fall 2 rise 1, web-b as backup). A GET every 10 ms on a new connection through HAProxy's frontend (open loop), SIGKILL of
web-a's PID, then until 1 s of answers from web-b. Everything on 127.0.0.1, free ports, a temp folder, stopped by PID.
Prints one JSON line: failed requests, kill -> first 200 from web-b (ms)."""
import http.client, json, os, signal, socket, subprocess, sys, tempfile, threading, time
from concurrent.futures import ThreadPoolExecutor

ARM, UNDERSTUDY = sys.argv[1], os.path.abspath(sys.argv[2])
EVERY, DEADLINE = 0.010, 20.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(cond, what, within=20.0):
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            if cond():
                return
        except Exception:
            pass
        time.sleep(0.02)
    raise SystemExit(f"timed out waiting for {what}")


def get(port, path="/", timeout=5.0):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path, headers={"Connection": "close"})
        r = c.getresponse()
        return r.status, r.read().decode(errors="replace").split("\n", 1)[0].strip()
    finally:
        c.close()


def haproxy_cmd(sock, cmd):
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(2)
        s.connect(sock)
        s.sendall((cmd + "\n").encode())
        s.shutdown(socket.SHUT_WR)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
        return out.decode()


def admin_states(sock):
    lines = haproxy_cmd(sock, "show servers state be").split("\n")
    cols = lines[1].lstrip("# ").split()
    rows = [l.split() for l in lines[2:] if l.strip()]
    return {r[cols.index("srv_name")]: int(r[cols.index("srv_admin_state")]) for r in rows}


d = tempfile.mkdtemp(prefix="haproxy-switch-bench.")
pa, pb, front, api = free_port(), free_port(), free_port(), free_port()
sock = os.path.join(d, "haproxy.sock")
procs = []


def start(argv, log):
    p = subprocess.Popen(argv, stdout=open(os.path.join(d, log), "w"), stderr=subprocess.STDOUT, cwd=d)
    procs.append(p)
    return p


try:
    a = start([UNDERSTUDY, "sample-app", "--port", str(pa), "--name", "web-a"], "web-a.log")
    start([UNDERSTUDY, "sample-app", "--port", str(pb), "--name", "web-b"], "web-b.log")
    wait(lambda: get(pa, "/health", 1)[0] == 200 and get(pb, "/health", 1)[0] == 200, "the sample apps")
    by_understudy = ARM.startswith("understudy")
    checks = "" if by_understudy else " check inter 100ms fall 2 rise 1"
    with open(os.path.join(d, "haproxy.cfg"), "w") as f:
        f.write(f"""global
  maxconn 8000
  stats socket {sock} mode 600 level admin
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  retries 3
  option redispatch
frontend fe
  bind 127.0.0.1:{front}
  default_backend be
backend be
  {"option httpchk GET /health" if ARM == "haproxy" else ""}
  server web-a 127.0.0.1:{pa}{checks}
  server web-b 127.0.0.1:{pb}{checks}{" backup" if ARM == "haproxy" else ""}
""")
    start(["haproxy", "-db", "-f", os.path.join(d, "haproxy.cfg")], "haproxy.log")
    wait(lambda: "Pid:" in haproxy_cmd(sock, "show info"), "haproxy's stats socket")
    if by_understudy:
        keep = ", shutdown_sessions: false" if ARM == "understudy-keep" else ""
        with open(os.path.join(d, "understudy.yaml"), "w") as f:
            f.write(f"""controller: {{ api: 127.0.0.1:{api}, journal: journal.db }}
services:
  web:
    kind: http
    members:
      - {{ name: web-a, address: 127.0.0.1:{pa} }}
      - {{ name: web-b, address: 127.0.0.1:{pb} }}
    primary: web-a
    check: {{ path: /health, interval: 100ms, timeout: 80ms, fall: 2, rise: 1 }}
    failover: {{ mode: automatic, cooldown: 30s }}
    traffic:
      haproxy: {{ socket: {sock}, backend: be{keep} }}
""")
        start([UNDERSTUDY, "serve", "-c", os.path.join(d, "understudy.yaml")], "understudy.log")

        def ready():
            c = http.client.HTTPConnection("127.0.0.1", api, timeout=1)
            c.request("GET", "/api/status")
            s = json.loads(c.getresponse().read())
            return all(m["health"] == "up" for m in s["services"][0]["members"]) and admin_states(sock) == {"web-a": 0, "web-b": 1}
        wait(ready, "Understudy up, both members up, web-b in maint")
    else:
        wait(lambda: "web-a" in haproxy_cmd(sock, "show stat") and get(front)[0] == 200, "haproxy answering")

    samples, lock, stop = [], threading.Lock(), threading.Event()

    def one(start_t):
        try:
            status, who = get(front)
        except Exception as e:
            status, who = 0, type(e).__name__
        with lock:
            samples.append((start_t, time.monotonic(), status, who))

    pool = ThreadPoolExecutor(max_workers=64)

    def load():
        t = time.monotonic()
        while not stop.is_set():
            pool.submit(one, time.monotonic())
            t += EVERY
            time.sleep(max(0, t - time.monotonic()))
    loader = threading.Thread(target=load)
    loader.start()
    wait(lambda: sum(1 for s in list(samples) if s[2] == 200 and s[3] == "web-a") >= 50, "steady answers from web-a")
    killed = time.monotonic()
    os.kill(a.pid, signal.SIGKILL)

    def recovered():
        with lock:
            firsts = [s for s in samples if s[2] == 200 and s[3] == "web-b" and s[0] > killed]
            return firsts and any(s[0] > min(f[1] for f in firsts) + 1.0 for s in samples)
    try:
        wait(recovered, "1 s of answers from web-b", DEADLINE)
    finally:
        stop.set()
        loader.join()
        pool.shutdown(wait=True)
    around = [s for s in samples if s[1] >= killed]
    firsts = [s[1] for s in samples if s[2] == 200 and s[3] == "web-b" and s[0] > killed]
    print(json.dumps({
        "arm": ARM,
        "failed": sum(1 for s in around if s[2] != 200),
        "first_ms": round((min(firsts) - killed) * 1000, 1),
        "after_kill": len(around),
        "slowest_ms": round(max(s[1] - s[0] for s in around) * 1000, 1),
        "failures": {str(k): sum(1 for s in around if s[2] != 200 and (s[2] or s[3]) == k) for k in sorted({s[2] or s[3] for s in around if s[2] != 200}, key=str)},
        "web_a_after": sum(1 for s in samples if s[0] > killed + 0.05 and s[3] == "web-a" and s[2] == 200),
    }))
finally:
    for p in reversed(procs):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    subprocess.run(["rm", "-rf", d])
