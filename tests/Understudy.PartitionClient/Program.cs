// Writes through one proxy, open-loop, and logs every attempt as a JSON line:
//   partition-client NAME CONNECTION_STRING LOG_FILE EVERY_MS
// Each attempt is a new connection (so it follows routing changes) inserting a unique id; the answer names the
// server (cluster_name) and its timeline, which tell an old primary from a promoted one. SIGTERM stops new attempts,
// waits for those in flight and exits.
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Npgsql;
using Understudy.PartitionClient;

if (args.Length != 4) { Console.Error.WriteLine("usage: partition-client NAME CONNECTION_STRING LOG_FILE EVERY_MS"); return 2; }
string name = args[0], connection = args[1], logFile = args[2];
var every = TimeSpan.FromMilliseconds(int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
const int MaxInFlight = 50;

using var stop = new CancellationTokenSource();
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
using var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
var gate = new object();
var inFlight = new List<Task>();
var clock = Stopwatch.StartNew();

for (long seq = 0; !stop.IsCancellationRequested; seq++)
{
    inFlight.RemoveAll(t => t.IsCompleted);
    string id = $"{name}-{seq}";
    if (inFlight.Count >= MaxInFlight) Write(new Attempt(id, name, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, false, null, null, "overload"));
    else inFlight.Add(Task.Run(() => AttemptAsync(id)));
    TimeSpan next = every * (seq + 1) - clock.Elapsed;
    if (next > TimeSpan.Zero) { try { await Task.Delay(next, stop.Token); } catch (OperationCanceledException) { } }
}
await Task.WhenAll(inFlight);
return 0;

async Task AttemptAsync(string id)
{
    var start = DateTimeOffset.UtcNow;
    try
    {
        await using var conn = new NpgsqlConnection(connection);
        // PostgreSQL answers a commit whose wait for the synchronous standby was cancelled (here: Npgsql's command timeout
        // sends a cancel request) with success and this WARNING: committed on the primary only. That is no acknowledgement.
        string? localOnly = null;
        conn.Notice += (_, e) => { if (e.Notice.MessageText.Contains("synchronous replication", StringComparison.OrdinalIgnoreCase)) localOnly = e.Notice.MessageText; };
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO writes (id, client) VALUES ($1, $2) RETURNING current_setting('cluster_name'), ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = name });
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        string server = reader.GetString(0);
        int timeline = reader.GetInt32(1);
        // The row comes before the commit's end: only the command's completion acknowledges it, and the WARNING of a
        // cancelled synchronous wait arrives just before that (judged on the row alone, 30 such commits once counted as lost).
        await reader.CloseAsync();
        Write(localOnly is null
            ? new Attempt(id, name, start, DateTimeOffset.UtcNow, true, server, timeline, null)
            : new Attempt(id, name, start, DateTimeOffset.UtcNow, false, server, timeline, $"{Attempt.LocalOnly}: {localOnly}"));
    }
    catch (Exception e)
    {
        // Not acknowledged: it may or may not have been committed; the checker counts only acknowledged ones.
        Write(new Attempt(id, name, start, DateTimeOffset.UtcNow, false, null, null, e.Message));
    }
}

void Write(Attempt a)
{
    string line = JsonSerializer.Serialize(a, AttemptJson.Default.Attempt);
    lock (gate) log.WriteLine(line);
}
