using Understudy.Core.Failover;

namespace Understudy.Traffic.Switches;

/// <summary>What one switch did: a sentence for the journal either way.</summary>
public readonly record struct SwitchOutcome(bool Ok, string Detail)
{
    public static SwitchOutcome Done(string detail) => new(true, detail);

    public static SwitchOutcome Failed(string detail) => new(false, detail);
}

/// <summary>
/// One place traffic is switched besides the built-in proxy (an HAProxy instance, a DNS record, a command). The
/// <see cref="TrafficSwitchboard"/> runs each within <see cref="Timeout"/> (the token is cancelled then) and journals its
/// outcome. Every operation is idempotent and only ever points traffic at the primary of the step's epoch.
/// </summary>
public interface ITrafficSwitch
{
    /// <summary>How journal reasons name it, e.g. <c>HAProxy 127.0.0.1:9999 backend pg</c>.</summary>
    string Name { get; }

    TimeSpan Timeout { get; }

    /// <summary>Whether <see cref="FenceAsync"/> stops traffic to a member (HAProxy: maint); DNS and commands cannot.</summary>
    bool CanFence { get; }

    /// <summary>Stop sending traffic to <paramref name="member"/> and end its sessions; called only when <see cref="CanFence"/>.</summary>
    Task<SwitchOutcome> FenceAsync(string member, long epoch, CancellationToken cancel);

    /// <summary>Send traffic to <see cref="SwitchTraffic.To"/> (and away from every other member).</summary>
    Task<SwitchOutcome> SwitchAsync(SwitchTraffic step, CancellationToken cancel);
}
