using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Understudy.Drills.Import;

/// <summary>
/// Turns one item of an experiment's <c>method</c> or <c>rollbacks</c> into drill steps: a process action becomes
/// <c>exec</c> (or <c>kill_process</c> when it signals one pid or pidfile), its pauses become <c>wait</c> steps around it.
/// </summary>
internal sealed class ActivityConverter(ChaosVariables variables, ImportNotes notes, IReadOnlyDictionary<string, JsonElement> named)
{
    /// <summary>The item's steps, pauses included; none when it cannot be converted (and a note says why).</summary>
    public IReadOnlyList<DraftStep> Steps(JsonElement item, string path)
    {
        if (Resolve(item, path) is not { } activity) return [];
        string what = Describe(activity);
        if (activity.Text("type") == "probe")
        {
            notes.NotConverted(path, what, "a probe in the method only records what it sees; the drill's probes measure throughout");
            return [];
        }
        if (Step(activity, path, what) is not { } step) return [];
        if (activity.Field("background") is { ValueKind: JsonValueKind.True })
            notes.Add(path, what, "runs in the foreground: a drill's steps run one after another");
        return [.. Pause(activity, "before", path), step, .. Pause(activity, "after", path)];
    }

    /// <summary>The activity itself, or the one a <c>{ "ref": name }</c> item points to.</summary>
    public JsonElement? Resolve(JsonElement item, string path)
    {
        if (item.Text("ref") is not { } reference) return item;
        if (named.TryGetValue(reference, out JsonElement activity)) return activity;
        notes.NotConverted(path, $"ref {reference}", "no activity of that name in the experiment");
        return null;
    }

    /// <summary>How a note names an activity: its provider type and what it calls.</summary>
    public static string Describe(JsonElement activity)
    {
        JsonElement? provider = activity.Object("provider");
        return provider?.Text("type") switch
        {
            "python" => $"python {provider.Value.Text("module")}.{provider.Value.Text("func")}",
            "process" => $"process {provider.Value.Text("path")}",
            "http" => $"http {(provider.Value.Text("method") ?? "GET").ToUpperInvariant()} {provider.Value.Text("url")}",
            { } other => $"{other} {activity.Text("name")}",
            null => activity.Text("name") ?? "activity",
        };
    }

    private DraftStep? Step(JsonElement activity, string path, string what)
    {
        JsonElement? provider = activity.Object("provider");
        switch (provider?.Text("type"))
        {
            case "process":
                return Process(provider.Value, $"{path}.provider", path, what);
            case "python":
                notes.NotConverted(path, what, "a drill cannot run Chaos Toolkit's Python extensions; an exec step running a CLI that does the same can replace it");
                return null;
            case "http":
                notes.NotConverted(path, what, "a drill has no http step in faults or rollback; an exec step (curl) can replace it");
                return null;
            default:
                notes.NotConverted(path, what, provider is null ? "it has no provider" : "an unknown provider type");
                return null;
        }
    }

    private DraftStep? Process(JsonElement provider, string at, string path, string what)
    {
        if (provider.Text("path") is not { Length: > 0 } written)
        {
            notes.NotConverted(path, what, "a process provider needs a path");
            return null;
        }
        string program = HomeExpanded(variables.Resolve(written, $"{at}.path"));
        var command = ProcessCommand.Read(provider.Field("arguments"), program, variables, $"{at}.arguments");
        if (command is null)
        {
            notes.NotConverted(path, what, "arguments must be a string, a list of values or a mapping");
            return null;
        }
        if (command.Kill is { } kill)
        {
            if (kill.Key == "pidfile" && !Path.IsPathRooted(kill.Value))
                notes.Add(path, what, $"pidfile {kill.Value} is read relative to the drill file's folder, not the folder chaos ran in");
            return new DraftStep("kill_process", DrillYaml.Flow((kill.Key, DrillYaml.Text(kill.Value)), ("signal", DrillYaml.Text(kill.Signal))));
        }
        if (KillCommands.IsKillLike(program))
            notes.Add(path, what, "kept as exec: it names no single pid or pidfile, so kill_process cannot stand for it");
        YamlNode argv = DrillYaml.Command(command.Words);
        if (provider.Field("timeout") is not { } writtenTimeout) return new DraftStep("exec", argv);
        if (variables.Duration(writtenTimeout, $"{at}.timeout") is { } timeout)
            return new DraftStep("exec", DrillYaml.Flow(("command", argv), ("timeout", DrillYaml.Text(timeout))));
        notes.NotConverted($"{at}.timeout", null, $"expected seconds above 0, got {writtenTimeout.GetRawText()}; the exec step's default of 60 s applies");
        return new DraftStep("exec", argv);
    }

    private IEnumerable<DraftStep> Pause(JsonElement activity, string when, string path)
    {
        if (activity.Object("pauses")?.Field(when) is not { } pause) yield break;
        string at = $"{path}.pauses.{when}";
        if (variables.Duration(pause, at) is { } duration) yield return new DraftStep("wait", DrillYaml.Text(duration));
        else if (pause.Seconds() is not 0) notes.NotConverted(at, null, $"expected a number of seconds, got {pause.GetRawText()}");
    }

    // Chaos Toolkit expands ~ in the path; a drill's command is taken as written, so the home folder comes from the environment.
    private static string HomeExpanded(string program) => program.StartsWith("~/", StringComparison.Ordinal) ? "${HOME}" + program[1..] : program;
}
