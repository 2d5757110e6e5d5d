using System.Collections.Immutable;
using Understudy.Core.Journal;
using Understudy.Failover;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Regressions;

/// <summary>Issue 13, item 12: a token holder repeating a refused action journaled one request.refused per attempt.</summary>
public class RefusalDigestTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private static ImmutableArray<JournalEvent> Refused(string actor = "alice", string action = "approve", string why = "alice made request r-1 and cannot approve it") =>
        [new RequestRefused("r-1", action, why) { Actor = actor, Reason = why }];

    [Fact]
    public void Digest_SameRefusalRepeated_FirstJournaled_RepeatsCounted_OneSummaryClosesTheWindow()
    {
        var digest = new RefusalDigest(Window);

        Assert.Single(digest.Digest(Refused(), At(0)));
        for (int i = 1; i <= 19; i++) Assert.Empty(digest.Digest(Refused(), At(i)));
        Assert.Empty(digest.Digest([], At(59.9)));

        var summary = Assert.IsType<RequestRefused>(Assert.Single(digest.Digest([], At(60))));
        Assert.Equal((19, "approve", "alice", At(60)), (summary.Repeated, summary.Action, summary.Actor, summary.Time));
        Assert.Equal("alice was refused approve 19 more times since 12:00:00: alice made request r-1 and cannot approve it", summary.Reason);
        // The window is closed: the next refusal is journaled as a first one again.
        Assert.Null(Assert.IsType<RequestRefused>(Assert.Single(digest.Digest(Refused(), At(61)))).Repeated);
    }

    [Fact]
    public void Digest_OtherActorActionOrReason_IsItsOwnFirstRefusal()
    {
        var digest = new RefusalDigest(Window);
        digest.Digest(Refused(), At(0));

        Assert.Single(digest.Digest(Refused(actor: "bob"), At(1)));
        Assert.Single(digest.Digest(Refused(action: "reject"), At(2)));
        Assert.Single(digest.Digest(Refused(why: "request r-1 is already approved and executing"), At(3)));
    }

    [Fact]
    public void Digest_WindowWithoutRepeats_ClosesSilently_OtherEventsPassUntouched()
    {
        var digest = new RefusalDigest(Window);
        digest.Digest(Refused(), At(0));
        JournalEvent note = new FaultCleared("alice") { Reason = "fault cleared" };

        Assert.Same(note, Assert.Single(digest.Digest([note], At(90))));
    }

    [Fact]
    public void Digest_AtTheStop_EveryOpenWindowIsClosedBeforeTheStopIsJournaled()
    {
        var digest = new RefusalDigest(Window);
        digest.Digest(Refused(), At(0));
        digest.Digest(Refused(), At(1));
        JournalEvent stopped = new ControllerStopped("1.0.0", 42);

        var kept = digest.Digest([stopped], At(2), closeAll: true);

        Assert.Equal([1], kept.OfType<RequestRefused>().Select(r => r.Repeated ?? 0));
        Assert.Same(stopped, kept[^1]);
    }
}
