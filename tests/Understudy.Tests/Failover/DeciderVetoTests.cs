using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Tests.Testing;
using static Understudy.Tests.Testing.Operators;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Failover;

/// <summary>Issue 15: veto hooks are asked before any failover or switchover starts; a refusal is journaled with its reason.</summary>
public class DeciderVetoTests
{
    private static readonly HookSpec Freeze = new(["check-freeze", "{{change}}", "{{new_primary}}"], TimeSpan.FromSeconds(5));

    private static ServiceSpec Spec(int approvals = 0) => Http(approvals: approvals) with { Hooks = HooksSpec.None with { Veto = [Freeze] } };

    private static StepCompleted Answer(AskVeto ask, bool allowed, string detail = "1 of 1 veto hooks exited 0") =>
        new(ask, allowed, allowed ? detail : "veto hook 1 `check-freeze failover web-b` exited 1 after 20 ms: change freeze until Monday");

    /// <summary>web-a fails three times: instead of failing over, the veto hooks are asked.</summary>
    private static ServiceState Asking(out Decision asked)
    {
        var s = AllUp(Spec(), T0);
        var d = Walk(ref s, (Fail("web-a", At(1)), At(1)), (Fail("web-a", At(1.2)), At(1.2)), (Fail("web-a", At(1.4)), At(1.4)));
        asked = d[2];
        return s;
    }

    [Fact]
    public void Decide_PrimaryDown_AsksTheVetoHooksBeforeAnythingChanges()
    {
        var s = Asking(out Decision d);

        Assert.Equal([EventTypes.MemberDown, EventTypes.VetoAsked], d.Types());
        Assert.Equal<Step>([new AskVeto(RequestKind.Failover, "web-a", "web-b", 1, null)], d.Plan);
        Assert.Equal(("web-a", 1L, "web-a"), (s.Primary, s.Epoch, s.Routable));
        Assert.Null(s.Failover);
        // More failed checks while the hooks answer ask nothing again.
        Assert.Empty(Decider.Decide(s, Fail("web-a", At(1.6)), At(1.6)).Plan);
    }

    [Fact]
    public void Decide_VetoHooksAllow_TheFailoverStarts()
    {
        var s = Asking(out Decision asked);

        var d = Decider.Decide(s, Answer((AskVeto)asked.Plan[0], true), At(1.5));

        Assert.Equal([EventTypes.ChangeAllowed, EventTypes.FailoverStarted], d.Types());
        Assert.Equal<Step>([new FenceMember("web-a", "web-b", 2)], d.Plan);
        Assert.Null(d.State.PendingVeto);
    }

    [Fact]
    public void Decide_VetoHookRefusesAnAutomaticFailover_HeldAlertedAndAskedAgainAfterThirtySeconds()
    {
        var s = Asking(out Decision asked);

        var vetoed = Decider.Decide(s, Answer((AskVeto)asked.Plan[0], false), At(1.5));
        Assert.Equal([EventTypes.ChangeVetoed, EventTypes.AlertRaised], vetoed.Types());
        Assert.Contains("change freeze until Monday", vetoed.Events[0].Reason);
        Assert.Equal("critical", ((AlertRaised)vetoed.Events[1]).Severity);
        Assert.Equal(vetoed.Events[0].Reason, vetoed.State.HoldReason);
        s = vetoed.State;

        Assert.Empty(Decider.Decide(s, Fail("web-a", At(20)), At(20)).Plan);
        var again = Decider.Decide(s, Fail("web-a", At(31.5)), At(31.5));
        Assert.Equal([EventTypes.VetoAsked], again.Types());
        Assert.IsType<AskVeto>(Assert.Single(again.Plan));
    }

    [Fact]
    public void Decide_PrimaryBackWhileTheHooksAnswer_AllowedButNothingStarts()
    {
        var s = Asking(out Decision asked);
        s = Walk(ref s, (Ok("web-a", At(1.45)), At(1.45)), (Ok("web-a", At(1.47)), At(1.47)))[1].State;

        var d = Decider.Decide(s, Answer((AskVeto)asked.Plan[0], true), At(1.5));

        Assert.Contains(EventTypes.ChangeAllowed, d.Types());
        Assert.DoesNotContain(EventTypes.FailoverStarted, d.Types());
        Assert.Equal(("web-a", 1L), (d.State.Primary, d.State.Epoch));
    }

    [Fact]
    public void Decide_RequestedSwitchover_ExecutingWhileAskedThenFailsWithTheVetoReason()
    {
        var s = AllUp(Spec(approvals: 1), T0);
        s = Decider.Decide(s, SwitchoverTo("web-b"), At(1)).State;

        var approved = Decider.Decide(s, Approve("bob"), At(2));
        Assert.Equal([EventTypes.RequestApproved, EventTypes.RequestExecuting, EventTypes.VetoAsked], approved.Types());
        var ask = Assert.IsType<AskVeto>(Assert.Single(approved.Plan));
        Assert.Equal((RequestKind.Switchover, "web-b", Id), (ask.Kind, ask.To, ask.Request));
        // While the hooks answer, the request stays open (executing): another is refused.
        Assert.Equal(RequestState.Executing, approved.State.Request?.State);
        Assert.Equal(RefusalKind.Conflict, Decider.Decide(approved.State, FailoverTo("web-b", id: "r-2"), At(2.1)).Refused?.Kind);

        var vetoed = Decider.Decide(approved.State, Answer(ask, false), At(2.5));

        Assert.Equal([EventTypes.ChangeVetoed, EventTypes.RequestFailed, EventTypes.AlertRaised], vetoed.Types());
        Assert.Null(vetoed.State.Request);
        Assert.Null(vetoed.State.VetoRetryAt);
        Assert.Equal("web-a", vetoed.State.Routable);
    }

    [Fact]
    public void Decide_RequestedSwitchoverAllowed_Starts()
    {
        var s = AllUp(Spec(), T0);
        var asked = Decider.Decide(s, SwitchoverTo("web-b"), At(1));
        var ask = Assert.IsType<AskVeto>(Assert.Single(asked.Plan));

        var d = Decider.Decide(asked.State, Answer(ask, true), At(1.5));

        Assert.Equal([EventTypes.ChangeAllowed, EventTypes.SwitchoverStarted], d.Types());
        Assert.IsType<DrainMember>(Assert.Single(d.Plan));
        Assert.Equal(Id, d.State.Failover?.Request);
    }

    [Fact]
    public void Decide_RestartedWhileAsking_AsksAgain()
    {
        var spec = Spec();
        var s = AllUp(spec, T0);
        var events = new List<JournalEvent>();
        foreach (Input input in new Input[] { Fail("web-a", At(1)), Fail("web-a", At(1.2)), Fail("web-a", At(1.4)) })
        {
            var step = Decider.Decide(s, input, At(1.4));
            events.AddRange(step.Events);
            s = step.State;
        }
        var rebuilt = ServiceFold.Rebuild(spec, events, out string? error);
        Assert.Null(error);

        var d = Decider.Decide(rebuilt, Journaled.Restarted, At(5));

        Assert.Equal([EventTypes.ControllerStarted, EventTypes.FailoverResumed], d.Types());
        Assert.Equal<Step>([new AskVeto(RequestKind.Failover, "web-a", "web-b", 1, null)], d.Plan);
    }
}
