using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Understudy.Config;

/// <summary>
/// Lets an alias through only when it repeats a node written, and closed, above it, which is what YAML means by one.
/// YamlDotNet also takes an alias before its anchor, or inside the node it names, and resolves it at the document's
/// end: two such aliases as keys of one mapping made its YamlAliasNode.Equals recurse until the stack overflowed
/// (a crash no catch stops), and one inside its own node makes a node that holds itself.
/// </summary>
internal sealed class AliasGuard(IParser inner) : IParser
{
    private readonly HashSet<string> complete = new(StringComparer.Ordinal);
    private readonly Stack<AnchorName> open = new();

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext()) return false;
        switch (inner.Current)
        {
            case DocumentStart: complete.Clear(); break;
            case AnchorAlias alias when !complete.Contains(alias.Value.Value):
                throw new YamlException(alias.Start, alias.End,
                    $"Alias '*{alias.Value}' does not follow a complete node anchored '&{alias.Value}'; an alias repeats a node written above it.");
            case Scalar { Anchor.IsEmpty: false } scalar: complete.Add(scalar.Anchor.Value); break;
            case MappingStart mapping: open.Push(mapping.Anchor); break;
            case SequenceStart sequence: open.Push(sequence.Anchor); break;
            case MappingEnd or SequenceEnd when open.Pop() is { IsEmpty: false } anchor: complete.Add(anchor.Value); break;
        }
        return true;
    }
}
