using Spectre.Console;
using Understudy.Drills;
using Understudy.Tests.Drills.Reports;

namespace Understudy.Tests.Regressions;

/// <summary>Issue 13, "for a newcomer": the demo (and every drill run) printed the report's path relative to wherever it ran.</summary>
public class ReportPathTests
{
    [Fact]
    public void Summary_RelativeReportFolder_IsPrintedAsAnAbsolutePath()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 500; // one line, however deep the working folder

        DrillSummary.Write(console, ReportFixture.Report(), Path.Combine("artifacts", "failover-tests", "web-primary-crash"));

        string expected = Path.Combine(Directory.GetCurrentDirectory(), "artifacts", "failover-tests", "web-primary-crash", "report.md");
        Assert.Contains($"Report: {expected} (also report.html, report.json, samples.csv)", output.ToString());
    }
}
