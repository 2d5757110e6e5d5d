using System.Globalization;

namespace Understudy.Coordination;

/// <summary>
/// Where a cluster keeps its state in etcd, all under <c>/understudy/{cluster}/</c>, so several clusters can share
/// one etcd. Names (cluster, instance, service) are validated by the config loader to [a-z0-9_-], so no key here
/// is a prefix of another by accident: every prefix that is listed ends in '/'.
/// </summary>
public sealed record EtcdKeys(string Cluster)
{
    /// <summary>Log sequence numbers are written with 12 digits so that key order is number order.</summary>
    public const long MaxSeq = 999_999_999_999;

    public string Root => $"/understudy/{Cluster}/";

    /// <summary>The leader lock: its value is the leader's instance name; it lives on the leader's instance lease.</summary>
    public string Leader => Root + "leader";

    /// <summary>One presence key per live instance, on its lease.</summary>
    public string Instances => Root + "instances/";

    public string Instance(string name) => Instances + name;

    /// <summary>The committed event log, one prefix per service; without a lease, it outlives leaders.</summary>
    public string Log => Root + "log/";

    public string ServiceLog(string service) => Log + service + "/";

    public string LogKey(string service, long seq)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seq);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(seq, MaxSeq);
        return ServiceLog(service) + seq.ToString("D12", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Records that change no decision (a fault injected through one instance, a delivery), one prefix per
    /// instance: any instance appends its own without the leader, and every instance mirrors them.
    /// </summary>
    public string Notes => Root + "notes/";

    public string InstanceNotes(string instance) => Notes + instance + "/";

    public string Note(string instance, long seq)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seq);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(seq, MaxSeq);
        return InstanceNotes(instance) + seq.ToString("D12", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Where an instance says its proxy could not connect to a member (on its lease): every instance, the leader
    /// included, then confirms with its own checks at once instead of at its next interval.
    /// </summary>
    public string Suspects => Root + "suspects/";

    public string Suspect(string service, string member, string instance) => Suspects + service + "/" + member + "/" + instance;

    /// <summary>
    /// What each instance's own checks say of each member (on its lease, written on change and refreshed): the leader
    /// fails a primary over only when a quorum of live instances see it down.
    /// </summary>
    public string Views => Root + "views/";

    public string ServiceViews(string service) => Views + service + "/";

    public string View(string service, string member, string instance) => ServiceViews(service) + member + "/" + instance;

    /// <summary>One key per running guard (<c>understudy guard</c>), on the guard's own lease, beside its member.</summary>
    public string Guards => Root + "guards/";

    public string Guard(string service, string member) => Guards + service + "/" + member;

    /// <summary>How far each instance has mirrored the log (an etcd revision), on its lease: the lag /api/cluster shows.</summary>
    public string Progress(string instance) => Root + "progress/" + instance;

    /// <summary>Each instance's acknowledged epoch per service, on the instance's lease.</summary>
    public string Acks => Root + "acks/";

    public string ServiceAcks(string service) => Acks + service + "/";

    public string Ack(string service, string instance) => ServiceAcks(service) + instance;

    /// <summary>The sequence number a log or note key ends with (<see cref="LogKey"/>, <see cref="Note"/>); 0 for none.</summary>
    public static long SeqOf(string? key) => key is null ? 0 : long.Parse(key[(key.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);

    /// <summary>
    /// The end (exclusive) of the key range that starts with <paramref name="prefix"/>: the prefix with its last byte
    /// plus one, as etcd's clients compute it. Our keys are ASCII, so the last character is the last byte.
    /// </summary>
    public static string RangeEnd(string prefix)
    {
        if (prefix.Length == 0 || prefix[^1] >= '\u007f')
            throw new ArgumentException($"expected a non-empty prefix ending in an ASCII character, got '{prefix}'", nameof(prefix));
        return prefix[..^1] + (char)(prefix[^1] + 1);
    }
}
