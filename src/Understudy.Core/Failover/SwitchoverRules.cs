using Understudy.Core.Detection;
using Understudy.Core.Journal;
using Understudy.Core.Topology;

namespace Understudy.Core.Failover;

/// <summary>
/// A planned change of primary: drain, then the next epoch, then switch; abandoned or handed back if the target fails.
/// PostgreSQL also stops the old primary after the drain, waits for the target to replay its last WAL, promotes, and
/// makes the old primary a standby of the new one.
/// </summary>
internal static class SwitchoverRules
{
    /// <summary>
    /// A planned switchover drains before anything changes hands: new connections are held (nothing is
    /// routable), open ones to the old primary get <c>drain_timeout</c>. The epoch advances only after, so
    /// no new connection reaches the old primary once the hold began (rule 1).
    /// </summary>
    public static void Start(DecisionBuilder d, OperatorRequest request)
    {
        ServiceState s = d.State;
        TimeSpan drain = s.Spec.Proxy?.Drain ?? TimeSpan.Zero;
        d.Emit(new SwitchoverStarted(s.Primary, request.To, request.Id)
        {
            Member = request.To, Actor = request.RequestedBy,
            Reason = $"switchover from {s.Primary} to {request.To} (request {request.Id}): new connections held, open ones to {s.Primary} drain for up to {drain.TotalSeconds:0.###} s",
        });
        d.Do(new DrainMember(s.Primary, drain, s.Epoch));
    }

    /// <summary>
    /// Drained: the new primary takes the next epoch if it is still up; otherwise the old one keeps the traffic. A
    /// PostgreSQL old primary is stopped first, and the epoch advances only once the target has replayed its last WAL.
    /// </summary>
    public static void Drained(DecisionBuilder d, FailoverProgress f, string detail)
    {
        MemberState target = d.State.Members[f.To];
        if (target.Health != Health.Up || target.NeedsRejoin)
        {
            Abandon(d, f, $"{f.To} is {(target.NeedsRejoin ? "marked for rejoin" : target.Health.ToString().ToLowerInvariant())} after the drain");
            return;
        }
        if (!d.State.IsReplicated)
        {
            Advance(d, f, detail, $"{f.From} drained ({detail})");
            return;
        }
        if (!Candidates.IsPromotable(d.State, target, out string whyNot))
        {
            Abandon(d, f, $"{f.To} cannot take over after the drain: {whyNot}");
            return;
        }
        // Read-only is no fence (any client may BEGIN READ WRITE): a PostgreSQL old primary stops, so its last WAL is final;
        // a Redis one has its writes paused (CLIENT PAUSE WRITE), so its replication offset is.
        d.Emit(new SwitchoverStopping(f.From, f.To)
        {
            Member = f.From,
            Reason = d.State.IsPostgres
                ? $"{f.From} drained ({detail}); stopping it cleanly (pg_ctl stop -m fast) so that {f.To} can replay its last WAL before it is promoted"
                : $"{f.From} drained ({detail}); pausing its writes (CLIENT PAUSE WRITE) so that {f.To} can take its last writes before it is promoted",
        });
        d.Do(new StopMember(f.From, d.State.Epoch));
    }

    /// <summary>The next epoch makes the target the primary; the switch waits until no proxy routes to the old primary.</summary>
    private static void Advance(DecisionBuilder d, FailoverProgress f, string detail, string why)
    {
        long epoch = d.State.Epoch + 1;
        d.Emit(new MemberFenced(detail, f.From, f.To) { Epoch = epoch, Member = f.From, Reason = $"{why}; epoch {epoch} makes {f.To} the primary" });
        // As in a failover, the switch waits until no proxy routes to the old primary (with several controllers,
        // every instance's); a planned change runs no fence hooks: the old primary is healthy and stays a standby.
        d.Do(new FenceMember(f.From, f.To, epoch, Planned: true));
    }

    /// <summary>PostgreSQL: the old primary stopped at its shutdown checkpoint; the target must replay past it.</summary>
    public static void Stopped(DecisionBuilder d, FailoverProgress f, StepCompleted done)
    {
        if (!done.Succeeded || done.Lsn is not { } lsn)
        {
            GiveBack(d, f, $"stopping {f.From} cleanly failed ({done.Detail})");
            return;
        }
        d.Emit(new MemberStopped(lsn, done.Detail)
        {
            Member = f.From,
            Reason = (d.State.IsPostgres ? $"{f.From} stopped cleanly at its shutdown checkpoint {ReplicationView.Lsn(lsn)}" : $"{f.From} takes no writes, at offset {lsn}")
                   + $" ({done.Detail}); waiting up to {PostgresDefaults.CatchUpTimeout.TotalSeconds:0} s for {f.To} to {(d.State.IsPostgres ? "replay past it" : "reach it")}",
        });
        d.Do(new AwaitReplay(f.To, lsn, d.State.Epoch));
    }

    /// <summary>PostgreSQL: the target holds every write the old primary made, so it may be promoted; else the old primary gets its traffic back.</summary>
    public static void CaughtUp(DecisionBuilder d, FailoverProgress f, StepCompleted done)
    {
        string lsn = ReplicationView.Lsn(f.CheckpointLsn);
        if (!done.Succeeded)
        {
            GiveBack(d, f, $"{f.To} did not replay past {f.From}'s shutdown checkpoint {lsn} ({done.Detail})");
            return;
        }
        MemberState target = d.State.Members[f.To];
        if (target.Health != Health.Up || target.NeedsRejoin)
        {
            GiveBack(d, f, $"{f.To} is {(target.NeedsRejoin ? "marked for rejoin" : target.Health.ToString().ToLowerInvariant())} after catching up");
            return;
        }
        Advance(d, f, done.Detail, $"{f.From} is stopped and {f.To} replayed past its shutdown checkpoint {lsn} ({done.Detail})");
    }

    /// <summary>PostgreSQL, before the epoch advanced: nothing was promoted, so the old primary is started again and keeps its epoch.</summary>
    public static void GiveBack(DecisionBuilder d, FailoverProgress f, string why)
    {
        d.Emit(new SwitchoverGivingBack(f.From, f.To, why)
        {
            Member = f.From, Reason = $"switchover from {f.From} to {f.To} called off: {why}; starting {f.From} again to give it its traffic back (epoch {d.State.Epoch})",
        });
        d.Do(new StartMember(f.From, d.State.Epoch));
    }

    /// <summary>
    /// The give-back's start ended. Started (pg_ctl start waits until it accepts connections), it is routed at once: what its
    /// checks said while it was stopped is stale, so its health is learned anew rather than failed over. Not started,
    /// nothing is routable; the roles are read from the servers again, as after a restart.
    /// </summary>
    public static void GivenBack(DecisionBuilder d, FailoverProgress f, StepCompleted done)
    {
        if (done.Succeeded)
        {
            MemberState old = d.State.Members[f.From];
            d.Observe(new MemberObserved(f.From, HealthTracker.Initial, false, $"started again ({done.Detail})", old.Replication));
            Abandon(d, f, $"{f.From} was started again ({done.Detail})");
            return;
        }
        string reason = $"switchover from {f.From} to {f.To} called off, and starting {f.From} again failed ({done.Detail}); nothing is routable: "
                      + $"start {f.From} by hand (it gets traffic once seen writable), or request a failover";
        d.Emit(new SwitchoverFailed(f.From, f.To, f.From, null, f.Request) { Member = f.From, Reason = reason });
        RequestRules.Finish(d, f, false, reason);
        d.Alert("critical", $"{d.State.Name}: {reason}", f.From);
    }

    /// <summary>PostgreSQL: the old primary restarted as a standby of the new one is a candidate again at once; if that failed, it needs a rejoin.</summary>
    public static void Followed(DecisionBuilder d, FollowPrimary step, StepCompleted done)
    {
        string reason = done.Succeeded
            ? $"{step.Member} runs as a standby of {step.Primary} ({done.Detail}); it is a candidate again"
            : $"{step.Member} could not be made a standby of {step.Primary} ({done.Detail}); it stays out until an operator rejoins it (understudy rejoin {d.State.Name} {step.Member})";
        d.Emit(new MemberFollowing(step.Primary, done.Succeeded, done.Detail) { Member = step.Member, Epoch = step.Epoch, Reason = reason });
        if (!done.Succeeded) d.Alert("critical", $"{d.State.Name}: {reason}", step.Member);
    }

    /// <summary>Before the epoch advanced nothing changed hands: the primary of this epoch gets its traffic back.</summary>
    public static void Abandon(DecisionBuilder d, FailoverProgress f, string why)
    {
        string reason = $"switchover from {f.From} to {f.To} abandoned: {why}; traffic stays on {f.From} (epoch {d.State.Epoch})";
        d.Emit(new SwitchoverFailed(f.From, f.To, f.From, f.From, f.Request) { Member = f.To, Reason = reason });
        RequestRules.Finish(d, f, false, reason);
        d.Alert("warning", $"{d.State.Name}: {reason}", f.To);
    }

    /// <summary>
    /// The new primary failed after the epoch advanced. A switchover's old primary did not fail, so if it is
    /// still up it takes the next epoch back; otherwise nothing is routable and an operator decides.
    /// </summary>
    public static void Failed(DecisionBuilder d, FailoverProgress f, string why)
    {
        ServiceState s = d.State;
        if (f.Stage == FailoverStage.Draining)
        {
            Abandon(d, f, why);
            return;
        }
        // A PostgreSQL old primary was stopped before the epoch advanced, and the target may be half promoted: an operator decides.
        bool handBack = !s.IsReplicated && s.Members[f.From].Health == Health.Up && !s.Members[f.From].NeedsRejoin;
        string reason = handBack
            ? $"switchover from {f.From} to {f.To} failed: {why}; {f.From} is still up and takes traffic back in epoch {s.Epoch + 1}"
            : s.IsReplicated
                ? $"switchover from {f.From} to {f.To} failed: {why}; {f.From} was {(s.IsPostgres ? "stopped" : "paused")} for it, so nothing is routable until {f.To} is seen writable"
                : $"switchover from {f.From} to {f.To} failed: {why}; {f.From} is not up either, so nothing is routable";
        d.Emit(handBack
            ? new SwitchoverFailed(f.From, f.To, f.From, f.From, f.Request) { Epoch = s.Epoch + 1, Member = f.To, Reason = reason }
            : new SwitchoverFailed(f.From, f.To, s.Primary, null, f.Request) { Member = f.To, Reason = reason });
        RequestRules.Finish(d, f, false, reason);
        d.Alert("critical", $"{d.State.Name}: {reason}", f.To);
    }
}
