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

    /// <summary>
    /// The request sent at once, before any wait: to a loopback or near member the connect has mostly ended by the time
    /// connect() returns, which saves a wait on the loop (a wake and two syscalls) per check; else it waits writable.
    /// </summary>
    protected override uint Begin() => SendRest();

    protected override void Step(int epoll, byte[] scratch)
    {
        if (_sent < request.Length)
        {
            if (SendRest() is var next && !Finished) Rearm(epoll, next);
        }
        else Receive(epoll, scratch);
    }

    /// <summary>
    /// Sends what is left of the request; the wait needed next (writable while some is left, readable after). A send
    /// also says how the connect ended: a refused one's error comes with it, as a connect still under way says "try again".
    /// </summary>
    private uint SendRest()
    {
        int n = Linux.Send(Fd, request, _sent, request.Length - _sent, out int errno);
        if (n < 0)
        {
            if (errno != Linux.Again) Fail(errno);
            return Linux.Out;
        }
        _sent += n;
        return _sent < request.Length ? Linux.Out : Linux.In;
    }

    private void Receive(int epoll, byte[] scratch)
    {
        byte[] into = _kept ?? scratch;
        int room = _kept is null ? Math.Min(_limit, scratch.Length) : _limit - _length;
        int n = Linux.Receive(Fd, into, _length, room, out int errno);
        if (n < 0)
        {
            if (errno == Linux.Again) Rearm(epoll, Linux.In);
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
        Rearm(epoll, Linux.In);
    }

    protected override void Release()
    {
        if (_kept is { } kept) ArrayPool<byte>.Shared.Return(kept);
        _kept = null;
    }
}
