using Understudy.Cli;
using Understudy.Drills.Probes;

namespace Understudy.Watch;

/// <summary>
/// Runs a <see cref="DeployGate"/> for a while: the probes start at once and run open loop in the background; every
/// interval the controller's view is polled and every probe's attempts so far are checked. It ends at the first breach,
/// or when the time is up with none.
/// </summary>
/// <param name="poll">One read of the service from the controller; an <see cref="ApiException"/> is no observation.</param>
/// <param name="say">Where notes go as they happen (the controller stopped answering, and answers again).</param>
public sealed class DeployWatch(DeployGate gate, IReadOnlyList<OpenLoopProbe> probes, Func<CancellationToken, Task<ServiceObservation>> poll,
    TimeProvider time, Action<string> say)
{
    private string? _unanswered;

    /// <summary>The first breach, or null when the gate held for <paramref name="duration"/>.</summary>
    public async Task<GateBreach?> RunAsync(TimeSpan duration, TimeSpan interval, CancellationToken ct)
    {
        DateTimeOffset end = time.GetUtcNow() + duration;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task[] running = [.. probes.Select(p => p.RunAsync(stop.Token))];
        try
        {
            using var timer = new PeriodicTimer(interval, time);
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (await EvaluateAsync(ct) is { } breach) return breach;
                if (time.GetUtcNow() >= end) return null;
            }
            return null;
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(running);
        }
    }

    private async Task<GateBreach?> EvaluateAsync(CancellationToken ct)
    {
        try
        {
            ServiceObservation seen = await poll(ct);
            if (_unanswered is not null) say("the controller answers again");
            _unanswered = null;
            if (gate.Observe(time.GetUtcNow(), seen) is { } breach) return breach;
        }
        catch (ApiException e)
        {
            // Once per silence: the probes still guard the deploy while the controller cannot be asked.
            if (_unanswered is null) say($"the controller did not answer ({e.Message}); the probes still count");
            _unanswered = e.Message;
        }
        DateTimeOffset now = time.GetUtcNow();
        foreach (OpenLoopProbe probe in probes)
            if (gate.Check(now, probe.Spec.Name, probe.Samples) is { } breach) return breach;
        return null;
    }
}
