using System.CommandLine;
using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.Journal;

namespace Understudy.Cli;

/// <summary>
/// Where the commands that list journal events (<c>events</c>, <c>drill history</c>) read them: the journal of
/// -c FILE when no --api is given, so it works with no controller running; else the controller's API.
/// </summary>
internal static class EventSource
{
    /// <summary>
    /// The events of <paramref name="query"/>, oldest first and only the newest <paramref name="newest"/> when
    /// given, handed to <paramref name="show"/>; returns the exit code, after one line on stderr when reading failed.
    /// </summary>
    public static async Task<int> ShowAsync(ApiOptions api, ParseResult parse, JournalQuery query, int? newest,
        Action<IReadOnlyList<EventView>> show, CancellationToken ct)
    {
        if (parse.GetValue(api.Config) is { } file && parse.GetValue(api.Api) is null)
            return await FromJournalAsync(parse, file, query, newest, show, ct);
        return await api.RunAsync(parse, async client =>
        {
            show(await FromApiAsync(client, query, newest, ct));
            return CliApp.Ok;
        }, ct);
    }

    private static async Task<int> FromJournalAsync(ParseResult parse, FileInfo file, JournalQuery query, int? newest,
        Action<IReadOnlyList<EventView>> show, CancellationToken ct)
    {
        if (CommonOptions.LoadOrReport(file) is not { } spec) return CliApp.BadInput;
        if (query.Service is { } s && spec.Service(s) is null)
        {
            Console.Error.WriteLine($"--service: {file} has no service '{s}' (it has {string.Join(", ", spec.Services.Select(x => x.Name))})");
            return CliApp.BadInput;
        }
        IReadOnlyList<JournalEvent> events;
        try
        {
            events = await SqliteJournal.OpenReadOnly(spec.Controller.Journal).ReadAsync(newest is { } n ? query with { NewestFirst = true, Limit = n } : query, ct);
        }
        catch (JournalException e)
        {
            Console.Error.WriteLine($"understudy {parse.CommandResult.Command.Name}: {e.Message}");
            return CliApp.Failed;
        }
        show([.. (newest is null ? events : events.Reverse()).Select(EventView.From)]);
        return CliApp.Ok;
    }

    /// <summary>Only the newest <paramref name="newest"/> when given, so a limit means the same as with the journal: the last events, not the first.</summary>
    private static async Task<List<EventView>> FromApiAsync(ApiClient client, JournalQuery query, int? newest, CancellationToken ct)
    {
        if (newest is { } n) return await client.NewestEventsAsync(query, n, ct);
        var events = new List<EventView>();
        await foreach (EventView e in client.EventsAsync(query, ct)) events.Add(e);
        return events;
    }
}
