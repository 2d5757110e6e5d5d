using System.CommandLine;

namespace Understudy.Tests.Testing;

/// <summary>Runs one command in-process as `understudy COMMAND ARGS` would, with its own output writers instead of the console.</summary>
public static class CommandRun
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(Command command, params string[] args)
    {
        var root = new RootCommand { command };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await root.Parse([command.Name, .. args]).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
