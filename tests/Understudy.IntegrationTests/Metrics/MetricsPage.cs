using System.Globalization;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Understudy.IntegrationTests.Metrics;

/// <summary>One read of a controller's <c>/metrics</c>, parsed just enough for tests: declared families and sample values.</summary>
public sealed partial class MetricsPage
{
    private readonly Dictionary<string, string> _types = [];
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    private MetricsPage(string text)
    {
        Text = text;
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                string[] parts = line.Split(' ');
                _types[parts[2]] = parts[3];
            }
            else if (!line.StartsWith('#'))
            {
                Match m = SampleLine().Match(line);
                Assert.True(m.Success, $"not a sample line: {line}");
                var labels = LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value);
                _samples.Add((m.Groups["name"].Value, labels, double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)));
            }
        }
    }

    public string Text { get; }

    public static async Task<MetricsPage> ReadAsync(int apiPort, string? token = null)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}"), Timeout = TimeSpan.FromSeconds(5) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await ReadAsync(http);
    }

    /// <summary>Through a client of the caller's making (its base address, token, source address).</summary>
    public static async Task<MetricsPage> ReadAsync(HttpClient http)
    {
        using HttpResponseMessage response = await http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return new MetricsPage(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The family a sample of this name belongs to: a declared family, or a histogram's by its _bucket, _sum or _count; null if none.</summary>
    public string? FamilyOf(string name) =>
        _types.ContainsKey(name) ? name : _types.Keys.FirstOrDefault(f => _types[f] == "histogram" && HistogramSuffixes.Any(suffix => name == f + suffix));

    private static readonly string[] HistogramSuffixes = ["_bucket", "_sum", "_count"];

    public IReadOnlyCollection<string> Families => _types.Keys;

    /// <summary>The value of the one sample with this name whose labels include <paramref name="labels"/>; null when none.</summary>
    public double? Value(string name, params (string Name, string Value)[] labels)
    {
        var matching = _samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Name) == l.Value)).ToList();
        Assert.True(matching.Count <= 1, $"{matching.Count} samples of {name} match {string.Join(", ", labels)}");
        return matching.Count == 0 ? null : matching[0].Value;
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>.*)\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
