using System.Text.Json;
using YamlDotNet.RepresentationModel;
using static Understudy.Drills.Import.DrillYaml;

namespace Understudy.Drills.Import;

/// <summary>The drill file written from an experiment, and every note about it; or why there is none.</summary>
public sealed record ImportResult(string? Yaml, IReadOnlyList<ImportNote> Notes, string? Error)
{
    public bool Ok => Yaml is not null;
}

/// <summary>
/// Converts a Chaos Toolkit experiment (JSON) into a drill file: http steady-state probes become probes and verify steps,
/// process actions in the method become faults, rollbacks become rollback steps. Whatever has no drill equivalent is named,
/// with its JSON path, in the notes and in comments at the top of the file.
/// </summary>
public static class ChaosToolkitImport
{
    /// <summary>How long the probes must be clean before the first fault: the drill's default, written out so it can be tuned.</summary>
    private const string SteadyStateDuration = "5s";

    /// <param name="fileName">Names the experiment in errors and in the file's header, as the user gave it.</param>
    public static ImportResult Convert(string jsonText, string fileName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(jsonText);
        }
        catch (JsonException e)
        {
            return new ImportResult(null, [], $"{fileName}:{e.LineNumber + 1}:{e.BytePositionInLine + 1} invalid JSON: {Reason(e)}");
        }
        using (document)
        {
            JsonElement experiment = document.RootElement;
            if (experiment.ValueKind != JsonValueKind.Object)
                return new ImportResult(null, [], $"{fileName}: not a Chaos Toolkit experiment: expected a JSON object with title, steady-state-hypothesis and method");
            return Convert(experiment, fileName);
        }
    }

    private static ImportResult Convert(JsonElement experiment, string fileName)
    {
        var notes = new ImportNotes();
        var variables = ChaosVariables.Read(experiment, notes);
        var activities = new ActivityConverter(variables, notes, Named(experiment));
        var probes = new HypothesisProbes(variables, notes, activities).Convert(experiment);
        var faults = experiment.Items("method").SelectMany(m => activities.Steps(m.Item, $"method[{m.Index}]")).ToList();
        var rollback = experiment.Items("rollbacks").SelectMany(r => activities.Steps(r.Item, $"rollbacks[{r.Index}]")).ToList();
        if (experiment.Field("controls") is not null) notes.NotConverted("controls", null, "a drill has no control hooks");

        string? missing = probes.Count == 0 ? "no steady-state probe could be converted (a drill needs at least one http probe)"
            : !faults.Any(f => f.Kind != "wait") ? "no method action could be converted (a drill needs at least one fault)"
            : null;
        if (missing is not null) return new ImportResult(null, notes.All, $"{fileName}: nothing runnable to write: {missing}");

        string name = experiment.Text("title") is { Length: > 0 } title ? title : Path.GetFileNameWithoutExtension(fileName);
        var root = new YamlMappingNode { { "name", Text(name) } };
        if (experiment.Text("description") is { Length: > 0 } description) root.Add("description", Text(description));
        root.Add("probes", new YamlSequenceNode(probes.Select(p => (YamlNode)Flow(("name", Text(p.Name)), ("http", HttpSettings(p))))));
        root.Add("steady_state", Flow(("duration", Text(SteadyStateDuration)), ("max_error_rate", Text("0"))));
        root.Add("faults", StepList(faults));
        root.Add("verify", StepList(probes.Select(p => new DraftStep("http", HttpSettings(p)))));
        if (rollback.Count > 0) root.Add("rollback", StepList(rollback));

        var yaml = new StringWriter();
        Write(yaml, Header(fileName, name, notes.All), root);
        return new ImportResult(yaml.ToString(), notes.All, null);
    }

    private static YamlMappingNode HttpSettings(HypothesisProbes.ImportedProbe probe)
    {
        var settings = Flow(("url", Text(probe.Url)), ("expect_status", Text(probe.ExpectStatus.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        if (probe.Timeout is { } timeout) settings.Add("timeout", Text(timeout));
        return settings;
    }

    private static IEnumerable<string> Header(string fileName, string title, IReadOnlyList<ImportNote> notes)
    {
        yield return $"Written by understudy drill import chaostoolkit from {Path.GetFileName(fileName)} (experiment \"{title}\").";
        yield return "Check it with understudy drill validate, and see its plan with understudy drill run --dry-run.";
        if (notes.Count == 0)
        {
            yield return "Everything in the experiment was converted.";
            yield break;
        }
        yield return $"Not converted, or converted differently ({notes.Count}):";
        foreach (ImportNote note in notes) yield return $"  {note}";
    }

    // A { "ref": name } item may point at any activity of the experiment with that name; the first of a name wins.
    private static Dictionary<string, JsonElement> Named(JsonElement experiment)
    {
        var named = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var all = (experiment.Object("steady-state-hypothesis") ?? default).Items("probes")
            .Concat(experiment.Items("method")).Concat(experiment.Items("rollbacks"));
        foreach (var (activity, _) in all)
            if (activity.Text("name") is { } name && activity.Field("ref") is null) named.TryAdd(name, activity);
        return named;
    }

    // System.Text.Json appends " LineNumber: 2 | BytePositionInLine: 13." to its message; the error names the place itself.
    private static string Reason(JsonException e)
    {
        int at = e.Message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (at < 0 ? e.Message : e.Message[..at]).TrimEnd();
    }
}
