using System.Net.Sockets;
using Understudy.Core.Drills;
using Understudy.Core.Topology;
using Understudy.Traffic;

namespace Understudy.Checks;

/// <summary>A check seen through an injected fault: blackholed checks hang to their timeout, reset ones fail, slow ones wait first.</summary>
public sealed class FaultedHealthCheck(IHealthCheck inner, MemberFaults faults, TimeProvider time) : IHealthCheck
{
    /// <summary>Without a fault, the inner check's own task (no wrapping state machine: thousands of checks a second).</summary>
    public Task<CheckOutcome> CheckAsync(MemberSpec member, CancellationToken ct) =>
        faults.Active(member.Name) is { } fault ? FaultedAsync(fault, member, ct) : inner.CheckAsync(member, ct);

    private async Task<CheckOutcome> FaultedAsync(MemberFault fault, MemberSpec member, CancellationToken ct)
    {
        switch (fault)
        {
            case { Kind: ProxyFaultKind.Blackhole }:
                await Task.Delay(Timeout.InfiniteTimeSpan, time, ct);
                break;
            case { Kind: ProxyFaultKind.Reset }:
                throw new SocketException((int)SocketError.ConnectionReset);
            case { Kind: ProxyFaultKind.Latency } slow:
                await Task.Delay(slow.NextDelay(), time, ct);
                break;
        }
        return await inner.CheckAsync(member, ct);
    }

    public Task WarmUpAsync(MemberSpec member, CancellationToken ct) => inner.WarmUpAsync(member, ct);

    /// <summary>As the inner check: a fault's own start (a delay, a throw) does not block.</summary>
    public bool StartsWithoutBlocking => inner.StartsWithoutBlocking;
}
