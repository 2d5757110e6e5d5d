using Understudy.Core.Journal;
using Understudy.Incidents;
using static Understudy.Tests.Incidents.SiteJournals;

namespace Understudy.Tests.Incidents;

public sealed class SiteIncidentTimelineTests
{
    [Fact]
    public void Find_Completed_PicksTheOperationAndItsRequestsAcrossServicesInTimeOrder()
    {
        SiteIncident i = SiteIncidentTimeline.Find(Op, Completed())!;

        Assert.Equal(("east", SiteOutcome.Completed, "alice", 1), (i.Site, i.Outcome, i.RequestedBy, i.ApprovalsNeeded));
        Assert.Equal(["bob"], i.ApprovedBy);
        Assert.Equal(["db", "api"], i.Services.Select(s => s.Service));
        // Nothing of the earlier operation, db's earlier request or the cache; the newer site.approved is in.
        Assert.DoesNotContain(i.Timeline, e => e.Service == "cache" || e.Time < i.Origin);
        Assert.Contains(i.Timeline, e => e.Type == "site.approved");
        Assert.Equal(i.Timeline.OrderBy(e => e.Time).ToList(), i.Timeline);
        Assert.Equal(2, i.Timeline.Count(e => e is SwitchoverCompleted));
        Assert.IsType<SiteCompleted>(i.Ended);
    }

    [Fact]
    public void Find_Completed_EachServiceHasItsChangeAndOutageEstimate()
    {
        SiteIncident i = SiteIncidentTimeline.Find(Op, Completed())!;

        SiteServiceRecord db = i.Services[0];
        Assert.Equal((1, "db-a", "db-b", "switchover", "r-db"), (db.Order, db.From, db.To, db.Kind, db.Request));
        Assert.IsType<SwitchoverStarted>(db.Started);
        Assert.IsType<TrafficSwitched>(db.Switched);
        Assert.IsType<SiteServiceMoved>(db.Moved);
        Assert.Equal(250, db.OutageMs);
        Assert.Null(db.RolledBack);
        Assert.Null(db.StoppedHere);
    }

    [Fact]
    public void Find_Completed_PhasesAreMarkedByTheirEvents()
    {
        SiteIncident i = SiteIncidentTimeline.Find(Op, Completed())!;

        Assert.Equal(["detect", "validate", "approve", "execute", "verify", "roll back"], i.Phases.Select(p => p.Name));
        Assert.Equal([EventTypes.SiteRequested, EventTypes.SiteRequested, "site.approved", EventTypes.RequestCompleted, EventTypes.SiteCompleted, null],
            i.Phases.Select(p => p.Event?.Type));
    }

    [Fact]
    public void Find_RolledBack_StopsAtWebAndFindsTheRollbackRequestsByTheirReason()
    {
        SiteIncident i = SiteIncidentTimeline.Find(Op, RolledBack())!;

        Assert.Equal(SiteOutcome.Failed, i.Outcome);
        Assert.True(i.FullyRolledBack);
        Assert.Equal(["db", "api", "web"], i.Services.Select(s => s.Service));
        Assert.Equal(["r-db-back", "r-api-back", null], i.Services.Select(s => s.RollbackRequest));
        Assert.Equal(["db-a", "api-a"], i.Services.Take(2).Select(s => s.RolledBack!.To));
        SiteServiceRecord web = i.Services[2];
        Assert.NotNull(web.StoppedHere);
        Assert.Null(web.Started);
        Assert.Null(web.Moved);
        // The rollbacks' own switchovers and web's veto are in the timeline.
        Assert.Equal(4, i.Timeline.Count(e => e is SwitchoverCompleted));
        Assert.Contains(i.Timeline, e => e is ChangeVetoed);
        Assert.Equal([EventTypes.SiteFailed, EventTypes.SiteRolledBack], i.Phases.Skip(3).Select(p => p.Event?.Type).Where(t => t is not null));
        Assert.Same(i.Timeline.Last(e => e is SiteRolledBack), i.Ended);
    }

    [Fact]
    public void Find_Rejected_EndsAtTheRejectionWithNothingStarted()
    {
        SiteIncident i = SiteIncidentTimeline.Find(Op, Rejected())!;

        Assert.Equal(SiteOutcome.Rejected, i.Outcome);
        Assert.Empty(i.ApprovedBy);
        Assert.All(i.Services, s => Assert.Null(s.Request));
        Assert.Equal(["db-b", "api-b"], i.Services.Select(s => s.To));
        Assert.Equal(EventTypes.SiteRejected, i.Phases.Single(p => p.Name == "approve").Event?.Type);
        Assert.All(i.Phases.Skip(3), p => Assert.Null(p.Event));
    }

    [Fact]
    public void Find_UnderWay_HasNoEndAndItsLastEventIsTheOpenSwitchover()
    {
        SiteIncident i = SiteIncidentTimeline.Find(Op, UnderWay())!;

        Assert.Equal(SiteOutcome.UnderWay, i.Outcome);
        Assert.Null(i.Ended);
        Assert.IsType<SwitchoverStarted>(i.Timeline[^1]);
        Assert.Null(i.Services[0].Switched);
        Assert.Null(i.Services[1].Started);
    }

    [Fact]
    public void Find_UnknownSiteEventWithARequest_FollowsThatRequest()
    {
        List<JournalEvent> events = [.. UnderWay(), Unknown(70_000, "api", "site.handed_over", "alice", ("operation", Op), ("site", "east"), ("request", "r-api")),
            .. Switchover("api", "r-api", "api-a", "api-b", 70_001, 1, "resumed")];

        SiteIncident i = SiteIncidentTimeline.Find(Op, events)!;

        Assert.Contains(i.Timeline, e => e.Type == "site.handed_over");
        Assert.Contains(i.Timeline, e => e is RequestCompleted { RequestId: "r-api" });
    }

    [Fact]
    public void Find_UnknownId_IsNullAndTheMessageListsRecentOperations()
    {
        List<JournalEvent> events = Completed();

        Assert.Null(SiteIncidentTimeline.Find("s-9", events));
        Assert.Equal("no site operation 's-9' in the journal; recent ones: s-1 (east, requested 2026-11-22 12:00:00Z), s-0 (east, requested 2026-11-22 11:55:00Z)",
            SiteIncidentTimeline.NotFound("s-9", events));
        Assert.Equal("no site operation 's-9' in the journal; the journal has no site operation", SiteIncidentTimeline.NotFound("s-9", []));
    }
}
