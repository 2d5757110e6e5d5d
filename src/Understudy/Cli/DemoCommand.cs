using System.CommandLine;
using Spectre.Console;
using Understudy.Demo;

namespace Understudy.Cli;

internal static class DemoCommand
{
    public static Command Create()
    {
        var cmd = new Command("demo", "Start two sample apps and a controller, kill the primary, and show the failover as clients saw it.");
        cmd.SetAction(async (_, ct) =>
        {
            try
            {
                return await new DemoRunner(AnsiConsole.Console).RunAsync(ct);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
            {
                Console.Error.WriteLine($"understudy demo: {e.Message}");
                return CliApp.Failed;
            }
        });
        return cmd;
    }
}
