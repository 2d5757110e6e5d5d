using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Understudy.Config;

/// <summary>
/// A validated config part as canonical JSON, to tell whether two loads of it are alike: records compare their
/// ImmutableArray fields by reference, and System.Text.Json writes a value of an abstract type (an alert channel)
/// only with its base type's fields unless told of the derived ones, which this does for every abstract type.
/// </summary>
public static class SpecText
{
    private static readonly JsonSerializerOptions Options = new()
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { WithDerivedTypes } },
        Converters = { new ImmutableArrays() },
    };

    public static string Of<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static bool Same<T>(T a, T b) => Of(a) == Of(b);

    /// <summary>An unset (default) ImmutableArray, which cannot be enumerated, as null; a set one as its items.</summary>
    private sealed class ImmutableArrays : JsonConverterFactory
    {
        public override bool CanConvert(Type t) => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(ImmutableArray<>);

        public override JsonConverter CreateConverter(Type t, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(Items<>).MakeGenericType(t.GetGenericArguments()[0]))!;

        private sealed class Items<T> : JsonConverter<ImmutableArray<T>>
        {
            public override ImmutableArray<T> Read(ref Utf8JsonReader reader, Type t, JsonSerializerOptions options) => throw new NotSupportedException();

            public override void Write(Utf8JsonWriter writer, ImmutableArray<T> value, JsonSerializerOptions options)
            {
                if (value.IsDefault) writer.WriteNullValue();
                else JsonSerializer.Serialize(writer, value.AsSpan().ToArray(), options);
            }
        }
    }

    private static void WithDerivedTypes(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object || !info.Type.IsAbstract || info.PolymorphismOptions is not null) return;
        var options = new JsonPolymorphismOptions();
        foreach (Type t in info.Type.Assembly.GetTypes().Where(t => !t.IsAbstract && info.Type.IsAssignableFrom(t)))
            options.DerivedTypes.Add(new JsonDerivedType(t, t.FullName!));
        info.PolymorphismOptions = options;
    }
}
