using System.Net;
using Understudy.Core.Drills;
using Understudy.Drills.Network;

namespace Understudy.Tests.Drills;

/// <summary>The hand-written nft text, statement by statement: what is matched, in which direction, and when it expires.</summary>
public class NftRulesetTests
{
    private const string Table = "understudy_drill_42_ab12cd34";

    [Fact]
    public void Add_DropToAPort_MatchesOnlyThatPortBothWaysAndExpiresAfterTheDurationPlusTheMargin() => Assert.Equal("""
        table inet understudy_drill_42_ab12cd34 {
          chain output { type filter hook output priority filter; policy accept; }
          chain input { type filter hook input priority filter; policy accept; }
          set fault_1 { type ipv4_addr . inet_service; flags timeout; elements = { 127.0.0.1 . 5432 timeout 15000ms } }
        }
        add rule inet understudy_drill_42_ab12cd34 output meta l4proto { tcp, udp } ip daddr . th dport @fault_1 drop
        add rule inet understudy_drill_42_ab12cd34 input meta l4proto { tcp, udp } ip saddr . th sport @fault_1 drop

        """, NftRuleset.Add(Table, 1, new NetworkFault(new NetworkTarget(IPAddress.Loopback, 5432), NetworkFaultKind.Drop, TimeSpan.FromSeconds(10))));

    [Fact]
    public void Add_LossToAnAddress_DrawsANumberPerPacketAndMatchesEveryProtocol() => Assert.Equal("""
        table inet understudy_drill_42_ab12cd34 {
          chain output { type filter hook output priority filter; policy accept; }
          chain input { type filter hook input priority filter; policy accept; }
          set fault_3 { type ipv4_addr; flags timeout; elements = { 10.0.0.7 timeout 5250ms } }
        }
        add rule inet understudy_drill_42_ab12cd34 output ip daddr @fault_3 numgen random mod 100 < 2 drop
        add rule inet understudy_drill_42_ab12cd34 input ip saddr @fault_3 numgen random mod 100 < 2 drop

        """, NftRuleset.Add(Table, 3, new NetworkFault(new NetworkTarget(IPAddress.Parse("10.0.0.7"), null), NetworkFaultKind.Loss,
            TimeSpan.FromMilliseconds(250), LossPercent: 2)));

    [Fact]
    public void Add_IPv6Target_UsesIp6AndAnIpv6Set()
    {
        string text = NftRuleset.Add(Table, 2, new NetworkFault(new NetworkTarget(IPAddress.IPv6Loopback, 6379), NetworkFaultKind.Drop, TimeSpan.FromSeconds(1)));
        Assert.Contains("set fault_2 { type ipv6_addr . inet_service; flags timeout; elements = { ::1 . 6379 timeout 6000ms } }", text);
        Assert.Contains("output meta l4proto { tcp, udp } ip6 daddr . th dport @fault_2 drop", text);
        Assert.Contains("input meta l4proto { tcp, udp } ip6 saddr . th sport @fault_2 drop", text);
    }

    [Fact]
    public void EndAndDelete_EmptyOneFaultsSetOrDropTheWholeTable()
    {
        Assert.Equal("flush set inet understudy_drill_42_ab12cd34 fault_2\n", NftRuleset.End(Table, 2));
        Assert.Equal("delete table inet understudy_drill_42_ab12cd34\n", NftRuleset.Delete(Table));
        Assert.Equal("understudy_drill_42_ab12cd34", NftRuleset.TableName(42, "ab12cd34"));
    }
}
