using Understudy.Core.Topology;

namespace Understudy.Core.Failover;

/// <summary>An action for the executor. Steps are imperatives and carry the epoch as a fencing token.</summary>
public abstract record Step(long Epoch);

/// <summary>Stop routing to <paramref name="Member"/> and close its open connections.</summary>
public sealed record FenceMember(string Member, long Epoch) : Step(Epoch);

/// <summary>Run a hook list after traffic moved, from <paramref name="FirstHook"/> on; each hook's outcome is journaled by the executor.</summary>
public sealed record RunHooks(HookTrigger Trigger, string OldPrimary, string NewPrimary, long Epoch, int FirstHook = 0) : Step(Epoch);

/// <summary>Run up to <paramref name="Checks"/> active checks back to back, stopping at the first success.</summary>
public sealed record ConfirmMember(string Member, int Checks, long Epoch) : Step(Epoch);

public enum HookTrigger { OnFailover, OnSwitchover }

public static class HookTriggerNames
{
    public static string ConfigKey(this HookTrigger trigger) => trigger switch
    {
        HookTrigger.OnFailover => "on_failover",
        HookTrigger.OnSwitchover => "on_switchover",
        _ => throw new ArgumentOutOfRangeException(nameof(trigger)),
    };

    public static IReadOnlyList<HookSpec> Of(this HooksSpec hooks, HookTrigger trigger) => trigger switch
    {
        HookTrigger.OnFailover => hooks.OnFailover,
        HookTrigger.OnSwitchover => hooks.OnSwitchover,
        _ => throw new ArgumentOutOfRangeException(nameof(trigger)),
    };
}
