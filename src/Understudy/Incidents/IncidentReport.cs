using System.Text;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Drills.Reports;

namespace Understudy.Incidents;

/// <summary>
/// The post-mortem's starting point: a real failover or switchover as the journal recorded it, in the shape
/// of a drill report (title with the outcome, summary of phases, then the details and every event). A pure
/// function of the incident.
/// </summary>
public static partial class IncidentReport
{
    public static string Render(Incident incident)
    {
        var b = new StringBuilder();
        Title(b, incident);
        Summary(b, incident);
        People(b, incident);
        Hooks(b, incident);
        Alerts(b, incident);
        Timeline(b, incident);
        return b.ToString().TrimEnd('\n') + "\n";
    }

    private static void Title(StringBuilder b, Incident i)
    {
        Md.Heading(b, 1, $"Incident: {Word(i)} of {Md.Text(i.Service)}, epoch {Fmt.Int(i.Epoch)} — {OutcomeText(i)}");
        DateTimeOffset last = i.Ended?.Time ?? i.Timeline[^1].Time;
        b.Append($"- **When**: {Fmt.Day(i.Origin)}, {Fmt.Clock(i.Origin)} → {Fmt.Clock(last)} UTC ({Fmt.Seconds((last - i.Origin).TotalMilliseconds)})\n");
        b.Append($"- **Service**: {Md.Text(i.Service)}; **kind**: {Word(i)} ({(i.RequestId is null ? "automatic" : "requested by " + Md.Text(Requester(i)))}); ");
        b.Append($"**from** {Md.Text(i.From)} → **to** {Md.Text(i.To)}; **epoch**: {Fmt.Int(i.Epoch - 1)} → {Fmt.Int(i.Epoch)}\n");
        b.Append(i.Kind == IncidentKind.Failover
            ? $"- **First sign of failure**: {At(i.Detected, i.Origin, "not in the journal")}"
            : $"- **Drain began** (new connections held): {At(i.Started, i.Origin, "")}");
        b.Append($"; **traffic switched**: {At(i.Switched, i.Origin, i.Ended is null ? "not yet" : "not switched")}\n");
        b.Append($"- **Outcome**: {OutcomeText(i)}: {(i.Ended is { } end ? Md.Text(end.Reason) : $"the journal's last event is at {Fmt.Clock(last)}")}\n\n");
    }

    private static void Summary(StringBuilder b, Incident i)
    {
        Md.Heading(b, 2, "Summary");
        JournalTables.Phases(b, PhaseBreakdown.Chain(i.Origin, i.Milestones.Select(m => (Label(m), m.Event?.Time))), "since first phase");
        Md.Para(b, ControllerRto(i));
        if (i.Ended is null)
            Md.Para(b, $"**The {Word(i)} is still under way**: this report shows what the journal holds so far. Run it again once it has ended.");
    }

    /// <summary>The outage as the controller saw it; clients' own timeouts, retries and the proxy's hold make what they saw differ.</summary>
    private static string ControllerRto(Incident i)
    {
        if (i.OutageBegan is not { } began)
            return "The old primary's failure is not in the journal that was read, so there is no time from detection to estimate.";
        if (i.Switched is not { } switched)
            return $"Traffic was not switched{(i.Ended is null ? " yet" : "")}: there is no recovery time to estimate.";
        string span = Fmt.Ms((switched.Time - began.Time).TotalMilliseconds);
        string caveat = "an estimate from the controller's view, not what clients observed: held connections were served after the switch, "
                      + "and clients' own timeouts and retries add to it (a drill measures what clients see).";
        return i.Kind == IncidentKind.Failover
            ? $"**RTO estimate: {span}**, from the first sign of failure ({Md.Text(began.Type)}) to traffic.switched. This is {caveat}"
            : $"**New connections were held for up to {span}**, from the start of the drain to traffic.switched. This is {caveat}";
    }

    private static string Label(Milestone m) => m.Event is { } e ? $"{m.Name} ({e.Type})" : m.Name;

    private static string Word(Incident i) => i.Kind == IncidentKind.Failover ? "failover" : "switchover";

    private static string OutcomeText(Incident i) => i.Ended is null ? "⚠️ under way" : i.Completed ? "✅ completed" : "❌ failed";

    private static string Requester(Incident i) =>
        i.Request.OfType<RequestCreated>().FirstOrDefault()?.RequestedBy ?? i.Started.Actor;

    private static string At(JournalEvent? e, DateTimeOffset origin, string whenNull) =>
        e is null ? whenNull : $"{Fmt.Clock(e.Time)} ({Fmt.Since(e.Time, origin)}, {Md.Text(e.Type)}{(e.Member is { } m ? " " + Md.Text(m) : "")})";
}
