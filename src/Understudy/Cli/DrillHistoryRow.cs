using Understudy.Api;
using Understudy.Core.Journal;

namespace Understudy.Cli;

/// <summary>
/// One line of <c>drill history</c>: a journaled drill.completed with report.json's figures under report.json's
/// names, which <c>--json</c> prints in snake_case. A figure the drill did not send (or predates) is null.
/// </summary>
internal sealed record DrillHistoryRow(
    DateTimeOffset Time, string Service, string Name, string Verdict,
    double? RtoMs, double? RecoveryTimeMs, int? LostAcknowledgedWrites, double? AvailabilityPct, string? Report)
{
    /// <summary>The drills among <paramref name="events"/> (oldest first, as every source gives them), newest first.</summary>
    public static IReadOnlyList<DrillHistoryRow> Of(IEnumerable<EventView> events) =>
    [
        .. events.Reverse().Select(ServiceEvents.ToJournalEvent).OfType<DrillCompleted>().Select(d =>
            new DrillHistoryRow(d.Time, d.Service, d.Name, d.Verdict, d.RtoMs, d.RecoveryTimeMs, d.LostAcknowledgedWrites, d.AvailabilityPct, d.Report)),
    ];
}
