using System.Net;
using System.Net.Sockets;
using Understudy.Config;
using Understudy.Core.Drills;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Drills.Loading;

/// <summary>
/// <c>network: { target, drop: true | loss: 2% | delay: 300ms, jitter?, duration }</c>. Drops and loss are nft
/// rules on this host, so the file is refused where nft cannot run (not root, no nftables); delay goes through the
/// controller's proxy (this kernel has no netem), so it needs the controller and a target with a port.
/// </summary>
internal static class NetworkSteps
{
    private static readonly KeySet Keys = new(["target", "drop", "loss", "delay", "jitter", "duration"]);
    private static readonly string[] Kinds = ["drop", "loss", "delay"];
    private const string TargetExample = "an IP address with an optional port, e.g. 127.0.0.1:5432, 10.0.0.7 or [::1]:6379";

    public static DrillStep? Network(StepContext context, ConfigMapping item, string kind)
    {
        ConfigReader reader = context.Reader;
        if (reader.Mapping(item.Optional(kind)!, item.KeyOf(kind), Keys) is not { } n) return null;
        int before = reader.ErrorCount;

        NetworkTarget? target = n.Required("target", TargetExample) is { } t ? Target(reader, t, n.KeyOf("target")) : null;
        TimeSpan? duration = n.Required("duration", "how long the fault lasts, e.g. duration: 10s") is { } d
            ? reader.Duration(d, n.KeyOf("duration"), zeroAllowed: false)
            : null;

        List<string> given = [.. Kinds.Where(n.Has)];
        if (given.Count == 0) reader.Error(n.Node, n.Path, $"required: one of {NodeText.List(Kinds)}");
        foreach (string extra in given.Skip(1))
            reader.Error(n.KeyNode(extra), n.KeyOf(extra), $"only one of {NodeText.List(Kinds)} ({given[0]} is already set)");
        string? chosen = given.FirstOrDefault();
        if (chosen != "delay" && n.Has("jitter"))
            reader.Error(n.KeyNode("jitter"), n.KeyOf("jitter"), chosen is null ? "only for delay" : $"only for delay (this fault is {chosen})");

        NetworkFault? fault = chosen switch
        {
            "drop" => Drop(context, item, kind, n, target, duration),
            "loss" => Loss(context, item, kind, n, target, duration),
            "delay" => Delay(context, n, target, duration),
            _ => null,
        };
        return reader.ErrorCount == before ? fault : null;
    }

    private static NetworkFault? Drop(StepContext context, ConfigMapping item, string kind, ConfigMapping n, NetworkTarget? target, TimeSpan? duration)
    {
        CanUseNft(context, item, kind);
        YamlNode node = n.Optional("drop")!;
        if (context.Reader.Bool(node, n.KeyOf("drop")) is false)
            context.Reader.Error(node, n.KeyOf("drop"), "only drop: true; for part of the packets write loss: 2%, or leave the step out");
        return target is { } t && duration is { } d ? new NetworkFault(t, NetworkFaultKind.Drop, d) : null;
    }

    private static NetworkFault? Loss(StepContext context, ConfigMapping item, string kind, ConfigMapping n, NetworkTarget? target, TimeSpan? duration)
    {
        CanUseNft(context, item, kind);
        ConfigReader reader = context.Reader;
        const string expected = "a whole percentage above 0% and below 100%, e.g. loss: 2%";
        double? pct = DrillValues.Number(reader, n.Optional("loss")!, n.KeyOf("loss"), expected, out _, out string shown);
        // nft draws a whole number (numgen random mod 100 < N); 100 % is drop: true.
        if (pct is { } p && (p <= 0 || p >= 100 || p != Math.Floor(p)))
        {
            reader.Error(n.Optional("loss")!, n.KeyOf("loss"), $"must be {expected} (got {shown}){(p >= 100 ? "; to drop everything write drop: true" : "")}");
            return null;
        }
        return target is { } t && duration is { } d && pct is { } percent ? new NetworkFault(t, NetworkFaultKind.Loss, d, LossPercent: (int)percent) : null;
    }

    private static NetworkFault? Delay(StepContext context, ConfigMapping n, NetworkTarget? target, TimeSpan? duration)
    {
        ConfigReader reader = context.Reader;
        context.NeedsController(n.KeyNode("delay"), n.KeyOf("delay"),
            "this kernel has no netem, so a delay is the controller's proxy latency fault toward the member at target");
        TimeSpan? delay = reader.Duration(n.Optional("delay")!, n.KeyOf("delay"), zeroAllowed: false);
        TimeSpan? jitter = n.Optional("jitter") is { } j ? reader.Duration(j, n.KeyOf("jitter"), zeroAllowed: true) : TimeSpan.Zero;
        if (target is { Port: null } t)
            reader.Error(n.KeyNode("target"), n.KeyOf("target"), $"delay needs a port ({t}:PORT): it delays the member at that address through the controller's proxy");
        return target is { } at && duration is { } d && delay is { } by && jitter is { } spread
            ? new NetworkFault(at, NetworkFaultKind.Delay, d, Delay: by, Jitter: spread)
            : null;
    }

    private static void CanUseNft(StepContext context, ConfigMapping item, string kind)
    {
        if (context.NetworkRefusal() is { } why) context.Reader.Error(item.KeyNode(kind), item.KeyOf(kind), why);
    }

    /// <summary>An IP address, or IP:port / [IPv6]:port. A name is refused: nft matches addresses, and a name may have several.</summary>
    private static NetworkTarget? Target(ConfigReader reader, YamlNode node, string key)
    {
        if (reader.Scalar(node, key, TargetExample) is not { } v) return null;
        string text = v.Text.Trim();
        // "::1" is a bare IPv6 address; "127.0.0.1:80" and "[::1]:80" carry a port.
        bool withPort = text.StartsWith('[') || text.Count(c => c == ':') == 1;
        string host = text;
        int? port = null;
        if (withPort)
        {
            if (!HostPort.TryParse(text, out HostPort? hp, out string whyNot)) { reader.Fail(node, key, v, whyNot); return null; }
            (host, port) = (hp.Value.Host, hp.Value.Port);
        }
        // IPAddress also takes "10" as 0.0.0.10: an IPv4 address must have its four parts.
        if (IPAddress.TryParse(host, out IPAddress? ip) && (ip.AddressFamily == AddressFamily.InterNetworkV6 || host.Count(c => c == '.') == 3))
            return new NetworkTarget(ip, port);
        reader.Fail(node, key, v, $"expected {TargetExample}, got '{v.Text}' (nft matches addresses, not host names)");
        return null;
    }
}
