using System.Diagnostics;
using System.Net.Http.Json;
using Understudy.Api;
using Understudy.Demo;
using Understudy.Hosting;

namespace Understudy.Bench;

/// <summary>
/// Two sample apps with Understudy and HAProxy both in front of them, in a temp folder; everything
/// started here is stopped by PID on dispose.
/// </summary>
internal sealed class Rig : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("understudy-bench-").FullName;
    private readonly System.Text.StringBuilder _controllerOutput = new(), _haproxyOutput = new();
    private Process? _controller, _haproxy;

    public int PortA { get; }
    public int PortB { get; }
    public int UnderstudyPort { get; } = FreePort.Next();
    public int ApiPort { get; } = FreePort.Next();
    public int HaproxyPort { get; } = FreePort.Next();
    /// <summary>HAProxy's runtime API (admin level), for <see cref="HaproxyRuntime"/>.</summary>
    public string HaproxySocket => Path.Combine(_dir, "haproxy.sock");
    public SampleAppProcess A { get; private set; } = null!;
    public SampleAppProcess B { get; private set; } = null!;

    /// <param name="mode">http (layer-7 HAProxy, http checks) or tcp (both at layer 4).</param>
    /// <param name="checkMs">health checks' interval for both; Understudy's timeout is 4/5 of it, HAProxy's all of it.</param>
    public static Task<Rig> StartAsync(string mode, int checkMs = 100) => StartAsync(mode, checkMs, FreePort.Next(), FreePort.Next(), apps: true);

    /// <summary>Both proxies at layer 4 in front of servers already running at <paramref name="a"/> (primary) and <paramref name="b"/> (may be down).</summary>
    public static Task<Rig> InFrontOfAsync(int a, int b) => StartAsync("tcp", 100, a, b, apps: false);

    private Rig(int a, int b)
    {
        PortA = a;
        PortB = b;
    }

    private static async Task<Rig> StartAsync(string mode, int checkMs, int a, int b, bool apps)
    {
        var rig = new Rig(a, b);
        try
        {
            string config = Path.Combine(rig._dir, "understudy.yaml"), haproxy = Path.Combine(rig._dir, "haproxy.cfg");
            File.WriteAllText(config, Configs.Understudy(rig.PortA, rig.PortB, rig.UnderstudyPort, rig.ApiPort, mode, checkMs));
            File.WriteAllText(haproxy, Configs.Haproxy(rig.PortA, rig.PortB, rig.HaproxyPort, mode, checkMs, rig.HaproxySocket) + "\n"); // HAProxy refuses a last line without LF
            if (apps)
            {
                rig.A = await SampleAppProcess.StartAsync("web-a", rig.PortA, Limit);
                rig.B = await SampleAppProcess.StartAsync("web-b", rig.PortB, Limit);
            }
            rig._controller = Children.Controller(config, rig._controllerOutput);
            rig._haproxy = Children.Haproxy(haproxy, rig._haproxyOutput);
            await Children.WaitForPortAsync(rig.UnderstudyPort, Limit, rig._controller, () => rig._controllerOutput.ToString());
            await Children.WaitForPortAsync(rig.HaproxyPort, Limit, rig._haproxy, () => rig._haproxyOutput.ToString());
            return rig;
        }
        catch
        {
            rig.Dispose(); // whatever started is stopped by PID
            throw;
        }
    }

    /// <summary>Until the controller sees both members up (HAProxy assumes its servers up from the start).</summary>
    public Task WaitForMembersUpAsync(TimeSpan within) => WaitForMembersUpAsync(ApiPort, within);

    /// <summary>Until the controller on <paramref name="apiPort"/> sees both members of its one service up.</summary>
    public static async Task WaitForMembersUpAsync(int apiPort, TimeSpan within)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var deadline = DateTimeOffset.UtcNow + within;
        while (DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                var status = await http.GetFromJsonAsync<StatusView>($"http://127.0.0.1:{apiPort}/api/status", ApiJson.Options);
                if (status!.Services[0].Members.All(m => m.Health == "up")) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(50);
        }
        throw new TimeoutException("the controller did not see both members up");
    }

    public void Dispose()
    {
        if (_controller is not null) Children.Stop(_controller);
        if (_haproxy is not null) Children.Stop(_haproxy);
        A?.Dispose();
        B?.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
