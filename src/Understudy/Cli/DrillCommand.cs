using System.CommandLine;
using Spectre.Console;
using Understudy.Core.Drills;
using Understudy.Drills;
using Understudy.Drills.Reports;
using Understudy.Drills.Scheduling;

namespace Understudy.Cli;

/// <summary>
/// <c>drill run FILE</c>, <c>drill run-all DIR</c>, <c>drill validate FILE</c>, <c>drill report DIR</c>, <c>drill history</c>,
/// <c>drill import</c> and <c>drill schedule</c>. Run exits 0 passed, 1 failed, 3 aborted, 2 bad input, 4 not started
/// (the linked controller's pre-flight or drill lock refused it).
/// </summary>
internal static class DrillCommand
{
    public const int Aborted = 3;
    public const int NotStarted = 4;
    public const string DefaultOut = "artifacts/failover-tests";

    public static Command Create()
    {
        var drill = new Command("drill", "Break something on purpose, measure what clients saw, write the failover test report.");
        drill.Subcommands.Add(Run());
        drill.Subcommands.Add(DrillRunAllCommand.Create());
        drill.Subcommands.Add(DrillValidateCommand.Create());
        drill.Subcommands.Add(DrillApprovalCommands.Request());
        drill.Subcommands.Add(DrillReportCommand.Create());
        drill.Subcommands.Add(DrillHistoryCommand.Create());
        drill.Subcommands.Add(DrillImportCommand.Create());
        drill.Subcommands.Add(DrillScheduleCommand.Create());
        return drill;
    }

    private static Command Run()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "the drill file (YAML)" };
        var output = new Option<string>("--out", "-o") { Description = "folder under which the report folder is made", DefaultValueFactory = _ => DefaultOut };
        var confirm = new Option<bool>("--confirm-production") { Description = "allow a drill whose environment is production" };
        var dryRun = new Option<bool>("--dry-run") { Description = "print what the drill would do and touch nothing: no probes, no controller, no report" };
        var cmd = new Command("run", "Run a drill and write report.md, report.html, report.json and samples.csv (--dry-run: only print its plan).") { file, output, confirm, dryRun };
        cmd.SetAction(async (parse, ct) =>
        {
            FileInfo path = parse.GetValue(file)!;
            TextWriter stderr = parse.InvocationConfiguration.Error;
            if (LoadOrReport(path, stderr) is not { } spec) return CliApp.BadInput;
            if (spec.Environment == DrillEnvironment.Production && !parse.GetValue(confirm))
            {
                stderr.WriteLine($"{path}: environment is production; run it with --confirm-production if you mean it");
                return CliApp.BadInput;
            }
            if (TrustOrReport(stderr, "drill run") is not { } trust) return CliApp.BadInput;
            if (parse.GetValue(dryRun))
            {
                DrillPlanPrinter.Write(parse.InvocationConfiguration.Output, spec);
                return CliApp.Ok;
            }
            // The two-person rule, checked (and the approval used) only when the drill is about to run for real.
            if (spec.Environment == DrillEnvironment.Production && spec.Controller is not null
                && !await DrillApprovalCommands.AuthorizeAsync(spec, path, trust, stderr, ct))
                return CliApp.BadInput;
            return (await RunAsync(spec, parse.GetValue(output)!, trust, ct)).Exit;
        });
        return cmd;
    }

    /// <summary>Loads a drill file, or prints every error in it and a count to <paramref name="stderr"/> and returns null.</summary>
    public static DrillSpec? LoadOrReport(FileInfo path, TextWriter stderr)
    {
        DrillResult loaded = DrillLoader.Load(path.ToString());
        if (loaded.Ok) return loaded.Spec;
        CommonOptions.WriteErrors(stderr, path, loaded.Errors);
        return null;
    }

    /// <summary>An https:// controller with a certificate of its own: a drill trusts UNDERSTUDY_CACERT, as the CLI does. Null (and said) when it is unusable.</summary>
    public static Api.ApiTrust? TrustOrReport(TextWriter stderr, string command)
    {
        string? caCert = Environment.GetEnvironmentVariable(ApiClient.CaCertVariable) is { Length: > 0 } v ? v : null;
        if (Api.ApiTrust.Read(caCert is null ? [] : [caCert], out string untrusted) is { } trust) return trust;
        stderr.WriteLine($"understudy {command}: {ApiClient.CaCertVariable}: {untrusted}");
        return null;
    }

    /// <summary>What one drill run ended with: its exit code, its report (null when it did not start), and the report's folder (null when it could not be written).</summary>
    public sealed record Outcome(int Exit, DrillReport? Report, string? Folder);

    public static async Task<Outcome> RunAsync(DrillSpec spec, string outDir, Api.ApiTrust trust, CancellationToken ct)
    {
        IAnsiConsole console = AnsiConsole.Console;
        console.Write(new Rule($"[bold]drill: {Markup.Escape(spec.Name)}[/]").LeftJustified());
        using ControllerClient? controller = spec.Controller is { } url ? new ControllerClient(url, spec.Service!, trust) : null;
        DrillLockLease? lease = null;
        try
        {
            if (controller is not null)
                lease = await DrillLockLease.TakeAsync(controller, spec.Name, spec.SourcePath, Environment.GetEnvironmentVariable(DrillLauncher.LockVariable), ct);
        }
        catch (DrillException e)
        {
            Console.Error.WriteLine($"understudy drill run: not started: {e.Message}");
            return new Outcome(NotStarted, null, null);
        }
        await using (lease) return await RunLockedAsync(console, spec, controller, outDir, ct);
    }

    private static async Task<Outcome> RunLockedAsync(IAnsiConsole console, DrillSpec spec, ControllerClient? controller, string outDir, CancellationToken ct)
    {
        var ctx = new DrillContext(spec, controller, new ConsoleDrillObserver(console), TimeProvider.System, Console.In);
        DrillRecord record = await new DrillRunner(ctx).RunAsync(ct);
        DrillReport report = ReportAssembly.Build(record);
        var samples = record.Probes.SelectMany(p => p.Samples.Select(s => (p.Spec.Name, s))).ToList();
        string? folder = null, notWritten = null;
        try
        {
            folder = ReportFolder.Create(outDir, spec.Name, report.StartedAt);
            await ReportFolder.WriteAsync(folder, report, samples, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ReportException)
        {
            notWritten = e.Message;
        }
        if (controller is not null) await ReportVerdictAsync(console, controller, report, notWritten is null ? folder : null);
        if (notWritten is not null)
        {
            Console.Error.WriteLine($"understudy drill run: the drill ran ({report.Verdict.ToString().ToLowerInvariant()}) but its report could not be written under {outDir}: {notWritten}");
            return new Outcome(CliApp.Failed, report, null);
        }
        DrillSummary.Write(console, report, folder!);
        return new Outcome(report.Verdict switch { Verdict.Passed => CliApp.Ok, Verdict.Failed => CliApp.Failed, _ => Aborted }, report, folder);
    }

    /// <summary>Best effort: the drill's result does not depend on the controller hearing it, so a failure is only a warning.</summary>
    private static async Task ReportVerdictAsync(IAnsiConsole console, ControllerClient controller, DrillReport report, string? folder)
    {
        try
        {
            await controller.ReportVerdictAsync(report, folder is null ? null : Path.GetFullPath(Path.Combine(folder, "report.md")), CancellationToken.None);
        }
        catch (DrillException e)
        {
            console.MarkupLine($"[yellow]warning: the controller was not told the verdict: {Markup.Escape(e.Message)}[/]");
        }
    }
}
