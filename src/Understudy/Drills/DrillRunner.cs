using Understudy.Core.Drills;
using Understudy.Drills.Network;
using Understudy.Drills.Probes;
using Understudy.Drills.Steps;

namespace Understudy.Drills;

/// <summary>
/// Runs a drill: probes for the whole run; steady state (abort if it does not hold) → faults → observe
/// until every probe has <c>stable_for</c> of unbroken successes or <c>recovery.timeout</c> → verify →
/// read writes back → rollback (always: also after an abort, an error or Ctrl-C; the nft table of network
/// faults is removed and injected proxy faults are cleared first). Stop conditions abort early (see
/// DrillRunner.StopConditions.cs). Returns the record the report is built from.
/// </summary>
public sealed partial class DrillRunner(DrillContext ctx)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private readonly List<StepRecord> _steps = [];
    private readonly List<string> _problems = [];
    private readonly StepRunner _runner = new(ctx);
    private string _phase = "starting";
    // Set once, by the first stop condition to fire (watchers run on timer and pool threads).
    private string? _stopped;

    public async Task<DrillRecord> RunAsync(CancellationToken cancel)
    {
        DrillSpec spec = ctx.Spec;
        DateTimeOffset started = ctx.Now;
        DateTimeOffset? recoveredAt = null;
        string? abort = null;
        var probes = spec.Probes.Select(p => ProbeFactory.Create(p, ctx.Time)).ToList();
        using var load = new LoadRun(ctx);
        using var stopProbes = new CancellationTokenSource();
        using var stopCondition = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        Task probing = Task.CompletedTask;
        Task checking = Task.CompletedTask;
        var writes = new Dictionary<string, WriteLoss>();
        try
        {
            if (ctx.Controller is { } controller) ctx.Service = await controller.StatusAsync(cancel);
            foreach (OpenLoopProbe probe in probes) await probe.PrepareAsync(cancel);
            await load.PrepareAsync(cancel);
            DateTimeOffset probingSince = ctx.Now;
            probing = Task.WhenAll(probes.Select(p => p.RunAsync(stopProbes.Token)).Append(load.RunAsync(stopProbes.Token)));
            using var progress = ReportProgress(probes, started, stopProbes.Token);
            using var watchdog = WatchStopConditions(probes, probingSince, stopCondition, stopProbes.Token);
            checking = WatchCommandAsync(stopCondition, stopProbes.Token);

            abort = await SteadyStateAsync(probes, started, stopCondition.Token)
                ?? await FaultsAsync(stopCondition.Token)
                ?? await ObserveAsync(probes, stopCondition.Token, at => recoveredAt = at);
            if (abort is null) await StepsAsync("verify", spec.Verify, stopCondition.Token);
        }
        catch (OperationCanceledException) when (_stopped is not null)
        {
            abort = _stopped;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            abort = $"interrupted during {_phase} (Ctrl-C)";
        }
        catch (DrillException e)
        {
            abort = e.Message;
        }
        finally
        {
            await stopProbes.CancelAsync();
            await probing;
            await checking;
            await ReadBackAsync(probes, writes, aborted: abort is not null);
            if (abort is null) await ConsistencyAsync(probes);
            // Rollback runs whatever happened, with its own timeouts rather than the cancelled token.
            await RollbackAsync();
        }

        var events = await ControllerEventsAsync(started);
        var record = new DrillRecord(spec, started, ctx.Now, ctx.FaultAt, recoveredAt, abort, ctx.FaultBegan, EffectiveTargets(),
            [.. probes.Select(p => new ProbeRecord(p.Spec, p.Samples, writes.GetValueOrDefault(p.Spec.Name)))],
            _steps, events, DrillConfiguration.Describe(ctx), Theoretical(), ctx.ManualSteps, _problems) { Load = load.Records() };
        foreach (var p in probes) p.Dispose();
        return record;
    }

    private async Task<string?> SteadyStateAsync(List<OpenLoopProbe> probes, DateTimeOffset started, CancellationToken cancel)
    {
        Enter("steady_state");
        SteadyStateSpec steady = ctx.Spec.SteadyState;
        DateTimeOffset from = ctx.Now;
        await Task.Delay(steady.Duration, ctx.Time, cancel);
        var samples = probes.SelectMany(p => p.Samples).Where(s => s.Start >= started).ToList();
        double rate = samples.Count == 0 ? 0 : (double)samples.Count(s => !s.Ok) / samples.Count;
        // A steady state asked for must be seen: a probe with no finished attempt proves nothing.
        var silent = steady.Duration > TimeSpan.Zero ? probes.Where(p => p.Samples.Count == 0).Select(p => p.Spec.Name).ToList() : [];
        bool held = rate <= steady.MaxErrorRate && silent.Count == 0;
        string actual = silent.Count > 0
            ? $"no attempt of {string.Join(", ", silent)} finished within {steady.Duration.TotalSeconds:0.###} s (make steady_state.duration longer than the probe's timeout)"
            : $"{samples.Count(s => !s.Ok)} of {samples.Count} attempts failed ({rate * 100:0.##} %)";
        _steps.Add(Record(new StepRecord("steady_state", $"steady state for {steady.Duration.TotalSeconds:0.###} s",
            $"error rate ≤ {steady.MaxErrorRate * 100:0.##} %", actual, from, ctx.Now, held)));
        return held ? null : $"steady state did not hold: {actual}" + (silent.Count > 0 ? "" : $", allowed {steady.MaxErrorRate * 100:0.##} %");
    }

    private async Task<string?> FaultsAsync(CancellationToken ct)
    {
        Enter("fault");
        foreach (DrillStep step in ctx.Spec.Faults)
        {
            StepRecord record = await _runner.RunAsync("fault", step, ct);
            _steps.Add(record);
            if (step is ProxyFault pf) ctx.FaultedMembers.Add(pf.Member);
            if (step is not WaitStep && ctx.FaultAt is null)
            {
                ctx.FaultBegan = record.Start;
                // A signal or an injected fault acts at a known instant; a command or a person has acted by the step's end.
                ctx.FaultAt = _runner.EffectiveAt ?? record.End;
            }
            ct.ThrowIfCancellationRequested();
            if (!record.Ok) return $"fault step failed: {record.Step}: {record.Actual}";
        }
        return null;
    }

    /// <summary>Until every probe has recovered or the timeout passes; the watchdog aborts on a stop condition meanwhile.</summary>
    private async Task<string?> ObserveAsync(List<OpenLoopProbe> probes, CancellationToken ct, Action<DateTimeOffset> recovered)
    {
        Enter("observe");
        DateTimeOffset began = ctx.FaultBegan ?? ctx.Now;
        DateTimeOffset from = ctx.Now;
        RecoverySpec recovery = ctx.Spec.Recovery;
        while (true)
        {
            var runs = probes.Select(p => Recovered(p, began, recovery)).ToList();
            if (runs.All(r => r is not null))
            {
                DateTimeOffset at = runs.Max(r => r!.End);
                recovered(at);
                _steps.Add(Record(new StepRecord("observe", $"recovery: {recovery.StableFor.TotalSeconds:0.###} s of unbroken successes on every probe",
                    $"within {recovery.Timeout.TotalSeconds:0.###} s of the fault", $"recovered +{(at - (ctx.FaultAt ?? began)).TotalMilliseconds:0} ms after the fault", from, ctx.Now, true)));
                return null;
            }
            if (ctx.Now - began > recovery.Timeout + recovery.StableFor)
            {
                _steps.Add(Record(new StepRecord("observe", "recovery", $"within {recovery.Timeout.TotalSeconds:0.###} s of the fault",
                    "not recovered: " + string.Join(", ", probes.Where((p, i) => runs[i] is null).Select(p => p.Spec.Name)), from, ctx.Now, false)));
                return null;
            }
            await Task.Delay(Poll, ctx.Time, ct);
        }
    }

    /// <summary>A probe's recovery run, once no attempt started inside it is still running (a late failure could yet break it).</summary>
    private static ProbeSample? Recovered(OpenLoopProbe probe, DateTimeOffset began, RecoverySpec recovery)
    {
        DateTimeOffset? running = probe.OldestRunning;
        ProbeSample? run = ProbeMeasurement.RecoveryRun(probe.Samples, began, recovery.StableFor, recovery.Timeout);
        return run is not null && (running is null || running > run.Start + recovery.StableFor) ? run : null;
    }

    private async Task StepsAsync(string phase, IReadOnlyList<DrillStep> steps, CancellationToken ct)
    {
        if (steps.Count == 0) return;
        Enter(phase);
        foreach (DrillStep step in steps)
        {
            _steps.Add(await _runner.RunAsync(phase, step, ct));
            ct.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Removes the drill's nft table and clears the proxy faults it injected, then runs the rollback steps.</summary>
    private async Task RollbackAsync()
    {
        if (ctx.Spec.Rollback.IsEmpty && ctx.FaultedMembers.Count == 0 && !ctx.Firewall.Used) return;
        Enter("rollback");
        if (ctx.Firewall.Used) await RemoveNetworkFaultsAsync();
        foreach (string member in ctx.FaultedMembers)
        {
            DateTimeOffset start = ctx.Now;
            string actual = "cleared";
            bool ok = true;
            try { await ctx.Controller!.ClearAsync(member, CancellationToken.None); }
            catch (DrillException e) { (ok, actual) = (false, e.Message); }
            _steps.Add(Record(new StepRecord("rollback", $"clear the proxy fault toward {member}", "the controller removes the fault", actual, start, ctx.Now, ok)));
        }
        foreach (DrillStep step in ctx.Spec.Rollback) _steps.Add(await _runner.RunAsync("rollback", step, CancellationToken.None));
    }

    private async Task RemoveNetworkFaultsAsync()
    {
        DateTimeOffset start = ctx.Now;
        string actual = "already removed when its last fault ended";
        bool ok = true;
        try { if (await ctx.Firewall.RemoveAsync()) actual = "deleted"; }
        catch (DrillException e) { (ok, actual) = (false, $"{e.Message}; its rules expire on their own {NftRuleset.Margin.TotalSeconds:0} s after their fault's end"); }
        _steps.Add(Record(new StepRecord("rollback", $"remove the network faults' nft table inet {ctx.Firewall.Table}", "nft deletes the table", actual, start, ctx.Now, ok)));
    }

    /// <summary>Reads write probes back; after an abort this gets less time, so cleanup is not held up.</summary>
    private async Task ReadBackAsync(List<OpenLoopProbe> probes, Dictionary<string, WriteLoss> writes, bool aborted)
    {
        foreach (OpenLoopProbe probe in probes.Where(p => p is IWriteProbe))
        {
            using var limit = new CancellationTokenSource(aborted ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(30), ctx.Time);
            try
            {
                writes[probe.Spec.Name] = await ((IWriteProbe)probe).ReadBackAsync(limit.Token);
            }
            catch (DrillException e) { _problems.Add(e.Message); }
        }
    }

    /// <summary>
    /// Data integrity beyond RPO: with a linked PostgreSQL service, each standby that is up must hold
    /// exactly the rows the primary holds once it has caught up (a verify step each, so a mismatch fails).
    /// </summary>
    private async Task ConsistencyAsync(List<OpenLoopProbe> probes)
    {
        if (ctx.Controller is not { } controller || probes.OfType<SqlWriteProbe>().FirstOrDefault() is not { } sql) return;
        Api.ServiceView service;
        try { service = await controller.StatusAsync(CancellationToken.None); }
        catch (DrillException e) { _problems.Add($"data consistency not checked: {e.Message}"); return; }
        foreach (var member in service.Members.Where(m => m.Role == "standby" && m.Health == "up" && !m.NeedsRejoin))
        {
            DateTimeOffset start = ctx.Now;
            if (!Core.Topology.HostPort.TryParse(member.Address, out var address, out _)) continue;
            var (ok, detail) = await sql.CompareAsync(member.Name, address.Value, TimeSpan.FromSeconds(15), CancellationToken.None);
            _steps.Add(Record(new StepRecord("verify", $"data consistency: {member.Name} against the primary {service.Primary}",
                "the same rows and checksum once caught up", detail, start, ctx.Now, ok)));
        }
    }
}
