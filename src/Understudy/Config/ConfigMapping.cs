using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// A YAML mapping whose keys were already checked against a <see cref="KeySet"/>, with the dotted path that
/// names it in errors (<c>services.web.check</c>).
/// </summary>
internal sealed class ConfigMapping
{
    private readonly Dictionary<string, YamlNode> values;
    private readonly Dictionary<string, YamlNode> keyNodes;

    private ConfigMapping(ConfigReader reader, YamlMappingNode node, string path, Dictionary<string, YamlNode> values, Dictionary<string, YamlNode> keyNodes)
    {
        Reader = reader;
        Node = node;
        Path = path;
        this.values = values;
        this.keyNodes = keyNodes;
    }

    public ConfigReader Reader { get; }
    public YamlMappingNode Node { get; }
    public string Path { get; }

    public string KeyOf(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public bool Has(string key) => values.ContainsKey(key);

    /// <summary>Present with a value other than YAML's null (<c>key:</c> alone, <c>~</c>).</summary>
    public bool IsSet(string key) => values.TryGetValue(key, out YamlNode? node) && !NodeText.IsNull(node);

    /// <summary>Where <paramref name="key"/> itself is written, for errors about the key rather than its value.</summary>
    public YamlNode KeyNode(string key) => keyNodes[key];

    /// <summary>The value under <paramref name="key"/>, or null when the key is absent.</summary>
    public YamlNode? Optional(string key) => values.GetValueOrDefault(key);

    /// <summary>The value, or null after recording "required" at this mapping's start.</summary>
    public YamlNode? Required(string key, string what)
    {
        if (values.TryGetValue(key, out YamlNode? value)) return value;
        Reader.Error(Node, KeyOf(key), $"required: {what}");
        return null;
    }

    /// <summary>
    /// Two keys that only work together (a user name and its password, a certificate and its key): when only one
    /// is given, records at it that the other is missing, rather than failing at the first connection.
    /// </summary>
    public void BothOrNeither(string first, string second)
    {
        if (Has(first) == Has(second)) return;
        var (given, missing) = Has(first) ? (first, second) : (second, first);
        Reader.Error(KeyNode(given), KeyOf(given), $"requires {missing} as well");
    }

    /// <summary>An optional nested mapping; absent or empty (<c>check:</c>) means "all defaults".</summary>
    public ConfigMapping? Section(string key, KeySet keys) =>
        IsSet(key) ? Reader.Mapping(values[key], KeyOf(key), keys) : null;

    /// <summary>Checks every key of <paramref name="node"/>, recording unknown, planned and non-scalar keys.</summary>
    public static ConfigMapping Read(ConfigReader reader, YamlMappingNode node, string path, KeySet keys)
    {
        var accepted = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var keyNodes = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in node.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                reader.Error(keyNode, path, $"expected a key name, got {NodeText.Describe(keyNode)}");
                continue;
            }
            string keyPath = path.Length == 0 ? key : $"{path}.{key}";
            if (keys.Accepted.Contains(key)) (accepted[key], keyNodes[key]) = (value, keyNode);
            else reader.Error(keyNode, keyPath, keys.LaterMessage(key) ?? keys.Unknown(key));
        }
        return new ConfigMapping(reader, node, path, accepted, keyNodes);
    }
}
