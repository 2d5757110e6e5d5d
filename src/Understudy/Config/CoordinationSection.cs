using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// <c>controller.name</c> and <c>controller.coordination</c>: who this instance is among its peers, and the etcd
/// they coordinate through (DESIGN.md "Several controllers"). Credentials are secrets (<c>${ENV}</c> or
/// <c>file:PATH</c>); TLS files must exist when the file is loaded, not at the first failover.
/// </summary>
internal static partial class CoordinationSection
{
    private static readonly KeySet Keys = new(["etcd", "cluster", "lease", "username", "password", "tls"]);
    private static readonly KeySet TlsKeys = new(["ca", "cert", "key"]);
    private const string UrlExpected = "an http:// or https:// URL with a port, such as http://127.0.0.1:2379";
    private const string EtcdExpected = "a sequence of etcd URLs, e.g. [http://127.0.0.1:2379]";

    [GeneratedRegex("^[a-z0-9-]{1,63}$")]
    private static partial Regex ClusterShape();

    // The port is required: a URL without one would mean port 80, never where etcd listens.
    [GeneratedRegex(@"^https?://(\[[0-9A-Fa-f:.]+\]|[^/:\[\]@?#\s]+):[0-9]{1,5}/?$")]
    private static partial Regex UrlShape();

    /// <summary>The instance's name: as given, else the host name made into a valid name; null after an error.</summary>
    public static string? Name(ConfigMapping? controller)
    {
        if (controller?.Optional("name") is not { } node) return Names.FromHostName(Environment.MachineName);
        string key = controller.KeyOf("name");
        if (controller.Reader.Scalar(node, key, "a name") is not { } v) return null;
        if (Names.IsValid(v.Text)) return v.Text;
        controller.Reader.Fail(node, key, v, Names.WhyNot(v.Text));
        return null;
    }

    /// <summary>False after an error (recorded); true with a null spec when the instance runs alone.</summary>
    public static bool TryRead(ConfigMapping? controller, out CoordinationSpec? spec)
    {
        spec = null;
        if (controller?.Section("coordination", Keys) is not { } c) return controller is null || !controller.IsSet("coordination");
        ConfigReader reader = c.Reader;
        int before = reader.ErrorCount;

        ImmutableArray<Uri>? etcd = c.Required("etcd", EtcdExpected) is { } e ? Endpoints(reader, e, c.KeyOf("etcd")) : null;
        string? cluster = c.Required("cluster", "the cluster's name, the same on every instance (keys live under /understudy/NAME/)") is { } n
            ? Cluster(reader, n, c.KeyOf("cluster"))
            : null;
        TimeSpan? lease = c.Optional("lease") is { } l ? Lease(reader, l, c.KeyOf("lease")) : CoordinationDefaults.Lease;
        string? username = Secret(c, "username", "user name"), password = Secret(c, "password", "password");
        c.BothOrNeither("username", "password");
        EtcdTlsSpec? tls = Tls(c);
        if (tls is not null && etcd is { } urls && urls.Any(u => u.Scheme != Uri.UriSchemeHttps))
            reader.Error(c.KeyNode("tls"), c.KeyOf("tls"), "TLS needs https:// etcd URLs");

        if (reader.ErrorCount != before || etcd is not { } endpoints || cluster is null || lease is not { } ttl) return false;
        spec = new CoordinationSpec(endpoints, cluster, ttl, username, password, tls);
        return true;
    }

    private static ImmutableArray<Uri>? Endpoints(ConfigReader reader, YamlNode node, string key)
    {
        if (reader.NonEmptyList(node, key, EtcdExpected, "etcd URL", (n, k) => Endpoint(reader, n, k)) is not { } urls) return null;
        // One gRPC channel serves every endpoint, with one kind of credentials.
        if (urls.Select(u => u.Scheme).Distinct().Count() == 1) return urls;
        reader.Error(node, key, "mixes http:// and https://; use one for every endpoint");
        return null;
    }

    private static Uri? Endpoint(ConfigReader reader, YamlNode node, string key)
    {
        if (reader.Scalar(node, key, UrlExpected) is not { } v) return null;
        if (UrlShape().IsMatch(v.Text) && Uri.TryCreate(v.Text, UriKind.Absolute, out Uri? url) && url.Port > 0) return url;
        reader.Fail(node, key, v, $"expected {UrlExpected}, got '{v.Text}'");
        return null;
    }

    private static string? Cluster(ConfigReader reader, YamlNode node, string key)
    {
        if (reader.Scalar(node, key, "a cluster name") is not { } v) return null;
        if (ClusterShape().IsMatch(v.Text)) return v.Text;
        reader.Fail(node, key, v, $"expected 1 to 63 lowercase letters, digits and '-' (got '{v.Text}')");
        return null;
    }

    internal static TimeSpan? Lease(ConfigReader reader, YamlNode node, string key)
    {
        if (reader.Duration(node, key, zeroAllowed: true) is not { } d) return null;
        if (d.Ticks % TimeSpan.TicksPerSecond == 0 && d >= CoordinationDefaults.Lease) return d;
        // Read again only for how to show it: the first read succeeded, so this one does too.
        reader.Error(node, key, $"must be whole seconds, at least 2s, as etcd grants no shorter lease (got {reader.Scalar(node, key, "")!.Shown})");
        return null;
    }

    private static string? Secret(ConfigMapping c, string key, string what) =>
        c.Optional(key) is { } node
            ? AlertsSection.NotEmpty(c.Reader, node, c.KeyOf(key), c.Reader.Secret(node, c.KeyOf(key), $"a {what}, ${{ENV_VAR}} or file:PATH"), what)
            : null;

    private static EtcdTlsSpec? Tls(ConfigMapping c)
    {
        // "tls:" alone is no TLS, as an absent key is.
        if (c.Section("tls", TlsKeys) is not { } t) return null;
        string? ca = ExistingFile(t, "ca"), cert = ExistingFile(t, "cert"), key = ExistingFile(t, "key");
        t.BothOrNeither("cert", "key");
        return new EtcdTlsSpec(ca, cert, key);
    }

    private static string? ExistingFile(ConfigMapping t, string key)
    {
        if (t.Optional(key) is not { } node || t.Reader.Scalar(node, t.KeyOf(key), "a file path") is not { } v
            || t.Reader.FilePath(node, t.KeyOf(key), v) is not { } path)
            return null;
        if (File.Exists(path)) return path;
        string shown = v.FromEnvironment ? v.Written : path;
        t.Reader.Error(node, t.KeyOf(key), Directory.Exists(path) ? $"{shown} is a folder, not a file" : $"no such file (looked for {shown})");
        return null;
    }
}
