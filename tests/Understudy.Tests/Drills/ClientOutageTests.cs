using Understudy.Core.Drills;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Drills;

public class ClientOutageTests
{
    private static ProbeSample S(int ms, int latencyMs, bool ok) =>
        new(ms, T0.AddMilliseconds(ms), T0.AddMilliseconds(ms + latencyMs), ok, ok ? ErrorKind.None : ErrorKind.Refused);

    private static readonly TimeSpan Stable = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Measure_NothingFailed_RtoZeroRecoveryIsTheHeldAttempt()
    {
        var samples = new[] { S(0, 5, true), S(20, 900, true), S(40, 880, true), S(960, 5, true) };

        var o = ClientOutage.Measure(samples, T0.AddMilliseconds(10), Stable);

        Assert.Equal(TimeSpan.Zero, o.Rto);
        Assert.Equal(TimeSpan.FromMilliseconds(910), o.Recovery);
        Assert.Equal(TimeSpan.FromMilliseconds(900), o.MaxLatency);
        Assert.Equal(0, o.Failed);
    }

    [Fact]
    public void Measure_FailuresThenSustainedRun_RtoEndsAtFirstSuccessOfTheRun()
    {
        // A lone success at 60 ms does not start the sustained run: 80 fails again.
        var samples = new[] { S(0, 1, true), S(20, 1, false), S(40, 1, false), S(60, 1, true), S(80, 1, false),
                              S(100, 3, true), S(120, 1, true), S(140, 1, true), S(160, 1, true), S(200, 1, true) };

        var o = ClientOutage.Measure(samples, T0.AddMilliseconds(10), Stable);

        Assert.Equal(TimeSpan.FromMilliseconds(83), o.Rto);
        Assert.Equal(TimeSpan.FromMilliseconds(51), o.Recovery);
        Assert.Equal(3, o.Failed);
        Assert.Equal(T0.AddMilliseconds(20), o.FirstFailure);
    }

    [Fact]
    public void Measure_NeverStable_RtoAndRecoveryNull()
    {
        var o = ClientOutage.Measure([S(0, 1, true), S(20, 1, false), S(40, 1, false)], T0.AddMilliseconds(10), Stable);
        Assert.Null(o.Rto);
        Assert.Null(o.Recovery);
    }
}
