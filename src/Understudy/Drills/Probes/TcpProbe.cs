using System.Net.Sockets;
using Understudy.Core.Drills;
using Understudy.Core.Topology;

namespace Understudy.Drills.Probes;

/// <summary>A TCP connect to the address, a new connection each attempt; success is an accepted connection.</summary>
public sealed class TcpProbe(ProbeSpec spec, TimeProvider time) : OpenLoopProbe(spec, time)
{
    private readonly HostPort _address = HostPort.TryParse(spec.Target, out HostPort? a, out _) ? a.Value : throw new ArgumentException($"not host:port: {spec.Target}", nameof(spec));

    protected override async Task<AttemptOutcome> AttemptAsync(long seq, CancellationToken ct)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_address.Host, _address.Port, ct);
        return AttemptOutcome.Success(null, "connected");
    }
}
