using System.Collections.Immutable;

namespace Understudy.Core.Topology;

public enum ServiceKind { Http, Tcp, Postgres, Redis }

/// <summary>Redis: whether an old primary fenced as a replica becomes a candidate again by itself, or only by <c>understudy rejoin</c>.</summary>
public enum RejoinMode { Manual, Auto }

public enum FailoverMode { Automatic, Manual }

/// <summary>One instance of a service, validated.</summary>
/// <param name="NoFailover">Never promoted (PostgreSQL: e.g. a reporting replica).</param>
/// <param name="DataDir">PostgreSQL data directory on this machine, for the built-in rejoin.</param>
public sealed record MemberSpec(string Name, HostPort Address, int Priority = 0, string? PidFile = null, bool NoFailover = false, string? DataDir = null, string? Site = null);

/// <summary>How a member is probed. <see cref="Timeout"/> is always below <see cref="Interval"/>.</summary>
public sealed record CheckSpec(
    TimeSpan Interval,
    TimeSpan Timeout,
    int Fall,
    int Rise,
    string Path = CheckDefaults.HttpPath,
    int ExpectStatus = CheckDefaults.ExpectStatus,
    string? ExpectBody = null);

/// <param name="MaxLagBytes">A replicated standby further behind than this is never promoted (rule 3).</param>
/// <param name="Synchronous">PostgreSQL: keep synchronous_standby_names naming healthy standbys; promote only a synchronous one.</param>
/// <param name="SynchronousStrict">With no synchronous standby left, block writes instead of clearing the setting.</param>
/// <param name="Approvals">Distinct approvers, other than the requester, an operator's switchover or failover needs (rule 6).</param>
/// <param name="ApprovalTimeout">A request not approved within this expires.</param>
/// <param name="Quorum">Several controllers: instances that must see the primary down; null is a majority of those registered.</param>
/// <param name="Rejoin">Redis: an old primary, once it replicates from the new one, is a candidate again by itself (auto) or after a rejoin (manual).</param>
public sealed record FailoverSpec(FailoverMode Mode, TimeSpan Cooldown, long MaxLagBytes = FailoverDefaults.MaxLagBytes, bool Synchronous = false, bool SynchronousStrict = false,
    int Approvals = 0, TimeSpan? ApprovalTimeout = null, int? Quorum = null, RejoinMode Rejoin = RejoinMode.Manual)
{
    public TimeSpan ApprovalWindow => ApprovalTimeout ?? FailoverDefaults.ApprovalTimeout;
}

/// <summary>The built-in TCP proxy of a service. <see cref="Hold"/> of zero turns holding off.</summary>
/// <param name="DrainTimeout">In a planned switchover, how long open connections to the old primary get to close by themselves.</param>
public sealed record ProxySpec(HostPort Listen, TimeSpan Hold, TimeSpan? DrainTimeout = null)
{
    /// <summary>
    /// Connections accepted during the drain are held, and a held connection is closed when <see cref="Hold"/>
    /// runs out: by default the drain takes at most half the hold, so they are still waiting at the switch.
    /// </summary>
    public TimeSpan Drain => DrainTimeout ?? (Hold > TimeSpan.Zero && Hold / 2 < ProxyDefaults.DrainTimeout ? Hold / 2 : ProxyDefaults.DrainTimeout);
}

/// <summary>Where a Sentinel-aware client is sent: the service's built-in proxy, or the routable member itself.</summary>
public enum SentinelAnswer { Proxy, Member }

/// <summary>
/// A listener that speaks enough of the Redis Sentinel protocol for Sentinel-aware clients to find the primary
/// (<c>SENTINEL get-master-addr-by-name</c>) and follow a failover (<c>+switch-master</c>).
/// </summary>
/// <param name="Name">The master name clients ask for; the service's name unless the file says otherwise.</param>
/// <param name="Answer">Proxy: clients are sent to the proxy's listen address; member: to the routable member's address.</param>
public sealed record SentinelSpec(HostPort Listen, string Name, SentinelAnswer Answer);

/// <summary>A command run with placeholders filled in, killed after <see cref="Timeout"/>.</summary>
/// <param name="Required">Fence hooks only: when it fails the old primary is not known to be fenced, so the failover stops before promotion.</param>
public sealed record HookSpec(ImmutableArray<string> Exec, TimeSpan Timeout, bool Required = true);

/// <param name="Fence">Run while fencing the old primary, before promotion (e.g. stop it, or a cloud CLI); the failover waits for them.</param>
/// <param name="Veto">Asked before a failover or switchover starts; one that exits non-zero refuses it, its output the reason.</param>
public sealed record HooksSpec(ImmutableArray<HookSpec> OnFailover, ImmutableArray<HookSpec> OnSwitchover, ImmutableArray<HookSpec> Fence, ImmutableArray<HookSpec> Veto = default)
{
    public static readonly HooksSpec None = new([], [], []);

    public ImmutableArray<HookSpec> VetoHooks => Veto.IsDefault ? [] : Veto;
}

/// <summary>How Understudy connects to a PostgreSQL service's members (checks, promotion, re-pointing).</summary>
/// <param name="Password">Already resolved from <c>${ENV}</c> or <c>file:PATH</c>; null with trust or peer auth. Never logged.</param>
/// <param name="Rejoin">The command that turns an old primary into a standby; null: the built-in one for local data_dir.</param>
public sealed record PostgresSpec(string User, string? Password, string Database, HookSpec? Rejoin = null)
{
    public override string ToString() => $"PostgresSpec {{ User = {User}, Database = {Database}, Password = {(Password is null ? "none" : "***")} }}";
}

/// <summary>How Understudy connects to a Redis service's members (checks, promotion, re-pointing replicas).</summary>
/// <param name="Password">Already resolved from <c>${ENV}</c> or <c>file:PATH</c>; null without AUTH. Never logged.</param>
/// <param name="User">An ACL user (Redis 6+); null is the default user.</param>
/// <param name="Tls">Connect with TLS.</param>
/// <param name="TlsCa">With TLS: a PEM file of the CA the servers' certificates chain to; null trusts the system's store.</param>
public sealed record RedisSpec(string? Password = null, string? User = null, bool Tls = false, string? TlsCa = null)
{
    public static readonly RedisSpec Default = new();

    public override string ToString() => $"RedisSpec {{ User = {User ?? "default"}, Tls = {Tls}, Password = {(Password is null ? "none" : "***")} }}";
}

/// <summary>
/// When planned switchovers of a service may run (<c>services.S.maintenance</c>): from each occurrence of
/// <paramref name="Cron"/> (5 fields, or 6 with seconds first) in <paramref name="TimeZone"/> (an IANA name), for
/// <paramref name="Duration"/>. It only schedules switchovers; automatic failover is never paused by it.
/// </summary>
public sealed record MaintenanceSpec(string Cron, TimeSpan Duration, string TimeZone = "UTC");

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
    TargetsSpec Targets,
    PostgresSpec? Postgres = null,
    ImmutableArray<AlertChannelSpec> Alerts = default,
    RedisSpec? Redis = null,
    MaintenanceSpec? Maintenance = null,
    SentinelSpec? Sentinel = null,
    TrafficSwitchesSpec? Switches = null)
{
    /// <summary>traffic.haproxy, traffic.dns and traffic.hooks; none when the service has only the built-in proxy.</summary>
    public TrafficSwitchesSpec TrafficSwitches => Switches ?? TrafficSwitchesSpec.None;

    /// <summary>PostgreSQL and Redis: the servers replicate, report their own role, and a standby is promoted.</summary>
    public bool IsReplicated => Kind is ServiceKind.Postgres or ServiceKind.Redis;

    /// <summary>This service's own channels (<c>services.S.alerts</c>); the global ones come on top.</summary>
    public ImmutableArray<AlertChannelSpec> AlertChannels => Alerts.IsDefault ? [] : Alerts;

    public MemberSpec Member(string name) =>
        Members.FirstOrDefault(m => m.Name == name) ?? throw new ArgumentException($"{Name} has no member '{name}'", nameof(name));

    /// <summary>Position in config, used as the last tie-breaker between candidates.</summary>
    public int ConfigOrder(string member) => Members.IndexOf(Member(member));
}

public enum ApiRole { Viewer, Operator, Approver, Admin }

/// <summary>One API token. Only its SHA-256 is kept: the token itself is never held after loading, nor logged.</summary>
public sealed record ApiToken(string Name, ApiRole Role, ImmutableArray<byte> Sha256)
{
    public override string ToString() => $"ApiToken {{ Name = {Name}, Role = {Role} }}";
}

/// <param name="Tokens">Empty: the API asks for no token (it must then listen on loopback only).</param>
/// <param name="DrillsDir">Where drill report folders are listed from; the config loader resolves it against the config's folder.</param>
/// <param name="Name">This instance's name, unique in its cluster; the config loader defaults it to the host name.</param>
/// <param name="Coordination">Null: this instance is alone and decides by itself.</param>
/// <param name="Tls">Null: the API speaks plain HTTP (tokens then only on loopback, unless <paramref name="AllowInsecureHttp"/>).</param>
/// <param name="AllowInsecureHttp">The operator accepts tokens in clear text on a non-loopback address (a TLS-terminating proxy in front).</param>
public sealed record ControllerSpec(HostPort Api, string Journal, ImmutableArray<ApiToken> Tokens = default, string DrillsDir = ControllerDefaults.DrillsDir,
    string Name = ControllerDefaults.Name, CoordinationSpec? Coordination = null, ApiTlsSpec? Tls = null, bool AllowInsecureHttp = false)
{
    public ImmutableArray<ApiToken> AuthTokens => Tokens.IsDefault ? [] : Tokens;

    /// <summary>How a client on this machine reaches the API: <c>https://</c> with TLS.</summary>
    public Uri ApiUrl => new($"{(Tls is null ? "http" : "https")}://{Api}/");
}

/// <summary>The API's TLS: absolute paths of PEM files, each read and checked when the config was loaded.</summary>
/// <param name="Cert">The API's certificate, optionally followed by its chain.</param>
/// <param name="Key">The certificate's private key, not encrypted.</param>
/// <param name="Ca">The CA that signed the API certificates of this cluster's instances: what its peers and the CLI trust besides <paramref name="Cert"/> itself.</param>
public sealed record ApiTlsSpec(string Cert, string Key, string? Ca = null);

/// <summary>A whole validated <c>understudy.yaml</c>.</summary>
/// <param name="Alerts">The global channels (top-level <c>alerts</c>), for every service.</param>
/// <param name="Sites">Top-level <c>sites</c>: the services a site failover moves, in dependency order.</param>
/// <param name="Drills">Top-level <c>drills</c>: the drills the controller runs on a schedule.</param>
public sealed record UnderstudySpec(ControllerSpec Controller, ImmutableArray<ServiceSpec> Services, ImmutableArray<AlertChannelSpec> Alerts = default,
    ImmutableArray<SiteSpec> Sites = default, ImmutableArray<DrillScheduleSpec> Drills = default)
{
    public ImmutableArray<DrillScheduleSpec> DrillSchedules => Drills.IsDefault ? [] : Drills;

    public ImmutableArray<AlertChannelSpec> AlertChannels => Alerts.IsDefault ? [] : Alerts;

    public ImmutableArray<SiteSpec> SiteList => Sites.IsDefault ? [] : Sites;

    public SiteSpec? Site(string name) => SiteList.FirstOrDefault(s => s.Name == name);

    public ServiceSpec? Service(string name) => Services.FirstOrDefault(s => s.Name == name);
}

/// <summary>
/// A site (a region, a data centre): the services a site failover moves off it, in dependency order (database first).
/// <paramref name="Approvals"/> null: the largest <c>failover.approvals</c> of its services.
/// </summary>
public sealed record SiteSpec(string Name, ImmutableArray<string> Services, int? Approvals = null)
{
    /// <summary>The probe that verifies each service after it moved, for the services that have one.</summary>
    public ImmutableDictionary<string, Understudy.Core.Sites.SiteVerifySpec> Verify { get; init; } = ImmutableDictionary<string, Understudy.Core.Sites.SiteVerifySpec>.Empty;

    public int ApprovalsNeeded(IEnumerable<ServiceSpec> services) =>
        Approvals ?? services.Where(s => Services.Contains(s.Name)).Select(s => s.Failover.Approvals).DefaultIfEmpty(0).Max();
}
