using System.Collections.Concurrent;
using Understudy.Core.Topology;

namespace Understudy.SampleApp;

public enum ReplicationMode { Sync, Async }

/// <summary>
/// The sample app's write store and its replication to one peer. Sync acknowledges after the peer has the
/// write; async acknowledges first and forwards after a delay, so writes acknowledged just before a crash
/// are lost. With the peer unreachable a write is acknowledged locally and counted, as a real primary
/// that degrades replication would.
/// </summary>
public sealed class Replicator(HostPort? peer, ReplicationMode mode, TimeSpan asyncDelay) : IDisposable
{
    private readonly ConcurrentDictionary<long, byte> _writes = new();
    private readonly HttpClient _peer = new() { Timeout = TimeSpan.FromSeconds(1) };
    private long _replicated, _unreplicated;

    public IEnumerable<long> Writes => _writes.Keys.Order();

    public object Stats(string name) => new
    {
        name,
        writes = _writes.Count,
        replicated = Interlocked.Read(ref _replicated),
        acknowledged_without_peer = Interlocked.Read(ref _unreplicated),
        replication = mode.ToString().ToLowerInvariant(),
        peer = peer?.ToString(),
    };

    /// <summary>Stores a write from a client; returns once it may be acknowledged.</summary>
    public async Task AcceptAsync(long seq)
    {
        _writes[seq] = 0;
        if (peer is null) return;
        if (mode == ReplicationMode.Sync)
        {
            await ForwardAsync(seq);
            return;
        }
        _ = Task.Run(async () =>
        {
            await Task.Delay(asyncDelay);
            await ForwardAsync(seq);
        });
    }

    /// <summary>Stores a write forwarded by the peer; never forwarded again.</summary>
    public void AcceptReplica(long seq) => _writes[seq] = 0;

    private async Task ForwardAsync(long seq)
    {
        try
        {
            using var content = new StringContent(seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var response = await _peer.PostAsync($"http://{peer}/replica/writes", content);
            response.EnsureSuccessStatusCode();
            Interlocked.Increment(ref _replicated);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Interlocked.Increment(ref _unreplicated);
        }
    }

    public void Dispose() => _peer.Dispose();
}
