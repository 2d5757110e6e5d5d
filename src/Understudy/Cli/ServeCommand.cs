using System.CommandLine;
using Understudy.Hosting;
using Understudy.Journal;

namespace Understudy.Cli;

internal static class ServeCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var format = new Option<string>("--log-format")
        {
            Description = "text (one line per entry) or json (one JSON object per line, with the journal's event type under Type)",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");
        var newJournal = new Option<bool>("--new-journal")
        {
            Description = "Start on a journal that knows an earlier epoch than the last run reached (deleted, replaced): each epoch starts after the last run's",
        };
        var cmd = new Command("serve", "Run the controller: checks, failover, proxy, journal and API.") { config, format, newJournal };
        cmd.SetAction(async (parse, ct) =>
        {
            FileInfo file = parse.GetValue(config)!;
            WebApplication? running = null;
            using var hangup = ReloadSignal.Register(() => running);
            if (CommonOptions.LoadOrReport(file) is not { } spec) return CliApp.BadInput;
            try
            {
                Action<ILoggingBuilder>? logging = parse.GetValue(format) == "json"
                    ? l => l.AddJsonConsole(o => { o.UseUtcTimestamp = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ"; })
                    : null;
                await using WebApplication app = await ControllerHost.CreateAsync(spec, file.DirectoryName ?? ".", logging: logging,
                    newJournal: parse.GetValue(newJournal), configFile: file.FullName);
                running = app;
                await app.StartAsync(ct);
                await app.WaitForShutdownAsync(ct);
                // The controller's own task ends only by a bug or a journal it could not write at start.
                if (app.Services.GetRequiredService<Controller>().ExecuteTask is { IsFaulted: true } crashed)
                {
                    Console.Error.WriteLine($"understudy serve: the controller stopped after an unexpected error, please report: {crashed.Exception!.InnerException?.Message}");
                    return CliApp.Failed;
                }
                return CliApp.Ok;
            }
            catch (Exception e) when (e is StartupException or JournalException or IOException)
            {
                Console.Error.WriteLine($"understudy serve: {e.Message}");
                return CliApp.Failed;
            }
        });
        return cmd;
    }
}
