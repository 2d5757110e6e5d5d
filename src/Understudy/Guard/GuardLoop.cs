using System.Text.Json;
using Understudy.Coordination;
using Understudy.Core.Guard;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Journal;

namespace Understudy.Guard;

/// <summary>
/// The shell around <see cref="GuardRules"/>: it keeps the lease, probes the instances every second and, while the
/// member is fenced and the lease held, reads the service's log; every tenth of a second it hands what it saw to the
/// rules and carries out their step. The leader never waits for a guard: its routing fences proxied clients at once;
/// the guard bounds what clients that bypass the proxies can write to an isolated old primary, to about guard.lease.
/// </summary>
public sealed partial class GuardLoop(GuardSpec spec, EtcdStore store, ISelfFence fence, TimeProvider time, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger<GuardLoop>();
    private readonly long _started = time.GetTimestamp();
    private long _majorityAt;
    private long _logReadAt;

    public async Task RunAsync(CancellationToken ct)
    {
        var lease = new GuardLease(store, spec, time, loggers.CreateLogger<GuardLease>());
        using var probe = new InstanceProbe(store, time);
        var rules = new GuardRules(spec.Member, spec.Lease);
        Log.Started(_logger, spec.Member, spec.Service, spec.Coordination.Cluster, spec.Lease);
        Task leasing = lease.RunAsync(ct), probing = ProbeAsync(probe, ct);
        try
        {
            GuardState state = GuardState.Initial;
            using var tick = new PeriodicTimer(GuardDefaults.DecideEvery, time);
            while (await tick.WaitForNextTickAsync(ct))
            {
                CommittedPrimary? committed = state.Phase == GuardPhase.Fenced && Fresh(lease.RenewedAt) ? await ReadLogAsync(ct) : null;
                var view = new GuardView(Now(), At(lease.RenewedAt), At(Interlocked.Read(ref _majorityAt)), probe.Known, committed);
                state = await ApplyAsync(rules, state, rules.Decide(state, view), lease, ct);
            }
        }
        finally
        {
            await Task.WhenAll(leasing, probing).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task<GuardState> ApplyAsync(GuardRules rules, GuardState before, GuardDecision d, GuardLease lease, CancellationToken ct)
    {
        if (d.Reason is { } said) Log.Decided(_logger, said);
        switch (d.Action)
        {
            case GuardAction.Fence:
                GuardDecision fenced = rules.Fenced(await fence.FenceAsync(ct), Now());
                Log.Decided(_logger, fenced.Reason!);
                if (fenced.State.IsFenced)
                    lease.Report(true, new ClusterAlert($"guard:{spec.Service}:{spec.Member}", "critical") { Reason = $"{d.Reason}; {fenced.Reason}" });
                return fenced.State;
            case GuardAction.Lift:
                GuardDecision lifted = rules.Lifted(d.State, await fence.LiftAsync(ct), Now());
                Log.Decided(_logger, lifted.Reason!);
                if (!lifted.State.IsFenced)
                    lease.Report(false, new ClusterAlert($"guard:{spec.Service}:{spec.Member}", "info", Resolved: true) { Reason = $"{d.Reason}; {lifted.Reason}" });
                return lifted.State;
            default:
                if (before.IsFenced && !d.State.IsFenced)
                    lease.Report(false, new ClusterAlert($"guard:{spec.Service}:{spec.Member}", "info", Resolved: true) { Reason = d.Reason ?? "" });
                else if (d.Reason is { } told && d.State.IsFenced)
                    lease.Report(true, new ClusterAlert($"guard:{spec.Service}:{spec.Member}", "critical") { Reason = told });
                return d.State;
        }
    }

    /// <summary>Every second: a round of probes; the instant it was sent counts when a majority answered.</summary>
    private async Task ProbeAsync(InstanceProbe probe, CancellationToken ct)
    {
        using var tick = new PeriodicTimer(GuardDefaults.ProbeEvery, time);
        do
        {
            long sent = time.GetTimestamp();
            if (await probe.MajorityAnswersAsync(ct)) Interlocked.Exchange(ref _majorityAt, sent);
        } while (await tick.WaitForNextTickAsync(ct));
    }

    /// <summary>The service's committed state, at most once a second; null when etcd does not answer.</summary>
    private async Task<CommittedPrimary?> ReadLogAsync(CancellationToken ct)
    {
        if (_logReadAt != 0 && time.GetElapsedTime(_logReadAt) < GuardDefaults.ProbeEvery) return null;
        _logReadAt = time.GetTimestamp();
        try
        {
            EtcdRange log = await store.RangeAsync(store.Keys.ServiceLog(spec.Service), ct);
            ServiceKind kind = spec.Postgres is null ? ServiceKind.Http : ServiceKind.Postgres;
            return CommittedPrimary.Fold(spec.Service, kind, log.Entries.Select(e => Read(e.Value)));
        }
        catch (CoordinationUnavailable)
        {
            return null;
        }
    }

    /// <summary>An entry that cannot be read counts as one written by a newer version: nothing is lifted on a guess.</summary>
    private static JournalEvent Read(string json)
    {
        try { return EventJson.Read(json); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return new UnknownEvent("unreadable", 0, json);
        }
    }

    private TimeSpan Now() => time.GetElapsedTime(_started);

    private TimeSpan? At(long? timestamp) => timestamp is { } t && t != 0 ? time.GetElapsedTime(_started, t) : null;

    private bool Fresh(long? renewedAt) => renewedAt is { } t && time.GetElapsedTime(t) < spec.Lease;

    private static partial class Log
    {
        [LoggerMessage(EventId = 710, Level = LogLevel.Information, Message = "guard {Member} of {Service} in cluster {Cluster} started (lease {Lease})")]
        public static partial void Started(ILogger logger, string member, string service, string cluster, TimeSpan lease);

        [LoggerMessage(EventId = 711, Level = LogLevel.Warning, Message = "{Reason}")]
        public static partial void Decided(ILogger logger, string reason);
    }
}
