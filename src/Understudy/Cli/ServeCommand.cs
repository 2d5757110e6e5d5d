using System.CommandLine;
using Understudy.Hosting;
using Understudy.Journal;

namespace Understudy.Cli;

internal static class ServeCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var cmd = new Command("serve", "Run the controller: checks, failover, proxy, journal and API.") { config };
        cmd.SetAction(async (parse, ct) =>
        {
            FileInfo file = parse.GetValue(config)!;
            if (CommonOptions.LoadOrReport(file) is not { } spec) return CliApp.BadInput;
            try
            {
                await using WebApplication app = await ControllerHost.CreateAsync(spec, file.DirectoryName ?? ".");
                await app.StartAsync(ct);
                await app.WaitForShutdownAsync(ct);
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
