using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Understudy.Journal;

/// <summary>A list of member or person names: written as a JSON array, read from one or from the comma-joined text journals held before typed events.</summary>
internal sealed class NameListConverter : JsonConverter<ImmutableArray<string>>
{
    public override ImmutableArray<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
            return [.. (reader.GetString() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        if (reader.TokenType == JsonTokenType.Null) return [];
        return [.. JsonSerializer.Deserialize<string[]>(ref reader, options) ?? []];
    }

    public override void Write(Utf8JsonWriter writer, ImmutableArray<string> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (string name in value.IsDefault ? [] : value) writer.WriteStringValue(name);
        writer.WriteEndArray();
    }
}
