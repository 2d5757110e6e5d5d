using System.Net.Sockets;
using Understudy.Core.Drills;
using Understudy.Core.Topology;

namespace Understudy.Drills.Probes;

/// <summary>
/// A TCP connect to the address, a new connection each attempt. Success is an accepted connection that is
/// not closed or reset within <see cref="Settle"/>: a proxy accepts first and closes when it finds no
/// backend, which must count as a failure. (A proxy that holds the connection cannot be told apart.) With a resolver,
/// the host is looked up through it on every attempt; the address reached is the sample's answered-by, and the address
/// connected or tried (success or failure, a timeout included) its <see cref="ProbeSample.Address"/>.
/// </summary>
public sealed class TcpProbe(ProbeSpec spec, TimeProvider time) : OpenLoopProbe(spec, time)
{
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(50);

    private readonly HostPort _address = HostPort.TryParse(spec.Target, out HostPort? a, out _) ? a.Value : throw new ArgumentException($"not host:port: {spec.Target}", nameof(spec));

    private readonly ResolverLookup? _lookup = spec.Resolver is { } resolver ? new ResolverLookup(resolver, spec.Timeout) : null;

    protected override async Task<AttemptOutcome> AttemptAsync(long seq, CancellationToken ct)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        if (_lookup is null) await socket.ConnectAsync(_address.Host, _address.Port, ct);
        else
        {
            var (ip, whyNot) = await _lookup.LookUpAsync(_address.Host, ct);
            if (ip is null) return AttemptOutcome.Failure(ErrorKind.Other, whyNot);
            string tried = ip.ToString();
            try { await socket.ConnectAsync(ip, _address.Port, ct); }
            catch (SocketException e)
            {
                AttemptOutcome failed = Classify(e);
                return failed with { Detail = $"{tried}: {failed.Detail}", Address = tried };
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The attempt's timeout: the base class would say so too, but without the address it was trying.
                return AttemptOutcome.Failure(ErrorKind.Timeout, $"{tried}: no answer within {Spec.Timeout.TotalMilliseconds:0} ms") with { Address = tried };
            }
            return await SettleAsync(socket, tried, ct) with { Address = tried };
        }
        return await SettleAsync(socket, null, ct);
    }

    private static async Task<AttemptOutcome> SettleAsync(Socket socket, string? reached, CancellationToken ct)
    {
        using var settle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        settle.CancelAfter(Settle);
        try
        {
            int n = await socket.ReceiveAsync(new byte[1], SocketFlags.Peek, settle.Token);
            return n == 0 ? AttemptOutcome.Failure(ErrorKind.Reset, "closed right after the connect") : AttemptOutcome.Success(reached, "connected; it spoke first");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return AttemptOutcome.Success(reached, "connected");
        }
    }
}
