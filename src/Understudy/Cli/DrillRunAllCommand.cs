using System.CommandLine;
using Spectre.Console;
using Understudy.Core.Drills;
using Understudy.Drills.Reports;

namespace Understudy.Cli;

/// <summary>
/// <c>drill run-all DIR</c>: the drill files of a folder in file-name order, an escalation ladder (seed 004) that
/// stops at the first drill that does not pass, and one summary report. Every file is loaded before any runs, so a
/// typo in the fourth step is found before the first breaks anything. Exits as the drill it stopped at (1 failed,
/// 3 aborted, 4 not started), 0 when all passed, 2 on bad input.
/// </summary>
internal static class DrillRunAllCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("DIR") { Description = "a folder of drill files (*.yaml, *.yml), run in file-name order" };
        var output = new Option<string>("--out", "-o") { Description = "folder under which each drill's report folder and the summary are written", DefaultValueFactory = _ => DrillCommand.DefaultOut };
        var cmd = new Command("run-all", "Run every drill of a folder in order, stop at the first that does not pass, and write one summary report.") { dir, output };
        cmd.SetAction(async (parse, ct) =>
        {
            TextWriter stderr = parse.InvocationConfiguration.Error;
            DirectoryInfo folder = parse.GetValue(dir)!;
            if (Load(folder, stderr) is not { } drills || DrillCommand.TrustOrReport(stderr, "drill run-all") is not { } trust) return CliApp.BadInput;
            return await RunAsync(folder, drills, parse.GetValue(output)!, trust, ct);
        });
        return cmd;
    }

    /// <summary>Every drill of the folder, or null after printing every error of every file.</summary>
    private static List<(FileInfo File, DrillSpec Spec)>? Load(DirectoryInfo folder, TextWriter stderr)
    {
        if (!folder.Exists)
        {
            stderr.WriteLine($"{folder}: no such folder");
            return null;
        }
        var files = folder.EnumerateFiles().Where(f => f.Extension is ".yaml" or ".yml").OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            stderr.WriteLine($"{folder}: no drill files (*.yaml, *.yml) in it");
            return null;
        }
        var drills = files.Select(f => (File: f, Spec: DrillCommand.LoadOrReport(f, stderr))).ToList();
        if (drills.Any(d => d.Spec is null)) return null;
        // A production drill needs its own confirmation and approval: it is never one step of a batch.
        var production = drills.Where(d => d.Spec!.Environment == DrillEnvironment.Production).Select(d => d.File.Name).ToList();
        if (production.Count > 0)
        {
            stderr.WriteLine($"{folder}: {string.Join(", ", production)}: environment is production; run-all runs staging drills only: run a production drill by itself with drill run --confirm-production");
            return null;
        }
        return [.. drills.Select(d => (d.File, d.Spec!))];
    }

    private static async Task<int> RunAsync(DirectoryInfo folder, List<(FileInfo File, DrillSpec Spec)> drills, string outDir, Api.ApiTrust trust, CancellationToken ct)
    {
        IAnsiConsole console = AnsiConsole.Console;
        DateTimeOffset started = TimeProvider.System.GetUtcNow();
        var entries = new List<RunAllEntry>();
        int exit = CliApp.Ok;
        foreach ((FileInfo file, DrillSpec spec) in drills)
        {
            if (exit != CliApp.Ok)
            {
                entries.Add(new RunAllEntry(file.FullName, spec.Name, RunAllEntry.NotRun));
                continue;
            }
            console.MarkupLine($"[bold]{entries.Count + 1}/{drills.Count}[/] {Markup.Escape(file.Name)}");
            DrillCommand.Outcome outcome = await DrillCommand.RunAsync(spec, outDir, trust, ct);
            entries.Add(outcome.Report is { } report ? RunAllEntry.From(file.FullName, report, outcome.Folder) : new RunAllEntry(file.FullName, spec.Name, RunAllEntry.NotStarted));
            exit = outcome.Exit;
        }
        var summary = new RunAllSummary(folder.FullName, started, TimeProvider.System.GetUtcNow(), entries);
        try
        {
            string path = await summary.WriteAsync(outDir);
            console.MarkupLine($"{(summary.StoppedAt is { } stop ? $"[red]stopped at {Markup.Escape(stop.Name)} ({stop.Verdict})[/]" : "[green]all passed[/]")}; summary: {Markup.Escape(path)}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"understudy drill run-all: the summary could not be written under {outDir}: {e.Message}");
            return exit == CliApp.Ok ? CliApp.Failed : exit;
        }
        return exit;
    }
}
