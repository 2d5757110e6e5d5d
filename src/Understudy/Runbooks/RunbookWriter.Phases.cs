using Understudy.Core.Failover;
using Understudy.Core.Topology;
using Understudy.Drills.Reports;
using static Understudy.Runbooks.RunbookTimings;
using Events = Understudy.Core.Journal.EventTypes;

namespace Understudy.Runbooks;

/// <summary>The six phases people follow, in order, then what to do once the service is stable again.</summary>
internal sealed partial class RunbookWriter
{
    private void Detection()
    {
        Md.Heading(_b, 2, "1. Detection (automatic)");
        CheckSpec c = _s.Check;
        Line($"Every member is checked every {Format(c.Interval)}: {CheckText()}, timeout {Format(c.Timeout)}; it is down after {c.Fall} failures in a row.");
        if (_s.Proxy is not null)
            Line("The proxy notices first when clients connect: a refused connect starts confirming checks back to back, so a crashed process is "
                + $"confirmed in milliseconds and a hung one within {Format(PassiveDetection(c))} ((fall + 1) × timeout: a timed-out connect is only a suspicion, since an overloaded proxy times out too). One refused connect alone never fails anything over.");
        Line($"Without client traffic, active checks confirm it within {Format(ActiveDetection(c))} (fall × interval + timeout).");
        Line(Automatic
            ? $"Then the controller fails over by itself, unless the service is paused, is within `cooldown` ({Format(_s.Failover.Cooldown)}) of the last failover, "
              + $"or has no candidate: then it journals {C(Events.FailoverHeld)} or {C(Events.ServiceDegraded)} with the reason, and raises an alert."
            : $"The controller does not fail over (mode manual): it journals {C(Events.FailoverHeld)} and raises an alert, and new connections fail fast instead of being held. "
              + "Validate, then request the failover (phase 3).");
        _b.Append('\n');
        Md.Para(_b, $"Watch for {C(Events.MemberSuspected)}, {C(Events.MemberDown)}, {C(Events.FailoverStarted)}, {C(Events.FailoverHeld)}, {C(Events.ServiceDegraded)} and {C(Events.AlertRaised)}:");
        Md.Code(_b, "sh", $"{_cmd.Events}\n{_cmd.Status}");
    }

    private void Validation()
    {
        Md.Heading(_b, 2, "2. Validation (person)");
        Md.Para(_b, "Is the primary really down, or is the controller cut off from it? Check each member from another machine:");
        Md.Code(_b, "sh", string.Join("\n", _s.Members.Select(m => $"{Probe(m.Address)}   # {m.Name}: {ProbeExpects()}")));
        Line("`status` shows each member's health and last check detail, which member receives traffic, and the epoch"
            + (Postgres ? "; and each standby's replication lag." : "."));
        Line($"{C(Events.FailoverHeld)} and {C(Events.ServiceDegraded)} events say why nothing happened: paused, cooldown, manual mode, no candidate"
            + (Postgres ? $" (a standby beyond `max_lag` is named with its lag)." : "."));
        if (Postgres)
            Line($"Degraded because no standby's lag is known (the primary died while the controller was stopped for more than 5 minutes): check which standby has the most WAL, "
                + $"then an admin runs {C(_cmd.Force)}; it promotes the most advanced standby, and {C(Events.FailoverForced)} records that what it never received is lost.");
        Line(Automatic
            ? $"If {C(Events.FailoverStarted)} is already there, the controller is executing: go on to [verification](#5-verification-person)."
            : "Decide: request the failover (phase 3), or keep investigating.");
        _b.Append('\n');
        Md.Para(_b, "To keep the controller from acting while you investigate or repair (maintenance), pause the service; resume it afterwards:");
        Md.Code(_b, "sh", $"{_cmd.Pause}\n{_cmd.Resume}");
    }

    /// <summary>What a person runs to see a member as the controller's check does.</summary>
    private string Probe(HostPort at) => _s.Kind switch
    {
        ServiceKind.Http => $"curl -si {RunbookCommands.Shell($"http://{at}{_s.Check.Path}")}",
        ServiceKind.Tcp => $"nc -vz {at.Host} {at.Port}",
        ServiceKind.Redis => $"redis-cli -h {at.Host} -p {at.Port} role",
        _ => $"psql -h {at.Host} -p {at.Port} -U {RunbookCommands.Shell(_s.Postgres!.User)} -d {RunbookCommands.Shell(_s.Postgres.Database)} -c 'select pg_is_in_recovery()'",
    };

    private string ProbeExpects() => _s.Kind switch
    {
        ServiceKind.Http => $"expect {_s.Check.ExpectStatus}",
        ServiceKind.Tcp => "expect a connect",
        ServiceKind.Redis => "master on the primary, slave on a replica",
        _ => "f on the primary, t on a standby",
    };

    private void Approval()
    {
        Md.Heading(_b, 2, "3. Approval");
        Md.Para(_b, Automatic
            ? "The controller's own failover needs no request and no approval. A person requests a change when the controller held (see its reason) or to move the primary on purpose."
            : "Mode manual: nothing moves until a person requests the failover.");
        int n = _s.Failover.Approvals;
        Md.Para(_b, n == 0
            ? "`failover.approvals: 0`: a request needs no approval; it is carried out as soon as its pre-checks pass."
            : $"`failover.approvals: {n}`: a request waits for {(n == 1 ? "1 approval from someone" : $"{n} approvals from distinct people")} other than the requester, "
              + $"and expires after {Format(_s.Failover.ApprovalWindow)} (`failover.approval_timeout`).");
        string? to = ExampleTarget();
        Md.Para(_b, "Request it; the dry run first shows the plan, or why it would be refused. Leave out `--to` to let the controller choose:");
        Md.Code(_b, "sh", $"{_cmd.Request("failover", to, dryRun: true)}\n{_cmd.Request("failover", to)}   # the primary is down\n"
            + $"{_cmd.Request("switchover", to)}   # the primary is healthy: planned, drains first");
        if (n > 0)
        {
            Md.Para(_b, "Approvers find the request and approve or reject it:");
            Md.Code(_b, "sh", $"{_cmd.Requests}\n{RunbookCommands.Decide("approve")}\n{RunbookCommands.Decide("reject")}");
        }
        Md.Para(_b, "The same through the REST API:");
        Md.Code(_b, "sh", _cmd.CurlRequest("failover", to) + (n > 0 ? "\n" + _cmd.CurlApprove : ""));
    }

    /// <summary>The member a person would most likely fail over to: the best candidate other than the starting primary.</summary>
    private string? ExampleTarget() =>
        _s.Members.Where(m => m.Name != _s.Primary && !m.NoFailover).OrderByDescending(m => m.Priority).FirstOrDefault()?.Name;

    private string Switches()
    {
        TrafficSwitchesSpec t = _s.TrafficSwitches;
        var parts = t.Haproxy.Select(h => $"HAProxy {h.Where} (backend `{h.Backend}`: the new primary's server `ready`, the others `maint`)").ToList();
        if (t.Dns is { } dns) parts.Add($"the DNS name `{dns.Name}` (a TSIG-signed UPDATE to {dns.Server}, TTL {Format(dns.Ttl)})");
        parts.AddRange(t.Hooks.Select((h, i) => $"traffic hook {i + 1} (`{string.Join(' ', h.Exec)}`)"));
        return string.Join(", ", parts);
    }

    private void Execution()
    {
        Md.Heading(_b, 2, "4. Execution");
        Md.Para(_b, (Automatic ? "The controller carries this out by itself" : "Once approved (at once without approvals), the controller carries this out")
            + "; watch the events. Each step is journaled:");
        int i = 0;
        void Step(string text) => _b.Append($"{++i}. {text}\n");
        if (_s.Hooks.VetoHooks.Length > 0)
            Step($"{C(Events.VetoAsked)}: the `veto` hooks are asked first; one that exits non-zero refuses the failover ({C(Events.ChangeVetoed)}, with its words), "
                + (Automatic ? "which is held and asked about again after 30 s." : "and the request fails."));
        Step($"{C(Events.FailoverStarted)}: the epoch advances by one and the new primary is chosen"
            + (_s.Proxy is { } p && p.Hold > TimeSpan.Zero ? $"; new client connections are held (up to {Format(p.Hold)})." : "."));
        Step($"{C(Events.MemberFenced)}: " + (_s.Proxy is null ? "the old primary is fenced" : "the proxy stops routing to the old primary and closes its connections")
            + (_s.Hooks.Fence.Length > 0 ? "; the `fence` hooks run, each in its own process group, and are waited for." : "."));
        if (Postgres)
            Step($"{C(Events.MemberPromoted)}: `pg_promote(wait => true)` on the new primary, waiting up to {Format(PostgresDefaults.PromoteTimeout)}, then verified out of recovery.");
        if (Redis)
            Step($"{C(Events.MemberPromoted)}: `REPLICAOF NO ONE` on the new primary, verified by `ROLE`"
                + (_s.Failover.Synchronous ? $"; `min-replicas-to-write {(_s.Failover.SynchronousStrict ? 1 : 0)}` set on it." : "."));
        if (_s.TrafficSwitches.Any)
            Step($"{C(Events.TrafficSwitching)}: {Switches()} are switched to the new primary, each within its timeout; a failure is journaled "
                + $"({C(Events.TrafficSwitchFailed)}), alerted and tried again (1 s, doubling to 30 s) until it succeeds; clients of the proxy are held meanwhile.");
        Step($"{C(Events.TrafficSwitched)}: " + (Postgres || Redis ? "held connections go to the new primary." : "once the new primary is seen up, traffic goes to it; held connections too."));
        if (Redis)
            Step($"{C(Events.StandbysRepointed)}: the other replicas replicate from the new primary (`REPLICAOF`).");
        if (Postgres)
        {
            Step($"{C(Events.StandbysRepointed)}: the other standbys stream from the new primary (`primary_conninfo`, then reload).");
            if (_s.Failover.Synchronous)
                Step($"{C(Events.SyncStandbysChanged)}: `synchronous_standby_names` on the new primary names a healthy standby; with none left, "
                    + (_s.Failover.SynchronousStrict
                        ? "it names any standby (`*`), so commits wait until one is back (`synchronous_strict: true`)."
                        : "it is cleared so writes go on, and an alert says they have no synchronous copy (`synchronous_strict: false`)."));
            if (_s.Failover.Synchronous)
                Step($"{C(Events.SyncStandbyCaughtUp)}: the named standby, seen synchronous and caught up, is again the one that may be promoted "
                    + "automatically; until then a failure of the new primary is not failed over without an operator's `--force`.");
        }
        if (_s.Hooks.OnFailover.Length > 0)
            Step($"`on_failover` hooks, in order, each killed at its timeout ({C(Events.HookCompleted)} / {C(Events.HookFailed)}); a failing hook does not undo the failover.");
        Step($"{C(Events.FailoverCompleted)} with its `duration_ms`, and {C(Events.AlertRaised)}.");
        _b.Append('\n');
        Md.Para(_b, $"If fencing{(Postgres || Redis ? " or promotion" : "")} fails, or the new primary goes down before the switch and is not back within the proxy's hold from the failover's start, the failover ends in {C(Events.FailoverFailed)}: "
            + "nothing is routable and an alert goes out; validate again (phase 2) and request a failover to another member.");
        if (_s.Hooks.Fence.Length > 0) FenceFailure();
        Hooks();
    }

    /// <summary>What a person does when a required fence hook fails: only they can judge that the old primary is really gone.</summary>
    private void FenceFailure()
    {
        bool anyRequired = _s.Hooks.Fence.Any(h => h.Required);
        string optional = _s.Hooks.Fence.All(h => h.Required) ? "" : " A fence hook with `required: false` that fails is journaled and alerted, and the failover goes on.";
        if (!anyRequired)
        {
            Md.Para(_b, $"No fence hook is required: a failing one is journaled ({C(Events.HookFailed)}) and alerted, and the failover goes on.");
            return;
        }
        Md.Para(_b, $"If a required fence hook fails (non-zero exit, timeout, cannot start), the old primary is not known to be fenced: the failover stops "
            + $"before promotion ({C(Events.FailoverBlocked)}), nothing is routable, the service is degraded and a critical alert goes out. Nothing retries it."
            + optional);
        Line("Make sure the old primary is stopped or cut off (power it off, stop PostgreSQL, detach its disk), or fix what the hook needs and fence it by hand.");
        Line($"Then carry the failover on, accepting the risk: {C(_cmd.Force)} with what you checked as the reason "
            + $"({C(Events.FailoverForced)} names you; approvals apply as for any request).");
        _b.Append('\n');
    }

    private void Hooks()
    {
        var hooks = Enum.GetValues<HookTrigger>().SelectMany(t => _s.Hooks.Of(t).Select((h, i) => (Key: $"hooks.{t.ConfigKey()}[{i}]", Hook: h))).ToList();
        if (_s.Postgres?.Rejoin is { } rejoin) hooks.Add(("postgres.rejoin", rejoin));
        if (hooks.Count == 0) { Md.Para(_b, "The config has no hooks."); return; }
        Md.Para(_b, "Hooks in the config (placeholders such as `{{old_primary}}` are filled in when they run):");
        foreach (var (key, hook) in hooks) Line($"`{key}`: {C(Argv(hook))}, timeout {Format(hook.Timeout)}");
        _b.Append('\n');
    }

    /// <summary>A hook's argv as given, each argument in double quotes, as it could be written back in the YAML.</summary>
    private static string Argv(HookSpec hook) =>
        "[" + string.Join(", ", hook.Exec.Select(a => "\"" + a.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"")) + "]";

    private void Verification()
    {
        Md.Heading(_b, 2, "5. Verification (person)");
        string to = ExampleTarget() ?? "MEMBER";
        Md.Code(_b, "sh", $"{_cmd.Status}\n{_cmd.PrimaryProbe(to)}   # 200 only while {to} is the routable primary; no token needed\n{_cmd.Events}");
        Line("`status`: the new primary receives traffic, the epoch is one higher than before, and the old primary shows \"failed over from: needs rejoin\".");
        Line($"`events`: {C(Events.FailoverCompleted)} with `duration_ms` (the controller's part of the outage); no {C(Events.FailoverFailed)} or {C(Events.HookFailed)}.");
        if (_s.Proxy is { } p) Line($"Through the proxy, as clients connect: {C(Probe(p.Listen))} ({ProbeExpects()}).");
        if (Postgres)
            Line("The other standbys stream from the new primary with little lag (`status`)"
                + (_s.Failover.Synchronous ? "; one of them is synchronous, or an alert says writes have no synchronous copy." : "."));
        Line($"Compare with the targets: {Targets()}. RTO is what clients saw: client error rates and a drill tell it, not the controller.");
        _b.Append('\n');
    }

    private void Rollback()
    {
        Md.Heading(_b, 2, "6. Rollback");
        Line("There is **no automatic failback**: the member failed over from stays out of traffic, marked *needs rejoin*, however healthy it looks and whatever the cooldown.");
        Line("A failover is not undone: moving the primary again is a new change with a new epoch. Fail back by a planned switchover"
            + (Postgres ? " once the old primary has rejoined (below)." : "."));
        if (_s.Proxy is { } p)
            Line($"A planned switchover drains: new connections are held (up to {Format(p.Hold)}, `traffic.proxy.hold`), open connections to the current primary "
                + $"get {Format(p.Drain)} to close by themselves (`traffic.proxy.drain_timeout`) and the rest are closed; then the epoch advances, traffic switches, "
                + "and the `on_switchover` hooks run.");
        _b.Append('\n');
        Md.Code(_b, "sh", $"{_cmd.Request("switchover", _s.Primary, dryRun: true)}\n{_cmd.Request("switchover", _s.Primary)}");
        Md.Para(_b, FailbackLimit());
    }

    // What a switchover back takes, by kind (see ChangeChecks and the rejoin API); the dry run says the same.
    private string FailbackLimit() => Postgres
        ? "A PostgreSQL switchover stops the current primary cleanly (`pg_ctl stop -m fast` on its `data_dir`, so the controller must run on its host), "
          + "waits up to 30 s for the target to replay past its shutdown checkpoint (else starts it again and gives it its traffic back), promotes the target "
          + "and restarts the old primary as its standby. Its target must be a streaming standby within `max_lag`: the old primary only once it has rejoined."
        : Redis
        ? "A Redis switchover pauses writes on the current primary (`CLIENT PAUSE WRITE`), waits up to 30 s for the target to reach its offset (else unpauses "
          + "it and gives it its traffic back), promotes the target and makes the old primary its replica. The member failed over from is a target only once "
          + (_s.Failover.Rejoin == RejoinMode.Auto ? "it replicates again (`failover.rejoin: auto`)." : $"rejoined: {C(_cmd.Rejoin(_s.Primary))}.")
        : $"The member failed over from stays out of traffic and is no candidate until you rejoin it: once it is repaired, "
          + $"{C(_cmd.Rejoin(_s.Primary))} (on this {Kind(_s)} service there is no data to rewind; you vouch that it is fit), and only then can a switchover go back to it.";

    private void PostFailover()
    {
        Md.Heading(_b, 2, "Post-failover actions");
        string old = _s.Primary;
        if (Redis)
            Line($"**The old primary** is made a replica of the new one as soon as it answers ({C(Events.MemberDemoted)}, with the bytes of writes it held that the new "
                + "primary lacked); " + (_s.Failover.Rejoin == RejoinMode.Auto
                    ? "it is a candidate again once it replicates (`failover.rejoin: auto`)."
                    : $"it is a candidate again only after {C(_cmd.Rejoin(old))} (`failover.rejoin: manual`)."));
        else if (Postgres)
            Line($"**Rejoin** the old primary as a standby of the new one: {C(_cmd.Rejoin(old))}. It stops it, rewinds it from the new primary (`pg_rewind`) and starts it "
                + $"as a standby; only then is it a candidate again ({C(Events.MemberRejoined)}). {RejoinHow()}");
        else
            Line($"**Repair** the old primary; it stays out of traffic until you rejoin it: {C(_cmd.Rejoin(old))} (no data to rewind for {Kind(_s)}; you vouch that it is fit).");
        Line("**Fail back** by a planned switchover when you choose, in a quiet hour (see [rollback](#6-rollback)).");
        Line($"**Incident report** from the journal: {C(_cmd.Incident)}, N being the epoch the failover moved to (`status` shows it).");
        Line($"**Resume** the service if you paused it: {C(_cmd.Resume)}.");
        Line("**Drill** again to check that these numbers still hold: `understudy drill run DRILL.yaml` (see docs/drills.md).");
    }

    private string RejoinHow()
    {
        if (_s.Postgres?.Rejoin is { } custom) return $"It runs `postgres.rejoin` (listed above), killed after {Format(custom.Timeout)}.";
        string[] without = [.. _s.Members.Where(m => m.DataDir is null).Select(m => m.Name)];
        return without.Length == 0
            ? "The built-in rejoin runs on the controller's machine, with each member's `data_dir`."
            : $"The built-in rejoin needs the member's `data_dir` on the controller's machine; {string.Join(", ", without)} {(without.Length == 1 ? "has" : "have")} none, so set it or `postgres.rejoin`.";
    }
}
