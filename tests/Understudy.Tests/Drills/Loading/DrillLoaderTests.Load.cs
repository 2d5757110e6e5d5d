using Understudy.Core.Drills;

namespace Understudy.Tests.Drills.Loading;

/// <summary><c>load:</c> built-in generators paced by rate and concurrency, or an external tool.</summary>
public partial class DrillLoaderTests
{
    [Fact]
    public void Parse_Load_GeneratorPacedByRateAndAToolAsWritten()
    {
        DrillSpec spec = AssertValid(Minimal + """

            load:
              - { name: browse, http: { url: "http://127.0.0.1:9000/", timeout: 2s }, rate: 200, concurrency: 16 }
              - { name: bench, command: [pgbench, -c, "8", -T, "600"] }
            """);

        LoadSpec browse = spec.Load[0], bench = spec.Load[1];
        Assert.Equal((200.0, 16, TimeSpan.FromMilliseconds(5), 16, TimeSpan.FromSeconds(2)),
            (browse.Rate, browse.Concurrency, browse.Generator!.Interval, browse.Generator.MaxInFlight, browse.Generator.Timeout));
        Assert.Equal("http http://127.0.0.1:9000/ at 200/s, at most 16 in flight", browse.Shown);
        Assert.Equal((null, "pgbench -c 8 -T 600"), (bench.Generator, bench.Shown));
        Assert.Empty(AssertValid(Minimal).Load);
    }

    [Fact]
    public void Parse_LoadErrors_EachNamedWithItsKey() => AssertErrors(Minimal + """

        load:
          - { name: web, http: { url: "http://127.0.0.1:9000/" }, rate: 10, concurrency: 1 }
          - { name: a, http: { url: "http://127.0.0.1:9000/", interval: 1s }, rate: 0, concurrency: 0 }
          - { name: b, sql_write: { connection: "Host=127.0.0.1" }, rate: 5, concurrency: 2 }
          - { name: c, command: [wrk], rate: 5 }
          - { name: d, tcp: { address: 127.0.0.1:9 } }
        """,
        "drill.yaml:6:13 load[0].name: 'web' is already the name of a probe or a load",
        "drill.yaml:7:55 load[1].http.interval: a load is paced by its rate (attempts per second), not interval",
        "drill.yaml:7:77 load[1].rate: must be from 1 to 1000 attempts per second (an external tool in command: for more), got 0",
        "drill.yaml:7:93 load[1].concurrency: must be from 1 to 10000 (got 0)",
        "drill.yaml:8:16 load[2].sql_write: not a load: a load reads (http, tcp, redis, sql) or runs a command; writes are measured by probes",
        "drill.yaml:9:32 load[3].rate: not with command: an external tool sets its own pace",
        "drill.yaml:10:5 load[4].rate: required: attempts per second, e.g. rate: 200",
        "drill.yaml:10:5 load[4].concurrency: required: at most this many attempts in flight, e.g. concurrency: 32");

    [Fact]
    public void Parse_SqlRead_SelectOneUnlessAQueryAndThePasswordNeverShown()
    {
        DrillSpec spec = AssertValid(Minimal + """

            load:
              - { name: reads, sql: { connection: "Host=127.0.0.1;Port=6432;Username=app;Password=secret" }, rate: 20, concurrency: 4 }
              - { name: counts, sql: { connection: "Host=127.0.0.1", query: "SELECT count(*) FROM orders" }, rate: 5, concurrency: 1 }
            """);

        Assert.Equal(("SELECT 1", "SELECT count(*) FROM orders"), (spec.Load[0].Generator!.Query, spec.Load[1].Generator!.Query));
        Assert.Equal("Host=127.0.0.1;Port=6432;Username=app query SELECT 1", spec.Load[0].Generator!.Shown);
    }
}
