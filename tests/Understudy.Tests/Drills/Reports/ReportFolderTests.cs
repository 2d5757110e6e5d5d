using Understudy.Drills.Reports;
using static Understudy.Tests.Drills.Reports.ReportFixture;

namespace Understudy.Tests.Drills.Reports;

public sealed class ReportFolderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "understudy-reports-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Theory]
    [InlineData("Web primary crash", "web-primary-crash")]
    [InlineData("  orders-db: kill PRIMARY (SIGKILL)!! ", "orders-db-kill-primary-sigkill")]
    [InlineData("web__a//b", "web-a-b")]
    [InlineData("Ünïcode café", "n-code-caf")]
    [InlineData("---", "drill")]
    public void Slug_LowercaseOtherCharactersBecomeOneDash_Trimmed(string name, string slug)
    {
        Assert.Equal(slug, ReportFolder.Slug(name));
    }

    [Fact]
    public void Create_NamesByUtcDateAndSlug_ThenCountsUpWhenTaken()
    {
        var date = new DateTimeOffset(2026, 11, 22, 23, 30, 0, TimeSpan.FromHours(-2));
        string parent = Path.Combine(_root, "artifacts", "failover-tests");

        string first = ReportFolder.Create(parent, "Web primary crash", date);
        string second = ReportFolder.Create(parent, "Web primary crash", date);
        File.WriteAllText(Path.Combine(parent, "2026-11-23-web-primary-crash-3"), "a file takes the name too");
        string fourth = ReportFolder.Create(parent, "Web primary crash", date);

        Assert.Equal(Path.Combine(parent, "2026-11-23-web-primary-crash"), first);
        Assert.Equal(first + "-2", second);
        Assert.Equal(first + "-4", fourth);
        Assert.True(Directory.Exists(first) && Directory.Exists(second) && Directory.Exists(fourth));
    }

    [Fact]
    public async Task WriteAsync_WritesFourFilesAndNoTemporaries_ReadAsyncGivesThemBack()
    {
        string folder = ReportFolder.Create(_root, "Web primary crash", Start);
        var samples = Samples();

        await ReportFolder.WriteAsync(folder, Report(), samples);
        var (report, back) = await ReportFolder.ReadAsync(folder);

        Assert.Equal(["report.html", "report.json", "report.md", "samples.csv"], Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        ReportAssert.Equal(Report(), report);
        ReportAssert.Equal(samples, back);
        Assert.Equal(MarkdownReport.Render(Report()), await File.ReadAllTextAsync(Path.Combine(folder, "report.md")));
    }

    [Fact]
    public async Task RenderAsync_ReplacesOneFileWhole()
    {
        string folder = ReportFolder.Create(_root, "x", Start);
        await ReportFolder.WriteAsync(folder, Report(), Samples());
        await File.WriteAllTextAsync(Path.Combine(folder, "report.md"), "edited by hand, and much longer than nothing at all " + new string('x', 100_000));

        string path = await ReportFolder.RenderAsync(folder, ReportFile.Markdown, Report(), Samples());

        Assert.Equal(Path.Combine(folder, "report.md"), path);
        Assert.Equal(MarkdownReport.Render(Report()), await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task ReadAsync_MissingFolder_SaysItDoesNotExist()
    {
        string missing = Path.Combine(_root, "nope");

        var e = await Assert.ThrowsAsync<ReportException>(() => ReportFolder.ReadAsync(missing));

        Assert.Equal($"{missing} does not exist", e.Message);
    }

    [Fact]
    public async Task ReadAsync_FolderWithoutReportJson_AsksIfItIsAReportFolder()
    {
        Directory.CreateDirectory(_root);

        var e = await Assert.ThrowsAsync<ReportException>(() => ReportFolder.ReadAsync(_root));

        Assert.Equal($"{_root} has no report.json: is it a drill report folder?", e.Message);
    }

    [Fact]
    public async Task ReadAsync_WithoutSamples_SaysSo()
    {
        string folder = ReportFolder.Create(_root, "x", Start);
        await ReportFolder.WriteAsync(folder, Report(), Samples());
        File.Delete(Path.Combine(folder, "samples.csv"));

        var e = await Assert.ThrowsAsync<ReportException>(() => ReportFolder.ReadAsync(folder));

        Assert.Contains("has report.json but no samples.csv", e.Message);
    }

    [Fact]
    public async Task ReadAsync_MalformedJson_NamesTheFileAndLine()
    {
        string folder = ReportFolder.Create(_root, "x", Start);
        await ReportFolder.WriteAsync(folder, Report(), Samples());
        string json = Path.Combine(folder, "report.json");
        await File.WriteAllTextAsync(json, (await File.ReadAllTextAsync(json)).Replace("\"verdict\": \"failed\"", "\"verdict\": \"maybe\""));

        var e = await Assert.ThrowsAsync<ReportException>(() => ReportFolder.ReadAsync(folder));

        Assert.StartsWith($"{json}: not a valid report at $.verdict (line ", e.Message);
    }

    [Fact]
    public async Task ReadAsync_MalformedCsv_NamesTheFileAndLine()
    {
        string folder = ReportFolder.Create(_root, "x", Start);
        await ReportFolder.WriteAsync(folder, Report(), Samples());
        string csv = Path.Combine(folder, "samples.csv");
        // Line numbers are physical lines: some details span two, inside their quotes.
        int next = (await File.ReadAllTextAsync(csv)).Count(c => c == '\n') + 1;
        await File.AppendAllTextAsync(csv, "web,1,2\r\n");

        var e = await Assert.ThrowsAsync<ReportException>(() => ReportFolder.ReadAsync(folder));

        Assert.True(next > 1202, "the fixture has multi-line details");
        Assert.Equal($"{csv} line {next}: expected 10 fields, got 3", e.Message);
    }
}
