using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using Understudy.Api;

namespace Understudy.Cli;

internal static class RejoinCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var service = new Argument<string>("SERVICE") { Description = "the PostgreSQL service" };
        var member = new Argument<string>("MEMBER") { Description = "the member failed over from, to make a standby of the current primary" };
        var cmd = new Command("rejoin", "Turn an old primary into a streaming standby of the current primary (pg_rewind), through the running controller.") { config, service, member };
        cmd.SetAction(async (parse, ct) =>
        {
            FileInfo file = parse.GetValue(config)!;
            if (CommonOptions.LoadOrReport(file) is not { } spec) return CliApp.BadInput;
            string s = parse.GetValue(service)!, m = parse.GetValue(member)!;
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            HttpResponseMessage response;
            try
            {
                response = await http.PostAsync($"http://{spec.Controller.Api}/api/services/{Uri.EscapeDataString(s)}/members/{Uri.EscapeDataString(m)}/rejoin", null, ct);
            }
            catch (HttpRequestException e)
            {
                Console.Error.WriteLine($"understudy rejoin: the controller at {spec.Controller.Api} is not answering ({e.Message}); rejoin needs it running");
                return CliApp.Failed;
            }
            if (response.IsSuccessStatusCode)
            {
                var done = await response.Content.ReadFromJsonAsync<RejoinView>(ApiJson.Options, ct);
                Console.WriteLine($"{done!.Member} now streams from {done.Primary}: {done.Detail}");
                return CliApp.Ok;
            }
            string detail = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).TryGetProperty("detail", out var d) ? d.GetString() ?? "" : response.ReasonPhrase ?? "";
            Console.Error.WriteLine($"understudy rejoin: {detail}");
            return (int)response.StatusCode is >= 400 and < 500 ? CliApp.BadInput : CliApp.Failed;
        });
        return cmd;
    }
}
