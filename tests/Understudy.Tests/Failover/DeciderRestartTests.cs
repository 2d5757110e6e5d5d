using Understudy.Core.Failover;
using Understudy.Core.Journal;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Failover;

public class DeciderRestartTests
{
    [Fact]
    public void Decide_ControllerStartedWithoutFailover_DoesNothing() =>
        Assert.False(Decider.Decide(ServiceState.Initial(Http()), new ControllerStarted(), T0).Changed);

    [Fact]
    public void Decide_ControllerStartedWhileFencing_FencesAgain()
    {
        var s = ServiceState.Initial(Http()) with
        {
            Epoch = 2, Primary = "web-b", Routable = null,
            Failover = new FailoverProgress("web-a", "web-b", 2, T0, FailoverStage.Fencing),
        };

        var d = Decider.Decide(s, new ControllerStarted(), T0.AddSeconds(1));

        Assert.Equal([EventTypes.FailoverResumed], d.Types());
        Assert.Equal<Step>([new FenceMember("web-a", 2)], d.Plan);
    }

    [Fact]
    public void Decide_ControllerStartedAfterSwitch_CompletesWithoutRerunningHooks()
    {
        var s = ServiceState.Initial(Http(hooks: true)) with
        {
            Epoch = 2, Primary = "web-b", Routable = "web-b",
            Failover = new FailoverProgress("web-a", "web-b", 2, T0, FailoverStage.RunningHooks),
        };

        var d = Decider.Decide(s, new ControllerStarted(), T0.AddSeconds(1));

        Assert.Equal([EventTypes.FailoverCompleted, EventTypes.AlertRaised], d.Types());
        Assert.Empty(d.Plan);
        Assert.Contains("on_failover hooks are not run again", d.Reason);
    }
}
