using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>
/// Veto hooks (<c>hooks.veto</c>): before a failover or switchover starts, each is asked, in order; one that exits non-zero
/// refuses the change with its output as the reason (a change freeze, a deploy in progress, a region under maintenance).
/// Nothing else starts while they are asked. A vetoed request fails; a vetoed automatic failover is held, alerted, and
/// asked about again after <see cref="Retry"/>. A failover already under way (forced past its fence) is not asked again.
/// </summary>
internal static class VetoRules
{
    /// <summary>How long a vetoed automatic failover waits before the hooks are asked again.</summary>
    public static readonly TimeSpan Retry = TimeSpan.FromSeconds(30);

    /// <summary>Whether the veto hooks must be asked before this change starts (they are configured and have not just allowed it).</summary>
    public static bool MustAsk(DecisionBuilder d, RequestKind kind, string to, string? request) =>
        !d.State.Spec.Hooks.VetoHooks.IsEmpty && d.VetoCleared != (kind, to, request);

    public static void Ask(DecisionBuilder d, RequestKind kind, string to, string? request)
    {
        string from = d.State.Primary;
        int hooks = d.State.Spec.Hooks.VetoHooks.Length;
        d.Emit(new VetoAsked(kind, from, to, request)
        {
            Member = to,
            Reason = $"asking {hooks} veto hook{(hooks == 1 ? "" : "s")} whether the {kind.Text()} from {from} to {to}{(request is null ? "" : $" (request {request})")} may start",
        });
        d.Do(new AskVeto(kind, from, to, d.State.Epoch, request));
    }

    /// <summary>
    /// The hooks answered. Allowed: the change starts now if it still may (the rules run again, as after an approval).
    /// Refused: journaled with the hook's words and alerted.
    /// </summary>
    public static void Answered(DecisionBuilder d, AskVeto ask, StepCompleted done)
    {
        if (d.State.PendingVeto is not { } q || (q.Kind, q.To, q.Request) != (ask.Kind, ask.To, ask.Request))
        {
            d.Quiet = $"ignored the veto hooks' answer about a {ask.Kind.Text()} to {ask.To}: no such question is open";
            return;
        }
        if (!done.Succeeded)
        {
            Refused(d, q, done.Detail);
            return;
        }
        d.Emit(new ChangeAllowed(q.Kind, q.To, q.Request) { Member = q.To, Reason = $"the veto hooks allow the {q.Kind.Text()} to {q.To}: {done.Detail}" });
        d.VetoCleared = (q.Kind, q.To, q.Request);
        // An automatic failover starts in this decision's evaluation, if the primary is still down and q.To still the pick.
        if (q.Request is not null && d.State.Request is { State: RequestState.Executing } request && request.Id == q.Request) RequestRules.Begin(d, request);
    }

    private static void Refused(DecisionBuilder d, VetoQuestion q, string veto)
    {
        DateTimeOffset? retry = q.Request is null ? d.Now + Retry : null;
        string reason = $"a veto hook refused the {q.Kind.Text()} from {q.From} to {q.To}: {veto}"
                      + (retry is { } at ? $"; nothing is failed over, and the veto hooks are asked again at {at:O}" : "");
        d.Emit(new ChangeVetoed(q.Kind, q.From, q.To, veto, q.Request, retry) { Member = q.To, Reason = reason });
        if (q.Request is { } id && d.State.Request?.Id == id)
            d.Emit(new RequestFailed(id, q.To) { Member = q.To, Reason = $"request {id}: {reason}" });
        d.Alert(q.Request is null ? "critical" : "warning", $"{d.State.Name}: {reason}", q.To);
    }
}
