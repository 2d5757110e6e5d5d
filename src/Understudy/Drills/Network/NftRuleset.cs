using System.Globalization;
using Understudy.Core.Drills;

namespace Understudy.Drills.Network;

/// <summary>
/// The text a drill feeds <c>nft -f -</c>. Written by hand rather than through a library: it is a handful of
/// statements, and NftRulesetTests pins them. One <c>inet</c> table per drill run; each fault is a set holding its
/// target, whose element carries a timeout of the fault's duration plus <see cref="Margin"/>, and one rule per
/// direction that looks the packet up in that set. When the element expires the rules stop matching, so a fault
/// lifts itself even if the drill is killed before it can clean up.
/// </summary>
public static class NftRuleset
{
    /// <summary>How long a fault's element outlives the fault's planned end, should nothing remove it.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    /// <summary>A table name no other run shares: this process's id (to tell whose it is) and a random suffix.</summary>
    public static string TableName(int processId, string suffix) => $"understudy_drill_{processId}_{suffix}";

    /// <summary>
    /// Fault number <paramref name="number"/> in <paramref name="table"/> (created if needed): what this host sends
    /// to the target (output) and what it receives from it (input), so both a request and its answer are hit.
    /// With a port, only TCP and UDP to and from that port match: other services on the address are untouched.
    /// </summary>
    public static string Add(string table, int number, NetworkFault fault)
    {
        NetworkTarget target = fault.Target;
        string set = $"fault_{number}";
        string family = target.IsV6 ? "ip6" : "ip";
        string addressType = target.IsV6 ? "ipv6_addr" : "ipv4_addr";
        string type = target.Port is null ? addressType : $"{addressType} . inet_service";
        string element = target.Port is { } port ? $"{target.Address} . {port}" : target.Address.ToString();
        string timeout = string.Create(CultureInfo.InvariantCulture, $"{(long)Math.Ceiling((fault.Duration + Margin).TotalMilliseconds)}ms");
        string toTarget = target.Port is null ? $"{family} daddr @{set}" : $"meta l4proto {{ tcp, udp }} {family} daddr . th dport @{set}";
        string fromTarget = target.Port is null ? $"{family} saddr @{set}" : $"meta l4proto {{ tcp, udp }} {family} saddr . th sport @{set}";
        string verdict = fault.Kind == NetworkFaultKind.Loss ? $"numgen random mod 100 < {fault.LossPercent} drop" : "drop";
        return $$"""
            table inet {{table}} {
              chain output { type filter hook output priority filter; policy accept; }
              chain input { type filter hook input priority filter; policy accept; }
              set {{set}} { type {{type}}; flags timeout; elements = { {{element}} timeout {{timeout}} } }
            }
            add rule inet {{table}} output {{toTarget}} {{verdict}}
            add rule inet {{table}} input {{fromTarget}} {{verdict}}

            """;
    }

    /// <summary>Ends one fault while others in the table go on: its set empties, so its rules match nothing.</summary>
    public static string End(string table, int number) => $"flush set inet {table} fault_{number}\n";

    /// <summary>Removes the run's table with every set and rule in it.</summary>
    public static string Delete(string table) => $"delete table inet {table}\n";
}
