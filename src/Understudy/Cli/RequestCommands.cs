using System.CommandLine;
using Understudy.Api;

namespace Understudy.Cli;

/// <summary><c>switchover</c> and <c>failover</c>: ask the controller for a change of primary.</summary>
internal static class RequestCommands
{
    public static Command Switchover() => Create("switchover",
        "Planned change of primary while the primary is healthy: new connections are held, open ones drain, then traffic moves.");

    public static Command Failover() => Create("failover",
        "Change of primary now: the current primary is fenced (for when it is down or must not be trusted).");

    private static Command Create(string kind, string description)
    {
        var api = new ApiOptions();
        var wait = new RequestWait();
        var service = new Argument<string>("SERVICE") { Description = "the service whose primary changes" };
        var to = new Option<string?>("--to") { Description = "the member to make primary (default: the best candidate, as automatic failover picks it)" };
        var reason = new Option<string?>("--reason") { Description = "why, in a few words: journaled and shown to approvers (required)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "print the plan and the approvals it needs, and change nothing" };
        var cmd = wait.AddTo(api.AddTo(new Command(kind, description) { service, to, reason, dryRun }));
        var force = new Option<bool>("--force")
        {
            Description = "admin only: carry on a failover stopped because a required fence hook failed (you accept that the old primary may still run), "
                        + "or promote the most advanced PostgreSQL standby when none passes the lag rules (you accept losing what it never received)",
        };
        var at = new Option<string?>("--at") { Description = "switchover only: run it at this time (ISO 8601 with its offset, e.g. 2026-12-20T03:00Z) once approved" };
        var inWindow = new Option<bool>("--in-window") { Description = "switchover only: run it in the service's next maintenance window (services.S.maintenance)" };
        var site = new Option<string?>("--site") { Description = "fail over every service of this site (sites.NAME) instead of one SERVICE: each moves to a member of another site, in the site's order" };
        if (kind == "failover")
        {
            cmd.Options.Add(force);
            cmd.Options.Add(site);
            service.Arity = ArgumentArity.ZeroOrOne;
            service.Description = "the service whose primary changes (or --site)";
        }
        else { cmd.Options.Add(at); cmd.Options.Add(inWindow); }
        cmd.SetAction((parse, ct) => api.RunAsync(parse, async client =>
        {
            if (string.IsNullOrWhiteSpace(parse.GetValue(reason)))
                return ApiOptions.InputError(parse, "--reason is required: say why, in a few words (it is journaled and shown to approvers)");
            if (!wait.TryGetTimeout(parse, out TimeSpan timeout, out string whyNot)) return ApiOptions.InputError(parse, whyNot);
            if (kind == "failover")
            {
                bool hasService = !string.IsNullOrWhiteSpace(parse.GetValue(service)), hasSite = !string.IsNullOrWhiteSpace(parse.GetValue(site));
                if (hasService == hasSite)
                    return ApiOptions.InputError(parse, hasSite ? "give a SERVICE or --site, not both" : "give the SERVICE to fail over, or --site NAME to fail over a whole site");
                if (hasSite)
                {
                    if (parse.GetValue(to) is not null || parse.GetValue(force))
                        return ApiOptions.InputError(parse, "--to and --force apply to one service's failover, not to --site (each service goes to its best member outside the site)");
                    return await SiteFailover.RequestAsync(parse, client, parse.GetValue(site)!, parse.GetValue(reason)!, parse.GetValue(dryRun), parse.GetValue(wait.Wait),
                        parse.GetValue(api.Json), timeout, ct);
                }
            }
            string path = $"api/services/{Uri.EscapeDataString(parse.GetValue(service)!)}/{kind}";
            var body = new ChangeBody(parse.GetValue(to), parse.GetValue(reason), parse.GetValue(dryRun), kind == "failover" && parse.GetValue(force),
                kind == "switchover" ? parse.GetValue(at) : null, kind == "switchover" && parse.GetValue(inWindow));
            bool json = parse.GetValue(api.Json);
            if (!body.DryRun) return await wait.FollowAsync(parse, client, await client.PostAsync<RequestView>(path, body, ct), json, timeout, ct);

            PlanView plan = await client.PostAsync<PlanView>(path, body, ct);
            if (json) ApiOptions.WriteJson(plan);
            else PrintPlan(plan);
            return CliApp.Ok;
        }, ct));
        return cmd;
    }

    private static void PrintPlan(PlanView plan)
    {
        string approvals = plan.ApprovalsNeeded switch { 0 => "no approval needed", 1 => "needs 1 approval", var n => $"needs {n} approvals" };
        Console.WriteLine($"dry run: {plan.Kind} of {plan.Service}, {plan.From} → {plan.To} ({approvals}); nothing was changed");
        for (int i = 0; i < plan.Steps.Count; i++) Console.WriteLine($"  {i + 1}. {plan.Steps[i]}");
        if (plan.Commands.Count == 0) return;
        Console.WriteLine("commands it would run, in order:");
        foreach (string command in plan.Commands) Console.WriteLine($"  {command}");
    }
}
