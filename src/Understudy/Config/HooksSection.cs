using System.Collections.Immutable;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// <c>hooks:</c> commands run after traffic moved, each <c>{exec: [...], timeout}</c>; and
/// <c>fence</c>, run before promotion, whose hooks also take <c>required</c> (default true). <see cref="Hook"/> also reads <c>postgres.rejoin</c>, which has the same shape.
/// </summary>
internal static class HooksSection
{
    private static readonly KeySet Keys = new(["on_failover", "on_switchover", "fence", "veto"]);

    private static readonly KeySet HookKeys = new(["exec", "timeout"]);

    /// <summary>Only a fence hook may be optional: a later hook's failure never undoes anything anyway.</summary>
    private static readonly KeySet FenceHookKeys = new(["exec", "timeout", "required"]);

    private const string Command = "a command as a sequence of strings, e.g. [systemctl, restart, web]";

    /// <summary>No hooks when absent; null after an error, which is recorded.</summary>
    public static HooksSpec? Read(ConfigMapping service)
    {
        // No section means no hooks; a section that is not a mapping was already reported.
        if (service.Section("hooks", Keys) is not { } h) return service.IsSet("hooks") ? null : HooksSpec.None;
        ImmutableArray<HookSpec>? onFailover = List(h, "on_failover", Placeholders.Hooks);
        ImmutableArray<HookSpec>? onSwitchover = List(h, "on_switchover", Placeholders.Hooks);
        ImmutableArray<HookSpec>? fence = List(h, "fence", Placeholders.Hooks, fence: true);
        ImmutableArray<HookSpec>? veto = List(h, "veto", Placeholders.Veto);
        return onFailover is { } f && onSwitchover is { } s && fence is { } fe && veto is { } v ? new HooksSpec(f, s, fe, v) : null;
    }

    /// <summary>A sequence of hooks under <paramref name="key"/> (also <c>traffic.hooks</c>); empty when absent, null after an error.</summary>
    public static ImmutableArray<HookSpec>? List(ConfigMapping h, string key, Placeholders placeholders, bool fence = false)
    {
        // "on_failover:" with nothing after it is an empty list, as an absent key is.
        if (h.Optional(key) is not { } node || NodeText.IsNull(node)) return [];
        if (h.Reader.Sequence(node, h.KeyOf(key), "a sequence of hooks, e.g. [ { exec: [cmd, arg] } ]") is not { } sequence) return null;

        var hooks = ImmutableArray.CreateBuilder<HookSpec>();
        for (int i = 0; i < sequence.Children.Count; i++)
            if (Hook(h.Reader, sequence.Children[i], $"{h.KeyOf(key)}[{i}]", placeholders, HookDefaults.Timeout, fence) is { } hook) hooks.Add(hook);
        return hooks.Count == sequence.Children.Count ? hooks.ToImmutable() : null;
    }

    /// <summary>One <c>{exec: [...], timeout}</c> whose arguments may use <paramref name="placeholders"/>; a <paramref name="fence"/> hook also takes <c>required</c>.</summary>
    public static HookSpec? Hook(ConfigReader reader, YamlNode node, string path, Placeholders placeholders, TimeSpan defaultTimeout, bool fence = false)
    {
        if (reader.Mapping(node, path, fence ? FenceHookKeys : HookKeys) is not { } m) return null;
        ImmutableArray<string>? exec = m.Required("exec", Command) is { } e ? Exec(reader, e, m.KeyOf("exec"), placeholders) : null;
        TimeSpan? timeout = m.Optional("timeout") is { } t ? reader.Duration(t, m.KeyOf("timeout"), zeroAllowed: false) : defaultTimeout;
        bool? required = m.Optional("required") is { } r ? reader.Bool(r, m.KeyOf("required")) : true;
        return exec is { } args && timeout is { } limit && required is { } must ? new HookSpec(args, limit, must) : null;
    }

    // A sequence, not a shell line: arguments reach the program as written, so a member name or an epoch
    // filled into a placeholder can never be read as shell syntax.
    private static ImmutableArray<string>? Exec(ConfigReader reader, YamlNode node, string key, Placeholders placeholders)
    {
        if (reader.Sequence(node, key, Command) is not { } sequence) return null;
        if (sequence.Children.Count == 0)
        {
            reader.Error(sequence, key, $"expected {Command}, got an empty sequence");
            return null;
        }
        var args = ImmutableArray.CreateBuilder<string>();
        for (int i = 0; i < sequence.Children.Count; i++)
        {
            string argKey = $"{key}[{i}]";
            if (reader.Scalar(sequence.Children[i], argKey, "a string") is not { } v) continue;
            if (placeholders.Unknown(v.Written) is { } bad)
                reader.Error(sequence.Children[i], argKey, $"unknown placeholder '{bad}' (allowed: {placeholders.Allowed})");
            else args.Add(v.Text);
        }
        return args.Count == sequence.Children.Count ? args.ToImmutable() : null;
    }
}
