using Understudy.Core.Alerts;
using Understudy.Core.Journal;
using static Understudy.Tests.Alerts.AlertEvents;

namespace Understudy.Tests.Alerts;

public class AlertThrottleTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly Notification Down = Notify(EventTypes.MemberDown, "web-a");
    private static readonly Notification Up = Notify(EventTypes.MemberUp, "web-a");

    [Fact]
    public void Offer_FailoverStartedThenCompleted_BothGoOutAtOnce()
    {
        var throttle = new AlertThrottle(Minute);

        Assert.NotNull(throttle.Offer(Notify(EventTypes.FailoverStarted, "web-b"), T0));
        Assert.NotNull(throttle.Offer(Notify(EventTypes.FailoverCompleted, "web-b"), T0.AddSeconds(1)));
        Assert.Null(throttle.NextDue);
    }

    [Fact]
    public void Offer_SecondFailoverWithinTheInterval_IsAnotherEpochSoGoesOut()
    {
        var throttle = new AlertThrottle(Minute);
        throttle.Offer(Notify(EventTypes.FailoverStarted, "web-b"), T0);
        throttle.Offer(Notify(EventTypes.FailoverCompleted, "web-b"), T0.AddSeconds(1));
        Notification next = NotificationRules.For(Event(EventTypes.FailoverStarted, "web-c") with { Epoch = 3 })!;

        Assert.Same(next, throttle.Offer(next, T0.AddSeconds(30)));
    }

    [Fact]
    public void Offer_FailedSoonAfterStarted_IsAnotherKindSoGoesOut()
    {
        var throttle = new AlertThrottle(Minute);
        throttle.Offer(Notify(EventTypes.FailoverStarted, "web-b"), T0);

        Assert.NotNull(throttle.Offer(Notify(EventTypes.FailoverFailed, "web-b"), T0.AddSeconds(2)));
    }

    [Fact]
    public void Offer_SameTriggerWhileOpen_IsDroppedAsDuplicate()
    {
        var throttle = new AlertThrottle(Minute);
        var degraded = Notify(EventTypes.ServiceDegraded, "web-a");
        throttle.Offer(degraded, T0);

        Assert.Null(throttle.Offer(degraded, T0.AddSeconds(10)));
        Assert.Null(throttle.NextDue);
        // Past the interval the condition is told again, as a reminder.
        Assert.NotNull(throttle.Offer(degraded, T0.AddMinutes(1)));
    }

    [Fact]
    public void Offer_FlappingMember_SecondFlapWithinTheIntervalIsNotTold()
    {
        var throttle = new AlertThrottle(Minute);

        // First flap: both sides go out.
        Assert.Same(Down, throttle.Offer(Down, T0));
        Assert.Same(Up, throttle.Offer(Up, T0.AddSeconds(5)));
        // Second flap within the minute: the down is held back, and the up drops it and itself:
        // the receivers last heard "up", which is true again.
        Assert.Null(throttle.Offer(Down, T0.AddSeconds(10)));
        Assert.Equal(T0.AddMinutes(1), throttle.NextDue);
        Assert.Null(throttle.Offer(Up, T0.AddSeconds(15)));
        Assert.Null(throttle.NextDue);
        Assert.Empty(throttle.Due(T0.AddMinutes(2)));
    }

    [Fact]
    public void Due_MemberFlapsThenStaysDown_TheHeldDownGoesOutWhenTheIntervalEnds()
    {
        var throttle = new AlertThrottle(Minute);
        throttle.Offer(Down, T0);
        throttle.Offer(Up, T0.AddSeconds(5));
        throttle.Offer(Down, T0.AddSeconds(10));

        Assert.Empty(throttle.Due(T0.AddSeconds(59)));
        Assert.Equal([Down], throttle.Due(T0.AddMinutes(1)));
        Assert.Null(throttle.NextDue);
        // It counts as sent then: the key is open again and a repeat is a duplicate.
        Assert.Null(throttle.Offer(Down, T0.AddSeconds(70)));
        Assert.Null(throttle.NextDue);
    }

    [Fact]
    public void Offer_ResolveWithNoTriggerBefore_IsDropped()
    {
        var throttle = new AlertThrottle(Minute);

        // Every member comes up when the controller starts: nobody was told they were down.
        Assert.Null(throttle.Offer(Up, T0));
        Assert.NotNull(throttle.Offer(Down, T0.AddSeconds(1)));
        Assert.NotNull(throttle.Offer(Up, T0.AddSeconds(2)));
        Assert.Null(throttle.Offer(Up, T0.AddSeconds(3)));
    }

    [Fact]
    public void Offer_KeysAreIndependent_OneMemberDoesNotLimitAnother()
    {
        var throttle = new AlertThrottle(Minute);
        throttle.Offer(Down, T0);

        Assert.NotNull(throttle.Offer(Notify(EventTypes.MemberDown, "web-b"), T0.AddSeconds(1)));
    }

    [Fact]
    public void Offer_ZeroInterval_SendsEverything()
    {
        var throttle = new AlertThrottle(TimeSpan.Zero);

        Assert.NotNull(throttle.Offer(Down, T0));
        Assert.NotNull(throttle.Offer(Up, T0));
        Assert.NotNull(throttle.Offer(Down, T0));
    }

    [Fact]
    public void Offer_InfoRepeatedWithinInterval_IsHeldAndTheLatestGoesOut()
    {
        var throttle = new AlertThrottle(Minute);
        Notification first = Notify(EventTypes.SwitchoverCompleted, "web-b"), second = Notify(EventTypes.SwitchoverCompleted, "web-a");
        throttle.Offer(first, T0);

        Assert.Null(throttle.Offer(second, T0.AddSeconds(30)));
        Assert.Equal([second], throttle.Due(T0.AddMinutes(1)));
    }
}
