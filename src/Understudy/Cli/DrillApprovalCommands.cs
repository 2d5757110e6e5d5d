using System.CommandLine;
using Understudy.Drills;
using Understudy.Api;
using Understudy.Core.Drills;

namespace Understudy.Cli;

/// <summary>
/// <c>drill request FILE --reason TEXT</c>, and the check <c>drill run --confirm-production</c> makes: a production drill on a
/// service whose failover needs approvals runs only on an approved request for its exact file (its SHA-256), once.
/// Both talk to the drill file's <c>controller</c>, with <c>$UNDERSTUDY_TOKEN</c> and <c>$UNDERSTUDY_CACERT</c> as <c>drill run</c> does.
/// </summary>
internal static class DrillApprovalCommands
{
    public static Command Request()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "the production drill file to be approved (approval binds its SHA-256: a changed file needs a new one)" };
        var reason = new Option<string?>("--reason") { Description = "why the drill should run in production: journaled and shown to approvers (required)" };
        var standing = new Option<bool>("--standing") { Description = "for a schedule (drills: in the controller's config): once approved, it allows every run of this exact file" };
        var json = CommonOptions.Json();
        var cmd = new Command("request", "Ask for approval to run a production drill (another person then runs understudy approve ID).") { file, reason, standing, json };
        cmd.SetAction(async (parse, ct) =>
        {
            FileInfo path = parse.GetValue(file)!;
            TextWriter stderr = parse.InvocationConfiguration.Error;
            if (DrillCommand.LoadOrReport(path, stderr) is not { } spec) return CliApp.BadInput;
            string? refused = string.IsNullOrWhiteSpace(parse.GetValue(reason))
                ? "--reason is required: say why the drill should run in production (it is journaled and shown to approvers)"
                : spec.Environment != DrillEnvironment.Production || spec.Controller is null
                    ? $"{path}: only a drill with environment: production and a controller needs a drill request"
                    : null;
            if (refused is not null)
            {
                stderr.WriteLine($"understudy drill request: {refused}");
                return CliApp.BadInput;
            }
            if (DrillCommand.TrustOrReport(stderr, "drill request") is not { } trust) return CliApp.BadInput;
            using var client = new ApiClient(spec.Controller!, Environment.GetEnvironmentVariable(ApiClient.TokenVariable), trust: trust);
            try
            {
                var made = await client.PostAsync<DrillRequestView>("api/drills/requests",
                    new DrillRequestBody(spec.Service, spec.Name, await DrillFileDigest.OfAsync(path.FullName, ct), parse.GetValue(reason), parse.GetValue(standing)), ct);
                if (parse.GetValue(json)) ApiOptions.WriteJson(made);
                else Console.WriteLine($"{made.Id}: drill '{made.Name}' on {made.Service} (sha256 {made.Digest[..12]}…) {made.State.Replace('_', ' ')}, " +
                    $"approvals 0/{made.ApprovalsNeeded}, expires {made.ExpiresAt:u}; another person approves it with: understudy approve {made.Id}");
                return CliApp.Ok;
            }
            catch (ApiException e)
            {
                stderr.WriteLine($"understudy drill request: {ApiOptions.Explain(e)}");
                return ApiOptions.ExitCodeFor(e.Status);
            }
        });
        return cmd;
    }

    /// <summary>
    /// Before a production drill linked to a controller runs: true when its service needs no approvals, or when the controller
    /// used an approved request for this file; otherwise says why (and what to do) and returns false.
    /// </summary>
    public static async Task<bool> AuthorizeAsync(DrillSpec spec, FileInfo path, ApiTrust trust, TextWriter stderr, CancellationToken ct)
    {
        using var client = new ApiClient(spec.Controller!, Environment.GetEnvironmentVariable(ApiClient.TokenVariable), trust: trust);
        try
        {
            // A run the schedule started carries its drill lock: it asks for the schedule's standing approval.
            bool scheduled = Environment.GetEnvironmentVariable(Drills.Scheduling.DrillLauncher.LockVariable) is { Length: > 0 };
            var answer = await client.PostAsync<DrillAuthorizationView>("api/drills/authorize",
                new DrillRequestBody(spec.Service, spec.Name, await DrillFileDigest.OfAsync(path.FullName, ct), Standing: scheduled), ct);
            if (answer.Request is { } used)
                Console.WriteLine($"production drill allowed by drill request {used.Id} (approved by {string.Join(", ", used.ApprovedBy)})"
                    + (used.Standing ? "; it is standing" : "; it is now used"));
            return true;
        }
        catch (ApiException e)
        {
            stderr.WriteLine($"{path}: environment is production and its approval could not be confirmed: {ApiOptions.Explain(e)}");
            return false;
        }
    }
}
