using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Understudy.Bench;

/// <summary>
/// Open-loop latency: GETs at a fixed rate, round robin over keep-alive connections (pipelined when one is behind),
/// each timed from its intended send time, so a stall also counts against the requests queued behind it. The sender
/// is one thread sleeping with usleep (Task.Delay and Thread.Sleep have a millisecond's grain).
/// </summary>
internal static class FixedRateLatency
{
    private static readonly byte[] Request = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(10);

    public static async Task<(double P50Us, double P99Us)> RunAsync(int port, int rate, int connections, TimeSpan duration)
    {
        int total = (int)(rate * duration.TotalSeconds);
        var us = new double[total];
        var sockets = new List<Socket>();
        try
        {
            var queues = new ConcurrentQueue<(long Due, int Index)>[connections];
            var readers = new Task[connections];
            for (int i = 0; i < connections; i++)
            {
                var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                sockets.Add(s);
                await s.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                queues[i] = new ConcurrentQueue<(long, int)>();
                readers[i] = ReadAnswersAsync(s, queues[i], us, total / connections + (i < total % connections ? 1 : 0));
            }
            var sender = new Thread(() => Send(sockets, queues, rate, total)) { IsBackground = true, Name = "fixed-rate sender" };
            sender.Start();
            await Task.WhenAll(readers).WaitAsync(duration + Drain);
            sender.Join();
        }
        finally
        {
            foreach (Socket s in sockets) s.Dispose();
        }
        Array.Sort(us);
        return (us[total / 2], us[total * 99 / 100]);
    }

    private static void Send(List<Socket> sockets, ConcurrentQueue<(long, int)>[] queues, int rate, int total)
    {
        double ticksPerRequest = (double)Stopwatch.Frequency / rate;
        long start = Stopwatch.GetTimestamp();
        for (int k = 0; k < total; k++)
        {
            long due = start + (long)(k * ticksPerRequest);
            long wait = due - Stopwatch.GetTimestamp();
            if (wait > 0) _ = Usleep((uint)(wait * 1_000_000 / Stopwatch.Frequency));
            int c = k % sockets.Count;
            queues[c].Enqueue((due, k));
            sockets[c].Send(Request);
        }
    }

    /// <summary>Reads <paramref name="answers"/> whole answers (Content-Length bodies), each timed against its request's due time.</summary>
    private static async Task ReadAnswersAsync(Socket s, ConcurrentQueue<(long Due, int Index)> sent, double[] us, int answers)
    {
        byte[] buffer = new byte[64 * 1024];
        int have = 0;
        while (answers > 0)
        {
            int n = await s.ReceiveAsync(buffer.AsMemory(have), SocketFlags.None);
            if (n == 0) throw new IOException($"the connection closed with {answers} answers to come");
            have += n;
            int used;
            while ((used = AnswerLength(buffer.AsSpan(0, have))) > 0)
            {
                long now = Stopwatch.GetTimestamp();
                if (!sent.TryDequeue(out var request)) throw new InvalidDataException("an answer to no request");
                us[request.Index] = Stopwatch.GetElapsedTime(request.Due, now).TotalMicroseconds;
                Buffer.BlockCopy(buffer, used, buffer, 0, have - used);
                have -= used;
                answers--;
            }
        }
    }

    /// <summary>The length of the whole answer at the start of <paramref name="bytes"/>, or 0 while it is incomplete.</summary>
    private static int AnswerLength(ReadOnlySpan<byte> bytes)
    {
        int headerEnd = bytes.IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0) return 0;
        string header = Encoding.ASCII.GetString(bytes[..headerEnd]);
        int at = header.IndexOf("\r\nContent-Length:", StringComparison.OrdinalIgnoreCase);
        if (at < 0) throw new InvalidDataException($"an answer without Content-Length:\n{header}");
        int lineEnd = header.IndexOf('\r', at + 2);
        int length = int.Parse(header.AsSpan(at + 17, (lineEnd < 0 ? header.Length : lineEnd) - at - 17).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        int whole = headerEnd + 4 + length;
        return bytes.Length >= whole ? whole : 0;
    }

    [DllImport("libc", EntryPoint = "usleep")]
    private static extern int Usleep(uint microseconds);
}
