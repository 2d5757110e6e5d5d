namespace Understudy.Core.Guard;

/// <summary>Watching: the member runs as it likes. Fencing and Lifting: the step is under way. Fenced: the guard holds it stopped.</summary>
public enum GuardPhase { Watching, Fencing, Fenced, Lifting }

/// <param name="MayRestart">The guard stopped a running server itself, so lifting the fence may start it again.</param>
/// <param name="RetryAt">After a failed step: nothing new before this instant.</param>
/// <param name="Told">The last "stays fenced" sentence, so that each is said once.</param>
public sealed record GuardState(GuardPhase Phase, bool MayRestart = false, TimeSpan? RetryAt = null, string? Told = null)
{
    public static readonly GuardState Initial = new(GuardPhase.Watching);

    public bool IsFenced => Phase is GuardPhase.Fencing or GuardPhase.Fenced or GuardPhase.Lifting;
}

/// <summary>
/// What the guard has seen as of <see cref="Now"/>. Instants are on the monotonic clock, as time since the guard started.
/// </summary>
/// <param name="LeaseRenewedAt">When the last grant or keep-alive that etcd answered was sent.</param>
/// <param name="MajorityAnsweredAt">When the last round of probes that a majority of the known instances answered was sent; never with none known.</param>
/// <param name="Committed">The service's log as read in this round; null when it was not read (etcd out of reach, or no need).</param>
public sealed record GuardView(TimeSpan Now, TimeSpan? LeaseRenewedAt, TimeSpan? MajorityAnsweredAt, int KnownInstances, CommittedPrimary? Committed);

public enum GuardAction { None, Fence, Lift }

/// <summary>The next state, the step to take (if any), and the sentence for the log.</summary>
public sealed record GuardDecision(GuardState State, GuardAction Action, string? Reason);

/// <param name="Stopped">Fencing: a running server or service was stopped (so it may be started again). Lifting: unused.</param>
public sealed record StepOutcome(bool Ok, bool Stopped, string Detail);

/// <summary>
/// When a guard fences its member and when it lifts the fence, as a pure function of what it has seen and the
/// instant. Safety contract: it fences once the guard has neither renewed its lease nor heard from a majority of the
/// known instances for <c>lease</c> (the leader may fail the member over by then); it lifts only a fence it put up
/// on a server it stopped itself, and only when the log, read while the lease is held, names the member primary of
/// the current epoch. A member failed over from stays fenced: an operator rejoins it.
/// </summary>
public sealed class GuardRules(string member, TimeSpan lease)
{
    public GuardDecision Decide(GuardState s, GuardView v)
    {
        if (s.RetryAt > v.Now) return new(s, GuardAction.None, null);
        return s.Phase switch
        {
            GuardPhase.Watching => Watch(s, v),
            GuardPhase.Fenced => WhileFenced(s, v),
            _ => new(s, GuardAction.None, null), // a step is under way; its outcome comes next
        };
    }

    public GuardDecision Fenced(StepOutcome o, TimeSpan now) => o switch
    {
        { Ok: true, Stopped: true } => new(new GuardState(GuardPhase.Fenced, MayRestart: true), GuardAction.None, $"{member} fenced: {o.Detail}"),
        { Ok: true } => new(new GuardState(GuardPhase.Fenced), GuardAction.None, $"{member} fenced: {o.Detail}; the guard did not stop it, so it will not start it"),
        _ => new(GuardState.Initial with { RetryAt = now + GuardDefaults.RetryAfter }, GuardAction.None, $"fencing {member} failed: {o.Detail}; trying again"),
    };

    public GuardDecision Lifted(GuardState s, StepOutcome o, TimeSpan now) => o.Ok
        ? new(GuardState.Initial, GuardAction.None, $"{member}'s fence lifted: {o.Detail}")
        : new(s with { Phase = GuardPhase.Fenced, RetryAt = now + GuardDefaults.RetryAfter }, GuardAction.None, $"lifting {member}'s fence failed: {o.Detail}; trying again");

    private GuardDecision Watch(GuardState s, GuardView v)
    {
        TimeSpan connectedAt = Latest(TimeSpan.Zero, v.LeaseRenewedAt, v.MajorityAnsweredAt);
        TimeSpan cut = v.Now - connectedAt;
        if (cut < lease) return new(s, GuardAction.None, null);
        string instances = v.KnownInstances == 0 ? "no instance known" : $"no majority of the {v.KnownInstances} known instances";
        return new(new GuardState(GuardPhase.Fencing), GuardAction.Fence,
            $"{member}: no lease renewal and {instances} answering for {cut.TotalSeconds:0.0} s (guard lease {lease.TotalSeconds:0} s): fencing it");
    }

    private GuardDecision WhileFenced(GuardState s, GuardView v)
    {
        bool holdsLease = v.LeaseRenewedAt is { } renewed && v.Now - renewed < lease;
        if (!holdsLease || v.Committed is not { } c) return new(s, GuardAction.None, null);
        if (c.NewerSchema) return Tell(s, $"{member} stays fenced: the log holds records newer than this guard reads; upgrade it");
        if (c.Primary == member)
        {
            return s.MayRestart
                ? new(s with { Phase = GuardPhase.Lifting, Told = null }, GuardAction.Lift, $"the log names {member} primary ({c}): lifting its fence")
                : new(GuardState.Initial, GuardAction.None, $"the log names {member} primary ({c}); the guard did not stop it, so it starts nothing");
        }
        if (c.Primary is null) return Tell(s, $"{member} stays fenced: the log names no primary yet ({c})");
        return Tell(s with { MayRestart = false },
            $"{member} stays fenced: the log names {c.Primary} primary ({c}), a failover happened; rejoin {member} as a standby");
    }

    private static GuardDecision Tell(GuardState s, string reason) =>
        s.Told == reason ? new(s, GuardAction.None, null) : new(s with { Told = reason }, GuardAction.None, reason);

    private static TimeSpan Latest(TimeSpan first, params TimeSpan?[] others) =>
        others.Aggregate(first, (max, t) => t is { } x && x > max ? x : max);
}
