using Understudy.Core.Detection;
using Understudy.Core.Topology;

namespace Understudy.Checks;

/// <summary>What one probe found: passed or not, a short detail, and for PostgreSQL and Redis what the server said.</summary>
public readonly record struct CheckOutcome(bool Ok, string Detail, ReplicationView? Replication = null)
{
    public static implicit operator CheckOutcome((bool Ok, string Detail) t) => new(t.Ok, t.Detail);
}

/// <summary>
/// One probe of one member. Expected failures come back as a result with <c>Ok = false</c>; the
/// scheduler turns a timeout or an unexpected exception into a failed result too.
/// </summary>
public interface IHealthCheck
{
    /// <summary>Returns a short detail: "ok", "HTTP 503", "connection refused".</summary>
    Task<CheckOutcome> CheckAsync(MemberSpec member, CancellationToken ct);

    /// <summary>
    /// Pays this process's one-time costs of checking <paramref name="member"/> before its first timed check; whatever it
    /// finds is not counted (the checks that follow find it again). None by default.
    /// </summary>
    Task WarmUpAsync(MemberSpec member, CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// <see cref="CheckAsync"/> returns without blocking (no lock held long, no synchronous I/O or resolving): the check may
    /// then start on a thread that must not stall (<see cref="CheckGrid"/>'s, an epoll loop's). No by default.
    /// </summary>
    bool StartsWithoutBlocking => false;

    static IHealthCheck For(ServiceSpec service) => service.Kind switch
    {
        ServiceKind.Http => new HttpHealthCheck(service.Check),
        ServiceKind.Tcp => new TcpHealthCheck(),
        ServiceKind.Postgres => new PostgresHealthCheck(service.Postgres!),
        ServiceKind.Redis => new RedisHealthCheck(service),
        _ => throw new ArgumentOutOfRangeException(nameof(service), service.Kind, "no health check for this kind"),
    };
}
