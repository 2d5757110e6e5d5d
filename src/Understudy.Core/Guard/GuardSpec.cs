using System.Collections.Immutable;
using Understudy.Core.Topology;

namespace Understudy.Core.Guard;

/// <summary>
/// One member's guard (<c>understudy guard -c guard.yaml</c>), validated: which member it fences, the etcd it holds
/// its lease in, and how it stops its member — PostgreSQL's <c>pg_ctl</c>, or a command (http/tcp); exactly one.
/// </summary>
/// <param name="Lease">Cut off from etcd and from a majority of the instances for this long, the guard fences its member.</param>
/// <param name="LiftSelf">Run when the fence is lifted after <see cref="FenceSelf"/>; empty: the member is brought back by hand.</param>
public sealed record GuardSpec(string Member, string Service, CoordinationSpec Coordination, TimeSpan Lease, GuardPostgresSpec? Postgres,
    ImmutableArray<string> FenceSelf, ImmutableArray<string> LiftSelf);

/// <param name="DataDir">The member's data directory on this host.</param>
/// <param name="BinDir">Where pg_ctl is.</param>
/// <param name="User">The operating-system user PostgreSQL runs as (the guard switches to it when run as root).</param>
public sealed record GuardPostgresSpec(string DataDir, string BinDir, string User);

public static class GuardDefaults
{
    public const string BinDir = "/usr/lib/postgresql/15/bin";

    public const string User = "postgres";

    /// <summary>A fast shutdown that has not finished by then is followed by an immediate one.</summary>
    public static readonly TimeSpan FastStop = TimeSpan.FromSeconds(5);

    /// <summary>How long fence_self, lift_self and pg_ctl start may take.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How often the instances are listed and probed.</summary>
    public static readonly TimeSpan ProbeEvery = TimeSpan.FromSeconds(1);

    /// <summary>How often the guard decides; well below the lease, so fencing follows it closely.</summary>
    public static readonly TimeSpan DecideEvery = TimeSpan.FromMilliseconds(100);

    /// <summary>After a fence or a lift failed, the next attempt waits this long.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
}
