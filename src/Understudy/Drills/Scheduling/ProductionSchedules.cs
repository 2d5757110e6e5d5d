using Understudy.Core.Drills;
using Understudy.Core.Topology;
using Understudy.Hosting;
using Understudy.Journal;

namespace Understudy.Drills.Scheduling;

/// <summary>
/// A production drill on a schedule runs only on a standing approval of its exact file (DESIGN, drill programme): two people
/// approve it once (<c>drill request FILE --standing</c>), and a changed file needs a new approval. Checked before each run,
/// from the journal, so a run without one is skipped with the reason instead of starting and being refused.
/// </summary>
public sealed class ProductionSchedules(Controller controller, IJournal journal, TimeProvider time)
{
    /// <summary>Why the run may not start; null when it may (not production, a service that needs no approvals, or approved).</summary>
    public async Task<string?> WhyNotAsync(DrillScheduleSpec s, CancellationToken ct)
    {
        if (s.Environment != DrillEnvironment.Production || controller.Service(s.Service) is not { Spec.Failover.Approvals: > 0 }) return null;
        string digest;
        try
        {
            digest = await DrillFileDigest.OfAsync(s.File, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"the drill file cannot be read: {e.Message}";
        }
        var standing = DrillApprovals.Fold(await journal.ReadAsync(new JournalQuery(s.Service, TypePrefix: "drill."), ct)).Values.Where(d => d.Standing).ToList();
        DateTimeOffset now = time.GetUtcNow();
        return DrillApprovals.Standing(standing, s.Service, s.Name, digest, now) is null
            ? "a production schedule needs a standing approval: " + DrillApprovals.Refusal(standing, s.Service, s.Name, digest, now)
            : null;
    }
}
