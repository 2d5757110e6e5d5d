using System.Collections.Concurrent;
using dotnet_etcd;
using Etcdserverpb;
using Understudy.Coordination;
using Understudy.IntegrationTests.Fixtures;
using Xunit.Abstractions;

namespace Understudy.IntegrationTests.Coordination;

/// <summary>EtcdStore.WatchAsync on a real etcd that restarts, pauses and compacts: every change once, in order, or a compaction to react to.</summary>
public sealed class EtcdWatchTests(ITestOutputHelper output) : EtcdTest(output)
{
    private readonly ConcurrentQueue<EtcdChange> _seen = new();
    private readonly CancellationTokenSource _stop = new();

    protected override Task BeforeDisposeAsync() => _stop.CancelAsync();

    [Fact]
    public async Task Watch_AcrossAnEtcdRestart_DeliversEveryAppendOnceInOrder()
    {
        LeaderToken leader = await LeadAsync();
        Task watch = WatchLogAsync(fromRevision: leader.CreateRevision + 1);
        Task? restart = null;

        // The restart runs beside the writer, which keeps appending (and retrying) through it.
        await AppendAsync(leader, 1, 40, seq => { if (seq == 20) restart = Server.RestartAsync(); });
        await restart!;
        await AppendAsync(leader, 41, 1, _ => { });

        await Eventually.TrueAsync(() => _seen.Any(c => c.Entry.Value == "e41"), "the last append through the watch", TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(1, 41).Select(i => $"e{i}"), _seen.Select(c => c.Entry.Value));
        Assert.Equal(_seen.Select(c => c.Entry.ModRevision).Order(), _seen.Select(c => c.Entry.ModRevision));
        Assert.False(watch.IsCompleted);
    }

    [Fact]
    public async Task Watch_EtcdPausedLongerThanTheProbe_ReconnectsWithoutLossOrDuplicates()
    {
        LeaderToken leader = await LeadAsync();
        Task watch = WatchLogAsync(fromRevision: leader.CreateRevision + 1);
        await AppendAsync(leader, 1, 5, _ => { });
        await Eventually.TrueAsync(() => _seen.Count == 5, "the first five through the watch");

        await Server.PauseAsync();
        await Task.Delay(Store.CallTimeout * 4); // the silence the prober must notice: it asks every 2 s, waits 1 s
        await Server.ResumeAsync();
        await AppendAsync(leader, 6, 5, _ => { });

        await Eventually.TrueAsync(() => _seen.Count >= 10, "the next five through the watch");
        await AppendAsync(leader, 11, 1, _ => { });
        await Eventually.TrueAsync(() => _seen.Any(c => c.Entry.Value == "e11"), "the sentinel through the watch");
        Assert.Equal(Enumerable.Range(1, 11).Select(i => $"e{i}"), _seen.Select(c => c.Entry.Value));
        Assert.False(watch.IsCompleted);
    }

    [Fact]
    public async Task Watch_PutsAndDeletes_ComeWithTheirRevisions()
    {
        long start = (await Store.RangeAsync(Keys.Instances, default)).Revision + 1;
        Task watch = Store.WatchAsync(Keys.Instances, start, changes => { foreach (var c in changes) _seen.Enqueue(c); return Task.CompletedTask; }, _stop.Token);

        long put = await Store.PutAsync(Keys.Instance("ctl-a"), "v1", 0, default);
        await Store.PutAsync(Keys.Leader, "not under the prefix", 0, default);
        await Store.DeleteAsync(Keys.Instance("ctl-a"), default);

        await Eventually.TrueAsync(() => _seen.Count == 2, "a put and a delete");
        Assert.Equal([(Keys.Instance("ctl-a"), "v1", false, put), (Keys.Instance("ctl-a"), "", true, put + 2)],
            _seen.Select(c => (c.Entry.Key, c.Entry.Value, c.Deleted, c.Entry.ModRevision)));
        Assert.False(watch.IsCompleted);
    }

    [Fact]
    public async Task Watch_FromACompactedRevision_ReturnsTheCompaction()
    {
        long first = await Store.PutAsync(Keys.Instance("ctl-a"), "v1", 0, default);
        long last = 0;
        for (int i = 2; i <= 5; i++) last = await Store.PutAsync(Keys.Instance("ctl-a"), $"v{i}", 0, default);
        using (var admin = new EtcdClient(Server.Url))
            await admin.CompactAsync(new CompactionRequest { Revision = last, Physical = true }, deadline: DateTime.UtcNow.AddSeconds(5));

        WatchCompacted compacted = await Store.WatchAsync(Keys.Instances, first, _ => Task.CompletedTask, _stop.Token).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(last, compacted.CompactRevision);
    }

    private Task WatchLogAsync(long fromRevision) =>
        Store.WatchAsync(Keys.ServiceLog("web"), fromRevision, changes => { foreach (var c in changes) _seen.Enqueue(c); return Task.CompletedTask; }, _stop.Token);

    /// <summary>One append per number, each retried until etcd answers; a conflict after a lost answer is this writer's own append.</summary>
    private async Task AppendAsync(LeaderToken leader, int from, int count, Action<int> after)
    {
        for (int seq = from; seq < from + count; seq++)
        {
            while (true)
            {
                try
                {
                    AppendResult r = await Store.AppendAsync(leader, "web", seq, [$"e{seq}"], default);
                    if (r is AppendResult.Conflict) Assert.Equal($"e{seq}", (await Store.GetAsync(Keys.LogKey("web", seq), default))!.Value);
                    else Assert.IsType<AppendResult.Committed>(r);
                    break;
                }
                catch (CoordinationUnavailable) { await Task.Delay(50); }
            }
            after(seq);
            await Task.Delay(10);
        }
    }

    private async Task<LeaderToken> LeadAsync()
    {
        EtcdLease lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(60), default);
        var created = Assert.IsType<CreateResult.Created>(await Store.TryCreateAsync(Keys.Leader, "ctl-a", lease.Id, default));
        return new LeaderToken("ctl-a", created.Revision, lease.Id);
    }
}
