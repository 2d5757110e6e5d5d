using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Understudy.Cluster;
using Understudy.Core.Cluster;
using Understudy.Core.Drills;
using Understudy.Core.Topology;
using Understudy.Drills.Scheduling;
using Understudy.Tests.Testing;

namespace Understudy.Tests.Drills;

/// <summary>The calendar on a fake clock: runs are launched at their time, and only by the leader.</summary>
public sealed class DrillSchedulerTests : IAsyncDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 20, 0, 1, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(T0);
    private readonly LeaderSwitch _cluster = new();
    private readonly ConcurrentQueue<DateTimeOffset> _launched = new();
    private readonly DrillScheduler _scheduler;

    public DrillSchedulerTests()
    {
        var schedule = new DrillScheduleSpec("/srv/drills/web.yaml", "*/10 * * * * *", "UTC", DrillEnvironment.Staging, TimeSpan.Zero, "web crash", "web");
        var spec = new UnderstudySpec(new ControllerSpec(new HostPort("127.0.0.1", 7400), "journal.db"), [Services.Http()], Drills: [schedule]);
        _scheduler = new DrillScheduler(spec, (_, _) =>
        {
            _launched.Enqueue(_time.GetUtcNow());
            return Task.CompletedTask;
        }, _cluster, _time, new Random(7), NullLogger<DrillScheduler>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _scheduler.StopAsync(CancellationToken.None);
        _scheduler.Dispose();
    }

    [Fact]
    public async Task Leader_LaunchesEachRunAtItsOccurrence()
    {
        await _scheduler.StartAsync(CancellationToken.None);

        await AdvanceUntilAsync(() => _launched.Count == 2);
        await SettledAsync(() => _scheduler.Upcoming().Single().Occurrence == T0.AddSeconds(29));

        // At the occurrence, or a step of the fake clock later when the thread pool was slow to run the timer's continuation.
        Assert.Collection(_launched, at => Assert.InRange(at, T0.AddSeconds(9), T0.AddSeconds(11)), at => Assert.InRange(at, T0.AddSeconds(19), T0.AddSeconds(21)));
    }

    [Fact]
    public async Task Follower_KeepsTheCalendarButLaunchesNothing_UntilItLeads()
    {
        _cluster.IsLeader = false;
        await _scheduler.StartAsync(CancellationToken.None);

        await AdvanceUntilAsync(() => _scheduler.Upcoming().Single().Occurrence == T0.AddSeconds(39));
        Assert.Empty(_launched);

        _cluster.IsLeader = true;
        await AdvanceUntilAsync(() => !_launched.IsEmpty);
        Assert.InRange(Assert.Single(_launched), T0.AddSeconds(39), T0.AddSeconds(41));
    }

    /// <summary>
    /// Advances the fake clock a second at a time, letting the scheduler's timers fire, until <paramref name="done"/>. The
    /// scheduler runs on the thread pool, so each step also waits (a real instant) for what the timers set off.
    /// </summary>
    private async Task AdvanceUntilAsync(Func<bool> done)
    {
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"stuck at {_time.GetUtcNow():u} after {_launched.Count} launches");
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }
    }

    /// <summary>Waits (real time, the fake clock standing still) for the scheduler to catch up with the last timer it saw fire.</summary>
    private static async Task SettledAsync(Func<bool> done)
    {
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "the scheduler did not plan its next run");
            await Task.Delay(10);
        }
    }

    private sealed class LeaderSwitch : IClusterState
    {
        public bool IsLeader { get; set; } = true;
        public string Cluster => "shop";
        public string Instance => "ctl-a";
        public Uri? LeaderApi => null;
        public RouteGate Gate => RouteGate.Open;
        public ClusterView View() => throw new NotSupportedException();
        public PeerReport Report() => throw new NotSupportedException();
    }
}
