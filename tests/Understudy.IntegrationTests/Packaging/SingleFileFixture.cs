using System.Diagnostics;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Packaging;

/// <summary>
/// Publishes understudy for linux-x64 once (the command the README gives) and copies only the executable into an
/// empty folder, where the tests run it with no .NET on PATH and no DOTNET_ROOT.
/// </summary>
public sealed class SingleFileFixture : IAsyncLifetime
{
    private readonly TempDir _dir = new();

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The names publish wrote (its whole output folder).</summary>
    public IReadOnlyList<string> Published { get; private set; } = [];

    public string RunDir => _dir.File("run");

    public string Executable => Path.Combine(RunDir, "understudy");

    /// <summary>Where the single file extracts its native libraries.</summary>
    public string ExtractDir => _dir.File("extract");

    public async Task InitializeAsync()
    {
        string publish = _dir.File("publish");
        var (exit, output) = await RunAsync(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet",
            ["publish", Path.Combine(RepoRoot, "src", "Understudy"), "-c", "Release", "-r", "linux-x64", "-o", publish, "-nologo", "-v", "quiet"],
            RepoRoot, null, TimeSpan.FromMinutes(10));
        Assert.True(exit == 0, $"dotnet publish failed ({exit}):\n{output}");
        Published = [.. Directory.EnumerateFileSystemEntries(publish).Select(Path.GetFileName).Order()!];
        Directory.CreateDirectory(RunDir);
        File.Copy(Path.Combine(publish, "understudy"), Executable);
        Directory.CreateDirectory(ExtractDir);
        // The demo's hook runs echo: the only tool it gets, from a folder of its own, since /usr/bin also holds dotnet.
        Directory.CreateDirectory(_dir.File("tools"));
        File.CreateSymbolicLink(_dir.File("tools/echo"), "/bin/echo");
    }

    /// <summary>Runs the copied executable in <see cref="RunDir"/>, with a PATH of folders that hold no dotnet.</summary>
    public Task<(int Exit, string Output)> RunCopyAsync(TimeSpan within, params string[] args) => RunAsync(CopyStartInfo(args), within);

    /// <summary>Starts the copied executable as <see cref="RunCopyAsync"/> runs it; the caller stops it.</summary>
    public Process StartCopy(params string[] args)
    {
        var p = Process.Start(CopyStartInfo(args))!;
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private ProcessStartInfo CopyStartInfo(string[] args)
    {
        string path = string.Join(':', new[] { RunDir, _dir.File("tools") }.Concat(
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Where(d => !File.Exists(Path.Combine(d, "dotnet")))));
        return StartInfo(Executable, args, RunDir, new Dictionary<string, string?>
        {
            ["PATH"] = path,
            ["NO_COLOR"] = "1",
            ["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = ExtractDir,
        });
    }

    /// <summary>Runs a command to its end (killed past <paramref name="within"/>); stdout and stderr together.</summary>
    public static Task<(int Exit, string Output)> RunAsync(string file, IEnumerable<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment, TimeSpan within) => RunAsync(StartInfo(file, args, workingDirectory, environment), within);

    private static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string?>? environment)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        if (environment is not null)
        {
            // Nothing of the test host's .NET (DOTNET_ROOT, DOTNET_HOST_PATH, MSBuild's variables) reaches the child.
            foreach (string name in psi.Environment.Keys.Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal) || k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
                psi.Environment.Remove(name);
            foreach (var (name, value) in environment) psi.Environment[name] = value;
        }
        return psi;
    }

    private static async Task<(int Exit, string Output)> RunAsync(ProcessStartInfo psi, TimeSpan within)
    {
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(within);
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} did not end within {within}");
        }
        return (p.ExitCode, await stdout + await stderr);
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Understudy.slnx"))) return d.FullName;
        throw new InvalidOperationException($"no Understudy.slnx above {AppContext.BaseDirectory}");
    }
}
