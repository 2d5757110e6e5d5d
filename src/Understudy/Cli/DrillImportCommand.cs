using System.CommandLine;
using Understudy.Drills.Import;

namespace Understudy.Cli;

/// <summary>
/// <c>drill import chaostoolkit FILE.json [-o drill.yaml]</c>: writes a drill file from a Chaos Toolkit experiment. Exit 0
/// when written (also with parts not converted, which are listed on stderr), 2 when the experiment is unreadable or
/// nothing runnable is left, 1 when the output cannot be written.
/// </summary>
internal static class DrillImportCommand
{
    public static Command Create()
    {
        var import = new Command("import", "Write a drill file from another tool's experiment.");
        import.Subcommands.Add(ChaosToolkit());
        return import;
    }

    private static Command ChaosToolkit()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "the Chaos Toolkit experiment (JSON)" };
        var output = new Option<FileInfo?>("--out", "-o") { Description = "the drill file to write (default: standard output)" };
        var cmd = new Command("chaostoolkit", "Convert a Chaos Toolkit experiment: http steady-state probes, process actions, pauses and rollbacks; list what was not converted.") { file, output };
        cmd.SetAction(parse =>
        {
            FileInfo path = parse.GetValue(file)!;
            TextWriter stderr = parse.InvocationConfiguration.Error;
            string json;
            try
            {
                json = File.ReadAllText(path.FullName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"{path}: cannot read the experiment: {e.Message}");
                return CliApp.BadInput;
            }
            ImportResult result = ChaosToolkitImport.Convert(json, path.ToString());
            foreach (ImportNote note in result.Notes) stderr.WriteLine($"{path}: {note}");
            if (result.Yaml is not { } yaml)
            {
                stderr.WriteLine(result.Error);
                return CliApp.BadInput;
            }
            return Write(yaml, parse.GetValue(output), parse.InvocationConfiguration.Output, stderr, path, result.Notes.Count);
        });
        return cmd;
    }

    private static int Write(string yaml, FileInfo? output, TextWriter stdout, TextWriter stderr, FileInfo experiment, int notes)
    {
        string listed = notes == 0 ? "everything converted" : $"{notes} note{(notes == 1 ? "" : "s")} above, also at the top of the drill file";
        if (output is null)
        {
            stdout.Write(yaml);
            stderr.WriteLine($"{experiment}: written to standard output ({listed})");
            return CliApp.Ok;
        }
        try
        {
            File.WriteAllText(output.FullName, yaml);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"{output}: cannot write the drill file: {e.Message}");
            return CliApp.Failed;
        }
        stderr.WriteLine($"{experiment}: wrote {output} ({listed}); check it with understudy drill validate {output}");
        return CliApp.Ok;
    }
}
