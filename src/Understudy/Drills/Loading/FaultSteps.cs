using System.Globalization;
using Understudy.Config;
using Understudy.Core.Drills;
using YamlDotNet.RepresentationModel;

namespace Understudy.Drills.Loading;

/// <summary>Steps that break something: <c>kill_process</c> and <c>proxy</c>.</summary>
internal static class FaultSteps
{
    private static readonly KeySet KillKeys = new(["pid", "pidfile", "member", "signal"]);
    private static readonly KeySet ProxyKeys = new(["member", "fault", "duration", "latency", "jitter"]);
    private static readonly string[] Targets = ["pid", "pidfile", "member"];
    private static readonly string[] Signals = ["KILL", "TERM", "INT", "STOP", "CONT", "HUP", "QUIT", "USR1", "USR2"];

    private static readonly Dictionary<string, ProxyFaultKind> ProxyFaults = new()
    {
        ["blackhole"] = ProxyFaultKind.Blackhole,
        ["latency"] = ProxyFaultKind.Latency,
        ["reset"] = ProxyFaultKind.Reset,
    };

    public static DrillStep? KillProcess(StepContext context, ConfigMapping item, string kind)
    {
        ConfigReader reader = context.Reader;
        if (reader.Mapping(item.Optional(kind)!, item.KeyOf(kind), KillKeys) is not { } k) return null;
        int before = reader.ErrorCount;

        List<string> given = [.. Targets.Where(k.Has)];
        if (given.Count == 0) reader.Error(k.Node, k.Path, $"required: one of {NodeText.List(Targets)}");
        // One step signals one process; a second target would leave which one ambiguous.
        foreach (string extra in given.Skip(1))
            reader.Error(k.KeyNode(extra), k.KeyOf(extra), $"only one of {NodeText.List(Targets)} ({given[0]} is already set)");

        (ProcessTarget By, string? Value)? target = given.Count == 0 ? null : given[0] switch
        {
            "pid" => (ProcessTarget.Pid, reader.Int(k.Optional("pid")!, k.KeyOf("pid"), min: 1)?.ToString(CultureInfo.InvariantCulture)),
            "pidfile" => (ProcessTarget.PidFile, reader.FilePath(k.Optional("pidfile")!, k.KeyOf("pidfile"))),
            _ => (ProcessTarget.Member, Member(context, k)),
        };
        string? signal = k.Optional("signal") is { } s ? Signal(reader, s, k.KeyOf("signal")) : "KILL";

        return reader.ErrorCount == before && target is { Value: { } value } t && signal is not null
            ? new KillProcess(t.By, value, signal)
            : null;
    }

    public static DrillStep? Proxy(StepContext context, ConfigMapping item, string kind)
    {
        ConfigReader reader = context.Reader;
        context.NeedsController(item.KeyNode(kind), item.KeyOf(kind), "proxy faults are applied by the controller's built-in proxy");
        if (reader.Mapping(item.Optional(kind)!, item.KeyOf(kind), ProxyKeys) is not { } p) return null;
        int before = reader.ErrorCount;

        string? member = p.Required("member", "the member whose traffic the proxy disturbs") is { } m
            ? DrillValues.Name(reader, m, p.KeyOf("member"), "a member name")
            : null;
        ProxyFaultKind? fault = p.Required("fault", "blackhole, latency or reset") is { } f ? reader.Choice(f, p.KeyOf("fault"), ProxyFaults) : null;
        TimeSpan? duration = p.Required("duration", "how long the fault lasts, e.g. duration: 10s") is { } d
            ? reader.Duration(d, p.KeyOf("duration"), zeroAllowed: false)
            : null;

        TimeSpan? latency = TimeSpan.Zero, jitter = TimeSpan.Zero;
        if (fault == ProxyFaultKind.Latency)
        {
            latency = p.Required("latency", "the delay added, e.g. latency: 200ms") is { } l ? reader.Duration(l, p.KeyOf("latency"), zeroAllowed: false) : null;
            jitter = p.Optional("jitter") is { } j ? reader.Duration(j, p.KeyOf("jitter"), zeroAllowed: true) : TimeSpan.Zero;
        }
        else if (fault is { } other)
        {
            // Like an http-only key on a tcp service: the value may be fine, the key does not belong here.
            foreach (string key in (string[])["latency", "jitter"])
                if (p.Has(key)) reader.Error(p.KeyNode(key), p.KeyOf(key), $"only for fault latency (this fault is {other.ToString().ToLowerInvariant()})");
        }

        return reader.ErrorCount == before && member is not null && fault is { } kindOf && duration is { } length
            && latency is { } delay && jitter is { } spread
            ? new ProxyFault(member, kindOf, length, delay, spread)
            : null;
    }

    // The member's pidfile is in the controller's config, so only the controller can say which process it is.
    private static string? Member(StepContext context, ConfigMapping k)
    {
        string? name = DrillValues.Name(context.Reader, k.Optional("member")!, k.KeyOf("member"), "a member name");
        context.NeedsController(k.KeyNode("member"), k.KeyOf("member"), "a member's pidfile is read from the controller's config");
        return name;
    }

    // KILL, SIGKILL, kill and sigkill all name one signal; the spec keeps the short upper-case name.
    private static string? Signal(ConfigReader reader, YamlNode node, string key)
    {
        string expected = $"a signal: one of {NodeText.List(Signals)} (SIG prefix and lower case also accepted)";
        if (reader.Scalar(node, key, expected) is not { } v) return null;
        string upper = v.Text.Trim().ToUpperInvariant();
        string bare = upper.StartsWith("SIG", StringComparison.Ordinal) ? upper[3..] : upper;
        if (Signals.Contains(bare)) return bare;
        reader.Fail(node, key, v, $"expected {expected}, got '{v.Text}'");
        return null;
    }
}
