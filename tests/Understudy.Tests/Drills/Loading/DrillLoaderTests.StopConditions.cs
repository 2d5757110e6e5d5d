using System.Collections.Immutable;
using Understudy.Core.Drills;

namespace Understudy.Tests.Drills.Loading;

/// <summary>stop_conditions beyond max_outage: max_error_rate, max_p99, command.</summary>
public partial class DrillLoaderTests
{
    [Fact]
    public void Parse_EveryStopCondition_Loaded()
    {
        DrillSpec spec = AssertValid(Minimal + """

            stop_conditions:
              max_outage: 30s
              max_error_rate: { rate: 50%, window: 10s }
              max_p99: { latency: 2s, window: 5s }
              command: { run: [sh, -c, "test ! -e STOP"], interval: 2s, timeout: 3s }
            """);

        StopConditions stop = spec.StopConditions;
        Assert.Equal(TimeSpan.FromSeconds(30), stop.MaxOutage);
        Assert.Equal(new ErrorRateStop(0.5, TimeSpan.FromSeconds(10)), stop.MaxErrorRate);
        Assert.Equal(new LatencyStop(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)), stop.MaxP99);
        Assert.Equal(["sh", "-c", "test ! -e STOP"], stop.Command!.Command.AsEnumerable());
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)), (stop.Command.Interval, stop.Command.Timeout));
    }

    [Fact]
    public void Parse_CommandAsASequence_TakesTheDefaults()
    {
        DrillSpec spec = AssertValid(Minimal + "\nstop_conditions: { command: [./check.sh, web], max_error_rate: { rate: 0.25, window: 1s } }");

        Assert.Equal(["./check.sh", "web"], spec.StopConditions.Command!.Command.AsEnumerable());
        Assert.Equal((CommandStop.DefaultInterval, CommandStop.DefaultTimeout), (spec.StopConditions.Command.Interval, spec.StopConditions.Command.Timeout));
        Assert.Equal(new ErrorRateStop(0.25, TimeSpan.FromSeconds(1)), spec.StopConditions.MaxErrorRate);
        Assert.Null(spec.StopConditions.MaxOutage);
    }

    [Fact]
    public void Parse_ErrorRateOfAHundredPercent_WouldNeverStop() => AssertErrors(
        Minimal + "\nstop_conditions: { max_error_rate: { rate: 100%, window: 10s } }",
        "drill.yaml:5:44 stop_conditions.max_error_rate.rate: must be below 100%: no error rate is above it, so the drill would never stop");

    [Fact]
    public void Parse_ErrorRateAsABarePercentage_SaysFractionOrPercent() => AssertErrors(
        Minimal + "\nstop_conditions: { max_error_rate: { rate: 50, window: 10s } }",
        "drill.yaml:5:44 stop_conditions.max_error_rate.rate: must be from 0 to 1 (or 0% to 100%), got 50");

    [Fact]
    public void Parse_StopWindowsWithoutWindowOrLimit_NameWhatIsMissing() => AssertErrors(
        Minimal + "\nstop_conditions:\n  max_error_rate: { rate: 5% }\n  max_p99: { window: 0 }",
        "drill.yaml:6:19 stop_conditions.max_error_rate.window: required: the sliding window the figure is taken over, e.g. window: 10s",
        "drill.yaml:7:12 stop_conditions.max_p99.latency: required: the p99 latency that aborts, e.g. latency: 2s",
        "drill.yaml:7:22 stop_conditions.max_p99.window: must be > 0 (got 0)");

    [Fact]
    public void Parse_P99InWords_AsksForADuration() => AssertErrors(
        Minimal + "\nstop_conditions: { max_p99: { latency: slow, window: 10s } }",
        "drill.yaml:5:40 stop_conditions.max_p99.latency: expected a duration such as 200ms, 5s, 2m or 1h, got 'slow'");

    [Fact]
    public void Parse_CommandAsAShellLine_AsksForASequence() => AssertErrors(
        Minimal + "\nstop_conditions: { command: \"test ! -e STOP\" }",
        "drill.yaml:5:29 stop_conditions.command: expected a command as a sequence of strings, e.g. [systemctl, restart, web], or { run: [...], interval: 1s, timeout: 5s }, got 'test ! -e STOP'");

    [Fact]
    public void Parse_CommandMappingWithoutRun_AndAZeroInterval() => AssertErrors(
        Minimal + "\nstop_conditions: { command: { interval: 0, cmd: [true] } }",
        "drill.yaml:5:29 stop_conditions.command.run: required: a command as a sequence of strings, e.g. [systemctl, restart, web]",
        "drill.yaml:5:41 stop_conditions.command.interval: must be > 0 (got 0)",
        "drill.yaml:5:44 stop_conditions.command.cmd: unknown key (accepted: run, interval, timeout)");
}
