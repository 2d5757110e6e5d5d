using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace Understudy.Tests.Traffic;

/// <summary>
/// A stand-in for HAProxy's stats socket (a Unix socket in a temp folder) that answers the four commands Understudy
/// sends, as HAProxy 2.6 does, for one backend whose servers start ready. Every command received is kept.
/// </summary>
public sealed class FakeHaproxy : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _backend;

    public FakeHaproxy(string backend, params string[] servers)
    {
        _backend = backend;
        foreach (string s in servers) Admin[s] = 0;
        Socket = Path.Combine(Directory.CreateTempSubdirectory("understudy-fakehaproxy-").FullName, "admin.sock");
        _listener.Bind(new UnixDomainSocketEndPoint(Socket));
        _listener.Listen();
        _ = AcceptAsync();
    }

    public string Socket { get; }

    /// <summary>Server → srv_admin_state (0 ready, 1 forced maint).</summary>
    public ConcurrentDictionary<string, int> Admin { get; } = new();

    public ConcurrentQueue<string> Commands { get; } = new();

    public int Pid { get; set; } = 100;

    public long Uptime { get; set; } = 10;

    /// <summary>What a restart does: a new pid, a short uptime, every server as the config has it (ready).</summary>
    public void Restart()
    {
        Pid++;
        Uptime = 1;
        foreach (string s in Admin.Keys) Admin[s] = 0;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            var read = new MemoryStream();
            byte[] buffer = new byte[1024];
            int n;
            while ((n = await client.ReceiveAsync(buffer, SocketFlags.None)) > 0) read.Write(buffer, 0, n);
            string command = Encoding.ASCII.GetString(read.ToArray()).Trim();
            Commands.Enqueue(command);
            await client.SendAsync(Encoding.ASCII.GetBytes(Answer(command)), SocketFlags.None);
        }
    }

    private string Answer(string command)
    {
        string[] w = command.Split(' ');
        if (command == "show info") return $"Name: HAProxy\nVersion: 2.6.12\nPid: {Pid}\nUptime_sec: {Uptime}\n\n";
        if (w is ["show", "servers", "state", var b])
        {
            if (b != _backend) return "Can't find backend.\n\n";
            var lines = Admin.OrderBy(s => s.Key).Select((s, i) => $"3 {b} {i + 1} {s.Key} 127.0.0.1 {(s.Value == 0 ? 2 : 0)} {s.Value} 1 1 1 1 0 2 0 0 0 0 - 80 - 0 0 - - 0");
            return "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status "
                + "srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl "
                + "srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n" + string.Join("\n", lines) + "\n\n";
        }
        if (w is ["set", "server", var bs, "state", var state] && Server(bs) is var (ok, server))
        {
            if (!ok) return server;
            Admin[server] = state == "maint" ? 1 : 0;
            return "\n";
        }
        if (w is ["shutdown", "sessions", "server", var bs2] && Server(bs2) is var (ok2, server2)) return ok2 ? "\n" : server2;
        return "Unknown command, but maybe one of the following ones is a better match:\n  help\n\n";
    }

    private (bool Ok, string ServerOrError) Server(string backendSlashServer)
    {
        string[] p = backendSlashServer.Split('/');
        if (p[0] != _backend) return (false, "No such backend.\n\n");
        return Admin.ContainsKey(p[1]) ? (true, p[1]) : (false, "No such server.\n\n");
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        try { Directory.Delete(Path.GetDirectoryName(Socket)!, recursive: true); } catch (IOException) { }
    }
}
