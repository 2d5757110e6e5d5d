using System.Collections.Concurrent;
using Understudy.Core.Drills;

namespace Understudy.Traffic;

/// <summary>An injected network fault toward one member, until <see cref="Until"/>.</summary>
public sealed record MemberFault(ProxyFaultKind Kind, DateTimeOffset Until, TimeSpan Latency, TimeSpan Jitter)
{
    /// <summary>The delay for one chunk or connect: latency ± jitter, never negative.</summary>
    public TimeSpan NextDelay() =>
        Kind != ProxyFaultKind.Latency ? TimeSpan.Zero
        : TimeSpan.FromTicks(Math.Max(0, Latency.Ticks + (long)((Random.Shared.NextDouble() * 2 - 1) * Jitter.Ticks)));
}

/// <summary>
/// Faults injected for a service's members (network trouble without root, as Toxiproxy does). They apply
/// to everything the controller sends to the member: client traffic through the built-in proxy and the
/// controller's own checks, as if that member's network misbehaved.
/// </summary>
public sealed class MemberFaults(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, MemberFault> _active = new();

    /// <summary>Raised when a fault starts, so the proxy can act on open connections.</summary>
    public event Action<string, MemberFault>? Injected;

    public void Inject(string member, MemberFault fault)
    {
        _active[member] = fault;
        Injected?.Invoke(member, fault);
    }

    public bool Clear(string member) => _active.TryRemove(member, out _);

    public MemberFault? Active(string member)
    {
        if (!_active.TryGetValue(member, out MemberFault? fault)) return null;
        if (time.GetUtcNow() < fault.Until) return fault;
        _active.TryRemove(new KeyValuePair<string, MemberFault>(member, fault));
        return null;
    }
}
