using System.Collections.Immutable;

namespace Understudy.Core.Detection;

/// <summary>
/// What a PostgreSQL check saw on one server. LSNs are byte positions in the WAL. On a primary,
/// <see cref="CurrentLsn"/> is set and <see cref="SyncStandbys"/>/<see cref="Streaming"/> come from
/// pg_stat_replication (application names); on a standby, <see cref="ReceiveLsn"/> and <see cref="ReplayLsn"/>.
/// </summary>
public sealed record ReplicationView(
    bool InRecovery,
    long? CurrentLsn,
    long? ReceiveLsn,
    long? ReplayLsn,
    int? Timeline,
    ImmutableArray<string> SyncStandbys,
    ImmutableArray<string> Streaming)
{
    public static ReplicationView Primary(long currentLsn, int timeline = 1, ImmutableArray<string> sync = default, ImmutableArray<string> streaming = default) =>
        new(false, currentLsn, null, null, timeline, sync.IsDefault ? [] : sync, streaming.IsDefault ? [] : streaming);

    public static ReplicationView Standby(long? receiveLsn, long? replayLsn, int timeline = 1) =>
        new(true, null, receiveLsn, replayLsn, timeline, [], []);

    /// <summary>A WAL position as PostgreSQL writes it (0/3000028); "none" when unknown.</summary>
    public static string Lsn(long? bytes) => bytes is { } b ? $"{b >> 32:X}/{b & 0xFFFFFFFF:X}" : "none";

    /// <summary>Bytes in the human form reports use (1.5 MiB).</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        >= 1024 * 1024 => FormattableString.Invariant($"{bytes / (1024.0 * 1024):0.#} MiB"),
        >= 1024 => FormattableString.Invariant($"{bytes / 1024.0:0.#} KiB"),
        _ => FormattableString.Invariant($"{bytes} B"),
    };
}
