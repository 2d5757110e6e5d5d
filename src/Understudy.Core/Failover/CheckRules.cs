using Understudy.Core.Detection;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>Check results become member health (fall/rise, passive signals); then the failover rules are read in order.</summary>
internal static class CheckRules
{
    public static void OnCheck(DecisionBuilder d, CheckResult check)
    {
        ServiceState state = d.State;
        if (!state.Members.TryGetValue(check.Member, out MemberState? member))
        {
            d.Quiet = $"ignored a check of '{check.Member}', which is not a member of {state.Name}";
            return;
        }
        // A burst of refused connects is one signal, and only the routable member's matters to clients.
        if (check.Origin == CheckOrigin.Passive && (member.Suspected || member.Name != state.Routable || member.Health == Health.Down))
        {
            d.Quiet = $"{member.Name} is already {(member.Suspected ? "being confirmed" : "not routable or down")}; the refused connect adds nothing";
            return;
        }

        check = ReplicationRules.Read(state, member, check, out ReplicationView? pg);
        var spec = state.Spec.Check;
        HealthTracker tracker = check.OnlySuspicion ? member.Tracker : member.Tracker.Observe(check.Ok, check.Origin, spec.Fall, spec.Rise);
        bool suspected = member.Suspected;
        if (check.Origin == CheckOrigin.Passive) suspected = true;
        else if (check.Ok || tracker.Health == Health.Down) suspected = false;
        d.Observe(new MemberObserved(member.Name, tracker, suspected, check.Detail, pg));
        SynchronousRules.WatchCatchUp(d, check);

        if (check.Origin == CheckOrigin.Passive)
        {
            d.Emit(new MemberSuspected(check.Detail)
            {
                Member = member.Name,
                Reason = $"the proxy could not connect to {member.Name} ({check.Detail}); confirming with active checks now",
            });
            d.Do(new ConfirmMember(member.Name, tracker.ChecksToConfirmDown(spec.Fall), state.Epoch));
        }

        if (tracker.Health != member.Health && tracker.Health != Health.Unknown)
        {
            string origin = check.Origin.ToString().ToLowerInvariant();
            if (tracker.Health == Health.Up)
                d.Emit(new MemberUp(check.Detail, origin)
                {
                    Member = member.Name,
                    Reason = member.Health == Health.Unknown ? $"{member.Name} passed its first check" : $"{member.Name} passed {spec.Rise} checks in a row",
                });
            else
                d.Emit(new MemberDown(check.Detail, origin) { Member = member.Name, Reason = $"{member.Name} failed {spec.Fall} checks in a row (last: {check.Detail})" });
        }

        ReplicationRules.EvaluateRoles(d, member.Name);
        d.Quiet = check.Ok ? $"{member.Name} is {tracker.Health.ToString().ToLowerInvariant()}"
                           : $"{member.Name} failed a check ({check.Detail}); {tracker.Failures} of {spec.Fall} toward down";
    }

    /// <summary>
    /// The failover rules in order, as Patroni's cycle reads: each early return says why nothing
    /// (more) happens. Runs after every input.
    /// </summary>
    public static void Evaluate(DecisionBuilder d)
    {
        ServiceState s = d.State;
        if (s.Failover is not null)
        {
            FailoverRules.Continue(d);
            return;
        }

        MemberState primary = s.PrimaryMember;
        QuorumRules.Watch(d);
        // Nothing routable after a failed failover waits for an operator; a PostgreSQL primary not yet
        // confirmed since a restart is judged like any other, so its death is acted on, not held silently.
        bool awaitingOperator = s.Routable is null && s.RolesConfirmed;
        if (primary.Health != Health.Down || awaitingOperator || (!s.RolesConfirmed && !s.PrimaryKnown && s.Epoch == ServiceState.FirstEpoch && s.LastFailoverAt is null))
        {
            if (primary.Health == Health.Up && s.Routable is not null && (s.Degraded || s.HoldReason is not null))
                d.Emit(new ServiceRestored { Member = primary.Name, Reason = $"primary {primary.Name} is up again; nothing was failed over" });
            SynchronousRules.ManageSynchronousStandbys(d);
            ReplicationRules.WatchRedisReplicas(d);
            return;
        }

        if (!QuorumRules.Agreed(s))
        {
            d.Quiet = QuorumRules.Waiting(s);
            return;
        }
        // Someone already promoted a standby: follow the servers, whatever the mode — holding would keep clients
        // from the only writable server. The failover's steps are the usual ones; its promotion finds it done.
        if (ReplicationRules.Adoptable(s) is { } adopted)
        {
            FailoverRules.Start(d, s.Members[adopted],
                reason: $"primary {primary.Name} is down and {adopted} accepts writes (promoted outside Understudy): adopting it as the primary of epoch {s.Epoch + 1}");
            return;
        }
        if (s.Pause is { } pause)
        {
            Hold(d, $"primary {primary.Name} is down but {s.Name} is paused by {pause.By} ({pause.Reason}): nothing is failed over until it is resumed");
            return;
        }
        if (s.Spec.Failover.Mode == Topology.FailoverMode.Manual)
        {
            Hold(d, $"primary {primary.Name} is down and failover.mode is manual: an operator must request a failover");
            return;
        }
        if (s.IsInCooldown(d.Now))
        {
            Hold(d, $"primary {primary.Name} is down but the cooldown after the last failover lasts until {s.CooldownUntil:O}");
            return;
        }
        if (Candidates.Pick(s) is not { } next)
        {
            Degrade(d, $"primary {primary.Name} is down and no standby can take over ({Candidates.WhyNone(s)}); nothing promoted");
            return;
        }
        // One question at a time: the answer about another change (or another target) comes first.
        if (s.PendingVeto is { } asked)
        {
            d.Quiet = $"primary {primary.Name} is down; waiting for the veto hooks' answer about the {asked.Kind.Text()} to {asked.To}";
            return;
        }
        if (VetoRules.MustAsk(d, Journal.RequestKind.Failover, next.Name, null))
        {
            if (s.VetoRetryAt is { } retryAt && d.Now < retryAt) d.Quiet = $"primary {primary.Name} is down; the failover was vetoed and is asked about again at {retryAt:O}";
            else VetoRules.Ask(d, Journal.RequestKind.Failover, next.Name, null);
            return;
        }
        FailoverRules.Start(d, next, reason: primary.ReplicationRestored
            ? $"primary {primary.Name} is down; failing over to {next.Name}, the first healthy candidate, its lag judged against what {primary.Name} was last seen " +
              "writing and streaming to before this controller restarted"
            : null);
    }

    /// <summary>Journals and alerts once per distinct reason, so repeated failed checks stay quiet.</summary>
    private static void Hold(DecisionBuilder d, string reason)
    {
        if (d.State.HoldReason == reason) return;
        d.Emit(new FailoverHeld { Member = d.State.Primary, Reason = reason });
        d.Alert("critical", $"{d.State.Name}: {reason}", d.State.Primary);
    }

    private static void Degrade(DecisionBuilder d, string reason)
    {
        if (d.State.Degraded && d.State.HoldReason == reason) return;
        d.Emit(new ServiceDegraded { Member = d.State.Primary, Reason = reason });
        d.Alert("critical", $"{d.State.Name}: {reason}", d.State.Primary);
    }
}
