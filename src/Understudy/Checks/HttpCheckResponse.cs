using System.Buffers.Text;
using System.Net.Http;
using System.Text;

namespace Understudy.Checks;

/// <summary>What an HTTP check read: the status, the body when asked for (cut at <see cref="HttpCheckResponse.BodyLimit"/>), or why it is no response.</summary>
/// <param name="Error">Set when the bytes are no complete HTTP/1.x response: the name of the <see cref="HttpRequestError"/>
/// HttpClient would have reported, so the check's outcome reads as it did.</param>
public readonly record struct HttpCheckAnswer(int Status, string? Body = null, bool BodyCut = false, string? Error = null)
{
    public static HttpCheckAnswer Failed(HttpRequestError error) => new(0, Error: error.ToString());
}

/// <summary>
/// Reads the response to the check's GET from the bytes received so far: pure, so each framing and each malformed answer
/// can be tested without a server. Bounded: a head over <see cref="HeadLimit"/> is refused, a body is kept up to
/// <see cref="BodyLimit"/> and the rest left unread.
/// </summary>
public static class HttpCheckResponse
{
    public const int HeadLimit = 16 * 1024, BodyLimit = 64 * 1024;

    /// <summary>The most the caller reads for a check with a body; chunk framing may take part of it.</summary>
    public const int MaxBytes = HeadLimit + BodyLimit;

    /// <summary>
    /// The answer, or null while more bytes are needed. <paramref name="closed"/>: the server closed its side, no more will come.
    /// Never null once <paramref name="data"/> holds <see cref="MaxBytes"/> (<see cref="HeadLimit"/> without a body): the
    /// answer is given on what is there.
    /// </summary>
    public static HttpCheckAnswer? Parse(ReadOnlySpan<byte> data, bool closed, bool wantBody)
    {
        int start = 0;
        while (true)
        {
            int headEnd = HeadEnd(data[start..], out int bodyStart);
            if (headEnd < 0)
            {
                if (data.Length - start >= HeadLimit) return HttpCheckAnswer.Failed(HttpRequestError.ConfigurationLimitExceeded);
                return closed ? HttpCheckAnswer.Failed(HttpRequestError.ResponseEnded) : null;
            }
            ReadOnlySpan<byte> head = data.Slice(start, headEnd);
            if (!TryStatus(head, out int status, out int lineEnd)) return HttpCheckAnswer.Failed(HttpRequestError.InvalidResponse);
            if (!TryFraming(head[lineEnd..], out long contentLength, out bool chunked)) return HttpCheckAnswer.Failed(HttpRequestError.InvalidResponse);
            start += bodyStart;
            // An interim answer (100 Continue) is followed by the real one, as HttpClient skips it; 101 would switch protocols.
            if (status is >= 100 and < 200 and not 101) continue;
            if (!wantBody) return new HttpCheckAnswer(status);
            if (status is 204 or 304 or (>= 100 and < 200)) return new HttpCheckAnswer(status, "");
            bool full = data.Length >= MaxBytes;
            if (chunked) return Chunked(data[start..], status, closed, full);
            if (contentLength >= 0) return Sized(data[start..], status, contentLength, closed, full);
            // Neither: the body runs to the close.
            if (closed) return Body(status, data[start..]);
            return full || data.Length - start >= BodyLimit ? Body(status, data[start..], cut: true) : null;
        }
    }

    /// <summary>Where the head ends (before its empty line) and the body starts, or -1. Bare LF line ends are taken too, as HttpClient takes them.</summary>
    private static int HeadEnd(ReadOnlySpan<byte> data, out int bodyStart)
    {
        for (int i = data.IndexOf((byte)'\n'); i >= 0;)
        {
            int next = data[(i + 1)..].IndexOf((byte)'\n');
            if (next < 0) break;
            next += i + 1;
            ReadOnlySpan<byte> line = data[(i + 1)..next];
            if (line.IsEmpty || line is [(byte)'\r'])
            {
                bodyStart = next + 1;
                return i + 1;
            }
            i = next;
        }
        bodyStart = 0;
        return -1;
    }

    /// <summary><c>HTTP/1.x SSS reason</c>; the reason may be missing.</summary>
    private static bool TryStatus(ReadOnlySpan<byte> head, out int status, out int lineEnd)
    {
        status = 0;
        lineEnd = head.IndexOf((byte)'\n') + 1;
        ReadOnlySpan<byte> line = head[..lineEnd].TrimEnd("\r\n"u8);
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || !char.IsAsciiDigit((char)line[7]) || line[8] != ' ') return false;
        if (line.Length > 12 && line[12] != ' ') return false;
        ReadOnlySpan<byte> code = line.Slice(9, 3);
        foreach (byte b in code) if (!char.IsAsciiDigit((char)b)) return false;
        status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
        return status >= 100;
    }

    /// <summary>Content-Length (-1 when absent) and whether the body is chunked; false for a malformed length or header line.</summary>
    private static bool TryFraming(ReadOnlySpan<byte> headers, out long contentLength, out bool chunked)
    {
        contentLength = -1;
        chunked = false;
        foreach (Range r in headers.Split((byte)'\n'))
        {
            ReadOnlySpan<byte> line = headers[r].TrimEnd((byte)'\r');
            if (line.IsEmpty) continue;
            int colon = line.IndexOf((byte)':');
            if (colon <= 0) return false;
            ReadOnlySpan<byte> name = line[..colon], value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long n, out int used) || used != value.Length || n < 0) return false;
                if (contentLength >= 0 && contentLength != n) return false;
                contentLength = n;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                chunked = value.Length >= 7 && Ascii.EqualsIgnoreCase(value[^7..], "chunked"u8);
            }
        }
        return true;
    }

    private static HttpCheckAnswer? Sized(ReadOnlySpan<byte> body, int status, long length, bool closed, bool full)
    {
        if (body.Length >= length) return Body(status, body[..(int)length]);
        if (body.Length >= BodyLimit || full) return Body(status, body, cut: true);
        return closed ? HttpCheckAnswer.Failed(HttpRequestError.ResponseEnded) : null;
    }

    /// <summary>Chunks as far as they go: a last chunk ends the body (trailers unread); a close before it is an early end, a full buffer a cut.</summary>
    private static HttpCheckAnswer? Chunked(ReadOnlySpan<byte> data, int status, bool closed, bool full)
    {
        var body = new List<byte[]>();
        int kept = 0;
        while (true)
        {
            int lineEnd = data.IndexOf((byte)'\n');
            if (lineEnd < 0) break;
            ReadOnlySpan<byte> sizeText = data[..lineEnd].TrimEnd((byte)'\r');
            int ext = sizeText.IndexOf((byte)';');
            if (ext >= 0) sizeText = sizeText[..ext];
            sizeText = sizeText.Trim(" \t"u8);
            if (sizeText.IsEmpty || !Utf8Parser.TryParse(sizeText, out ulong size, out int used, 'X') || used != sizeText.Length)
                return HttpCheckAnswer.Failed(HttpRequestError.InvalidResponse);
            data = data[(lineEnd + 1)..];
            if (size == 0) return Body(status, Join(body, kept));
            int take = (int)Math.Min(size, (ulong)data.Length);
            if (take > 0 && kept < BodyLimit) body.Add(data[..Math.Min(take, BodyLimit - kept)].ToArray());
            kept = Math.Min(BodyLimit, kept + take);
            if (kept >= BodyLimit) return Body(status, Join(body, kept), cut: true);
            if ((ulong)take < size) break;
            data = data[take..];
            // The chunk's own CRLF; missing it is malformed, once it could be there.
            if (data.Length < 2 && !(data is [(byte)'\n'])) break;
            if (data.StartsWith("\r\n"u8)) data = data[2..];
            else if (data.StartsWith("\n"u8)) data = data[1..];
            else return HttpCheckAnswer.Failed(HttpRequestError.InvalidResponse);
        }
        if (full) return Body(status, Join(body, kept), cut: true);
        return closed ? HttpCheckAnswer.Failed(HttpRequestError.ResponseEnded) : null;
    }

    private static byte[] Join(List<byte[]> parts, int length)
    {
        var all = new byte[length];
        int at = 0;
        foreach (byte[] p in parts) { p.CopyTo(all, at); at += p.Length; }
        return all;
    }

    private static HttpCheckAnswer Body(int status, ReadOnlySpan<byte> body, bool cut = false) =>
        body.Length > BodyLimit ? new(status, Encoding.UTF8.GetString(body[..BodyLimit]), BodyCut: true) : new(status, Encoding.UTF8.GetString(body), cut);
}
