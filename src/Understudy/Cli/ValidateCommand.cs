using System.CommandLine;

namespace Understudy.Cli;

internal static class ValidateCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var cmd = new Command("validate", "Check a config file without starting anything; exit 0 if valid, 2 with every error otherwise.") { config };
        cmd.SetAction(parse =>
        {
            FileInfo file = parse.GetValue(config)!;
            if (CommonOptions.LoadOrReport(file) is not { } spec) return CliApp.BadInput;
            Console.WriteLine($"{file}: valid ({spec.Services.Length} service{(spec.Services.Length == 1 ? "" : "s")}: {string.Join(", ", spec.Services.Select(s => s.Name))})");
            return CliApp.Ok;
        });
        return cmd;
    }
}
