using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Understudy.Traffic.Pumping;

/// <summary>
/// One thread that pumps its pairs: it waits on its own epoll set, and for each ready socket reads into one scratch
/// buffer and writes straight on, with no task, continuation or rented buffer per read (HAProxy's shape). Level
/// triggered: a side is asked for reads only while its destination has room, and for writes only while it has bytes
/// waiting. New pairs arrive by a queue and an eventfd, so only this thread changes the set and the pairs.
/// </summary>
internal sealed class EpollLoop : IThreadPoolWorkItem
{
    /// <summary>Waiters told per work item: a fence's thousands in slices, so the API's requests queue between them, not behind all.</summary>
    private const int CompletionsPerSlice = 64;

    private const int ScratchBytes = 64 * 1024;
    private const int MaxEvents = 256;
    private const ulong WakeTag = 0;
    private readonly int _epoll = Linux.CreateEpoll();
    private readonly int _wake = Linux.CreateEventFd();
    private readonly ConcurrentQueue<(EpollRegistration Registration, bool Cancel)> _arriving = new();
    private readonly ConcurrentQueue<Action<int, List<EpollRegistration>>> _commands = new();
    private readonly ConcurrentQueue<EpollRegistration> _completing = new();
    private int _woken, _draining;

    public EpollLoop(string name)
    {
        if (!Linux.Control(_epoll, Linux.CtlAdd, _wake, Linux.In, WakeTag, out int errno))
            throw new IOException($"epoll_ctl on the eventfd failed: errno {errno}");
        new Thread(Run) { IsBackground = true, Name = name }.Start();
    }

    public void Add(EpollRegistration registration) => Post(registration, cancel: false);

    /// <summary>Runs <paramref name="command"/> on this loop's thread, with its epoll set and the batch's finished list.</summary>
    public void RunOnLoop(Action<int, List<EpollRegistration>> command)
    {
        _commands.Enqueue(command);
        WakeUp();
    }

    public void Cancel(EpollRegistration registration) => Post(registration, cancel: true);

    /// <summary>
    /// Registers from the caller's thread, without waking this loop: for a registration whose <see cref="EpollRegistration.Register"/>
    /// only calls epoll_ctl (the kernel's set takes that from any thread); its events and its cancel still run on this loop.
    /// False when refused; nothing of it is left here then.
    /// </summary>
    public bool AddNow(EpollRegistration registration)
    {
        registration.Self = GCHandle.Alloc(registration);
        if (registration.Register(_epoll)) return true;
        registration.Self.Free();
        return false;
    }

    private void Post(EpollRegistration registration, bool cancel)
    {
        _arriving.Enqueue((registration, cancel));
        WakeUp();
    }

    /// <summary>One eventfd write per batch of posts: the flag stays set until the loop takes them.</summary>
    private void WakeUp()
    {
        if (Interlocked.Exchange(ref _woken, 1) == 0) Linux.Signal(_wake);
    }

    private void Run()
    {
        var events = new byte[MaxEvents * Linux.EventSize];
        byte[] scratch = GC.AllocateUninitializedArray<byte>(ScratchBytes, pinned: true);
        var finished = new List<EpollRegistration>();
        while (true)
        {
            int n = Linux.Wait(_epoll, events, out int errno);
            if (n < 0)
            {
                if (errno == Linux.Interrupted) continue;
                throw new IOException($"epoll_wait failed: errno {errno}");
            }
            for (int i = 0; i < n; i++)
            {
                (uint ready, ulong tag) = Linux.EventAt(events, i);
                if (tag == WakeTag)
                {
                    TakeArrivals(finished);
                    continue;
                }
                // A pair finished earlier in this batch may still have an event in it: its handle is freed only after.
                var registration = (EpollRegistration)GCHandle.FromIntPtr((nint)(tag & ~1UL)).Target!;
                if (registration.Finished) continue;
                registration.OnEvent(_epoll, (tag & 1) != 0, ready, scratch);
                if (registration.Finished) finished.Add(registration);
            }
            if (finished.Count == 0) continue;
            foreach (EpollRegistration registration in finished)
            {
                registration.Self.Free();
                if (!registration.TellsOnLoop) _completing.Enqueue(registration);
            }
            finished.Clear();
            if (!_completing.IsEmpty && Interlocked.Exchange(ref _draining, 1) == 0) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>One slice of the finished registrations' completions; queues itself again, at the back, while more wait.</summary>
    void IThreadPoolWorkItem.Execute()
    {
        for (int i = 0; i < CompletionsPerSlice && _completing.TryDequeue(out EpollRegistration? registration); i++) registration.Complete();
        if (_completing.IsEmpty)
        {
            Interlocked.Exchange(ref _draining, 0); // a full fence, as for the wake flag: the queue is read again only after
            // One finished between the check and the flag's clearing would wait for the next batch's: look once more.
            if (_completing.IsEmpty || Interlocked.Exchange(ref _draining, 1) != 0) return;
        }
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    private void TakeArrivals(List<EpollRegistration> finished)
    {
        Linux.Drain(_wake);
        Interlocked.Exchange(ref _woken, 0); // a full fence: the queue is read only once the cleared flag is visible to posters
        while (_arriving.TryDequeue(out var arrival))
        {
            EpollRegistration registration = arrival.Registration;
            if (arrival.Cancel)
            {
                // Its handle is freed by whichever of its event or this cancel finished it.
                if (registration.Finished) continue;
                registration.Cancel(_epoll);
                finished.Add(registration);
                continue;
            }
            registration.Self = GCHandle.Alloc(registration);
            if (!registration.Register(_epoll)) finished.Add(registration);
        }
        while (_commands.TryDequeue(out var command)) command(_epoll, finished);
    }
}

/// <summary>The process's pump loops, one per core; pairs are dealt round-robin.</summary>
internal static class EpollLoops
{
    private static readonly Lock Gate = new();
    private static EpollLoop[]? _loops;
    private static int _next;

    /// <summary>
    /// Made on first use and kept; a failure (no descriptor left for the epoll set, say) is not kept: the next
    /// connection tries again, where a <see cref="Lazy{T}"/> would fail every later one the same way.
    /// </summary>
    private static EpollLoop[] Loops
    {
        get
        {
            if (Volatile.Read(ref _loops) is { } made) return made;
            lock (Gate)
                return _loops ??= [.. Enumerable.Range(0, Math.Clamp(Environment.ProcessorCount, 1, 8)).Select(i => new EpollLoop($"proxy-pump-{i}"))];
        }
    }

    /// <summary>Starts the loops now (at a proxy's start), so their descriptors are not the ones a busy host lacks later.</summary>
    public static void Start()
    {
        if (Available) _ = Loops;
    }

    /// <summary>Linux, unless <c>UNDERSTUDY_PROXY_PUMP=managed</c> asks for the managed pump (to compare, or to rule this one out).</summary>
    public static bool Available { get; } = OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("UNDERSTUDY_PROXY_PUMP") != "managed";

    public static void Add(PumpedPair pair) => pair.Loop.Add(pair);

    /// <summary>
    /// Cuts <paramref name="pairs"/> on their loops, all at once: each loop shuts its pairs' clients, then their
    /// members, and ends them, without a wake-up per cut. Returns the pairs it could not cut (ended, or not yet
    /// registered): their sockets are the caller's to shut.
    /// </summary>
    public static async Task<List<PumpedPair>> CutAsync(IReadOnlyList<PumpedPair> pairs)
    {
        var cuts = new List<Task<List<PumpedPair>>>();
        foreach (var onLoop in pairs.GroupBy(p => p.Loop))
        {
            PumpedPair[] mine = [.. onLoop];
            var done = new TaskCompletionSource<List<PumpedPair>>(TaskCreationOptions.RunContinuationsAsynchronously);
            onLoop.Key.RunOnLoop((epoll, finished) => done.SetResult(PumpedPair.Cut(mine, epoll, finished)));
            cuts.Add(done.Task);
        }
        return [.. (await Task.WhenAll(cuts)).SelectMany(m => m)];
    }

    /// <summary>Until <paramref name="fd"/>, connecting without blocking, is writable: connected, or failed (SO_ERROR says which).</summary>
    public static Task WhenWritableAsync(int fd, CancellationToken ct) => WhenReadyAsync(fd, Linux.Out, ct);

    /// <summary>Until <paramref name="fd"/> has bytes, its peer's FIN or an error to read.</summary>
    public static Task WhenReadableAsync(int fd, CancellationToken ct) => WhenReadyAsync(fd, Linux.In, ct);

    private static async Task WhenReadyAsync(int fd, uint events, CancellationToken ct)
    {
        EpollLoop loop = Next();
        var wait = new ReadyWait(fd, events);
        loop.Add(wait);
        await using (ct.Register(() => loop.Cancel(wait))) await wait.Done;
    }

    /// <summary>Registers <paramref name="registration"/> on a loop from the caller's thread (<see cref="EpollLoop.AddNow"/>): that loop, or null when refused.</summary>
    public static EpollLoop? AddNow(EpollRegistration registration) => Next() is var loop && loop.AddNow(registration) ? loop : null;

    /// <summary>The loop for the next pair or wait: round-robin.</summary>
    public static EpollLoop Next()
    {
        EpollLoop[] loops = Loops;
        return loops[(int)((uint)Interlocked.Increment(ref _next) % loops.Length)];
    }
}
