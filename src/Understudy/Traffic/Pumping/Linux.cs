using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Understudy.Traffic.Pumping;

/// <summary>
/// The Linux calls the pump makes itself: epoll, and non-blocking recv/send/shutdown on a socket's descriptor. The BCL
/// has no public epoll; its own socket engine completes on a shared thread and pays a managed continuation per read,
/// which is what kept the proxy below HAProxy (BENCHMARKS.md, "Proxy throughput").
/// </summary>
internal static partial class Linux
{
    public const uint In = 0x001, Out = 0x004, Err = 0x008, Hup = 0x010;
    /// <summary>EPOLLONESHOT: a wait reported once, then disarmed until modified again.</summary>
    public const uint OneShot = 0x40000000;
    public const int CtlAdd = 1, CtlDel = 2, CtlMod = 3;
    private const int CloseOnExec = 0x80000;
    private const int Peek = 0x2, DontWait = 0x40, NoSignal = 0x4000;
    public const int ShutWrite = 1;
    public const int ShutBoth = 2;
    public const int Again = 11, Interrupted = 4;

    /// <summary>struct epoll_event is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16).</summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = EventSize == 12 ? 4 : 8;

    public static int CreateEpoll()
    {
        int fd = epoll_create1(CloseOnExec);
        return fd >= 0 ? fd : throw new IOException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Adds, changes or removes <paramref name="fd"/>'s registration; false with the errno when refused.</summary>
    public static bool Control(int epoll, int op, int fd, uint events, ulong data, out int errno)
    {
        Span<byte> ev = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(ev, events);
        BinaryPrimitives.WriteUInt64LittleEndian(ev[DataOffset..], data);
        bool ok = epoll_ctl(epoll, op, fd, ref MemoryMarshal.GetReference(ev)) == 0;
        errno = ok ? 0 : Marshal.GetLastPInvokeError();
        return ok;
    }

    /// <summary>Waits for events into <paramref name="buffer"/> (<see cref="EventSize"/> bytes each); the count, or -1 with the errno.</summary>
    public static int Wait(int epoll, byte[] buffer, out int errno)
    {
        int n = epoll_wait(epoll, ref buffer[0], buffer.Length / EventSize, -1);
        errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
        return n;
    }

    public static (uint Events, ulong Data) EventAt(byte[] buffer, int i)
    {
        ReadOnlySpan<byte> ev = buffer.AsSpan(i * EventSize, EventSize);
        return (BinaryPrimitives.ReadUInt32LittleEndian(ev), BinaryPrimitives.ReadUInt64LittleEndian(ev[DataOffset..]));
    }

    /// <summary>Bytes read, 0 at the peer's FIN, or -1 with the errno (<see cref="Again"/>: nothing there now).</summary>
    public static int Receive(int fd, byte[] buffer, int offset, int count, out int errno)
    {
        nint n;
        do n = recv(fd, ref buffer[offset], count, DontWait);
        while (n < 0 && Marshal.GetLastPInvokeError() == Interrupted);
        errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
        return (int)n;
    }

    /// <summary>Whether a byte waits to be read, without taking it: 1, 0 at the peer's FIN, or -1 with the errno.</summary>
    public static int PeekByte(int fd, out int errno)
    {
        byte[] one = new byte[1];
        nint n;
        do n = recv(fd, ref one[0], 1, Peek | DontWait);
        while (n < 0 && Marshal.GetLastPInvokeError() == Interrupted);
        errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
        return (int)n;
    }

    /// <summary>The socket's descriptor, without <see cref="Socket.Handle"/>'s side effects; valid while the socket is not disposed.</summary>
    public static int Descriptor(Socket socket) => (int)socket.SafeHandle.DangerousGetHandle();

    /// <summary>Bytes sent (maybe fewer than asked), or -1 with the errno (<see cref="Again"/>: the socket's buffer is full).</summary>
    public static int Send(int fd, byte[] buffer, int offset, int count, out int errno)
    {
        nint n;
        do n = send(fd, ref buffer[offset], count, DontWait | NoSignal);
        while (n < 0 && Marshal.GetLastPInvokeError() == Interrupted);
        errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
        return (int)n;
    }

    public static void Shutdown(int fd, int how) => shutdown(fd, how);

    /// <summary>A non-blocking eventfd: how another thread wakes a loop from its epoll_wait.</summary>
    public static int CreateEventFd()
    {
        int fd = eventfd(0, CloseOnExec | 0x800); // EFD_CLOEXEC | EFD_NONBLOCK
        return fd >= 0 ? fd : throw new IOException($"eventfd failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public static void Signal(int eventFd)
    {
        ulong one = 1;
        write(eventFd, ref one, sizeof(ulong));
    }

    public static void Drain(int eventFd)
    {
        ulong count = 0;
        read(eventFd, ref count, sizeof(ulong));
    }

    [DllImport("libc", SetLastError = true)] private static extern int epoll_create1(int flags);
    [DllImport("libc", SetLastError = true)] private static extern int epoll_ctl(int epfd, int op, int fd, ref byte ev);
    [DllImport("libc", SetLastError = true)] private static extern int epoll_wait(int epfd, ref byte events, int maxEvents, int timeout);
    [DllImport("libc", SetLastError = true)] private static extern nint recv(int fd, ref byte buffer, nint length, int flags);
    [DllImport("libc", SetLastError = true)] private static extern nint send(int fd, ref byte buffer, nint length, int flags);
    [DllImport("libc", SetLastError = true)] private static extern int shutdown(int fd, int how);
    [DllImport("libc", SetLastError = true)] private static extern int eventfd(uint initial, int flags);
    [DllImport("libc", SetLastError = true)] private static extern nint write(int fd, ref ulong value, nint length);
    [DllImport("libc", SetLastError = true)] private static extern nint read(int fd, ref ulong value, nint length);
}
