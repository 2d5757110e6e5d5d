using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Understudy.Bench;

/// <summary>
/// The <c>conns</c> bench's client, a process of its own so its sockets count against no one else's open-file limit.
/// Commands on stdin (<c>open N</c>, <c>active SECONDS</c>, <c>watch SECONDS</c>), one JSON line on stdout for each;
/// it exits when stdin ends, so it never outlives the bench.
/// </summary>
internal static class ConnectionsClient
{
    private static readonly byte[] Get = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: bench\r\n\r\n");
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly List<Socket> Open = [];

    public static async Task RunAsync(int port)
    {
        var proxy = new IPEndPoint(IPAddress.Loopback, port);
        while (await Console.In.ReadLineAsync() is { } line)
        {
            string[] words = line.Split(' ');
            int arg = int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture);
            object result = words[0] switch
            {
                "open" => await OpenAsync(proxy, arg),
                "active" => await ActiveAsync(TimeSpan.FromSeconds(arg)),
                "watch" => await WatchAsync(TimeSpan.FromSeconds(arg)),
                _ => new { error = $"unknown command {words[0]}" },
            };
            Console.Out.WriteLine(JsonSerializer.Serialize(result));
        }
    }

    /// <summary>Opens <paramref name="n"/> connections, 64 at a time; each counts once its first keep-alive request is answered.</summary>
    private static async Task<object> OpenAsync(IPEndPoint proxy, int n)
    {
        var clock = Stopwatch.StartNew();
        int failed = 0;
        var errors = new ConcurrentDictionary<string, int>();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = limit.Token }, async (_, ct) =>
            {
                var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(RequestTimeout);
                    await s.ConnectAsync(proxy, timeout.Token);
                    await RequestAsync(s, timeout.Token);
                    lock (Open) Open.Add(s);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
                {
                    s.Dispose();
                    Interlocked.Increment(ref failed);
                    errors.AddOrUpdate(e.GetType().Name + ": " + e.Message, 1, (_, c) => c + 1);
                }
            });
        }
        catch (OperationCanceledException) { } // the phase's time limit: report what is open
        return new { opened = Open.Count, failed, seconds = clock.Elapsed.TotalSeconds, errors };
    }

    /// <summary>Every open connection sends a GET about once a second, spread over the second, for <paramref name="length"/>.</summary>
    private static async Task<object> ActiveAsync(TimeSpan length)
    {
        var latencies = new ConcurrentBag<double>();
        int errors = 0;
        var clock = Stopwatch.StartNew();
        Socket[] all = [.. Open];
        await Task.WhenAll(all.Select(async (s, i) =>
        {
            TimeSpan offset = TimeSpan.FromSeconds((double)i / all.Length);
            for (int k = 0; offset + TimeSpan.FromSeconds(k) < length; k++)
            {
                TimeSpan wait = offset + TimeSpan.FromSeconds(k) - clock.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                long t = Stopwatch.GetTimestamp();
                try
                {
                    using var timeout = new CancellationTokenSource(RequestTimeout);
                    await RequestAsync(s, timeout.Token);
                    latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
                {
                    Interlocked.Increment(ref errors);
                    return; // the connection's state is unknown now: it sends no more
                }
            }
        }));
        double[] sorted = [.. latencies.Order()];
        return new
        {
            requests = sorted.Length, errors, seconds = clock.Elapsed.TotalSeconds,
            p50 = sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2], p99 = sorted.Length == 0 ? double.NaN : sorted[sorted.Length * 99 / 100],
        };
    }

    /// <summary>
    /// A read on every open connection, written "watching" first so the bench can break the primary; each read's end (0 bytes
    /// or an error) is a close, timed on the wall clock (CLOCK_REALTIME, as the journal's). Ends when all closed or after <paramref name="within"/>.
    /// </summary>
    private static async Task<object> WatchAsync(TimeSpan within)
    {
        using var limit = new CancellationTokenSource(within);
        var closedAt = new ConcurrentBag<double>();
        int data = 0;
        Task[] reads = [.. Open.Select(async s =>
        {
            try
            {
                if (await s.ReceiveAsync(new byte[1], SocketFlags.None, limit.Token) > 0) Interlocked.Increment(ref data);
            }
            catch (SocketException) { }
            catch (OperationCanceledException) { return; }
            closedAt.Add((DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds);
        })];
        Console.Out.WriteLine(JsonSerializer.Serialize(new { watching = reads.Length }));
        await Task.WhenAll(reads);
        foreach (Socket s in Open) s.Dispose();
        Open.Clear();
        return new { closedAt = closedAt.Order().ToArray(), stillOpen = reads.Length - closedAt.Count, data };
    }

    /// <summary>One GET on a keep-alive connection, read to the end of its body (Content-Length); throws unless 200.</summary>
    private static async Task RequestAsync(Socket s, CancellationToken ct)
    {
        await s.SendAsync(Get, SocketFlags.None, ct);
        var buffer = new byte[1024];
        int have = 0, headerEnd = -1, length = 0;
        while (headerEnd < 0 || have < headerEnd + length)
        {
            int n = await s.ReceiveAsync(buffer.AsMemory(have), SocketFlags.None, ct);
            if (n == 0) throw new IOException("closed before the answer ended");
            have += n;
            if (headerEnd >= 0) continue;
            int i = buffer.AsSpan(0, have).IndexOf("\r\n\r\n"u8);
            if (i < 0) continue;
            headerEnd = i + 4;
            string head = Encoding.ASCII.GetString(buffer, 0, i);
            if (!head.StartsWith("HTTP/1.1 200", StringComparison.Ordinal)) throw new IOException($"answered {head.Split('\r')[0]}");
            string? cl = head.Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            length = cl is null ? 0 : int.Parse(cl["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
