using System.Text.Json.Serialization;

namespace Understudy.PartitionClient;

/// <summary>One write: acknowledged (Ok) by Server on Timeline, or not, with the error. One JSON line per attempt.</summary>
public sealed record Attempt(string Id, string Client, DateTimeOffset Start, DateTimeOffset End, bool Ok, string? Server, int? Timeline, string? Error)
{
    /// <summary>How <see cref="Error"/> begins for a commit PostgreSQL made on the primary only (its synchronous wait was cancelled).</summary>
    public const string LocalOnly = "committed on the primary only";

    public bool CommittedLocallyOnly => Error?.StartsWith(LocalOnly, StringComparison.Ordinal) == true;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Attempt))]
public sealed partial class AttemptJson : JsonSerializerContext;
