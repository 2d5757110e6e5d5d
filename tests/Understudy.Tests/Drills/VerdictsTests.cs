using Understudy.Core.Drills;
using Understudy.Core.Topology;

namespace Understudy.Tests.Drills;

public class VerdictsTests
{
    private static ProbeResult Probe(double? rto, double? recovery, double availability = 100, int unexpected = 0, WriteLoss? writes = null) =>
        new("web", "http", "http://x/", 100, 0, new Dictionary<string, int>(), availability, rto, recovery, null,
            rto is null ? null : DateTimeOffset.UnixEpoch, unexpected,
            LatencySummary.Empty, LatencySummary.Empty, LatencySummary.Empty, writes);

    private static readonly DrillTargets Targets = new(TimeSpan.FromSeconds(5), null, new RpoTarget(0, null), 99, 0.2);

    private static VerdictInputs Inputs(params ProbeResult[] probes) => new(Targets, probes, true, [], [], [], null);

    [Fact]
    public void Judge_AllWithinTargets_Passes()
    {
        var (verdict, criteria) = Verdicts.Judge(Inputs(Probe(4000, 3000)));

        Assert.Equal(Verdict.Passed, verdict);
        Assert.Equal(["recovered", "rto", "recovery_time", "availability", "no_manual_step", "no_unexpected_errors"], criteria.Select(c => c.Name));
        Assert.Equal("RTO 4000 ms (worst probe), target 5000 ms + 20 % tolerance = 6000 ms", criteria[1].Detail);
    }

    [Theory]
    [InlineData(6000, true)]
    [InlineData(6001, false)]
    public void Judge_RtoOverTargetWithinTolerance_PassesUpToTheTolerance(double rto, bool passes)
    {
        var (_, criteria) = Verdicts.Judge(Inputs(Probe(rto, 100)));
        Assert.Equal(passes, criteria.Single(c => c.Name == "rto").Passed);
    }

    [Fact]
    public void Judge_NeverRecovered_FailsRtoAndSaysSo()
    {
        var (verdict, criteria) = Verdicts.Judge(Inputs(Probe(100, 100), Probe(null, null)));

        Assert.Equal(Verdict.Failed, verdict);
        Assert.Equal("a probe never recovered; target 5000 ms + 20 % tolerance = 6000 ms", criteria.Single(c => c.Name == "rto").Detail);
    }

    [Fact]
    public void Judge_NeverRecoveredWithoutAnyTarget_StillFails()
    {
        var (verdict, criteria) = Verdicts.Judge(Inputs(Probe(null, null)) with { Targets = DrillTargets.None });

        Assert.Equal(Verdict.Failed, verdict);
        Assert.Equal(new Criterion("recovered", false, "no sustained recovery within recovery.timeout: web"), criteria[0]);
    }

    [Fact]
    public void Judge_LostWritesOverRpo_Fails()
    {
        var loss = new WriteLoss(100, 97, 3, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMilliseconds(40));
        var (verdict, criteria) = Verdicts.Judge(Inputs(Probe(1, 1, writes: loss)));

        Assert.Equal(Verdict.Failed, verdict);
        Assert.Equal(new Criterion("rpo", false, "3 acknowledged writes lost, target at most 0"), criteria.Single(c => c.Name == "rpo"));
    }

    [Fact]
    public void Judge_RpoAsAWindow_ComparesTheSpanOfLostAcks()
    {
        var loss = new WriteLoss(100, 97, 3, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMilliseconds(40));
        var inputs = Inputs(Probe(1, 1, writes: loss)) with { Targets = Targets with { Rpo = new RpoTarget(null, TimeSpan.FromMilliseconds(50)) } };

        Assert.True(Verdicts.Judge(inputs).Criteria.Single(c => c.Name == "rpo").Passed);
    }

    [Fact]
    public void Judge_OneLostWriteAgainstAZeroWindow_Fails()
    {
        var loss = new WriteLoss(100, 99, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        var inputs = Inputs(Probe(1, 1, writes: loss)) with { Targets = Targets with { Rpo = new RpoTarget(null, TimeSpan.Zero) } };

        Assert.False(Verdicts.Judge(inputs).Criteria.Single(c => c.Name == "rpo").Passed);
    }

    [Fact]
    public void Judge_MissingAlertManualStepUnexpectedErrorsAndFailedVerify_EachFailWithItsReason()
    {
        var inputs = Inputs(Probe(1, 1, unexpected: 2)) with
        {
            AlertChecks = [(false, "no alert.raised within 30 s of the fault")],
            ManualSteps = ["manual: restart the load balancer"],
            FailedVerifications = ["http GET http://x/health expects 200: got 503"],
        };

        var (verdict, criteria) = Verdicts.Judge(inputs);

        Assert.Equal(Verdict.Failed, verdict);
        Assert.Equal(["alert_received", "no_manual_step", "no_unexpected_errors", "verification"], criteria.Where(c => !c.Passed).Select(c => c.Name));
        Assert.True(criteria.Single(c => c.Name == "recovered").Passed);
        Assert.Equal("2 failed attempts outside [fault, recovery] or of kind other: web 2", criteria.Single(c => c.Name == "no_unexpected_errors").Detail);
    }

    [Fact]
    public void Judge_Aborted_IsAbortedWhateverTheCriteria() =>
        Assert.Equal(Verdict.Aborted, Verdicts.Judge(Inputs(Probe(1, 1)) with { AbortReason = "steady state did not hold" }).Verdict);

    [Fact]
    public void Judge_NoFault_HasNoTimingCriteria()
    {
        var (_, criteria) = Verdicts.Judge(Inputs(Probe(null, null)) with { FaultInjected = false });
        Assert.DoesNotContain(criteria, c => c.Name is "recovered" or "rto" or "recovery_time");
    }
}
