using System.Net.Sockets;

namespace Understudy;

/// <summary>Short, stable descriptions of network errors for checks, the journal and reports.</summary>
internal static class Errors
{
    public static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset => "connection reset",
        SocketError.TimedOut => "timed out",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "unreachable",
        SocketError.HostNotFound or SocketError.NoData => "host not found",
        SocketError.TooManyOpenSockets => "too many open files in the controller",
        SocketError.NoBufferSpaceAvailable => "no buffer space in the controller",
        SocketError.AddressNotAvailable => "no local address or port free in the controller",
        _ => e.SocketErrorCode.ToString(),
    };

    /// <summary>
    /// The controller is short of something of its own (descriptors, socket buffers, local ports): the failure says
    /// nothing about the far end, so it must not count against a member.
    /// </summary>
    public static bool IsLocalShortage(SocketException e) =>
        e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable or SocketError.AddressNotAvailable;

    /// <summary><see cref="IsLocalShortage(SocketException)"/> for a socket error wrapped by a client library (HTTP, Npgsql, Redis).</summary>
    public static bool IsLocalShortage(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            if (inner is SocketException se) return IsLocalShortage(se);
        return false;
    }
}
