using System.Net.Sockets;
using System.Text;

namespace Understudy.Bench;

/// <summary>
/// HAProxy's runtime API over its Unix socket (`stats socket … level admin`), spoken directly with a
/// UnixDomainSocket so the bench needs no socat: one connection per command line, which HAProxy answers
/// and then closes (non-interactive mode).
/// </summary>
internal sealed class HaproxyRuntime(string socketPath)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    /// <summary>Sends one line (commands may be joined with ';') and returns the whole answer.</summary>
    public async Task<string> SendAsync(string line)
    {
        using var timeout = new CancellationTokenSource(Limit);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), timeout.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes(line + "\n"), SocketFlags.None, timeout.Token);
        using var answer = new MemoryStream();
        var buffer = new byte[8192];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0) answer.Write(buffer, 0, n);
        return Encoding.ASCII.GetString(answer.ToArray());
    }

    /// <summary>`set server` commands answer nothing when they succeed, so any text is an error.</summary>
    public async Task SetAsync(string line)
    {
        string answer = await SendAsync(line);
        if (answer.Trim().Length > 0) throw new InvalidOperationException($"haproxy refused '{line}': {answer.Trim()}");
    }

    /// <summary>Current sessions on one server, from `show stat` (CSV with a '# ' header line).</summary>
    public async Task<int> SessionsAsync(string backend, string server)
    {
        string[] lines = (await SendAsync("show stat")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int scur = Array.IndexOf(lines[0].TrimStart('#', ' ').Split(','), "scur");
        string[] row = lines.Select(l => l.Split(',')).Single(f => f[0] == backend && f[1] == server);
        return int.Parse(row[scur], System.Globalization.CultureInfo.InvariantCulture);
    }
}
