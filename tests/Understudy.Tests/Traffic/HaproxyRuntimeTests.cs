using System.Collections.Immutable;
using Understudy.Core.Topology;
using Understudy.Traffic.Switches;

namespace Understudy.Tests.Traffic;

/// <summary>HAProxy's runtime API answers as HAProxy 2.6 writes them, read by <see cref="HaproxyRuntime"/>.</summary>
public class HaproxyRuntimeTests
{
    // HAProxy 2.6.12's answer to "show servers state web" with web-b in forced maint.
    private const string ServersState = """
        1
        # be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
        3 web 1 web-a 127.0.0.1 2 0 1 1 1 1 0 2 0 0 0 0 - 19001 - 0 0 - - 0
        3 web 2 web-b 127.0.0.1 0 1 1 1 0 1 0 0 0 0 0 0 - 19002 - 0 0 - - 0


        """;

    [Fact]
    public void Haproxy_ParseServers_ReadsTheStatesByColumnName()
    {
        var servers = HaproxyRuntime.ParseServers("show servers state web", ServersState);

        Assert.Equal(new HaproxyServerState("web-a", 2, 0), servers["web-a"]);
        Assert.Equal((true, false, "ready"), (servers["web-a"].Ready, servers["web-a"].InMaint, servers["web-a"].Word));
        Assert.Equal((false, true, "maint"), (servers["web-b"].Ready, servers["web-b"].InMaint, servers["web-b"].Word));
    }

    [Theory]
    [InlineData(0x04, "maint")] // maint by configuration ("disabled")
    [InlineData(0x08, "drain")]
    [InlineData(0x40, "ready")] // FQDN set from the socket: no effect on traffic
    public void Haproxy_ServerState_AdminBits(int admin, string word) => Assert.Equal(word, new HaproxyServerState("s", 2, admin).Word);

    [Theory]
    [InlineData("Can't find backend.\n\n", "`show servers state web`: Can't find backend.")]
    [InlineData("", "`show servers state web`: no answer")]
    public void Haproxy_ParseServers_ErrorAnswer_IsHaproxysText(string answer, string message) =>
        Assert.Equal(message, Assert.Throws<HaproxyException>(() => HaproxyRuntime.ParseServers("show servers state web", answer)).Message);

    [Fact]
    public void Haproxy_ParseInfo_ReadsPidAndUptime()
    {
        const string info = "Name: HAProxy\nVersion: 2.6.12-1+deb12u4\nPid: 16748\nUptime: 0d 0h00m01s\nUptime_sec: 61\nBuild info: 2.6.12\n\n";
        Assert.Equal(new HaproxyInfo(16748, 61), HaproxyRuntime.ParseInfo(info));
        Assert.Throws<HaproxyException>(() => HaproxyRuntime.ParseInfo("Unknown command.\n"));
    }

    [Fact]
    public void Haproxy_Drift_NamesEachServerThatDiffers()
    {
        var spec = new HaproxySpec("/run/h.sock", null, "web", ImmutableDictionary<string, string>.Empty.Add("web-b", "srv-b"), TimeSpan.FromSeconds(2));
        var states = new Dictionary<string, HaproxyServerState> { ["web-a"] = new("web-a", 2, 0), ["srv-b"] = new("srv-b", 2, 0) };

        Assert.Null(HaproxySwitch.Drift(spec, states, new Dictionary<string, bool> { ["web-a"] = true }));
        Assert.Equal("srv-b ready, not maint", HaproxySwitch.Drift(spec, states, new Dictionary<string, bool> { ["web-a"] = true, ["web-b"] = false }));
        Assert.Equal("no server web-c (for member web-c) in backend web", HaproxySwitch.Drift(spec, states, new Dictionary<string, bool> { ["web-c"] = false }));
    }
}
