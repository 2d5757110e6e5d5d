using Understudy.Config;
using Understudy.Core.Drills;
using YamlDotNet.RepresentationModel;

namespace Understudy.Drills.Loading;

/// <summary><c>stop_conditions</c>: <c>max_outage</c>, <c>max_error_rate</c>, <c>max_p99</c>, <c>command</c>.</summary>
internal static class StopConditionsSection
{
    private static readonly KeySet StopKeys = new(["max_outage", "max_error_rate", "max_p99", "command"]);
    private static readonly KeySet ErrorRateKeys = new(["rate", "window"]);
    private static readonly KeySet LatencyKeys = new(["latency", "window"]);
    private static readonly KeySet CommandKeys = new(["run", "interval", "timeout"]);

    /// <summary>None when absent; null after an error, which is recorded.</summary>
    public static StopConditions? Read(ConfigMapping top)
    {
        if (top.Section("stop_conditions", StopKeys) is not { } s) return top.IsSet("stop_conditions") ? null : StopConditions.None;
        ConfigReader reader = top.Reader;
        int errors = reader.ErrorCount;
        TimeSpan? outage = s.Optional("max_outage") is { } m ? reader.Duration(m, s.KeyOf("max_outage"), zeroAllowed: false) : null;
        ErrorRateStop? rate = s.Section("max_error_rate", ErrorRateKeys) is { } r ? ErrorRate(r) : null;
        LatencyStop? p99 = s.Section("max_p99", LatencyKeys) is { } l ? Latency(l) : null;
        CommandStop? command = s.Optional("command") is { } c ? Command(reader, c, s.KeyOf("command")) : null;
        return reader.ErrorCount == errors ? new StopConditions(outage, rate, p99, command) : null;
    }

    private static ErrorRateStop? ErrorRate(ConfigMapping r)
    {
        ConfigReader reader = r.Reader;
        double? rate = r.Required("rate", "the share of failed attempts that aborts, e.g. rate: 50%") is { } node
            ? PhaseSections.ErrorRate(reader, node, r.KeyOf("rate"))
            : null;
        // The drill aborts above the rate, and no share of attempts is above 100 %.
        if (rate >= 1)
        {
            reader.Error(r.Optional("rate")!, r.KeyOf("rate"), "must be below 100%: no error rate is above it, so the drill would never stop");
            rate = null;
        }
        TimeSpan? window = Window(r);
        return rate is { } limit && window is { } w ? new ErrorRateStop(limit, w) : null;
    }

    private static LatencyStop? Latency(ConfigMapping l)
    {
        TimeSpan? latency = l.Required("latency", "the p99 latency that aborts, e.g. latency: 2s") is { } node
            ? l.Reader.Duration(node, l.KeyOf("latency"), zeroAllowed: false)
            : null;
        TimeSpan? window = Window(l);
        return latency is { } limit && window is { } w ? new LatencyStop(limit, w) : null;
    }

    private static TimeSpan? Window(ConfigMapping m) =>
        m.Required("window", "the sliding window the figure is taken over, e.g. window: 10s") is { } node
            ? m.Reader.Duration(node, m.KeyOf("window"), zeroAllowed: false)
            : null;

    /// <summary><c>command: [check, arg]</c>, or <c>command: { run: [check, arg], interval: 1s, timeout: 5s }</c>.</summary>
    private static CommandStop? Command(ConfigReader reader, YamlNode node, string key)
    {
        if (node is YamlSequenceNode)
            return CommandSteps.Arguments(reader, node, key) is { } args ? new CommandStop(args, CommandStop.DefaultInterval, CommandStop.DefaultTimeout) : null;
        if (node is not YamlMappingNode)
        {
            reader.Error(node, key, $"expected {CommandSteps.Command}, or {{ run: [...], interval: 1s, timeout: 5s }}, got {NodeText.Describe(node)}");
            return null;
        }
        ConfigMapping c = reader.Mapping(node, key, CommandKeys)!;
        var run = c.Required("run", CommandSteps.Command) is { } r ? CommandSteps.Arguments(reader, r, c.KeyOf("run")) : null;
        TimeSpan? interval = c.Optional("interval") is { } i ? reader.Duration(i, c.KeyOf("interval"), zeroAllowed: false) : CommandStop.DefaultInterval;
        TimeSpan? timeout = c.Optional("timeout") is { } t ? reader.Duration(t, c.KeyOf("timeout"), zeroAllowed: false) : CommandStop.DefaultTimeout;
        return run is { } argv && interval is { } every && timeout is { } limit ? new CommandStop(argv, every, limit) : null;
    }
}
