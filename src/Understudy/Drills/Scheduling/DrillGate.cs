using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Hosting;

namespace Understudy.Drills.Scheduling;

/// <summary>
/// The way into a drill on a service, for the schedule and for <c>drill run</c> alike: the pre-flight, then the
/// drill lock. A drill turned away is journaled as drill.skipped with the reason; one let in, as drill.started.
/// </summary>
public sealed class DrillGate(Controller controller, DrillLocks locks)
{
    /// <summary>The lock for the drill, or null and why not (already journaled).</summary>
    /// <param name="actor">Who asks, journaled as the events' actor; <paramref name="holder"/> is how the lock names them to others.</param>
    public async Task<(DrillLock? Lock, string? WhyNot)> TryOpenAsync(string service, string name, string file, string actor, string holder, CancellationToken ct)
    {
        if (controller.Service(service) is not { } runtime) throw new ArgumentException($"no service '{service}'", nameof(service));
        string? whyNot = DrillPreflight.WhyNot(runtime.Loop.State);
        DrillLock? taken = null;
        if (whyNot is null && (taken = locks.TryTake(service, holder, out DrillLock? held)) is null)
            whyNot = $"another drill holds {service}'s drill lock ({held!.Holder}, since {held.Since:u})";
        if (whyNot is not null) await SkippedAsync(service, name, file, whyNot, actor, ct);
        return (taken, whyNot);
    }

    public Task SkippedAsync(string service, string name, string file, string whyNot, string actor, CancellationToken ct) =>
        controller.NoteAsync(service, new DrillSkipped(name, file, whyNot) { Actor = actor, Reason = $"drill '{name}' skipped: {whyNot}" }, ct);

    public Task StartedAsync(string service, string name, string file, int pid, string actor, CancellationToken ct) =>
        controller.NoteAsync(service, new DrillStarted(name, file, pid) { Actor = actor, Reason = $"drill '{name}' started (pid {pid})" }, ct);
}
