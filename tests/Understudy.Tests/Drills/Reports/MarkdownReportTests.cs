using Understudy.Core.Drills;
using Understudy.Drills.Reports;
using static Understudy.Tests.Drills.Reports.ReportFixture;

namespace Understudy.Tests.Drills.Reports;

public class MarkdownReportTests
{
    public static readonly string[] Headings =
    [
        "# Failover drill: Web primary crash — ❌ failed",
        "## Summary",
        "## Configuration",
        "## Steps: expected vs actual",
        "## Recovery time: measured vs target vs theoretical",
        "### Phase breakdown",
        "## What clients saw",
        "## Latency before / during / after",
        "## Data integrity",
        "## Controller events",
        "## Criteria",
        "## Issues found",
        "## Verdict",
        "## Appendix: drill file",
    ];

    private static string[] Lines(string md) => md.Split('\n');

    [Fact]
    public void Render_Load_UnderLoadSectionWithWhatBrokeFirstTheWindowsAndTheToolsOutput()
    {
        DrillReport r = ReportWithLoad();

        string md = MarkdownReport.Render(r);

        Assert.Contains("## Under load", md);
        Assert.Contains("**What broke first**: browse, +100 ms after the fault (refused: connection refused).", md);
        Assert.Contains("| browse | during | 4.2 | 840 | 150/s | 25 % | 3 ms | 900 ms |", md);
        Assert.Contains("**bench** (`pgbench -T 600`): ran 60 s, stopped with the probes. The last of its output:", md);
        Assert.Contains("tps = 812", md);
        Assert.DoesNotContain("## Under load", MarkdownReport.Render(Report()));
    }

    [Fact]
    public void Render_HasEverySectionInOrder()
    {
        string[] lines = Lines(MarkdownReport.Render(Report()));

        var found = Headings.Select(h => Array.IndexOf(lines, h)).ToList();
        Assert.DoesNotContain(-1, found);
        Assert.Equal(found.Order(), found);
    }

    [Fact]
    public void Render_Summary_ShowsMeasuredTargetAndTheoretical()
    {
        string md = MarkdownReport.Render(Report());

        Assert.Contains("| verdict | ❌ failed |", md);
        Assert.Contains("| RTO (worst probe) | 4206 ms | ≤ 5000 ms (fails above 6000 ms, 20 % tolerance) | 3000 ms |", md);
        Assert.Contains("| recovery time (worst probe) | 4200 ms | ≤ 6000 ms |", md);
        Assert.Contains("| availability | 93.08 % | ≥ 99 % |", md);
        Assert.Contains("| lost acknowledged writes | 3 (window 150 ms) | ≤ 0 |", md);
        Assert.Contains("**Fault injected**: 12:00:10.000 (+10000 ms)", md);
    }

    [Fact]
    public void Render_Steps_HaveUtcTimesAndOffsetsFromTheStart()
    {
        string md = MarkdownReport.Render(Report());

        Assert.Contains("| fault | kill_process member web-a (SIGKILL) | web-a exits | pid 4242 killed | 12:00:10.000 | +10000 ms | 4 ms | ✅ |", md);
    }

    [Fact]
    public void Render_TableCells_EscapePipesAndNewlines()
    {
        string md = MarkdownReport.Render(Report());

        string row = Lines(md).Single(l => l.StartsWith("| rollback |"));
        Assert.Contains("exit 1: web-a \\| still<br>starting", row);
        Assert.Equal(9, row.Replace("\\|", "").Count(c => c == '|'));
    }

    [Fact]
    public void Render_Recovery_ExplainsTheGapAndListsPhases()
    {
        string md = MarkdownReport.Render(Report());

        Assert.Contains("The measured RTO of 4206 ms is 1206 ms over the theoretical 3000 ms (fall × interval + timeout + switch), 40.2 % more", md);
        Assert.Contains("the longest phase was detect (1800 ms)", md);
        Assert.Contains("| switch traffic | 12:00:11.845 | 15 ms | +1845 ms |", md);
    }

    [Fact]
    public void Render_Clients_LatencyAndDataIntegrity_ShowEachProbe()
    {
        string md = MarkdownReport.Render(Report());

        Assert.Contains("| web | http | http://127.0.0.1:9000/ | 600 | 42 | refused: 20, timeout: 22 | 93 % | 4206 ms | 4200 ms | 0 |", md);
        Assert.Contains("| orders-write | during | 0 | — | — | — |", md);
        Assert.Contains("| web | before | 100 | 1.2 ms | 2.5 ms | 3.1 ms |", md);
        Assert.Contains("| orders-write | 559 | 556 | 3 | 12:00:09.800 | 12:00:09.950 | 150 ms |", md);
        Assert.Contains("3 acknowledged writes were missing afterwards", md);
    }

    [Fact]
    public void Render_EventsCriteriaIssuesAndVerdict()
    {
        string md = MarkdownReport.Render(Report());

        Assert.Contains("| 12:00:11.850 | +11850 ms | alert.raised | — | 2 | controller | web failed over to web-b |", md);
        Assert.Contains("| rpo | ❌ | 3 acknowledged writes lost > 0 |", md);
        Assert.Contains("- rollback failed: start-web-a.sh \\| exited 1", md);
        Assert.Contains("**❌ failed**: 2 of 5 criteria failed.", md);
        Assert.Contains("- ❌ availability: 93.08 % < 99 %".Replace("<", "\\<"), md);
    }

    [Fact]
    public void Render_NoWriteProbeNoIssuesNoEvents_SaysSo()
    {
        DrillReport r = Report();
        r = r with { Probes = [r.Probes[0]], LostAcknowledgedWrites = null, Issues = [], Events = [], Phases = [], Verdict = Verdict.Passed };

        string md = MarkdownReport.Render(r);

        Assert.Contains("No write probe: data loss not measured.", md);
        Assert.Contains("| lost acknowledged writes | not measured (no write probe) |", md);
        Assert.Contains("## Issues found\n\nnone\n", md);
        Assert.Contains("No controller events recorded", md);
        Assert.Contains("No phases recorded", md);
    }

    [Fact]
    public void Render_Appendix_HoldsTheDrillFileInAFenceLongerThanAnyInside()
    {
        string md = MarkdownReport.Render(Report());

        int appendix = md.IndexOf("## Appendix: drill file", StringComparison.Ordinal);
        Assert.Contains("````yaml\nname: web primary crash\n", md[appendix..]);
        Assert.EndsWith("must not end the appendix's code block\n````\n", md);
    }

    [Fact]
    public void Render_HeldConnections_ExplainRecoveryTimeInsteadOfRto()
    {
        DrillReport r = Report() with { RtoMs = 0, RecoveryTimeMs = 2500, Theoretical = new TheoreticalRto(3000, "f") };

        string md = MarkdownReport.Render(r);

        Assert.Contains("No attempt failed (the proxy held connections)", md);
        Assert.Contains("The measured recovery time of 2500 ms is 500 ms under the theoretical 3000 ms", md);
    }

    [Theory]
    [InlineData("a | b", "a \\| b")]
    [InlineData("<script>", "\\<script>")]
    [InlineData("[x](http://e)", "\\[x\\](http://e)")]
    [InlineData("# not a heading", "\\# not a heading")]
    [InlineData("1. not a list", "1\\. not a list")]
    [InlineData("http_status and *bold*", "http_status and \\*bold\\*")]
    [InlineData("line1\r\nline2", "line1<br>line2")]
    [InlineData("$5 ^up^ ~sub~ ==hi==", "\\$5 \\^up\\^ \\~sub\\~ \\==hi\\==")]
    public void Text_EscapesWhatMarkdownWouldInterpret(string input, string expected)
    {
        Assert.Equal(expected, Understudy.Drills.Reports.Md.Text(input));
    }

    [Fact]
    public void Render_ProbeWithAResolver_SaysHowLongClientsKeptReachingTheOldAddress()
    {
        string md = MarkdownReport.Render(ReportWithDnsTail());

        Assert.Contains("- DNS tail (db-by-name): clients resolving through 127.0.0.1:5353 kept reaching the old address 127.0.0.1 for 3.2 s "
            + "after traffic.switched (156 attempts, the last at 12:00:15.045).\n", md);
        Assert.Equal(1, md.Split("DNS tail").Length - 1);
        Assert.DoesNotContain("DNS tail", MarkdownReport.Render(Report()));
    }

    [Fact]
    public void Render_DnsTailWithoutOldAddressAttemptsOrSwitch_SaysSo()
    {
        DnsTail none = new("127.0.0.1:5353", "127.0.0.1", DnsTailCalculation.FromFault, At(10_000), null, 0, 0);

        Assert.Equal("DNS tail (db): 0 s: no client resolving through 127.0.0.1:5353 reached the old address 127.0.0.1 after the fault (no traffic.switched in the journal).",
            MarkdownReport.DnsTailText("db", none));
        Assert.StartsWith("DNS tail (db): not measured:", MarkdownReport.DnsTailText("db", none with { OldAddress = null, TailMs = null }));
    }
}
