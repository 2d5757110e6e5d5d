using Understudy.Core.Drills;
using Understudy.Core.Sites;
using Understudy.Core.Topology;
using Understudy.Drills;
using Understudy.Drills.Probes;

namespace Understudy.Sites;

/// <summary>
/// The verify phase of a site failover: once the controller sees a moved service's new primary routable and up, the
/// service's probe (a drill probe: what its clients see) must succeed <see cref="SiteVerifySpec.Successes"/> times in a
/// row before <see cref="SiteVerifySpec.Within"/> has passed. The controller's own checks only prove the member answers them.
/// </summary>
public sealed class SiteVerifier(TimeProvider time)
{
    /// <summary>
    /// Null when the service passed (<paramref name="passed"/> then gets what proved it) or has no probe; else why it failed,
    /// with the probe's last error.
    /// </summary>
    public async Task<string?> VerifyAsync(SiteSpec site, string service, Action<string> passed, CancellationToken ct)
    {
        if (!site.Verify.TryGetValue(service, out SiteVerifySpec? spec)) return null;
        DateTimeOffset start = time.GetUtcNow();
        using OpenLoopProbe probe = ProbeFactory.Create(spec.Probe, time);
        using var window = new CancellationTokenSource(spec.Within, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, window.Token);
        // What a kind needs first (sql_write's table) is part of the window: on the new primary it may wait for the switch.
        try { await probe.PrepareAsync(stop.Token); }
        catch (DrillException e) { return Failed(service, spec, e.Message); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return Failed(service, spec, $"the probe could not start ({spec.Probe.Shown})"); }

        Task run = probe.RunAsync(stop.Token);
        try
        {
            while (Streak(probe.Samples, spec.Successes).Reached is null && !stop.IsCancellationRequested)
                await Task.Delay(spec.Probe.Interval, time, ct);
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
        // Attempts still running at the deadline were waited for: one that started in time counts.
        var (count, reached) = Streak(probe.Samples, spec.Successes);
        if (reached is not null)
        {
            passed($"verified by probe: {spec.Successes} successes in {(reached.End - start).TotalMilliseconds:0} ms");
            return null;
        }
        string lastError = probe.Samples.LastOrDefault(s => !s.Ok) is { } failure
            ? $"{failure.Detail ?? failure.Error.ToString()} from {spec.Probe.Shown}"
            : $"no attempt failed, but only {count} ended in time ({spec.Probe.Shown})";
        return Failed(service, spec, lastError);
    }

    private static string Failed(string service, SiteVerifySpec spec, string last) =>
        $"verification failed: {service}: {spec.Successes} consecutive successes not reached within {spec.Within.TotalSeconds:0.###} s; last: {last}";

    /// <summary>
    /// The attempt that first completed <paramref name="needed"/> successes in a row, else null and the successes in a row
    /// so far. Only attempts that ended after every earlier one ended count: open-loop attempts overlap, and a later
    /// success says nothing while an earlier attempt may still fail.
    /// </summary>
    private static (int Count, ProbeSample? Reached) Streak(IReadOnlyList<ProbeSample> samples, int needed)
    {
        int count = 0;
        for (int i = 0; i < samples.Count && samples[i].Seq == i; i++)
        {
            count = samples[i].Ok ? count + 1 : 0;
            if (count == needed) return (count, samples[i]);
        }
        return (count, null);
    }
}
