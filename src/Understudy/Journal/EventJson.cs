using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Understudy.Core.Journal;

namespace Understudy.Journal;

/// <summary>
/// The stored shape of a typed event (docs/journal.md): one JSON object with <c>v</c> (the schema version),
/// <c>type</c>, the fields every event has (time, service, member, epoch, actor, reason) and the record's own
/// fields in snake_case. Events written before typed events (no <c>v</c>) read as version 1: the field names
/// were the same. A type or version this build does not know reads as an <see cref="UnknownEvent"/>, kept whole.
/// </summary>
public static class EventJson
{
    /// <summary>Fields of every event; the rest are the record's own ("details" in the API).</summary>
    private static readonly string[] Common = ["v", "type", "time", "service", "member", "epoch", "actor"];

    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new NameListConverter() },
    };

    public static string Write(JournalEvent e) => Node(e).ToJsonString(Options);

    /// <summary>The whole object, <c>v</c> first.</summary>
    public static JsonObject Node(JournalEvent e)
    {
        if (e is UnknownEvent unknown) return JsonNode.Parse(unknown.Json)!.AsObject();
        JsonObject typed = JsonSerializer.SerializeToNode(e, Options)!.AsObject();
        var node = new JsonObject { ["v"] = JournalEvent.SchemaVersion };
        foreach (var (key, value) in typed) node[key] = value?.DeepClone();
        return node;
    }

    public static JournalEvent Read(string json, long id = 0) => Read(JsonNode.Parse(json)!.AsObject(), id);

    public static JournalEvent Read(JsonObject node, long id = 0)
    {
        int version = node["v"]?.GetValue<int>() ?? 1;
        if (!node.ContainsKey("v")) Mend(node);
        string type = node["type"]?.GetValue<string>() ?? "";
        if (version > JournalEvent.SchemaVersion || EventCatalog.TypeOf(type) is not { } clr) return Unknown(node, type, version, id);
        var e = (JournalEvent)node.Deserialize(clr, Options)!;
        return e with { Id = id };
    }

    /// <summary>The record's own fields and its reason, for the API's <c>details</c> and alert payloads.</summary>
    public static ImmutableDictionary<string, object?> Details(JournalEvent e)
    {
        var details = ImmutableDictionary.CreateBuilder<string, object?>();
        foreach (var (key, value) in Node(e).Where(p => !Common.Contains(p.Key))) details[key] = Plain(value);
        return details.ToImmutable();
    }

    /// <summary>What a row of the SQLite journal keeps beside its columns: <c>v</c>, the reason and the record's own fields.</summary>
    public static string StoredDetails(JournalEvent e)
    {
        JsonObject node = Node(e);
        foreach (string column in Common.Where(c => c != "v")) node.Remove(column);
        return node.ToJsonString(Options);
    }

    /// <summary>A row of the SQLite journal: its columns and the stored details.</summary>
    public static JournalEvent FromRow(long id, DateTimeOffset time, string service, string? member, long epoch, string type, string actor, string details)
    {
        JsonObject node = JsonNode.Parse(details)!.AsObject();
        AddCommon(node, time, service, member, epoch, type, actor);
        return Read(node, id);
    }

    /// <summary>An event as the API showed it (common fields and details) back as the typed record.</summary>
    public static JournalEvent FromParts(long id, DateTimeOffset time, string service, string? member, long epoch, string type, string actor,
        IEnumerable<KeyValuePair<string, object?>> details)
    {
        var node = new JsonObject();
        foreach (var (key, value) in details) node[key] = value is JsonElement j ? JsonNode.Parse(j.GetRawText()) : JsonSerializer.SerializeToNode(value, Options);
        AddCommon(node, time, service, member, epoch, type, actor);
        return Read(node, id);
    }

    private static void AddCommon(JsonObject node, DateTimeOffset time, string service, string? member, long epoch, string type, string actor)
    {
        node["type"] = type;
        node["time"] = JsonSerializer.SerializeToNode(time, Options);
        node["service"] = service;
        node["member"] = member;
        node["epoch"] = epoch;
        node["actor"] = actor;
    }

    /// <summary>
    /// Rows written before typed events (no <c>v</c>) have today's names, with two shapes to mend: a failed write
    /// of synchronous_standby_names was a sync.changed without standbys, and a re-point named nobody. Lists that
    /// were comma-joined are read by <see cref="NameListConverter"/>.
    /// </summary>
    private static void Mend(JsonObject node)
    {
        string type = node["type"]?.GetValue<string>() ?? "";
        if (type == EventTypes.SyncStandbysChanged && !node.ContainsKey("standbys"))
        {
            node["type"] = EventTypes.SyncStandbysFailed;
            node["retry_after"] = node["time"]?.DeepClone();
        }
        if (type == EventTypes.StandbysRepointed && !node.ContainsKey("standbys")) node["standbys"] = new JsonArray();
    }

    private static UnknownEvent Unknown(JsonObject node, string type, int version, long id)
    {
        T? Field<T>(string name) { try { return node[name] is { } v ? v.Deserialize<T>(Options) : default; } catch (JsonException) { return default; } }
        return new UnknownEvent(type, version, node.ToJsonString())
        {
            Id = id, Time = Field<DateTimeOffset>("time"), Service = Field<string>("service") ?? "", Member = Field<string>("member"),
            Epoch = Field<long>("epoch"), Actor = Field<string>("actor") ?? "", Reason = Field<string>("reason") ?? $"a {type} event of schema {version}, newer than this version reads",
        };
    }

    private static object? Plain(JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonValue v when v.TryGetValue(out long l) => l,
        JsonValue v when v.TryGetValue(out double d) => d,
        JsonValue v when v.TryGetValue(out bool b) => b,
        JsonArray a => a.Select(Plain).ToList(),
        _ => value.ToJsonString(),
    };
}
