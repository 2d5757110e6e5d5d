using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Understudy.Config;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Failover;
using Understudy.Hosting;
using Understudy.Traffic;

namespace Understudy.Api;

/// <summary>A fault as a checked request body asks for it; <see cref="Kind"/> as written, for the journal.</summary>
internal sealed record FaultRequest(string Kind, ProxyFaultKind ProxyKind, TimeSpan Duration, double LatencyMs, double JitterMs);

public sealed record FaultView(string Service, string Member, string Kind, DateTimeOffset AppliedAt, DateTimeOffset Until, double LatencyMs, double JitterMs);

/// <summary>
/// <c>POST /api/services/{s}/members/{m}/faults</c> <c>{kind: blackhole|latency|reset, duration: "10s", latency_ms?, jitter_ms?}</c>
/// and <c>DELETE</c> to clear: network trouble toward one member for drills, journaled with actor "drill".
/// </summary>
public static class FaultEndpoints
{
    private static readonly TimeSpan MaxDuration = TimeSpan.FromHours(1);
    private const double MaxLatencyMs = 60_000;
    private static readonly Dictionary<string, ProxyFaultKind> Kinds = new()
    {
        ["blackhole"] = ProxyFaultKind.Blackhole, ["latency"] = ProxyFaultKind.Latency, ["reset"] = ProxyFaultKind.Reset,
    };

    public static void MapFaultApi(this IEndpointRouteBuilder app)
    {
        string role = Auth.ApiCaller.Policy(Core.Topology.ApiRole.Operator);
        app.MapPost("/api/services/{service}/members/{member}/faults", InjectAsync).RequireAuthorization(role);
        app.MapDelete("/api/services/{service}/members/{member}/faults", ClearAsync).RequireAuthorization(role);
    }

    private static async Task<Results<Ok<FaultView>, ProblemHttpResult>> InjectAsync(
        string service, string member, HttpRequest request, Controller controller, TimeProvider time)
    {
        if (Find(controller, service, member) is { } missing) return missing;
        // A fault can make the controller fail over by itself: where a failover needs approvers, only an admin may inject one.
        int approvals = controller.Services.Single(s => s.Spec.Name == service).Spec.Failover.Approvals;
        if (approvals > 0 && Auth.ApiCaller.Role(request.HttpContext) < Core.Topology.ApiRole.Admin)
            return TypedResults.Problem($"faults on {service} need admin: its failover needs {approvals} approval{(approvals == 1 ? "" : "s")}, and a fault can cause one", statusCode: 403, title: "Forbidden");
        var (parsed, problem) = await Problems.ReadBodyAsync<JsonElement?>(request, request.HttpContext.RequestAborted);
        if (problem is not null) return problem;
        var (asked, wrong) = Read(parsed!.Value);
        if (wrong is not null) return wrong;
        var (kindText, kind, duration, latency, jitter) = asked!;

        // Applied first, then journaled with the instant it took effect: a drill measures from that instant.
        DateTimeOffset applied = time.GetUtcNow();
        var fault = new MemberFault(kind, applied + duration, TimeSpan.FromMilliseconds(latency), TimeSpan.FromMilliseconds(jitter));
        ServiceRuntime runtime = controller.Services.Single(s => s.Spec.Name == service);
        runtime.Faults.Inject(member, fault);
        string by = Auth.ApiCaller.Name(request.HttpContext);
        await runtime.Loop.NoteAsync(new FaultInjected(kindText, fault.Until, latency, jitter, by)
        {
            Time = applied, Member = member, Actor = Actors.Drill,
            Reason = $"{kindText} toward {member} for {Durations.Format(duration)} injected through the API by {by}",
        }, request.HttpContext.RequestAborted);
        return TypedResults.Ok(new FaultView(service, member, kindText, applied, fault.Until, latency, jitter));
    }

    /// <summary>The fault a body asks for, <paramref name="body"/>'s kind kept as written for the journal; or a 400 naming the field.</summary>
    internal static (FaultRequest? Fault, ProblemHttpResult? Problem) Read(JsonElement body)
    {
        if (Text(body, "kind") is not { } kindText || !Kinds.TryGetValue(kindText, out ProxyFaultKind kind))
            return (null, Bad($"kind: expected blackhole, latency or reset, got '{Text(body, "kind")}'"));
        if (!Durations.TryParse(Text(body, "duration") ?? "", out TimeSpan duration, out string whyNot) || duration <= TimeSpan.Zero || duration > MaxDuration)
            return (null, Bad($"duration: expected a duration above 0 and at most 1h such as \"10s\", got '{Text(body, "duration")}'{(whyNot.Length > 0 ? $" ({whyNot})" : "")}"));
        if (Millis(body, "latency_ms") is not { } latency || Millis(body, "jitter_ms") is not { } jitter)
            return (null, Bad($"latency_ms, jitter_ms: expected numbers of milliseconds from 0 to {MaxLatencyMs:0}"));
        if (kind == ProxyFaultKind.Latency && latency <= 0) return (null, Bad("latency_ms: a latency fault needs latency_ms above 0"));
        return (new FaultRequest(kindText, kind, duration, latency, jitter), null);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ClearAsync(string service, string member, HttpContext http, Controller controller, TimeProvider time)
    {
        if (Find(controller, service, member) is { } missing) return missing;
        ServiceRuntime runtime = controller.Services.Single(s => s.Spec.Name == service);
        if (runtime.Faults.Clear(member))
            await runtime.Loop.NoteAsync(new FaultCleared(Auth.ApiCaller.Name(http))
            {
                Time = time.GetUtcNow(), Member = member, Actor = Actors.Drill, Reason = $"fault toward {member} cleared through the API",
            }, http.RequestAborted);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult? Find(Controller controller, string service, string member) =>
        Problems.UnknownService(controller, service, out ServiceRuntime runtime) is { } missing ? missing
            : runtime.Spec.Members.All(m => m.Name != member) ? Problems.NotFound($"member: service {service} has no member '{member}'")
            : null;

    private static ProblemHttpResult Bad(string detail) => Problems.Bad(detail);

    /// <summary>A string's text; anything else, or a string that is no text, as written (to be refused and shown).</summary>
    private static string? Text(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out JsonElement v)) return null;
        if (v.ValueKind != JsonValueKind.String) return v.GetRawText();
        // A lone surrogate escape ("\udc00") is valid JSON but no UTF-16: GetString throws on it.
        try { return v.GetString(); }
        catch (InvalidOperationException) { return v.GetRawText(); }
    }

    /// <summary>Absent is 0; present must be a non-negative number.</summary>
    private static double? Millis(JsonElement body, string name) =>
        !body.TryGetProperty(name, out JsonElement v) ? 0
        : v.ValueKind == JsonValueKind.Number && v.GetDouble() is >= 0 and <= MaxLatencyMs and var ms ? ms : null;
}
