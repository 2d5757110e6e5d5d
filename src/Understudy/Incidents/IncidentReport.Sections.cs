using System.Globalization;
using System.Text;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Drills.Reports;

namespace Understudy.Incidents;

// The details after the summary: the people, the hooks, the alerts, and every event.
public static partial class IncidentReport
{
    private static void People(StringBuilder b, Incident i)
    {
        Md.Heading(b, 2, "Who asked, who approved");
        if (i.RequestId is not { } id)
        {
            Md.Para(b, $"Automatic: no person involved. The controller decided: {Md.Text(i.Started.Reason)}");
            return;
        }
        if (i.Request.Count == 0)
        {
            Md.Para(b, $"Requested by **{Md.Text(i.Started.Actor)}** (request {Md.Text(id)}); the request's own events are not in the journal that was read.");
            return;
        }
        var approvals = i.Request.Where(e => e.Type == EventTypes.RequestApproved).ToList();
        string approved = approvals.Count == 0
            ? "no approval was needed"
            : "approved by " + string.Join(", ", approvals.Select(a => $"**{Md.Text(a.Detail("approved_by"))}**{Quoted(a.Detail("comment"), " ")}"));
        string why = i.Request.FirstOrDefault(e => e.Type == EventTypes.RequestCreated)?.Detail("request_reason") ?? "";
        Md.Para(b, $"Requested by **{Md.Text(Requester(i))}**{Quoted(why, ": ")}; {approved} (request {Md.Text(id)}).");
        Md.Table(b, ["time (UTC)", "type", "who", "comment"],
            i.Request.Select(e => (IReadOnlyList<string>)[Fmt.Clock(e.Time), Md.Text(e.Type), Md.Text(Who(e)), Md.Text(Said(e))]));
    }

    /// <summary>The person an event names: the requester, approver or rejecter, else whoever caused it.</summary>
    private static string Who(JournalEvent e) => e.Type switch
    {
        EventTypes.RequestCreated => e.Detail("requested_by"),
        EventTypes.RequestApproved => e.Detail("approved_by"),
        EventTypes.RequestRejected => e.Detail("rejected_by"),
        _ => null,
    } ?? e.Actor;

    /// <summary>The person's own words where the event carries them; else what happened.</summary>
    private static string Said(JournalEvent e) => e.Type switch
    {
        EventTypes.RequestCreated => e.Detail("request_reason") ?? "",
        EventTypes.RequestApproved or EventTypes.RequestRejected => e.Detail("comment") ?? "",
        EventTypes.RequestRefused => e.Detail("refused") ?? e.Reason ?? "",
        _ => e.Reason ?? "",
    };

    private static string Quoted(string? words, string lead) => string.IsNullOrWhiteSpace(words) ? "" : $"{lead}“{Md.Text(words)}”";

    private static void Hooks(StringBuilder b, Incident i)
    {
        Md.Heading(b, 2, "Hooks");
        var hooks = i.Timeline.Where(e => e.Type is EventTypes.HookCompleted or EventTypes.HookFailed && e.Epoch == i.Epoch).ToList();
        if (hooks.Count == 0) { Md.Para(b, "No hooks ran."); return; }
        Md.Table(b, ["time (UTC)", "trigger", "#", "command", "exit code", "took", "ok"],
            hooks.Select(h => (IReadOnlyList<string>)[Fmt.Clock(h.Time), Md.Text(h.Detail("trigger")), Fmt.Int(Number(h, "index") + 1),
                Md.Text(h.Detail("command")), ExitCode(h), Fmt.Ms(Number(h, "duration_ms")), Md.Ok(h.Type == EventTypes.HookCompleted)]));
    }

    /// <summary>No exit code: killed at its timeout, or it could not start or was interrupted (its reason in the timeline says which).</summary>
    private static string ExitCode(JournalEvent hook) =>
        hook.Detail("timed_out") is { } t && bool.TryParse(t, out bool timedOut) && timedOut ? "— (timed out)" : Fmt.Int(Number(hook, "exit_code"));

    /// <summary>Details read from SQLite are numbers, from the API JSON elements: both print as plain digits.</summary>
    private static long? Number(JournalEvent e, string key) =>
        long.TryParse(e.Detail(key), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) ? n : null;

    private static void Alerts(StringBuilder b, Incident i)
    {
        Md.Heading(b, 2, "Alerts raised");
        var alerts = i.Timeline.Where(e => e.Type == EventTypes.AlertRaised).ToList();
        if (alerts.Count == 0) { Md.Para(b, "No alerts were raised."); return; }
        Md.Table(b, ["time (UTC)", "severity", "member", "summary"],
            alerts.Select(a => (IReadOnlyList<string>)[Fmt.Clock(a.Time), Md.Text(a.Detail("severity")), Md.Text(a.Member ?? "—"), Md.Text(a.Reason)]));
    }

    private static void Timeline(StringBuilder b, Incident i)
    {
        Md.Heading(b, 2, "Timeline");
        string lead = $"{Fmt.Int((long)IncidentTimeline.LeadIn.TotalMinutes)} minutes before the first phase";
        string from = i.Origin - i.TimelineFrom < IncidentTimeline.LeadIn ? $"the controller's start, less than {lead}" : lead;
        Md.Para(b, $"Every event of {Md.Text(i.Service)} from {Fmt.Clock(i.TimelineFrom)} ({from}) to {(i.Ended is null ? "the journal's last event" : "the end")}.");
        JournalTables.Events(b, i.Timeline.Select(e => new ControllerEventRecord(e.Time, e.Type, e.Member, e.Epoch, e.Actor, e.Reason ?? "")),
            i.Origin, "since first phase");
    }
}
