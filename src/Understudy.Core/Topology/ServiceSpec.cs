using System.Collections.Immutable;

namespace Understudy.Core.Topology;

public enum ServiceKind { Http, Tcp }

public enum FailoverMode { Automatic, Manual }

/// <summary>One instance of a service, validated.</summary>
public sealed record MemberSpec(string Name, HostPort Address, int Priority = 0, string? PidFile = null);

/// <summary>How a member is probed. <see cref="Timeout"/> is always below <see cref="Interval"/>.</summary>
public sealed record CheckSpec(
    TimeSpan Interval,
    TimeSpan Timeout,
    int Fall,
    int Rise,
    string Path = CheckDefaults.HttpPath,
    int ExpectStatus = CheckDefaults.ExpectStatus,
    string? ExpectBody = null);

public sealed record FailoverSpec(FailoverMode Mode, TimeSpan Cooldown);

/// <summary>The built-in TCP proxy of a service. <see cref="Hold"/> of zero turns holding off.</summary>
public sealed record ProxySpec(HostPort Listen, TimeSpan Hold);

/// <summary>A command run with placeholders filled in, killed after <see cref="Timeout"/>.</summary>
public sealed record HookSpec(ImmutableArray<string> Exec, TimeSpan Timeout);

public sealed record HooksSpec(ImmutableArray<HookSpec> OnFailover, ImmutableArray<HookSpec> OnSwitchover)
{
    public static readonly HooksSpec None = new([], []);
}

/// <summary>RPO target: a count of acknowledged writes lost, or the time window they may span.</summary>
public sealed record RpoTarget(int? Writes, TimeSpan? Window);

public sealed record TargetsSpec(TimeSpan? Rto, TimeSpan? Recovery, RpoTarget? Rpo)
{
    public static readonly TargetsSpec None = new(null, null, null);
}

/// <summary>A service with every default filled in; built only by the config validator or tests.</summary>
public sealed record ServiceSpec(
    string Name,
    ServiceKind Kind,
    ImmutableArray<MemberSpec> Members,
    string Primary,
    CheckSpec Check,
    FailoverSpec Failover,
    ProxySpec? Proxy,
    HooksSpec Hooks,
    TargetsSpec Targets)
{
    public MemberSpec Member(string name) =>
        Members.FirstOrDefault(m => m.Name == name) ?? throw new ArgumentException($"{Name} has no member '{name}'", nameof(name));

    /// <summary>Position in config, used as the last tie-breaker between candidates.</summary>
    public int ConfigOrder(string member) => Members.IndexOf(Member(member));
}

public sealed record ControllerSpec(HostPort Api, string Journal);

/// <summary>A whole validated <c>understudy.yaml</c>.</summary>
public sealed record UnderstudySpec(ControllerSpec Controller, ImmutableArray<ServiceSpec> Services)
{
    public ServiceSpec? Service(string name) => Services.FirstOrDefault(s => s.Name == name);
}
