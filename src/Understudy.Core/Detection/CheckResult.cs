namespace Understudy.Core.Detection;

/// <summary>Where a result came from: a scheduled probe, or the proxy failing to connect.</summary>
public enum CheckOrigin { Active, Passive }

/// <summary>One observation of one member, timestamped when it ended; PostgreSQL checks add what the server said.</summary>
public sealed record CheckResult(string Member, bool Ok, DateTimeOffset At, TimeSpan Duration, string Detail, CheckOrigin Origin = CheckOrigin.Active, PgObservation? Pg = null)
{
    public static CheckResult Passed(string member, DateTimeOffset at, TimeSpan duration, string detail = "ok", PgObservation? pg = null) =>
        new(member, true, at, duration, detail, CheckOrigin.Active, pg);

    public static CheckResult Failed(string member, DateTimeOffset at, TimeSpan duration, string detail) =>
        new(member, false, at, duration, detail);

    /// <summary>A connect the proxy could not make.</summary>
    public static CheckResult ConnectFailed(string member, DateTimeOffset at, string detail) =>
        new(member, false, at, TimeSpan.Zero, detail, CheckOrigin.Passive);
}
