using Understudy.Api;

namespace Understudy.Tests.Api;

/// <summary>POST /api/drills refuses report.json figures no drill could have measured, naming the field.</summary>
public class DrillResultCheckTests
{
    private static readonly DrillResultBody Fine = new("web", "crash", "passed", 420, null, 900, 0, 99.5);

    [Fact]
    public void Check_PlausibleFigures_Accepted()
    {
        Assert.Null(DrillResultEndpoints.Check(Fine));
        Assert.Null(DrillResultEndpoints.Check(Fine with { RecoveryTimeMs = null, LostAcknowledgedWrites = null, AvailabilityPct = null }));
        Assert.Null(DrillResultEndpoints.Check(Fine with { AvailabilityPct = 0 }));
        Assert.Null(DrillResultEndpoints.Check(Fine with { AvailabilityPct = 100 }));
    }

    [Theory]
    [InlineData(-1.0, null, null, "recovery_time_ms: expected a number of milliseconds from 0 to 86400000 (24 h), got -1")]
    [InlineData(1e300, null, null, "recovery_time_ms: expected a number of milliseconds from 0")]
    [InlineData(null, -3, null, "lost_acknowledged_writes: expected a count of writes, 0 or more, got -3")]
    [InlineData(null, null, 100.5, "availability_pct: expected a percentage from 0 to 100, got 100.5")]
    [InlineData(null, null, -0.1, "availability_pct: expected a percentage from 0 to 100, got -0.1")]
    [InlineData(null, null, double.NaN, "availability_pct: expected a percentage from 0 to 100")]
    public void Check_ImpossibleFigure_400NamingTheField(double? recovery, int? lost, double? availability, string says)
    {
        var problem = DrillResultEndpoints.Check(Fine with { RecoveryTimeMs = recovery, LostAcknowledgedWrites = lost, AvailabilityPct = availability });

        Assert.Equal(400, problem?.StatusCode);
        Assert.StartsWith(says, problem!.ProblemDetails.Detail);
    }

    [Fact]
    public void Check_TargetsOutOfRange_400NamingTheTarget()
    {
        Assert.Null(DrillResultEndpoints.Check(Fine with { RtoTargetMs = 5000, RecoveryTargetMs = 8000 }));
        Assert.StartsWith("rto_target_ms: expected a number of milliseconds", DrillResultEndpoints.Check(Fine with { RtoTargetMs = -5 })!.ProblemDetails.Detail);
        Assert.StartsWith("recovery_target_ms: expected a number of milliseconds", DrillResultEndpoints.Check(Fine with { RecoveryTargetMs = double.PositiveInfinity })!.ProblemDetails.Detail);
    }
}
