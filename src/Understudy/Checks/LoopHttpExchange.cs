using System.Buffers;
using System.Net;
using Understudy.Traffic.Pumping;

namespace Understudy.Checks;

/// <summary>
/// An HTTP check's exchange on a loop (<see cref="LoopCheck"/>): once connected the GET is sent, then the answer read
/// until <see cref="HttpCheckResponse.Parse"/> gives one. Read first into the loop's scratch buffer: an answer that comes
/// whole (the usual) needs no buffer of its own; a partial one is kept in a rented one.
/// </summary>
internal sealed class LoopHttpExchange(int fd, HttpHealthCheck check, byte[] request, bool wantBody, CancellationToken ct) : LoopCheck(fd, ct)
{
    private readonly int _limit = wantBody ? HttpCheckResponse.MaxBytes : HttpCheckResponse.HeadLimit;
    private int _sent, _length;
    private byte[]? _kept;

    public static Task<CheckOutcome> Start(IPEndPoint at, byte[] sockaddr, HttpHealthCheck check, byte[] request, bool wantBody, CancellationToken ct) =>
        Start(at.AddressFamily, sockaddr, static (fd, s, ct) => new LoopHttpExchange(fd, s.check, s.request, s.wantBody, ct), (check, request, wantBody), ct);

    protected override void Step(int epoll, byte[] scratch)
    {
        if (_sent < request.Length) Send(epoll);
        else Receive(epoll, scratch);
    }

    /// <summary>The first send after the connect also says how it ended: a refused connect's error comes with it.</summary>
    private void Send(int epoll)
    {
        int n = Linux.Send(Fd, request, _sent, request.Length - _sent, out int errno);
        if (n < 0)
        {
            if (errno == Linux.Again) WaitWritable(epoll);
            else Fail(errno);
            return;
        }
        _sent += n;
        if (_sent < request.Length) WaitWritable(epoll);
        else WaitReadable(epoll);
    }

    private void Receive(int epoll, byte[] scratch)
    {
        byte[] into = _kept ?? scratch;
        int room = _kept is null ? Math.Min(_limit, scratch.Length) : _limit - _length;
        int n = Linux.Receive(Fd, into, _length, room, out int errno);
        if (n < 0)
        {
            if (errno == Linux.Again) WaitReadable(epoll);
            else Fail(errno);
            return;
        }
        int length = _length + n;
        // Parse answers at the latest when `_limit` bytes are in, so there is always room to read into.
        if (HttpCheckResponse.Parse(into.AsSpan(0, length), closed: n == 0, wantBody) is { } answer)
        {
            Pass(check.Judge(answer));
            return;
        }
        if (_kept is null)
        {
            _kept = ArrayPool<byte>.Shared.Rent(_limit);
            scratch.AsSpan(0, length).CopyTo(_kept);
        }
        _length = length;
        WaitReadable(epoll);
    }

    protected override void Release()
    {
        if (_kept is { } kept) ArrayPool<byte>.Shared.Return(kept);
        _kept = null;
    }
}
