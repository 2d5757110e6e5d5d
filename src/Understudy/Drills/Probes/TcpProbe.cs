using System.Net.Sockets;
using Understudy.Core.Drills;
using Understudy.Core.Topology;

namespace Understudy.Drills.Probes;

/// <summary>
/// A TCP connect to the address, a new connection each attempt. Success is an accepted connection that is
/// not closed or reset within <see cref="Settle"/>: a proxy accepts first and closes when it finds no
/// backend, which must count as a failure. (A proxy that holds the connection cannot be told apart.)
/// </summary>
public sealed class TcpProbe(ProbeSpec spec, TimeProvider time) : OpenLoopProbe(spec, time)
{
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(50);

    private readonly HostPort _address = HostPort.TryParse(spec.Target, out HostPort? a, out _) ? a.Value : throw new ArgumentException($"not host:port: {spec.Target}", nameof(spec));

    protected override async Task<AttemptOutcome> AttemptAsync(long seq, CancellationToken ct)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_address.Host, _address.Port, ct);
        using var settle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        settle.CancelAfter(Settle);
        try
        {
            int n = await socket.ReceiveAsync(new byte[1], SocketFlags.Peek, settle.Token);
            return n == 0 ? AttemptOutcome.Failure(ErrorKind.Reset, "closed right after the connect") : AttemptOutcome.Success(null, "connected; it spoke first");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return AttemptOutcome.Success(null, "connected");
        }
    }
}
