using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Understudy.IntegrationTests.Partitions.Checking;

/// <summary>The checker's table: Markdown for people (and BENCHMARKS.md), JSON lines for scripts.</summary>
public static class ResultTable
{
    public const string Header = """
        | scenario | seed | attempts | acked | availability | lost acked | split brain | failovers (expected) | RTO ms | worst client RTO ms | unacked yet present | local-only commits | final primary | acked by primary/timeline |
        |---|---|---|---|---|---|---|---|---|---|---|---|---|---|
        """;

    public static string Row(CheckResult r, string expectedFailovers) => string.Create(CultureInfo.InvariantCulture,
        $"| {r.Scenario} | {r.Seed} | {r.Attempts} | {r.Acked} | {r.Availability:P1} | {r.Lost} | {r.SplitBrain} | {r.Failovers} ({expectedFailovers}) | {r.RtoMs:0} | {r.WorstClientRtoMs:0} | {r.UnackedPresent} | {r.LocalOnly} | {r.FinalPrimary} | {r.Primaries} |");

    /// <summary>Appends to <c>results.md</c> (header first) and <c>results.jsonl</c> in <paramref name="folder"/>; several tests share them.</summary>
    public static void Append(string folder, CheckResult r, string expectedFailovers, string verdict)
    {
        Directory.CreateDirectory(folder);
        lock (Gate)
        {
            string md = Path.Combine(folder, "results.md");
            if (!File.Exists(md)) File.WriteAllText(md, Header + "\n");
            File.AppendAllText(md, Row(r, expectedFailovers) + "\n");
            var json = JsonSerializer.Serialize(new { r.Scenario, r.Seed, result = r, expected_failovers = expectedFailovers, verdict },
                new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
            File.AppendAllText(Path.Combine(folder, "results.jsonl"), json + "\n", new UTF8Encoding(false)); // JSON lines: no BOM
        }
    }

    private static readonly object Gate = new();
}
