using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Understudy.Config;

/// <summary>
/// Sits between the YAML parser and <c>YamlStream</c>, drops the second and later occurrences of a key in one
/// mapping and records each as an error. Without it <c>YamlStream</c> throws at the first duplicate and every
/// other error in the file would go unreported. It also stops a file nested deeper than <see cref="MaxDepth"/>:
/// <c>YamlStream</c> builds nodes recursively, and 100,000 nested '[' overflowed the stack (a crash no catch can stop);
/// and one where the parser left a key without a value, which <c>YamlStream</c> fails on with no place.
/// </summary>
internal sealed class DuplicateKeyFilter(IParser inner, ConfigErrors errors) : IParser
{
    private sealed class Frame(bool isMapping)
    {
        public bool IsMapping { get; } = isMapping;
        public bool AtKey = true;   // a mapping alternates key, value, key, ...
        public int Index;           // a sequence: position of the item being read
        public string Key = "";     // a mapping: the key whose value is being read
        public Mark KeyStart;       // ... and where it is written
        public readonly Dictionary<string, Mark> Seen = new(StringComparer.Ordinal);
    }

    private const string YamlTags = "tag:yaml.org,2002:";

    /// <summary>Mappings and sequences inside one another; our files need under ten.</summary>
    public const int MaxDepth = 64;

    /// <summary>Thrown at the first node past <see cref="MaxDepth"/>; the parse ends there.</summary>
    public sealed class TooDeep(Mark start, Mark end) : YamlException(start, end, $"nested deeper than {MaxDepth} levels");

    private readonly List<Frame> frames = [];

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        while (inner.MoveNext())
        {
            if (IsDuplicateKey(inner.Current)) { SkipValue((Scalar)inner.Current!); continue; }
            // A tag of YAML's own (!!str) only says what the node is; any other would mean something to some other program.
            if (inner.Current is NodeEvent { Tag.IsEmpty: false } tagged && !tagged.Tag.Value.StartsWith(YamlTags, StringComparison.Ordinal))
                errors.Add(tagged.Start, "", $"unknown YAML tag '{tagged.Tag.Value}': these files use none but YAML's own (such as !!str)");
            Track(inner.Current!);
            return true;
        }
        return false;
    }

    private bool IsDuplicateKey(ParsingEvent? e)
    {
        if (e is not Scalar key || frames.Count == 0 || frames[^1] is not { IsMapping: true, AtKey: true } map) return false;
        if (!map.Seen.TryGetValue(key.Value, out Mark first)) return false;
        errors.Add(key.Start, PathTo(key.Value), $"duplicate key; '{key.Value}' is already set at line {first.Line}");
        return true;
    }

    // The duplicate key was consumed; consume its value whole, however deep, so the mapping stays balanced.
    private void SkipValue(Scalar key)
    {
        int depth = 0;
        while (inner.MoveNext())
        {
            if (inner.Current is MappingStart or SequenceStart) depth++;
            else if (inner.Current is MappingEnd or SequenceEnd && --depth < 0) throw NoValue(key.Value, key.Start);
            if (depth == 0) return;
        }
    }

    // YamlDotNet can end a mapping after a key with no value ("a: {b: 1} *x" reads *x as a key; "  : x" thrice reads
    // as key, value, key); its loader then threw an ArgumentException, or, after SkipValue, read past the end.
    private static YamlException NoValue(string key, Mark at) =>
        new(at, at, $"Found {(key.Length == 0 ? "an empty key" : $"the key '{key}'")} with no ':' and value after it.");

    private void Track(ParsingEvent e)
    {
        switch (e)
        {
            case DocumentStart: frames.Clear(); break;
            case Scalar or AnchorAlias: BeginNode(e); EndNode(); break;
            case MappingStart or SequenceStart when frames.Count >= MaxDepth: throw new TooDeep(e.Start, e.End);
            case MappingStart: BeginNode(e); frames.Add(new Frame(isMapping: true)); break;
            case SequenceStart: BeginNode(e); frames.Add(new Frame(isMapping: false)); break;
            case MappingEnd when frames[^1] is { IsMapping: true, AtKey: false } map: throw NoValue(map.Key, map.KeyStart);
            case MappingEnd or SequenceEnd: frames.RemoveAt(frames.Count - 1); EndNode(); break;
        }
    }

    private void BeginNode(ParsingEvent e)
    {
        if (frames.Count == 0 || frames[^1] is not { IsMapping: true, AtKey: true } map) return;
        map.Key = e switch { Scalar s => s.Value, AnchorAlias a => $"*{a.Value}", _ => "?" };
        map.KeyStart = e.Start;
        if (e is Scalar key) map.Seen.TryAdd(key.Value, key.Start);
    }

    private void EndNode()
    {
        if (frames.Count == 0) return;
        Frame top = frames[^1];
        if (top.IsMapping) top.AtKey = !top.AtKey;
        else top.Index++;
    }

    private string PathTo(string key)
    {
        var path = new StringBuilder();
        foreach (Frame f in frames.Take(frames.Count - 1))
            path.Append(f.IsMapping ? (path.Length == 0 ? f.Key : "." + f.Key) : $"[{f.Index}]");
        return path.Length == 0 ? key : $"{path}.{key}";
    }
}
