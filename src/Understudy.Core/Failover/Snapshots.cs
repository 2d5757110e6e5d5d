using System.Collections.Immutable;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>A service's state as a <see cref="ServiceSnapshot"/> and back: what the fold keeps, and only that.</summary>
public static class Snapshots
{
    public static ServiceSnapshot Of(ServiceState s) => new(
        s.Primary, s.Routable,
        s.Failover is { } f ? new SnapshotChange(f.From, f.To, f.Epoch, f.StartedAt, Snake(f.Stage), f.HooksFinished, f.Kind, f.Request, f.FenceFailure, f.CheckpointLsn,
            f.SwitchAttempts, f.SwitchRetryAt) : null,
        s.LastFailoverAt, s.HoldReason, s.Degraded, s.RolesConfirmed, s.PrimaryKnown, s.SyncStandbys, s.SyncRetryAfter,
        s.Request is { } r ? new SnapshotRequest(r.Id, r.Kind, r.From, r.To, r.Reason, r.RequestedBy, r.CreatedAt, r.ExpiresAt, r.ApprovalsNeeded, r.ApprovedBy, r.State.Text(), r.Force,
            r.Window?.Start, r.Window?.End, r.Window?.Source) : null,
        s.Pause is { } p ? new SnapshotPause(p.By, p.Reason, p.Since) : null,
        [.. s.Raised.Order(StringComparer.Ordinal)],
        [.. s.Spec.Members.Select(m => m.Name).Where(m => s.Members[m].NeedsRejoin)],
        s.RunningHooks, s.DemoteRetryAfter,
        s.PendingVeto is { } v ? new SnapshotVeto(v.Kind, v.From, v.To, v.Request, v.AskedAt) : null, s.VetoRetryAt, s.SyncConfirmed);

    /// <summary>The snapshot's state, over what this instance's checks observe of each member (kept as it is).</summary>
    public static ServiceState Restore(ServiceState s, ServiceSnapshot e)
    {
        var members = s.Members.ToImmutableDictionary(m => m.Key, m => m.Value with { NeedsRejoin = e.NeedsRejoin.Contains(m.Key) });
        return s with
        {
            Epoch = e.Epoch,
            Primary = e.Primary,
            Routable = e.Routable,
            Members = members,
            Failover = e.Change is { } c ? new FailoverProgress(c.From, c.To, c.Epoch, c.StartedAt, Parse<FailoverStage>(c.Stage), c.HooksFinished, c.Kind, c.Request, c.FenceFailure, c.CheckpointLsn,
                c.SwitchAttempts, c.SwitchRetryAt) : null,
            LastFailoverAt = e.LastFailoverAt,
            HoldReason = e.HoldReason,
            Degraded = e.Degraded,
            RolesConfirmed = e.RolesConfirmed,
            PrimaryKnown = e.PrimaryKnown,
            SyncStandbys = e.SyncStandbys,
            SyncRetryAfter = e.SyncRetryAfter,
            Request = e.Request is { } r
                ? new OperatorRequest(r.Id, r.Kind, r.From, r.To, r.Reason, r.RequestedBy, r.CreatedAt, r.ExpiresAt, r.ApprovalsNeeded, r.ApprovedBy, Parse<RequestState>(r.State), r.Force,
                    r.NotBefore is { } start ? new ScheduledWindow(start, r.NotAfter ?? start, r.Window ?? "") : null)
                : null,
            Pause = e.Pause is { } p ? new PauseInfo(p.By, p.Reason, p.Since) : null,
            Raised = [.. e.Raised],
            RunningHooks = e.RunningHooks.IsDefault ? [] : e.RunningHooks,
            DemoteRetryAfter = e.DemoteRetryAfter,
            PendingVeto = e.Veto is { } v ? new VetoQuestion(v.Kind, v.From, v.To, v.Request, v.AskedAt) : null,
            VetoRetryAt = e.VetoRetryAt,
            SyncConfirmed = e.SyncConfirmed,
        };
    }

    private static string Snake<T>(T value) where T : struct, Enum =>
        string.Concat(value.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? $"_{char.ToLowerInvariant(c)}" : char.ToLowerInvariant(c).ToString()));

    private static T Parse<T>(string snake) where T : struct, Enum => Enum.Parse<T>(snake.Replace("_", ""), ignoreCase: true);
}
