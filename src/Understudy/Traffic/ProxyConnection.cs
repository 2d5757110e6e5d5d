using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Understudy.Traffic;

/// <summary>One client connection pumped to one member; <see cref="Close"/> cuts both sides at once.</summary>
internal sealed class ProxyConnection(ConnectionContext client, Socket upstream, string member, long epoch)
{
    public string Member { get; } = member;
    public long Epoch { get; } = epoch;

    public void Close()
    {
        client.Abort(new ConnectionAbortedException($"{Member} was fenced"));
        upstream.Dispose();
    }
}
