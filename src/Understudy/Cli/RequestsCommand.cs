using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Understudy.Api;
using Understudy.Core.Failover;

namespace Understudy.Cli;

/// <summary><c>requests</c>, and how a request reads in every command that prints one.</summary>
internal static class RequestsCommand
{
    private static readonly string[] States = [.. Enum.GetValues<RequestState>().Select(s => s.Text())];

    public static Command Create()
    {
        var api = new ApiOptions();
        var service = new Option<string?>("--service", "-s") { Description = "only this service" };
        var state = new Option<string?>("--state") { Description = $"only requests in this state: {string.Join(", ", States)}" };
        var cmd = api.AddTo(new Command("requests", "List switchover and failover requests, finished ones too, with their approvals and state.") { service, state });
        cmd.SetAction((parse, ct) => api.RunAsync(parse, async client =>
        {
            if (parse.GetValue(state) is { } s && !States.Contains(s))
                return ApiOptions.InputError(parse, $"--state: expected one of {string.Join(", ", States)}, got '{s}'");
            RequestsPage page = await client.GetAsync<RequestsPage>(
                ApiClient.WithQuery("api/requests", ("service", parse.GetValue(service)), ("state", parse.GetValue(state))), ct);
            if (parse.GetValue(api.Json)) ApiOptions.WriteJson(page);
            else if (page.Requests.Count == 0) Console.WriteLine("no requests");
            else AnsiConsole.Write(Table(page.Requests));
            return CliApp.Ok;
        }, ct));
        return cmd;
    }

    internal static Table Table(IReadOnlyList<RequestView> requests)
    {
        var table = new Table().AddColumns("id", "service", "kind", "from → to", "requested by", "approvals", "state", "expires / updated (UTC)");
        foreach (RequestView r in requests)
        {
            // An open request's deadline matters; a finished one's last change does.
            string when = r.State == RequestState.AwaitingApproval.Text() ? $"expires {Time(r.ExpiresAt)}" : $"updated {Time(r.UpdatedAt)}";
            table.AddRow([.. new[] { r.Id, r.Service, r.Kind, $"{r.From} → {r.To}", r.RequestedBy, Approvals(r), State(r), when }.Select(Markup.Escape)]);
        }
        return table;
    }

    /// <summary>One request on one line, as switchover, failover, approve and reject print it.</summary>
    internal static string Line(RequestView r) =>
        $"{r.Id}: {r.Kind} of {r.Service}, {r.From} → {r.To}: {State(r)}, approvals {Approvals(r)}"
        + (string.IsNullOrEmpty(r.Detail) ? "" : $" ({r.Detail})");

    internal static void Print(RequestView r, bool json)
    {
        if (json) ApiOptions.WriteJson(r);
        else Console.WriteLine(Line(r));
    }

    private static string Approvals(RequestView r) => r.ApprovalsNeeded == 0
        ? "none needed"
        : $"{r.ApprovedBy.Count}/{r.ApprovalsNeeded}" + (r.ApprovedBy.Count == 0 ? "" : $" {string.Join(", ", r.ApprovedBy)}");

    private static string State(RequestView r) => r.RejectedBy is { } by ? $"{r.State} by {by}" : r.State;

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
