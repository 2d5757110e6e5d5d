using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Understudy.Commands;
using Understudy.Checks;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Failover;
using Understudy.Journal;
using static Understudy.Tests.Testing.Operators;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Failover;

/// <summary>The loop around the decider: what is not committed is never acted on, and a deposed leader follows.</summary>
public class ServiceLoopTests
{
    /// <summary>A log that refuses every commit (a deposed leader's), or takes them all, recording what it was asked.</summary>
    private sealed class FakeLog(bool refuse, bool mayAct = true) : IServiceLog
    {
        public List<IReadOnlyList<JournalEvent>> Asked { get; } = [];

        /// <summary>Whether a commit, a record or an executor's report ever ran on the check grid's thread, where nothing may block.</summary>
        public bool OnGrid { get; set; }

        public bool MayAct => mayAct;

        /// <summary>Set: each commit is stored when asked (a reader of the journal would see it) but answered only once this completes.</summary>
        public TaskCompletionSource? Hold { get; init; }

        public async Task<CommitResult> CommitAsync(string service, long position, IReadOnlyList<JournalEvent> events, CancellationToken ct)
        {
            OnGrid |= CheckGrid.IsCurrentThread;
            lock (Asked) Asked.Add(events);
            if (Hold is not null) await Hold.Task;
            return refuse
                ? new CommitResult.Refused("the leader key is ctl-b's now", Deposed: true)
                : new CommitResult.Committed(events, position + events.Count);
        }

        public Task<JournalEvent> RecordAsync(JournalEvent informational, CancellationToken ct)
        {
            OnGrid |= CheckGrid.IsCurrentThread;
            return Task.FromResult(informational);
        }

        public Task ReadableAsync(IReadOnlyList<JournalEvent> stored, CancellationToken ct) => Task.CompletedTask;
    }

    private static (ServiceLoop Loop, List<Input> Reported, Task Running, CancellationTokenSource Stop) Start(FakeLog log, LoopRole role)
    {
        var spec = Http(fall: 1);
        var loop = new ServiceLoop(AllUp(spec, T0), log, routes: null, TimeProvider.System, NullLogger.Instance, role);
        var reported = new List<Input>();
        var executor = new Executor(spec, proxy: null, new Dictionary<string, CheckScheduler>(), new CommandRunner(Path.GetTempPath(), TimeProvider.System),
            i =>
            {
                log.OnGrid |= CheckGrid.IsCurrentThread;
                lock (reported) reported.Add(i);
            }, TimeProvider.System, NullLogger.Instance);
        var stop = new CancellationTokenSource();
        return (loop, reported, loop.RunAsync(executor, null, stop.Token), stop);
    }

    [Fact]
    public async Task Decide_CommitRefused_NothingActsTheStateStaysAndTheLoopFollows()
    {
        var log = new FakeLog(refuse: true);
        var (loop, reported, running, stop) = Start(log, LoopRole.Leader);

        var e = await Assert.ThrowsAsync<NotCommittedException>(() => loop.SubmitAsync(Fail("web-a", At(1)), CancellationToken.None));

        Assert.Contains("not committed", e.Message);
        Assert.Contains(log.Asked.Single(), x => x is FailoverStarted);
        Assert.Equal((1L, "web-a"), (loop.State.Epoch, loop.State.Primary));
        Assert.Equal(LoopRole.Follower, loop.Role);
        Assert.True(loop.PublishedAsync().IsCompleted); // a refused commit holds no reader
        await Task.Delay(200); // the fence would have completed at once (no proxy, no hooks): nothing ran to report it
        lock (reported) Assert.Empty(reported);
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Lead_LeadershipGainedNotCommitted_TheLoopGoesOnAsAFollower()
    {
        // etcd did not confirm the new leader's first commit: the instance stepped down; its loop must not die with it.
        var log = new FakeLog(refuse: true);
        var (loop, _, running, stop) = Start(log, LoopRole.Follower);

        loop.Lead("ctl-a", 7);
        for (int i = 0; i < 1000 && log.Asked.Count == 0; i++) await Task.Delay(10);
        Assert.Contains(log.Asked.Single(), x => x is LeaderElected);

        await loop.SubmitAsync(Fail("web-a", At(1)), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)); // answered: the loop still runs
        Assert.False(running.IsCompleted);
        Assert.Equal(LoopRole.Follower, loop.Role);
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Decide_CommittedButTheLeaseMayHaveRunOut_StateFollowsTheLogButNothingActs()
    {
        var log = new FakeLog(refuse: false, mayAct: false);
        var (loop, reported, running, stop) = Start(log, LoopRole.Leader);

        var d = await loop.SubmitAsync(Fail("web-a", At(1)), CancellationToken.None);

        Assert.Contains(d.Events, x => x is FailoverStarted);
        Assert.Equal((2L, "web-b"), (loop.State.Epoch, loop.State.Primary));
        await Task.Delay(200);
        lock (reported) Assert.Empty(reported);
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task PublishedAsync_ACommitInFlight_CompletesOnlyOnceTheStateShowsIt()
    {
        // The API reads the journal, then the status: a commit the journal shows must not be missing from the state read after it.
        var log = new FakeLog(refuse: false) { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var (loop, _, running, stop) = Start(log, LoopRole.Leader);
        Assert.True(loop.PublishedAsync().IsCompleted);

        Task<Decision> deciding = loop.SubmitAsync(Fail("web-a", At(1)), CancellationToken.None);
        await WaitAsync(() => { lock (log.Asked) return log.Asked.Count == 1; });
        Task published = loop.PublishedAsync();
        Assert.False(published.IsCompleted);
        Assert.Equal(1L, loop.State.Epoch);

        log.Hold.SetResult();
        await published.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((2L, "web-b"), (loop.State.Epoch, loop.State.Primary));
        await deciding;
        Assert.True(loop.PublishedAsync().IsCompleted);
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task PublishedAsync_AFoldQueuedBehindACommit_CompletesOnlyOnceTheFoldIsInTheState()
    {
        // A follower's copy of the leader's events lands in its journal before its loop folds them: readers wait for the fold.
        var log = new FakeLog(refuse: false) { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var (loop, _, running, stop) = Start(log, LoopRole.Leader);
        Task<Decision> deciding = loop.SubmitAsync(Fail("web-a", At(1)), CancellationToken.None);
        await WaitAsync(() => { lock (log.Asked) return log.Asked.Count == 1; });

        loop.Fold([new ServicePaused("kernel upgrade") { Service = "web", Actor = "alice", Time = At(2), Epoch = 2 }], position: 100);
        log.Hold.SetResult();
        await deciding;
        await loop.PublishedAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("alice", loop.State.Pause?.By);
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Decide_Committed_TheFenceRunsAndReportsBack()
    {
        var log = new FakeLog(refuse: false);
        var (loop, reported, running, stop) = Start(log, LoopRole.Leader);

        await loop.SubmitAsync(Fail("web-a", At(1)), CancellationToken.None);

        await WaitAsync(() => { lock (reported) return reported.OfType<StepCompleted>().Any(s => s.Step is FenceMember { Member: "web-a", Epoch: 2 }); });
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Fold_AFollowerFoldsTheLeadersEventsOnceAndSkipsWhatItHas()
    {
        var (loop, _, running, stop) = Start(new FakeLog(refuse: true), LoopRole.Follower);
        var started = new FailoverStarted("web-a", "web-b") { Service = "web", Epoch = 2, Time = At(1), Reason = "leader decided" };

        loop.Fold([started], 1);
        loop.Fold([started], 1); // delivered again: already folded
        await WaitAsync(() => loop.Position == 1);

        Assert.Equal((2L, "web-b", (string?)null), (loop.State.Epoch, loop.State.Primary, loop.State.Routable));
        Assert.True(loop.State.Members["web-a"].NeedsRejoin);
        await stop.CancelAsync();
        await running;
    }

    [Theory]
    [InlineData(LoopRole.Single)]
    [InlineData(LoopRole.Follower)]
    public async Task PostCheck_ResultsReadOnTheChecksGrid_CommitsAndStepsRunOffIt(LoopRole role)
    {
        var log = new FakeLog(refuse: false);
        var (loop, reported, running, stop) = Start(log, role);

        loop.PostCheck(Fail("web-a", At(1)).Result); // the primary down: a failover and its fence (single), kept as seen (follower)

        if (role == LoopRole.Single)
        {
            await WaitAsync(() => { lock (reported) return reported.OfType<StepCompleted>().Any(); });
            Assert.Contains(log.Asked.ToList().SelectMany(e => e), e => e is FailoverStarted);
        }
        else await WaitAsync(() => loop.State.Members["web-a"].Health == Understudy.Core.Detection.Health.Down);
        Assert.False(log.OnGrid);
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Tick_AnIdleLoopOnTheControllersTicker_TimeReachesTheDeciderAndTheRequestExpires()
    {
        var time = new FakeTimeProvider(At(2));
        using var ticker = new LoopTicker(time);
        var log = new FakeLog(refuse: false);
        var spec = Http(members: 3, approvals: 1, approvalTimeout: TimeSpan.FromMinutes(10));
        ServiceState requested = Decider.Decide(AllUp(spec, T0), SwitchoverTo("web-b"), At(1)).State;
        var loop = new ServiceLoop(requested, log, routes: null, time, NullLogger.Instance, ticker: ticker);
        var executor = new Executor(spec, proxy: null, new Dictionary<string, CheckScheduler>(), new CommandRunner(Path.GetTempPath(), time), _ => { },
            time, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        Task running = loop.RunAsync(executor, null, stop.Token);

        time.Advance(TimeSpan.FromMinutes(10)); // no input at all: only the ticker hands the deadline in

        await WaitAsync(() => loop.State.Request is null);
        Assert.Contains(log.Asked.ToList().SelectMany(e => e), e => e is RequestExpired);
        await stop.CancelAsync();
        await running;
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        for (int i = 0; i < 1000 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition(), "not within 10 s");
    }
}
