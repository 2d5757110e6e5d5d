namespace Understudy.Core.Drills;

/// <summary>Why an attempt failed, as reports count them.</summary>
public enum ErrorKind { None, Refused, Reset, Timeout, HttpStatus, Overload, Other }

/// <summary>One client attempt: when it started and ended, whether it succeeded, and who answered.</summary>
public sealed record ProbeSample(long Seq, DateTimeOffset Start, DateTimeOffset End, bool Ok, ErrorKind Error, string? AnsweredBy = null, string? Detail = null)
{
    public TimeSpan Latency => End - Start;
}
