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
        foreach (JsonProperty p in doc.RootElement.EnumerateObject())
        {
            b[p.Name] = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString(),
                JsonValueKind.Number when p.Value.TryGetInt64(out long l) => l,
                JsonValueKind.Number => p.Value.GetDouble(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null => null,
                _ => p.Value.GetRawText(),
            };
        }
        return b.ToImmutable();
    }
}
