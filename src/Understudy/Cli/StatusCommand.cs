using System.CommandLine;
using System.Net;
using Spectre.Console;
using Understudy.Api;
using Understudy.Cluster;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Journal;

namespace Understudy.Cli;

internal static class StatusCommand
{
    public static Command Create()
    {
        var api = new ApiOptions();
        api.Config.Description = "the understudy.yaml: its controller live, else (not answering) its journal; --api wins";
        var cmd = api.AddTo(new Command("status", "Show services, members, health, primary and epoch: live from the running controller, or from the journal of -c FILE when it is not answering."));
        cmd.SetAction(async (parse, ct) =>
        {
            bool json = parse.GetValue(api.Json);
            if (parse.GetValue(api.Config) is not { } file || parse.GetValue(api.Api) is not null)
                return await api.RunAsync(parse, async client =>
                {
                    StatusView live = await client.GetAsync<StatusView>("api/status", ct);
                    Show(json, live, json ? null : await ClusterOfAsync(client, ct), client.BaseUrl, notLive: null);
                    return CliApp.Ok;
                }, ct);

            if (CommonOptions.LoadOrReport(file) is not { } spec) return CliApp.BadInput;
            // With -c the subject is that config's controller, so its journal is a true fallback for it.
            if (api.TrustOf(parse, spec.Controller.Tls) is not { } trust) return CliApp.BadInput;
            using var client = new ApiClient(spec.Controller.ApiUrl, api.TokenOf(parse), TimeSpan.FromSeconds(2), trust);
            StatusView view;
            ClusterView? cluster = null;
            string? notLive = null;
            try
            {
                view = await client.GetAsync<StatusView>("api/status", ct);
                if (!json) cluster = await ClusterOfAsync(client, ct);
            }
            catch (ApiException e)
            {
                notLive = ApiOptions.Explain(e);
                try { view = await FromJournalAsync(spec, ct); }
                catch (JournalException j) { Console.Error.WriteLine($"understudy status: {notLive}, and {j.Message}"); return CliApp.Failed; }
            }
            Show(json, view, cluster, client.BaseUrl, notLive);
            return CliApp.Ok;
        });
        return cmd;
    }

    /// <summary>The cluster, for its line above the services; a controller from before clusters (404) has none to tell.</summary>
    private static async Task<ClusterView?> ClusterOfAsync(ApiClient client, CancellationToken ct)
    {
        try { return await client.ClusterAsync(ct); }
        catch (ApiException e) when (e.Status == HttpStatusCode.NotFound) { return null; }
    }

    private static void Show(bool json, StatusView view, ClusterView? cluster, Uri url, string? notLive)
    {
        if (!json) Render(view, cluster, url, notLive);
        else
        {
            // The JSON says live: false; stderr says why, without spoiling stdout for a parser.
            if (notLive is not null) Console.Error.WriteLine($"understudy status: {notLive}: from the journal");
            ApiOptions.WriteJson(view);
        }
    }

    /// <summary>What the journal alone says: epochs and primaries are exact, health is unknown.</summary>
    private static async Task<StatusView> FromJournalAsync(UnderstudySpec spec, CancellationToken ct)
    {
        var events = await SqliteJournal.OpenReadOnly(spec.Controller.Journal).ReadAsync(new JournalQuery(), ct);
        var services = spec.Services.Select(s => StatusViews.From(ServiceFold.Rebuild(s, events, out _), proxy: null,
            lastVeto: events.OfType<ChangeVetoed>().LastOrDefault(e => e.Service == s.Name))).ToList();
        return new StatusView(new ControllerView(Hosting.Controller.Version, null, Live: false), services);
    }

    private static void Render(StatusView view, ClusterView? cluster, Uri url, string? notLive)
    {
        AnsiConsole.MarkupLine(notLive is null
            ? $"[green]controller {view.Controller.Version} at {url}[/], up since {view.Controller.StartedAt:u}"
            : $"[yellow]{Markup.Escape(notLive)}: from the journal (health unknown)[/]");
        if (cluster is not null && ClusterCommand.StatusLine(cluster) is { } line)
            AnsiConsole.MarkupLine(cluster.Problem is null ? Markup.Escape(line) : $"[yellow]{Markup.Escape(line)}[/]");
        foreach (ServiceView s in view.Services)
        {
            var table = new Table().Title($"[bold]{s.Name}[/] ({s.Kind}) epoch {s.Epoch}, primary {s.Primary}, {s.Phase}")
                .AddColumns("member", "address", "role", "health", "notes");
            foreach (MemberView m in s.Members)
            {
                string health = m.Health switch { "up" => "[green]up[/]", "down" => "[red]down[/]", _ => "[grey]unknown[/]" };
                var notes = new List<string>();
                if (m.Name == s.Routable) notes.Add("receives traffic");
                if (m.Suspected) notes.Add("suspected: confirming");
                if (m.NeedsRejoin) notes.Add("failed over from: needs rejoin");
                table.AddRow(m.Name, m.Address, m.Role, health, Markup.Escape(string.Join("; ", notes)));
            }
            AnsiConsole.Write(table);
            if (s.HoldReason is not null) AnsiConsole.MarkupLine($"  [yellow]{Markup.Escape(s.HoldReason)}[/]");
            if (s.Proxy is { } p) AnsiConsole.MarkupLine($"  proxy {p.Listen}: {p.OpenConnections} open, {p.Accepted} accepted, {p.Failed} failed");
        }
    }
}
