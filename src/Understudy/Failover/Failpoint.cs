namespace Understudy.Failover;

/// <summary>
/// A test seam, as etcd's gofail: <c>UNDERSTUDY_FAILPOINT=after-commit:failover.started</c> (or <c>before-commit:TYPE</c>)
/// makes the loop stop for good right after (or right before) committing a decision with an event of that type, so a
/// test can kill the process at exactly that step and watch the next leader resume. Unset, it costs one comparison.
/// </summary>
public sealed record Failpoint(bool AfterCommit, string EventType)
{
    public const string Variable = "UNDERSTUDY_FAILPOINT";

    public static Failpoint? FromEnvironment() => Parse(Environment.GetEnvironmentVariable(Variable));

    public static Failpoint? Parse(string? text) => text?.Split(':', 2) switch
    {
        ["after-commit", var type] => new Failpoint(true, type),
        ["before-commit", var type] => new Failpoint(false, type),
        _ => null,
    };
}
