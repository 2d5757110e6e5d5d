using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>Turns text into the root mapping of one YAML document, recording syntax and shape errors.</summary>
internal static class YamlDocumentReader
{
    /// <param name="expected">What the root should be, for messages: "a mapping with controller and services".</param>
    public static YamlMappingNode? ReadRoot(string text, ConfigErrors errors, string expected)
    {
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(text));
        try
        {
            stream.Load(new DuplicateKeyFilter(new AliasGuard(new Parser(scanner)), errors));
        }
        catch (DuplicateKeyFilter.TooDeep e)
        {
            errors.Add(e.Start, "", $"the file is nested deeper than {DuplicateKeyFilter.MaxDepth} levels (mappings and sequences inside one another); nothing past this point was read");
            return null;
        }
        catch (YamlException e)
        {
            // The parser cannot resume after a syntax error, so this is the last error of the file.
            errors.Add(e.Start, "", $"YAML syntax error: {Sentence(e.Message)}");
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet 16.3's scanner throws this, not a YamlException, at a line break inside [ ] or { } followed by
            // a line indented no more than the key that holds them (an unclosed '[' ends up there too).
            errors.Add(scanner.CurrentPosition, "", "YAML syntax error: this line is inside a '[' or '{' that is not closed above it, "
                + "or it continues one without being indented more than its key");
            return null;
        }
        catch (ArgumentException e)
        {
            // YamlDotNet 16.3 throws this for a malformed tag ("!!]x") or %TAG handle, the scanner's current token.
            errors.Add(scanner.Current?.Start ?? scanner.CurrentPosition, "", $"YAML syntax error: {Sentence(e.Message.Replace($" (Parameter '{e.ParamName}')", ""))}");
            return null;
        }

        if (stream.Documents.Count == 0 || NodeText.IsNull(stream.Documents[0].RootNode))
        {
            errors.Add(1, 1, "", $"the file is empty; expected {expected}");
            return null;
        }
        if (stream.Documents.Count > 1)
        {
            errors.Add(stream.Documents[1].RootNode, "",
                $"expected one YAML document, found {stream.Documents.Count}; remove the extra '---'");
        }

        YamlNode root = stream.Documents[0].RootNode;
        if (root is YamlMappingNode mapping) return mapping;
        errors.Add(root, "", $"expected {expected}, got {NodeText.Describe(root)}");
        return null;
    }

    // YamlDotNet writes "While parsing a flow sequence, did not find expected ',' or ']'."; after our prefix a
    // lower-case start and no final period read as one sentence.
    private static string Sentence(string message)
    {
        string m = message.Trim().TrimEnd('.');
        return m.Length > 1 && char.IsUpper(m[0]) && !char.IsUpper(m[1]) ? char.ToLowerInvariant(m[0]) + m[1..] : m;
    }
}
