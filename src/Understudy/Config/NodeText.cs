using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>How a YAML node reads in an error message, and which scalars mean "no value".</summary>
internal static class NodeText
{
    /// <summary><c>key:</c> with nothing after it, <c>~</c> or <c>null</c>, unquoted: YAML's null.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a sequence",
        _ when IsNull(node) => "nothing",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "an alias",
    };

    public static string List(IEnumerable<string> items) => string.Join(", ", items);
}
