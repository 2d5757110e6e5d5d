using System.Diagnostics;

namespace Understudy.Drills.Network;

/// <summary>Whether this host can apply drops and loss, and <c>nft -f -</c> to apply them.</summary>
public static class NftHost
{
    public const string Needs = "network faults need root and nftables (apt-get install nftables)";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Null when drops and loss can be applied here; otherwise the reason they cannot.</summary>
    public static string? Refusal()
    {
        if (!OperatingSystem.IsLinux()) return $"{Needs}: nft is Linux only";
        if (!Environment.IsPrivilegedProcess) return $"{Needs}: this process is not root";
        return Program() is null ? $"{Needs}: nft was not found on PATH or in /usr/sbin" : null;
    }

    /// <summary>
    /// Feeds <paramref name="ruleset"/> to nft on stdin, as one transaction: all of it applies or none does. Not
    /// cancellable: nft takes milliseconds, and a Ctrl-C halfway must not leave a table the run does not know it made.
    /// </summary>
    public static async Task RunAsync(string ruleset)
    {
        string nft = Program() ?? throw new DrillException(Refusal() ?? Needs);
        var info = new ProcessStartInfo(nft) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-f");
        info.ArgumentList.Add("-");
        using var process = Process.Start(info) ?? throw new DrillException($"could not start {nft}");
        await process.StandardInput.WriteAsync(ruleset);
        process.StandardInput.Close();
        Task<string> errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        using var limit = new CancellationTokenSource(Timeout);
        try { await process.WaitForExitAsync(limit.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(); // the nft this call started, by its own handle
            throw new DrillException($"nft did not finish within {Timeout.TotalSeconds:0} s");
        }
        if (process.ExitCode != 0) throw new DrillException($"nft refused the ruleset (exit {process.ExitCode}): {(await errors).Trim()}");
    }

    // Root's PATH has /usr/sbin; a service's or sudo's may not, so look there too.
    private static string? Program() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/sbin")
            .Select(dir => Path.Combine(dir, "nft")).FirstOrDefault(File.Exists);
}
