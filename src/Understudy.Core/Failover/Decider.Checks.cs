using Understudy.Core.Detection;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

public static partial class Decider
{
    private static void OnCheck(Outcome o, CheckResult check)
    {
        ServiceState state = o.State;
        if (!state.Members.TryGetValue(check.Member, out MemberState? member))
        {
            o.Quiet = $"ignored a check of '{check.Member}', which is not a member of {state.Name}";
            return;
        }
        // A burst of refused connects is one signal, and only the routable member's matters to clients.
        if (check.Origin == CheckOrigin.Passive && (member.Suspected || member.Name != state.Routable || member.Health == Health.Down))
        {
            o.Quiet = $"{member.Name} is already {(member.Suspected ? "being confirmed" : "not routable or down")}; the refused connect adds nothing";
            return;
        }

        check = ObservePostgres(o, check);
        member = o.State.Members[member.Name];
        var spec = state.Spec.Check;
        HealthTracker tracker = member.Tracker.Observe(check.Ok, check.Origin, spec.Fall, spec.Rise);
        bool suspected = member.Suspected;
        if (check.Origin == CheckOrigin.Passive)
        {
            suspected = true;
            o.Event(EventTypes.MemberSuspected, member.Name,
                $"the proxy could not connect to {member.Name} ({check.Detail}); confirming with active checks now");
            o.Do(new ConfirmMember(member.Name, tracker.ChecksToConfirmDown(spec.Fall), state.Epoch));
        }
        else if (check.Ok || tracker.Health == Health.Down)
        {
            suspected = false;
        }

        o.State = o.State.WithMember(member with { Tracker = tracker, Suspected = suspected, LastDetail = check.Detail });

        if (tracker.Health != member.Health && tracker.Health != Health.Unknown)
        {
            bool up = tracker.Health == Health.Up;
            string reason = up
                ? member.Health == Health.Unknown
                    ? $"{member.Name} passed its first check"
                    : $"{member.Name} passed {spec.Rise} checks in a row"
                : $"{member.Name} failed {spec.Fall} checks in a row (last: {check.Detail})";
            o.Event(up ? EventTypes.MemberUp : EventTypes.MemberDown, member.Name, reason,
                ("detail", check.Detail), ("origin", check.Origin.ToString().ToLowerInvariant()));
        }

        EvaluateRoles(o, member.Name);
        o.Quiet = check.Ok ? $"{member.Name} is {tracker.Health.ToString().ToLowerInvariant()}"
                           : $"{member.Name} failed a check ({check.Detail}); {tracker.Failures} of {spec.Fall} toward down";
    }

    /// <summary>
    /// The failover rules in order, as Patroni's cycle reads: each early return says why nothing
    /// (more) happens. Runs after every change of member health.
    /// </summary>
    private static void Evaluate(Outcome o)
    {
        ServiceState s = o.State;
        if (s.Failover is not null)
        {
            ContinueFailover(o);
            return;
        }

        MemberState primary = s.PrimaryMember;
        // Nothing routable after a failed failover waits for an operator; a PostgreSQL primary not yet
        // confirmed since a restart is judged like any other, so its death is acted on, not held silently.
        bool awaitingOperator = s.Routable is null && s.RolesConfirmed;
        if (primary.Health != Health.Down || awaitingOperator || (!s.RolesConfirmed && !s.PrimaryKnown && s.Epoch == ServiceState.FirstEpoch && s.LastFailoverAt is null))
        {
            if (primary.Health == Health.Up && s.Routable is not null && (s.Degraded || s.HoldReason is not null))
            {
                o.Event(EventTypes.ServiceRestored, primary.Name, $"primary {primary.Name} is up again; nothing was failed over");
                o.State = s with { Degraded = false, HoldReason = null };
            }
            ManageSynchronousStandbys(o);
            return;
        }

        if (s.Pause is { } pause)
        {
            Hold(o, $"primary {primary.Name} is down but {s.Name} is paused by {pause.By} ({pause.Reason}): nothing is failed over until it is resumed");
            return;
        }
        if (s.Spec.Failover.Mode == Topology.FailoverMode.Manual)
        {
            Hold(o, $"primary {primary.Name} is down and failover.mode is manual: an operator must request a failover");
            return;
        }
        if (s.IsInCooldown(o.Now))
        {
            Hold(o, $"primary {primary.Name} is down but the cooldown after the last failover lasts until {s.CooldownUntil:O}");
            return;
        }
        if (Candidates.Pick(s) is not { } next)
        {
            Degrade(o, $"primary {primary.Name} is down and no standby can take over ({Candidates.WhyNone(s)}); nothing promoted");
            return;
        }
        StartFailover(o, next);
    }

    /// <summary>Journals and alerts once per distinct reason, so repeated failed checks stay quiet.</summary>
    private static void Hold(Outcome o, string reason)
    {
        if (o.State.HoldReason == reason) return;
        o.State = o.State with { HoldReason = reason };
        o.Event(EventTypes.FailoverHeld, o.State.Primary, reason);
        o.Alert("critical", $"{o.State.Name}: {reason}", o.State.Primary);
    }

    private static void Degrade(Outcome o, string reason)
    {
        if (o.State.Degraded && o.State.HoldReason == reason) return;
        o.State = o.State with { Degraded = true, HoldReason = reason };
        o.Event(EventTypes.ServiceDegraded, o.State.Primary, reason);
        o.Alert("critical", $"{o.State.Name}: {reason}", o.State.Primary);
    }
}
