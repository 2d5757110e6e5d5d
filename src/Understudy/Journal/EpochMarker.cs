using System.Text.Json;
using Understudy.Core.Failover;
using Understudy.Core.Journal;

namespace Understudy.Journal;

/// <summary>
/// The highest epoch each service reached, kept beside the journal (<c>JOURNAL.epochs</c>) and outside it: a start on
/// a journal that knows less (deleted, replaced by an empty or older file) would route to the config's primary at an
/// epoch already used — a silent failback with a fencing token going backwards. The start refuses that unless told
/// <c>--new-journal</c>, and then continues every epoch from here.
/// </summary>
public sealed class EpochMarker(string journalPath)
{
    public string Path { get; } = journalPath + ".epochs";

    /// <summary>What the last run recorded; empty when there is no marker (a first start) or it cannot be read.</summary>
    public IReadOnlyDictionary<string, long> Read()
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, long>>(File.ReadAllText(Path)) ?? [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException) { return new Dictionary<string, long>(); }
    }

    /// <summary>Written whole to a temporary file, flushed, then renamed over the old one: never half a marker.</summary>
    public void Write(IReadOnlyDictionary<string, long> epochs)
    {
        string temporary = Path + ".tmp";
        using (var f = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(f, epochs);
            f.Flush(flushToDisk: true);
        }
        File.Move(temporary, Path, overwrite: true);
    }

    /// <summary>The services whose journal knows an earlier epoch than the marker: (state, the marker's epoch).</summary>
    public IReadOnlyList<(ServiceState State, long Reached)> Behind(IEnumerable<ServiceState> states)
    {
        IReadOnlyDictionary<string, long> reached = Read();
        return [.. states.Where(s => reached.GetValueOrDefault(s.Name) > s.Epoch).Select(s => (s, reached[s.Name]))];
    }
}

/// <summary>Keeps the <see cref="EpochMarker"/> up to date from the journal feed: rewritten only when an epoch grows.</summary>
public sealed partial class EpochMarkerWriter(EpochMarker marker, IReadOnlyDictionary<string, long> start, JournalFeed feed, ILogger<EpochMarkerWriter> logger)
    : BackgroundService
{
    private readonly System.Threading.Channels.ChannelReader<JournalEvent> _events = feed.Subscribe();

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        var epochs = new Dictionary<string, long>(start, StringComparer.Ordinal);
        Save(epochs);
        try
        {
            await foreach (JournalEvent e in _events.ReadAllAsync(stopping))
            {
                // A service a reload added is guarded from its first event on, like the ones the start knew.
                if (e.Service.Length == 0 || (epochs.TryGetValue(e.Service, out long known) && e.Epoch <= known)) continue;
                epochs[e.Service] = e.Epoch;
                Save(epochs);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
    }

    private void Save(Dictionary<string, long> epochs)
    {
        try { marker.Write(epochs); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The journal stays the record; the marker only guards the next start, and is written again at the next epoch.
            Log.NotWritten(logger, marker.Path, e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 135, Level = LogLevel.Warning, Message = "could not write {Path}: {Why}")]
        public static partial void NotWritten(ILogger logger, string path, string why);
    }
}
