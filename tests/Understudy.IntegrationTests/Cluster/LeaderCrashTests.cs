using Understudy.Core.Journal;
using Understudy.Failover;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Cluster;

/// <summary>
/// The leader dies in the middle of a failover, at a chosen step (a failpoint stops it there, then SIGKILL): the next
/// leader resumes from the log, and the service ends with exactly one routable primary, failed over once.
/// </summary>
[Collection(RealProcesses.Name)]
public class LeaderCrashTests
{
    [Theory]
    [InlineData("after-commit:failover.started")] // decided and committed; nothing fenced yet
    [InlineData("before-commit:member.fenced")] // fenced (every proxy acknowledged), not journaled; switch not made
    public async Task Failover_LeaderKilledAtAStep_NextLeaderFinishesItOnce(string failpoint)
    {
        var environment = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["ctl-a"] = new Dictionary<string, string> { [Failpoint.Variable] = failpoint } };
        await using var cluster = await WebCluster.StartAsync(hold: "10s", environment: environment);
        Assert.Equal("ctl-a", await cluster.LeaderAsync());
        await using var viaB = new RoutedClient(cluster.Ports["ctl-b"].Proxy);
        await using var viaC = new RoutedClient(cluster.Ports["ctl-c"].Proxy);
        await Task.Delay(300);

        var killedAt = DateTimeOffset.UtcNow;
        cluster.A.Dispose();
        await Eventually.TrueAsync(() => cluster["ctl-a"].Output.Contains("failpoint", StringComparison.Ordinal), "the leader to stop at its failpoint");
        await cluster.KillAsync("ctl-a");
        string next = await cluster.LeaderAsync(WebCluster.LeaseTime + TimeSpan.FromSeconds(3));
        await Eventually.TrueAsync(async () => (await cluster[next].ServiceAsync("web")) is { Routable: "web-b", Epoch: 2, Failover: null }, "the new leader to finish the failover");
        await Task.Delay(300);

        foreach (var (name, client) in new[] { ("ctl-b", viaB), ("ctl-c", viaC) })
        {
            var attempts = await client.StopAsync();
            Assert.DoesNotContain(attempts, a => a.Start > killedAt.AddMilliseconds(50) && a.AnsweredBy == "web-a");
            // Held through the handover, not failed: only a request in flight when web-a died may fail.
            Assert.All(attempts.Where(a => a.Start > killedAt.AddMilliseconds(20)), a => Assert.True(a.Ok, $"{name}: attempt at +{(a.Start - killedAt).TotalMilliseconds:0} ms failed: {a.Error}"));
        }
        var events = await cluster[next].EventsAsync("web");
        Assert.Single(events, e => e.Type == EventTypes.FailoverStarted);
        Assert.Single(events, e => e.Type == EventTypes.MemberFenced);
        Assert.Single(events, e => e.Type == EventTypes.TrafficSwitched);
        Assert.Single(events, e => e.Type == EventTypes.FailoverCompleted);
        Assert.Contains(events, e => e.Type == EventTypes.FailoverResumed && e.Epoch == 2);
        Assert.Equal(["ctl-a", next], events.Where(e => e.Type == EventTypes.LeaderElected).Select(e => e.Details["instance"]?.ToString()));
        foreach (string survivor in cluster.Running)
            Assert.Equal(("web-b", 2L), await cluster[survivor].ServiceAsync("web") is var s ? (s.Routable, s.Epoch) : default);
    }
}
