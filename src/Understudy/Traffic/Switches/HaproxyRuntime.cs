using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Understudy.Core.Topology;

namespace Understudy.Traffic.Switches;

/// <summary>What HAProxy answered with an error (its own text), or why it could not be asked.</summary>
public sealed class HaproxyException(string message) : Exception(message);

/// <summary>One server's line of <c>show servers state</c>: its operational and administrative states.</summary>
public readonly record struct HaproxyServerState(string Name, int OpState, int AdminState)
{
    // srv_admin_state is a mask (management.txt, "show servers state"): 0x01 forced maint, 0x02 inherited maint,
    // 0x04 maint by configuration, 0x08 forced drain, 0x10 inherited drain, 0x20 maint after a resolution failure.
    private const int MaintBits = 0x01 | 0x02 | 0x04 | 0x20;
    private const int DrainBits = 0x08 | 0x10;

    /// <summary>In maintenance: HAProxy sends it nothing.</summary>
    public bool InMaint => (AdminState & MaintBits) != 0;

    /// <summary>Neither in maintenance nor draining (whether it is up is its health checks' to say: <see cref="OpState"/>).</summary>
    public bool Ready => (AdminState & (MaintBits | DrainBits)) == 0;

    public string Word => InMaint ? "maint" : Ready ? "ready" : "drain";
}

/// <summary>The running process as <c>show info</c> tells it: a new pid or a smaller uptime is a restart or reload.</summary>
public readonly record struct HaproxyInfo(int Pid, long UptimeSeconds);

/// <summary>
/// A client of HAProxy's runtime API (the stats socket at level admin, <c>management.txt</c> section 9.3), written here:
/// no .NET package speaks it. Each command is one connection in HAProxy's non-interactive mode: write the command and a
/// newline, read the answer to EOF. Every exchange ends within <paramref name="timeout"/> or when the token is cancelled.
/// </summary>
public sealed class HaproxyRuntime(string? socket, HostPort? address, TimeSpan timeout)
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    public HaproxyRuntime(HaproxySpec spec) : this(spec.Socket, spec.Address, spec.Timeout) { }

    public string Where => socket ?? address!.Value.ToString();

    /// <summary>
    /// One gate per HAProxy backend in this process: the executor's fence and switch and the reconciler never interleave
    /// their commands, so a reconcile that read the state before a fence cannot make the fenced server ready after it.
    /// </summary>
    public static SemaphoreSlim GateOf(HaproxySpec spec) => Gates.GetOrAdd($"{spec.Where} {spec.Backend}", _ => new SemaphoreSlim(1, 1));

    /// <summary>Sends <paramref name="command"/> and returns HAProxy's whole answer.</summary>
    public async Task<string> SendAsync(string command, CancellationToken cancel)
    {
        using var within = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        within.CancelAfter(timeout);
        try
        {
            using Socket s = socket is not null
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            if (socket is not null) await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), within.Token);
            else await s.ConnectAsync(address!.Value.Host, address.Value.Port, within.Token);
            await s.SendAsync(Encoding.ASCII.GetBytes(command + "\n"), SocketFlags.None, within.Token);
            s.Shutdown(SocketShutdown.Send);
            var answer = new MemoryStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = await s.ReceiveAsync(buffer, SocketFlags.None, within.Token)) > 0) answer.Write(buffer, 0, n);
            return Encoding.UTF8.GetString(answer.GetBuffer(), 0, (int)answer.Length);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new HaproxyException($"HAProxy at {Where} did not answer `{command}` within {timeout.TotalMilliseconds:0} ms");
        }
        catch (SocketException e)
        {
            throw new HaproxyException($"cannot reach HAProxy at {Where}: {e.Message}");
        }
    }

    /// <summary>A command that answers nothing when it succeeds (<c>set server</c>, <c>shutdown sessions</c>); any text is HAProxy's error.</summary>
    public async Task RunAsync(string command, CancellationToken cancel)
    {
        string answer = (await SendAsync(command, cancel)).Trim();
        if (answer.Length > 0) throw new HaproxyException($"`{command}`: {FirstLine(answer)}");
    }

    public Task SetStateAsync(string backend, string server, bool ready, CancellationToken cancel) =>
        RunAsync($"set server {backend}/{server} state {(ready ? "ready" : "maint")}", cancel);

    public Task ShutdownSessionsAsync(string backend, string server, CancellationToken cancel) =>
        RunAsync($"shutdown sessions server {backend}/{server}", cancel);

    /// <summary><c>show servers state B</c>, by server name.</summary>
    public async Task<IReadOnlyDictionary<string, HaproxyServerState>> ServersAsync(string backend, CancellationToken cancel)
    {
        string command = $"show servers state {backend}";
        return ParseServers(command, await SendAsync(command, cancel));
    }

    public async Task<HaproxyInfo> InfoAsync(CancellationToken cancel) => ParseInfo(await SendAsync("show info", cancel));

    /// <summary>
    /// The answer's first line is the format version (1), the second names the columns after '#', then one server a
    /// line, blank-separated; anything else is HAProxy's error ("Can't find backend.").
    /// </summary>
    public static IReadOnlyDictionary<string, HaproxyServerState> ParseServers(string command, string answer)
    {
        string[] lines = answer.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length < 2 || lines[0] != "1" || !lines[1].StartsWith('#'))
            throw new HaproxyException($"`{command}`: {(lines.Length == 0 ? "no answer" : FirstLine(answer))}");
        string[] columns = lines[1].TrimStart('#').Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int name = Column(columns, "srv_name", command), op = Column(columns, "srv_op_state", command), admin = Column(columns, "srv_admin_state", command);
        var servers = new Dictionary<string, HaproxyServerState>(StringComparer.Ordinal);
        foreach (string line in lines.Skip(2))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < columns.Length || !int.TryParse(f[op], CultureInfo.InvariantCulture, out int o) || !int.TryParse(f[admin], CultureInfo.InvariantCulture, out int a))
                throw new HaproxyException($"`{command}`: cannot read the line '{line}'");
            servers[f[name]] = new HaproxyServerState(f[name], o, a);
        }
        return servers;
    }

    public static HaproxyInfo ParseInfo(string answer)
    {
        var fields = answer.Split('\n', StringSplitOptions.TrimEntries)
            .Select(l => l.Split(':', 2, StringSplitOptions.TrimEntries))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
        if (fields.TryGetValue("Pid", out string? pid) && int.TryParse(pid, CultureInfo.InvariantCulture, out int p)
            && fields.TryGetValue("Uptime_sec", out string? up) && long.TryParse(up, CultureInfo.InvariantCulture, out long u))
            return new HaproxyInfo(p, u);
        throw new HaproxyException($"`show info`: no Pid and Uptime_sec in the answer ({(answer.Trim().Length == 0 ? "empty" : FirstLine(answer))})");
    }

    private static int Column(string[] columns, string name, string command) =>
        Array.IndexOf(columns, name) is var i and >= 0 ? i : throw new HaproxyException($"`{command}`: no column {name} in the answer");

    private static string FirstLine(string answer) => answer.Trim().Split('\n')[0].Trim();
}
