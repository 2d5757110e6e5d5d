using System.Collections.Concurrent;
using System.Globalization;
using Understudy.Core.Drills;

namespace Understudy.Drills.Probes;

/// <summary>A probe that writes: after the drill it reads its writes back to count the acknowledged ones lost (RPO).</summary>
public interface IWriteProbe
{
    Task<WriteLoss> ReadBackAsync(CancellationToken ct);
}

/// <summary>
/// The bookkeeping every write probe shares: each write the server acknowledged and when (attempts run
/// concurrently, so it is thread-safe), the run's id that rows and keys carry so that many drills sharing a
/// table or a keyspace keep apart, and the comparison with what was read back.
/// </summary>
public sealed class WriteAcknowledgements
{
    private readonly ConcurrentBag<(long Seq, DateTimeOffset AckedAt)> _acknowledged = [];

    /// <summary>This run's id: when it started, to the millisecond, and 8 random hex digits.</summary>
    public string Run { get; } = DateTimeOffset.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];

    public void Add(long seq, DateTimeOffset ackedAt) => _acknowledged.Add((seq, ackedAt));

    /// <summary>Every acknowledged write so far, in sequence order.</summary>
    public IReadOnlyList<(long Seq, DateTimeOffset AckedAt)> List => [.. _acknowledged.OrderBy(a => a.Seq)];

    /// <summary>The RPO: acknowledged writes missing from <paramref name="present"/> (the sequence numbers read back).</summary>
    public WriteLoss Compare(IReadOnlySet<long> present) => WriteLedger.Compare(List, present);
}
