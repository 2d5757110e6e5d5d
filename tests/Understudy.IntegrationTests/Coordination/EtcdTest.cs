using System.Diagnostics;
using Understudy.Coordination;
using Understudy.Core.Topology;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Etcd;
using Xunit.Abstractions;

namespace Understudy.IntegrationTests.Coordination;

/// <summary>
/// A fresh etcd for each test and a store on it that has answered once (the first call also pays for connecting and
/// for JIT-compiling the gRPC stack, which can take longer than a call's deadline); log lines go to the test's output.
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
        await Eventually.TrueAsync(() => AnswersAsync(Store), "the store's first answer");
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
