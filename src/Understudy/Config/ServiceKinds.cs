using Understudy.Core.Topology;

namespace Understudy.Config;

/// <summary>The kinds a service may have, by the name the file uses, and the message for a key of another kind.</summary>
internal static class ServiceKinds
{
    public static readonly IReadOnlyDictionary<string, ServiceKind> ByName = new Dictionary<string, ServiceKind>(StringComparer.Ordinal)
    {
        ["http"] = ServiceKind.Http,
        ["tcp"] = ServiceKind.Tcp,
        ["postgres"] = ServiceKind.Postgres,
        ["redis"] = ServiceKind.Redis,
    };

    public static string Name(ServiceKind kind) => ByName.First(k => k.Value == kind).Key;

    /// <summary>"only for kind postgres (this service is http)": said at the key, as for an unknown key.</summary>
    public static string OnlyFor(ServiceKind only, ServiceKind kind) => OnlyFor([only], kind);

    /// <summary>"only for kinds postgres and redis (this service is http)".</summary>
    public static string OnlyFor(IReadOnlyList<ServiceKind> only, ServiceKind kind) =>
        $"only for kind{(only.Count > 1 ? "s" : "")} {string.Join(" and ", only.Select(Name))} (this service is {Name(kind)})";

    /// <summary>The kinds whose members replicate data and report their own role: PostgreSQL and Redis.</summary>
    public static readonly IReadOnlyList<ServiceKind> Replicated = [ServiceKind.Postgres, ServiceKind.Redis];
}

/// <summary>
/// The keys of a mapping inside a service, some of which only one kind takes (<c>check.path</c>: http;
/// <c>failover.max_lag</c>: postgres). A service of another kind is told so at the key, and its "accepted"
/// list names only the keys it may use. While the kind is unknown (missing or misspelt) every key is
/// accepted, so the values are still checked in the same pass.
/// </summary>
internal sealed class KindKeySet(
    IReadOnlyList<string> common,
    IReadOnlyList<(IReadOnlyList<ServiceKind> Kinds, IReadOnlyList<string> Keys)> kindOnly,
    IReadOnlyDictionary<string, string>? later = null)
{
    public KeySet For(ServiceKind? kind)
    {
        var accepted = new List<string>(common);
        var messages = new Dictionary<string, string>(later ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (only, keys) in kindOnly)
        {
            if (kind is not { } k || only.Contains(k)) accepted.AddRange(keys);
            else foreach (string key in keys) messages[key] = ServiceKinds.OnlyFor(only, k);
        }
        return new KeySet(accepted, messages);
    }
}
