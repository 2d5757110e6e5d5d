using Understudy.Core.Detection;
using Understudy.Core.Journal;
using Understudy.Core.Topology;

namespace Understudy.Core.Failover;

/// <summary>
/// The pre-checks of a person's switchover or failover, shared by the decider (when it is asked, and again
/// when it is approved) and the API's dry run, which shows the plan without changing anything.
/// </summary>
public static class ChangeChecks
{
    /// <summary>The member that would take over, or why the change cannot be made now.</summary>
    public static bool TryTarget(ServiceState s, RequestKind kind, string? to, out string target, out string whyNot)
    {
        target = "";
        whyNot = Blocker(s, kind) ?? "";
        if (whyNot.Length > 0) return false;

        if (to is not null)
        {
            if (!s.Members.TryGetValue(to, out MemberState? member))
            {
                whyNot = $"to: {s.Name} has no member '{to}' (members: {string.Join(", ", s.Spec.Members.Select(m => m.Name))})";
                return false;
            }
            if (!Candidates.IsPromotable(s, member, out string why))
            {
                whyNot = $"{to} cannot take over: {why}";
                return false;
            }
            target = to;
            return true;
        }
        if (Candidates.Pick(s) is not { } best)
        {
            whyNot = $"no member can take over ({Candidates.WhyNone(s)})";
            return false;
        }
        target = best.Name;
        return true;
    }

    /// <summary>
    /// A forced failover, and to whom. Two cases, each journaled as the operator accepting a risk: a failover stopped at
    /// its failed fence goes on (only to the member it was going to, while that member is up); or, for PostgreSQL with
    /// the primary down and no standby passing the lag rules (its lag unknown, not streaming when last seen, beyond
    /// max_lag), the standby named or else the most advanced healthy one is promoted, and what it never received is lost.
    /// </summary>
    public static bool TryForce(ServiceState s, RequestKind kind, string? to, out string target, out string whyNot)
    {
        target = "";
        if (kind == RequestKind.Failover && s.Pause is null && s.Failover is { Stage: FailoverStage.FenceFailed } f)
        {
            whyNot = to is not null && to != f.To ? $"the failover stopped at its fence is to {f.To}; force carries on that one, not one to {to}"
                : s.Members[f.To].Health != Health.Up ? $"{f.To} is {s.Members[f.To].Health.ToString().ToLowerInvariant()}: it cannot be promoted now"
                : "";
            if (whyNot.Length == 0) target = f.To;
            return whyNot.Length == 0;
        }
        whyNot = kind != RequestKind.Failover ? "force applies to a failover only" : Blocker(s, kind) ?? "";
        if (whyNot.Length > 0) return false;
        if (!s.IsReplicated)
        {
            whyNot = $"force carries on a failover stopped by a failed required fence hook, or promotes a standby whose lag is unknown; {s.Name} has neither";
            return false;
        }
        if (TryTarget(s, kind, to, out string regular, out string unforced))
        {
            whyNot = $"a failover without force can promote {regular}: force is only for when no standby passes the lag rules";
            return false;
        }
        if (to is not null)
        {
            if (!s.Members.TryGetValue(to, out MemberState? member)) whyNot = unforced; // names the members there are
            else if (Candidates.WhyNotForced(s, member) is { } why) whyNot = $"{to} cannot take over even by force: {why}";
            else target = to;
            return whyNot.Length == 0;
        }
        if (Candidates.ForcedRanked(s).FirstOrDefault() is not { } best)
        {
            whyNot = "no standby can take over even by force (" + string.Join("; ", s.Spec.Members.Where(m => m.Name != s.Primary)
                .Select(m => $"{m.Name}: {Candidates.WhyNotForced(s, s.Members[m.Name])}")) + ")";
            return false;
        }
        target = best.Name;
        return true;
    }

    /// <summary>What the lag rules say against a forced PostgreSQL failover's target: the risk the operator accepts.</summary>
    public static string LagRisk(ServiceState s, string target) =>
        Candidates.IsPromotable(s, s.Members[target], out string whyNot) ? "" : whyNot;

    private static string? Blocker(ServiceState s, RequestKind kind)
    {
        if (s.Pause is { } p) return $"{s.Name} is paused by {p.By} ({p.Reason}): resume it first";
        if (s.Failover is { } f) return $"a {f.Word} from {f.From} to {f.To} is under way";
        if (s.PendingVeto is { } v) return $"the veto hooks are being asked about a {v.Kind.Text()} to {v.To}";
        MemberState primary = s.PrimaryMember;
        if (kind == RequestKind.Switchover)
        {
            // Read-only is no fence: the old primary is stopped, with pg_ctl on its data directory, as the controller's own step.
            if (s.IsPostgres && s.Spec.Member(s.Primary).DataDir is null)
                return $"a PostgreSQL switchover stops {s.Primary} with pg_ctl on its data directory, and {s.Primary} has no data_dir: set members[].data_dir "
                     + $"(the controller must run on its host), or stop {s.Primary} yourself and request a failover";
            if (primary.Health != Health.Up || s.Routable != s.Primary)
                return $"primary {s.Primary} is not up and receiving traffic (health {primary.Health.ToString().ToLowerInvariant()}); "
                     + "a switchover moves traffic off a healthy primary: request a failover if it is down";
            return null;
        }
        if (primary.Health != Health.Down)
            return $"primary {s.Primary} is not down (health {primary.Health.ToString().ToLowerInvariant()}); "
                 + "a failover replaces a primary that is down: request a switchover for a planned change";
        return null;
    }

    /// <summary>What carrying out the change would do, step by step, for the dry run and the request's record.</summary>
    public static IReadOnlyList<string> Steps(ServiceState s, RequestKind kind, string target, string requestedBy, bool force = false)
    {
        var steps = new List<string>();
        ServiceSpec spec = s.Spec;
        int approvals = spec.Failover.Approvals;
        if (approvals > 0)
            steps.Add($"wait for {approvals} approval{(approvals == 1 ? "" : "s")} from people other than {requestedBy} (the request expires after {Words(spec.Failover.ApprovalWindow)}); then check all of this again");
        if (force && s.Failover is { } stopped)
        {
            steps.Add($"count {stopped.From} as fenced although a required fence hook failed ({stopped.FenceFailure}): you accept that it may still run and accept writes");
            AfterFence(steps, s, stopped.From, target);
            return steps;
        }
        if (force)
            steps.Add($"promote {target} although {LagRisk(s, target)}: you accept that writes {s.Primary} acknowledged and {target} never received are lost");
        long next = s.Epoch + 1;
        if (kind == RequestKind.Switchover)
        {
            steps.Add(spec.Proxy is { } p
                ? $"hold new connections to {spec.Name} and give open connections to {s.Primary} up to {Words(p.Drain)} to close, then close the rest"
                : $"no built-in proxy: nothing to drain");
            if (s.IsReplicated)
            {
                // One sequence for both kinds; only the commands that carry each step out differ.
                bool pg = s.IsPostgres;
                steps.Add(pg ? $"stop {s.Primary} cleanly (pg_ctl stop -m fast) and read its shutdown checkpoint (pg_controldata)"
                             : $"pause writes on {s.Primary} (CLIENT PAUSE WRITE) and read its replication offset");
                steps.Add($"wait up to {Words(PostgresDefaults.CatchUpTimeout)} for {target} to " + (pg
                    ? $"replay past that checkpoint; if it does not, start {s.Primary} again and give it its traffic back"
                    : $"reach that offset; if it does not, unpause {s.Primary} and give it its traffic back"));
                steps.Add($"advance to epoch {next} with {target} as primary, promote it " + (pg ? "(pg_promote) and verify it left recovery" : "(REPLICAOF NO ONE) and verify its role"));
                Repoint(steps, s, s.Primary, target);
                steps.Add($"switch traffic to {target}");
                steps.Add(pg ? $"start {s.Primary} as a standby of {target} (standby.signal, primary_conninfo): a candidate again at once"
                             : $"make {s.Primary} a replica of {target} (REPLICAOF, then CLIENT UNPAUSE): a candidate again at once");
                AddHooks(steps, spec.Hooks.OnSwitchover.Length, HookTrigger.OnSwitchover);
                return steps;
            }
            steps.Add($"advance to epoch {next} with {target} as primary and switch traffic to it");
            AddHooks(steps, spec.Hooks.OnSwitchover.Length, HookTrigger.OnSwitchover);
            steps.Add($"{s.Primary} stays healthy and becomes a standby candidate");
            return steps;
        }
        steps.Add($"advance to epoch {next} and fence {s.Primary}: the proxy stops routing to it and closes its connections");
        AddHooks(steps, spec.Hooks.Fence.Length, HookTrigger.Fence);
        AfterFence(steps, s, s.Primary, target);
        return steps;
    }

    private static void AfterFence(List<string> steps, ServiceState s, string from, string target)
    {
        if (s.IsReplicated)
        {
            steps.Add(s.IsPostgres ? $"promote {target} (pg_promote) and verify it left recovery" : $"promote {target} (REPLICAOF NO ONE) and verify its role is master");
            Repoint(steps, s, from, target);
        }
        steps.Add($"switch traffic to {target}");
        AddHooks(steps, s.Spec.Hooks.OnFailover.Length, HookTrigger.OnFailover);
        steps.Add($"{from} stays out of traffic until an operator rejoins it");
    }

    private static void Repoint(List<string> steps, ServiceState s, string from, string target)
    {
        string[] others = [.. s.Spec.Members.Select(m => m.Name).Where(m => m != target && m != from)];
        if (others.Length > 0) steps.Add($"re-point {string.Join(", ", others)} at {target}");
    }

    private static void AddHooks(List<string> steps, int count, HookTrigger trigger)
    {
        if (count > 0) steps.Add($"run {count} {trigger.ConfigKey()} hook{(count == 1 ? "" : "s")}");
    }

    private static string Words(TimeSpan t) =>
        t.TotalMinutes >= 1 && t.TotalSeconds % 60 == 0 ? $"{t.TotalMinutes:0} min" : $"{t.TotalSeconds:0.###} s";
}
