using System.Buffers;
using System.Text;
using Understudy.Core.Cluster;
using Understudy.Core.Failover;
using Understudy.Core.Topology;
using Understudy.Traffic;

namespace Understudy.Tests.Traffic;

/// <summary>What the Sentinel listener answers, against a route board fed by hand (no sockets).</summary>
public class SentinelSessionTests
{
    private static readonly TrafficRoute OnR1 = new(1, "r1", false, false);
    private static readonly TrafficRoute Failing = new(2, null, Hold: true, TargetDown: false);
    private static readonly TrafficRoute OnR2 = new(2, "r2", false, false);

    private static ServiceSpec Cache(SentinelAnswer answer, bool proxy = false, TimeSpan? hold = null) => new(
        "cache", ServiceKind.Tcp,
        [new MemberSpec("r1", new HostPort("10.0.0.1", 6379)), new MemberSpec("r2", new HostPort("10.0.0.2", 6379))], "r1",
        new CheckSpec(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(100), 3, 2), new FailoverSpec(FailoverMode.Automatic, TimeSpan.Zero),
        proxy ? new ProxySpec(new HostPort("0.0.0.0", 6380), hold ?? TimeSpan.FromSeconds(5)) : null, HooksSpec.None, TargetsSpec.None,
        Sentinel: new SentinelSpec(new HostPort("127.0.0.1", 26379), "mymaster", answer));

    private sealed class Client
    {
        private readonly RouteBoard _board;
        private readonly SentinelRoutes _routes;

        public Client(ServiceSpec service, RouteBoard board, Func<string, bool>? isDown = null)
        {
            _board = board;
            _routes = new SentinelRoutes(service, board, isDown);
            Session = new SentinelSession(_routes, "0123456789abcdef0123456789abcdef01234567", 7);
        }

        public SentinelSession Session { get; }

        public string Send(params string[] words) => Write(w => Session.Handle(words, _routes.View(_board.Current, "192.0.2.7"), w));

        public string Announce() => Write(w => Session.Announce(_routes.View(_board.Current, "192.0.2.7"), w));

        private static string Write(Action<RespWriter> act)
        {
            var output = new ArrayBufferWriter<byte>();
            act(new RespWriter(output));
            return Encoding.UTF8.GetString(output.WrittenSpan);
        }
    }

    private static string Bulks(params string[] items) => $"*{items.Length}\r\n" + Items(items);

    /// <summary>Bulk strings without an array header: a run of fields inside a longer reply.</summary>
    private static string Items(params string[] items) => string.Concat(items.Select(i => $"${Encoding.UTF8.GetByteCount(i)}\r\n{i}\r\n"));

    [Fact]
    public void Member_GetMasterAddr_IsTheRoutableMemberThenNilDuringTheFailoverThenTheNewOne()
    {
        var board = new RouteBoard(OnR1);
        var c = new Client(Cache(SentinelAnswer.Member), board);

        Assert.Equal(Bulks("10.0.0.1", "6379"), c.Send("SENTINEL", "get-master-addr-by-name", "mymaster"));
        board.Publish(Failing);
        Assert.Equal("*-1\r\n", c.Send("sentinel", "GET-MASTER-ADDR-BY-NAME", "mymaster"));
        board.Publish(OnR2);
        Assert.Equal(Bulks("10.0.0.2", "6379"), c.Send("SENTINEL", "get-master-addr-by-name", "mymaster"));
        Assert.Equal("*-1\r\n", c.Send("SENTINEL", "get-master-addr-by-name", "other"));
    }

    [Fact]
    public void Proxy_GetMasterAddr_IsTheProxyWhileRoutedOrHeld_NilOnlyWhenClosed()
    {
        var board = new RouteBoard(OnR1);
        var c = new Client(Cache(SentinelAnswer.Proxy, proxy: true), board);
        // The proxy listens on 0.0.0.0: the client is given the address it reached the listener on.
        string proxy = Bulks("192.0.2.7", "6380");

        Assert.Equal(proxy, c.Send("SENTINEL", "get-master-addr-by-name", "mymaster"));
        board.Publish(Failing);
        Assert.Equal(proxy, c.Send("SENTINEL", "get-master-addr-by-name", "mymaster"));
        board.SetGate(RouteGate.Closed);
        Assert.Equal("*-1\r\n", c.Send("SENTINEL", "get-master-addr-by-name", "mymaster"));
        Assert.Equal("*0\r\n", c.Send("SENTINEL", "replicas", "mymaster"));
    }

    [Fact]
    public void Proxy_WithoutHold_ANilWhileNothingIsRoutable()
    {
        var board = new RouteBoard(Failing);
        var c = new Client(Cache(SentinelAnswer.Proxy, proxy: true, hold: TimeSpan.Zero), board);

        Assert.Equal("*-1\r\n", c.Send("SENTINEL", "get-master-addr-by-name", "mymaster"));
    }

    [Fact]
    public void Replicas_AreTheOtherMembers_WithTheirHealthInTheFlags()
    {
        var c = new Client(Cache(SentinelAnswer.Member), new RouteBoard(OnR1), m => m == "r2");

        string replicas = c.Send("SENTINEL", "replicas", "mymaster");

        Assert.StartsWith("*1\r\n*20\r\n", replicas);
        Assert.Contains(Items("flags", "slave,s_down"), replicas);
        Assert.Contains("$8\r\n10.0.0.2\r\n", replicas);
        Assert.Equal(replicas, c.Send("SENTINEL", "slaves", "mymaster"));
        Assert.Equal("*0\r\n", c.Send("SENTINEL", "sentinels", "mymaster"));
        Assert.Equal("-ERR No such master with that name\r\n", c.Send("SENTINEL", "replicas", "other"));
    }

    [Fact]
    public void Master_ListsNameAddressFlagsAndEpoch_AndMastersHoldsIt()
    {
        var board = new RouteBoard(OnR1);
        var c = new Client(Cache(SentinelAnswer.Member), board);
        board.Publish(Failing);

        string master = c.Send("SENTINEL", "master", "mymaster");

        Assert.StartsWith("*28\r\n" + Items("name", "mymaster", "ip", "10.0.0.1", "port", "6379", "runid", "", "flags", "master,o_down"), master);
        Assert.Contains(Items("config-epoch", "2"), master);
        Assert.Equal("*1\r\n" + master, c.Send("SENTINEL", "masters"));
    }

    [Fact]
    public void ConnectCommands_AnswerAsASentinel()
    {
        var c = new Client(Cache(SentinelAnswer.Member), new RouteBoard(OnR1));

        Assert.Equal("+PONG\r\n", c.Send("PING"));
        Assert.Equal("*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n", c.Send("ROLE"));
        Assert.Equal("+OK\r\n", c.Send("CLIENT", "SETNAME", "app"));
        Assert.Equal("$3\r\napp\r\n", c.Send("CLIENT", "GETNAME"));
        Assert.Equal("+OK\r\n", c.Send("CLIENT", "SETINFO", "lib-name", "SE.Redis"));
        Assert.StartsWith("-NOPROTO", c.Send("HELLO", "3"));
        Assert.StartsWith("*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n", c.Send("HELLO", "2"));
        Assert.Equal("*0\r\n", c.Send("CONFIG", "GET", "*"));
        Assert.Equal("*0\r\n", c.Send("COMMAND"));
        Assert.StartsWith("-ERR unknown command 'GET'", c.Send("GET", "k"));
        Assert.StartsWith("-ERR Understudy decides failovers", c.Send("SENTINEL", "failover", "mymaster"));
    }

    [Fact]
    public void Info_HasTheServerAndSentinelSections()
    {
        var c = new Client(Cache(SentinelAnswer.Member), new RouteBoard(OnR1));

        string info = c.Send("INFO");

        Assert.Contains("redis_mode:sentinel\r\n", info);
        Assert.Contains("sentinel_masters:1\r\n", info);
        Assert.Contains("master0:name=mymaster,status=ok,address=10.0.0.1:6379,slaves=1,sentinels=1\r\n", info);
        Assert.DoesNotContain("# Server", c.Send("INFO", "sentinel"));
    }

    [Fact]
    public void Subscribed_SwitchMasterIsPublishedOnceWhenTheRoutableMemberChanges()
    {
        var board = new RouteBoard(OnR1);
        var c = new Client(Cache(SentinelAnswer.Member), board);

        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$14\r\n+switch-master\r\n:1\r\n", c.Send("SUBSCRIBE", "+switch-master"));
        Assert.Equal("*3\r\n$10\r\npsubscribe\r\n$1\r\n*\r\n:2\r\n", c.Send("PSUBSCRIBE", "*"));
        Assert.Equal("", c.Announce());
        board.Publish(Failing);
        Assert.Equal("", c.Announce()); // nothing routable: nothing to switch to yet
        board.Publish(OnR2);

        string message = "mymaster 10.0.0.1 6379 10.0.0.2 6379";
        Assert.Equal(Bulks("message", "+switch-master", message) + Bulks("pmessage", "*", "+switch-master", message), c.Announce());
        Assert.Equal("", c.Announce());
    }

    [Fact]
    public void Subscribed_OnlyPubSubCommandsAnswer_AndUnsubscribingLeaves()
    {
        var c = new Client(Cache(SentinelAnswer.Member), new RouteBoard(OnR1));
        c.Send("SUBSCRIBE", "+switch-master");

        Assert.Equal(Bulks("pong", ""), c.Send("PING"));
        Assert.StartsWith("-ERR Can't execute 'sentinel'", c.Send("SENTINEL", "masters"));
        Assert.Equal("*3\r\n$11\r\nunsubscribe\r\n$14\r\n+switch-master\r\n:0\r\n", c.Send("UNSUBSCRIBE"));
        Assert.False(c.Session.Subscribed);
        Assert.Equal("+PONG\r\n", c.Send("PING"));
    }

    [Fact]
    public void Proxy_Subscribed_NothingIsPublished_TheAddressDoesNotChange()
    {
        var board = new RouteBoard(OnR1);
        var c = new Client(Cache(SentinelAnswer.Proxy, proxy: true), board);
        c.Send("SUBSCRIBE", "+switch-master");

        board.Publish(OnR2);

        Assert.Equal("", c.Announce());
    }

    [Fact]
    public void Quit_AnswersOkAndAsksToClose()
    {
        var c = new Client(Cache(SentinelAnswer.Member), new RouteBoard(OnR1));

        Assert.Equal("+OK\r\n", c.Send("QUIT"));
        Assert.True(c.Session.Quitting);
    }

    [Fact]
    public void Routes_AnswerProxyWithoutAProxy_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new SentinelRoutes(Cache(SentinelAnswer.Proxy), new RouteBoard(OnR1)));
}
