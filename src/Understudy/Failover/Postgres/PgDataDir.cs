using System.Globalization;
using Understudy.Commands;

namespace Understudy.Failover.Postgres;

/// <summary>
/// The PostgreSQL tools run on a member's data directory (pg_ctl, pg_controldata, pg_rewind), as the postgres user
/// when the controller runs as root (PostgreSQL refuses root), with Debian's binaries for the directory's version.
/// </summary>
public sealed class PgDataDir(string path, CommandRunner commands)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    public string Path { get; } = path;

    /// <summary>Where the controller's own starts of the server log (pg_ctl -l).</summary>
    public string ServerLog => System.IO.Path.Combine(Path, "understudy-rejoin.log");

    public string Tool(string name) => System.IO.Path.Combine(BinDir(Path), name);

    public Task<CommandOutcome> RunAsync(string[] argv, CancellationToken ct, IReadOnlyDictionary<string, string>? environment = null) =>
        commands.RunAsync(Environment.UserName == "root" ? ["runuser", "-u", "postgres", "--", .. argv] : argv, StepTimeout, ct, environment);

    /// <summary><c>pg_ctl status</c>: exit 0 while a server runs on the directory.</summary>
    public async Task<bool> IsRunningAsync(CancellationToken ct) => (await RunAsync([Tool("pg_ctl"), "-D", Path, "status"], ct)).Succeeded;

    public Task<CommandOutcome> StartAsync(CancellationToken ct) =>
        RunAsync([Tool("pg_ctl"), "-D", Path, "-l", ServerLog, "start", "-w", "-t", "60"], ct);

    public Task<CommandOutcome> StopAsync(CancellationToken ct) => RunAsync([Tool("pg_ctl"), "-D", Path, "stop", "-m", "fast", "-w", "-t", "60"], ct);

    /// <summary>
    /// What <c>pg_controldata</c> says of the directory (in the C locale): the cluster state ("shut down" after a clean
    /// stop of a primary) and the latest checkpoint's location; null when it could not be read.
    /// </summary>
    public async Task<(string State, long CheckpointLsn)?> ControlDataAsync(CancellationToken ct)
    {
        CommandOutcome o = await RunAsync([Tool("pg_controldata"), "-D", Path], ct, new Dictionary<string, string> { ["LC_ALL"] = "C", ["LANG"] = "C" });
        if (!o.Succeeded) return null;
        string? state = null;
        long? lsn = null;
        foreach (string line in o.Output.Split('\n'))
        {
            string[] kv = line.Split(':', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2) continue;
            if (kv[0] == "Database cluster state") state = kv[1];
            else if (kv[0] == "Latest checkpoint location") lsn = ParseLsn(kv[1]);
        }
        return state is not null && lsn is { } at ? (state, at) : null;
    }

    /// <summary>"0/3000028" → its byte position.</summary>
    public static long? ParseLsn(string text)
    {
        string[] parts = text.Split('/');
        return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long hi)
            && long.TryParse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long lo) ? (hi << 32) | lo : null;
    }

    /// <summary>Debian's layout: /usr/lib/postgresql/MAJOR/bin for the version the data directory was made with; else PATH.</summary>
    private static string BinDir(string data)
    {
        string? version = File.Exists(System.IO.Path.Combine(data, "PG_VERSION")) ? File.ReadAllText(System.IO.Path.Combine(data, "PG_VERSION")).Trim() : null;
        string debian = $"/usr/lib/postgresql/{version}/bin";
        return version is not null && Directory.Exists(debian) ? debian : "";
    }

    /// <summary>The end of a tool's output, for a step's detail.</summary>
    public static string Tail(string output)
    {
        string t = output.Trim();
        return t.Length > 400 ? "…" + t[^400..] : t;
    }
}
