using System.Collections.Concurrent;
using System.Text.Json;
using Understudy.Core.Drills;

namespace Understudy.Drills.Reports;

/// <summary>One report folder as the API lists it. <see cref="Problem"/> says why one is listed as unreadable.</summary>
public sealed record DrillListing(string Folder, string? Name, DateTimeOffset? StartedAt, string Verdict, double? RtoMs, IReadOnlyList<string> Files, string? Problem = null);

/// <summary>The newest report folders, and how many folders there are in all.</summary>
public sealed record DrillListingPage(IReadOnlyList<DrillListing> Drills, int Total);

/// <summary>
/// The drill report folders directly under <c>controller.drills_dir</c>. Only the summary fields of each
/// report.json are read, and kept until the file changes: the dashboard asks again every few seconds.
/// Names that come from a URL are checked against what is there, so a request reaches nothing but the
/// report files of a folder directly under the root.
/// </summary>
public sealed class ReportIndex(string root)
{
    public const int MaxListed = 200;
    public const string Unreadable = "unreadable";

    private static readonly Dictionary<string, ReportFile> Files = Enum.GetValues<ReportFile>().ToDictionary(ReportFolder.FileName);
    private static readonly string[] Verdicts = [.. Enum.GetValues<Verdict>().Select(v => v.ToString().ToLowerInvariant())];
    private readonly ConcurrentDictionary<string, (DateTime Written, long Length, DrillListing Summary)> _summaries = new(StringComparer.Ordinal);

    /// <summary>
    /// The <paramref name="max"/> newest folders by started_at, newest first. Only the <paramref name="max"/>
    /// most recently written folders are read, so the cost stays bounded however many there are.
    /// </summary>
    public DrillListingPage List(int max = MaxListed)
    {
        var dir = new DirectoryInfo(root);
        DirectoryInfo[] folders = dir.Exists ? [.. dir.EnumerateDirectories().Where(d => IsFolderName(d.Name) && d.LinkTarget is null)] : [];
        var newest = folders.OrderByDescending(d => d.LastWriteTimeUtc).Take(max)
            .Select(d => (Listing: Describe(d), Written: new DateTimeOffset(d.LastWriteTimeUtc))).ToList();
        foreach (string gone in _summaries.Keys.Except(newest.Select(n => n.Listing.Folder))) _summaries.TryRemove(gone, out _);
        return new DrillListingPage([.. newest.OrderByDescending(n => n.Listing.StartedAt ?? n.Written).Select(n => n.Listing)], folders.Length);
    }

    /// <summary>
    /// The path of report file <paramref name="file"/> (report.html, report.md, report.json or samples.csv)
    /// in <paramref name="folder"/>, or null unless the folder is a plain name directly under the root and
    /// neither is a symbolic link (which could point anywhere on the machine).
    /// </summary>
    public (string Path, ReportFile File)? Find(string folder, string file)
    {
        if (!Files.TryGetValue(file, out ReportFile kind) || !IsFolderName(folder)) return null;
        var dir = new DirectoryInfo(Path.Combine(root, folder));
        string path = Path.Combine(dir.FullName, file);
        return dir is { Exists: true, LinkTarget: null } && IsPlainFile(path) ? (path, kind) : null;
    }

    /// <summary>One name, not a path: no separator, and not ".", ".." or a hidden folder.</summary>
    public static bool IsFolderName(string name) =>
        name.Length is > 0 and <= 255 && name[0] != '.' && name.IndexOfAny(['/', '\\', '\0']) < 0;

    private DrillListing Describe(DirectoryInfo folder)
    {
        string[] present = [.. Files.Keys.Where(f => IsPlainFile(Path.Combine(folder.FullName, f)))];
        var json = new FileInfo(Path.Combine(folder.FullName, ReportFolder.FileName(ReportFile.Json)));
        if (!present.Contains(json.Name))
            return Broken(folder.Name, "no report.json (a drill still writing it, or not a report folder)") with { Files = present };
        if (!_summaries.TryGetValue(folder.Name, out var known) || known.Written != json.LastWriteTimeUtc || known.Length != json.Length)
            _summaries[folder.Name] = known = (json.LastWriteTimeUtc, json.Length, Summarize(folder.Name, json.FullName));
        return known.Summary with { Files = present };
    }

    private static DrillListing Summarize(string folder, string path)
    {
        try
        {
            using FileStream stream = File.OpenRead(path);
            using JsonDocument doc = JsonDocument.Parse(stream);
            JsonElement r = doc.RootElement;
            if (r.ValueKind != JsonValueKind.Object) return Broken(folder, "report.json: expected a JSON object");
            if (Text(r, "verdict") is not { } verdict || !Verdicts.Contains(verdict))
                return Broken(folder, $"report.json: verdict: expected one of {string.Join(", ", Verdicts)}");
            if (!r.TryGetProperty("started_at", out JsonElement s) || s.ValueKind != JsonValueKind.String || !s.TryGetDateTimeOffset(out DateTimeOffset started))
                return Broken(folder, "report.json: started_at: expected an ISO 8601 time");
            double? rto = r.TryGetProperty("rto_ms", out JsonElement ms) && ms.ValueKind == JsonValueKind.Number ? ms.GetDouble() : null;
            return new DrillListing(folder, Text(r, "name"), started, verdict, rto, []);
        }
        catch (JsonException e)
        {
            return Broken(folder, $"report.json: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not e.Message: it names the file's path on this machine, and the listing goes to every viewer.
            return Broken(folder, $"report.json: cannot be read ({(e is UnauthorizedAccessException ? "permission denied" : "an I/O error")})");
        }
    }

    private static string? Text(JsonElement o, string name) =>
        o.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static DrillListing Broken(string folder, string problem) => new(folder, null, null, Unreadable, null, [], problem);

    private static bool IsPlainFile(string path) => new FileInfo(path) is { Exists: true, LinkTarget: null };
}
