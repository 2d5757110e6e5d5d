using Understudy.Config;

namespace Understudy.Tests.Config;

public class DurationsTests
{
    [Theory]
    [InlineData("150ms", 150)]
    [InlineData("2s", 2_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("0.25ms", 0.25)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("0ms", 0)]
    [InlineData(" 5s ", 5_000)]
    public void TryParse_NumberWithUnit_GivesDuration(string text, double milliseconds)
    {
        Assert.True(Durations.TryParse(text, out TimeSpan value, out string whyNot), whyNot);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
        Assert.Equal("", whyNot);
    }

    [Theory]
    [InlineData("5", "'5' has no unit; use ms, s, m or h, e.g. 5s")]
    [InlineData("1.5", "'1.5' has no unit; use ms, s, m or h, e.g. 1.5s")]
    [InlineData("-5s", "a duration cannot be negative (got '-5s'); use ms, s, m or h")]
    [InlineData("-0", "a duration cannot be negative (got '-0'); use ms, s, m or h")]
    [InlineData("5d", "unknown unit 'd' in '5d'; use ms, s, m or h")]
    [InlineData("5S", "unknown unit 'S' in '5S'; use ms, s, m or h")]
    [InlineData("5sec", "unknown unit 'sec' in '5sec'; use ms, s, m or h")]
    [InlineData("5 s", "expected a duration such as 200ms, 5s, 2m or 1h, got '5 s'")]
    [InlineData("1m30s", "expected a duration such as 200ms, 5s, 2m or 1h, got '1m30s'")]
    [InlineData("fast", "expected a duration such as 200ms, 5s, 2m or 1h, got 'fast'")]
    [InlineData(".5s", "expected a duration such as 200ms, 5s, 2m or 1h, got '.5s'")]
    [InlineData("", "expected a duration such as 200ms, 5s, 2m or 1h, got an empty value")]
    [InlineData("99999999999h", "'99999999999h' is too long a duration")]
    public void TryParse_Malformed_SaysWhyAndNamesUnits(string text, string expected)
    {
        Assert.False(Durations.TryParse(text, out TimeSpan value, out string whyNot));
        Assert.Equal(expected, whyNot);
        Assert.Equal(TimeSpan.Zero, value);
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(150, "150ms")]
    [InlineData(1_500, "1500ms")]
    [InlineData(2_000, "2s")]
    [InlineData(120_000, "2m")]
    [InlineData(90_000, "90s")]
    [InlineData(7_200_000, "2h")]
    [InlineData(0.25, "0.25ms")]
    public void Format_Duration_GivesShortestExactSpelling(double milliseconds, string expected) =>
        Assert.Equal(expected, Durations.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData("150ms")]
    [InlineData("1500ms")]
    [InlineData("90s")]
    [InlineData("2h")]
    public void Format_ThenTryParse_RoundTrips(string text)
    {
        Assert.True(Durations.TryParse(text, out TimeSpan value, out _));
        Assert.Equal(text, Durations.Format(value));
    }
}
