using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Understudy.Cli;
using Understudy.Cluster;
using Understudy.Tests.Testing;

namespace Understudy.Tests.Cli;

public class ClusterCommandTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    /// <summary>ctl-a answers; ctl-b leads; ctl-c, an older version, has two events still to fold.</summary>
    private static ClusterView Shop(string? leader = "ctl-b", string routing = "open", string? problem = null) =>
        new("shop", leader, "ctl-a", routing,
        [
            new InstanceView("ctl-a", "10.0.0.1:7400", leader == "ctl-a", T0, 0, "1.4.0"),
            new InstanceView("ctl-b", "10.0.0.2:7400", leader == "ctl-b", T0, 0, "1.4.0"),
            new InstanceView("ctl-c", "10.0.0.3:7400", leader == "ctl-c", T0, 2, "1.3.2"),
        ], problem);

    /// <summary>What a controller without coordination answers: the real <see cref="SingleInstance"/>'s view.</summary>
    private static ClusterView Single() => new SingleInstance("ctl-a", "127.0.0.1:7400", () => new Dictionary<string, long>(), new FakeTimeProvider(T0)).View();

    private static string[] LinesOf(string text) => [.. text.Split('\n').Select(l => l.TrimEnd())];

    [Fact]
    public void Render_ThreeInstances_SummaryThenATableStarringTheLeader()
    {
        string text = ConsoleText.Of(ClusterCommand.Render(Shop(), T0.AddSeconds(3)));

        Assert.Equal(
        [
            "cluster shop: leader ctl-b, 3 instances; this one (ctl-a) routing open",
            "┌──────────────────┬───────────────┬────────┬─────────┬────────────┬─────────┐",
            "│ instance         │ api           │ leader │ seen    │ lag events │ version │",
            "├──────────────────┼───────────────┼────────┼─────────┼────────────┼─────────┤",
            "│ ctl-a (this one) │ 10.0.0.1:7400 │        │ 3 s ago │          0 │ 1.4.0   │",
            "│ ctl-b            │ 10.0.0.2:7400 │ ★      │ 3 s ago │          0 │ 1.4.0   │",
            "│ ctl-c            │ 10.0.0.3:7400 │        │ 3 s ago │          2 │ 1.3.2   │",
            "└──────────────────┴───────────────┴────────┴─────────┴────────────┴─────────┘",
            "",
        ], LinesOf(text));
    }

    [Fact]
    public void Render_NoLeaderAndAProblem_SaysSoBeforeTheTable()
    {
        string[] lines = LinesOf(ConsoleText.Of(ClusterCommand.Render(Shop(leader: null, routing: "hold", problem: "etcd unreachable: failsafe (2 of 3 peers answered)"), T0)));

        Assert.Equal("cluster shop: no leader, 3 instances; this one (ctl-a) routing hold", lines[0]);
        Assert.Equal("problem: etcd unreachable: failsafe (2 of 3 peers answered)", lines[1]);
        Assert.DoesNotContain(lines, l => l.Contains('★', StringComparison.Ordinal));
    }

    [Fact]
    public void Render_SingleController_SaysThereIsNoCoordinationAndListsItself()
    {
        string[] lines = LinesOf(ConsoleText.Of(ClusterCommand.Render(Single(), T0)));

        Assert.Equal("single controller (no coordination): ctl-a, routing open", lines[0]);
        Assert.Matches(@"^│ ctl-a \(this one\) │ 127\.0\.0\.1:7400 │ ★\s+│ just now │\s+0 │ \S+\s+│$", lines[4]);
        Assert.Equal(6, lines.Count(l => l.Length > 0));
    }

    [Fact]
    public void Render_NamesWithMarkupAndUnknownVersions_AreShownAsWritten()
    {
        ClusterView view = Shop() with { Instances = [new InstanceView("[ctl-a]", "", false, null, 0)], Instance = "[ctl-a]" };

        string text = ConsoleText.Of(ClusterCommand.Render(view, T0));

        Assert.Matches(@"│ \[ctl-a\] \(this one\) │ unknown │\s+│ never │\s+0 │ unknown │", text);
    }

    [Fact]
    public void StatusLine_Cluster_LeaderCountAndThisInstancesRouting() =>
        Assert.Equal("cluster shop: leader ctl-b, 3 instances; this one (ctl-a) routing open", ClusterCommand.StatusLine(Shop()));

    [Fact]
    public void StatusLine_AProblem_EndsTheLine() =>
        Assert.Equal("cluster shop: leader ctl-b, 3 instances; this one (ctl-a) routing closed; problem: this instance's config differs from the cluster's (services.web.primary); it routes by the log but cannot lead",
            ClusterCommand.StatusLine(Shop(routing: "closed", problem: "this instance's config differs from the cluster's (services.web.primary); it routes by the log but cannot lead")));

    [Fact]
    public void StatusLine_OneInstanceLeft_SaysInstanceInTheSingular() =>
        Assert.Equal("cluster shop: leader ctl-a, 1 instance; this one (ctl-a) routing open",
            ClusterCommand.StatusLine(Shop(leader: "ctl-a") with { Instances = [new InstanceView("ctl-a", "10.0.0.1:7400", true, T0, 0, "1.4.0")] }));

    [Fact]
    public void StatusLine_SingleController_IsNothing() =>
        Assert.Null(ClusterCommand.StatusLine(Single()));

    [Theory]
    [InlineData(-2_000, "just now")] // the controller's clock a little ahead of ours
    [InlineData(400, "just now")]
    [InlineData(1_900, "1 s ago")]
    [InlineData(119_000, "119 s ago")]
    [InlineData(120_000, "2 min ago")]
    [InlineData(7_199_000, "119 min ago")]
    [InlineData(7_200_000, "2026-11-22 12:00:00 UTC")]
    public void Seen_Age_ReadsAsTimeAgoThenAsTheTime(int ageMs, string expected) =>
        Assert.Equal(expected, ClusterCommand.Seen(T0, T0.AddMilliseconds(ageMs)));

    [Fact]
    public async Task ClusterAsync_ThenJsonOf_PrintsWhatTheApiAnswered()
    {
        // The API's own bytes, as GET /api/cluster writes them: --json hands them on unchanged.
        const string answered = """{"cluster":"shop","leader":"ctl-b","instance":"ctl-a","routing":"open","instances":[{"name":"ctl-a","api":"10.0.0.1:7400","leader":false,"seen_at":"2026-11-22T12:00:00+00:00","lag_events":0,"version":"1.4.0"},{"name":"ctl-b","api":"10.0.0.2:7400","leader":true,"seen_at":"2026-11-22T12:00:00+00:00","lag_events":0,"version":"1.4.0"},{"name":"ctl-c","api":"10.0.0.3:7400","leader":false,"seen_at":"2026-11-22T12:00:00+00:00","lag_events":2,"version":"1.3.2"}],"problem":null}""";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using WebApplication app = builder.Build();
        app.MapGet("/api/cluster", () => TypedResults.Text(answered, "application/json"));
        await app.StartAsync();
        using var client = new ApiClient(new Uri(app.Urls.Single() + "/"), token: "t");

        ClusterView view = await client.ClusterAsync(CancellationToken.None);

        ClusterView expected = Shop();
        Assert.Equal(expected, view with { Instances = expected.Instances }); // a record compares its list by reference
        Assert.Equal(expected.Instances, view.Instances);
        Assert.Equal(answered, ApiOptions.JsonOf(view));
    }
}
