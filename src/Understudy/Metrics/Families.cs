using System.Collections.Concurrent;

namespace Understudy.Metrics;

/// <summary>A counter or gauge family, one value per combination of label values; written from any thread.</summary>
public sealed class ValueFamily(string name, MetricType type, string help, params string[] labelNames)
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, (string[] Values, double Value)> _series = new(StringComparer.Ordinal);

    /// <summary>Creates the series at 0 if absent, so that <c>increase()</c> sees its first step from 0.</summary>
    public void Ensure(params string[] values) => Update(values, v => v);

    public void Add(double by, params string[] values) => Update(values, v => v + by);

    public void Set(double value, params string[] values) => Update(values, _ => value);

    public void WriteTo(PrometheusText text)
    {
        text.Family(name, type, help);
        lock (_gate)
            foreach (var (values, value) in _series.Values) text.Sample(name, Labels.Of(labelNames, values), value);
    }

    private void Update(string[] values, Func<double, double> change)
    {
        Labels.Check(labelNames, values);
        lock (_gate)
        {
            string key = Labels.Key(values);
            _series[key] = (values, change(_series.TryGetValue(key, out var s) ? s.Value : 0));
        }
    }
}

/// <summary>A histogram family, one histogram per combination of label values; observed from any thread.</summary>
public sealed class HistogramFamily(string name, string help, IReadOnlyList<double> bounds, params string[] labelNames)
{
    private readonly ConcurrentDictionary<string, (string[] Values, Histogram Histogram)> _series = new(StringComparer.Ordinal);

    /// <summary>Creates the series empty if absent, so that rates over its count start from 0.</summary>
    public void Ensure(params string[] values) => Of(values);

    public void Observe(double value, params string[] values) => Of(values).Observe(value);

    /// <summary>One series' histogram, for a caller that observes it often to keep (no key built per observation).</summary>
    public Histogram Series(params string[] values) => Of(values);

    public void WriteTo(PrometheusText text)
    {
        text.Family(name, MetricType.Histogram, help);
        foreach (var (_, (values, histogram)) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
            text.Histogram(name, Labels.Of(labelNames, values), histogram.Snapshot());
    }

    private Histogram Of(string[] values)
    {
        Labels.Check(labelNames, values);
        return _series.GetOrAdd(Labels.Key(values), _ => (values, new Histogram(bounds))).Histogram;
    }
}

internal static class Labels
{
    public static (string Name, string Value)[] Of(string[] names, string[] values) => [.. names.Zip(values)];

    // A unit separator does not occur in names people write, so the keys of different series do not collide.
    public static string Key(string[] values) => string.Join('\u001f', values);

    public static void Check(string[] names, string[] values)
    {
        if (names.Length != values.Length) throw new ArgumentException($"expected {names.Length} label values ({string.Join(", ", names)}), got {values.Length}");
    }
}
