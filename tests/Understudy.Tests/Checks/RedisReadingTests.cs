using Understudy.Checks;
using Understudy.Core.Topology;
using Understudy.Failover.Redis;

namespace Understudy.Tests.Checks;

/// <summary>What a Redis check makes of ROLE and INFO replication, and how a demotion counts the writes it discards.</summary>
public class RedisReadingTests
{
    private static readonly ServiceSpec Cache = new("cache", ServiceKind.Redis,
        [new MemberSpec("r1", new HostPort("127.0.0.1", 6379)), new MemberSpec("r2", new HostPort("127.0.0.1", 6380)), new MemberSpec("r3", new HostPort("localhost", 6381))], "r1",
        new CheckSpec(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(150), 2, 2), new FailoverSpec(FailoverMode.Automatic, TimeSpan.Zero),
        null, HooksSpec.None, TargetsSpec.None, Redis: RedisSpec.Default);

    private const string PrimaryInfo = """
        # Replication
        role:master
        connected_slaves:3
        slave0:ip=127.0.0.1,port=6380,state=online,offset=9000,lag=0
        slave1:ip=127.0.0.1,port=6381,state=online,offset=8990,lag=1
        slave2:ip=127.0.0.1,port=7000,state=online,offset=8990,lag=1
        slave3:ip=127.0.0.1,port=6379,state=wait_bgsave,offset=0,lag=0
        master_replid:5a1d
        master_repl_offset:9000
        second_repl_offset:-1
        """;

    [Fact]
    public void Read_Primary_OffsetAndTheMembersOnlineByAddressOrHostName()
    {
        var outcome = RedisHealthCheck.Read(Cache, "master", RedisConnections.Fields(PrimaryInfo));

        Assert.True(outcome.Ok);
        Assert.Equal(9000, outcome.Replication!.CurrentLsn);
        Assert.False(outcome.Replication.InRecovery);
        // r3 is configured as localhost; port 7000 is no member; r1's line is not online yet.
        Assert.Equal(["r2", "r3"], outcome.Replication.Streaming.ToArray());
        Assert.Equal("primary at offset 9000, 2 replicas online", outcome.Detail);
    }

    [Fact]
    public void Read_Replica_ReceivedAndProcessedOffsets()
    {
        var info = RedisConnections.Fields("role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:6379\r\nmaster_link_status:down\r\nslave_read_repl_offset:8800\r\nslave_repl_offset:8700\r\n");

        var outcome = RedisHealthCheck.Read(Cache, "slave", info);

        Assert.Equal((true, 8800L, 8700L), (outcome.Replication!.InRecovery, outcome.Replication.ReceiveLsn!.Value, outcome.Replication.ReplayLsn!.Value));
        Assert.Equal("replica of 127.0.0.1:6379 (link down), offset 8800", outcome.Detail);
    }

    [Fact]
    public void Read_ASentinel_IsAFailedCheck() => Assert.False(RedisHealthCheck.Read(Cache, "sentinel", RedisConnections.Fields("")).Ok);

    [Theory]
    [InlineData("5a1d", 9300, "5a1d", 9001, 300L)] // it wrote 300 bytes past the offset the primary took over at
    [InlineData("5a1d", 9000, "5a1d", 9001, 0L)]
    [InlineData("0e0e", 0, "5a1d", 9001, null)] // came back empty: another history
    public void LostBytes_ByOffsetPastTheTakeOver(string oldId, long oldOffset, string promotedFrom, long second, long? lost)
    {
        var old = RedisConnections.Fields($"role:master\nmaster_replid:{oldId}\nmaster_repl_offset:{oldOffset}\n");
        var primary = RedisConnections.Fields($"role:master\nmaster_replid:beef\nmaster_replid2:{promotedFrom}\nmaster_repl_offset:9500\nsecond_repl_offset:{second}\n");

        Assert.Equal(lost, RedisActions.LostBytes(old, primary));
    }
}
