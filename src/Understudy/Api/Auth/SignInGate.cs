using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Understudy.Api.Auth;

/// <summary>
/// ASP.NET Core's rate limiter, asking <see cref="SignInLimits"/> before each request. The gate takes no permit:
/// only failed sign-ins use them up, so an operator with the right token is never counted.
/// </summary>
internal sealed class SignInGate(SignInLimits limits) : PartitionedRateLimiter<HttpContext>
{
    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) => limits.Check(resource);

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(limits.Check(resource));
}

/// <summary>The rate limiter's wiring: the gate, and the 429 with Retry-After it answers a refused client.</summary>
public static class SignInLimiting
{
    public static IServiceCollection AddSignInLimits(this IServiceCollection services)
    {
        services.AddSingleton<SignInLimits>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<SignInLimits>((o, limits) =>
        {
            o.GlobalLimiter = new SignInGate(limits);
            o.OnRejected = (rejected, _) => RefuseAsync(rejected.HttpContext, rejected.Lease, limits);
        });
        return services;
    }

    private static async ValueTask RefuseAsync(HttpContext context, RateLimitLease lease, SignInLimits limits)
    {
        limits.Refused();
        int seconds = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait) ? (int)Math.Ceiling(wait.TotalSeconds) : (int)SignInLimits.Window.TotalSeconds;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem($"{SignInLimits.Limit} failed sign-ins from this address within a minute: requests with a token are refused for {seconds} s",
            statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed sign-ins").ExecuteAsync(context);
    }
}
