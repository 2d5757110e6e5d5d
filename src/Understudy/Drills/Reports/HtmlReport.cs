using System.Net;
using Markdig;
using Markdig.Extensions.AutoLinks;
using Understudy.Core.Drills;

namespace Understudy.Drills.Reports;

/// <summary>
/// report.html: report.md rendered by Markdig, with the timeline chart after the summary, in one
/// self-contained page: inline CSS, no script, no external URL, readable on a phone. A Content-Security-
/// Policy that allows nothing but inline styles makes that a property of the page, not just of this code.
/// </summary>
public static class HtmlReport
{
    private static readonly MarkdownPipeline Pipeline = BuildPipeline();

    private static MarkdownPipeline BuildPipeline()
    {
        MarkdownPipelineBuilder builder = new MarkdownPipelineBuilder().UseAdvancedExtensions();
        // Bare URLs in report data (probe targets, the controller) stay text: the page links nowhere.
        builder.Extensions.RemoveAll(e => e is AutoLinkExtension);
        return builder.Build();
    }

    public static string Render(DrillReport report, IReadOnlyList<(string Probe, ProbeSample Sample)> samples)
    {
        (string head, string body) = MarkdownReport.RenderParts(report);
        return Page($"Failover drill: {report.Name} ({Fmt.Lower(report.Verdict)})", $"verdict-{Fmt.Lower(report.Verdict)}", head, SvgTimeline.Render(report, samples),
            "Each tick is one attempt at its start time (green ok, red and orange by failure kind); the blue line is the latency of successful attempts on a log scale. Hover a marker or a lane for details.",
            body);
    }

    /// <summary>
    /// The page around a report: <paramref name="head"/> and <paramref name="body"/> are Markdown, the chart between
    /// them inline SVG; <paramref name="bodyClass"/> (verdict-passed, -failed or -aborted) colours the title.
    /// </summary>
    internal static string Page(string title, string bodyClass, string head, string chart, string caption, string body) => $"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
        <meta name="generator" content="understudy">
        <title>{WebUtility.HtmlEncode(title)}</title>
        <style>{Css}</style>
        </head>
        <body class="{bodyClass}">
        <main>
        {Markdown.ToHtml(head, Pipeline)}
        <figure class="timeline">
        <div class="chart">{chart}</div>
        <figcaption>{WebUtility.HtmlEncode(caption)}</figcaption>
        </figure>
        {Markdown.ToHtml(body, Pipeline)}
        </main>
        </body>
        </html>

        """;

    // Tables and the chart scroll sideways inside the page on a narrow screen instead of widening it.
    private const string Css = """

        :root { color-scheme: light; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #fff; }
        main { max-width: 64rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.6rem; line-height: 1.25; margin: 0.5rem 0 1rem; }
        h2 { font-size: 1.25rem; margin-top: 2rem; padding-bottom: 0.25rem; border-bottom: 1px solid #d0d7de; }
        h3 { font-size: 1.05rem; }
        table { display: block; overflow-x: auto; max-width: 100%; border-collapse: collapse; margin: 0.75rem 0; font-size: 0.9rem; }
        th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
        th { background: #f6f8fa; }
        tr:nth-child(even) td { background: #fafbfc; }
        code, pre { font: 0.85rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
        pre { background: #f6f8fa; padding: 0.75rem; overflow-x: auto; border-radius: 6px; }
        figure.timeline { margin: 1rem 0; }
        figure.timeline .chart { overflow-x: auto; }
        figure.timeline svg { display: block; max-width: 100%; height: auto; min-width: 36rem; }
        figcaption { color: #57606a; font-size: 0.85rem; margin-top: 0.25rem; }
        .verdict-passed h1 { color: #1a7f37; }
        .verdict-failed h1 { color: #cf222e; }
        .verdict-aborted h1 { color: #9a6700; }
        @media (max-width: 40rem) { body { font-size: 14px; } main { padding: 0.6rem; } th, td { padding: 0.25rem 0.4rem; } }

        """;
}
