using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Journal;

namespace Understudy.Api;

/// <summary>
/// Veto hooks holding a change back. <see cref="State"/>: <c>asking</c> (the hooks are being asked; nothing else starts) or
/// <c>vetoed</c> (a hook refused an automatic failover: the service is held and the hooks are asked again at <see cref="RetryAt"/>).
/// </summary>
/// <param name="Since">When the hooks were asked, or when the hook refused.</param>
/// <param name="Reason">Vetoed: which hook refused and what it said.</param>
public sealed record VetoView(string State, string Kind, string From, string To, string? Request, DateTimeOffset Since, string? Reason = null, DateTimeOffset? RetryAt = null);

public static class VetoViews
{
    public const string Asking = "asking", Vetoed = "vetoed";

    /// <param name="lastVeto">The service's latest change.vetoed, when <see cref="MayBeHeldByVeto"/>; the state alone does not keep the hook's words.</param>
    public static VetoView? From(ServiceState s, ChangeVetoed? lastVeto)
    {
        if (s.PendingVeto is { } q) return new VetoView(Asking, q.Kind.Text(), q.From, q.To, q.Request, q.AskedAt);
        // Still held by that refusal: its sentence is the hold reason until the hooks are asked again or the primary recovers.
        if (MayBeHeldByVeto(s) && lastVeto is { Request: null } v && v.Reason == s.HoldReason)
            return new VetoView(Vetoed, v.Kind.Text(), v.From, v.To, null, v.Time, v.Veto, s.VetoRetryAt);
        return null;
    }

    /// <summary>Whether a refused automatic failover may be what holds the service, so the journal is worth reading for it.</summary>
    public static bool MayBeHeldByVeto(ServiceState s) => s is { PendingVeto: null, Failover: null, VetoRetryAt: not null, HoldReason: not null };

    public static async Task<ChangeVetoed?> LastVetoAsync(IJournal journal, ServiceState s, CancellationToken ct) =>
        MayBeHeldByVeto(s) ? (await journal.ReadAsync(new JournalQuery(s.Name, EventTypes.ChangeVetoed), ct)).OfType<ChangeVetoed>().LastOrDefault() : null;
}
