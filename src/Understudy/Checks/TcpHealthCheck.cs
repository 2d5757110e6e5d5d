using System.Net;
using System.Net.Sockets;
using Understudy.Core.Topology;
using Understudy.Traffic.Pumping;

namespace Understudy.Checks;

/// <summary>Passes when a TCP connect to the member's address succeeds.</summary>
public sealed class TcpHealthCheck : IHealthCheck
{
    internal static readonly CheckOutcome Connected = (true, "connected");

    /// <summary>Yes: a socket and a non-blocking connect; a name is resolved asynchronously by the engine.</summary>
    public bool StartsWithoutBlocking => true;

    public Task<CheckOutcome> CheckAsync(MemberSpec member, CancellationToken ct) =>
        EpollLoops.Available && IPAddress.TryParse(member.Address.Host, out IPAddress? ip)
            ? LoopTcpConnect.Start(new IPEndPoint(ip, member.Address.Port), ct)
            : ConnectOnEngineAsync(member, ct);

    /// <summary>Through the BCL's socket engine: a name to resolve, or no epoll loops (not Linux, or turned off).</summary>
    private static async Task<CheckOutcome> ConnectOnEngineAsync(MemberSpec member, CancellationToken ct)
    {
        // Ended with a reset, as on a loop (Linux.Reset).
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { LingerState = new LingerOption(true, 0) };
        await socket.ConnectAsync(member.Address.Host, member.Address.Port, ct);
        return Connected;
    }
}
