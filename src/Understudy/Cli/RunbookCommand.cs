using System.CommandLine;
using Understudy.Runbooks;

namespace Understudy.Cli;

/// <summary><c>runbook SERVICE -c FILE [-o FILE]</c>: the Markdown failover runbook of a service, generated from the config.</summary>
internal static class RunbookCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var service = new Argument<string>("SERVICE") { Description = "the service to write the runbook for" };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "write the runbook to this file instead of printing it" };
        var cmd = new Command("runbook", "Print the Markdown failover runbook of a service from the config: triggers, phases with the exact commands, expected durations, rollback.") { config, service, output };
        cmd.SetAction(async (parse, ct) =>
        {
            // The invocation's writers are the console unless a caller (a test) passes its own.
            TextWriter stdout = parse.InvocationConfiguration.Output, stderr = parse.InvocationConfiguration.Error;
            FileInfo file = parse.GetValue(config)!;
            if (CommonOptions.LoadOrReport(file) is not { } spec) return CliApp.BadInput;
            string name = parse.GetValue(service)!;
            if (spec.Service(name) is not { } s)
            {
                stderr.WriteLine($"understudy runbook: {file} has no service '{name}' (it has {string.Join(", ", spec.Services.Select(x => x.Name))})");
                return CliApp.BadInput;
            }
            string markdown = RunbookWriter.Write(s, spec.Controller, file.ToString());
            if (parse.GetValue(output) is not { } target)
            {
                await stdout.WriteAsync(markdown);
                return CliApp.Ok;
            }
            try
            {
                await File.WriteAllTextAsync(target.FullName, markdown, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"understudy runbook: cannot write {target}: {e.Message}");
                return CliApp.Failed;
            }
            stdout.WriteLine(target);
            return CliApp.Ok;
        });
        return cmd;
    }
}
