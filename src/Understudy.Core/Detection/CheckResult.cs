namespace Understudy.Core.Detection;

/// <summary>Where a result came from: a scheduled probe, or the proxy failing to connect.</summary>
public enum CheckOrigin { Active, Passive }

/// <summary>One observation of one member, timestamped when it ended; PostgreSQL checks add what the server said.</summary>
public sealed record CheckResult(string Member, bool Ok, DateTimeOffset At, TimeSpan Duration, string Detail, CheckOrigin Origin = CheckOrigin.Active, ReplicationView? Replication = null)
{
    /// <summary>
    /// A passive failure that is no evidence against the member: the proxy's connect timed out, which its own
    /// overload (a reconnect storm, a full accept queue) explains as well as a dead member. It only starts confirmation.
    /// </summary>
    public bool OnlySuspicion { get; init; }

    /// <summary>An active check that ended at its timeout without an answer.</summary>
    public bool TimedOut { get; init; }

    public static CheckResult Passed(string member, DateTimeOffset at, TimeSpan duration, string detail = "ok", ReplicationView? pg = null) =>
        new(member, true, at, duration, detail, CheckOrigin.Active, pg);

    public static CheckResult Failed(string member, DateTimeOffset at, TimeSpan duration, string detail) =>
        new(member, false, at, duration, detail);

    /// <summary>A connect the proxy could not make: refused or reset counts toward the fall, a timeout only starts confirmation.</summary>
    public static CheckResult ConnectFailed(string member, DateTimeOffset at, string detail, bool timedOut = false) =>
        new(member, false, at, TimeSpan.Zero, detail, CheckOrigin.Passive) { OnlySuspicion = timedOut };
}
