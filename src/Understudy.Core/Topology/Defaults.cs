namespace Understudy.Core.Topology;

/// <summary>Check defaults, as in DESIGN.md "Settled details".</summary>
public static class CheckDefaults
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    public const int Fall = 3;
    public const int Rise = 2;
    public const string HttpPath = "/health";
    public const int ExpectStatus = 200;

    /// <summary>Half the interval, so a check always ends before the next one is due.</summary>
    public static TimeSpan TimeoutFor(TimeSpan interval) => interval / 2;
}

public static class FailoverDefaults
{
    public static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(30);

    /// <summary>1 MiB, as Patroni's maximum_lag_on_failover defaults to.</summary>
    public const long MaxLagBytes = 1024 * 1024;

    public static readonly TimeSpan ApprovalTimeout = TimeSpan.FromMinutes(15);
}

public static class PostgresDefaults
{
    public const string User = "postgres";
    public const string Database = "postgres";
    public static readonly TimeSpan PromoteTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A switchover's target gets this long to replay past the stopped primary's shutdown checkpoint; then the switchover is called off.</summary>
    public static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A rejoin may run pg_rewind or a whole pg_basebackup, so it gets longer than a hook.</summary>
    public static readonly TimeSpan RejoinTimeout = TimeSpan.FromMinutes(2);
}

public static class ProxyDefaults
{
    /// <summary>How long a new client connection may wait for a routable primary.</summary>
    public static readonly TimeSpan Hold = TimeSpan.FromSeconds(5);

    /// <summary>How long a planned switchover lets open connections to the old primary finish (below <see cref="Hold"/>, see ProxySpec.Drain).</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Redis synchronous mode: how long the WAIT after a batch of writes gives a replica to confirm it.</summary>
    public static readonly TimeSpan RedisWaitTimeout = TimeSpan.FromSeconds(1);
}

public static class ScheduleDefaults
{
    /// <summary>A switchover requested <c>--at</c> a time runs then, or, if no controller could at that instant, until this long after.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(15);
}

public static class HookDefaults
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
}

public static class ControllerDefaults
{
    public static readonly HostPort Api = new("127.0.0.1", 7400);
    public const string Journal = "understudy.db";
    public const string DrillsDir = "artifacts/failover-tests";

    /// <summary>Only for specs built without the config loader (tests); the loader uses the host name.</summary>
    public const string Name = "understudy";
}
