using System.Diagnostics;

namespace Understudy.IntegrationTests.Fixtures.Postgres;

/// <summary>
/// Runs PostgreSQL's programs: they refuse to run as root, so each goes through <c>runuser -u postgres</c>,
/// from a folder that user may enter (it warns about an unreadable working folder otherwise).
/// </summary>
internal static class PgTools
{
    /// <summary>Debian's PostgreSQL 15; not on PATH.</summary>
    public const string Bin = "/usr/lib/postgresql/15/bin";

    public static string Path(string tool) => System.IO.Path.Combine(Bin, tool);

    /// <summary>Runs <paramref name="tool"/> as postgres; its output, or an exception carrying it when it fails or outlives <paramref name="timeout"/>.</summary>
    public static Task<string> RunAsync(string workDir, TimeSpan timeout, string tool, params string[] args) =>
        RunAsRootAsync(workDir, timeout, "runuser", ["-u", "postgres", "--", Path(tool), .. args]);

    /// <summary>The cluster's folder is made by root (the test), and postgres must own it.</summary>
    public static Task ChownAsync(string folder) =>
        RunAsRootAsync(folder, TimeSpan.FromSeconds(30), "chown", ["-R", "postgres:postgres", folder]);

    private static async Task<string> RunAsRootAsync(string workDir, TimeSpan timeout, string program, string[] args)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) info.ArgumentList.Add(a);
        // PGHOST, PGPORT, PGDATA … from the caller's environment would quietly redirect the tools.
        foreach (string key in info.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList()) info.Environment.Remove(key);
        info.Environment["LC_ALL"] = "C"; // the same messages and initdb defaults whatever locales this machine has

        using var p = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        string command = string.Join(' ', args.Prepend(program));
        using var cts = new CancellationTokenSource(timeout);
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            // Only what this call started: runuser and the tool under it (a postmaster pg_ctl is still starting, too).
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} took more than {timeout.TotalSeconds:0} s");
        }
        string output = (await stdout + await stderr).Trim();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{command} exited with {p.ExitCode}:\n{output}");
        return output;
    }
}
