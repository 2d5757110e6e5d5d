using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using Spectre.Console;
using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Journal;

namespace Understudy.Cli;

internal static class StatusCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var json = CommonOptions.Json();
        var cmd = new Command("status", "Show services, members, health, primary and epoch: live from the running controller, else from the journal.") { config, json };
        cmd.SetAction(async (parse, ct) =>
        {
            FileInfo file = parse.GetValue(config)!;
            if (CommonOptions.LoadOrReport(file) is not { } spec) return CliApp.BadInput;
            StatusView? view = await FromApiAsync(spec.Controller.Api, ct);
            if (view is null)
            {
                try { view = await FromJournalAsync(spec, ct); }
                catch (JournalException e) { Console.Error.WriteLine($"understudy status: the controller at {spec.Controller.Api} is not answering and {e.Message}"); return CliApp.Failed; }
            }
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(view, ApiJson.Options));
            else Render(view, spec.Controller.Api);
            return CliApp.Ok;
        });
        return cmd;
    }

    private static async Task<StatusView?> FromApiAsync(HostPort api, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            return await http.GetFromJsonAsync<StatusView>($"http://{api}/api/status", ApiJson.Options, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>What the journal alone says: epochs and primaries are exact, health is unknown.</summary>
    private static async Task<StatusView> FromJournalAsync(UnderstudySpec spec, CancellationToken ct)
    {
        var events = await SqliteJournal.OpenReadOnly(spec.Controller.Journal).ReadAsync(new JournalQuery(), ct);
        var services = spec.Services.Select(s => StatusViews.From(StateRebuilder.Rebuild(s, events, out _), proxy: null)).ToList();
        return new StatusView(new ControllerView(Hosting.Controller.Version, null, Live: false), services);
    }

    private static void Render(StatusView view, HostPort api)
    {
        AnsiConsole.MarkupLine(view.Controller.Live
            ? $"[green]controller {view.Controller.Version} at {api}[/], up since {view.Controller.StartedAt:u}"
            : $"[yellow]controller at {api} is not answering: from the journal (health unknown)[/]");
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
