using System.Globalization;
using System.Text.Json;

namespace Understudy.Drills.Import;

/// <summary>Lenient reads of an experiment's fields: a field of the wrong type reads as missing, and the caller says why that matters.</summary>
internal static class JsonFields
{
    public static JsonElement? Field(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static string? Text(this JsonElement element, string name) =>
        element.Field(name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    public static JsonElement? Object(this JsonElement element, string name) =>
        element.Field(name) is { ValueKind: JsonValueKind.Object } v ? v : null;

    public static IEnumerable<(JsonElement Item, int Index)> Items(this JsonElement element, string name) =>
        element.Field(name) is { ValueKind: JsonValueKind.Array } v ? v.EnumerateArray().Select((item, i) => (item, i)) : [];

    /// <summary>A scalar as Python's str() would pass it to a process: True/False for booleans, numbers as written.</summary>
    public static string? Scalar(this JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        _ => null,
    };

    /// <summary>A number of seconds, as Chaos Toolkit writes timeouts and pauses.</summary>
    public static double? Seconds(this JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double s) ? s
        : value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double t) ? t
        : null;
}
