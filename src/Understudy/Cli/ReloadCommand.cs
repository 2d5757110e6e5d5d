using System.CommandLine;
using Understudy.Api;

namespace Understudy.Cli;

internal static class ReloadCommand
{
    /// <summary>A changed service waits for its loop's last steps (bounded by 10 s each) before it runs again.</summary>
    private static readonly TimeSpan ReloadTimeout = TimeSpan.FromMinutes(2);

    public static Command Create()
    {
        var api = new ApiOptions();
        var cmd = api.AddTo(new Command("reload",
            "Make the running controller read its config file again and apply it: services added, removed or changed, tokens and alert channels; unchanged services keep their connections. An invalid file changes nothing (as does SIGHUP)."));
        cmd.SetAction((parse, ct) => api.RunAsync(parse, async client =>
        {
            ReloadView done = await client.PostAsync<ReloadView>("api/reload", new { }, ct);
            if (parse.GetValue(api.Json)) ApiOptions.WriteJson(done);
            else Console.WriteLine($"reloaded (sha256 {done.Digest[..Math.Min(12, done.Digest.Length)]}): {done.Summary}");
            return CliApp.Ok;
        }, ct, ReloadTimeout));
        return cmd;
    }
}
