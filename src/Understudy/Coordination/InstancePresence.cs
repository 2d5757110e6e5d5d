using Microsoft.Extensions.Logging;

namespace Understudy.Coordination;

/// <summary>
/// This instance's lease and its presence key. <see cref="RunAsync"/> grants a lease, creates
/// <c>instances/{name}</c> on it and renews it every third of its TTL, one keep-alive at a time under the call
/// deadline. Safety contract: <see cref="IsFresh"/> counts from the moment the last successful keep-alive was
/// <em>sent</em>, on this machine's monotonic clock, so it turns false no later than etcd could expire the lease.
/// A lease found gone is replaced (with <see cref="LeaseLost"/> raised first); a name held by another live lease is
/// not taken over: the instance stays unregistered, and so cannot lead, until that lease ends.
/// </summary>
public sealed partial class InstancePresence(EtcdStore store, InstanceInfo me, TimeSpan lease, TimeProvider time, ILogger<InstancePresence> logger)
{
    /// <summary>One consistent reading: which lease, when its last renewal was sent, whether the presence key is ours.</summary>
    private sealed record Renewal(EtcdLease Lease, long SentAt, bool Registered);

    private Renewal? _renewal;
    private long _nameTakenBy; // the other lease last reported as holding our name, so it is reported once

    public string Name => me.Name;

    public EtcdLease? CurrentLease => Volatile.Read(ref _renewal)?.Lease;

    /// <summary>The presence key is on <see cref="CurrentLease"/>.</summary>
    public bool IsRegistered => Volatile.Read(ref _renewal)?.Registered == true;

    /// <summary>The monotonic timestamp (<see cref="TimeProvider.GetTimestamp"/>) at which the last successful renewal was sent.</summary>
    public long? LastRenewedAt => Volatile.Read(ref _renewal)?.SentAt;

    /// <summary>Raised on the presence loop when the lease turned out to be gone, before a new one is granted.</summary>
    public event Action<EtcdLease>? LeaseLost;

    /// <summary>How much longer the lease is surely alive, counting <paramref name="ttl"/> from the last renewal sent; zero when not.</summary>
    public TimeSpan FreshFor(TimeSpan ttl) =>
        Volatile.Read(ref _renewal) is { } r && ttl - time.GetElapsedTime(r.SentAt) is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;

    public bool IsFresh(TimeSpan ttl) => FreshFor(ttl) > TimeSpan.Zero;

    public async Task RunAsync(CancellationToken ct)
    {
        DateTimeOffset startedAt = time.GetUtcNow();
        try
        {
            while (true)
            {
                await TickAsync(startedAt, ct).ConfigureAwait(false);
                await Task.Delay((CurrentLease?.GrantedTtl ?? lease) / 3, time, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            // Peers should see this instance gone at once, not a TTL later.
            if (Interlocked.Exchange(ref _renewal, null) is { } last) await RevokeAsync(last.Lease).ConfigureAwait(false);
        }
    }

    /// <summary>Every instance with a live presence key, this one included once registered.</summary>
    public async Task<IReadOnlyList<RegisteredInstance>> ReadAllAsync(CancellationToken ct = default)
    {
        EtcdRange range = await store.RangeAsync(store.Keys.Instances, ct).ConfigureAwait(false);
        DateTimeOffset seen = time.GetUtcNow();
        return [.. range.Entries.Select(e => PresenceRecord.Read(e, e.Key[store.Keys.Instances.Length..], seen))];
    }

    private async Task TickAsync(DateTimeOffset startedAt, CancellationToken ct)
    {
        try
        {
            if (Volatile.Read(ref _renewal) is not { } current)
            {
                await StartAsync(startedAt, ct).ConfigureAwait(false);
                return;
            }
            long sent = time.GetTimestamp();
            if (await store.KeepAliveOnceAsync(current.Lease.Id, ct).ConfigureAwait(false) is not null)
            {
                Volatile.Write(ref _renewal, current with { SentAt = sent });
                if (!current.Registered) await RegisterAsync(current.Lease, startedAt, ct).ConfigureAwait(false);
                return;
            }
            Volatile.Write(ref _renewal, null);
            Log.LeaseLost(logger, me.Name, current.Lease.Id);
            LeaseLost?.Invoke(current.Lease);
            await StartAsync(startedAt, ct).ConfigureAwait(false);
        }
        catch (CoordinationUnavailable e)
        {
            Log.RenewalFailed(logger, me.Name, e.Message);
        }
    }

    private async Task StartAsync(DateTimeOffset startedAt, CancellationToken ct)
    {
        long sent = time.GetTimestamp();
        EtcdLease granted = await store.GrantLeaseAsync(lease, ct).ConfigureAwait(false);
        Volatile.Write(ref _renewal, new Renewal(granted, sent, false));
        Log.LeaseGranted(logger, me.Name, granted.Id, granted.GrantedTtl);
        await RegisterAsync(granted, startedAt, ct).ConfigureAwait(false);
    }

    private async Task RegisterAsync(EtcdLease granted, DateTimeOffset startedAt, CancellationToken ct)
    {
        string value = new PresenceRecord(me.Name, me.Api, me.Version, startedAt, me.Digest, me.Tls).ToJson();
        var result = await store.TryCreateAsync(store.Keys.Instance(me.Name), value, granted.Id, ct).ConfigureAwait(false);
        // Taken on our own lease: an earlier attempt whose answer was lost.
        bool ours = result is CreateResult.Created || result is CreateResult.Taken { Existing.Lease: var l } && l == granted.Id;
        if (ours && Volatile.Read(ref _renewal) is { } r && r.Lease.Id == granted.Id) Volatile.Write(ref _renewal, r with { Registered = true });
        if (result is CreateResult.Taken { Existing: var other } && !ours && Interlocked.Exchange(ref _nameTakenBy, other.Lease) != other.Lease)
            Log.NameTaken(logger, me.Name, other.Lease);
    }

    private async Task RevokeAsync(EtcdLease last)
    {
        try { await store.RevokeAsync(last.Id, CancellationToken.None).ConfigureAwait(false); }
        catch (CoordinationUnavailable e) { Log.RevokeFailed(logger, me.Name, last.GrantedTtl, e.Message); }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 510, Level = LogLevel.Information, Message = "{Name}: lease {Lease} granted for {Ttl}")]
        public static partial void LeaseGranted(ILogger logger, string name, long lease, TimeSpan ttl);

        [LoggerMessage(EventId = 511, Level = LogLevel.Warning, Message = "{Name}: lease {Lease} is gone (expired or revoked); asking for a new one")]
        public static partial void LeaseLost(ILogger logger, string name, long lease);

        [LoggerMessage(EventId = 512, Level = LogLevel.Warning, Message = "{Name}: lease not renewed: {Why}")]
        public static partial void RenewalFailed(ILogger logger, string name, string why);

        [LoggerMessage(EventId = 513, Level = LogLevel.Error, Message = "{Name}: another live instance (lease {Lease}) uses this name; this one cannot lead until it is gone. Names must be unique in a cluster")]
        public static partial void NameTaken(ILogger logger, string name, long lease);

        [LoggerMessage(EventId = 514, Level = LogLevel.Warning, Message = "{Name}: could not revoke the lease on the way out ({Why}); peers see this instance until it expires within {Ttl}")]
        public static partial void RevokeFailed(ILogger logger, string name, TimeSpan ttl, string why);
    }
}
