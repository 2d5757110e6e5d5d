using Understudy.Core.Drills;
using Understudy.Drills.Reports;
using static Understudy.Tests.Drills.Reports.ReportFixture;

namespace Understudy.Tests.Drills.Reports;

public sealed class ReportIndexTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "understudy-index-" + Guid.NewGuid().ToString("N"));
    private readonly ReportIndex _index;

    public ReportIndexTests()
    {
        Directory.CreateDirectory(_root);
        _index = new ReportIndex(_root);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A report folder with a real report.json (and report.html), last written at <paramref name="written"/>.</summary>
    private string Folder(string name, DateTimeOffset started, Verdict verdict = Verdict.Passed, double? rtoMs = 1200, DateTime? written = null)
    {
        string folder = Path.Combine(_root, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "report.json"), ReportJson.Write(Report() with { Name = name, StartedAt = started, Verdict = verdict, RtoMs = rtoMs }));
        File.WriteAllText(Path.Combine(folder, "report.html"), "<!DOCTYPE html>");
        Directory.SetLastWriteTimeUtc(folder, written ?? started.UtcDateTime);
        return folder;
    }

    private string Broken(string name, string? json)
    {
        string folder = Path.Combine(_root, name);
        Directory.CreateDirectory(folder);
        if (json is not null) File.WriteAllText(Path.Combine(folder, "report.json"), json);
        return folder;
    }

    [Fact]
    public void List_ReportFolders_NewestStartFirstWithVerdictAndRto()
    {
        // Written in the opposite order to their starts: the list follows started_at, not the file system.
        Folder("2026-11-20-a", Start.AddDays(-2), Verdict.Passed, 800, written: Start.UtcDateTime.AddHours(2));
        Folder("2026-11-22-b", Start, Verdict.Failed, null, written: Start.UtcDateTime.AddHours(1));
        Folder("2026-11-21-c", Start.AddDays(-1), Verdict.Aborted, 5000, written: Start.UtcDateTime);

        DrillListingPage page = _index.List();

        Assert.Equal(3, page.Total);
        Assert.Equal(
            [("2026-11-22-b", "failed", (double?)null), ("2026-11-21-c", "aborted", 5000), ("2026-11-20-a", "passed", 800)],
            page.Drills.Select(d => (d.Folder, d.Verdict, d.RtoMs)));
        DrillListing b = page.Drills[0];
        Assert.Equal(("2026-11-22-b", Start), (b.Name, b.StartedAt));
        Assert.Equal(["report.html", "report.json"], b.Files.Order());
        Assert.Null(b.Problem);
    }

    [Fact]
    public void List_UnreadableFolders_ListedAsUnreadableSayingWhy()
    {
        Broken("no-json", null);
        Broken("bad-json", "{ not json");
        Broken("bad-verdict", """{ "verdict": "great", "started_at": "2026-11-22T12:00:00Z" }""");
        Broken("no-start", """{ "verdict": "passed" }""");
        Broken("array", "[]");

        var problems = _index.List().Drills.ToDictionary(d => d.Folder, d => (d.Verdict, d.Problem));

        Assert.All(problems.Values, p => Assert.Equal(ReportIndex.Unreadable, p.Verdict));
        Assert.Equal("no report.json (a drill still writing it, or not a report folder)", problems["no-json"].Problem);
        Assert.StartsWith("report.json: ", problems["bad-json"].Problem);
        Assert.Equal("report.json: verdict: expected one of passed, failed, aborted", problems["bad-verdict"].Problem);
        Assert.Equal("report.json: started_at: expected an ISO 8601 time", problems["no-start"].Problem);
        Assert.Equal("report.json: expected a JSON object", problems["array"].Problem);
    }

    [Fact]
    public void List_MoreFoldersThanTheBound_ReadsOnlyTheNewestAndCountsAll()
    {
        for (int day = 1; day <= 5; day++) Folder($"2026-11-0{day}-drill", Start.AddDays(day - 30));

        DrillListingPage page = _index.List(max: 2);

        Assert.Equal(5, page.Total);
        Assert.Equal(["2026-11-05-drill", "2026-11-04-drill"], page.Drills.Select(d => d.Folder));
    }

    [Fact]
    public void List_ReportJsonRewritten_ReadsItAgain()
    {
        string folder = Folder("2026-11-22-web", Start, Verdict.Aborted);
        Assert.Equal("aborted", Assert.Single(_index.List().Drills).Verdict);

        File.WriteAllText(Path.Combine(folder, "report.json"), ReportJson.Write(Report() with { StartedAt = Start, Verdict = Verdict.Passed }));

        Assert.Equal("passed", Assert.Single(_index.List().Drills).Verdict);
    }

    [Fact]
    public void List_MissingRootOrHiddenAndLinkedFolders_AreNotListed()
    {
        Assert.Empty(new ReportIndex(Path.Combine(_root, "nothing-here")).List().Drills);
        string hidden = Folder(".hidden", Start);
        Directory.CreateSymbolicLink(Path.Combine(_root, "linked"), hidden);

        Assert.Equal(0, _index.List().Total);
    }

    [Fact]
    public void Find_ReportFileOfAFolderDirectlyUnderTheRoot_IsFoundWithItsKind()
    {
        string folder = Folder("2026-11-22-web", Start);

        Assert.Equal((Path.Combine(folder, "report.html"), ReportFile.Html), _index.Find("2026-11-22-web", "report.html"));
        Assert.Equal((Path.Combine(folder, "report.json"), ReportFile.Json), _index.Find("2026-11-22-web", "report.json"));
    }

    [Theory]
    [InlineData("..", "report.json")]
    [InlineData(".", "report.json")]
    [InlineData("", "report.json")]
    [InlineData("../2026-11-22-web", "report.json")]
    [InlineData("2026-11-22-web/..", "report.json")]
    [InlineData("..\\2026-11-22-web", "report.json")]
    [InlineData("/etc", "report.json")]
    [InlineData(".hidden", "report.json")]
    [InlineData("2026-11-23-missing", "report.json")]
    [InlineData("2026-11-22-web", "report.md")]
    [InlineData("2026-11-22-web", "REPORT.HTML")]
    [InlineData("2026-11-22-web", "../report.json")]
    [InlineData("2026-11-22-web", "notes.txt")]
    [InlineData("linked", "report.json")]
    [InlineData("2026-11-22-web", "samples.csv")]
    public void Find_AnythingButAReportFileOfAPlainFolder_IsNull(string folder, string file)
    {
        Folder("2026-11-22-web", Start);
        Folder(".hidden", Start);
        File.WriteAllText(Path.Combine(_root, "2026-11-22-web", "notes.txt"), "not a report file");
        Directory.CreateSymbolicLink(Path.Combine(_root, "linked"), Path.Combine(_root, ".hidden"));
        // A link inside a real folder could point at any file on the machine.
        File.CreateSymbolicLink(Path.Combine(_root, "2026-11-22-web", "samples.csv"), Path.Combine(_root, ".hidden", "report.json"));

        Assert.Null(_index.Find(folder, file));
    }
}
