using System.Net.Sockets;
using Understudy.Core.Topology;

namespace Understudy.Checks;

/// <summary>Passes when a TCP connect to the member's address succeeds.</summary>
public sealed class TcpHealthCheck : IHealthCheck
{
    public async Task<CheckOutcome> CheckAsync(MemberSpec member, CancellationToken ct)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(member.Address.Host, member.Address.Port, ct);
        return (true, "connected");
    }
}
