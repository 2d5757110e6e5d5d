using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Understudy.Traffic.Pumping;

namespace Understudy.Checks;

/// <summary>
/// One check's connection, made on a bare descriptor and waited on by a proxy epoll loop rather than the BCL's socket
/// engine, whose every completion is a thread-pool work item: several a check, and at 2,000 checks a second those hops
/// and the idle workers they left spinning were most of the controller's CPU (BENCHMARKS.md, "One controller, 1,000
/// services"). Written by hand as no package waits on another epoll set. After each wait the check's next step runs on
/// the loop's thread, and so does the caller's continuation once the check ends (its task completes synchronously, a
/// hop saved): what follows an awaited check must not block, or every connection the loop pumps waits with it.
/// </summary>
internal abstract class LoopCheck(int fd, CancellationToken ct) : EpollRegistration
{
    private const int Pending = 0, Armed = 1, Done = 2;

    protected int Fd => fd;

    private readonly TaskCompletionSource<CheckOutcome> _done = new();
    private EpollLoop? _loop;
    private CancellationTokenRegistration _cancel;

    /// <summary>Pending → Armed (the caller registered the cancellation) → Done, or Pending → Done: one side unregisters it.</summary>
    private int _state;

    internal override bool Finished => Volatile.Read(ref _state) == Done;

    internal override bool TellsOnLoop => true;

    /// <summary>
    /// Starts a connect to <paramref name="sockaddr"/>, makes the check for it, lets it do what it can at once
    /// (<see cref="Begin"/>) and hands it to a loop for the rest; the check's task.
    /// </summary>
    protected static Task<CheckOutcome> Start<TState>(AddressFamily family, byte[] sockaddr, Func<int, TState, CancellationToken, LoopCheck> make, TState state, CancellationToken ct)
    {
        if (ct.IsCancellationRequested) return Task.FromCanceled<CheckOutcome>(ct);
        int fd = Linux.StartConnect(family, sockaddr, out int errno);
        return fd < 0 ? Failed(errno) : make(fd, state, ct).Arm();
    }

    private Task<CheckOutcome> Arm()
    {
        _firstWait = Begin();
        if (Finished) return _done.Task;
        try { _loop = EpollLoops.AddNow(this); }
        catch (IOException) { /* the loops could not be made: out of descriptors, as below */ }
        if (_loop is null)
        {
            Linux.Close(fd);
            return Failed(ErrnoNoBuffers);
        }
        // Registered after the loop has the socket: a cancel must find it there. The loop may have ended the check meanwhile.
        _cancel = ct.UnsafeRegister(static s => ((LoopCheck)s!).CancelOnLoop(), this);
        if (Interlocked.CompareExchange(ref _state, Armed, Pending) == Done) _cancel.Unregister();
        return _done.Task;
    }

    private void CancelOnLoop() => _loop!.Cancel(this);

    private const int ErrnoNoBuffers = 105; // ENOBUFS: the controller's own shortage, not counted against the member

    private static Task<CheckOutcome> Failed(int errno) => Task.FromException<CheckOutcome>(new SocketException((int)Linux.ToSocketError(errno)));

    private uint _firstWait;

    /// <summary>
    /// What the check can do at once, on the caller's thread, before the loop has the socket: the wait it needs first
    /// (<see cref="Linux.Out"/> unless overridden), or any value once it ended (<see cref="Pass"/>, <see cref="Fail"/>).
    /// </summary>
    protected virtual uint Begin() => Linux.Out;

    internal override bool Register(int epoll) => Linux.Control(epoll, Linux.CtlAdd, fd, _firstWait | Linux.OneShot, (ulong)GCHandle.ToIntPtr(Self), out _);

    internal override void OnEvent(int epoll, bool secondSide, uint events, byte[] scratch)
    {
        try { Step(epoll, scratch); }
        catch (Exception e)
        {
            // A bug here must fail the check, not end the loop's thread (and every connection it pumps).
            if (!Finished) End();
            _done.TrySetException(e);
        }
    }

    /// <summary>The check's next step, on the loop's thread, after the wait asked for last (writable first).</summary>
    protected abstract void Step(int epoll, byte[] scratch);

    /// <summary>Waits for <paramref name="events"/> (<see cref="Linux.In"/>, <see cref="Linux.Out"/>) next; its step follows on the loop's thread.</summary>
    protected void Rearm(int epoll, uint events)
    {
        if (!Linux.Control(epoll, Linux.CtlMod, fd, events | Linux.OneShot, (ulong)GCHandle.ToIntPtr(Self), out _)) Fail(ErrnoNoBuffers);
    }

    protected void Pass(CheckOutcome outcome)
    {
        End();
        _done.TrySetResult(outcome);
    }

    protected void Fail(int errno)
    {
        End();
        _done.TrySetException(new SocketException((int)Linux.ToSocketError(errno)));
    }

    /// <summary>The check's timeout or shutdown, on the loop's thread; the socket is closed, so it is out of the loop's set before the caller hears.</summary>
    internal override void Cancel(int epoll)
    {
        if (Finished) return;
        End();
        _done.TrySetCanceled(ct);
    }

    private void End()
    {
        Linux.Reset(fd);
        Release();
        if (Interlocked.Exchange(ref _state, Done) == Armed) _cancel.Unregister(); // Unregister, not Dispose: it never waits for a running callback
    }

    /// <summary>Gives back what the check holds (a rented buffer); on the loop's thread, once.</summary>
    protected virtual void Release() { }
}

/// <summary>A TCP check's connect on a loop (<see cref="LoopCheck"/>): passes once connected.</summary>
internal sealed class LoopTcpConnect(int fd, CancellationToken ct) : LoopCheck(fd, ct)
{
    public static Task<CheckOutcome> Start(IPEndPoint at, CancellationToken ct) =>
        Start(at.AddressFamily, Linux.NativeAddress(at), static (fd, _, ct) => new LoopTcpConnect(fd, ct), 0, ct);

    protected override void Step(int epoll, byte[] scratch)
    {
        int error = Linux.ConnectError(Fd);
        if (error == 0) Pass(TcpHealthCheck.Connected);
        else Fail(error);
    }
}
