using System.CommandLine;
using Understudy.Api;
using Understudy.Core.Sites;
using Understudy.Sites;

namespace Understudy.Cli;

/// <summary><c>failover --site NAME</c> and <c>approve s-…</c>: a site failover, its plan, its approval, and following it.</summary>
internal static class SiteFailover
{
    /// <summary>Site operation ids start so; request ids with <c>r-</c>.</summary>
    public const string IdPrefix = "s-";

    public static async Task<int> RequestAsync(ParseResult parse, ApiClient client, string site, string reason, bool dryRun, bool wait, bool json, TimeSpan timeout, CancellationToken ct)
    {
        string path = $"api/sites/{Uri.EscapeDataString(site)}/failover";
        var body = new SiteFailoverBody(reason, dryRun);
        if (dryRun)
        {
            SitePlanView plan = await client.PostAsync<SitePlanView>(path, body, ct);
            if (json) ApiOptions.WriteJson(plan);
            else
            {
                string approvals = plan.ApprovalsNeeded switch { 0 => "no approval needed", 1 => "needs 1 approval", var n => $"needs {n} approvals" };
                Console.WriteLine($"dry run: failover of site {plan.Site} ({approvals}); nothing was changed");
                for (int i = 0; i < plan.Steps.Count; i++) Console.WriteLine($"  {i + 1}. {plan.Steps[i].Service}: {plan.Steps[i].Detail}");
            }
            return CliApp.Ok;
        }
        return await FollowAsync(parse, client, await client.PostAsync<SiteOperationView>(path, body, ct), wait, json, timeout, ct);
    }

    public static async Task<int> ApproveAsync(ParseResult parse, ApiClient client, string id, string? comment, bool wait, bool json, TimeSpan timeout, CancellationToken ct) =>
        await FollowAsync(parse, client, await client.PostAsync<SiteOperationView>($"api/sites/operations/{Uri.EscapeDataString(id)}/approve", new CommentBody(comment, null), ct),
            wait, json, timeout, ct);

    public static async Task<int> RejectAsync(ApiClient client, string id, string? comment, bool json, CancellationToken ct)
    {
        SiteOperationView op = await client.PostAsync<SiteOperationView>($"api/sites/operations/{Uri.EscapeDataString(id)}/reject", new CommentBody(comment, null), ct);
        if (json) ApiOptions.WriteJson(op);
        else Print(op);
        return CliApp.Ok;
    }

    private static bool IsFinished(SiteOperationView op) => SiteStates.IsFinished(op.State);

    private static async Task<int> FollowAsync(ParseResult parse, ApiClient client, SiteOperationView op, bool wait, bool json, TimeSpan timeout, CancellationToken ct)
    {
        if (!json) Print(op);
        if (!wait)
        {
            if (json) ApiOptions.WriteJson(op);
            return CliApp.Ok;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            while (!IsFinished(op))
            {
                await Task.Delay(RequestWait.PollInterval, deadline.Token);
                SiteOperationView now = await client.GetAsync<SiteOperationView>($"api/sites/operations/{Uri.EscapeDataString(op.Id)}", deadline.Token);
                if (!json && (now.State != op.State || now.Detail != op.Detail)) Console.WriteLine($"{now.Id} {now.State}: {now.Detail}");
                op = now;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
        if (json) ApiOptions.WriteJson(op);
        else if (IsFinished(op)) Print(op);
        if (IsFinished(op)) return op.State == SiteOperations.Completed ? CliApp.Ok : CliApp.Failed;
        Console.Error.WriteLine($"understudy {parse.CommandResult.Command.Name}: {op.Id} is still {op.State} after {timeout.TotalSeconds:0.#} s; it goes on");
        return CliApp.Failed;
    }

    private static void Print(SiteOperationView op)
    {
        Console.WriteLine($"{op.Id} site {op.Site} {op.State} (by {op.RequestedBy}, approvals {op.ApprovedBy.Count}/{op.ApprovalsNeeded}): {op.Detail}");
        foreach (SiteStepView s in op.Steps)
            Console.WriteLine($"  {s.Service}: {s.Status}{(s.Request is null ? "" : $" ({s.Request})")}: {s.Detail}");
    }
}
