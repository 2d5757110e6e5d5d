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
        _ => e.SocketErrorCode.ToString(),
    };
}
