using System.Text;
using Understudy.Core.Drills;

namespace Understudy.Drills.Reports;

/// <summary>The files a report folder holds; <see cref="ReportFolder.RenderAsync"/> re-renders the first three.</summary>
public enum ReportFile { Markdown, Html, Json, Samples }

/// <summary>
/// A drill's report folder, <c>YYYY-MM-DD-&lt;slug&gt;</c> under a parent such as artifacts/failover-tests:
/// report.md, report.html, report.json and samples.csv. report.json and samples.csv are the record; the
/// other two are renderings of them and can be made again at any time.
/// </summary>
public static class ReportFolder
{
    public static string FileName(ReportFile file) => file switch
    {
        ReportFile.Markdown => "report.md",
        ReportFile.Html => "report.html",
        ReportFile.Json => "report.json",
        _ => "samples.csv",
    };

    /// <summary>
    /// The drill name as a folder name: lowercase, every character outside [a-z0-9] becomes '-', runs of
    /// '-' collapse and none lead or trail. "drill" when nothing is left (a name of only punctuation).
    /// </summary>
    public static string Slug(string name)
    {
        var b = new StringBuilder(name.Length);
        foreach (char c in name.ToLowerInvariant())
        {
            bool keep = c is >= 'a' and <= 'z' or >= '0' and <= '9';
            if (keep) b.Append(c);
            else if (b.Length > 0 && b[^1] != '-') b.Append('-');
        }
        string slug = b.ToString().TrimEnd('-');
        return slug.Length == 0 ? "drill" : slug;
    }

    /// <summary>
    /// Creates and returns parent/YYYY-MM-DD-slug, or -2, -3… when that is taken, so an earlier report of
    /// the same drill on the same day is never overwritten. The date is <paramref name="date"/>'s UTC date,
    /// like every time inside the report.
    /// </summary>
    public static string Create(string parent, string name, DateTimeOffset date)
    {
        Directory.CreateDirectory(parent);
        string stem = $"{Fmt.Day(date)}-{Slug(name)}";
        for (int n = 1; ; n++)
        {
            string path = Path.Combine(parent, n == 1 ? stem : $"{stem}-{n}");
            if (Directory.Exists(path) || File.Exists(path)) continue;
            Directory.CreateDirectory(path);
            return path;
        }
    }

    /// <summary>
    /// Writes all four files. samples.csv first and report.json last: a folder with a report.json always has
    /// its samples, and report.json is what marks a folder as a report (see <see cref="ReadAsync"/>).
    /// </summary>
    public static async Task WriteAsync(string folder, DrillReport report, IReadOnlyList<(string Probe, ProbeSample Sample)> samples, CancellationToken ct = default)
    {
        Directory.CreateDirectory(folder);
        await WriteAtomicallyAsync(Path.Combine(folder, FileName(ReportFile.Samples)), w => { SamplesCsv.Write(w, samples); return Task.CompletedTask; }, ct);
        foreach (ReportFile file in new[] { ReportFile.Markdown, ReportFile.Html, ReportFile.Json })
            await RenderAsync(folder, file, report, samples, ct);
    }

    /// <summary>(Re)writes one rendering in <paramref name="folder"/>, replacing it whole; returns its path.</summary>
    public static async Task<string> RenderAsync(string folder, ReportFile file, DrillReport report, IReadOnlyList<(string Probe, ProbeSample Sample)> samples, CancellationToken ct = default)
    {
        string text = file switch
        {
            ReportFile.Markdown => MarkdownReport.Render(report),
            ReportFile.Html => HtmlReport.Render(report, samples),
            ReportFile.Json => ReportJson.Write(report),
            _ => SamplesCsv.Write(samples),
        };
        string path = Path.Combine(folder, FileName(file));
        await WriteAtomicallyAsync(path, w => w.WriteAsync(text.AsMemory(), ct), ct);
        return path;
    }

    /// <summary>Reads report.json and samples.csv; every expected problem is a <see cref="ReportException"/> saying what to do.</summary>
    public static async Task<(DrillReport Report, IReadOnlyList<(string Probe, ProbeSample Sample)> Samples)> ReadAsync(string folder, CancellationToken ct = default)
    {
        if (!Directory.Exists(folder))
            throw new ReportException(File.Exists(folder) ? $"{folder} is a file, not a drill report folder" : $"{folder} does not exist");
        string json = Path.Combine(folder, FileName(ReportFile.Json)), csv = Path.Combine(folder, FileName(ReportFile.Samples));
        if (!File.Exists(json)) throw new ReportException($"{folder} has no report.json: is it a drill report folder?");
        if (!File.Exists(csv)) throw new ReportException($"{folder} has report.json but no samples.csv: the attempts cannot be redrawn without it");
        try
        {
            DrillReport report = ReportJson.Read(await File.ReadAllTextAsync(json, ct), json);
            using var reader = new StreamReader(csv, Encoding.UTF8);
            return (report, SamplesCsv.Read(reader, csv));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ReportException($"cannot read {folder}: {e.Message}");
        }
    }

    /// <summary>
    /// Writes to a temporary name beside the target, flushes it to disk, then renames it over the target:
    /// readers and a crash mid-write see the old file or the new one, never half of one.
    /// </summary>
    internal static async Task WriteAtomicallyAsync(string path, Func<StreamWriter, Task> write, CancellationToken ct)
    {
        string temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
            {
                await using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024, leaveOpen: true))
                    await write(writer);
                ct.ThrowIfCancellationRequested();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
