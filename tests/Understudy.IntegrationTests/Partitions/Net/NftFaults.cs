using System.Globalization;
using System.Text;

namespace Understudy.IntegrationTests.Partitions.Net;

/// <summary>
/// Drops and loss between hosts, as nft rules on the lab's bridge: one <c>bridge</c> table per run in the switch's
/// namespace, matching (source, destination) address pairs from sets whose elements carry a timeout of the fault's
/// duration plus a margin, so a fault lifts itself even if nothing cleans up. A partition A→B drops only what A sends
/// to B; a symmetric one is both directions. Loss drops N % of a pair's packets (<c>numgen random mod 100 &lt; N</c>).
/// This kernel has no netem, so delay is not here: see <see cref="DelayRelay"/>.
/// </summary>
public sealed class NftFaults
{
    /// <summary>How long an element outlives its fault's planned end, should nobody heal it.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    private readonly HostNetwork _network;
    private readonly HashSet<int> _lossRates = [];

    private NftFaults(HostNetwork network) => _network = network;

    public string Table => $"partition_{_network.RunId}";

    public static async Task<NftFaults> CreateAsync(HostNetwork network)
    {
        var faults = new NftFaults(network);
        await faults.NftAsync($$"""
            table bridge {{faults.Table}} {
              set cut { type ipv4_addr . ipv4_addr; flags timeout; }
              chain faults {
                type filter hook forward priority 0; policy accept;
                ip saddr . ip daddr @cut drop
              }
            }
            """);
        return faults;
    }

    /// <summary>Every packet from each pair's first host to its second is dropped, for <paramref name="duration"/> (plus the margin, if not healed).</summary>
    public Task DropAsync(IEnumerable<(LabHost From, LabHost To)> pairs, TimeSpan duration) => AddAsync("cut", pairs, duration);

    /// <summary><paramref name="percent"/> % of the packets from each pair's first host to its second are dropped.</summary>
    public async Task LossAsync(IEnumerable<(LabHost From, LabHost To)> pairs, int percent, TimeSpan duration)
    {
        if (percent is < 1 or > 99) throw new ArgumentOutOfRangeException(nameof(percent), percent, "loss is 1 to 99 %; 100 % is a drop");
        if (_lossRates.Add(percent))
            await NftAsync($$"""
                add set bridge {{Table}} loss_{{percent}} { type ipv4_addr . ipv4_addr; flags timeout; }
                add rule bridge {{Table}} faults ip saddr . ip daddr @loss_{{percent}} numgen random mod 100 < {{percent}} drop
                """);
        await AddAsync($"loss_{percent}", pairs, duration);
    }

    /// <summary>Lifts every fault at once (one nft transaction).</summary>
    public Task HealAsync() =>
        NftAsync(string.Join('\n', _lossRates.Select(p => $"loss_{p}").Prepend("cut").Select(set => $"flush set bridge {Table} {set}")));

    /// <summary>The elements in force now, for failure messages.</summary>
    public Task<string> ListAsync() => Shell.RunAsync("ip", ["netns", "exec", _network.Switch, "nft", "list", "table", "bridge", Table]);

    /// <summary>Both directions between every host of <paramref name="side"/> and every host of <paramref name="other"/>.</summary>
    public static IEnumerable<(LabHost, LabHost)> Between(IEnumerable<LabHost> side, IEnumerable<LabHost> other) =>
        from a in side from b in other where a != b from pair in new[] { (a, b), (b, a) } select pair;

    /// <summary>Only what <paramref name="from"/> sends to <paramref name="to"/>.</summary>
    public static IEnumerable<(LabHost, LabHost)> OneWay(IEnumerable<LabHost> senders, IEnumerable<LabHost> receivers) =>
        from a in senders from b in receivers where a != b select (a, b);

    private Task AddAsync(string set, IEnumerable<(LabHost From, LabHost To)> pairs, TimeSpan duration)
    {
        var list = pairs.Distinct().ToList();
        if (list.Count == 0) return Task.CompletedTask;
        string timeout = $"{(int)Math.Ceiling((duration + Margin).TotalSeconds)}s";
        var elements = string.Join(", ", list.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.From.Address} . {p.To.Address} timeout {timeout}")));
        return NftAsync($"add element bridge {Table} {set} {{ {elements} }}");
    }

    private Task<string> NftAsync(string script) =>
        Shell.RunAsync("ip", ["netns", "exec", _network.Switch, "nft", "-f", "-"], script + "\n");
}
