using Understudy.Metrics;

namespace Understudy.Tests.Metrics;

public class PrometheusTextTests
{
    [Fact]
    public void Family_WritesHelpThenTypeThenSamples()
    {
        var text = new PrometheusText();
        text.Family("understudy_service_epoch", MetricType.Gauge, "The epoch.");
        text.Sample("understudy_service_epoch", [("service", "web")], 2);
        text.Sample("understudy_controller_leader", [], 1);

        Assert.Equal("""
            # HELP understudy_service_epoch The epoch.
            # TYPE understudy_service_epoch gauge
            understudy_service_epoch{service="web"} 2
            understudy_controller_leader 1

            """.Replace("\r\n", "\n"), text.ToString());
    }

    [Fact]
    public void Sample_LabelValueWithBackslashQuoteAndNewline_IsEscaped()
    {
        var text = new PrometheusText();
        text.Sample("m", [("drill", "a\\b \"c\"\nd"), ("service", "web")], 1);
        Assert.Equal("m{drill=\"a\\\\b \\\"c\\\"\\nd\",service=\"web\"} 1\n", text.ToString());
    }

    [Fact]
    public void Family_HelpWithBackslashAndNewline_IsEscapedButQuotesAreNot()
    {
        var text = new PrometheusText();
        text.Family("m", MetricType.Counter, "a \"b\" \\ c\nd");
        Assert.Equal("# HELP m a \"b\" \\\\ c\\nd\n# TYPE m counter\n", text.ToString());
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(1.0, "1")]
    [InlineData(0.005, "0.005")]
    [InlineData(1_764_000_000.25, "1764000000.25")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    public void Number_IsInvariantAndSpellsSpecialValuesAsPrometheusDoes(double value, string expected) =>
        Assert.Equal(expected, PrometheusText.Number(value));

    [Fact]
    public void Histogram_WritesCumulativeBucketsInfSumAndCount()
    {
        var h = new Histogram([0.25, 1]);
        // 0.25 is on a bound: le is "less than or equal"; 3 is above every bound, so only in +Inf.
        foreach (double v in new[] { 0.125, 0.25, 0.5, 3 }) h.Observe(v);
        var text = new PrometheusText();
        text.Histogram("d", [("service", "web")], h.Snapshot());

        Assert.Equal("""
            d_bucket{service="web",le="0.25"} 2
            d_bucket{service="web",le="1"} 3
            d_bucket{service="web",le="+Inf"} 4
            d_sum{service="web"} 3.875
            d_count{service="web"} 4

            """.Replace("\r\n", "\n"), text.ToString());
    }

    [Fact]
    public void HistogramFamily_EnsuredSeries_IsWrittenEmptyAndSeriesComeInLabelOrder()
    {
        var family = new HistogramFamily("d", "Durations.", [1.0], "member");
        family.Observe(0.5, "web-b");
        family.Ensure("web-a");
        var text = new PrometheusText();
        family.WriteTo(text);

        Assert.Equal("""
            # HELP d Durations.
            # TYPE d histogram
            d_bucket{member="web-a",le="1"} 0
            d_bucket{member="web-a",le="+Inf"} 0
            d_sum{member="web-a"} 0
            d_count{member="web-a"} 0
            d_bucket{member="web-b",le="1"} 1
            d_bucket{member="web-b",le="+Inf"} 1
            d_sum{member="web-b"} 0.5
            d_count{member="web-b"} 1

            """.Replace("\r\n", "\n"), text.ToString());
    }

    [Fact]
    public void ValueFamily_WrongNumberOfLabelValues_Throws()
    {
        var family = new ValueFamily("c_total", MetricType.Counter, "C.", "service", "kind");
        Assert.Throws<ArgumentException>(() => family.Add(1, "web"));
    }
}
