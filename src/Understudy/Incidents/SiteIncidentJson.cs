using System.Text.Json;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Drills.Reports;

namespace Understudy.Incidents;

// The JSON form of a site incident report, with report.json's conventions (snake_case, times ISO 8601 UTC to the
// millisecond, durations in _ms fields, nulls written). Field order here is the order in the file; the names are
// documented in docs/drill-reports.md and pinned by tests.

internal sealed record SiteIncidentDoc(
    int SchemaVersion,
    string Operation,
    string Site,
    string Outcome,
    bool? FullyRolledBack,
    string RequestedBy,
    int ApprovalsNeeded,
    IReadOnlyList<string> ApprovedBy,
    DateTimeOffset RequestedAt,
    DateTimeOffset? EndedAt,
    double? DurationMs,
    IReadOnlyList<SitePhaseDoc> Phases,
    IReadOnlyList<SiteServiceDoc> Services,
    IReadOnlyList<SiteEventDoc> Events);

internal sealed record SitePhaseDoc(string Name, string? Event, DateTimeOffset? At, double? DurationMs, double? SinceRequestMs);

internal sealed record SiteServiceDoc(
    int Order,
    string Service,
    string? From,
    string? To,
    string? Kind,
    string? Request,
    DateTimeOffset? StartedAt,
    DateTimeOffset? SwitchedAt,
    DateTimeOffset? VerifiedAt,
    double? OutageMs,
    bool StoppedHere,
    SiteRollbackDoc? RolledBack);

internal sealed record SiteRollbackDoc(string To, bool Succeeded, string? Request, DateTimeOffset At, string Reason);

internal sealed record SiteEventDoc(DateTimeOffset Time, string Service, string Type, string? Member, long Epoch, string Actor, string Reason);

/// <summary>The site incident report, machine-readable.</summary>
public static class SiteIncidentJson
{
    public const int SchemaVersion = 1;

    public static string Write(SiteIncident i) => JsonSerializer.Serialize(ToDoc(i), ReportJson.Options) + "\n";

    private static SiteIncidentDoc ToDoc(SiteIncident i)
    {
        IReadOnlyList<PhaseRecord> phases = SiteIncidentReport.PhaseRecords(i);
        return new SiteIncidentDoc(SchemaVersion, i.Operation, i.Site, Outcome(i.Outcome), i.Outcome == SiteOutcome.Failed ? i.FullyRolledBack : null,
            i.RequestedBy, i.ApprovalsNeeded, i.ApprovedBy, i.Origin, i.Ended?.Time, i.Ended is { } end ? (end.Time - i.Origin).TotalMilliseconds : null,
            [.. i.Phases.Zip(phases, (m, p) => new SitePhaseDoc(m.Name, m.Event?.Type, p.At, p.DurationMs, p.SinceFaultMs))],
            [.. i.Services.Select(s => new SiteServiceDoc(s.Order, s.Service, s.From, s.To, s.Kind, s.Request, s.Started?.Time, s.Switched?.Time, s.Moved?.Time,
                s.OutageMs, s.StoppedHere is not null,
                s.RolledBack is { } r ? new SiteRollbackDoc(r.To, r.Succeeded, s.RollbackRequest, r.Time, r.Reason) : null))],
            [.. i.Timeline.Select(e => new SiteEventDoc(e.Time, e.Service, e.Type, e.Member, e.Epoch, e.Actor, e.Reason))]);
    }

    /// <summary>completed, failed, rejected, expired, under_way.</summary>
    public static string Outcome(SiteOutcome outcome) => JsonNamingPolicy.SnakeCaseLower.ConvertName(outcome.ToString());
}
