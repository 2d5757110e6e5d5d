using System.Collections.Immutable;
using Understudy.Config;
using Understudy.Core.Drills;
using YamlDotNet.RepresentationModel;

namespace Understudy.Drills.Loading;

/// <summary>
/// What every step reader needs: where errors go, whether the drill names a controller, and why this host cannot
/// apply nft faults (null when it can; a test passes its own answer).
/// </summary>
internal sealed record StepContext(ConfigReader Reader, bool HasController, Func<string?> NetworkRefusal)
{
    /// <summary>
    /// Records "needs controller" at <paramref name="at"/> when the drill names none; true when it does.
    /// </summary>
    public bool NeedsController(YamlNode at, string key, string why)
    {
        if (HasController) return true;
        Reader.Error(at, key, $"needs controller: {why}; set controller and service");
        return false;
    }
}

/// <summary>
/// <c>faults</c>, <c>verify</c> and <c>rollback</c>: sequences of steps, each item a mapping with one key that
/// names its kind. Which kinds a list takes is decided here, so a step in the wrong list says where it belongs.
/// </summary>
internal static class StepsSection
{
    public sealed record StepList(string Key, IReadOnlyList<string> Kinds, bool Required, string Example);

    public static readonly StepList Faults = new("faults", ["kill_process", "proxy", "network", "exec", "wait", "manual"], true,
        "[ { kill_process: { member: web-a } } ]");
    public static readonly StepList Verify = new("verify", ["alert_received", "http", "exec", "manual", "wait"], false,
        "[ { alert_received: { within: 30s } } ]");
    public static readonly StepList Rollback = new("rollback", ["exec", "kill_process", "proxy", "wait", "manual"], false,
        "[ { exec: [./start-web-a.sh] } ]");

    private static readonly StepList[] Lists = [Faults, Verify, Rollback];

    private static readonly Dictionary<string, Func<StepContext, ConfigMapping, string, DrillStep?>> Readers = new()
    {
        ["kill_process"] = FaultSteps.KillProcess,
        ["proxy"] = FaultSteps.Proxy,
        ["network"] = NetworkSteps.Network,
        ["exec"] = CommandSteps.Exec,
        ["wait"] = CommandSteps.Wait,
        ["manual"] = CommandSteps.Manual,
        ["alert_received"] = VerifySteps.AlertReceived,
        ["http"] = VerifySteps.Http,
    };

    // After Readers: a list's key set names, for every kind it does not take, the lists that do.
    private static readonly Dictionary<StepList, KeySet> KindSets = Lists.ToDictionary(l => l, KindsOf);

    /// <summary>An absent optional list is empty; null after an error, which is recorded.</summary>
    public static ImmutableArray<DrillStep>? Read(ConfigMapping top, StepList list, StepContext context)
    {
        ConfigReader reader = context.Reader;
        string expected = $"a sequence of steps, e.g. {list.Example}";
        YamlNode? node = list.Required ? top.Required(list.Key, expected) : top.Optional(list.Key);
        if (node is null) return list.Required ? null : [];
        // "verify:" with nothing after it is an empty list, as an absent key is.
        if (!list.Required && NodeText.IsNull(node)) return [];
        if (reader.Sequence(node, list.Key, expected) is not { } sequence) return null;
        if (list.Required && sequence.Children.Count == 0)
        {
            reader.Error(sequence, list.Key, $"at least one step is required (one of {NodeText.List(list.Kinds)})");
            return null;
        }

        int before = reader.ErrorCount;
        KeySet kinds = KindSets[list];
        var steps = ImmutableArray.CreateBuilder<DrillStep>();
        for (int i = 0; i < sequence.Children.Count; i++)
            if (Step(context, sequence.Children[i], $"{list.Key}[{i}]", list, kinds) is { } step) steps.Add(step);
        return reader.ErrorCount == before ? steps.ToImmutable() : null;
    }

    private static DrillStep? Step(StepContext context, YamlNode node, string path, StepList list, KeySet kinds)
    {
        ConfigReader reader = context.Reader;
        if (node is not YamlMappingNode mapping)
        {
            reader.Error(node, path, $"expected a step, a mapping with one key such as {{ wait: 2s }}, got {NodeText.Describe(node)}");
            return null;
        }
        ConfigMapping item = ConfigMapping.Read(reader, mapping, path, kinds);
        if (mapping.Children.Count == 0)
            reader.Error(mapping, path, $"expected one step ({NodeText.List(list.Kinds)}), got an empty mapping");

        List<string> present = [.. mapping.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "").Where(item.Has)];
        if (present.Count == 0) return null;
        // A step's keys are its settings one level down; a second key here is almost always a missing "-".
        foreach (string extra in present.Skip(1))
            reader.Error(item.KeyNode(extra), item.KeyOf(extra), $"one step per item: put {extra} in an item of its own (this one is {present[0]})");
        return Readers[present[0]](context, item, present[0]);
    }

    // Kinds from other lists are known keys with a message naming where they are allowed.
    private static KeySet KindsOf(StepList list)
    {
        var elsewhere = new Dictionary<string, string>();
        foreach (string kind in Readers.Keys.Where(k => !list.Kinds.Contains(k)))
        {
            string where = string.Join(" and ", Lists.Where(l => l.Kinds.Contains(kind)).Select(l => l.Key));
            elsewhere[kind] = $"allowed only in {where} (steps allowed in {list.Key}: {NodeText.List(list.Kinds)})";
        }
        return new KeySet(list.Kinds, elsewhere);
    }
}
