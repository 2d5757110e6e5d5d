using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Understudy.Traffic.Pumping;

/// <summary>
/// A TCP connection made on a bare descriptor, for a check that runs on an epoll loop: a BCL <see cref="Socket"/> would
/// hand its waits to the BCL's engine (a thread-pool hop for each) and has no way to wait on another epoll set.
/// </summary>
internal static partial class Linux
{
    private const int StreamNonBlockingCloseOnExec = 1 | 0x800 | CloseOnExec; // SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC
    private const int InProgress = 115;
    private const int SolSocket = 1, SoError = 4, SoLinger = 13;

    /// <summary>The address as the kernel takes it (the BCL's <see cref="SocketAddress"/> holds the platform's sockaddr).</summary>
    public static byte[] NativeAddress(IPEndPoint ep)
    {
        SocketAddress address = ep.Serialize();
        return address.Buffer[..address.Size].ToArray();
    }

    /// <summary>
    /// A non-blocking TCP socket connecting to <paramref name="sockaddr"/>: its descriptor, or -1 with the errno. The
    /// connect is under way (or done); the socket is writable once it ended, and a failed one's error comes with the first send.
    /// </summary>
    public static int StartConnect(AddressFamily family, byte[] sockaddr, out int errno)
    {
        int fd = socket(family == AddressFamily.InterNetworkV6 ? 10 : 2, StreamNonBlockingCloseOnExec, 0);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return -1;
        }
        int r;
        do r = connect(fd, ref sockaddr[0], sockaddr.Length);
        while (r < 0 && Marshal.GetLastPInvokeError() == Interrupted);
        errno = r < 0 ? Marshal.GetLastPInvokeError() : 0;
        if (r == 0 || errno == InProgress)
        {
            errno = 0;
            return fd;
        }
        close(fd);
        return -1;
    }

    /// <summary>A finished connect's outcome (SO_ERROR): 0 when connected, else its errno.</summary>
    public static int ConnectError(int fd)
    {
        int error = 0, size = sizeof(int);
        return getsockopt(fd, SolSocket, SoError, ref error, ref size) == 0 ? error : Marshal.GetLastPInvokeError();
    }

    /// <summary>Closes the descriptor, which also takes it out of every epoll set (no other descriptor shares its file).</summary>
    public static void Close(int fd) => close(fd);

    /// <summary>
    /// Closes with a reset (SO_LINGER on, 0 s), as HAProxy ends its checks' connections: no FIN exchange, and neither
    /// side keeps the connection in TIME_WAIT, where a member checked every second by a thousand services would hold
    /// tens of thousands. What the check read is already in; the peer is told by a reset instead of a close.
    /// </summary>
    public static void Reset(int fd)
    {
        var onZeroSeconds = new Linger(1, 0);
        setsockopt(fd, SolSocket, SoLinger, ref onZeroSeconds, Marshal.SizeOf<Linger>());
        close(fd);
    }

    /// <summary>
    /// Aborts a connection and keeps its descriptor (its owner closes it later): connect(2) to an AF_UNSPEC address
    /// dissolves a TCP socket's association (connect(2), "AF_UNSPEC"), which sends the peer a reset and drops what
    /// either direction still queues. A fence wants exactly that: nothing more reaches the old primary, nothing it
    /// answered reaches a client afterwards. It also costs the kernel one packet where a FIN costs an exchange and the
    /// peer's own FIN back: 4,500 loopback connections were told in 35–42 ms against 67–83 ms (BENCHMARKS.md). A socket
    /// the call fails on (not TCP, already closed) is shut down instead.
    /// </summary>
    public static void Abort(int fd)
    {
        Span<byte> unspecified = stackalloc byte[16]; // a sockaddr whose sa_family is AF_UNSPEC (0)
        unspecified.Clear();
        if (connect(fd, ref unspecified[0], unspecified.Length) != 0) Shutdown(fd, ShutBoth);
    }

    /// <summary>struct linger.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Linger(int OnOff, int Seconds);

    /// <summary>
    /// The <see cref="SocketError"/> the BCL gives for a Linux errno (its SocketErrorPal's table), so a check's details and
    /// the local-shortage test (<see cref="Errors.IsLocalShortage(SocketException)"/>) read as they did through <see cref="Socket"/>.
    /// </summary>
    public static SocketError ToSocketError(int errno) => errno switch
    {
        0 => SocketError.Success,
        1 or 13 => SocketError.AccessDenied,             // EPERM, EACCES
        2 or 99 => SocketError.AddressNotAvailable,      // ENOENT, EADDRNOTAVAIL
        4 => SocketError.Interrupted,
        6 => SocketError.HostNotFound,                   // ENXIO
        9 or 125 => SocketError.OperationAborted,        // EBADF, ECANCELED
        11 => SocketError.WouldBlock,
        14 => SocketError.Fault,
        22 => SocketError.InvalidArgument,
        23 or 24 => SocketError.TooManyOpenSockets,      // ENFILE, EMFILE
        32 => SocketError.Shutdown,                      // EPIPE
        61 => SocketError.NoData,
        88 => SocketError.NotSocket,
        89 => SocketError.DestinationAddressRequired,
        90 => SocketError.MessageSize,
        91 => SocketError.ProtocolType,
        92 => SocketError.ProtocolOption,
        93 => SocketError.ProtocolNotSupported,
        94 => SocketError.SocketNotSupported,
        95 => SocketError.OperationNotSupported,
        96 => SocketError.ProtocolFamilyNotSupported,
        97 => SocketError.AddressFamilyNotSupported,
        98 => SocketError.AddressAlreadyInUse,
        100 => SocketError.NetworkDown,
        101 => SocketError.NetworkUnreachable,
        102 => SocketError.NetworkReset,
        103 => SocketError.ConnectionAborted,
        104 => SocketError.ConnectionReset,
        105 => SocketError.NoBufferSpaceAvailable,
        106 => SocketError.IsConnected,
        107 => SocketError.NotConnected,
        108 => SocketError.Disconnecting,                // ESHUTDOWN
        110 => SocketError.TimedOut,
        111 => SocketError.ConnectionRefused,
        112 => SocketError.HostDown,
        113 => SocketError.HostUnreachable,
        114 => SocketError.AlreadyInProgress,
        115 => SocketError.InProgress,
        _ => SocketError.SocketError,
    };

    [DllImport("libc", SetLastError = true)] private static extern int socket(int domain, int type, int protocol);
    [DllImport("libc", SetLastError = true)] private static extern int connect(int fd, ref byte address, int length);
    [DllImport("libc", SetLastError = true)] private static extern int getsockopt(int fd, int level, int name, ref int value, ref int length);
    [DllImport("libc", SetLastError = true)] private static extern int setsockopt(int fd, int level, int name, ref Linger value, int length);
    [DllImport("libc", SetLastError = true)] private static extern int close(int fd);
}
