using System.Collections.Immutable;
using Understudy.Commands;
using Understudy.Core.Guard;

namespace Understudy.Guard;

/// <summary>
/// How a guard stops its own member and brings it back. Safety contract: <see cref="FenceAsync"/> is idempotent —
/// a member already stopped counts as fenced, and its outcome then says the guard stopped nothing — and
/// <see cref="LiftAsync"/> is called only after a fence whose outcome said it stopped something.
/// </summary>
public interface ISelfFence
{
    Task<StepOutcome> FenceAsync(CancellationToken ct);

    Task<StepOutcome> LiftAsync(CancellationToken ct);
}

/// <summary>
/// PostgreSQL: the server is stopped, never made read-only — read-only is not a fence, since any client may
/// <c>BEGIN READ WRITE</c> or <c>SET default_transaction_read_only = off</c>. A fast shutdown (sessions ended,
/// checkpoint) first; if it has not finished within 5 s, an immediate one. The tools run as the PostgreSQL user
/// when the guard runs as root (PostgreSQL refuses root).
/// </summary>
public sealed class PostgresFence(GuardPostgresSpec pg, CommandRunner commands) : ISelfFence
{
    /// <summary>pg_ctl status: 3 means no server runs on the data directory.</summary>
    private const int NotRunning = 3;

    public async Task<StepOutcome> FenceAsync(CancellationToken ct)
    {
        CommandOutcome status = await PgCtlAsync(["status"], TimeSpan.FromSeconds(10), ct);
        if (status.ExitCode == NotRunning) return new(true, false, "PostgreSQL was not running");
        if (!status.Succeeded) return new(false, false, $"pg_ctl status {status.Summary}: {Tail(status.Output)}");

        int fastSeconds = (int)GuardDefaults.FastStop.TotalSeconds;
        CommandOutcome fast = await PgCtlAsync(["stop", "-m", "fast", "-w", "-t", $"{fastSeconds}"], GuardDefaults.FastStop + TimeSpan.FromSeconds(5), ct);
        if (fast.Succeeded) return new(true, true, $"pg_ctl stop -m fast {fast.Summary}");
        CommandOutcome immediate = await PgCtlAsync(["stop", "-m", "immediate", "-w", "-t", "30"], TimeSpan.FromSeconds(35), ct);
        string both = $"pg_ctl stop -m fast {fast.Summary}, then -m immediate {immediate.Summary}";
        return immediate.Succeeded ? new(true, true, both) : new(false, false, $"{both}: {Tail(immediate.Output)}");
    }

    public async Task<StepOutcome> LiftAsync(CancellationToken ct)
    {
        string log = Path.Combine(pg.DataDir, "understudy-guard.log");
        CommandOutcome start = await PgCtlAsync(["start", "-l", log, "-w", "-t", "60"], GuardDefaults.CommandTimeout + TimeSpan.FromSeconds(5), ct);
        return start.Succeeded
            ? new(true, false, $"pg_ctl start {start.Summary}")
            : new(false, false, $"pg_ctl start {start.Summary}: {Tail(start.Output)} (server log: {log})");
    }

    private Task<CommandOutcome> PgCtlAsync(string[] args, TimeSpan timeout, CancellationToken ct)
    {
        string[] argv = [Path.Combine(pg.BinDir, "pg_ctl"), "-D", pg.DataDir, .. args];
        return commands.RunAsync(Environment.UserName == "root" ? ["runuser", "-u", pg.User, "--", .. argv] : argv, timeout, ct);
    }

    internal static string Tail(string output)
    {
        string t = output.Trim();
        return t.Length > 400 ? "…" + t[^400..] : t;
    }
}

/// <summary>http/tcp: the configured commands. A fence command that succeeded counts as having stopped the member.</summary>
public sealed class CommandFence(ImmutableArray<string> fence, ImmutableArray<string> lift, CommandRunner commands) : ISelfFence
{
    public async Task<StepOutcome> FenceAsync(CancellationToken ct)
    {
        CommandOutcome o = await commands.RunAsync(fence, GuardDefaults.CommandTimeout, ct);
        return new(o.Succeeded, o.Succeeded, $"fence_self {o.Summary}{(o.Succeeded ? "" : $": {PostgresFence.Tail(o.Output)}")}");
    }

    public async Task<StepOutcome> LiftAsync(CancellationToken ct)
    {
        if (lift.IsEmpty) return new(true, false, "no lift_self is configured: bring the member back by hand");
        CommandOutcome o = await commands.RunAsync(lift, GuardDefaults.CommandTimeout, ct);
        return new(o.Succeeded, false, $"lift_self {o.Summary}{(o.Succeeded ? "" : $": {PostgresFence.Tail(o.Output)}")}");
    }
}
