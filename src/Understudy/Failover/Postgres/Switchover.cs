using Understudy.Checks;
using Understudy.Commands;
using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Topology;

namespace Understudy.Failover.Postgres;

/// <summary>
/// The steps of a planned PostgreSQL switchover that act on the old primary's data directory: stop it cleanly and read its
/// shutdown checkpoint, start it again when the switchover is called off, and make it a standby of the new primary.
/// Each is idempotent, so a controller that restarts mid-switchover may run it again.
/// </summary>
public sealed class Switchover(ServiceSpec service, CommandRunner commands, PostgresActions actions)
{
    private const string CleanlyStopped = "shut down";

    /// <summary>pg_ctl stop -m fast, then pg_controldata: only a clean shutdown's checkpoint is reported (a stopped server's, again).</summary>
    public async Task<(bool Ok, string Detail, long? Lsn)> StopAsync(StopMember step, CancellationToken ct)
    {
        if (Dir(step.Member) is not { } dir) return (false, $"{step.Member} has no data_dir", null);
        CommandOutcome stop = await dir.StopAsync(ct);
        string stopped = $"pg_ctl stop -m fast {stop.Summary}";
        if (await dir.ControlDataAsync(ct) is not var (state, lsn))
            return (false, $"{stopped}; pg_controldata could not be read: {PgDataDir.Tail(stop.Output)}", null);
        return state == CleanlyStopped && !await dir.IsRunningAsync(ct)
            ? (true, $"{stopped}; cluster state {state}, latest checkpoint {ReplicationView.Lsn(lsn)}", lsn)
            : (false, $"{stopped}; cluster state '{state}', not a clean shutdown: {PgDataDir.Tail(stop.Output)}", null);
    }

    /// <summary>pg_ctl start -w, unless it runs already; it was stopped cleanly, so it starts as the primary it was.</summary>
    public async Task<(bool, string)> StartAsync(StartMember step, CancellationToken ct)
    {
        if (Dir(step.Member) is not { } dir) return (false, $"{step.Member} has no data_dir");
        if (await dir.IsRunningAsync(ct)) return (true, $"{step.Member} was running");
        CommandOutcome start = await dir.StartAsync(ct);
        return (start.Succeeded, $"pg_ctl start {start.Summary}" + (start.Succeeded ? "" : $": {PgDataDir.Tail(start.Output)}"));
    }

    /// <summary>
    /// After a clean shutdown that the new primary replayed past, the old primary follows the new timeline without a rewind:
    /// standby.signal, primary_conninfo naming the new primary (and itself as application_name), start. Running already as
    /// a standby, it is only re-pointed; stopped uncleanly, or running writable, it is rewound (the built-in rejoin).
    /// </summary>
    public async Task<(bool, string)> FollowAsync(FollowPrimary step, CancellationToken ct)
    {
        if (Dir(step.Member) is not { } dir) return (false, $"{step.Member} has no data_dir");
        if (await dir.IsRunningAsync(ct))
        {
            if (await actions.IsStandbyAsync(step.Member, ct))
                return await actions.RepointAsync(new RepointStandbys(step.Primary, [step.Member], step.Epoch), ct);
            return await RewindAsync(step, "it runs writable", ct);
        }
        if (await dir.ControlDataAsync(ct) is not (CleanlyStopped, _)) return await RewindAsync(step, "it was not shut down cleanly", ct);

        HostPort primary = service.Member(step.Primary).Address;
        string conninfo = PgConnections.PrimaryConnInfo(service.Postgres!, primary, step.Member);
        // As pg_basebackup -R does: a line appended to postgresql.auto.conf wins over earlier ones (ALTER SYSTEM later folds them into one).
        await File.AppendAllTextAsync(Path.Combine(dir.Path, "postgresql.auto.conf"), $"primary_conninfo = '{conninfo.Replace("'", "''")}'\n", ct);
        CommandOutcome signal = await dir.RunAsync(["touch", Path.Combine(dir.Path, "standby.signal")], ct);
        if (!signal.Succeeded) return (false, $"standby.signal could not be written: {PgDataDir.Tail(signal.Output)}");
        CommandOutcome start = await dir.StartAsync(ct);
        return (start.Succeeded, $"standby.signal and primary_conninfo for {step.Primary} written; pg_ctl start {start.Summary}"
                                 + (start.Succeeded ? "" : $": {PgDataDir.Tail(start.Output)}"));
    }

    private async Task<(bool, string)> RewindAsync(FollowPrimary step, string why, CancellationToken ct)
    {
        var (ok, detail) = await new Rejoin(service, commands).RunAsync(step.Member, step.Primary, ct);
        return (ok, $"{why}, so it was rewound: {detail}");
    }

    private PgDataDir? Dir(string member) => service.Member(member).DataDir is { } path ? new PgDataDir(path, commands) : null;
}
