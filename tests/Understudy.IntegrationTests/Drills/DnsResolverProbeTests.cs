using System.Net;
using System.Net.Sockets;
using Understudy.Core.Drills;
using Understudy.Core.Topology;
using Understudy.Drills.Probes;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Dns;

namespace Understudy.IntegrationTests.Drills;

/// <summary>A tcp probe with <c>resolver</c>: it looks the name up through a caching BIND resolver on every attempt.</summary>
[Collection(RealProcesses.Name)]
public class DnsResolverProbeTests
{
    [Fact]
    public async Task TcpProbe_ThroughACachingResolver_ReachesTheOldAddressUntilTheTtlRunsOut()
    {
        const int Ttl = 2;
        await using var bind = await BindServer.StartAsync(ttl: Ttl, records: [("web", "127.0.0.1")]);
        await using var resolver = await BindServer.StartResolverAsync(bind);
        int port = FreePort.Next();
        var old = new TcpListener(IPAddress.Loopback, port);
        var @new = new TcpListener(IPAddress.Parse("127.0.0.2"), port);
        old.Start();
        @new.Start();
        try
        {
            var spec = new ProbeSpec("web", ProbeKind.Tcp, $"web.example.test:{port}", TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(1),
                Resolver: new HostPort("127.0.0.1", resolver.Port));
            using OpenLoopProbe probe = ProbeFactory.Create(spec, TimeProvider.System);
            using var stop = new CancellationTokenSource();
            Task running = probe.RunAsync(stop.Token);

            await Eventually.TrueAsync(() => probe.Samples.Any(s => s is { Ok: true, AnsweredBy: "127.0.0.1" }), "the probe to reach 127.0.0.1");
            await bind.UpdateAsync("web.example.test", "127.0.0.2");
            DateTimeOffset changed = DateTimeOffset.UtcNow;
            ProbeSample first = await Eventually.GetAsync(() => Task.FromResult(probe.Samples.FirstOrDefault(s => s.AnsweredBy == "127.0.0.2")), "the probe to reach 127.0.0.2");
            await stop.CancelAsync();
            await running;

            // The resolver answers from its cache until the TTL runs out, then the new address, and never the old one again.
            Assert.True(first.Start - changed < TimeSpan.FromSeconds(Ttl + 1), $"first reached 127.0.0.2 {(first.Start - changed).TotalMilliseconds:0} ms after the change");
            Assert.All(probe.Samples.Where(s => s.Seq > first.Seq && s.Ok), s => Assert.Equal("127.0.0.2", s.AnsweredBy));
            Assert.All(probe.Samples, s => Assert.True(s.Ok, $"{s.Seq}: {s.Error} {s.Detail}"));
            Assert.All(probe.Samples, s => Assert.Equal(s.AnsweredBy, s.Address));

            // The report's DNS tail, with the record change standing in for traffic.switched: TTL > 0, so it is > 0.
            DnsTail tail = DnsTailCalculation.Compute(spec.Resolver!.Value.ToString(), probe.Samples, changed, changed);
            Assert.Equal("127.0.0.1", tail.OldAddress);
            Assert.True(tail.TailMs > 0 && tail.AttemptsToOldAddressAfterSwitch > 0, $"tail {tail.TailMs} ms, {tail.AttemptsToOldAddressAfterSwitch} attempts");
            Assert.True(tail.LastOldAddressAt < first.Start);
        }
        finally
        {
            old.Stop();
            @new.Stop();
        }
    }
}
