using System.Collections.Immutable;
using Understudy.Config;
using Understudy.Core.Drills;
using YamlDotNet.RepresentationModel;

namespace Understudy.Drills.Loading;

/// <summary>Steps allowed in every list that takes them: <c>exec</c>, <c>wait</c>, <c>manual</c>.</summary>
internal static class CommandSteps
{
    /// <summary>How long a command may run when the file does not say; long enough for a cloud CLI call.</summary>
    public static readonly TimeSpan ExecTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long a person gets to confirm a manual step when the file does not say.</summary>
    public static readonly TimeSpan ManualTimeout = TimeSpan.FromMinutes(10);

    internal const string Command = "a command as a sequence of strings, e.g. [systemctl, restart, web]";

    private static readonly KeySet ExecKeys = new(["command", "timeout"]);
    private static readonly KeySet ManualKeys = new(["instruction", "timeout"]);

    /// <summary><c>exec: [cmd, arg]</c>, or <c>exec: { command: [cmd, arg], timeout: 30s }</c> to set the timeout.</summary>
    public static DrillStep? Exec(StepContext context, ConfigMapping item, string kind)
    {
        ConfigReader reader = context.Reader;
        YamlNode node = item.Optional(kind)!;
        string key = item.KeyOf(kind);
        if (node is YamlSequenceNode) return Arguments(reader, node, key) is { } args ? new ExecStep(args, ExecTimeout) : null;
        if (node is not YamlMappingNode)
        {
            reader.Error(node, key, $"expected {Command}, or {{ command: [...], timeout: 30s }}, got {NodeText.Describe(node)}");
            return null;
        }

        ConfigMapping e = reader.Mapping(node, key, ExecKeys)!;
        ImmutableArray<string>? command = e.Required("command", Command) is { } c ? Arguments(reader, c, e.KeyOf("command")) : null;
        TimeSpan? timeout = e.Optional("timeout") is { } t ? reader.Duration(t, e.KeyOf("timeout"), zeroAllowed: false) : ExecTimeout;
        return command is { } argv && timeout is { } limit ? new ExecStep(argv, limit) : null;
    }

    public static DrillStep? Wait(StepContext context, ConfigMapping item, string kind) =>
        context.Reader.Duration(item.Optional(kind)!, item.KeyOf(kind), zeroAllowed: false) is { } d ? new WaitStep(d) : null;

    public static DrillStep? Manual(StepContext context, ConfigMapping item, string kind)
    {
        ConfigReader reader = context.Reader;
        if (reader.Mapping(item.Optional(kind)!, item.KeyOf(kind), ManualKeys) is not { } m) return null;
        string? instruction = m.Required("instruction", "what the person should do, e.g. instruction: pull the cable") is { } i
            ? DrillValues.NonEmpty(reader, i, m.KeyOf("instruction"), "what the person should do")
            : null;
        TimeSpan? timeout = m.Optional("timeout") is { } t ? reader.Duration(t, m.KeyOf("timeout"), zeroAllowed: false) : ManualTimeout;
        return instruction is not null && timeout is { } limit ? new ManualStep(instruction, limit) : null;
    }

    // A sequence, not a shell line: arguments reach the program as written. The first word is left as
    // written too (not resolved against the drill's folder), so PATH lookups such as [fly, ...] keep working.
    internal static ImmutableArray<string>? Arguments(ConfigReader reader, YamlNode node, string key)
    {
        if (reader.Sequence(node, key, Command) is not { } sequence) return null;
        if (sequence.Children.Count == 0)
        {
            reader.Error(sequence, key, $"expected {Command}, got an empty sequence");
            return null;
        }
        var args = ImmutableArray.CreateBuilder<string>();
        for (int i = 0; i < sequence.Children.Count; i++)
            if (reader.Scalar(sequence.Children[i], $"{key}[{i}]", "a string") is { } v) args.Add(v.Text);
        return args.Count == sequence.Children.Count ? args.ToImmutable() : null;
    }
}
