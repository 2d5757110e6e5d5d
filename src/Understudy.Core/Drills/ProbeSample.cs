namespace Understudy.Core.Drills;

/// <summary>Why an attempt failed, as reports count them.</summary>
public enum ErrorKind { None, Refused, Reset, Timeout, HttpStatus, Overload, Other }

/// <summary>One client attempt: when it started and ended, whether it succeeded, and who answered.</summary>
/// <param name="Address">The IP address the attempt connected or tried to connect to, when the probe looked its name up
/// itself (a tcp probe with a resolver); null otherwise, and when the lookup found no address.</param>
public sealed record ProbeSample(long Seq, DateTimeOffset Start, DateTimeOffset End, bool Ok, ErrorKind Error, string? AnsweredBy = null, string? Detail = null,
    string? Address = null)
{
    public TimeSpan Latency => End - Start;
}
