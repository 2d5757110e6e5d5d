using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Understudy.Failover;
using Understudy.Hosting;
using Understudy.Journal;

namespace Understudy.Api;

/// <summary>The read-only API of the foundation: status and the journal's events.</summary>
public static class StatusEndpoints
{
    public const int MaxEvents = 1000;

    public static void MapStatusApi(this IEndpointRouteBuilder app)
    {
        string viewer = Auth.ApiCaller.Policy(Core.Topology.ApiRole.Viewer);
        app.MapGet("/api/status", async (Controller controller, JournalHealth health, IJournal journal, Core.Topology.UnderstudySpec spec, CancellationToken ct) =>
        {
            JournalCondition now = health.Now;
            var services = new List<ServiceView>();
            foreach (ServiceRuntime r in controller.Services)
            {
                Core.Failover.ServiceState state = r.Loop.State;
                services.Add(StatusViews.From(state, r.Proxy, now.Writable, spec.AlertChannels.Length + r.Spec.AlertChannels.Length,
                    await VetoViews.LastVetoAsync(journal, state, ct)));
            }
            return new StatusView(new ControllerView(Controller.Version, controller.StartedAt, Live: true, JournalView.From(now)), services);
        }).RequireAuthorization(viewer);

        app.MapGet("/api/events", GetEventsAsync).RequireAuthorization(viewer);
    }

    private static async Task<Results<Ok<EventsPage>, ProblemHttpResult>> GetEventsAsync(
        IJournal journal, Controller controller, string? service, string? type, string? since, string? after, string? limit, string? order, string? before, CancellationToken ct)
    {
        // An empty parameter (?type=) means "any", as it does for most HTTP APIs.
        service = string.IsNullOrEmpty(service) ? null : service;
        type = string.IsNullOrEmpty(type) ? null : type;
        DateTimeOffset? from = null;
        if (!string.IsNullOrEmpty(since))
        {
            if (!DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed))
                return TypedResults.Problem($"since: expected an ISO 8601 time such as 2026-11-22T12:00:00Z, got '{since}'", statusCode: 400, title: "Bad query");
            from = parsed;
        }
        // Numbers are parsed here rather than bound, so a bad one gets a message naming the parameter.
        int take = MaxEvents;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxEvents))
            return TypedResults.Problem($"limit: expected 1 to {MaxEvents}, got {limit}", statusCode: 400, title: "Bad query");
        long afterId = 0;
        if (!string.IsNullOrEmpty(after) && !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out afterId))
            return TypedResults.Problem($"after: expected an event id (a whole number), got {after}", statusCode: 400, title: "Bad query");
        long? beforeId = null;
        if (!string.IsNullOrEmpty(before))
        {
            if (!long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out long b))
                return TypedResults.Problem($"before: expected an event id (a whole number), got {before}", statusCode: 400, title: "Bad query");
            beforeId = b;
        }
        if (order is not (null or "" or "asc" or "desc"))
            return TypedResults.Problem($"order: expected asc (oldest first, the default) or desc (newest first), got {order}", statusCode: 400, title: "Bad query");
        bool newestFirst = order == "desc";

        var events = await journal.ReadAsync(new JournalQuery(service, type, from, afterId, take + 1, BeforeId: beforeId, NewestFirst: newestFirst), ct);
        // Answered once the status shows what these events did: "wait for the event, then read the status" sees it.
        await controller.PublishedAsync(service, ct);
        bool more = events.Count > take;
        var page = events.Take(take).Select(EventView.From).ToList();
        long? next = more ? page[^1].Id : null;
        return TypedResults.Ok(newestFirst ? new EventsPage(page, null, next) : new EventsPage(page, next));
    }
}

/// <summary>
/// A page of events; pass <see cref="NextAfter"/> as <c>after</c> for the next one (oldest first), or, with
/// <c>order=desc</c>, <see cref="NextBefore"/> as <c>before</c>.
/// </summary>
public sealed record EventsPage(IReadOnlyList<EventView> Events, long? NextAfter, long? NextBefore = null);
