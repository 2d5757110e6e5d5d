using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Tests.Testing;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Failover;

/// <summary>A running service under a reloaded config: its state kept, or the reload refused while it matters.</summary>
public class ServiceFoldReconfigureTests
{
    private static ServiceState FailedOver()
    {
        ServiceState s = ServiceFold.Rebuild(Http(members: 3), [
            Journaled.Make(At(1), "web", null, 2, EventTypes.FailoverStarted, Actors.Controller, new Dictionary<string, object?> { ["from"] = "web-a", ["to"] = "web-b", ["reason"] = "test" }),
            Journaled.Make(At(1.1), "web", null, 2, EventTypes.TrafficSwitched, Actors.Controller, new Dictionary<string, object?> { ["reason"] = "test" }),
            Journaled.Make(At(1.2), "web", null, 2, EventTypes.FailoverCompleted, Actors.Controller, new Dictionary<string, object?> { ["reason"] = "test" }),
        ], out string? error);
        Assert.Null(error);
        return ServiceFold.Evolve(s, new MemberObserved("web-c", new Core.Detection.HealthTracker(Core.Detection.Health.Up, 0, 2), false, "ok", null));
    }

    [Fact]
    public void Reconfigure_NewThresholds_KeepEpochRouteAndWhatChecksSaw()
    {
        ServiceState before = FailedOver();
        ServiceSpec slower = Http(members: 3, fall: 5);

        ServiceState after = ServiceFold.Reconfigure(before, slower, out string? refusal)!;

        Assert.Null(refusal);
        Assert.Same(slower, after.Spec);
        Assert.Equal((2L, "web-b", "web-b"), (after.Epoch, after.Primary, after.Routable));
        Assert.True(after.Members["web-a"].NeedsRejoin);
        Assert.Equal(before.Members["web-c"], after.Members["web-c"]);
    }

    [Fact]
    public void Reconfigure_MemberAddedAndAStandbyRemoved_TracksTheNewOneFromScratch()
    {
        ServiceSpec twoPlusD = Http(members: 3) with { Members = [.. Http(members: 3).Members.Where(m => m.Name != "web-c"), new MemberSpec("web-d", new HostPort("127.0.0.1", 8084))] };

        ServiceState after = ServiceFold.Reconfigure(FailedOver(), twoPlusD, out string? refusal)!;

        Assert.Null(refusal);
        Assert.Equal(["web-a", "web-b", "web-d"], after.Members.Keys.Order());
        Assert.Equal(Core.Detection.Health.Unknown, after.Members["web-d"].Health);
    }

    [Fact]
    public void Reconfigure_WithoutThePrimary_IsRefused()
    {
        ServiceSpec withoutB = Http(members: 3) with { Members = [.. Http(members: 3).Members.Where(m => m.Name != "web-b")] };

        Assert.Null(ServiceFold.Reconfigure(FailedOver(), withoutB, out string? refusal));
        Assert.Equal("member web-b is the primary; it can be removed once it is not", refusal);
    }

    [Fact]
    public void Reconfigure_StandbyGivenAnotherAddress_IsANewServerSeenFromScratch()
    {
        ServiceSpec moved = Http(members: 3) with { Members = [.. Http(members: 3).Members.Select(m => m.Name == "web-c" ? m with { Address = new HostPort("127.0.0.1", 9999) } : m)] };

        ServiceState after = ServiceFold.Reconfigure(FailedOver(), moved, out string? refusal)!;

        Assert.Null(refusal);
        Assert.Equal(Core.Detection.Health.Unknown, after.Members["web-c"].Health);
    }

    [Fact]
    public void Reconfigure_PrimaryGivenAnotherAddress_IsRefused()
    {
        ServiceSpec moved = Http(members: 3) with { Members = [.. Http(members: 3).Members.Select(m => m.Name == "web-b" ? m with { Address = new HostPort("127.0.0.1", 9999) } : m)] };

        Assert.Null(ServiceFold.Reconfigure(FailedOver(), moved, out string? refusal));
        Assert.Equal("member web-b is the primary; it can be given another address once it is not", refusal);
    }

    [Fact]
    public void Reconfigure_DuringAFailover_IsRefused()
    {
        ServiceState failing = ServiceFold.Rebuild(Http(), [
            Journaled.Make(At(1), "web", null, 2, EventTypes.FailoverStarted, Actors.Controller, new Dictionary<string, object?> { ["from"] = "web-a", ["to"] = "web-b", ["reason"] = "test" }),
        ], out _);

        Assert.Null(ServiceFold.Reconfigure(failing, Http(fall: 5), out string? refusal));
        Assert.Equal("a failover web-a → web-b (epoch 2) is under way; reload once it has ended", refusal);
        Assert.Equal(refusal, ServiceFold.Busy(failing));
    }
}
