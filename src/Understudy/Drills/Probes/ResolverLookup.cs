using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Understudy.Core.Topology;

namespace Understudy.Drills.Probes;

/// <summary>
/// Looks a host name up through one DNS resolver on every call, with no cache of its own: what a client behind a caching
/// resolver sees, so a drill measures how long the resolver kept answering with the old primary's address after a
/// <c>traffic.dns</c> switch. A first (A, else AAAA), as most clients connect to.
/// </summary>
public sealed class ResolverLookup(HostPort resolver, TimeSpan timeout)
{
    private readonly DnsClient _client = new([IPAddress.Parse(resolver.Host)], [new UdpClientTransport(resolver.Port), new TcpClientTransport(resolver.Port)], true,
        (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds));

    /// <summary>The first address the resolver gives for <paramref name="host"/>, or null with why not.</summary>
    public async Task<(IPAddress? Address, string WhyNot)> LookUpAsync(string host, CancellationToken ct)
    {
        foreach (RecordType type in (RecordType[])[RecordType.A, RecordType.Aaaa])
        {
            DnsMessage? answer = await _client.ResolveAsync(DomainName.Parse(host), type, RecordClass.INet, new DnsQueryOptions { IsRecursionDesired = true }, ct);
            if (answer is null) return (null, $"no answer from the resolver {resolver}");
            if (answer.ReturnCode is not (ReturnCode.NoError or ReturnCode.NxDomain)) return (null, $"the resolver {resolver} answered {answer.ReturnCode} for {host}");
            if (answer.AnswerRecords.OfType<AddressRecordBase>().FirstOrDefault() is { } found) return (found.Address, "");
        }
        return (null, $"the resolver {resolver} has no A or AAAA record for {host}");
    }
}
