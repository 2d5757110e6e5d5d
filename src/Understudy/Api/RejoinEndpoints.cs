using Microsoft.AspNetCore.Http.HttpResults;
using Understudy.Commands;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Failover.Postgres;
using Understudy.Hosting;

namespace Understudy.Api;

public sealed record RejoinView(string Service, string Member, string Primary, bool Rejoined, string Detail);

/// <summary>
/// <c>POST /api/services/{s}/members/{m}/rejoin</c>: turn a member failed over from into a standby of the
/// current primary, then let it be a candidate again. Journaled with the operator as actor.
/// </summary>
public static class RejoinEndpoints
{
    /// <summary>One rejoin per member at a time: two would stop and rewind the same data directory together.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> Running = new();

    public static void MapRejoinApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/services/{service}/members/{member}/rejoin", RejoinAsync).RequireAuthorization(Auth.ApiCaller.Policy(Core.Topology.ApiRole.Operator));

    private static async Task<Results<Ok<RejoinView>, ProblemHttpResult>> RejoinAsync(
        string service, string member, HttpContext http, Controller controller, CommandRunner commands, IHostApplicationLifetime lifetime, ControllerSpec spec)
    {
        // A rejoin runs to its end even if the caller goes away: cut off, it would leave the data directory
        // with the primary's configuration. Only the controller stopping interrupts it.
        CancellationToken ct = lifetime.ApplicationStopping;
        string actor = Auth.ApiCaller.Name(http);
        if (controller.Services.FirstOrDefault(s => s.Spec.Name == service) is not { } runtime)
            return TypedResults.Problem($"service: no service '{service}'", statusCode: 404, title: "Not found");
        ServiceState state = runtime.Loop.State;
        if (!state.Members.TryGetValue(member, out MemberState? m))
            return TypedResults.Problem($"member: service {service} has no member '{member}'", statusCode: 404, title: "Not found");
        if (!m.NeedsRejoin)
            return Conflict($"{member} is not marked for rejoin (only a member failed over from is)");
        if (state.Routable is not { } primary || state.Failover is not null)
            return Conflict($"{service} has no settled primary to rejoin {member} to (phase {StatusViews.Phase(state)}); try again once it has");

        if (state.IsRedis)
        {
            // Nothing to rewind: REPLICAOF the primary (already done on sight, so usually a no-op) and wait for the link.
            long at = state.Epoch;
            await runtime.Loop.NoteAsync(new RejoinStarted(primary) { Member = member, Actor = actor, Reason = $"{actor} rejoins {member} as a replica of {primary} (epoch {at})" }, ct);
            (bool rejoined, string how) = await RejoinRedisAsync(runtime.Spec, member, primary, ct);
            runtime.Loop.Post(new RejoinFinished(member, actor, at, primary, rejoined, how));
            return rejoined ? TypedResults.Ok(new RejoinView(service, member, primary, true, how))
                : TypedResults.Problem($"rejoining {member} failed; why is journaled: understudy events --service {service} --type {EventTypes.RejoinFailed}", statusCode: 500, title: "Rejoin failed");
        }
        if (!state.IsPostgres)
        {
            // Nothing to rewind for http/tcp: the operator vouches that the member is fit to be a candidate again.
            runtime.Loop.Post(new RejoinFinished(member, actor, state.Epoch, primary, true, "the operator vouches for it"));
            return TypedResults.Ok(new RejoinView(service, member, primary, true, $"{member} may be a candidate again (no data to rewind for {runtime.Spec.Kind.ToString().ToLowerInvariant()})"));
        }
        // The built-in rejoin runs pg_rewind on this machine's data_dir: with several controllers that is whichever
        // instance leads, not the member's host. A configured command reaches the host itself.
        if (spec.Coordination is not null && runtime.Spec.Postgres?.Rejoin is null)
            return Conflict($"with several controllers the built-in rejoin would rewind {member}'s data directory on whichever instance leads ({spec.Name} now), "
                + $"not on {member}'s host: set services.{service}.postgres.rejoin to a command that reaches that host (ssh, an agent), then rejoin again");
        if (!Running.TryAdd($"{service}/{member}", 0)) return Conflict($"a rejoin of {member} is already running");
        try
        {
            long epoch = state.Epoch;
            await runtime.Loop.NoteAsync(new RejoinStarted(primary) { Member = member, Actor = actor, Reason = $"{actor} rejoins {member} as a standby of {primary} (epoch {epoch})" }, ct);
            var (ok, detail) = await new Rejoin(runtime.Spec, commands).RunAsync(member, primary, ct);
            // The decider accepts it only if the primary and epoch are still those it was rejoined to.
            runtime.Loop.Post(new RejoinFinished(member, actor, epoch, primary, ok, detail));
            // What the command printed (paths, server output) goes to the journal and the log, not into an error body.
            if (!ok)
                return TypedResults.Problem($"rejoining {member} failed; why is journaled: understudy events --service {service} --type {EventTypes.RejoinFailed}",
                    statusCode: 500, title: "Rejoin failed");
            return TypedResults.Ok(new RejoinView(service, member, primary, true, detail));
        }
        finally
        {
            Running.TryRemove($"{service}/{member}", out _);
        }
    }

    private static async Task<(bool, string)> RejoinRedisAsync(ServiceSpec spec, string member, string primary, CancellationToken ct)
    {
        try { return await new Failover.Redis.RedisActions(spec, TimeProvider.System).RejoinAsync(member, primary, ct); }
        catch (Exception e) when (Failover.Redis.RedisActions.IsRedisFailure(e)) { return (false, e.Message); }
    }

    private static ProblemHttpResult Conflict(string detail) => TypedResults.Problem(detail, statusCode: 409, title: "Conflict");
}
