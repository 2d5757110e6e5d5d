using System.CommandLine;
using Understudy.Drills.Reports;

namespace Understudy.Cli;

/// <summary><c>report DIR --format md|html|json</c>: re-renders one file of a drill report folder from report.json and samples.csv.</summary>
internal static class DrillReportCommand
{
    private static readonly Dictionary<string, ReportFile> Formats = new(StringComparer.OrdinalIgnoreCase)
    {
        ["md"] = ReportFile.Markdown,
        ["html"] = ReportFile.Html,
        ["json"] = ReportFile.Json,
    };

    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("DIR") { Description = "a drill report folder, e.g. artifacts/failover-tests/2026-11-22-web-primary-crash" };
        // Checked in the action rather than by the parser, so that a missing or unknown format exits 2 like
        // every other bad input of ours (the parser's own errors exit 1).
        var format = new Option<string?>("--format", "-f") { Description = "which file to re-render: md (report.md), html (report.html) or json (report.json)" };
        var cmd = new Command("report", "Re-render report.md, report.html or report.json in a drill report folder from its report.json and samples.csv, and print its path.") { dir, format };
        cmd.SetAction(async (parse, ct) =>
        {
            // The invocation's writers are the console unless a caller (a test) passes its own.
            TextWriter stdout = parse.InvocationConfiguration.Output, stderr = parse.InvocationConfiguration.Error;
            string? name = parse.GetValue(format);
            if (name is null || !Formats.TryGetValue(name, out ReportFile file))
            {
                stderr.WriteLine($"understudy drill report: --format must be md, html or json{(name is null ? "" : $", not '{name}'")}");
                return CliApp.BadInput;
            }
            string folder = parse.GetValue(dir)!.ToString();
            try
            {
                var (report, samples) = await ReportFolder.ReadAsync(folder, ct);
                stdout.WriteLine(await ReportFolder.RenderAsync(folder, file, report, samples, ct));
                return CliApp.Ok;
            }
            catch (ReportException e)
            {
                stderr.WriteLine($"understudy drill report: {e.Message}");
                return CliApp.BadInput;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"understudy drill report: cannot write {ReportFolder.FileName(file)} in {folder}: {e.Message}");
                return CliApp.Failed;
            }
        });
        return cmd;
    }
}
