using Understudy.Cli;
using Understudy.Tests.Testing;
using Understudy.Drills.Reports;
using static Understudy.Tests.Drills.Reports.ReportFixture;

namespace Understudy.Tests.Drills.Reports;

public sealed class DrillReportCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "understudy-report-cmd-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>Runs <c>report ARGS</c> as `understudy drill report` would, with its own output writers.</summary>
    private static Task<(int Exit, string Out, string Err)> Run(params string[] args) => CommandRun.RunAsync(DrillReportCommand.Create(), args);

    private async Task<string> Folder()
    {
        string folder = ReportFolder.Create(_root, "web primary crash", Start);
        await ReportFolder.WriteAsync(folder, Report(), Samples());
        return folder;
    }

    [Theory]
    [InlineData("md", "report.md")]
    [InlineData("html", "report.html")]
    [InlineData("json", "report.json")]
    public async Task Report_Format_RewritesThatFileAndPrintsItsPath(string format, string file)
    {
        string folder = await Folder();
        string path = Path.Combine(folder, file);
        string original = await File.ReadAllTextAsync(path);
        // report.json is re-rendered from itself: make it valid but different (compact) instead of deleting it.
        if (file == "report.json") await File.WriteAllTextAsync(path, System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonDocument.Parse(original).RootElement));
        else File.Delete(path);

        var (exit, stdout, stderr) = await Run(folder, "--format", format);

        Assert.Equal(CliApp.Ok, exit);
        Assert.Equal(path, stdout.Trim());
        Assert.Equal("", stderr);
        Assert.Equal(original, await File.ReadAllTextAsync(path));
    }

    [Theory]
    [InlineData("pdf", "--format must be md, html or json, not 'pdf'")]
    [InlineData(null, "--format must be md, html or json")]
    public async Task Report_BadFormat_ExitsTwoWithOneLine(string? format, string message)
    {
        string folder = await Folder();

        var (exit, stdout, stderr) = await Run(format is null ? [folder] : [folder, "--format", format]);

        Assert.Equal(CliApp.BadInput, exit);
        Assert.Equal("", stdout);
        Assert.Equal($"understudy drill report: {message}", stderr.TrimEnd());
    }

    [Fact]
    public async Task Report_MissingFolder_ExitsTwoWithOneLine()
    {
        string missing = Path.Combine(_root, "no-such-report");

        var (exit, _, stderr) = await Run(missing, "--format", "md");

        Assert.Equal(CliApp.BadInput, exit);
        Assert.Equal($"understudy drill report: {missing} does not exist", stderr.TrimEnd());
    }

    [Fact]
    public async Task Report_NotAReportFolder_ExitsTwoWithOneLine()
    {
        Directory.CreateDirectory(_root);

        var (exit, _, stderr) = await Run(_root, "--format", "md");

        Assert.Equal(CliApp.BadInput, exit);
        Assert.Equal($"understudy drill report: {_root} has no report.json: is it a drill report folder?", stderr.TrimEnd());
    }

    [Fact]
    public async Task Report_MalformedJson_ExitsTwoWithoutAStackTrace()
    {
        string folder = await Folder();
        await File.WriteAllTextAsync(Path.Combine(folder, "report.json"), "{ \"schema_version\": 1, \"name\": ");

        var (exit, _, stderr) = await Run(folder, "--format", "html");

        Assert.Equal(CliApp.BadInput, exit);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains("report.json: not valid JSON at line 1", stderr);
    }
}
