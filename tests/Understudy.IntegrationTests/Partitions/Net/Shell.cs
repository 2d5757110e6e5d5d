using System.Diagnostics;

namespace Understudy.IntegrationTests.Partitions.Net;

/// <summary>Runs <c>ip</c>, <c>nft</c> and the like to completion; their output, or an exception that carries it.</summary>
internal static class Shell
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task<string> RunAsync(string program, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null, string? workDir = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null };
        if (workDir is not null) info.WorkingDirectory = workDir;
        // PGHOST, PGPORT, PGDATA … from the caller's environment would quietly redirect PostgreSQL's tools.
        foreach (string key in info.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList()) info.Environment.Remove(key);
        info.Environment["LC_ALL"] = "C";
        foreach (string a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
            p.StandardInput.Close();
        }
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        string command = string.Join(' ', args.Prepend(program));
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true); // only what this call started
            throw new TimeoutException($"{command} took more than {(timeout ?? DefaultTimeout).TotalSeconds:0} s");
        }
        string output = (await stdout + await stderr).Trim();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{command} exited with {p.ExitCode}: {output}" + (stdin is null ? "" : $"\n--- input ---\n{stdin}"));
        return output;
    }

    public static Task<string> RunAsync(string program, params string[] args) => RunAsync(program, args, null);
}
