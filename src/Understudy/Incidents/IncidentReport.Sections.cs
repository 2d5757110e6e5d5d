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
        var approvals = i.Request.OfType<RequestApproved>().ToList();
        string approved = approvals.Count == 0
            ? "no approval was needed"
            : "approved by " + string.Join(", ", approvals.Select(a => $"**{Md.Text(a.ApprovedBy)}**{Quoted(a.Comment, " ")}"));
        string why = i.Request.OfType<RequestCreated>().FirstOrDefault()?.RequestReason ?? "";
        Md.Para(b, $"Requested by **{Md.Text(Requester(i))}**{Quoted(why, ": ")}; {approved} (request {Md.Text(id)}).");
        Md.Table(b, ["time (UTC)", "type", "who", "comment"],
            i.Request.Select(e => (IReadOnlyList<string>)[Fmt.Clock(e.Time), Md.Text(e.Type), Md.Text(Who(e)), Md.Text(Said(e))]));
    }

    /// <summary>The person an event names: the requester, approver or rejecter, else whoever caused it.</summary>
    private static string Who(JournalEvent e) => e switch
    {
        RequestCreated c => c.RequestedBy,
        RequestApproved a => a.ApprovedBy,
        RequestRejected r => r.RejectedBy,
        _ => e.Actor,
    };

    /// <summary>The person's own words where the event carries them; else what happened.</summary>
    private static string Said(JournalEvent e) => e switch
    {
        RequestCreated c => c.RequestReason,
        RequestApproved a => a.Comment,
        RequestRejected r => r.Comment,
        RequestRefused r => r.Refused,
        _ => e.Reason,
    };

    private static string Quoted(string? words, string lead) => string.IsNullOrWhiteSpace(words) ? "" : $"{lead}“{Md.Text(words)}”";

    private static void Hooks(StringBuilder b, Incident i)
    {
        Md.Heading(b, 2, "Hooks");
        var hooks = i.Timeline.OfType<HookEvent>().Where(e => e.Epoch == i.Epoch).ToList();
        if (hooks.Count == 0) { Md.Para(b, "No hooks ran."); return; }
        Md.Table(b, ["time (UTC)", "trigger", "#", "command", "exit code", "took", "ok"],
            hooks.Select(h => (IReadOnlyList<string>)[Fmt.Clock(h.Time), Md.Text(h.Trigger), Fmt.Int(h.Index + 1),
                Md.Text(h.Command), ExitCode(h), Fmt.Ms(h.DurationMs), Md.Ok(h is HookCompleted)]));
    }

    /// <summary>No exit code: killed at its timeout, or it could not start or was interrupted (its reason in the timeline says which).</summary>
    private static string ExitCode(HookEvent hook) => hook.TimedOut ? "— (timed out)" : Fmt.Int(hook.ExitCode);

    private static void Alerts(StringBuilder b, Incident i)
    {
        Md.Heading(b, 2, "Alerts raised");
        var alerts = i.Timeline.Where(e => e.Type == EventTypes.AlertRaised).ToList();
        if (alerts.Count == 0) { Md.Para(b, "No alerts were raised."); return; }
        Md.Table(b, ["time (UTC)", "severity", "member", "summary"],
            alerts.OfType<AlertRaised>().Select(a => (IReadOnlyList<string>)[Fmt.Clock(a.Time), Md.Text(a.Severity), Md.Text(a.Member ?? "—"), Md.Text(a.Reason)]));
    }

    private static void Timeline(StringBuilder b, Incident i)
    {
        Md.Heading(b, 2, "Timeline");
        string lead = $"{Fmt.Int((long)IncidentTimeline.LeadIn.TotalMinutes)} minutes before the first phase";
        string from = i.Origin - i.TimelineFrom < IncidentTimeline.LeadIn ? $"the controller's start, less than {lead}" : lead;
        Md.Para(b, $"Every event of {Md.Text(i.Service)} from {Fmt.Clock(i.TimelineFrom)} ({from}) to {(i.Ended is null ? "the journal's last event" : "the end")}.");
        JournalTables.Events(b, i.Timeline.Select(e => new ControllerEventRecord(e.Time, e.Type, e.Member, e.Epoch, e.Actor, e.Reason)),
            i.Origin, "since first phase");
    }
}
