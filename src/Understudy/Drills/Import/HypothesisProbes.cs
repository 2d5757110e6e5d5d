using System.Text.Json;
using System.Text.RegularExpressions;

namespace Understudy.Drills.Import;

/// <summary>
/// The steady-state hypothesis's http probes as the drill's http probes, and again as verify steps: Chaos Toolkit checks
/// its hypothesis before the method and once more after it; a drill probes throughout and checks once after recovery.
/// </summary>
internal sealed partial class HypothesisProbes(ChaosVariables variables, ImportNotes notes, ActivityConverter activities)
{
    public sealed record ImportedProbe(string Name, string Url, int ExpectStatus, string? Timeout);

    [GeneratedRegex("[^a-z0-9_-]+")]
    private static partial Regex NotInName();

    private readonly HashSet<string> _names = [];

    public List<ImportedProbe> Convert(JsonElement experiment)
    {
        var converted = new List<ImportedProbe>();
        JsonElement hypothesis = experiment.Object("steady-state-hypothesis") ?? default;
        foreach (var (item, i) in hypothesis.Items("probes"))
        {
            string path = $"steady-state-hypothesis.probes[{i}]";
            if (activities.Resolve(item, path) is { } probe && Probe(probe, path) is { } c) converted.Add(c);
        }
        return converted;
    }

    private ImportedProbe? Probe(JsonElement probe, string path)
    {
        string what = ActivityConverter.Describe(probe);
        JsonElement? provider = probe.Object("provider");
        if (provider?.Text("type") != "http")
        {
            notes.NotConverted(path, what, "a drill's probes are http, tcp, SQL and Redis clients; only http providers are converted");
            return null;
        }
        JsonElement http = provider.Value;
        if (http.Text("url") is not { Length: > 0 } url)
        {
            notes.NotConverted(path, what, "an http provider needs a url");
            return null;
        }
        if ((http.Text("method") ?? "GET").ToUpperInvariant() != "GET")
        {
            notes.NotConverted(path, what, "a drill's http probe only sends GET");
            return null;
        }
        if (new[] { http.Field("headers"), http.Field("arguments") }.Any(e => e is { } given && HasContent(given)))
        {
            notes.NotConverted(path, what, "a drill's http probe sends a plain GET, without headers or query arguments");
            return null;
        }
        string resolvedUrl = variables.Resolve(url, $"{path}.provider.url");
        // A URL read from the environment is checked when the drill loads; a written one can be checked now.
        if (!resolvedUrl.Contains('$') && !(Uri.TryCreate(resolvedUrl, UriKind.Absolute, out Uri? absolute) && absolute.Scheme is "http" or "https"))
        {
            notes.NotConverted(path, what, $"url {resolvedUrl} is not an absolute http or https URL");
            return null;
        }
        if (Status(probe.Field("tolerance"), path, what) is not { } status) return null;
        if (http.Field("verify_tls") is { ValueKind: JsonValueKind.False })
            notes.Add(path, what, "verify_tls false not kept: a drill's probe always verifies the certificate");
        if (probe.Object("pauses") is not null) notes.NotConverted($"{path}.pauses", null, "a drill's probes run throughout, without pauses");
        return new ImportedProbe(UniqueName(probe.Text("name")), resolvedUrl, status, Timeout(http.Field("timeout"), path));
    }

    // A status code, or a list of them (the drill's probe expects one, so the first is kept); other tolerances check what a probe cannot.
    private int? Status(JsonElement? tolerance, string path, string what)
    {
        int[] codes = tolerance switch
        {
            { ValueKind: JsonValueKind.Number } n when n.TryGetInt32(out int code) => [code],
            { ValueKind: JsonValueKind.Array } list when list.EnumerateArray().All(c => c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out _))
                => [.. list.EnumerateArray().Select(c => c.GetInt32())],
            _ => [],
        };
        if (codes.Length == 0 || codes.Any(c => c is < 100 or > 599))
        {
            string written = tolerance?.GetRawText() ?? "none";
            notes.NotConverted(path, what, $"tolerance {written}: a drill's http probe checks one status code (100-599), not bodies, ranges or other probes");
            return null;
        }
        if (codes.Length > 1)
            notes.Add($"{path}.tolerance", null, $"a drill's http probe expects one status: kept {codes[0]}, so {string.Join(", ", codes[1..])} now count as failures");
        return codes[0];
    }

    // A number of seconds, or Chaos Toolkit's [connect, read] pair, which together bound one attempt.
    private string? Timeout(JsonElement? timeout, string path) => timeout switch
    {
        { ValueKind: JsonValueKind.Array } pair => ChaosVariables.FromSeconds(pair.EnumerateArray().Sum(t => t.Seconds() ?? 0)),
        { } value => variables.Duration(value, $"{path}.provider.timeout"),
        null => null,
    };

    private static bool HasContent(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => value.EnumerateObject().Any(),
        JsonValueKind.Array => value.GetArrayLength() > 0,
        JsonValueKind.String => value.GetString()!.Length > 0,
        _ => true,
    };

    // Drill probe names are lowercase words joined by '-' (they name columns and report rows); the first one wins a clash.
    private string UniqueName(string? written)
    {
        string name = NotInName().Replace((written ?? "").ToLowerInvariant(), "-").Trim('-', '_');
        name = name[..Math.Min(name.Length, 60)].TrimEnd('-', '_');
        if (name.Length == 0) name = "probe";
        string unique = name;
        for (int n = 2; !_names.Add(unique); n++) unique = $"{name}-{n}";
        return unique;
    }
}
