using System.CommandLine;
using Spectre.Console;
using Understudy.Demo;

namespace Understudy.Cli;

internal static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out", "-o") { Description = "folder under which the drill's report folder is made", DefaultValueFactory = _ => DrillCommand.DefaultOut };
        var cmd = new Command("demo", "Start two sample apps and a controller, run a drill that kills the primary, and show the failover as clients saw it.") { output };
        cmd.SetAction(async (parse, ct) =>
        {
            try
            {
                return await new DemoRunner(AnsiConsole.Console, parse.GetValue(output)!).RunAsync(ct);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException or Drills.DrillException or Drills.Reports.ReportException)
            {
                Console.Error.WriteLine($"understudy demo: {e.Message}");
                return CliApp.Failed;
            }
        });
        return cmd;
    }
}
