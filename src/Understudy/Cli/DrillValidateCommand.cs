using System.CommandLine;
using Understudy.Drills;

namespace Understudy.Cli;

/// <summary><c>drill validate FILE</c>: the drill file's counterpart of <c>understudy validate</c>; exit 0 valid, 2 with every error.</summary>
internal static class DrillValidateCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "the drill file (YAML)" };
        var cmd = new Command("validate", "Check a drill file without running anything; exit 0 if valid, 2 with every error otherwise.") { file };
        cmd.SetAction(parse =>
        {
            FileInfo path = parse.GetValue(file)!;
            if (DrillCommand.LoadOrReport(path, parse.InvocationConfiguration.Error) is not { } spec) return CliApp.BadInput;
            parse.InvocationConfiguration.Output.WriteLine($"{path}: valid ({DrillPlanText.Summary(spec)})");
            return CliApp.Ok;
        });
        return cmd;
    }
}
