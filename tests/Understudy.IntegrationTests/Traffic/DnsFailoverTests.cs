using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Dns;

namespace Understudy.IntegrationTests.Traffic;

/// <summary>
/// A controller whose http service is reached through the proxy and a DNS name on BIND 9: web-a on 127.0.0.1, web-b on
/// 127.0.0.2 (a relay to its sample app), so the A record says which one is primary.
/// </summary>
[Collection(RealProcesses.Name)]
public class DnsFailoverTests
{
    private const string Name = DnsWebPair.Name;

    [Fact]
    public async Task Crash_PrimaryKilled_NameResolvesToTheNewPrimaryOnceTrafficSwitched()
    {
        await using var bind = await BindServer.StartAsync(ttl: 5, records: [("web", "127.0.0.1")]);
        await using var setup = await DnsWebPair.StartAsync(bind, $"file:{bind.KeyFile}");

        setup.A.Kill();
        EventView switched = await Eventually.GetAsync(async () => (await setup.Controller.EventsAsync("web", EventTypes.TrafficSwitched)).FirstOrDefault(), "traffic.switched");

        // The record changed before the switch was journaled: it is there as soon as the event is.
        Assert.Equal(["127.0.0.2"], await bind.DigAsync(Name));
        Assert.Equal("web-b", switched.Member);
        Assert.Contains($"DNS {Name}. at {bind.Address}: {Name}. A 127.0.0.2 (TTL 5 s), checked by a query, in ", Detail(switched, "reason"));
        var events = await setup.Controller.EventsAsync("web");
        EventView switching = Assert.Single(events, e => e.Type == EventTypes.TrafficSwitching);
        Assert.True(switching.Id < switched.Id);
        Assert.Equal($"web-b is ready; switching DNS {Name}. to it (epoch 2)", Detail(switching, "reason"));
        Assert.DoesNotContain(events, e => e.Type == EventTypes.TrafficSwitchFailed);
    }

    [Fact]
    public async Task Crash_WrongTsigKey_SwitchFailsIsJournaledAndAlertedAndTheRecordStays()
    {
        await using var bind = await BindServer.StartAsync(ttl: 5, records: [("web", "127.0.0.1")]);
        using var keys = new TempDir();
        await File.WriteAllTextAsync(keys.File("wrong.key"), await BindServer.KeyGenAsync(bind.KeyName));
        await using var setup = await DnsWebPair.StartAsync(bind, $"file:{keys.File("wrong.key")}");

        setup.A.Kill();
        EventView failed = await Eventually.GetAsync(async () => (await setup.Controller.EventsAsync("web", EventTypes.TrafficSwitchFailed)).FirstOrDefault(), "traffic.switch_failed");
        EventView alert = await Eventually.GetAsync(async () => (await setup.Controller.EventsAsync("web", EventTypes.AlertRaised))
            .FirstOrDefault(e => Detail(e, "reason")?.Contains("switching traffic to web-b failed") == true), "the switch's alert");

        string refused = $"the DNS server {bind.Address} refused the update: TSIG key 'understudy.' (hmac-sha256) not accepted (BADSIG";
        Assert.Contains(refused, Detail(failed, "reason"));
        Assert.Contains(refused, Detail(alert, "reason"));
        Assert.Equal("critical", Detail(alert, "severity"));
        Assert.Equal(["127.0.0.1"], await bind.DigAsync(Name));
        Assert.Empty(await setup.Controller.EventsAsync("web", EventTypes.TrafficSwitched));
    }

    private static string? Detail(EventView e, string key) => e.Details.TryGetValue(key, out object? v) ? v?.ToString() : null;
}
