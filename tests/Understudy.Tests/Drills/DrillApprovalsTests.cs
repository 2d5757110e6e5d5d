using Understudy.Core.Drills;
using Understudy.Core.Failover;
using Understudy.Core.Journal;

namespace Understudy.Tests.Drills;

public sealed class DrillApprovalsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Digest = new('a', 64), Other = new('b', 64);

    private static JournalEvent[] Requested(string id = "d-1", string digest = "", int approvals = 1, long eventId = 1) =>
    [
        new DrillRequested(id, "crash", digest.Length == 0 ? Digest : digest, approvals, T0.AddMinutes(30), "quarterly") { Service = "web", Actor = "alice", Time = T0, Id = eventId },
    ];

    private static DrillApproved Approved(string by, string id = "d-1", long eventId = 2) => new(id) { Service = "web", Actor = by, Time = T0.AddMinutes(1), Id = eventId };

    [Fact]
    public void Fold_RequestApprovedThenUsed_GoesThroughItsStates()
    {
        var requested = DrillApprovals.Fold(Requested())["d-1"];
        var approved = DrillApprovals.Fold([.. Requested(), Approved("bob")])["d-1"];
        var used = DrillApprovals.Fold([.. Requested(), Approved("bob"), new DrillApprovalUsed("d-1", Digest) { Actor = "alice", Time = T0.AddMinutes(2), Id = 3 }])["d-1"];

        Assert.Equal(("awaiting_approval", "approved", "used"), (requested.State(T0), approved.State(T0), used.State(T0.AddMinutes(2))));
        Assert.Equal(["bob"], approved.ApprovedBy.AsEnumerable());
        Assert.Equal("expired", approved.State(T0.AddMinutes(30)));
        Assert.Equal("alice", used.UsedBy);
    }

    [Fact]
    public void Standing_ApprovedOnce_HoldsForEveryRunAndPastItsApprovalWindow_OneRunRequestsAreUsedFirst()
    {
        JournalEvent standing = new DrillRequested("d-s", "crash", Digest, 1, T0.AddMinutes(30), "nightly", Standing: true) { Service = "web", Actor = "alice", Time = T0, Id = 1 };
        JournalEvent[] events =
        [
            standing, Approved("bob", "d-s", 2),
            new DrillApprovalUsed("d-s", Digest) { Service = "web", Actor = "controller", Time = T0.AddDays(1), Id = 3 },
            .. Requested("d-1", eventId: 4), Approved("carol", "d-1", 5),
        ];
        var all = DrillApprovals.Fold(events).Values;
        DateTimeOffset tomorrow = T0.AddDays(1).AddMinutes(1);

        Assert.Equal("approved", DrillApprovals.Fold(events)["d-s"].State(T0.AddDays(30)));
        Assert.Equal("d-1", DrillApprovals.Usable(all, "web", "crash", Digest, T0.AddMinutes(2))!.Id);
        Assert.Equal("d-s", DrillApprovals.Usable(all, "web", "crash", Digest, tomorrow)!.Id); // d-1 expired
        Assert.Equal("d-s", DrillApprovals.Standing(all, "web", "crash", Digest, T0.AddMinutes(2))!.Id);
        Assert.Null(DrillApprovals.Standing(all, "web", "crash", Other, T0.AddMinutes(2)));
        Assert.Equal("expired", DrillApprovals.Fold([standing])["d-s"].State(T0.AddMinutes(30))); // never approved in time
    }

    [Fact]
    public void CannotApprove_TheRequesterOrTwice_IsForbidden_LateIsAConflict()
    {
        var two = DrillApprovals.Fold([.. Requested(approvals: 2), Approved("bob")])["d-1"];

        Assert.Equal(new Refusal(RefusalKind.Forbidden, "alice asked for drill request d-1: another person must approve it"), DrillApprovals.CannotApprove(two, "alice", T0));
        Assert.Equal(RefusalKind.Forbidden, DrillApprovals.CannotApprove(two, "bob", T0)!.Kind);
        Assert.Null(DrillApprovals.CannotApprove(two, "carol", T0));
        Assert.Equal(RefusalKind.Conflict, DrillApprovals.CannotApprove(two, "carol", T0.AddHours(1))!.Kind);
    }

    [Fact]
    public void Usable_OnlyAnApprovedUnusedRequestForTheSameFile()
    {
        var all = DrillApprovals.Fold([.. Requested(), Approved("bob"), .. Requested("d-2", Other, eventId: 3)]).Values;

        Assert.Equal("d-1", DrillApprovals.Usable(all, "web", "crash", Digest, T0)?.Id);
        Assert.Null(DrillApprovals.Usable(all, "web", "crash", Other, T0));
        Assert.Null(DrillApprovals.Usable(all, "db", "crash", Digest, T0));
        Assert.Null(DrillApprovals.Usable(all, "web", "crash", Digest, T0.AddHours(1)));
    }

    [Fact]
    public void Refusal_SaysWhatWasSeenAndWhatToDo()
    {
        var awaiting = DrillApprovals.Fold(Requested()).Values;

        Assert.Equal("drill 'crash' on service web needs an approved drill request for this file (sha256 aaaaaaaaaaaa…): d-1 is awaiting approval. "
            + "Ask with understudy drill request FILE --reason TEXT (--standing for a schedule), have another person run understudy approve ID, then run it again",
            DrillApprovals.Refusal(awaiting, "web", "crash", Digest, T0));
        Assert.Contains(": none was made.", DrillApprovals.Refusal([], "web", "crash", Digest, T0));
        Assert.Contains(": the requests made were for another version of the file (it changed since).", DrillApprovals.Refusal(awaiting, "web", "crash", Other, T0));
    }
}
