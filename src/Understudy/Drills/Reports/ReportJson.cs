using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Understudy.Core.Drills;

namespace Understudy.Drills.Reports;

/// <summary>
/// report.json: the machine-readable report (fields in docs/report-json.md). snake_case names, enums as
/// lowercase text, times ISO 8601 UTC to the millisecond, and a <c>schema_version</c> so readers can tell
/// a format they do not know from a broken file.
/// </summary>
public static class ReportJson
{
    public const int SchemaVersion = 1;

    /// <summary>The conventions of report.json, shared by the other machine-readable reports (the site incident's).</summary>
    internal static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        // Nulls are written, not dropped: "rto_ms": null means "never recovered", which a reader must see.
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // Reading: a missing or null field that the model requires is an error naming its path, not a default.
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        // The file is read by people too: keep ✅, accents and "<" as they are rather than \uXXXX.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false), new UtcMillisecondsConverter() },
    };

    public static string Write(DrillReport report) => JsonSerializer.Serialize(ReportJsonMapping.ToDoc(report), Options) + "\n";

    /// <summary>Parses report.json; every problem is a <see cref="ReportException"/> naming <paramref name="source"/> and where in it.</summary>
    public static DrillReport Read(string json, string source = "report.json")
    {
        CheckSchemaVersion(json, source);
        try
        {
            ReportDoc doc = JsonSerializer.Deserialize<ReportDoc>(json, Options)
                ?? throw new ReportException($"{source}: expected a JSON object, got null");
            return ReportJsonMapping.FromDoc(doc);
        }
        catch (JsonException e)
        {
            string where = e.Path is { } p ? $" at {p}" : "";
            string line = e.LineNumber is { } l ? $" (line {l + 1})" : "";
            throw new ReportException($"{source}: not a valid report{where}{line}: {FirstLine(e.Message)}");
        }
        catch (ReportException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new ReportException($"{source}: {e.Message}");
        }
    }

    /// <summary>
    /// Checked before the full parse so that a report from a newer Understudy says so, instead of failing on
    /// whichever new field the parse happens to meet first.
    /// </summary>
    private static void CheckSchemaVersion(string json, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ReportException($"{source}: expected a JSON object at the top level, got {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            if (!doc.RootElement.TryGetProperty("schema_version", out JsonElement v) || !v.TryGetInt32(out int version))
                throw new ReportException($"{source}: no schema_version: is it an Understudy report.json?");
            if (version > SchemaVersion)
                throw new ReportException($"{source}: schema_version {version} is newer than this Understudy reads ({SchemaVersion}); use a newer understudy");
        }
        catch (JsonException e)
        {
            throw new ReportException($"{source}: not valid JSON at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}: {FirstLine(e.Message)}");
        }
    }

    /// <summary>The serializer's own first line, less the "Path: … | LineNumber: …" tail this class already says better.</summary>
    private static string FirstLine(string message)
    {
        string first = message.Split('\n')[0];
        int tail = first.IndexOf(" Path: ", StringComparison.Ordinal);
        if (tail < 0) tail = first.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        return (tail >= 0 ? first[..tail] : first).Trim();
    }

    /// <summary>Times as 2026-11-22T12:00:05.250Z on write; any ISO 8601 time (an offset is converted to UTC) on read.</summary>
    private sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String && Fmt.TryParseIso(reader.GetString()!, out DateTimeOffset t)) return t;
            throw new JsonException("expected an ISO 8601 UTC time such as 2026-11-22T12:00:05.250Z");
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(Fmt.Iso(value));
    }
}
