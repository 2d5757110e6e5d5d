using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Understudy.Metrics;

namespace Understudy.Api.Auth;

/// <summary>
/// Failed sign-ins per client: at most <see cref="Limit"/> a minute from one address (from an IPv6 client's /64, as one
/// host holds all of it). Once they are used up, every request of that client that presents a token is refused with
/// 429 until the minute ends, the right token included, so guessing stays at ten a minute; a request without a token
/// (a load balancer's <c>/health</c>) is never held back, and a token that is right takes nothing from the limit.
/// Each failure and refusal is counted for the metrics and for the one journal record per window.
/// </summary>
/// <remarks>
/// Written here rather than with System.Threading.RateLimiting: its partitioned limiter, like ASP.NET Core's rate-limiting
/// middleware, replenishes on a 100 ms timer, which woke the thread pool of every controller 20 times a second, idle or
/// not. A window per client needs only the time it opened, read from the controller's clock.
/// </remarks>
public sealed class SignInLimits(TimeProvider time) : IDisposable
{
    public const int Limit = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Clients remembered before those whose window ended are dropped; then twice as many as are left, so a flood costs no pass per failure.</summary>
    public const int MaxClients = 10_000;

    private readonly ConcurrentDictionary<string, FailureWindow> _failures = new(StringComparer.Ordinal);
    private int _forgetAt = MaxClients;

    /// <summary>How many clients' windows are remembered now.</summary>
    internal int Clients => _failures.Count;

    private readonly ValueFamily _failed = Counter("understudy_api_auth_failures_total", "API requests whose bearer token is none of controller.auth.tokens.");
    private readonly ValueFamily _limited = Counter("understudy_api_rate_limited_total",
        $"API requests refused with 429 because their client had {Limit} failed sign-ins within the minute.");

    public SignInTally Tally { get; } = new();

    /// <summary>Released when a failure or refusal opens a new window of <see cref="Tally"/>.</summary>
    public SemaphoreSlim WindowOpened { get; } = new(0);

    public void Failed(HttpContext context)
    {
        string client = ClientOf(context.Connection.RemoteIpAddress);
        DateTimeOffset now = time.GetUtcNow();
        if (!_failures.TryGetValue(client, out FailureWindow? window))
        {
            if (_failures.Count >= Volatile.Read(ref _forgetAt)) ForgetEnded(now);
            window = _failures.GetOrAdd(client, _ => new FailureWindow());
        }
        window.Count(now);
        _failed.Add(1);
        if (Tally.Failed(client, now)) WindowOpened.Release();
    }

    /// <summary>Null: the request may go on; else how long until its client's window ends (the 429's Retry-After).</summary>
    public TimeSpan? RefusedFor(HttpContext context)
    {
        if (context.Request.Headers.Authorization.Count == 0) return null;
        if (!_failures.TryGetValue(ClientOf(context.Connection.RemoteIpAddress), out FailureWindow? window)) return null;
        return window.UsedUp(time.GetUtcNow());
    }

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

    public void Dispose() => WindowOpened.Dispose();

    private void ForgetEnded(DateTimeOffset now)
    {
        foreach (KeyValuePair<string, FailureWindow> client in _failures)
            if (client.Value.Ended(now)) _failures.TryRemove(client);
        Volatile.Write(ref _forgetAt, Math.Max(MaxClients, 2 * _failures.Count));
    }

    private static ValueFamily Counter(string name, string help)
    {
        var family = new ValueFamily(name, MetricType.Counter, help);
        family.Ensure();
        return family;
    }

    /// <summary>One client's failures in the window that its first one opened.</summary>
    private sealed class FailureWindow
    {
        private readonly Lock _gate = new();
        private DateTimeOffset _opened = DateTimeOffset.MinValue;
        private int _failures;

        public void Count(DateTimeOffset now)
        {
            lock (_gate)
            {
                if (now >= _opened + Window) (_opened, _failures) = (now, 0);
                _failures++;
            }
        }

        public TimeSpan? UsedUp(DateTimeOffset now)
        {
            lock (_gate) return _failures >= Limit && now < _opened + Window ? _opened + Window - now : null;
        }

        public bool Ended(DateTimeOffset now)
        {
            lock (_gate) return now >= _opened + Window;
        }
    }
}
