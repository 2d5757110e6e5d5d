using System.Text.Json.Serialization;

namespace Understudy.PartitionClient;

/// <summary>One write: acknowledged (Ok) by Server on Timeline, or not, with the error. One JSON line per attempt.</summary>
public sealed record Attempt(string Id, string Client, DateTimeOffset Start, DateTimeOffset End, bool Ok, string? Server, int? Timeline, string? Error);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Attempt))]
public sealed partial class AttemptJson : JsonSerializerContext;
