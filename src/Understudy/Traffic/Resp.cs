using System.Buffers;
using System.Globalization;
using System.Text;
using RESPite.Messages;

namespace Understudy.Traffic;

/// <summary>
/// Requests as a Redis server reads them: RESP arrays of bulk strings, framed and read with RESPite (the RESP
/// parser StackExchange.Redis 3.x ships and uses; StackExchange.Redis itself is a client and cannot read requests).
/// RESPite marks its scanner experimental (SER004): the version is pinned with StackExchange.Redis in
/// Directory.Packages.props, and the unit tests pin the behaviour relied on here. A line of words (an "inline
/// command", what <c>nc</c> or telnet send) is split by hand, as Redis does.
/// </summary>
internal static class RespRequests
{
    /// <summary>A request may not be longer than this; a client that sends more is cut off (a Sentinel's requests are tiny).</summary>
    public const int MaxRequestBytes = 64 * 1024;

    /// <summary>
    /// Takes one request off the front of <paramref name="buffer"/>: true with its words, false when more bytes are
    /// needed. A malformed or oversized request sets <paramref name="error"/> (the connection should then close).
    /// </summary>
#pragma warning disable SER004 // RESPite's frame scanner: experimental, pinned (see the class comment)
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out string[] words, out string? error)
    {
        words = [];
        error = null;
        if (buffer.IsEmpty) return false;
        if (First(buffer) != (byte)'*') return TryReadInline(ref buffer, out words, out error);
        try
        {
            var state = new RespScanState();
            if (RespFrameScanner.Default.TryRead(ref state, in buffer) != OperationStatus.Done)
            {
                if (buffer.Length > MaxRequestBytes) error = $"request longer than {MaxRequestBytes} bytes";
                return false;
            }
            ReadOnlySequence<byte> frame = buffer.Slice(0, state.TotalBytes);
            RespFrameScanner.Default.ValidateRequest(in frame);
            words = Words(frame);
            buffer = buffer.Slice(state.TotalBytes);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or RESPite.RespException or ArgumentException)
        {
            error = e.Message;
            return false;
        }
    }
#pragma warning restore SER004

    private static byte First(ReadOnlySequence<byte> buffer) => buffer.FirstSpan.Length > 0 ? buffer.FirstSpan[0] : buffer.Slice(0, 1).ToArray()[0];

    private static string[] Words(ReadOnlySequence<byte> frame)
    {
        var reader = new RespReader(in frame);
        reader.MoveNext();
        var words = new string[reader.AggregateLength()];
        RespReader.AggregateEnumerator children = reader.AggregateChildren();
        for (int i = 0; i < words.Length && children.MoveNext(); i++) words[i] = children.Current.ReadString() ?? "";
        return words;
    }

    private static bool TryReadInline(ref ReadOnlySequence<byte> buffer, out string[] words, out string? error)
    {
        words = [];
        error = null;
        if (buffer.PositionOf((byte)'\n') is not { } end)
        {
            if (buffer.Length > MaxRequestBytes) error = $"inline request longer than {MaxRequestBytes} bytes";
            return false;
        }
        string line = Encoding.UTF8.GetString(buffer.Slice(0, end));
        buffer = buffer.Slice(buffer.GetPosition(1, end));
        words = line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
        return true;
    }
}

/// <summary>RESP2 replies, written to a connection's output (or a test's buffer).</summary>
internal sealed class RespWriter(IBufferWriter<byte> output)
{
    public void Simple(string text) => Line('+', text);

    /// <summary>An error; <paramref name="text"/> starts with its code (<c>ERR</c>, <c>NOPROTO</c>), as Redis's do.</summary>
    public void Error(string text) => Line('-', text);

    public void Integer(long n) => Line(':', n.ToString(CultureInfo.InvariantCulture));

    /// <summary>A bulk string; null is RESP2's null bulk string (<c>$-1</c>).</summary>
    public void Bulk(string? text)
    {
        if (text is null)
        {
            Line('$', "-1");
            return;
        }
        Line('$', Encoding.UTF8.GetByteCount(text).ToString(CultureInfo.InvariantCulture));
        Raw(text);
        Raw("\r\n");
    }

    /// <summary>The header of an array of <paramref name="count"/> items; its items follow.</summary>
    public void Array(int count) => Line('*', count.ToString(CultureInfo.InvariantCulture));

    /// <summary>RESP2's null array (<c>*-1</c>): Sentinel's "no such master".</summary>
    public void NullArray() => Line('*', "-1");

    public void Bulks(IReadOnlyCollection<string> items)
    {
        Array(items.Count);
        foreach (string item in items) Bulk(item);
    }

    private void Line(char prefix, string text)
    {
        Span<byte> head = [(byte)prefix];
        output.Write(head);
        // A simple string or error cannot hold a line break: Redis replaces them, and so do we.
        Raw(text.Replace('\r', ' ').Replace('\n', ' '));
        Raw("\r\n");
    }

    private void Raw(string text)
    {
        Span<byte> span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
