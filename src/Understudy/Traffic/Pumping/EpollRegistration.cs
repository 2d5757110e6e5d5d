using System.Runtime.InteropServices;

namespace Understudy.Traffic.Pumping;

/// <summary>Something an <see cref="EpollLoop"/> watches: its events carry <see cref="Self"/>, and only the loop's thread calls these.</summary>
public abstract class EpollRegistration
{
    internal GCHandle Self;

    internal abstract bool Finished { get; }

    /// <summary>Adds its descriptors to <paramref name="epoll"/>; false (and finished) when it cannot.</summary>
    internal abstract bool Register(int epoll);

    /// <summary><paramref name="secondSide"/>: the event is for its second descriptor (the tag's low bit).</summary>
    internal abstract void OnEvent(int epoll, bool secondSide, uint events, byte[] scratch);

    /// <summary>Asked to end early (a cancelled wait); ignored once finished.</summary>
    internal virtual void Cancel(int epoll) { }

    /// <summary>
    /// Tells its waiter it finished: called on a pool thread after the loop's batch in which it did, with others that
    /// finished about then, so their continuations run there in turn. A continuation each as a work item of its own
    /// (9,000 at a fence) queued ahead of the API's requests and held them up to half a second.
    /// </summary>
    internal virtual void Complete() { }

    /// <summary>It tells its waiter itself, on the loop's thread (a check, whose few steps never block): no pool work item.</summary>
    internal virtual bool TellsOnLoop => false;
}

/// <summary>
/// One wait for a socket to become ready (writable: a non-blocking connect ended; readable: a client sent or left),
/// outside the BCL's engine. It completes only once its registration is gone, so the socket may be closed after.
/// </summary>
internal sealed class ReadyWait(int fd, uint events) : EpollRegistration
{
    private readonly TaskCompletionSource _done = new();
    private Outcome _outcome;

    private enum Outcome { Waiting, Ready, NoRoom, Cancelled }

    public Task Done => _done.Task;
    internal override bool Finished => _outcome != Outcome.Waiting;

    internal override bool Register(int epoll)
    {
        if (Linux.Control(epoll, Linux.CtlAdd, fd, events | Linux.OneShot, (ulong)GCHandle.ToIntPtr(Self), out _)) return true;
        _outcome = Outcome.NoRoom;
        return false;
    }

    internal override void OnEvent(int epoll, bool secondSide, uint events, byte[] scratch)
    {
        Linux.Control(epoll, Linux.CtlDel, fd, 0, 0, out _);
        _outcome = Outcome.Ready;
    }

    internal override void Cancel(int epoll)
    {
        if (Finished) return;
        Linux.Control(epoll, Linux.CtlDel, fd, 0, 0, out _);
        _outcome = Outcome.Cancelled;
    }

    internal override void Complete()
    {
        switch (_outcome)
        {
            case Outcome.Ready: _done.TrySetResult(); break;
            case Outcome.Cancelled: _done.TrySetCanceled(); break;
            // ENOMEM or ENOSPC: the controller's own shortage, which the connect's caller does not count against the member.
            case Outcome.NoRoom: _done.TrySetException(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.NoBufferSpaceAvailable)); break;
            default: throw new System.Diagnostics.UnreachableException("completed while still waiting");
        }
    }
}
