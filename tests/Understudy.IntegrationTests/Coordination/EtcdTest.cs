using System.Diagnostics;
using Understudy.Coordination;
using Understudy.Core.Topology;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Etcd;
using Xunit.Abstractions;

namespace Understudy.IntegrationTests.Coordination;

/// <summary>
/// A fresh etcd for each test and a store on it that has answered each kind of call once: the first calls in a test
/// process also pay for connecting, for JIT-compiling the gRPC stack and for the thread pool to grow (measured: up
/// to a second each on two cores), longer than a call's deadline. Log lines go to the test's output.
/// </summary>
[Collection(RealProcesses.Name)]
public abstract class EtcdTest(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>etcd 3.4's shortest lease, the default.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    protected ITestOutputHelper Output => output;
    protected Stopwatch Clock { get; } = Stopwatch.StartNew();
    protected EtcdServer Server { get; private set; } = null!;
    protected EtcdStore Store { get; private set; } = null!;
    protected EtcdKeys Keys => Store.Keys;

    public static CoordinationSpec Spec(string url, string cluster = "it") => new([new Uri(url)], cluster, Lease, null, null, null);

    public static async Task<bool> AnswersAsync(EtcdStore store)
    {
        try { await store.GetAsync("/", default); return true; }
        catch (CoordinationUnavailable) { return false; }
    }

    public async Task InitializeAsync()
    {
        Server = await EtcdServer.StartAsync();
        Store = NewStore(Spec(Server.Url));
        await Eventually.TrueAsync(() => WarmUpAsync(Store), "the store's first answers");
    }

    private static async Task<bool> WarmUpAsync(EtcdStore store)
    {
        try
        {
            EtcdLease lease = await store.GrantLeaseAsync(Lease, default);
            await store.KeepAliveOnceAsync(lease.Id, default);
            await store.TryCreateAsync(store.Keys.Root + "warm-up", "", lease.Id, default);
            await store.GetAsync(store.Keys.Root + "warm-up", default);
            await store.RevokeAsync(lease.Id, default);
            return true;
        }
        catch (CoordinationUnavailable) { return false; }
    }

    public async Task DisposeAsync()
    {
        await BeforeDisposeAsync();
        await Store.DisposeAsync();
        await Server.DisposeAsync();
    }

    protected virtual Task BeforeDisposeAsync() => Task.CompletedTask;

    protected EtcdStore NewStore(CoordinationSpec spec) => new(spec, TimeProvider.System, new TestLogger<EtcdStore>(output, Clock));

    /// <summary>Starts an instance's presence and (unless told not to) its election on this test's etcd, or on <paramref name="url"/>.</summary>
    protected CoordinatedInstance Instance(string name, bool campaign = true, string? url = null) =>
        CoordinatedInstance.Start(name, url ?? Server.Url, output, Clock, campaign);
}
