using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Traffic;

namespace Understudy.Api;

/// <param name="Journal">A live controller's journal: whether it takes writes (absent when read from the journal file).</param>
public sealed record ControllerView(string Version, DateTimeOffset? StartedAt, bool Live, JournalView? Journal = null);

/// <summary>Whether the controller's journal takes writes; while it does not, nothing is decided or acted on.</summary>
public sealed record JournalView(bool Writable, string? Cause, DateTimeOffset? Since, long FailedWrites)
{
    public static JournalView From(Journal.JournalCondition c) => new(c.Writable, c.Cause, c.Since, c.FailedWrites);
}

/// <param name="LagBytes">PostgreSQL standbys: the primary's last seen WAL position minus this standby's received one.</param>
/// <param name="Site">The member's <c>site</c>, when sites are declared.</param>
public sealed record MemberView(string Name, string Address, string Role, string Health, bool Suspected, bool NeedsRejoin, int Priority, string LastDetail, string? Pidfile,
    long? LagBytes = null, bool? Writable = null, string? Site = null);

/// <summary>The check and failover settings, so clients (drills) can compute the configured bound.</summary>
public sealed record SettingsView(double IntervalMs, double TimeoutMs, int Fall, int Rise, string Mode, double CooldownMs, double? HoldMs);

public sealed record TargetsView(double? RtoMs, double? RecoveryMs, int? RpoWrites, double? RpoWindowMs);

public sealed record FailoverView(string From, string To, long Epoch, DateTimeOffset StartedAt, string Stage, string Kind = "failover", string? Request = null);

public sealed record ProxyView(string Listen, int OpenConnections, long Accepted, long Failed, long BytesIn, long BytesOut);

public sealed record ServiceView(
    string Name, string Kind, long Epoch, string Primary, string? Routable, string Phase, string? HoldReason,
    FailoverView? Failover, DateTimeOffset? LastFailoverAt, ProxyView? Proxy, IReadOnlyList<MemberView> Members,
    SettingsView Settings, TargetsView Targets, PauseView? Paused = null, string? OpenRequest = null, int AlertChannels = 0, VetoView? Veto = null);

public sealed record PauseView(string By, string Reason, DateTimeOffset Since);

public sealed record StatusView(ControllerView Controller, IReadOnlyList<ServiceView> Services);

public sealed record EventView(long Id, DateTimeOffset Time, string Service, string? Member, long Epoch, string Type, string Actor, IReadOnlyDictionary<string, object?> Details)
{
    public static EventView From(JournalEvent e) => new(e.Id, e.Time, e.Service, e.Member, e.Epoch, e.Type, e.Actor, Journal.EventJson.Details(e));
}

public static class StatusViews
{
    /// <param name="journalWritable">False while the journal takes no writes: the state shown is the last one decided, and nothing moves.</param>
    /// <param name="alertChannels">The channels this service's notifications go to (its own and the global ones).</param>
    /// <param name="lastVeto">The service's latest change.vetoed (see <see cref="VetoViews.LastVetoAsync"/>).</param>
    public static ServiceView From(ServiceState s, ServiceProxy? proxy, bool journalWritable = true, int alertChannels = 0, ChangeVetoed? lastVeto = null) => new(
        s.Name,
        s.Spec.Kind.ToString().ToLowerInvariant(),
        s.Epoch,
        s.Primary,
        s.Routable,
        journalWritable ? Phase(s) : "journal_unavailable",
        s.HoldReason,
        s.Failover is { } f ? new FailoverView(f.From, f.To, f.Epoch, f.StartedAt, f.Stage.ToString().ToLowerInvariant(), f.Word, f.Request) : null,
        s.LastFailoverAt,
        s.Spec.Proxy is { } p ? new ProxyView(p.Listen.ToString(), proxy?.OpenConnections ?? 0, proxy?.Accepted ?? 0, proxy?.Failed ?? 0, proxy?.BytesIn ?? 0, proxy?.BytesOut ?? 0) : null,
        [.. s.Spec.Members.Select(m => Member(s, m))],
        Settings(s.Spec),
        new TargetsView(s.Spec.Targets.Rto?.TotalMilliseconds, s.Spec.Targets.Recovery?.TotalMilliseconds,
            s.Spec.Targets.Rpo?.Writes, s.Spec.Targets.Rpo?.Window?.TotalMilliseconds),
        s.Pause is { } pause ? new PauseView(pause.By, pause.Reason, pause.Since) : null,
        s.Request?.Id,
        alertChannels,
        VetoViews.From(s, lastVeto));

    private static MemberView Member(ServiceState s, Core.Topology.MemberSpec spec)
    {
        MemberState m = s.Members[spec.Name];
        string role = spec.Name == s.Primary ? "primary" : "standby";
        return new MemberView(spec.Name, spec.Address.ToString(), role, m.Health.ToString().ToLowerInvariant(), m.Suspected, m.NeedsRejoin, spec.Priority, m.LastDetail, spec.PidFile,
            s.IsReplicated && spec.Name != s.Primary ? s.LagOf(spec.Name) : null, m.Replication is { } pg ? !pg.InRecovery : null, spec.Site);
    }

    private static SettingsView Settings(Core.Topology.ServiceSpec spec) => new(
        spec.Check.Interval.TotalMilliseconds, spec.Check.Timeout.TotalMilliseconds, spec.Check.Fall, spec.Check.Rise,
        spec.Failover.Mode.ToString().ToLowerInvariant(), spec.Failover.Cooldown.TotalMilliseconds, spec.Proxy?.Hold.TotalMilliseconds);

    /// <summary>
    /// One word for the service's situation: steady, failing_over, switching_over, held, degraded, primary_down, paused
    /// (and journal_unavailable, which <see cref="From"/> shows whatever the state).
    /// </summary>
    public static string Phase(ServiceState s) => s switch
    {
        // Stopped at a failed fence, nothing automatic goes on: a person must act, as for any degraded service.
        { Failover.Stage: FailoverStage.FenceFailed } => "degraded",
        { Failover.IsSwitchover: true } => "switching_over",
        { Failover: not null } => "failing_over",
        { Degraded: true } => "degraded",
        { HoldReason: not null } => "held",
        _ when s.PrimaryMember.Health == Health.Down => "primary_down",
        { Pause: not null } => "paused",
        _ => "steady",
    };
}
