using System.Text.RegularExpressions;
using Understudy.Core.Drills;
using Understudy.Drills.Reports;
using static Understudy.Tests.Drills.Reports.ReportFixture;

namespace Understudy.Tests.Drills.Reports;

public class HtmlReportTests
{
    private static string Render(DrillReport? r = null, List<(string, ProbeSample)>? samples = null) =>
        HtmlReport.Render(r ?? Report(), samples ?? Samples());

    private static string Svg(string html) => Regex.Match(html, "<svg id=\"timeline\".*?</svg>", RegexOptions.Singleline).Value;

    [Fact]
    public void Render_IsSelfContained_NoScriptNoExternalReference()
    {
        string html = Render();

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        // URLs appear only as text (the probe targets, the controller, the drill file), never inside a tag.
        Assert.Contains("http://127.0.0.1:9000/", html);
        Assert.DoesNotMatch(new Regex("<[^<>]*https?:", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("<link", html);
        Assert.Contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", html);
        Assert.Contains("Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"", html);
    }

    [Fact]
    public void Render_HasTheMarkdownSectionsAsHtml_AndTheTimelineAfterTheSummary()
    {
        string html = Render();

        int summary = html.IndexOf(">Summary</h2>", StringComparison.Ordinal);
        int chart = html.IndexOf("<svg id=\"timeline\"", StringComparison.Ordinal);
        int configuration = html.IndexOf(">Configuration</h2>", StringComparison.Ordinal);
        Assert.True(summary > 0 && chart > summary && configuration > chart, $"{summary} < {chart} < {configuration}");
        foreach (string h in MarkdownReportTests.Headings.Skip(1))
            Assert.Contains($">{h.TrimStart('#', ' ').Replace("&", "&amp;")}</h", html);
        Assert.Contains("<table>", html);
        Assert.Contains("exit 1: web-a | still<br>starting", html);
        Assert.Contains("<code class=\"language-yaml\">name: web primary crash", html);
    }

    [Fact]
    public void Timeline_HasOneLanePerProbe()
    {
        string svg = Svg(Render());

        var lanes = Regex.Matches(svg, "<g class=\"probe\" data-probe=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["web", "orders-write"], lanes);
    }

    [Fact]
    public void Timeline_MarksFaultRecoveryAndEachControllerEvent()
    {
        string svg = Svg(Render());

        // 10 s of a 60 s run across the 794 px plot that starts at x = 150.
        Assert.Matches("<g class=\"marker\" data-marker=\"fault\"><title>fault injected at 12:00:10.000 \\(\\+10000 ms\\): kill_process member web-a \\(SIGKILL\\)</title><path d=\"M282.3 ", svg);
        Assert.Single(Regex.Matches(svg, "data-marker=\"recovered\""));
        Assert.Equal(5, Regex.Matches(svg, "data-marker=\"event\"").Count);
        Assert.Contains(">failover.started<title>", svg);
        Assert.Contains("<title>alert.raised at 12:00:11.850 (+11850 ms), epoch 2, by controller: web failed over to web-b</title>", svg);
    }

    [Fact]
    public void Timeline_DrawsEveryAttemptByOutcome_WithAxisAndLegend()
    {
        string svg = Svg(Render());

        string web = Regex.Match(svg, "<g class=\"probe\" data-probe=\"web\".*?</g>", RegexOptions.Singleline).Value;
        Assert.Equal(600, Regex.Matches(web, "v12").Count);
        Assert.Contains("<path class=\"refused\"", web);
        Assert.Contains("<path class=\"timeout\"", web);
        Assert.Contains("<path class=\"latency\"", web);
        Assert.Contains(">30 s</text>", svg);
        Assert.Contains("<g class=\"legend\">", svg);
        Assert.Contains(">http_status</text>", svg);
    }

    [Fact]
    public void Timeline_ManyAttempts_AreBinnedSoThePageStaysSmall()
    {
        string html = Render(samples: Samples(perProbe: 20_000));

        string web = Regex.Match(Svg(html), "<g class=\"probe\" data-probe=\"web\".*?</g>", RegexOptions.Singleline).Value;
        int marks = Regex.Matches(web, "v12").Count;
        Assert.InRange(marks, 300, 800 / 2 + 1);
        Assert.Contains("<path class=\"refused\"", web);
        Assert.True(html.Length < 200_000, $"{html.Length} characters");
    }

    [Fact]
    public void Render_HostileReportData_StaysText()
    {
        DrillReport r = Report() with
        {
            Name = "<script>alert(1)</script>",
            Issues = ["[click](https://evil.example/x)", "<img src=https://evil.example/i.png>", "<https://evil.example/auto>"],
            Probes = [Report().Probes[0] with { Name = "a\"><script>" }],
        };

        string html = Render(r, [("a\"><script>", new ProbeSample(0, At(0), At(1), true, ErrorKind.None))]);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<a ", html);
        Assert.DoesNotMatch(new Regex("<[^<>]*https?:", RegexOptions.IgnoreCase), html);
        Assert.Contains("data-probe=\"a&quot;&gt;&lt;script&gt;\"", html);
    }

    [Fact]
    public void Render_NoFaultNoSamples_StillDrawsTheLanes()
    {
        DrillReport r = Report() with { FaultAt = null, RecoveredAt = null, Events = [], Verdict = Verdict.Aborted, AbortReason = "steady state failed" };

        string svg = Svg(Render(r, []));

        Assert.Equal(2, Regex.Matches(svg, "<g class=\"probe\"").Count);
        Assert.Contains("no attempts recorded", svg);
        Assert.DoesNotContain("data-marker", svg);
    }

    [Fact]
    public void Render_ProbeWithAResolver_ShowsItsDnsTail()
    {
        string html = Render(ReportWithDnsTail());

        Assert.Contains("DNS tail (db-by-name): clients resolving through 127.0.0.1:5353 kept reaching the old address 127.0.0.1 for 3.2 s after traffic.switched (156 attempts", html);
    }

    [Fact]
    public void Timeline_ProbeWithADnsTail_DrawsABandOverItsLaneFromTheSwitchLabelledWithItsLength()
    {
        string svg = Svg(Render(ReportWithDnsTail()));

        // From traffic.switched (11.845 s) to the last attempt at the old address (15.045 s) of a 60 s run across 794 px from x = 150,
        // in the third lane.
        Match tail = Assert.Single(Regex.Matches(svg, "<g class=\"dns-tail\" data-probe=\"db-by-name\".*?</g>"));
        Assert.Contains("<rect x=\"306.7\" y=\"234\" width=\"42.3\" height=\"74\"", tail.Value);
        Assert.Contains(">DNS tail 3.2 s</text>", tail.Value);
        Assert.Contains("<title>db-by-name: clients resolving through 127.0.0.1:5353 reached the old address 127.0.0.1 until 12:00:15.045, 3.2 s after traffic.switched (156 attempts)</title>", tail.Value);
        Assert.Contains("DNS tail: old address still reached", svg);
    }

    [Fact]
    public void Timeline_NoDnsTail_DrawsNoBand()
    {
        string svg = Svg(Render());

        Assert.DoesNotContain("dns-tail", svg);
        Assert.DoesNotContain("DNS tail", svg);
    }
}
