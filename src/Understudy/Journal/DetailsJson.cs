using System.Collections.Immutable;
using System.Text.Json;

namespace Understudy.Journal;

/// <summary>Event details as a flat JSON object of text, numbers and booleans.</summary>
internal static class DetailsJson
{
    public static string Write(IReadOnlyDictionary<string, object?> details) => JsonSerializer.Serialize(details);

    public static ImmutableDictionary<string, object?> Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var b = ImmutableDictionary.CreateBuilder<string, object?>();
        foreach (JsonProperty p in doc.RootElement.EnumerateObject()) b[p.Name] = Value(p.Value);
        return b.ToImmutable();
    }

    /// <summary>One detail as the journal holds it; also turns the API's JSON details back into journal values.</summary>
    public static object? Value(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number when v.TryGetInt64(out long l) => l,
        JsonValueKind.Number => v.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => v.GetRawText(),
    };
}
