using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Cli;

[Collection(RealProcesses.Name)]
public class CliTests
{
    private const string Valid = """
        controller: { api: 127.0.0.1:47400, journal: j.db }
        services:
          web:
            kind: http
            members:
              - { name: web-a, address: 127.0.0.1:48081 }
              - { name: web-b, address: 127.0.0.1:48082 }
            primary: web-a
            traffic: { proxy: { listen: 127.0.0.1:49000 } }
        """;

    public static TheoryData<string, string, string> BadConfigs => new()
    {
        { "unknown key", Valid.Replace("primary: web-a", "primary: web-a\n    primry: web-b"), "understudy.yaml:9:5 services.web.primry: unknown key" },
        { "wrong type", Valid.Replace("kind: http", "kind: http\n    check: { fall: lots }"), "understudy.yaml:5:20 services.web.check.fall: expected an integer, got 'lots'" },
        { "duplicate member", Valid.Replace("name: web-b", "name: web-a"), "services.web.members[1].name: duplicate member name 'web-a'" },
        { "unknown primary", Valid.Replace("primary: web-a", "primary: web-z"), "understudy.yaml:8:14 services.web.primary: 'web-z' is not a member of this service (members: web-a, web-b)" },
        { "bad address", Valid.Replace("127.0.0.1:48082", "127.0.0.1"), "understudy.yaml:7:33 services.web.members[1].address: expected host:port (e.g. 127.0.0.1:8080), got '127.0.0.1'" },
        { "port out of range", Valid.Replace("48082", "70000"), "services.web.members[1].address: port must be a number from 1 to 65535, got '70000'" },
        { "timeout not below interval", Valid.Replace("kind: http", "kind: http\n    check: { interval: 200ms, timeout: 200ms }"), "services.web.check.timeout: must be shorter than interval (200ms), got 200ms" },
        { "fall zero", Valid.Replace("kind: http", "kind: http\n    check: { fall: 0 }"), "services.web.check.fall: must be ≥ 1 (got 0)" },
        { "negative cooldown", Valid.Replace("kind: http", "kind: http\n    failover: { cooldown: -5s }"), "services.web.failover.cooldown:" },
        { "unknown kind", Valid.Replace("kind: http", "kind: mysql"), "services.web.kind: expected one of http, tcp, postgres, redis, got 'mysql'" },
        { "bad duration unit", Valid.Replace("kind: http", "kind: http\n    check: { interval: 2 weeks }"), "services.web.check.interval:" },
        { "syntax error", Valid.Replace("{ api:", "{ api: [ "), "understudy.yaml:1:" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public async Task Validate_BadConfig_PrintsTheErrorAndExitsTwo(string kind, string yaml, string expected)
    {
        using var dir = new TempDir();
        await File.WriteAllTextAsync(dir.File("understudy.yaml"), yaml);

        var r = await CliRunner.RunAsync("validate", "-c", dir.File("understudy.yaml"));

        Assert.True(r.ExitCode == 2, $"{kind}: exit {r.ExitCode}\n{r.Err}");
        Assert.Contains(expected.Replace("understudy.yaml", dir.File("understudy.yaml")), r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public async Task Validate_GoodConfig_ExitsZero()
    {
        using var dir = new TempDir();
        await File.WriteAllTextAsync(dir.File("understudy.yaml"), Valid);

        var r = await CliRunner.RunAsync("validate", "-c", dir.File("understudy.yaml"));

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("valid (1 service: web)", r.Out);
    }

    [Fact]
    public async Task StatusAndEvents_NoControllerRunning_ReadTheJournal()
    {
        await using var pair = await WebPair.StartAsync();
        await using (var controller = await ControllerProcess.StartAsync(pair.Config, pair.ApiPort))
        {
            await Eventually.TrueAsync(async () => (await controller.ServiceAsync("web")).Members.All(m => m.Health == "up"), "both members up");
            pair.A.Kill();
            await Eventually.TrueAsync(async () => (await controller.ServiceAsync("web")) is { Routable: "web-b", Failover: null }, "failover");
        }

        var status = await CliRunner.RunAsync("status", "-c", pair.Config, "--json");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("\"live\":false", status.Out);
        Assert.Contains("\"epoch\":2,\"primary\":\"web-b\"", status.Out);

        var events = await CliRunner.RunAsync("events", "-c", pair.Config, "--type", "failover.started", "--json");
        Assert.Equal(0, events.ExitCode);
        Assert.Contains("\"type\":\"failover.started\"", events.Out);
        Assert.DoesNotContain("member.down", events.Out);
    }

    [Fact]
    public async Task Events_BadSinceOrUnknownService_ExitsTwoWithAMessage()
    {
        using var dir = new TempDir();
        await File.WriteAllTextAsync(dir.File("understudy.yaml"), Valid);

        var since = await CliRunner.RunAsync("events", "-c", dir.File("understudy.yaml"), "--since", "yesterday-ish");
        var service = await CliRunner.RunAsync("events", "-c", dir.File("understudy.yaml"), "--service", "nope");

        Assert.Equal((2, "--since: expected an ISO 8601 time (2026-11-22T12:00:00Z) or a duration such as 10m, got 'yesterday-ish'"), (since.ExitCode, since.Err.Trim()));
        Assert.Equal(2, service.ExitCode);
        Assert.Contains("has no service 'nope' (it has web)", service.Err);
    }

    [Fact]
    public async Task Events_NoJournalYet_SaysSoWithoutAStackTrace()
    {
        using var dir = new TempDir();
        await File.WriteAllTextAsync(dir.File("understudy.yaml"), Valid);

        var r = await CliRunner.RunAsync("events", "-c", dir.File("understudy.yaml"));

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no journal at", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }
}
