using System.CommandLine;
using Understudy.Api;

namespace Understudy.Cli;

/// <summary><c>approve</c> and <c>reject</c>: an approver's answer to a request (someone other than its requester).</summary>
internal static class ApprovalCommands
{
    public static Command Approve() => Create("approve",
        "Approve a request; with the approvals it needs it executes at once.", canWait: true);

    public static Command Reject() => Create("reject",
        "Reject a request: it is finished, and nothing changes.", canWait: false);

    private static Command Create(string verb, string description, bool canWait)
    {
        var api = new ApiOptions();
        var wait = new RequestWait();
        var id = new Argument<string>("ID") { Description = "the request's id (r-…), as switchover, failover or requests print it, a site operation's (s-…), as failover --site prints it, or a drill request's (d-…), as drill request prints it" };
        var comment = new Option<string?>("--comment") { Description = "a note for the journal" };
        var cmd = api.AddTo(new Command(verb, description) { id, comment });
        if (canWait) wait.AddTo(cmd);
        cmd.SetAction((parse, ct) => api.RunAsync(parse, async client =>
        {
            if (!wait.TryGetTimeout(parse, out TimeSpan timeout, out string whyNot)) return ApiOptions.InputError(parse, whyNot);
            if (parse.GetValue(id)!.StartsWith(SiteFailover.IdPrefix, StringComparison.Ordinal))
            {
                if (!canWait) return await SiteFailover.RejectAsync(client, parse.GetValue(id)!, parse.GetValue(comment), parse.GetValue(api.Json), ct);
                return await SiteFailover.ApproveAsync(parse, client, parse.GetValue(id)!, parse.GetValue(comment), parse.GetValue(wait.Wait), parse.GetValue(api.Json), timeout, ct);
            }
            if (parse.GetValue(id)!.StartsWith(Core.Drills.DrillApprovals.IdPrefix, StringComparison.Ordinal))
                return await ApproveDrillAsync(parse, client, parse.GetValue(id)!, parse.GetValue(comment), canWait, parse.GetValue(api.Json), ct);
            RequestView request = await client.PostAsync<RequestView>(
                $"api/requests/{Uri.EscapeDataString(parse.GetValue(id)!)}/{verb}", new CommentBody(parse.GetValue(comment), Reason: null), ct);
            return await wait.FollowAsync(parse, client, request, parse.GetValue(api.Json), timeout, ct);
        }, ct));
        return cmd;
    }

    /// <summary>A production drill's request: approved (nothing runs until the drill does), never rejected: unused, it expires.</summary>
    private static async Task<int> ApproveDrillAsync(ParseResult parse, ApiClient client, string id, string? comment, bool approve, bool json, CancellationToken ct)
    {
        if (!approve) return ApiOptions.InputError(parse, $"{id} is a drill request: it is not rejected, it expires unused (or is never run)");
        var view = await client.PostAsync<DrillRequestView>($"api/drills/requests/{Uri.EscapeDataString(id)}/approve", new CommentBody(comment, Reason: null), ct);
        if (json) ApiOptions.WriteJson(view);
        else Console.WriteLine($"{view.Id}: drill '{view.Name}' on {view.Service}: {view.State.Replace('_', ' ')}, approvals {view.ApprovedBy.Count}/{view.ApprovalsNeeded} {string.Join(", ", view.ApprovedBy)}");
        return CliApp.Ok;
    }
}
