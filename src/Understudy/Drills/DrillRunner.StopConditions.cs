using System.Globalization;
using Understudy.Commands;
using Understudy.Core.Drills;
using Understudy.Drills.Probes;

namespace Understudy.Drills;

public sealed partial class DrillRunner
{
    /// <summary>
    /// The probe conditions (<c>max_outage</c>, <c>max_error_rate</c>, <c>max_p99</c>), watched from the fault on in
    /// every phase (a long wait or a manual step included): the first to fire cancels the drill's token with its reason.
    /// Before the fault, the steady state judges the probes itself.
    /// </summary>
    private IDisposable? WatchStopConditions(List<OpenLoopProbe> probes, DateTimeOffset probingSince, CancellationTokenSource abort, CancellationToken stop)
    {
        StopConditions conditions = ctx.Spec.StopConditions;
        if (conditions is { MaxOutage: null, MaxErrorRate: null, MaxP99: null }) return null;
        var timer = ctx.Time.CreateTimer(_ =>
        {
            if (_stopped is not null || ctx.FaultBegan is not { } began) return;
            DateTimeOffset now = ctx.Now;
            foreach (OpenLoopProbe p in probes)
            {
                var samples = p.Samples;
                string? reason = (conditions.MaxOutage is { } max ? Outage(p.Spec.Name, samples, began, now, max) : null)
                    ?? (conditions.MaxErrorRate is { } rate ? StopWindows.ErrorRate(p.Spec.Name, samples, probingSince, now, rate) : null)
                    ?? (conditions.MaxP99 is { } p99 ? StopWindows.P99(p.Spec.Name, samples, probingSince, now, p99) : null);
                if (reason is null) continue;
                Stop(reason, abort);
                return;
            }
        }, null, Poll, Poll);
        stop.Register(() => timer.Dispose());
        return timer;
    }

    private static string? Outage(string probe, IReadOnlyList<ProbeSample> samples, DateTimeOffset began, DateTimeOffset now, TimeSpan max)
    {
        DateTimeOffset lastOk = samples.Where(s => s.Ok).Select(s => s.End).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        if (samples.Where(s => !s.Ok && s.End > lastOk && s.End >= began).MinBy(s => s.Start) is not { } first || now - first.Start <= max) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"stop condition max_outage: probe {probe} has failed for {(now - first.Start).TotalSeconds:0.#} s (limit {max.TotalSeconds:0.###} s)");
    }

    /// <summary>
    /// <c>stop_conditions.command</c>, from the start of steady state (a check that fails before the fault stops the
    /// drill before anything is broken) until the probes stop: one run at a time, <c>interval</c> apart. A non-zero exit,
    /// the timeout or a command that cannot start aborts: a check that cannot answer does not say it is safe to go on.
    /// </summary>
    private async Task WatchCommandAsync(CancellationTokenSource abort, CancellationToken stop)
    {
        if (ctx.Spec.StopConditions.Command is not { } check) return;
        try
        {
            while (true)
            {
                CommandOutcome outcome = await ctx.Commands.RunAsync(check.Command, check.Timeout, stop);
                if (stop.IsCancellationRequested) return;
                if (!outcome.Succeeded)
                {
                    string said = outcome.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() is { } line ? $": {line}" : "";
                    Stop($"stop condition command: {outcome.Command} {outcome.Summary}{said}", abort);
                    return;
                }
                await Task.Delay(check.Interval, ctx.Time, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the drill is over: the check is no longer needed
        }
    }

    /// <summary>The first condition to fire wins; the others, watching on other threads, leave its reason alone.</summary>
    private void Stop(string reason, CancellationTokenSource abort)
    {
        if (Interlocked.CompareExchange(ref _stopped, reason, null) is null) abort.Cancel();
    }
}
