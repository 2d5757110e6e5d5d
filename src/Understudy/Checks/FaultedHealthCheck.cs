using System.Net.Sockets;
using Understudy.Core.Drills;
using Understudy.Core.Topology;
using Understudy.Traffic;

namespace Understudy.Checks;

/// <summary>A check seen through an injected fault: blackholed checks hang to their timeout, reset ones fail, slow ones wait first.</summary>
public sealed class FaultedHealthCheck(IHealthCheck inner, MemberFaults faults, TimeProvider time) : IHealthCheck
{
    public async Task<CheckOutcome> CheckAsync(MemberSpec member, CancellationToken ct)
    {
        switch (faults.Active(member.Name))
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
}
