using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Understudy.Traffic.Resp;

/// <summary>
/// Finds where one RESP2/RESP3 frame ends in a byte stream, and reads a client's command name, without copying what
/// it passes on. Written by hand: StackExchange.Redis parses replies for its own multiplexer but exposes no parser for
/// a relay that must see frame boundaries in both directions and forward the bytes untouched. Streamed strings and
/// aggregates (<c>$?</c>, <c>*?</c>) are not supported: servers send them only to clients that ask for them.
/// </summary>
public static class RespFrames
{
    /// <summary>Past one whole frame; false (the reader unmoved) when the buffer holds only part of it.</summary>
    public static bool TrySkip(ref SequenceReader<byte> reader, out byte type)
    {
        SequenceReader<byte> start = reader;
        if (!TrySkipInner(ref reader, out type))
        {
            reader = start;
            return false;
        }
        return true;
    }

    private static bool TrySkipInner(ref SequenceReader<byte> r, out byte type)
    {
        if (!r.TryRead(out type)) return false;
        switch ((char)type)
        {
            case '+' or '-' or ':' or '_' or '#' or ',' or '(':
                return r.TryReadTo(out ReadOnlySequence<byte> _, "\r\n"u8);
            case '$' or '!' or '=':
                if (!TryReadLength(ref r, out long length)) return false;
                if (length < 0) return true;
                if (r.Remaining < length + 2) return false;
                r.Advance(length + 2);
                return true;
            case '*' or '~' or '>' or '%' or '|':
                if (!TryReadLength(ref r, out long count)) return false;
                if (type is (byte)'%' or (byte)'|') count *= 2;
                for (long i = 0; i < count; i++)
                    if (!TrySkipInner(ref r, out _)) return false;
                return true;
            default:
                throw new InvalidDataException($"not RESP: a frame starts with byte 0x{type:x2}");
        }
    }

    /// <summary>
    /// Past one client command (an array of bulk strings, or an inline command line); <paramref name="words"/> holds its
    /// first three words upper-cased (name, subcommand, first argument), which is all the relay needs to classify it.
    /// </summary>
    public static bool TryReadCommand(ref SequenceReader<byte> reader, out string[] words)
    {
        SequenceReader<byte> start = reader;
        words = [];
        if (!reader.TryPeek(out byte first)) return false;
        bool ok = first == (byte)'*' ? TryReadArray(ref reader, out words) : TryReadInline(ref reader, out words);
        if (!ok) reader = start;
        return ok;
    }

    private static bool TryReadArray(ref SequenceReader<byte> r, out string[] words)
    {
        words = [];
        r.Advance(1);
        if (!TryReadLength(ref r, out long count)) return false;
        var kept = new List<string>(3);
        for (long i = 0; i < count; i++)
        {
            if (!r.TryRead(out byte type)) return false;
            if (type != (byte)'$') throw new InvalidDataException("not RESP: a command's arguments must be bulk strings");
            if (!TryReadLength(ref r, out long length) || length < 0 || r.Remaining < length + 2) return false;
            if (kept.Count < 3) kept.Add(Upper(r.UnreadSequence.Slice(0, length)));
            r.Advance(length + 2);
        }
        words = [.. kept];
        return true;
    }

    private static bool TryReadInline(ref SequenceReader<byte> r, out string[] words)
    {
        words = [];
        if (!r.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n')) return false;
        words = [.. Encoding.UTF8.GetString(line).TrimEnd('\r').Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(3).Select(w => w.ToUpperInvariant())];
        return true;
    }

    private static bool TryReadLength(ref SequenceReader<byte> r, out long value)
    {
        value = 0;
        if (!r.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8)) return false;
        Span<byte> digits = stackalloc byte[24];
        if (line.Length > digits.Length) throw new InvalidDataException("not RESP: a length longer than 24 digits");
        line.CopyTo(digits);
        if (!Utf8Parser.TryParse(digits[..(int)line.Length], out value, out int used) || used != line.Length)
            throw new InvalidDataException("not RESP: a length that is not a number");
        return true;
    }

    /// <summary>The integer of a <c>:N</c> reply; null for any other frame (an error, say).</summary>
    public static long? Integer(ReadOnlySequence<byte> frame)
    {
        if (frame.Length < 4 || frame.FirstSpan[0] != (byte)':') return null;
        Span<byte> text = stackalloc byte[(int)Math.Min(frame.Length, 24)];
        frame.Slice(1, text.Length - 1).CopyTo(text);
        return Utf8Parser.TryParse(text, out long n, out _) ? n : null;
    }

    private static string Upper(ReadOnlySequence<byte> bytes) =>
        bytes.Length > 64 ? "" : Encoding.UTF8.GetString(bytes).ToUpperInvariant();

    /// <summary>A command as RESP: an array of bulk strings.</summary>
    public static byte[] Command(params string[] args)
    {
        var text = new StringBuilder($"*{args.Length}\r\n");
        foreach (string a in args) text.Append($"${Encoding.UTF8.GetByteCount(a)}\r\n{a}\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
