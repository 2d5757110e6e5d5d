using Understudy.Core.Drills;
using Understudy.Drills.Probes;
using Understudy.Drills.Steps;

namespace Understudy.Drills;

/// <summary>
/// Runs a drill: probes for the whole run; steady state (abort if it does not hold) → faults → observe
/// until every probe has <c>stable_for</c> of unbroken successes or <c>recovery.timeout</c> → verify →
/// read writes back → rollback (always: also after an abort, an error or Ctrl-C). Stop conditions abort
/// early. Returns the record the report is built from.
/// </summary>
public sealed class DrillRunner(DrillContext ctx)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly List<StepRecord> _steps = [];
    private readonly List<string> _problems = [];
    private readonly StepRunner _runner = new(ctx);
    private string _phase = "starting";

    public async Task<DrillRecord> RunAsync(CancellationToken cancel)
    {
        DrillSpec spec = ctx.Spec;
        DateTimeOffset started = ctx.Now;
        DateTimeOffset? recoveredAt = null;
        string? abort = null;
        var probes = spec.Probes.Select(p => ProbeFactory.Create(p, ctx.Time)).ToList();
        using var stopProbes = new CancellationTokenSource();
        Task probing = Task.CompletedTask;
        var writes = new Dictionary<string, WriteLoss>();
        try
        {
            if (ctx.Controller is { } controller) ctx.Service = await controller.StatusAsync(cancel);
            probing = Task.WhenAll(probes.Select(p => p.RunAsync(stopProbes.Token)));
            using var progress = ReportProgress(probes, started, stopProbes.Token);

            abort = await SteadyStateAsync(probes, started, cancel)
                ?? await FaultsAsync(cancel)
                ?? await ObserveAsync(probes, cancel, at => recoveredAt = at);
            if (abort is null) await StepsAsync("verify", spec.Verify, cancel);
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
            foreach (HttpWriteProbe w in probes.OfType<HttpWriteProbe>())
            {
                try { writes[w.Spec.Name] = await w.ReadBackAsync(CancellationToken.None); }
                catch (DrillException e) { _problems.Add(e.Message); }
            }
            // Rollback runs whatever happened, with its own timeouts rather than the cancelled token.
            await StepsAsync("rollback", spec.Rollback, CancellationToken.None);
        }

        var events = await ControllerEventsAsync(started);
        var record = new DrillRecord(spec, started, ctx.Now, ctx.FaultAt, recoveredAt, abort, EffectiveTargets(),
            [.. probes.Select(p => new ProbeRecord(p.Spec, p.Samples, writes.GetValueOrDefault(p.Spec.Name)))],
            _steps, events, DrillConfiguration.Describe(ctx), Theoretical(), ctx.ManualSteps, _problems);
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
        bool held = rate <= steady.MaxErrorRate;
        string actual = $"{samples.Count(s => !s.Ok)} of {samples.Count} attempts failed ({rate * 100:0.##} %)";
        _steps.Add(Record(new StepRecord("steady_state", $"steady state for {steady.Duration.TotalSeconds:0.###} s",
            $"error rate ≤ {steady.MaxErrorRate * 100:0.##} %", actual, from, ctx.Now, held)));
        return held ? null : $"steady state did not hold: {actual}, allowed {steady.MaxErrorRate * 100:0.##} %";
    }

    private async Task<string?> FaultsAsync(CancellationToken cancel)
    {
        Enter("fault");
        foreach (DrillStep step in ctx.Spec.Faults)
        {
            StepRecord record = await _runner.RunAsync("fault", step, cancel);
            _steps.Add(record);
            if (step is not WaitStep && ctx.FaultAt is null) ctx.FaultAt = _runner.EffectiveAt ?? record.Start;
            if (!record.Ok) return $"fault step failed: {record.Step}: {record.Actual}";
        }
        return null;
    }

    /// <summary>Until every probe has recovered, the timeout passes, or a stop condition fires (an abort).</summary>
    private async Task<string?> ObserveAsync(List<OpenLoopProbe> probes, CancellationToken cancel, Action<DateTimeOffset> recovered)
    {
        Enter("observe");
        DateTimeOffset fault = ctx.FaultAt ?? ctx.Now;
        DateTimeOffset from = ctx.Now;
        RecoverySpec recovery = ctx.Spec.Recovery;
        while (true)
        {
            var runs = probes.Select(p => ProbeMeasurement.RecoveryRun(p.Samples, fault, recovery.StableFor)).ToList();
            if (runs.All(r => r is not null))
            {
                DateTimeOffset at = runs.Max(r => r!.End);
                recovered(at);
                _steps.Add(Record(new StepRecord("observe", $"recovery: {recovery.StableFor.TotalSeconds:0.###} s of unbroken successes on every probe",
                    $"within {recovery.Timeout.TotalSeconds:0.###} s of the fault", $"recovered +{(at - fault).TotalMilliseconds:0} ms after the fault", from, ctx.Now, true)));
                return null;
            }
            if (StopCondition(probes) is { } why) return why;
            if (ctx.Now - fault > recovery.Timeout)
            {
                _steps.Add(Record(new StepRecord("observe", "recovery", $"within {recovery.Timeout.TotalSeconds:0.###} s of the fault",
                    "not recovered: " + string.Join(", ", probes.Where((p, i) => runs[i] is null).Select(p => p.Spec.Name)), from, ctx.Now, false)));
                return null;
            }
            await Task.Delay(Poll, ctx.Time, cancel);
        }
    }

    /// <summary><c>max_outage</c>: a probe failing without a break for longer than allowed.</summary>
    private string? StopCondition(List<OpenLoopProbe> probes)
    {
        if (ctx.Spec.StopConditions.MaxOutage is not { } max) return null;
        foreach (OpenLoopProbe p in probes)
        {
            var samples = p.Samples;
            DateTimeOffset lastOk = samples.Where(s => s.Ok).Select(s => s.End).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
            if (samples.Where(s => !s.Ok && s.End > lastOk).MinBy(s => s.Start) is { } first && ctx.Now - first.Start > max)
                return $"stop condition max_outage: probe {p.Spec.Name} has failed for {(ctx.Now - first.Start).TotalSeconds:0.#} s (limit {max.TotalSeconds:0.###} s)";
        }
        return null;
    }

    private async Task StepsAsync(string phase, IReadOnlyList<DrillStep> steps, CancellationToken ct)
    {
        if (steps.Count == 0) return;
        Enter(phase);
        foreach (DrillStep step in steps) _steps.Add(await _runner.RunAsync(phase, step, ct));
    }

    private async Task<IReadOnlyList<ControllerEventRecord>> ControllerEventsAsync(DateTimeOffset since)
    {
        if (ctx.Controller is not { } controller) return [];
        try
        {
            return [.. (await controller.EventsAsync(since, CancellationToken.None))
                .Select(e => new ControllerEventRecord(e.Time, e.Type, e.Member, e.Epoch, e.Actor, e.Details.GetValueOrDefault("reason")?.ToString() ?? ""))];
        }
        catch (DrillException e)
        {
            _problems.Add($"controller journal not read, so no phase breakdown: {e.Message}");
            return [];
        }
    }

    /// <summary>The drill's targets; what it leaves out comes from the linked service's config.</summary>
    private DrillTargets EffectiveTargets()
    {
        DrillTargets t = ctx.Spec.Targets;
        if (ctx.Service?.Targets is not { } s) return t;
        return t with
        {
            Rto = t.Rto ?? Ms(s.RtoMs),
            Recovery = t.Recovery ?? Ms(s.RecoveryMs),
            Rpo = t.Rpo ?? (s.RpoWrites is not null || s.RpoWindowMs is not null ? new Core.Topology.RpoTarget(s.RpoWrites, Ms(s.RpoWindowMs)) : null),
        };
    }

    private TheoreticalRto? Theoretical() =>
        ctx.Service?.Settings is { } s ? TheoreticalRto.FromChecks(s.IntervalMs, s.TimeoutMs, s.Fall) : null;

    private static TimeSpan? Ms(double? ms) => ms is { } v ? TimeSpan.FromMilliseconds(v) : null;

    private void Enter(string phase)
    {
        _phase = phase;
        ctx.Observer.PhaseStarted(phase);
    }

    private StepRecord Record(StepRecord step)
    {
        ctx.Observer.StepFinished(step);
        return step;
    }

    private IDisposable ReportProgress(List<OpenLoopProbe> probes, DateTimeOffset started, CancellationToken stop)
    {
        var timer = ctx.Time.CreateTimer(_ =>
        {
            var samples = probes.SelectMany(p => p.Samples).ToList();
            ctx.Observer.Progress(_phase, ctx.Now - started, samples.Count, samples.Count(s => !s.Ok));
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        stop.Register(() => timer.Dispose());
        return timer;
    }
}
