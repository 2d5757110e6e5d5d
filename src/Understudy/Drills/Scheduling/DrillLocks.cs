using System.Security.Cryptography;

namespace Understudy.Drills.Scheduling;

/// <summary>Who holds a service's drill lock, until when; <paramref name="Token"/> proves it to renew or release.</summary>
public sealed record DrillLock(string Service, string Holder, string Token, DateTimeOffset Since, DateTimeOffset ExpiresAt);

/// <summary>
/// One drill per service at a time. A lock is a lease: its holder renews it while the drill runs, so a drill that was
/// killed stops holding the service within <see cref="Lease"/>. Kept in the leader's memory: a controller that
/// restarts (or a new leader) starts with no lock held.
/// </summary>
public sealed class DrillLocks(TimeProvider time)
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>How often a holder renews: a third of the lease, so two renewals may be lost before it expires.</summary>
    public static readonly TimeSpan RenewEvery = Lease / 3;

    private readonly Dictionary<string, DrillLock> _held = [];

    /// <summary>The lock for <paramref name="holder"/>, or null and the lock someone else holds.</summary>
    public DrillLock? TryTake(string service, string holder, out DrillLock? heldBy)
    {
        lock (_held)
        {
            DateTimeOffset now = time.GetUtcNow();
            heldBy = Current(service, now);
            if (heldBy is not null) return null;
            var taken = new DrillLock(service, holder, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), now, now + Lease);
            _held[service] = taken;
            return taken;
        }
    }

    /// <summary>The lock held with <paramref name="token"/>, for another lease; null when it is not held with it (expired, released).</summary>
    public DrillLock? Renew(string service, string token)
    {
        lock (_held)
        {
            DateTimeOffset now = time.GetUtcNow();
            if (Current(service, now) is not { } held || held.Token != token) return null;
            return _held[service] = held with { ExpiresAt = now + Lease };
        }
    }

    /// <summary>Releases the lock held with <paramref name="token"/>; false when it was not held with it.</summary>
    public bool Release(string service, string token)
    {
        lock (_held)
            return Current(service, time.GetUtcNow())?.Token == token && _held.Remove(service);
    }

    private DrillLock? Current(string service, DateTimeOffset now) =>
        _held.TryGetValue(service, out DrillLock? held) && held.ExpiresAt > now ? held : null;
}
