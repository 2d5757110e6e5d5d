using System.Collections.Immutable;

namespace Understudy.Core.Topology;

/// <summary>
/// How this controller instance coordinates with its peers through etcd (DESIGN.md "Several controllers"):
/// every key lives under <c>/understudy/{Cluster}/</c>, and this instance's presence, acknowledgements and
/// (while it leads) the leader key hang on one lease of <see cref="Lease"/>.
/// </summary>
/// <param name="Etcd">The etcd endpoints, all http:// or all https://; calls are spread over them.</param>
/// <param name="Cluster">The name shared by every instance of one cluster: lowercase letters, digits and '-'.</param>
/// <param name="Lease">Whole seconds, at least 2 s (etcd 3.4 grants nothing shorter).</param>
/// <param name="Password">Already resolved from <c>${ENV}</c> or <c>file:PATH</c>. Never logged.</param>
public sealed record CoordinationSpec(ImmutableArray<Uri> Etcd, string Cluster, TimeSpan Lease, string? Username, string? Password, EtcdTlsSpec? Tls)
{
    /// <summary>How long any one etcd call may take: the default, but never more than half the lease, so a renewal that hangs still leaves time for the next.</summary>
    public TimeSpan CallTimeout => CoordinationDefaults.CallTimeout < Lease / 2 ? CoordinationDefaults.CallTimeout : Lease / 2;

    public override string ToString() =>
        $"CoordinationSpec {{ Etcd = [{string.Join(", ", Etcd)}], Cluster = {Cluster}, Lease = {Lease}, Username = {Username ?? "none"}, "
        + $"Password = {(Password is null ? "none" : "***")}, Tls = {(Tls is null ? "none" : Tls.ToString())} }}";
}

/// <summary>TLS towards etcd: absolute paths, each file present when the config was loaded.</summary>
/// <param name="Ca">The CA that signed etcd's certificates; null: the system's trust store.</param>
/// <param name="Cert">This instance's client certificate (PEM), with <paramref name="Key"/>; both or neither.</param>
public sealed record EtcdTlsSpec(string? Ca, string? Cert, string? Key);

public static class CoordinationDefaults
{
    /// <summary>etcd 3.4's shortest lease; a shorter TTL is granted as this anyway.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(1);
}
