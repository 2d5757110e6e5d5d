using System.Diagnostics;
using Understudy.Coordination;
using Understudy.IntegrationTests.Fixtures.Etcd;
using Xunit.Abstractions;

namespace Understudy.IntegrationTests.Coordination;

/// <summary>One controller instance's coordination parts against a real etcd: store, presence and election, running until disposed.</summary>
public sealed class CoordinatedInstance : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _presence = Task.CompletedTask, _election = Task.CompletedTask;

    private CoordinatedInstance(string name, string url, ITestOutputHelper output, Stopwatch clock, string cluster)
    {
        Name = name;
        Store = new EtcdStore(EtcdTest.Spec(url, cluster), TimeProvider.System, new TestLogger<EtcdStore>(output, clock));
        Presence = new InstancePresence(Store, new InstanceInfo(name, $"{name}.example:7400", "1.0.0-it", "digest-1"), EtcdTest.Lease,
            TimeProvider.System, new TestLogger<InstancePresence>(output, clock));
        Election = new LeaderElection(Store, Presence, TimeProvider.System, new TestLogger<LeaderElection>(output, clock));
    }

    public string Name { get; }
    public EtcdStore Store { get; }
    public InstancePresence Presence { get; }
    public LeaderElection Election { get; }

    /// <summary>Starts presence and, unless <paramref name="campaign"/> is false, the election.</summary>
    public static CoordinatedInstance Start(string name, string url, ITestOutputHelper output, Stopwatch clock, bool campaign = true, string cluster = "it")
    {
        var i = new CoordinatedInstance(name, url, output, clock, cluster);
        i._presence = i.Presence.RunAsync(i._stop.Token);
        if (campaign) i._election = i.Election.RunAsync(i._stop.Token);
        return i;
    }

    /// <summary>Stops presence (revoking its lease) and election; waits for both.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_presence, _election).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>The next leadership change, within <paramref name="within"/>.</summary>
    public async Task<LeadershipChange> NextChangeAsync(TimeSpan within)
    {
        using var limit = new CancellationTokenSource(within);
        try { return await Election.Changes.ReadAsync(limit.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"{Name}: no leadership change within {within.TotalSeconds:0.#} s"); }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Store.DisposeAsync();
        _stop.Dispose();
    }
}
