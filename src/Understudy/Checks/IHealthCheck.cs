using Understudy.Core.Topology;

namespace Understudy.Checks;

/// <summary>
/// One probe of one member. Expected failures come back as a result with <c>Ok = false</c>; the
/// scheduler turns a timeout or an unexpected exception into a failed result too.
/// </summary>
public interface IHealthCheck
{
    /// <summary>Returns a short detail: "ok", "HTTP 503", "connection refused".</summary>
    Task<(bool Ok, string Detail)> CheckAsync(MemberSpec member, CancellationToken ct);

    static IHealthCheck For(ServiceSpec service) => service.Kind switch
    {
        ServiceKind.Http => new HttpHealthCheck(service.Check),
        ServiceKind.Tcp => new TcpHealthCheck(),
        _ => throw new ArgumentOutOfRangeException(nameof(service), service.Kind, "no health check for this kind"),
    };
}
