using Understudy.Traffic.Pumping;

namespace Understudy.Traffic;

/// <summary>The proxy's ends of open connections: the fence, closing all, and a switchover's drain.</summary>
public sealed partial class ServiceProxy
{
    /// <summary>Closes every open connection to <paramref name="member"/>; returns how many, once none can carry a byte more.</summary>
    public Task<int> FenceAsync(string member) => CloseAsync(c => c.Member == member);

    /// <summary>Closes every open connection (a partitioned instance stops routing); returns how many.</summary>
    public Task<int> CloseAllAsync() => CloseAsync(_ => true);

    /// <summary>
    /// Every client gets its reset first (<see cref="Pumping.Linux.Abort"/>), then every member, then the descriptors are
    /// released: with thousands open, the last client hears of the fence after that many resets, not that many full closes. The
    /// epoll pump's pairs are cut by their own loops, one per core, in parallel and without waking them once per cut;
    /// the rest (the managed pump, a pair its loop had not taken yet) here.
    /// </summary>
    private async Task<int> CloseAsync(Func<ProxyConnection, bool> which)
    {
        // One pass over the open connections (thousands at a fence, each a cache miss or more: every pass took 2-3 ms at
        // 9,000). Each one's pair is read once: one handed back to the managed pump meanwhile is its loop's to report as missed.
        List<(ProxyConnection Connection, PumpedPair? Pair)> taken = [];
        List<PumpedPair> pumped = [];
        foreach (KeyValuePair<ProxyConnection, byte> open in _open)
        {
            if (!which(open.Key)) continue;
            PumpedPair? pair = open.Key.Pumped;
            taken.Add((open.Key, pair));
            if (pair is not null) pumped.Add(pair);
        }
        Task<List<PumpedPair>> cut = pumped.Count == 0 ? Task.FromResult(new List<PumpedPair>()) : EpollLoops.CutAsync(pumped);
        foreach (var (c, pair) in taken) if (pair is null) c.CutClient();
        foreach (var (c, pair) in taken) if (pair is null) c.CutUpstream();
        if (await cut is { Count: > 0 } missed)
        {
            HashSet<PumpedPair> notCut = [.. missed];
            foreach (var (c, pair) in taken)
            {
                if (pair is null || !notCut.Contains(pair)) continue;
                c.CutClient();
                c.CutUpstream();
            }
        }
        foreach (var (c, _) in taken) c.Release();
        MassCloseCompaction.Closed(taken.Count, time, logger);
        return taken.Count;
    }

    /// <summary>
    /// Planned switchover: new connections are already held by the route; waits (polling, bounded by
    /// <paramref name="timeout"/>) for open connections to <paramref name="member"/> to end by themselves,
    /// then closes the rest. Returns what happened, for the journal.
    /// </summary>
    public async Task<string> DrainAsync(string member, TimeSpan timeout)
    {
        long start = time.GetTimestamp();
        int atStart = OpenTo(member);
        while (OpenTo(member) > 0 && time.GetElapsedTime(start) < timeout)
            await Task.Delay(DrainPoll, time);
        int closed = await FenceAsync(member);
        string took = $"{time.GetElapsedTime(start).TotalMilliseconds:0} ms";
        return closed == 0
            ? $"{atStart} open connection{(atStart == 1 ? "" : "s")} ended by themselves in {took}"
            : $"{atStart - closed} of {atStart} open connections ended by themselves; {closed} closed at the {timeout.TotalSeconds:0.###} s deadline";
    }

    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(10);

    private int OpenTo(string member) => _open.Keys.Count(c => c.Member == member);
}
