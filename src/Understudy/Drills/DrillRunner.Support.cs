using Understudy.Core.Drills;
using Understudy.Drills.Probes;

namespace Understudy.Drills;

public sealed partial class DrillRunner
{
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

    /// <summary>About once a second: the attempts and failures so far. A failing console must not end the drill.</summary>
    private IDisposable ReportProgress(List<OpenLoopProbe> probes, DateTimeOffset started, CancellationToken stop)
    {
        var timer = ctx.Time.CreateTimer(_ =>
        {
            try
            {
                int attempts = 0, failures = 0;
                foreach (var p in probes)
                    foreach (var s in p.Samples) { attempts++; if (!s.Ok) failures++; }
                ctx.Observer.Progress(_phase, ctx.Now - started, attempts, failures);
            }
            catch (IOException) { }
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        stop.Register(() => timer.Dispose());
        return timer;
    }
}
