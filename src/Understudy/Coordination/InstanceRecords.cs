using System.Text.Json;
using System.Text.Json.Serialization;

namespace Understudy.Coordination;

/// <summary>What an instance tells its peers about itself (its presence key's value, with the time it started).</summary>
/// <param name="Api">Where its API listens, so a follower can forward operator writes to the leader.</param>
/// <param name="Digest">Its <see cref="ServiceDigest"/>'s SHA-256: only instances that agree with the leader may lead.</param>
/// <param name="Tls">Whether its API speaks HTTPS (<c>controller.tls</c>), so peers and guards call it as it answers.</param>
public sealed record InstanceInfo(string Name, string Api, string Version, string Digest, bool Tls = false);

/// <summary>
/// An instance registered in etcd. Its key exists exactly as long as its lease, so being listed means it was alive at
/// <see cref="Seen"/> (when this instance read the list). Fields a newer version wrote differently come back empty.
/// </summary>
public sealed record RegisteredInstance(string Name, string Api, string Version, string Digest, DateTimeOffset? StartedAt, long Lease, DateTimeOffset Seen, bool Tls = false)
{
    /// <summary>Its API's base URL; null when its record names none.</summary>
    public Uri? ApiUrl => Api.Length > 0 ? new Uri($"{(Tls ? "https" : "http")}://{Api}/") : null;
}

/// <summary>The presence key's JSON: <c>{name, api, version, started_at, digest, tls}</c>; a record without <c>tls</c> (an older version) is plain HTTP.</summary>
internal sealed record PresenceRecord(string Name, string Api, string Version, DateTimeOffset StartedAt, string Digest, bool Tls = false)
{
    public string ToJson() => JsonSerializer.Serialize(this, PresenceJson.Default.PresenceRecord);

    /// <summary>Reads what it can; the name always comes from the key, which cannot disagree with itself.</summary>
    public static RegisteredInstance Read(EtcdEntry entry, string name, DateTimeOffset seen)
    {
        PresenceRecord? r = null;
        try { r = JsonSerializer.Deserialize(entry.Value, PresenceJson.Default.PresenceRecord); }
        catch (JsonException) { /* listed all the same: it holds a live lease */ }
        return new RegisteredInstance(name, r?.Api ?? "", r?.Version ?? "", r?.Digest ?? "", r?.StartedAt, entry.Lease, seen, r?.Tls ?? false);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PresenceRecord))]
internal sealed partial class PresenceJson : JsonSerializerContext;
