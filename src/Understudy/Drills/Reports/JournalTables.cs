using System.Text;
using Understudy.Core.Drills;

namespace Understudy.Drills.Reports;

/// <summary>The tables of the controller's facts that drill and incident reports share, so the two read alike.</summary>
internal static class JournalTables
{
    /// <summary>Phases, each with its own duration and its time since <paramref name="sinceHeader"/>'s origin; "—" where one did not happen.</summary>
    public static void Phases(StringBuilder b, IEnumerable<PhaseRecord> phases, string sinceHeader) =>
        Md.Table(b, ["phase", "at (UTC)", "duration", sinceHeader],
            phases.Select(p => (IReadOnlyList<string>)[Md.Text(p.Name), p.At is { } at ? Fmt.Clock(at) : "—", Fmt.Ms(p.DurationMs),
                p.SinceFaultMs is { } sf ? Fmt.SignedMs(sf) : "—"]));

    public static void Events(StringBuilder b, IEnumerable<ControllerEventRecord> events, DateTimeOffset origin, string sinceHeader) =>
        Md.Table(b, ["time (UTC)", sinceHeader, "type", "member", "epoch", "actor", "reason"],
            events.Select(e => (IReadOnlyList<string>)[Fmt.Clock(e.Time), Fmt.Since(e.Time, origin), Md.Text(e.Type),
                Md.Text(e.Member ?? "—"), Fmt.Int(e.Epoch), Md.Text(e.Actor), Md.Text(e.Reason)]));
}
