namespace Understudy.Tests.Drills.Loading;

/// <summary>targets, steady_state, recovery, stop_conditions: ranges, percentages, the order of two durations.</summary>
public partial class DrillLoaderTests
{
    [Fact]
    public void Parse_AvailabilityOutOfRange_GivesTheRange() => AssertErrors(
        Minimal + "\ntargets: { availability: 101% }",
        "drill.yaml:5:26 targets.availability: must be > 0% and ≤ 100% (got 101%)");

    [Fact]
    public void Parse_AvailabilityInWords_AsksForAPercentage() => AssertErrors(
        Minimal + "\ntargets: { availability: high }",
        "drill.yaml:5:26 targets.availability: expected a percentage such as 99.9 or 99.9%, got 'high'");

    [Fact]
    public void Parse_NegativeRtoTolerance_IsRefused() => AssertErrors(
        Minimal + "\ntargets: { rto_tolerance: -5% }",
        "drill.yaml:5:27 targets.rto_tolerance: must be ≥ 0% (got -5%)");

    [Fact]
    public void Parse_RtoToleranceAsABareFraction_AsksForThePercentSign() => AssertErrors(
        Minimal + "\ntargets: { rto_tolerance: 0.2 }",
        "drill.yaml:5:27 targets.rto_tolerance: write a percentage with its sign, e.g. 20%: a bare 0.2 would mean 0.2 %");

    [Fact]
    public void Parse_RpoInWords_AsksForACountOrAWindow() => AssertErrors(
        Minimal + "\ntargets: { rto: 0, rpo: none }",
        "drill.yaml:5:17 targets.rto: must be > 0 (got 0)",
        "drill.yaml:5:25 targets.rpo: expected a count of lost writes (0, 1, …) or a duration such as 5s, got 'none'");

    [Fact]
    public void Parse_ErrorRateAboveOne_SaysFractionOrPercent() => AssertErrors(
        Minimal + "\nsteady_state: { duration: 10s, max_error_rate: 5 }",
        "drill.yaml:5:48 steady_state.max_error_rate: must be from 0 to 1 (or 0% to 100%), got 5");

    [Fact]
    public void Parse_StableForNotBelowTimeout_NamesTheTimeout() => AssertErrors(
        Minimal + "\nrecovery: { timeout: 10s, stable_for: 10s }",
        "drill.yaml:5:39 recovery.stable_for: must be shorter than timeout (10s), got 10s");

    [Fact]
    public void Parse_TimeoutBelowDefaultStableFor_NamesTheDefault() => AssertErrors(
        Minimal + "\nrecovery: { timeout: 2s }",
        "drill.yaml:5:22 recovery.timeout: must be longer than stable_for (3s, the default), got 2s");

    [Fact]
    public void Parse_ZeroMaxOutage_MustBePositive() => AssertErrors(
        Minimal + "\nstop_conditions: { max_outage: 0 }",
        "drill.yaml:5:32 stop_conditions.max_outage: must be > 0 (got 0)");

    [Fact]
    public void Parse_UnknownKeyInRecovery_ListsAcceptedKeys() => AssertErrors(
        Minimal + "\nrecovery: { timeout: 60s, stableFor: 3s }",
        "drill.yaml:5:27 recovery.stableFor: unknown key; did you mean 'stable_for'? (accepted: timeout, stable_for)");
}
