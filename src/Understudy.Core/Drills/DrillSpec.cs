using System.Collections.Immutable;
using Understudy.Core.Topology;

namespace Understudy.Core.Drills;

public enum DrillEnvironment { Staging, Production }

/// <summary>A validated drill file with every default filled in; built only by the drill loader or tests.</summary>
/// <param name="Service">Links the report to this service in the controller's journal.</param>
/// <param name="Controller">Base URL of the controller's API, e.g. http://127.0.0.1:7400.</param>
public sealed record DrillSpec(
    string Name,
    string? Description,
    DrillEnvironment Environment,
    string? Service,
    Uri? Controller,
    DrillTargets Targets,
    ImmutableArray<ProbeSpec> Probes,
    SteadyStateSpec SteadyState,
    ImmutableArray<DrillStep> Faults,
    RecoverySpec Recovery,
    ImmutableArray<DrillStep> Verify,
    ImmutableArray<DrillStep> Rollback,
    StopConditions StopConditions,
    string SourceText,
    string SourcePath)
{
    /// <summary>The <c>load</c> section: traffic run beside the probes, reported per window; none by default.</summary>
    public ImmutableArray<LoadSpec> Load { get; init; } = [];
}

/// <summary>What the drill is judged against. Null: no criterion of that kind (unless the linked service sets one).</summary>
/// <param name="RtoTolerance">Fraction above <see cref="Rto"/> still passing (0.2 = 20 %).</param>
public sealed record DrillTargets(TimeSpan? Rto, TimeSpan? Recovery, RpoTarget? Rpo, double? AvailabilityPct, double RtoTolerance)
{
    public const double DefaultRtoTolerance = 0.2;
    public static readonly DrillTargets None = new(null, null, null, null, DefaultRtoTolerance);
}

public enum ProbeKind { Http, Tcp, HttpWrite, SqlWrite, RedisWrite, Redis, Sql }

/// <summary>
/// A client the drill imitates. <see cref="Target"/> is a URL for http/http_write, host:port for tcp and
/// an Npgsql connection string for sql_write (with <see cref="Table"/>), host:port for redis_write and redis
/// (with <see cref="Redis"/>); <see cref="ReadUrl"/> is where an http_write probe reads its writes back
/// (default: <see cref="Target"/>). A tcp probe with a <see cref="Resolver"/> looks its host name up through that DNS
/// resolver on every attempt, as a client behind a caching resolver would.
/// </summary>
public sealed record ProbeSpec(
    string Name,
    ProbeKind Kind,
    string Target,
    TimeSpan Interval,
    TimeSpan Timeout,
    int ExpectStatus = 200,
    bool KeepAlive = false,
    string? ReadUrl = null,
    int MaxInFlight = ProbeDefaults.MaxInFlight,
    string? Table = null,
    RedisProbeSpec? Redis = null,
    HostPort? Resolver = null,
    string? Query = null)
{
    /// <summary>The target as reports show it: a connection string without its password; a Redis probe's read-back address when it has its own.</summary>
    public string Shown => Kind switch
    {
        ProbeKind.SqlWrite => WithoutPassword + (Table is null ? "" : $" table {Table}"),
        ProbeKind.Sql => $"{WithoutPassword} query {Query}",
        ProbeKind.RedisWrite when Redis?.VerifyAddress is { } verify => $"{Target} (read back on {verify})",
        ProbeKind.Tcp when Resolver is { } resolver => $"{Target} (resolved through {resolver})",
        _ => Target,
    };

    private string WithoutPassword => string.Join(';', Target.Split(';').Where(part => part.Split('=', 2)[0].Trim().ToLowerInvariant() is not ("password" or "pwd")));
}

public enum RedisReadCommand { Ping, Get }

/// <summary>
/// What only the Redis probes have. <see cref="Password"/> is AUTH's (never shown); <see cref="KeyPrefix"/> starts
/// each key a redis_write probe sets (<c>prefix:run:seq</c>); <see cref="VerifyAddress"/> (with its own
/// <see cref="VerifyPassword"/>, default <see cref="Password"/>) is where it reads them back, default the probe's
/// address; <see cref="Command"/> is what a redis probe sends.
/// </summary>
public sealed record RedisProbeSpec(
    string? Password = null,
    string KeyPrefix = RedisProbeSpec.DefaultKeyPrefix,
    string? VerifyAddress = null,
    string? VerifyPassword = null,
    RedisReadCommand Command = RedisReadCommand.Ping)
{
    public const string DefaultKeyPrefix = "understudy:probe";

    /// <summary>The key a redis probe GETs: fixed, never written by Understudy, so a missing key (nil) is the usual reply.</summary>
    public const string ReadKey = "understudy:probe:read";

    public static readonly RedisProbeSpec Default = new();
}

public static class ProbeDefaults
{
    public const int MaxInFlight = 100;
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(10);
}

/// <param name="MaxErrorRate">Fraction of failed attempts tolerated before the fault (0 = none).</param>
public sealed record SteadyStateSpec(TimeSpan Duration, double MaxErrorRate)
{
    public static readonly SteadyStateSpec Default = new(TimeSpan.FromSeconds(5), 0);
}

/// <param name="StableFor">Unbroken successes on every probe that count as recovered.</param>
public sealed record RecoverySpec(TimeSpan Timeout, TimeSpan StableFor)
{
    public static readonly RecoverySpec Default = new(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(3));
}

/// <summary>What aborts a drill early (then it rolls back). Null: not watched.</summary>
/// <param name="MaxOutage">Abort when any probe has failed without a break for this long.</param>
/// <param name="MaxErrorRate">Abort when a probe's share of failed attempts over a sliding window is above the rate.</param>
/// <param name="MaxP99">Abort when a probe's p99 latency of successful attempts over a sliding window is above the limit.</param>
/// <param name="Command">Abort when a check command, run again and again, exits non-zero or times out.</param>
public sealed record StopConditions(TimeSpan? MaxOutage, ErrorRateStop? MaxErrorRate = null, LatencyStop? MaxP99 = null, CommandStop? Command = null)
{
    public static readonly StopConditions None = new((TimeSpan?)null);
}

/// <param name="Rate">Fraction of failed attempts (0.5 = 50 %); the drill aborts above it.</param>
public sealed record ErrorRateStop(double Rate, TimeSpan Window);

public sealed record LatencyStop(TimeSpan P99, TimeSpan Window);

/// <param name="Interval">Pause between the end of one run and the start of the next (runs never overlap).</param>
public sealed record CommandStop(ImmutableArray<string> Command, TimeSpan Interval, TimeSpan Timeout)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);
}

/// <summary>One step of a drill's faults, verify or rollback list. Steps are imperatives.</summary>
public abstract record DrillStep
{
    /// <summary>How a report names it, e.g. "kill_process web-a (SIGKILL)".</summary>
    public abstract string Describe();
}

public enum ProcessTarget { Pid, PidFile, Member }

/// <summary>Send a signal to a process named by pid, pidfile, or a controller member (its configured pidfile).</summary>
public sealed record KillProcess(ProcessTarget By, string Value, string Signal = "KILL") : DrillStep
{
    public override string Describe() => $"kill_process {By.ToString().ToLowerInvariant()} {Value} (SIG{Signal})";
}

/// <summary>Run any command; a non-zero exit or the timeout fails the step.</summary>
public sealed record ExecStep(ImmutableArray<string> Command, TimeSpan Timeout) : DrillStep
{
    public override string Describe() => $"exec {string.Join(' ', Command)}";
}

public enum ProxyFaultKind { Blackhole, Latency, Reset }

/// <summary>Ask the controller's built-in proxy to misbehave toward one member for a while.</summary>
public sealed record ProxyFault(string Member, ProxyFaultKind Kind, TimeSpan Duration, TimeSpan Latency = default, TimeSpan Jitter = default) : DrillStep
{
    public override string Describe() => Kind == ProxyFaultKind.Latency
        ? $"proxy latency {Latency.TotalMilliseconds:0} ms ± {Jitter.TotalMilliseconds:0} ms to {Member} for {Duration.TotalSeconds:0.###} s"
        : $"proxy {Kind.ToString().ToLowerInvariant()} {Member} for {Duration.TotalSeconds:0.###} s";
}

public sealed record WaitStep(TimeSpan Duration) : DrillStep
{
    public override string Describe() => $"wait {Duration.TotalSeconds:0.###} s";
}

/// <summary>A step a person does; the drill waits for them to confirm. Its presence fails the verdict (manual step needed).</summary>
public sealed record ManualStep(string Instruction, TimeSpan Timeout) : DrillStep
{
    public override string Describe() => $"manual: {Instruction}";
}

/// <summary>Verify: an <c>alert.raised</c> event (or a delivery) in the controller's journal within the window after the fault.</summary>
public sealed record AlertReceived(TimeSpan Within) : DrillStep
{
    public override string Describe() => $"alert_received within {Within.TotalSeconds:0.###} s";
}

/// <summary>Verify: an HTTP GET answers <paramref name="ExpectStatus"/> (and contains the body text, if set).</summary>
public sealed record HttpCheckStep(string Url, int ExpectStatus, string? ExpectBody, TimeSpan Timeout) : DrillStep
{
    public override string Describe() => $"http GET {Url} expects {ExpectStatus}" + (ExpectBody is null ? "" : $" with '{ExpectBody}'");
}
