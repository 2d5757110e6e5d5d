using System.CommandLine;
using Understudy.Api;

namespace Understudy.Cli;

/// <summary><c>pause</c> and <c>resume</c>: maintenance, during which nothing fails over and no request executes.</summary>
internal static class PauseCommands
{
    public static Command Pause() => Create("pause",
        "Pause a service for maintenance: no automatic failover and no request executes until it is resumed.", reasonRequired: true);

    public static Command Resume() => Create("resume",
        "Resume a paused service: automatic failover applies again.", reasonRequired: false);

    private static Command Create(string verb, string description, bool reasonRequired)
    {
        var api = new ApiOptions();
        var service = new Argument<string>("SERVICE") { Description = $"the service to {verb}" };
        var reason = new Option<string?>("--reason") { Description = reasonRequired ? "why, in a few words: journaled (required)" : "why, in a few words: journaled" };
        var cmd = api.AddTo(new Command(verb, description) { service, reason });
        cmd.SetAction((parse, ct) => api.RunAsync(parse, async client =>
        {
            if (reasonRequired && string.IsNullOrWhiteSpace(parse.GetValue(reason)))
                return ApiOptions.InputError(parse, "--reason is required: say why, in a few words (it is journaled)");
            ServiceView s = await client.PostAsync<ServiceView>(
                $"api/services/{Uri.EscapeDataString(parse.GetValue(service)!)}/{verb}", new CommentBody(Comment: null, parse.GetValue(reason)), ct);
            if (parse.GetValue(api.Json)) ApiOptions.WriteJson(s);
            else Console.WriteLine($"{s.Name}: {s.Phase}, epoch {s.Epoch}, primary {s.Primary}" + (s.HoldReason is { } why ? $" ({why})" : ""));
            return CliApp.Ok;
        }, ct));
        return cmd;
    }
}
