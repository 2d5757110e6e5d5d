using Understudy.Core.Topology;

namespace Understudy.Config;

/// <summary>
/// <c>traffic.sentinel:</c> a listener that answers Sentinel-aware Redis clients: where the master of
/// <c>name</c> is, and <c>+switch-master</c> when it moves. Only redis and tcp services take it (the kind check is
/// <see cref="TrafficSection"/>'s key set).
/// </summary>
internal static class SentinelSection
{
    private static readonly KeySet Keys = new(["listen", "name", "answer"]);

    private static readonly Dictionary<string, SentinelAnswer> Answers = new()
    {
        ["proxy"] = SentinelAnswer.Proxy,
        ["member"] = SentinelAnswer.Member,
    };

    /// <summary>The listener, or null when <paramref name="traffic"/> has none (or after an error, which is recorded).</summary>
    public static SentinelSpec? Read(ConfigMapping traffic, string serviceName, AddressBook addresses)
    {
        ConfigReader reader = traffic.Reader;
        // As for the proxy: "sentinel:" with nothing after it is a listener without its address, not "none".
        if (traffic.Optional("sentinel") is not { } node || reader.Mapping(node, traffic.KeyOf("sentinel"), Keys) is not { } s) return null;
        int before = reader.ErrorCount;

        HostPort? listen = TrafficSection.Listen(s, addresses, "host:port for Sentinel-aware clients to ask");
        string? name = s.Optional("name") is { } n ? Name(s, n) : serviceName;
        // Without a proxy the clients can only be sent to the member itself.
        bool hasProxy = traffic.Has("proxy");
        SentinelAnswer? answer = s.Optional("answer") is { } a ? reader.Choice(a, s.KeyOf("answer"), Answers) : hasProxy ? SentinelAnswer.Proxy : SentinelAnswer.Member;
        if (answer == SentinelAnswer.Proxy && !hasProxy)
        {
            reader.Error(s.Optional("answer")!, s.KeyOf("answer"), "proxy needs traffic.proxy, which this service does not have; use answer: member to send clients to the primary itself");
            return null;
        }
        return listen is { } l && name is not null && answer is { } ans && reader.ErrorCount == before ? new SentinelSpec(l, name, ans) : null;
    }

    // Clients match the name exactly, and +switch-master puts it between spaces: any text without blanks or control characters.
    private static string? Name(ConfigMapping s, YamlDotNet.RepresentationModel.YamlNode node)
    {
        if (s.Reader.Scalar(node, s.KeyOf("name"), "a master name such as mymaster") is not { } v) return null;
        if (v.Text.Length > 0 && v.Text.Length <= Names.MaxLength && !v.Text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) return v.Text;
        s.Reader.Fail(node, s.KeyOf("name"), v, v.Text.Length > Names.MaxLength
            ? $"a master name is at most {Names.MaxLength} characters (got {v.Text.Length})"
            : $"expected a master name without spaces or control characters, such as mymaster (got '{v.Text}')");
        return null;
    }
}
