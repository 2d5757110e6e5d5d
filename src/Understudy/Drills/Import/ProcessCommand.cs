using System.Text.Json;

namespace Understudy.Drills.Import;

/// <summary>A process provider's command line as a drill's argv, and the process it signals when it is a kill of one pid or pidfile.</summary>
internal sealed record ProcessCommand(IReadOnlyList<string> Words, KillCommands.KillTarget? Kill)
{
    /// <summary>
    /// Chaos Toolkit runs a string of arguments through a shell (<c>path arguments</c>), so it becomes <c>sh -c</c>;
    /// a list is the argv as is; a mapping is its keys and values in turn. Null when the arguments are none of these.
    /// </summary>
    public static ProcessCommand? Read(JsonElement? arguments, string program, ChaosVariables variables, string path)
    {
        if (arguments is not { } args) return Argv(program, []);
        switch (args.ValueKind)
        {
            case JsonValueKind.String:
                string line = variables.Resolve(args.GetString()!, path);
                if (line.Trim().Length == 0) return Argv(program, []);
                return new ProcessCommand(["sh", "-c", $"{program} {line}"], KillCommands.RecognizeShellLine(program, line));
            case JsonValueKind.Array:
                return Strings(args.EnumerateArray(), variables, path) is { } words ? Argv(program, words) : null;
            case JsonValueKind.Object:
                var flat = new List<string>();
                foreach (JsonProperty p in args.EnumerateObject())
                {
                    if (Strings([p.Value], variables, path) is not { } value) return null;
                    flat.Add(variables.Resolve(p.Name, path));
                    flat.AddRange(value);
                }
                return Argv(program, flat);
            default:
                return null;
        }
    }

    private static ProcessCommand Argv(string program, List<string> args) =>
        new([program, .. args], KillCommands.Recognize(program, args));

    // None and "" are dropped, as Chaos Toolkit drops them; a nested list or mapping has no argv form.
    private static List<string>? Strings(IEnumerable<JsonElement> values, ChaosVariables variables, string path)
    {
        var words = new List<string>();
        foreach (JsonElement value in values)
        {
            if (value.ValueKind == JsonValueKind.Null) continue;
            if (value.Scalar() is not { } text) return null;
            if (text.Length > 0) words.Add(value.ValueKind == JsonValueKind.String ? variables.Resolve(text, path) : text);
        }
        return words;
    }
}
