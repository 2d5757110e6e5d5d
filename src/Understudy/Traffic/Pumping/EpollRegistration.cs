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
}

/// <summary>A non-blocking connect's wait for its socket to become writable (connected or failed), outside the BCL's engine.</summary>
internal sealed class ConnectWait(int fd) : EpollRegistration
{
    private const uint OneShot = 0x40000000;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Done => _done.Task;
    internal override bool Finished => _done.Task.IsCompleted;

    internal override bool Register(int epoll)
    {
        if (Linux.Control(epoll, Linux.CtlAdd, fd, Linux.Out | OneShot, (ulong)GCHandle.ToIntPtr(Self), out int errno)) return true;
        _done.TrySetException(new IOException($"epoll_ctl failed: errno {errno}"));
        return false;
    }

    internal override void OnEvent(int epoll, bool secondSide, uint events, byte[] scratch)
    {
        Linux.Control(epoll, Linux.CtlDel, fd, 0, 0, out _);
        _done.TrySetResult();
    }

    internal override void Cancel(int epoll)
    {
        if (Finished) return;
        Linux.Control(epoll, Linux.CtlDel, fd, 0, 0, out _);
        _done.TrySetCanceled();
    }
}
