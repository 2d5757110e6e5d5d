using System.CommandLine;
using Understudy.Api;

namespace Understudy.Cli;

internal static class RejoinCommand
{
    /// <summary>pg_rewind or a whole base backup can take minutes.</summary>
    private static readonly TimeSpan RejoinTimeout = TimeSpan.FromMinutes(5);

    public static Command Create()
    {
        var api = new ApiOptions();
        var service = new Argument<string>("SERVICE") { Description = "the service" };
        var member = new Argument<string>("MEMBER") { Description = "the member failed over from, to make a candidate again" };
        var cmd = api.AddTo(new Command("rejoin",
            "Make a member failed over from a candidate again, through the running controller: for PostgreSQL it becomes a streaming standby of the current primary (pg_rewind), for Redis a replica (REPLICAOF); for http/tcp you vouch that it is fit.")
            { service, member });
        cmd.SetAction((parse, ct) => api.RunAsync(parse, async client =>
        {
            string s = parse.GetValue(service)!, m = parse.GetValue(member)!;
            RejoinView done = await client.PostAsync<RejoinView>($"api/services/{Uri.EscapeDataString(s)}/members/{Uri.EscapeDataString(m)}/rejoin", new { }, ct);
            if (parse.GetValue(api.Json)) ApiOptions.WriteJson(done);
            else Console.WriteLine($"{done.Member} rejoined under {done.Primary}: {done.Detail}");
            return CliApp.Ok;
        }, ct, RejoinTimeout));
        return cmd;
    }
}
