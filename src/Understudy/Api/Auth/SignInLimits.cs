using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Understudy.Metrics;

namespace Understudy.Api.Auth;

/// <summary>
/// Failed sign-ins per client: at most <see cref="Limit"/> a minute from one address (from an IPv6 client's /64, as one
/// host holds all of it). Once they are used up, every request of that client that presents a token is refused with
/// 429 until the minute ends, the right token included, so guessing stays at ten a minute; a request without a token
/// (a load balancer's <c>/health</c>) is never held back, and a token that is right takes nothing from the limit.
/// Each failure and refusal is counted for the metrics and for the one journal record per window.
/// </summary>
public sealed class SignInLimits(TimeProvider time) : IDisposable
{
    public const int Limit = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(client =>
        RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions { PermitLimit = Limit, Window = Window, QueueLimit = 0 }));

    private readonly ValueFamily _failed = Counter("understudy_api_auth_failures_total", "API requests whose bearer token is none of controller.auth.tokens.");
    private readonly ValueFamily _limited = Counter("understudy_api_rate_limited_total",
        $"API requests refused with 429 because their client had {Limit} failed sign-ins within the minute.");

    public SignInTally Tally { get; } = new();

    /// <summary>Released when a failure or refusal opens a new window of <see cref="Tally"/>.</summary>
    public SemaphoreSlim WindowOpened { get; } = new(0);

    public void Failed(HttpContext context)
    {
        string client = ClientOf(context.Connection.RemoteIpAddress);
        _failures.AttemptAcquire(client).Dispose();
        _failed.Add(1);
        if (Tally.Failed(client, time.GetUtcNow())) WindowOpened.Release();
    }

    /// <summary>Granted, or refused with the time until the client's window ends (<see cref="MetadataName.RetryAfter"/>); takes no permit.</summary>
    public RateLimitLease Check(HttpContext context) =>
        context.Request.Headers.Authorization.Count == 0 ? Granted.Lease : _failures.AttemptAcquire(ClientOf(context.Connection.RemoteIpAddress), 0);

    public void Refused()
    {
        _limited.Add(1);
        if (Tally.Limited(time.GetUtcNow())) WindowOpened.Release();
    }

    /// <summary>The address whose failures count together: IPv4 as it is, IPv6 by its /64 (loopback as it is).</summary>
    public static string ClientOf(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address)) return address.ToString();
        byte[] bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }

    public void WriteTo(PrometheusText text)
    {
        _failed.WriteTo(text);
        _limited.WriteTo(text);
    }

    public void Dispose()
    {
        _failures.Dispose();
        WindowOpened.Dispose();
    }

    private static ValueFamily Counter(string name, string help)
    {
        var family = new ValueFamily(name, MetricType.Counter, help);
        family.Ensure();
        return family;
    }

    private sealed class Granted : RateLimitLease
    {
        public static readonly Granted Lease = new();
        public override bool IsAcquired => true;
        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
