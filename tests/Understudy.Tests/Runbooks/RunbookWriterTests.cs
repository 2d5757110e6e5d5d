using System.Collections.Immutable;
using Understudy.Core.Topology;
using Understudy.Runbooks;
using Understudy.Tests.Testing;

namespace Understudy.Tests.Runbooks;

public sealed class RunbookWriterTests
{
    private static readonly ControllerSpec Controller = new(new HostPort("127.0.0.1", 7400), "understudy.db");

    private static string Write(ServiceSpec spec, ControllerSpec? controller = null, string config = "understudy.yaml") =>
        RunbookWriter.Write(spec, controller ?? Controller, config);

    private static ServiceSpec WithFailover(ServiceSpec spec, FailoverMode mode = FailoverMode.Automatic, int approvals = 0, TimeSpan? approvalTimeout = null) =>
        spec with { Failover = spec.Failover with { Mode = mode, Approvals = approvals, ApprovalTimeout = approvalTimeout } };

    [Theory]
    [InlineData(200, 100, 4, "| ≤ 900ms | fall × interval + timeout = 4 × 200ms + 100ms |", "| ≤ 500ms | (fall + 1) × timeout = 5 × 100ms: the proxy's timed-out connect, then fall checks |")]
    [InlineData(1000, 500, 3, "| ≤ 3.5s | fall × interval + timeout = 3 × 1s + 500ms |", "| ≤ 2s | (fall + 1) × timeout = 4 × 500ms: the proxy's timed-out connect, then fall checks |")]
    public void Write_Check_StatesDetectionBoundsComputedFromIt(int intervalMs, int timeoutMs, int fall, string active, string passive)
    {
        ServiceSpec spec = Services.Http() with
        {
            Check = new CheckSpec(TimeSpan.FromMilliseconds(intervalMs), TimeSpan.FromMilliseconds(timeoutMs), fall, 2),
        };

        string md = Write(spec);

        Assert.Contains(active, md);
        Assert.Contains(passive, md);
        Assert.Contains($"fails {fall} times in a row (`fall`)", md);
    }

    [Fact]
    public void Write_AutomaticMode_SaysTheControllerActsAndComparesTheBoundWithRto()
    {
        ServiceSpec spec = Services.Http() with { Targets = new TargetsSpec(TimeSpan.FromSeconds(5), null, new RpoTarget(0, null)) };

        string md = Write(spec);

        Assert.Contains("**Mode**: automatic (`failover.mode`): the controller detects, fences and switches by itself", md);
        Assert.Contains("Then the controller fails over by itself, unless the service is paused, is within `cooldown` (30s)", md);
        Assert.Contains("The worst case until traffic moves (700ms) is within the RTO target of 5s.", md);
        Assert.Contains("**Targets**: RTO 5s, recovery 5s, RPO 0 lost acknowledged writes.", md);
        Assert.DoesNotContain("mode manual", md);
    }

    [Fact]
    public void Write_VetoHooksAndTrafficSwitches_AreStepsOfTheExecution()
    {
        ServiceSpec web = Services.Http();
        var dns = new DnsSpec(new HostPort("10.0.0.53", 53), "example.com.", "web.example.com.", TimeSpan.FromSeconds(30), new TsigSpec("understudy.", "hmac-sha256", "c2VjcmV0"), TimeSpan.FromSeconds(5));
        ServiceSpec spec = web with
        {
            Hooks = web.Hooks with { Veto = [new HookSpec(["check-freeze"], TimeSpan.FromSeconds(5))] },
            Switches = new TrafficSwitchesSpec([], dns, [new HookSpec(["kubectl", "label", "pod", "{{new_primary}}", "role=primary"], TimeSpan.FromSeconds(20))]),
        };

        string md = Write(spec);

        Assert.Contains("`veto.asked`: the `veto` hooks are asked first; one that exits non-zero refuses the failover (`change.vetoed`, with its words), which is held and asked about again after 30 s.", md);
        Assert.Contains("`traffic.switching`: the DNS name `web.example.com.` (a TSIG-signed UPDATE to 10.0.0.53:53, TTL 30s), traffic hook 1 (`kubectl label pod {{new_primary}} role=primary`) are switched", md);
        string execution = md[md.IndexOf("## 4. Execution", StringComparison.Ordinal)..];
        Assert.True(execution.IndexOf("veto.asked", StringComparison.Ordinal) < execution.IndexOf("failover.started", StringComparison.Ordinal));
        Assert.True(execution.IndexOf("traffic.switching", StringComparison.Ordinal) < execution.IndexOf("`traffic.switched`", StringComparison.Ordinal));
    }

    [Fact]
    public void Write_ManualMode_SaysPeopleRequestTheFailover()
    {
        string md = Write(WithFailover(Services.Http(), FailoverMode.Manual));

        Assert.Contains("**Mode**: manual (`failover.mode`): the controller detects and alerts but never fails over by itself", md);
        Assert.Contains("The controller does not fail over (mode manual)", md);
        Assert.Contains("| from the failure until traffic moves | as long as people take |", md);
        Assert.DoesNotContain("fails over by itself, unless", md);
        Assert.DoesNotContain("no second automatic failover", md);
    }

    [Fact]
    public void Write_Approvals_StatesHowManyAndTheExpiryAndShowsApproveAndReject()
    {
        string md = Write(WithFailover(Services.Http(), FailoverMode.Manual, approvals: 2, approvalTimeout: TimeSpan.FromMinutes(10)));

        Assert.Contains("`failover.approvals: 2`: a request waits for 2 approvals from distinct people other than the requester, and expires after 10m (`failover.approval_timeout`).", md);
        Assert.Contains("| a request awaiting approval | expires after 10m | failover.approval_timeout |", md);
        Assert.Contains("understudy requests --api http://127.0.0.1:7400 --service web", md);
        Assert.Contains("understudy approve REQUEST_ID --comment \"...\"", md);
        Assert.Contains("understudy reject REQUEST_ID --comment \"...\"", md);
        Assert.Contains("curl -X POST http://127.0.0.1:7400/api/requests/REQUEST_ID/approve", md);
    }

    [Fact]
    public void Write_NoApprovals_SaysSoAndShowsNoApproveCommand()
    {
        string md = Write(Services.Http());

        Assert.Contains("`failover.approvals: 0`: a request needs no approval", md);
        Assert.DoesNotContain("understudy approve", md);
    }

    [Fact]
    public void Write_HttpService_HasNoPostgresSteps()
    {
        string md = Write(Services.Http());

        Assert.DoesNotContain("pg_promote", md);
        Assert.DoesNotContain("standbys.repointed", md);
        // Rejoin works for http too (issue 13: the runbook said it was PostgreSQL-only): nothing to rewind, the operator vouches.
        Assert.Contains("until you rejoin it: `understudy rejoin -c", md);
        Assert.Contains("(no data to rewind for http; you vouch that it is fit)", md);
        Assert.Contains("| fence and switch traffic | milliseconds | a route change in the proxy; http has no promotion |", md);
        Assert.Contains("curl -si http://127.0.0.1:8081/health   # web-a: expect 200", md);
    }

    [Fact]
    public void Write_PostgresService_PromotesRepointsAndRejoins()
    {
        string md = Write(Services.Postgres(), config: "conf/db.yaml");

        Assert.Contains("`member.promoted`: `pg_promote(wait => true)` on the new primary, waiting up to 30s", md);
        Assert.Contains("`standbys.repointed`", md);
        Assert.Contains("| promotion | ≤ 30s |", md);
        Assert.Contains("`understudy rejoin -c conf/db.yaml orders-db pg1`", md);
        Assert.Contains("within `max_lag` (1MB) of the primary", md);
        Assert.Contains("psql -h 127.0.0.1 -p 5433 -U postgres -d postgres -c 'select pg_is_in_recovery()'   # pg2", md);
        Assert.DoesNotContain("synchronous_standby_names", md);
    }

    [Theory]
    [InlineData(false, "it is cleared so writes go on, and an alert says they have no synchronous copy (`synchronous_strict: false`)")]
    [InlineData(true, "it names any standby (`*`), so commits wait until one is back (`synchronous_strict: true`)")]
    public void Write_SynchronousPostgres_SaysWhatHappensWithNoStandbyLeft(bool strict, string expected)
    {
        string md = Write(Services.Postgres(synchronous: true, strict: strict));

        Assert.Contains(expected, md);
    }

    [Fact]
    public void Write_Hooks_ListsEachCommandAsGivenWithItsTimeoutAndCountsFenceHooksBeforeTheSwitch()
    {
        ServiceSpec spec = Services.Postgres() with
        {
            Hooks = new HooksSpec(
                [new HookSpec(["notify", "{{service}}", "say \"moved\""], TimeSpan.FromSeconds(60))],
                [],
                [new HookSpec(["fly", "machine", "stop", "{{old_primary}}"], TimeSpan.FromSeconds(10)), new HookSpec(["stonith"], TimeSpan.FromSeconds(20))]),
        };

        string md = Write(spec);

        Assert.Contains("- `hooks.on_failover[0]`: `[\"notify\", \"{{service}}\", \"say \\\"moved\\\"\"]`, timeout 1m", md);
        Assert.Contains("- `hooks.fence[0]`: `[\"fly\", \"machine\", \"stop\", \"{{old_primary}}\"]`, timeout 10s", md);
        Assert.Contains("- `hooks.fence[1]`: `[\"stonith\"]`, timeout 20s", md);
        // 2 × 200ms + 150ms of detection, the fence hooks waited for, then the promotion timeout.
        Assert.Contains("| ≤ 60.55s | active detection 550ms + fence hooks 30s + promotion 30s |", md);
    }

    [Theory]
    [InlineData(true, "If a required fence hook fails (non-zero exit, timeout, cannot start), the old primary is not known to be fenced")]
    [InlineData(false, "No fence hook is required: a failing one is journaled (`hook.failed`) and alerted, and the failover goes on.")]
    public void Write_FenceHooks_SayWhatAFailureDoesAndHowToForce(bool required, string says)
    {
        ServiceSpec spec = Services.Postgres() with { Hooks = HooksSpec.None with { Fence = [new HookSpec(["stonith"], TimeSpan.FromSeconds(20), required)] } };

        string md = Write(spec);

        Assert.Contains(says, md);
        Assert.Equal(required, md.Contains("Then carry the failover on, accepting the risk: `understudy failover orders-db --force --reason \"...\"`", StringComparison.Ordinal));
    }

    [Fact]
    public void Write_Postgres_SaysHowToForceWhenNoStandbysLagIsKnown()
    {
        string md = Write(Services.Postgres());

        Assert.Contains("Degraded because no standby's lag is known", md);
        Assert.Contains("an admin runs `understudy failover orders-db --force --reason \"...\"`; it promotes the most advanced standby", md);
        Assert.DoesNotContain("no standby's lag is known", Write(Services.Http()));
    }

    [Fact]
    public void Write_Commands_UseTheConfiguredApiAddressAndQuoteTheConfigPath()
    {
        var controller = new ControllerSpec(new HostPort("10.0.0.5", 7500), "understudy.db");

        string md = Write(Services.Http(), controller, config: "my configs/u.yaml");

        Assert.Contains("export UNDERSTUDY_API=http://10.0.0.5:7500", md);
        Assert.Contains("understudy status --api http://10.0.0.5:7500\n", md);
        Assert.Contains("understudy events --api http://10.0.0.5:7500 --service web --since 30m", md);
        Assert.Contains("curl -X POST http://10.0.0.5:7500/api/services/web/failover", md);
        Assert.Contains("curl -si http://10.0.0.5:7500/services/web/members/web-b/primary", md);
        Assert.Contains("understudy incident web --epoch N -c 'my configs/u.yaml'", md);
        Assert.DoesNotContain("7400", md);
    }

    [Fact]
    public void Write_ApiWithTls_HttpsAndTheCaTheCliAndCurlTrust()
    {
        var controller = new ControllerSpec(new HostPort("10.0.0.5", 7500), "understudy.db", Tls: new ApiTlsSpec("/etc/u/api.pem", "/etc/u/api-key.pem", "/etc/u/ca.pem"));

        string md = Write(Services.Http(), controller);

        Assert.Contains("export UNDERSTUDY_API=https://10.0.0.5:7500   # the commands below without --api use it\nexport UNDERSTUDY_CACERT=/etc/u/ca.pem", md);
        Assert.Contains("curl -X POST --cacert \"$UNDERSTUDY_CACERT\" https://10.0.0.5:7500/api/services/web/failover", md);
        Assert.Contains("curl -si --cacert \"$UNDERSTUDY_CACERT\" https://10.0.0.5:7500/services/web/members/web-b/primary", md);
    }

    [Fact]
    public void Write_Members_TabulatesThemAndSuggestsTheHighestPriorityCandidate()
    {
        string md = Write(Services.Http(members: 3, priorities: ("web-c", 5)));

        Assert.Contains("| `web-a` | `127.0.0.1:8081` | 0 | no | yes |", md);
        Assert.Contains("| `web-c` | `127.0.0.1:8083` | 5 | no |   |", md);
        Assert.Contains("understudy failover web --to web-c --reason \"...\" --dry-run", md);
        Assert.Contains("understudy switchover web --to web-a --reason \"...\" --dry-run", md);
    }

    [Fact]
    public void Write_Tokens_NamesWhoMayRequestAndApprove()
    {
        var controller = Controller with
        {
            Tokens = [new ApiToken("alice", ApiRole.Operator, ImmutableArray<byte>.Empty), new ApiToken("bob", ApiRole.Approver, ImmutableArray<byte>.Empty)],
        };

        string md = Write(Services.Http(), controller);

        Assert.Contains("Tokens in this config: `alice` (operator), `bob` (approver).", md);
        Assert.DoesNotContain("asks for no token", md);
    }

    [Theory]
    [InlineData(RejoinMode.Manual, "it is a candidate again only after `understudy rejoin")]
    [InlineData(RejoinMode.Auto, "it is a candidate again once it replicates (`failover.rejoin: auto`).")]
    public void Write_Redis_ProbesWithRoleAndSaysTheOldPrimaryIsDemotedOnSight(RejoinMode rejoin, string says)
    {
        ServiceSpec spec = Services.Postgres() with
        {
            Kind = ServiceKind.Redis, Postgres = null, Redis = RedisSpec.Default,
            Failover = Services.Postgres().Failover with { Synchronous = true, SynchronousStrict = true, Rejoin = rejoin },
        };

        string md = Write(spec);

        Assert.Contains("redis-cli -h 127.0.0.1 -p 5432 role   # pg1: master on the primary, slave on a replica", md);
        Assert.Contains("`REPLICAOF NO ONE` on the new primary, verified by `ROLE`; `min-replicas-to-write 1` set on it.", md);
        Assert.Contains("`member.demoted`", md);
        Assert.Contains(says, md);
        Assert.DoesNotContain("pg_promote", md);
    }
}
