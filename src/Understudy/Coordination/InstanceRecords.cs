using System.Text.Json;
using System.Text.Json.Serialization;

namespace Understudy.Coordination;

/// <summary>What an instance tells its peers about itself (its presence key's value, with the time it started).</summary>
/// <param name="Api">Where its API listens, so a follower can forward operator writes to the leader.</param>
/// <param name="Digest">Its <see cref="ServiceDigest"/>'s SHA-256: only instances that agree with the leader may lead.</param>
public sealed record InstanceInfo(string Name, string Api, string Version, string Digest);

/// <summary>
/// An instance registered in etcd. Its key exists exactly as long as its lease, so being listed means it was alive at
/// <see cref="Seen"/> (when this instance read the list). Fields a newer version wrote differently come back empty.
/// </summary>
public sealed record RegisteredInstance(string Name, string Api, string Version, string Digest, DateTimeOffset? StartedAt, long Lease, DateTimeOffset Seen);

/// <summary>The presence key's JSON: <c>{name, api, version, started_at, digest}</c>.</summary>
internal sealed record PresenceRecord(string Name, string Api, string Version, DateTimeOffset StartedAt, string Digest)
{
    public string ToJson() => JsonSerializer.Serialize(this, PresenceJson.Default.PresenceRecord);

    /// <summary>Reads what it can; the name always comes from the key, which cannot disagree with itself.</summary>
    public static RegisteredInstance Read(EtcdEntry entry, string name, DateTimeOffset seen)
    {
        PresenceRecord? r = null;
        try { r = JsonSerializer.Deserialize(entry.Value, PresenceJson.Default.PresenceRecord); }
        catch (JsonException) { /* listed all the same: it holds a live lease */ }
        return new RegisteredInstance(name, r?.Api ?? "", r?.Version ?? "", r?.Digest ?? "", r?.StartedAt, entry.Lease, seen);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PresenceRecord))]
internal sealed partial class PresenceJson : JsonSerializerContext;
