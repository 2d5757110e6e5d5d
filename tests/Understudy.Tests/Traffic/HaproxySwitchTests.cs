using System.Collections.Immutable;
using Microsoft.Extensions.Logging.Abstractions;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Traffic.Switches;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Traffic;

/// <summary>HaproxySwitch and HaproxyReconciler against <see cref="FakeHaproxy"/>: the commands sent and the states left.</summary>
public sealed class HaproxySwitchTests : IDisposable
{
    private readonly FakeHaproxy _haproxy = new("be", "web-a", "srv-b");
    private readonly HaproxySpec _spec;
    private readonly ServiceSpec _service;
    private readonly List<Input> _posted = [];

    public HaproxySwitchTests()
    {
        _spec = new HaproxySpec(_haproxy.Socket, null, "be", ImmutableDictionary<string, string>.Empty.Add("web-b", "srv-b"), TimeSpan.FromSeconds(2));
        _service = Http() with { Switches = new TrafficSwitchesSpec([_spec], null, []) };
    }

    public void Dispose() => _haproxy.Dispose();

    private HaproxyReconciler Reconciler(ServiceState state, bool mayAct = true) =>
        new(_service, _spec, () => state, () => mayAct, _posted.Add, TimeProvider.System, NullLogger.Instance);

    private ServiceState Routed => ServiceState.Initial(_service);

    /// <summary>A failover from web-a to web-b under way (epoch 2): web-b is the primary, nothing routable yet.</summary>
    private ServiceState Failing => Routed with { Epoch = 2, Primary = "web-b", Routable = null, Failover = new FailoverProgress("web-a", "web-b", 2, T0, FailoverStage.Fencing) };

    [Fact]
    public async Task HaproxyFence_PutsTheServerInMaintAndShutsItsSessions()
    {
        var sw = new HaproxySwitch(_service, _spec);
        SwitchOutcome o = await sw.FenceAsync("web-a", 2, CancellationToken.None);

        Assert.Equal(SwitchOutcome.Done("web-a in maint, sessions of web-a shut down (verified)"), o);
        Assert.Equal(["set server be/web-a state maint", "shutdown sessions server be/web-a", "show servers state be"], _haproxy.Commands);
        Assert.Equal((1, 0), (_haproxy.Admin["web-a"], _haproxy.Admin["srv-b"]));
        Assert.Equal("HAProxy " + _haproxy.Socket + " backend be", sw.Name);
    }

    [Fact]
    public async Task HaproxyFence_WithoutShutdownSessions_OnlyPutsTheServerInMaint()
    {
        var sw = new HaproxySwitch(_service, _spec with { ShutdownSessions = false });
        SwitchOutcome o = await sw.FenceAsync("web-a", 2, CancellationToken.None);

        Assert.Equal(SwitchOutcome.Done("web-a in maint (verified)"), o);
        Assert.Equal(["set server be/web-a state maint", "show servers state be"], _haproxy.Commands);
    }

    [Fact]
    public async Task HaproxySwitch_ReadiesTheNewPrimaryAfterEveryOtherIsInMaint_Idempotent()
    {
        var sw = new HaproxySwitch(_service, _spec);
        for (int i = 0; i < 2; i++)
        {
            SwitchOutcome o = await sw.SwitchAsync(new SwitchTraffic("web-a", "web-b", 2), CancellationToken.None);
            Assert.Equal(SwitchOutcome.Done("web-b (server srv-b) ready, web-a in maint, sessions of web-a shut down (verified)"), o);
        }
        Assert.Equal(["set server be/web-a state maint", "set server be/srv-b state ready", "shutdown sessions server be/web-a", "show servers state be"], _haproxy.Commands.Take(4));
        Assert.Equal((1, 0), (_haproxy.Admin["web-a"], _haproxy.Admin["srv-b"]));
    }

    [Fact]
    public async Task HaproxySwitch_ErrorAnswer_FailsWithHaproxysText()
    {
        var wrong = _spec with { Backend = "nope" };
        SwitchOutcome o = await new HaproxySwitch(_service, wrong).FenceAsync("web-a", 2, CancellationToken.None);
        Assert.Equal(SwitchOutcome.Failed("`set server nope/web-a state maint`: No such backend."), o);

        var unreachable = _spec with { Socket = _haproxy.Socket + ".gone" };
        SwitchOutcome gone = await new HaproxySwitch(_service, unreachable).SwitchAsync(new SwitchTraffic("web-a", "web-b", 2), CancellationToken.None);
        Assert.False(gone.Ok);
        Assert.StartsWith($"cannot reach HAProxy at {_haproxy.Socket}.gone", gone.Detail);
    }

    [Fact]
    public async Task HaproxyReconcile_AtStartAndAfterARestart_ResetsAndJournals()
    {
        HaproxyReconciler r = Reconciler(Routed);

        string? first = await r.RoundAsync(CancellationToken.None);
        Assert.Equal((0, 1), (_haproxy.Admin["web-a"], _haproxy.Admin["srv-b"]));
        Assert.Contains("found when the controller started watching it): srv-b ready, not maint", first);
        Assert.Null(await r.RoundAsync(CancellationToken.None));

        _haproxy.Restart();
        string? after = await r.RoundAsync(CancellationToken.None);
        Assert.Contains("HAProxy restarted or reloaded (pid 100 → 101, up 1 s)", after);
        Assert.Equal((0, 1), (_haproxy.Admin["web-a"], _haproxy.Admin["srv-b"]));

        _haproxy.Admin["web-a"] = 1;
        Assert.Contains("changed outside Understudy", await r.RoundAsync(CancellationToken.None));
        Assert.Equal(0, _haproxy.Admin["web-a"]);

        var notes = _posted.Cast<Noted>().Select(n => n.Event).ToList();
        Assert.Equal(3, notes.Count);
        Assert.All(notes, e => Assert.Equal(("web", "web-a", $"HAProxy {_haproxy.Socket}"), (e.Service, e.Member, ((TrafficReconciled)e).Switch)));
    }

    [Fact]
    public async Task HaproxyReconcile_DuringAFailover_OnlyPutsNonPrimariesInMaint()
    {
        _haproxy.Admin["srv-b"] = 1;
        string? reason = await Reconciler(Failing).RoundAsync(CancellationToken.None);

        Assert.Contains("web-a ready, not maint", reason);
        Assert.Equal((1, 1), (_haproxy.Admin["web-a"], _haproxy.Admin["srv-b"]));
        Assert.DoesNotContain(_haproxy.Commands, c => c.EndsWith("state ready"));
    }

    [Fact]
    public async Task HaproxyReconcile_NothingRoutable_NeverReadiesAServer()
    {
        _haproxy.Admin["web-a"] = 1;
        _haproxy.Admin["srv-b"] = 1;
        Assert.Null(await Reconciler(Routed with { Routable = null }).RoundAsync(CancellationToken.None));
        Assert.Equal((1, 1), (_haproxy.Admin["web-a"], _haproxy.Admin["srv-b"]));
    }

    [Fact]
    public async Task HaproxyReconcile_AFollower_ChangesNothing()
    {
        Assert.Null(await Reconciler(Routed, mayAct: false).RoundAsync(CancellationToken.None));
        Assert.Equal(["show info"], _haproxy.Commands);
        Assert.Empty(_posted);
    }
}
