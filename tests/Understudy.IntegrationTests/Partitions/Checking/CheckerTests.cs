using Understudy.PartitionClient;

namespace Understudy.IntegrationTests.Partitions.Checking;

/// <summary>The checker's arithmetic on hand-made histories (pure logic: no lab).</summary>
public class CheckerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);

    private static Attempt Acked(string id, double startS, double endS, string server, int timeline) =>
        new(id, id.Split('-')[0], T0.AddSeconds(startS), T0.AddSeconds(endS), true, server, timeline, null);

    private static Attempt Failed(string id, double startS, double endS) =>
        new(id, id.Split('-')[0], T0.AddSeconds(startS), T0.AddSeconds(endS), false, null, null, "timeout");

    private static CheckResult Check(IReadOnlyList<Attempt> attempts, params string[] finalIds) =>
        Checker.Check(new RunRecord("s", 1, attempts, "pg2/2", finalIds.ToHashSet(), 1, T0, T0.AddSeconds(5), T0.AddSeconds(7)));

    [Fact]
    public void Check_CleanFailover_NothingLostNoSplitBrain_RtoIsTheLongestGapWithoutAnAck()
    {
        var r = Check([Acked("a-1", 1, 1.1, "pg1", 1), Failed("a-2", 2, 3), Acked("a-3", 4, 4.2, "pg2", 2), Acked("b-1", 6, 6.1, "pg2", 2)],
            "a-1", "a-3", "b-1");

        Assert.Equal((0, 0, 3), (r.Lost, r.SplitBrain, r.Acked));
        Assert.Equal(3100, r.RtoMs, precision: 0); // from a-1's ack at 1.1 s to a-3's at 4.2 s
        Assert.Equal(0.75, r.Availability);
        Assert.Equal("pg1/1: 1, pg2/2: 2", r.Primaries);
    }

    [Fact]
    public void Check_AnAckedWriteMissingOnTheFinalPrimary_IsLost()
    {
        var r = Check([Acked("a-1", 1, 1.1, "pg1", 1), Acked("a-2", 2, 2.1, "pg1", 1)], "a-1");

        Assert.Equal(1, r.Lost);
        Assert.Contains("a-2 acked by pg1/1", r.LostSample.Single());
    }

    [Fact]
    public void Check_OldPrimaryAcksAWriteBegunAfterTheNewOnesFirstAck_IsSplitBrain()
    {
        var r = Check([Acked("a-1", 3, 3.1, "pg2", 2), Acked("b-1", 2.9, 3.5, "pg1", 1), Acked("b-2", 3.2, 3.3, "pg1", 1)],
            "a-1", "b-1", "b-2");

        Assert.Equal(1, r.SplitBrain); // b-2 began after pg2's first ack; b-1 overlapped it and is no proof of two primaries
    }

    [Fact]
    public void Check_FailedAttemptWhoseRowIsThere_IsCountedNotLost()
    {
        var r = Check([Failed("a-1", 1, 2), Acked("a-2", 3, 3.1, "pg1", 1)], "a-1", "a-2");

        Assert.Equal((0, 1), (r.Lost, r.UnackedPresent));
    }

    [Fact]
    public void Check_ACommitPostgreSqlMadeOnThePrimaryOnly_IsNotAnAcknowledgementAndNotLost()
    {
        var localOnly = new Attempt("a-1", "a", T0.AddSeconds(1), T0.AddSeconds(6), false, "pg1", 1,
            $"{Attempt.LocalOnly}: canceling wait for synchronous replication due to user request");

        var r = Check([localOnly, Acked("a-2", 7, 7.1, "pg2", 2)], "a-2");

        Assert.Equal((0, 1, 1), (r.Lost, r.LocalOnly, r.Acked));
    }
}
