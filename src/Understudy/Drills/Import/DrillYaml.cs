using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace Understudy.Drills.Import;

/// <summary>One step of the drill being written: its kind (<c>exec</c>, <c>wait</c> …) and its settings.</summary>
internal sealed record DraftStep(string Kind, YamlNode Settings)
{
    public YamlMappingNode Node() => new() { { Kind, Settings } };
}

/// <summary>Builds the drill file's YAML nodes and writes them under a comment header.</summary>
internal static class DrillYaml
{
    /// <summary>A string scalar; quoted where the loader would otherwise read nothing (<c>null</c>, <c>~</c>, empty).</summary>
    public static YamlScalarNode Text(string value) => new(value)
    {
        Style = value is "" or "~" or "null" or "Null" or "NULL" ? ScalarStyle.DoubleQuoted : ScalarStyle.Any,
    };

    public static YamlMappingNode Flow(params (string Key, YamlNode Value)[] entries)
    {
        var mapping = new YamlMappingNode { Style = MappingStyle.Flow };
        foreach (var (key, value) in entries) mapping.Add(key, value);
        return mapping;
    }

    public static YamlSequenceNode Command(IEnumerable<string> words) =>
        new(words.Select(w => (YamlNode)Text(w))) { Style = SequenceStyle.Flow };

    public static YamlSequenceNode StepList(IEnumerable<DraftStep> steps) => new(steps.Select(s => (YamlNode)s.Node()));

    /// <summary>Writes each comment line as <c># line</c>, then the document.</summary>
    public static void Write(TextWriter writer, IEnumerable<string> comments, YamlMappingNode root)
    {
        foreach (string line in comments) writer.WriteLine(string.IsNullOrEmpty(line) ? "#" : "# " + line.ReplaceLineEndings(" "));
        // The serializer ends the document implicitly; YamlStream.Save would add a "..." line.
        new SerializerBuilder().Build().Serialize(writer, root);
    }
}
