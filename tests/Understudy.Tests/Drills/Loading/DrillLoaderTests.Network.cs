using System.Net;
using Understudy.Core.Drills;
using Understudy.Drills;

namespace Understudy.Tests.Drills.Loading;

/// <summary>network steps: targets, exactly one of drop/loss/delay, and where nft or the controller is needed.</summary>
public partial class DrillLoaderTests
{
    private const string NotRoot = "network faults need root and nftables (apt-get install nftables): this process is not root";

    /// <summary>As this host would parse it if it could (or could not, with <paramref name="refusal"/>) run nft.</summary>
    private static DrillResult ParseNetwork(string yaml, string? refusal = null) =>
        DrillLoader.Parse(yaml, FileName, Folder, _ => null, () => refusal);

    private static void AssertNetworkErrors(string yaml, params string[] expected) =>
        Assert.Equal(expected, ParseNetwork(yaml).Errors.Select(e => e.ToString()));

    [Fact]
    public void Parse_NetworkFaults_RoundTripIntoSpec()
    {
        DrillResult result = ParseNetwork(Steps("""
            faults:
              - network: { target: 127.0.0.1:5432, drop: true, duration: 10s }
              - network: { target: 10.0.0.7, loss: 2%, duration: 1m }
              - network: { target: "::1", loss: 30, duration: 5s }
              - network: { target: "[::1]:6379", delay: 300ms, jitter: 50ms, duration: 20s }
              - network: { target: 127.0.0.1:9001, delay: 1s, duration: 2s }
            """));

        Assert.Empty(result.Errors.Select(e => e.ToString()));
        Assert.Equal([
            new NetworkFault(new NetworkTarget(IPAddress.Loopback, 5432), NetworkFaultKind.Drop, TimeSpan.FromSeconds(10)),
            new NetworkFault(new NetworkTarget(IPAddress.Parse("10.0.0.7"), null), NetworkFaultKind.Loss, TimeSpan.FromMinutes(1), LossPercent: 2),
            new NetworkFault(new NetworkTarget(IPAddress.IPv6Loopback, null), NetworkFaultKind.Loss, TimeSpan.FromSeconds(5), LossPercent: 30),
            new NetworkFault(new NetworkTarget(IPAddress.IPv6Loopback, 6379), NetworkFaultKind.Delay, TimeSpan.FromSeconds(20),
                Delay: TimeSpan.FromMilliseconds(300), Jitter: TimeSpan.FromMilliseconds(50)),
            new NetworkFault(new NetworkTarget(IPAddress.Loopback, 9001), NetworkFaultKind.Delay, TimeSpan.FromSeconds(2), Delay: TimeSpan.FromSeconds(1)),
        ], result.Spec!.Faults.AsEnumerable());
        Assert.Equal(["network drop 127.0.0.1:5432 for 10 s", "network loss 2 % 10.0.0.7 for 60 s", "network loss 30 % ::1 for 5 s",
            "network delay 300 ms ± 50 ms [::1]:6379 for 20 s", "network delay 1000 ms ± 0 ms 127.0.0.1:9001 for 2 s"],
            result.Spec.Faults.Select(f => f.Describe()));
    }

    [Fact]
    public void Parse_NetworkKinds_ExactlyOne() => AssertNetworkErrors(
        Steps("faults:\n  - network: { target: 127.0.0.1:80, duration: 1s }\n  - network: { target: 127.0.0.1:80, drop: true, loss: 2%, delay: 1s, duration: 1s }"),
        "drill.yaml:6:14 faults[0].network: required: one of drop, loss, delay",
        "drill.yaml:7:50 faults[1].network.loss: only one of drop, loss, delay (drop is already set)",
        "drill.yaml:7:60 faults[1].network.delay: only one of drop, loss, delay (drop is already set)");

    [Fact]
    public void Parse_BadNetworkValues_AreEachReported() => AssertNetworkErrors(
        Steps("""
            faults:
              - network: { target: db.example.com:5432, drop: false, duration: 0 }
              - network: { target: 10, loss: 100%, duration: 1s }
              - network: { target: 127.0.0.1:80, loss: 2.5%, jitter: 5ms }
              - network: { target: "127.0.0.1:99999", loss: 0, duration: 1s }
              - network: { target: 127.0.0.1, delay: 300ms, duration: 1s }
            """),
        "drill.yaml:6:24 faults[0].network.target: expected an IP address with an optional port, e.g. 127.0.0.1:5432, 10.0.0.7 or [::1]:6379, got 'db.example.com:5432' (nft matches addresses, not host names)",
        "drill.yaml:6:51 faults[0].network.drop: only drop: true; for part of the packets write loss: 2%, or leave the step out",
        "drill.yaml:6:68 faults[0].network.duration: must be > 0 (got 0)",
        "drill.yaml:7:24 faults[1].network.target: expected an IP address with an optional port, e.g. 127.0.0.1:5432, 10.0.0.7 or [::1]:6379, got '10' (nft matches addresses, not host names)",
        "drill.yaml:7:34 faults[1].network.loss: must be a whole percentage above 0% and below 100%, e.g. loss: 2% (got 100%); to drop everything write drop: true",
        "drill.yaml:8:14 faults[2].network.duration: required: how long the fault lasts, e.g. duration: 10s",
        "drill.yaml:8:44 faults[2].network.loss: must be a whole percentage above 0% and below 100%, e.g. loss: 2% (got 2.5%)",
        "drill.yaml:8:50 faults[2].network.jitter: only for delay (this fault is loss)",
        "drill.yaml:9:24 faults[3].network.target: port must be a number from 1 to 65535, got '99999'",
        "drill.yaml:9:49 faults[3].network.loss: must be a whole percentage above 0% and below 100%, e.g. loss: 2% (got 0)",
        "drill.yaml:10:16 faults[4].network.target: delay needs a port (127.0.0.1:PORT): it delays the member at that address through the controller's proxy");

    [Fact]
    public void Parse_NetworkDropOrLossWhereNftCannotRun_IsRefusedAtTheStep()
    {
        DrillResult result = ParseNetwork(Steps("""
            faults:
              - network: { target: 127.0.0.1:80, drop: true, duration: 1s }
              - network: { target: 127.0.0.1:80, loss: 5%, duration: 1s }
              - network: { target: 127.0.0.1:80, delay: 5ms, duration: 1s }
            """), NotRoot);

        // A delay goes through the controller's proxy, so it needs neither root nor nft.
        Assert.Equal([$"drill.yaml:6:5 faults[0].network: {NotRoot}", $"drill.yaml:7:5 faults[1].network: {NotRoot}"],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_NetworkDelayWithoutController_NeedsOne() => AssertNetworkErrors(
        Minimal.Replace("  - wait: 1s", "  - network: { target: 127.0.0.1:9001, delay: 300ms, duration: 5s }"),
        "drill.yaml:4:40 faults[0].network.delay: needs controller: this kernel has no netem, so a delay is the controller's proxy latency fault toward the member at target; set controller and service");

    [Fact]
    public void Parse_NetworkInRollback_IsAFaultOnly() => AssertNetworkErrors(
        Steps("faults: [ { wait: 1s } ]\nrollback:\n  - network: { target: 127.0.0.1:80, drop: true, duration: 1s }"),
        "drill.yaml:7:5 rollback[0].network: allowed only in faults (steps allowed in rollback: exec, kill_process, proxy, wait, manual)");
}
