using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Understudy.Core.Journal;
using Understudy.Journal;

namespace Understudy.Bench;

/// <summary>
/// The journal at scale: a SQLite journal of N events (1,000 services, mostly check events, a failover now and then),
/// then the reads <c>GET /api/events</c> makes (SqliteJournal.ReadAsync, without HTTP), each repeated, with and
/// without the type index. Opening the journal the first time adds those indexes: how long that takes is
/// what upgrading a journal of that size costs once.
/// </summary>
public static class JournalScaleBench
{
    public sealed record Shape(string Name, JournalQuery Query);

    public sealed record Timing(string Shape, int Rows, double P50Ms, double MaxMs, double? WithoutIndexesP50Ms);

    public sealed record Result(long Events, double FillSeconds, double IndexSeconds, long Bytes, IReadOnlyList<Timing> Timings);

    private const int Repeats = 20;
    private const int Services = 1000;
    private static readonly string[] CheckTypes = [EventTypes.MemberUp, EventTypes.MemberDown, EventTypes.MemberSuspected];
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<Result> RunAsync(long events, TextWriter progress)
    {
        string dir = Directory.CreateTempSubdirectory("understudy-journal-bench-").FullName;
        try
        {
            string path = Path.Combine(dir, "journal.db");
            await (await SqliteJournal.OpenAsync(path)).DisposeAsync(); // the schema
            var clock = Stopwatch.StartNew();
            await FillAsync(path, events, progress);
            double fill = clock.Elapsed.TotalSeconds;
            progress.WriteLine($"{events:N0} events written in {fill:0} s; opening adds the indexes");
            clock.Restart();
            await (await SqliteJournal.OpenAsync(path)).DisposeAsync();
            double index = clock.Elapsed.TotalSeconds;
            await CheckpointAsync(path); // the index went to the WAL; both passes read a checkpointed file
            var reader = SqliteJournal.OpenReadOnly(path);

            DateTimeOffset last = Start.AddMilliseconds(events);
            Shape[] shapes =
            [
                new("newest 100 (order=desc)", new JournalQuery(Limit: 101, NewestFirst: true)),
                new("oldest 1000 (first page)", new JournalQuery(Limit: 1001)),
                new("1000 after the middle id (a later page)", new JournalQuery(AfterId: events / 2, Limit: 1001)),
                new("newest 100 of one service", new JournalQuery(Service: "svc-0421", Limit: 101, NewestFirst: true)),
                new("newest 100 failover.started (rare type)", new JournalQuery(Type: EventTypes.FailoverStarted, Limit: 101, NewestFirst: true)),
                new("oldest 1000 failover.* (type prefix)", new JournalQuery(TypePrefix: "failover.", Limit: 1001)),
                new("oldest 1000 since the last minute", new JournalQuery(Since: last.AddMinutes(-1), Limit: 1001)),
                new("one service's failover.started, oldest first", new JournalQuery(Service: "svc-0421", Type: EventTypes.FailoverStarted, Limit: 1001)),
            ];
            // Warm the JIT (tiered compilation) on every shape first, so the first pass is not the slower for it.
            for (int i = 0; i < 5; i++) foreach (Shape shape in shapes) await reader.ReadAsync(shape.Query);
            var timings = new List<(Shape Shape, int Rows, double P50, double Max)>();
            foreach (Shape shape in shapes) timings.Add(await TimeAsync(q => reader.ReadAsync(q), shape, progress));

            await using (var conn = new SqliteConnection($"Data Source={path}"))
            {
                await conn.OpenAsync();
                await using var drop = conn.CreateCommand();
                drop.CommandText = "DROP INDEX events_by_type;";
                await drop.ExecuteNonQueryAsync();
            }
            await CheckpointAsync(path);
            var without = new List<double>();
            SqliteConnection.ClearAllPools();
            foreach (Shape shape in shapes) without.Add((await TimeAsync(q => reader.ReadAsync(q), shape, progress, "without the type index")).P50);

            return new Result(events, fill, index, new FileInfo(path).Length,
                [.. timings.Select((t, i) => new Timing(t.Shape.Name, t.Rows, t.P50, t.Max, without[i]))]);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task CheckpointAsync(string path)
    {
        await using var conn = new SqliteConnection($"Data Source={path}");
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Rows as the controller writes them, in transactions of 100,000; the bench's own fill, not the append path (one fsync per decision).</summary>
    private static async Task FillAsync(string path, long events, TextWriter progress)
    {
        await using var conn = new SqliteConnection($"Data Source={path}");
        await conn.OpenAsync();
        await using (var pragma = conn.CreateCommand())
        {
            // The type index is dropped so that opening the journal afterwards shows what adding it costs.
            pragma.CommandText = "PRAGMA synchronous = OFF; DROP INDEX IF EXISTS events_by_type;";
            await pragma.ExecuteNonQueryAsync();
        }
        await using var insert = conn.CreateCommand();
        insert.CommandText = "INSERT INTO events (time, service, member, epoch, type, actor, details) VALUES ($time, $service, $member, 1, $type, 'controller', $details)";
        var time = insert.Parameters.Add("$time", SqliteType.Text);
        var service = insert.Parameters.Add("$service", SqliteType.Text);
        var member = insert.Parameters.Add("$member", SqliteType.Text);
        var type = insert.Parameters.Add("$type", SqliteType.Text);
        var details = insert.Parameters.Add("$details", SqliteType.Text);
        var random = new Random(17);
        for (long done = 0; done < events;)
        {
            await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync();
            insert.Transaction = tx;
            for (int i = 0; i < 100_000 && done < events; i++, done++)
            {
                int s = random.Next(Services);
                bool failover = random.Next(100_000) == 0;
                time.Value = Start.AddMilliseconds(done).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
                service.Value = $"svc-{s:0000}";
                member.Value = $"svc-{s:0000}-{(random.Next(2) == 0 ? 'a' : 'b')}";
                type.Value = failover ? EventTypes.FailoverStarted : CheckTypes[random.Next(CheckTypes.Length)];
                details.Value = """{"reason":"svc passed 2 checks in a row","detail":"HTTP 200 in 3 ms","origin":"active"}""";
                await insert.ExecuteNonQueryAsync();
            }
            await tx.CommitAsync();
            if (done % 1_000_000 == 0) progress.WriteLine($"  {done:N0} events");
        }
    }

    private static async Task<(Shape Shape, int Rows, double P50, double Max)> TimeAsync(
        Func<JournalQuery, Task<IReadOnlyList<JournalEvent>>> read, Shape shape, TextWriter progress, string? note = null)
    {
        var ms = new List<double>();
        int rows = (await read(shape.Query)).Count; // warm: the first read pays for the page cache and the JIT
        for (int i = 0; i < Repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            rows = (await read(shape.Query)).Count;
            ms.Add(clock.Elapsed.TotalMilliseconds);
        }
        ms.Sort();
        progress.WriteLine($"  {shape.Name}{(note is null ? "" : $", {note}")}: {rows} rows, p50 {ms[ms.Count / 2]:0.0} ms");
        return (shape, rows, ms[ms.Count / 2], ms[^1]);
    }

    public static void Print(Result r, TextWriter o)
    {
        o.WriteLine($"Journal of {r.Events:N0} events ({r.Bytes / (1024.0 * 1024):0} MiB): written by the bench in {r.FillSeconds:0} s; " +
                    $"opening it the first time added the type index in {r.IndexSeconds:0.0} s.");
        o.WriteLine();
        o.WriteLine($"| read (what `GET /api/events` asks the journal) | rows | p50 ms | max ms ({Repeats} runs) | p50 ms without the type index |");
        o.WriteLine("|---|---|---|---|---|");
        foreach (Timing t in r.Timings)
            o.WriteLine($"| {t.Shape} | {t.Rows} | {t.P50Ms:0.0} | {t.MaxMs:0.0} | {t.WithoutIndexesP50Ms:0.0} |");
    }
}
