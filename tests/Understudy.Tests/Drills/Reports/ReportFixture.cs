using Understudy.Core.Drills;

namespace Understudy.Tests.Drills.Reports;

/// <summary>
/// A realistic failed drill: a 60 s run, primary killed at +10 s, two probes (an http reader and an
/// http_write probe that lost 3 acknowledged writes), the controller's phases and events, and a failed
/// RPO criterion. Every time is whole milliseconds, as report.json and samples.csv store them.
/// </summary>
internal static class ReportFixture
{
    public static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    public static DateTimeOffset At(double ms) => Start.AddMilliseconds(ms);

    public const string DrillFile = """
        name: web primary crash
        service: web
        controller: http://127.0.0.1:7400
        targets: { rto: 5s, rpo: 0, availability: 99.0, rto_tolerance: 20% }
        probes:
          - { name: web, http: { url: "http://127.0.0.1:9000/", interval: 100ms, timeout: 500ms } }
          - { name: orders-write, http_write: { url: "http://127.0.0.1:9000/orders", interval: 100ms } }
        faults:
          - kill_process: { member: web-a, signal: KILL }
        # a ``` fence inside the file must not end the appendix's code block
        """;

    public static DrillReport Report() => new(
        Name: "Web primary crash",
        Description: "Kill the primary web server and watch clients move to web-b.",
        Environment: "staging",
        Service: "web",
        Controller: "http://127.0.0.1:7400",
        StartedAt: Start,
        EndedAt: At(60_000),
        FaultAt: At(10_000),
        RecoveredAt: At(14_200),
        Verdict: Verdict.Failed,
        AbortReason: null,
        Targets: new ReportTargets(RtoMs: 5000, RecoveryMs: 6000, RpoWrites: 0, RpoWindowMs: null, AvailabilityPct: 99.0, RtoTolerancePct: 20),
        RtoMs: 4205.5,
        RecoveryTimeMs: 4200,
        AvailabilityPct: 93.08,
        LostAcknowledgedWrites: 3,
        Criteria:
        [
            new("rto", true, "4205.5 ms ≤ 5000 ms + 20 %"),
            new("recovery", true, "4200 ms ≤ 6000 ms"),
            new("rpo", false, "3 acknowledged writes lost > 0"),
            new("availability", false, "93.08 % < 99 %"),
            new("alert_received", true, "alert.raised at +1850 ms"),
        ],
        Probes:
        [
            new("web", "http", "http://127.0.0.1:9000/", 600, 42, new Dictionary<string, int> { ["refused"] = 20, ["timeout"] = 22 },
                93.0, 4205.5, 4200, At(10_000), At(14_205), 0,
                new LatencySummary(100, 1.2, 2.5, 3.1), new LatencySummary(3, 450, 480, 480), new LatencySummary(455, 1.4, 2.9, 4.0), null),
            new("orders-write", "http_write", "http://127.0.0.1:9000/orders", 600, 41, new Dictionary<string, int> { ["http_status"] = 41 },
                93.17, 4100, 4150, At(10_100), At(14_150), 2,
                new LatencySummary(100, 2.0, 3.5, 4.2), LatencySummary.Empty, new LatencySummary(459, 2.2, 3.9, 6.5),
                new WriteLoss(Acknowledged: 559, ReadBack: 556, Lost: 3, FirstLostAckAt: At(9_800), LastLostAckAt: At(9_950))),
        ],
        Steps:
        [
            new("steady_state", "steady state 10 s", "error rate ≤ 0", "0 errors in 200 attempts", Start, At(10_000), true),
            new("fault", "kill_process member web-a (SIGKILL)", "web-a exits", "pid 4242 killed", At(10_000), At(10_004), true),
            new("observe", "recovery within 60 s, stable for 3 s", "clients recover", "recovered at +14200 ms", At(10_004), At(17_300), true),
            new("verify", "alert_received within 30 s", "an alert.raised event", "alert.raised at +11850 ms", At(17_300), At(17_320), true),
            new("rollback", "exec ./start-web-a.sh", "exit 0", "exit 1: web-a | still\nstarting", At(17_320), At(18_000), false),
        ],
        Theoretical: new TheoreticalRto(3000, "fall × interval + timeout + switch"),
        Phases:
        [
            new("detect", At(11_800), 1800, 1800),
            new("fence", At(11_830), 30, 1830),
            new("promote", At(11_830), 0, 1830),
            new("switch traffic", At(11_845), 15, 1845),
            new("completed", At(11_900), 55, 1900),
        ],
        Events:
        [
            new(At(11_800), "member.down", "web-a", 1, "controller", "3 failed checks in a row"),
            new(At(11_810), "failover.started", "web-b", 1, "controller", "primary web-a is down"),
            new(At(11_845), "traffic.switched", "web-b", 2, "controller", "epoch 2 routes to web-b"),
            new(At(11_850), "alert.raised", null, 2, "controller", "web failed over to web-b"),
            new(At(11_900), "failover.completed", "web-b", 2, "controller", "done"),
        ],
        Configuration:
        [
            new("service", "web"),
            new("probes.web.url", "http://127.0.0.1:9000/"),
            new("check", "interval 200ms | timeout 100ms | fall 3"),
            new("recovery.stable_for", "3s"),
        ],
        Issues:
        [
            "3 acknowledged writes lost: async replication acknowledges before the standby has the write",
            "rollback failed: start-web-a.sh | exited 1",
        ],
        DrillFile: DrillFile);

    /// <summary>
    /// The fixture with a third probe, a tcp probe resolving through a caching resolver that kept reaching the old
    /// address for 3.2 s after traffic.switched (+11 845 ms) in 156 attempts.
    /// </summary>
    public static DrillReport ReportWithDnsTail()
    {
        DrillReport r = Report();
        ProbeResult db = r.Probes[0] with
        {
            Name = "db-by-name", Kind = "tcp", Target = "db.example.test:5432 (resolved through 127.0.0.1:5353)",
            DnsTail = new DnsTail("127.0.0.1:5353", "127.0.0.1", DnsTailCalculation.FromSwitch, At(11_845), At(15_045), 3200, 156),
        };
        return r with { Probes = [.. r.Probes, db] };
    }

    /// <summary>The fixture under load: a generator that broke first (+100 ms, refused) and an external tool stopped with the probes.</summary>
    public static DrillReport ReportWithLoad()
    {
        var first = new FirstFailure("browse", At(10_100), 100, ErrorKind.Refused, "connection refused");
        return Report() with
        {
            FirstBroken = first,
            Load = [new LoadResult("browse", "http http://127.0.0.1:9000/ at 200/s, at most 16 in flight",
                [new LoadWindow("before", 10, 2000, 2000, 200, 0, 1.5, 4), new LoadWindow("during", 4.2, 840, 630, 150, 25, 3, 900)], first, null, null),
                new LoadResult("bench", "pgbench -T 600", [], null, "ran 60 s, stopped with the probes", "tps = 812\n")],
        };
    }

    /// <summary>
    /// Attempts spread evenly over the 60 s run (every 100 ms by default): refused, then timeouts after the
    /// fault, writes failing with 503s. Latencies are whole milliseconds too.
    /// </summary>
    public static List<(string Probe, ProbeSample Sample)> Samples(int perProbe = 600)
    {
        var list = new List<(string, ProbeSample)>();
        for (int i = 0; i < perProbe; i++)
        {
            long t = i * 60_000L / perProbe;
            bool outage = t is >= 10_000 and < 14_100;
            ErrorKind webError = t < 12_000 ? ErrorKind.Refused : ErrorKind.Timeout;
            int webLatency = !outage ? 1 + i % 5 : webError == ErrorKind.Timeout ? 500 : 0;
            list.Add(("web", new ProbeSample(i, At(t), At(t + webLatency), !outage, outage ? webError : ErrorKind.None,
                outage ? null : t < 10_000 ? "web-a" : "web-b", outage ? (webError == ErrorKind.Timeout ? "timeout" : "connection refused") : null)));
            list.Add(("orders-write", new ProbeSample(i, At(t + 5), At(t + 5 + (outage ? 2 : 3)), !outage, outage ? ErrorKind.HttpStatus : ErrorKind.None,
                outage ? "web-b" : "", outage ? "HTTP 503, \"unavailable\"\nretry later" : $"order {i}")));
        }
        return list;
    }
}
