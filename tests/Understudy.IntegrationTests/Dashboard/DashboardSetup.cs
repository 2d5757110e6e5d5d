using System.Net.Http.Headers;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Dashboard;

/// <summary>
/// A <see cref="WebPair"/> whose controller has tokens (viewer vera, operator alice, approver bob), one
/// approval for requests, and a drills_dir holding one drill's report folder.
/// </summary>
internal static class DashboardSetup
{
    public static readonly Dictionary<string, string> Tokens = new()
    {
        ["ALICE_TOKEN"] = "alice-0123456789abcdef", ["BOB_TOKEN"] = "bob-0123456789abcdef", ["VERA_TOKEN"] = "vera-0123456789abcdef",
    };

    public const string Report = "2026-11-22-web-primary-crash";

    private const string Controller = """
        drills_dir: drills
          auth: { tokens: [ { name: alice, role: operator, token: "${ALICE_TOKEN}" }, { name: bob, role: approver, token: "${BOB_TOKEN}" }, { name: vera, role: viewer, token: "${VERA_TOKEN}" } ] }
        """;

    public static async Task<(WebPair Pair, ControllerProcess Controller)> StartAsync()
    {
        var pair = await WebPair.StartAsync(failover: "{ mode: automatic, cooldown: 0s, approvals: 1 }", controllerExtra: Controller);
        string folder = pair.Dir.File(Path.Combine("drills", Report));
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "report.json"),
            """{ "schema_version": 1, "name": "web primary crash", "verdict": "passed", "rto_ms": 1234, "started_at": "2026-11-22T12:00:00.000Z" }""");
        await File.WriteAllTextAsync(Path.Combine(folder, "report.html"), """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Failover drill: web primary crash (passed)</title>
            <style>h1 { color: green }</style></head>
            <body><h1>Failover drill: web primary crash</h1><p>Verdict: passed</p></body></html>
            """);
        await File.WriteAllTextAsync(Path.Combine(folder, "samples.csv"), "probe,seq,start,end,ok,error\n");
        return (pair, await pair.StartControllerAsync(Tokens["VERA_TOKEN"], Tokens));
    }

    public static HttpClient Client(WebPair pair, string? tokenVariable)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pair.ApiPort}"), Timeout = TimeSpan.FromSeconds(10) };
        if (tokenVariable is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens[tokenVariable]);
        return http;
    }
}
