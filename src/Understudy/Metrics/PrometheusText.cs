using System.Globalization;
using System.Text;

namespace Understudy.Metrics;

public enum MetricType { Counter, Gauge, Histogram }

/// <summary>
/// The Prometheus text exposition format 0.0.4, written by hand: no exporter package (prometheus-net,
/// OpenTelemetry's Prometheus exporter) restores from our NuGet mirror (DEPENDENCIES.md, row 7).
/// A family's HELP and TYPE come first, then its samples, all together: the format forbids interleaving.
/// </summary>
public sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _b = new();

    public void Family(string name, MetricType type, string help) =>
        _b.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n')
          .Append("# TYPE ").Append(name).Append(' ').Append(type.ToString().ToLowerInvariant()).Append('\n');

    public void Sample(string name, IReadOnlyList<(string Name, string Value)> labels, double value)
    {
        _b.Append(name);
        if (labels.Count > 0)
        {
            _b.Append('{');
            for (int i = 0; i < labels.Count; i++)
                _b.Append(i == 0 ? "" : ",").Append(labels[i].Name).Append("=\"").Append(EscapeLabel(labels[i].Value)).Append('"');
            _b.Append('}');
        }
        _b.Append(' ').Append(Number(value)).Append('\n');
    }

    /// <summary>Cumulative <c>_bucket</c> samples ending with <c>le="+Inf"</c> (the count), then <c>_sum</c> and <c>_count</c>.</summary>
    public void Histogram(string name, IReadOnlyList<(string Name, string Value)> labels, HistogramSnapshot h)
    {
        for (int i = 0; i < h.Bounds.Count; i++)
            Sample(name + "_bucket", [.. labels, ("le", Number(h.Bounds[i]))], h.Cumulative[i]);
        Sample(name + "_bucket", [.. labels, ("le", "+Inf")], h.Count);
        Sample(name + "_sum", labels, h.Sum);
        Sample(name + "_count", labels, h.Count);
    }

    public override string ToString() => _b.ToString();

    public static string Number(double v) => v switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => v.ToString("R", CultureInfo.InvariantCulture),
    };

    public static string EscapeLabel(string value) => value.Replace("\\", @"\\").Replace("\"", "\\\"").Replace("\n", @"\n");

    private static string EscapeHelp(string help) => help.Replace("\\", @"\\").Replace("\n", @"\n");
}
