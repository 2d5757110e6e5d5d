using System.Diagnostics;
using Understudy.Coordination;
using Understudy.IntegrationTests.Fixtures;
using Xunit.Abstractions;

namespace Understudy.IntegrationTests.Coordination;

/// <summary>EtcdStore against an etcd that is paused or stopped: CoordinationUnavailable within the deadline, never a gRPC exception; its caller's cancellation stays cancellation.</summary>
public sealed class EtcdUnavailableTests(ITestOutputHelper output) : EtcdTest(output)
{
    [Fact]
    public async Task Calls_OnAPausedEtcd_FailWithinTheDeadlineAsTimeout_ThenWorkAgain()
    {
        EtcdLease lease = await Store.GrantLeaseAsync(Lease, default);
        await Server.PauseAsync();
        try
        {
            foreach (Func<Task> call in (Func<Task>[])[
                () => Store.GetAsync(Keys.Leader, default),
                () => Store.PutAsync(Keys.Leader, "x", 0, default),
                () => Store.KeepAliveOnceAsync(lease.Id, default),
                () => Store.TryCreateAsync(Keys.Leader, "ctl-a", lease.Id, default),
                () => Store.GrantLeaseAsync(Lease, default),
            ])
            {
                var took = Stopwatch.StartNew();
                var e = await Assert.ThrowsAsync<CoordinationUnavailable>(call);
                Assert.Equal(CoordinationFailure.Timeout, e.Failure);
                Assert.InRange(took.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
            }
        }
        finally { await Server.ResumeAsync(); }

        await Eventually.TrueAsync(() => AnswersAsync(Store), "etcd to answer again", TimeSpan.FromSeconds(10));
    }


    [Fact]
    public async Task Calls_ToAStoppedEtcd_AreUnreachableAtOnce_NotRetriedUntilTheDeadline()
    {
        await Server.StopAsync();

        var took = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<CoordinationUnavailable>(() => Store.GetAsync(Keys.Leader, default));

        // dotnet-etcd's own retry policy would have waited for the deadline (Timeout); it is switched off.
        Assert.Equal(CoordinationFailure.Unreachable, e.Failure);
        Assert.InRange(took.Elapsed, TimeSpan.Zero, Store.CallTimeout / 2);
    }

    [Fact]
    public async Task Call_CancelledByItsCaller_IsCancellationNotUnavailability()
    {
        await Server.PauseAsync();
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.GetAsync(Keys.Leader, cancel.Token));
        }
        finally { await Server.ResumeAsync(); }
    }
}
