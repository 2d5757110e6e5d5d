using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Serialization;

namespace Understudy.Core.Journal;

/// <summary>The names of the typed events, read once from <see cref="JournalEvent"/>'s list of derived types.</summary>
public static class EventCatalog
{
    private static readonly FrozenDictionary<Type, string> Names = typeof(JournalEvent)
        .GetCustomAttributes<JsonDerivedTypeAttribute>()
        .ToFrozenDictionary(a => a.DerivedType, a => (string)a.TypeDiscriminator!);

    private static readonly FrozenDictionary<string, Type> Types = Names.ToFrozenDictionary(p => p.Value, p => p.Key);

    public static string NameOf(Type type) => Names.TryGetValue(type, out string? name) ? name
        : type == typeof(UnknownEvent) ? "unknown" : throw new InvalidOperationException($"{type.Name} is not listed on JournalEvent");

    /// <summary>The record type of a stored name, or null for a name this version does not know.</summary>
    public static Type? TypeOf(string name) => Types.GetValueOrDefault(name);

    public static IEnumerable<string> AllNames => Types.Keys;
}
