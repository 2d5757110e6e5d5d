using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Understudy.IntegrationTests.Metrics;

/// <summary>The Prometheus rules and Grafana dashboard under deploy/, and the metric names their queries use.</summary>
public static partial class DeployFiles
{
    public static string Root { get; } = FindRoot();

    public static string PrometheusDir => Path.Combine(Root, "deploy", "prometheus");

    public static string Alerts => Path.Combine(PrometheusDir, "alerts.yml");

    public static string Dashboard => Path.Combine(Root, "deploy", "grafana", "understudy.json");

    /// <summary>Every <c>expr</c> of every rule in alerts.yml.</summary>
    public static IEnumerable<string> AlertExpressions()
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(Alerts)) yaml.Load(reader);
        var groups = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["groups"];
        return groups.Cast<YamlMappingNode>()
            .SelectMany(g => ((YamlSequenceNode)g["rules"]).Cast<YamlMappingNode>())
            .Select(r => ((YamlScalarNode)r["expr"]).Value!);
    }

    /// <summary>Every <c>expr</c> of every panel target (and anywhere else) in the dashboard, plus its variable queries.</summary>
    public static IEnumerable<string> DashboardExpressions()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Dashboard));
        return [.. Strings(doc.RootElement, null).Where(s => s.Key is "expr" or "definition").Select(s => s.Value)];
    }

    public static IEnumerable<string> MetricNames(IEnumerable<string> expressions) =>
        expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).Distinct().Order();

    private static IEnumerable<(string? Key, string Value)> Strings(JsonElement e, string? key) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Strings(p.Value, p.Name)),
        JsonValueKind.Array => e.EnumerateArray().SelectMany(i => Strings(i, key)),
        JsonValueKind.String => [(key, e.GetString()!)],
        _ => [],
    };

    private static string FindRoot()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Understudy.slnx"))) root = Path.GetDirectoryName(root)!;
        return root;
    }

    [GeneratedRegex(@"\bunderstudy_[a-z0-9_]+")]
    private static partial Regex MetricName();
}
