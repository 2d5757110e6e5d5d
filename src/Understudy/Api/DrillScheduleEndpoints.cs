using Understudy.Api.Auth;
using Understudy.Core.Topology;
using Understudy.Drills.Scheduling;
using Understudy.Hosting;

namespace Understudy.Api;

/// <summary>One scheduled drill's next run. <paramref name="StartsAt"/> (the occurrence plus its drawn jitter) is known only to a running controller.</summary>
public sealed record DrillScheduleView(string File, string Name, string Service, string Cron, string Timezone, string Environment, double JitterMs,
    DateTimeOffset NextRun, DateTimeOffset? StartsAt)
{
    public static DrillScheduleView From(PlannedRun run, bool drawn) => new(run.Schedule.File, run.Schedule.Name, run.Schedule.Service, run.Schedule.Cron,
        run.Schedule.TimeZone, run.Schedule.Environment.ToString().ToLowerInvariant(), run.Schedule.Jitter.TotalMilliseconds, run.Occurrence, drawn ? run.StartsAt : null);
}

/// <summary>
/// The body of <c>POST /api/services/{s}/drill-lock</c>: a drill about to run (<paramref name="Name"/>, its file and process), or, with
/// <paramref name="Token"/>, the holder renewing its lock.
/// </summary>
public sealed record DrillLockBody(string? Name, string? File, int? Pid, string? Token);

public sealed record DrillLockView(string Service, string Holder, string Token, DateTimeOffset Since, DateTimeOffset ExpiresAt)
{
    public static DrillLockView From(DrillLock l) => new(l.Service, l.Holder, l.Token, l.Since, l.ExpiresAt);
}

public sealed record DrillLockRelease(string? Token);

/// <summary>
/// <c>GET /api/drills/schedule</c>: the next run of each scheduled drill. <c>POST /api/services/{s}/drill-lock</c>: a drill's
/// pre-flight and the service's drill lock (409 with the reason when either refuses), renewed by posting its token;
/// <c>POST /api/services/{s}/drill-lock/release</c> frees it.
/// </summary>
public static class DrillScheduleEndpoints
{
    private const int MaxText = 500;

    public static void MapDrillScheduleApi(this IEndpointRouteBuilder app)
    {
        string operatorRole = ApiCaller.Policy(ApiRole.Operator);
        app.MapGet("/api/drills/schedule", (DrillScheduler scheduler) =>
            TypedResults.Ok(scheduler.Upcoming().Select(r => DrillScheduleView.From(r, drawn: true)).ToList())).RequireAuthorization(ApiCaller.Policy(ApiRole.Viewer));
        app.MapPost("/api/services/{service}/drill-lock", TakeAsync).RequireAuthorization(operatorRole);
        app.MapPost("/api/services/{service}/drill-lock/release", ReleaseAsync).RequireAuthorization(operatorRole);
    }

    private static async Task<IResult> TakeAsync(string service, HttpContext http, Controller controller, DrillGate gate, DrillLocks locks, CancellationToken ct)
    {
        if (Problems.UnknownService(controller, service, out _) is { } missing) return missing;
        var (body, bad) = await Problems.ReadBodyAsync<DrillLockBody>(http.Request, ct);
        if (bad is not null) return bad;
        if (body!.Token is { } token)
            return locks.Renew(service, token) is { } renewed ? TypedResults.Ok(DrillLockView.From(renewed))
                : Problems.Conflict($"{service}'s drill lock is not held with this token: it expired (not renewed within {DrillLocks.Lease.TotalSeconds:0} s) or was released");
        string name = body.Name?.Trim() ?? "", file = body.File?.Trim() ?? "";
        if (name.Length == 0) return Problems.Bad("name: required: the drill's name");
        if (name.Length > MaxText || file.Length > MaxText) return Problems.Bad($"name, file: at most {MaxText} characters");
        if (name.Any(char.IsControl) || file.Any(char.IsControl)) return Problems.Bad("name, file: control characters (NUL, newlines) are not allowed");
        if (body.Pid is < 1) return Problems.Bad($"pid: expected a process id, 1 or more, got {body.Pid}");
        string caller = ApiCaller.Name(http);
        string holder = $"{caller}: drill '{name}'" + (body.Pid is { } pid ? $" (pid {pid})" : "");
        var (taken, whyNot) = await gate.TryOpenAsync(service, name, file, caller, holder, ct);
        if (taken is null) return Problems.Conflict(whyNot!);
        await gate.StartedAsync(service, name, file, body.Pid ?? 0, caller, ct);
        return TypedResults.Ok(DrillLockView.From(taken));
    }

    private static async Task<IResult> ReleaseAsync(string service, HttpContext http, Controller controller, DrillLocks locks, CancellationToken ct)
    {
        if (Problems.UnknownService(controller, service, out _) is { } missing) return missing;
        var (body, bad) = await Problems.ReadBodyAsync<DrillLockRelease>(http.Request, ct);
        if (bad is not null) return bad;
        if (string.IsNullOrEmpty(body!.Token)) return Problems.Bad("token: required: the token the lock was taken with");
        return locks.Release(service, body.Token) ? TypedResults.NoContent()
            : Problems.Conflict($"{service}'s drill lock is not held with this token (it expired or was released already)");
    }
}
