using Understudy.IntegrationTests.Partitions.Net;

namespace Understudy.IntegrationTests.Partitions.Scenarios;

/// <summary>The suite's scenarios (issue 12, point 4). Lengths are CI's unless <see cref="FaultContext.Full"/>.</summary>
public static class PartitionScenarios
{
    public static Scenario Get(string name) => All.Single(s => s.Name == name);

    public static readonly Scenario[] All =
    [
        new("primary-isolated",
            "pg1 (the primary) cut off from every other host, both ways. Clients, instances, etcd and pg2 all lose it: " +
            "the instances must fail over to pg2 (synchronous, so nothing acknowledged is lost), and pg1, which can no " +
            "longer reach its synchronous standby, acknowledges nothing meanwhile.",
            "1", n => n == 1, async f =>
            {
                var length = f.Seconds(6, 9);
                f.Note($"drop pg1 <-> every host for {length.TotalSeconds:0.0} s");
                await f.Faults.DropAsync(NftFaults.Between([f.Primary], f.Except(f.Primary)), length);
                await f.LastAsync(length);
            }),

        new("primary-cut-from-instances",
            "pg1 cut off from the three instance hosts only; pg1 keeps pg2 (and etcd). Clients reach the primary only " +
            "through the proxies on the instance hosts, so for them this is the primary gone, as in primary-isolated. " +
            "What it adds: the standby the instances promote is still streaming from a live primary at that moment. " +
            "No acknowledged write may be lost across that promotion, and the old primary, whose synchronous standby " +
            "has left, must not acknowledge another (nobody can reach it to try, which is the point of the proxies).",
            "1", n => n == 1, async f =>
            {
                var length = f.Seconds(6, 9);
                f.Note($"drop pg1 <-> a, b, c for {length.TotalSeconds:0.0} s");
                await f.Faults.DropAsync(NftFaults.Between([f.Primary], f.InstanceHosts), length);
                await f.LastAsync(length);
            }),

        new("leader-isolated",
            "The leading instance's host cut off from every other host (its own client still reaches its proxy). The " +
            "leader loses etcd, so it can neither keep leading nor commit a failover it might decide from its own failed " +
            "checks; its proxy stops routing after the lease; another instance leads; the primary is fine, so no failover.",
            "0", n => n == 0, async f =>
            {
                var length = f.Seconds(6, 9);
                f.Note($"drop {f.LeaderHost.Name} (leader) <-> every host for {length.TotalSeconds:0.0} s");
                await f.Faults.DropAsync(NftFaults.Between([f.LeaderHost], f.Except(f.LeaderHost)), length);
                await f.LastAsync(length);
            }),

        new("etcd-minority-with-leader",
            "The leader's host and one etcd member on one side, everything else (two instances, two etcd members, both " +
            "PostgreSQL hosts) on the other. The minority etcd member cannot commit or renew leases, so the old leader " +
            "loses leadership and routing; the majority side elects a new leader, sees the primary healthy. While etcd " +
            "recovers the majority's proxies may hold new connections too; released at once, the clients' held " +
            "connections reach pg1 together, and a connect storm on 2 cores has timed pg1's checks out three times in a " +
            "row (1 run of 2 here): that failover is the reconnect storm being fixed separately, so 0–1 are accepted and " +
            "the table counts them; nothing acknowledged may be lost either way.",
            "0–1", n => n <= 1, async f =>
            {
                var length = f.Seconds(6, 9);
                var etcd = f.Lab[$"e{1 + f.Random.Next(3)}"];
                LabHost[] minority = [f.LeaderHost, etcd];
                f.Note($"partition {{{f.LeaderHost.Name} (leader), {etcd.Name}}} | rest for {length.TotalSeconds:0.0} s");
                await f.Faults.DropAsync(NftFaults.Between(minority, f.Except(minority)), length);
                await f.LastAsync(length);
            }),

        new("etcd-minority-with-leader-and-primary",
            "The leader's host, one etcd member and pg1 (the primary) on one side; two instances, two etcd members and " +
            "pg2 on the other. The majority fails over to pg2. On the minority side the old leader's proxy may route to " +
            "pg1 until its routing lease ends, but pg1 cannot reach its synchronous standby, so it acknowledges nothing: " +
            "this is where split brain would show. Whether the majority fails over within the fault depends on how soon its " +
            "etcd members and clients stop waiting on the cut-off member (measured here: up to 8 s), so 0 or 1 are both " +
            "right; what must hold is no acknowledged write lost and none taken by pg1 after pg2's first. Without a failover " +
            "the majority's clients wait the whole fault, so the RTO is reported, not held to the 10 s target.",
            "0–1", n => n <= 1, async f =>
            {
                var length = f.Seconds(12, 15);
                var etcd = f.Lab[$"e{1 + f.Random.Next(3)}"];
                LabHost[] minority = [f.LeaderHost, etcd, f.Primary];
                f.Note($"partition {{{f.LeaderHost.Name} (leader), {etcd.Name}, pg1}} | rest for {length.TotalSeconds:0.0} s");
                await f.Faults.DropAsync(NftFaults.Between(minority, f.Except(minority)), length);
                await f.LastAsync(length);
            }) { RtoBound = null },

        new("asymmetric-primary-leader",
            "One direction only between the primary and the leader's host (which one from the seed): TCP needs both, so the " +
            "leader's checks of pg1 time out while the two other instances, and every client, see pg1 healthy. One " +
            "instance's view is not a quorum (\"many eyes\"): no failover.",
            "0", n => n == 0, async f =>
            {
                var length = f.Seconds(6, 9) * (f.Full ? 2 : 1);
                bool fromPrimary = f.Random.Next(2) == 0;
                var (from, to) = fromPrimary ? (f.Primary, f.LeaderHost) : (f.LeaderHost, f.Primary);
                f.Note($"drop {from.Name} -> {to.Name} only (leader {f.LeaderHost.Name}) for {length.TotalSeconds:0.0} s");
                await f.Faults.DropAsync(NftFaults.OneWay([from], [to]), length);
                await f.LastAsync(length);
            }),

        new("flapping-primary",
            "pg1 isolated from every host and healed again, every 300 ms, for 10 s. Whether the instances fail over is " +
            "not the point (either is right); what is: nothing acknowledged lost, never two primaries taking writes, and " +
            "one primary and one leader after it stops.",
            "0–1", n => n <= 1, async f =>
            {
                var period = TimeSpan.FromMilliseconds(300);
                var length = TimeSpan.FromSeconds(10);
                var start = f.Seconds(0, 0.3); // the phase against the checks' schedule
                await f.UntilAsync(f.Elapsed + start);
                var begun = f.Elapsed;
                f.Note($"flap: drop pg1 <-> every host for 300 ms, heal for 300 ms, for {length.TotalSeconds:0} s");
                int cuts = 0;
                for (; begun + period * (2 * cuts) < begun + length; cuts++)
                {
                    await f.Faults.DropAsync(NftFaults.Between([f.Primary], f.Except(f.Primary)), period);
                    await f.UntilAsync(begun + period * (2 * cuts + 1));
                    await f.Faults.HealAsync();
                    await f.UntilAsync(begun + period * (2 * cuts + 2));
                }
                f.Note($"{cuts} cuts");
            }),

        new("latency-and-loss-on-primary",
            "300 ms latency spikes (everything to and from pg1 through its relay stalls for 300 ms, every 0.7–2 s) and " +
            "2 % packet loss both ways between pg1 and every host, for 30 s (CI: 12 s), with checks every 1 s, timeout " +
            "500 ms, fall 3. A spike is shorter than the timeout, and one lost packet costs one check, not three in a " +
            "row: no failover may follow.",
            "0", n => n == 0, async f =>
            {
                var length = TimeSpan.FromSeconds(f.Full ? 30 : 12);
                var relay = f.Lab.Pg.Delays.At(f.Primary);
                f.Note($"2 % loss pg1 <-> every host, and 300 ms spikes on pg1's relay, for {length.TotalSeconds:0} s");
                await f.Faults.LossAsync(NftFaults.Between([f.Primary], f.Except(f.Primary)), 2, length);
                var end = f.Elapsed + length;
                int spikes = 0;
                while (f.Elapsed + TimeSpan.FromMilliseconds(300) < end)
                {
                    relay.Spike(TimeSpan.FromMilliseconds(300));
                    spikes++;
                    await f.UntilAsync(Min(end, f.Elapsed + TimeSpan.FromMilliseconds(300) + f.Seconds(0.7, 2.0)));
                }
                await f.UntilAsync(end);
                f.Note($"{spikes} spikes");
            }),
    ];

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
