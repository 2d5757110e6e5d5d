using System.Diagnostics;
using Understudy.Hosting;

namespace Understudy.IntegrationTests.Fixtures;

/// <summary>Runs the real <c>understudy</c> binary once and collects its exit code and output.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Err);

    public static Task<Result> RunAsync(params string[] args) => RunAsync(null, args);

    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var p = new Process { StartInfo = SelfProcess.StartInfo(args) };
        p.StartInfo.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) p.StartInfo.Environment[name] = value;
        p.Start();
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            // Only what this call started: a command that did not end (a serve that was meant to refuse) must not outlive the test.
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"understudy {string.Join(' ', args)} did not end within 60 s");
        }
        return new Result(p.ExitCode, await stdout, await stderr);
    }
}
