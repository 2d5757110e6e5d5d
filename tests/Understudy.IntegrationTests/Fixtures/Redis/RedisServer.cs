using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Understudy.Hosting;

namespace Understudy.IntegrationTests.Fixtures.Redis;

/// <summary>
/// One Debian redis-server (7.0) on 127.0.0.1 and a free port, in a temporary folder, without persistence (as a
/// cache's replicas usually run: a killed primary comes back empty), known by PID: crashed, paused and stopped by
/// signals to that PID only. A replica starts with <c>--replicaof</c> its primary.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20), StopTimeout = TimeSpan.FromSeconds(10);
    private readonly TempDir _folder = new();
    private Process? _process;

    private RedisServer(string name, int port)
    {
        Name = name;
        Port = port;
    }

    /// <summary>r1, r2 …: the member name in the configs the tests write.</summary>
    public string Name { get; }
    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";
    public int Pid => _process is { HasExited: false } p ? p.Id : 0;
    public bool IsRunning => Pid > 0;
    public string LogFile => _folder.File("redis.log");

    /// <summary>Starts a server (a replica of <paramref name="primary"/> when given) and returns once it answers PING.</summary>
    public static async Task<RedisServer> StartAsync(string name, RedisServer? primary = null, params string[] extraArgs)
    {
        var server = new RedisServer(name, FreePort.Next());
        await server.LaunchAsync(primary?.Port, extraArgs);
        return server;
    }

    /// <summary>Starts it again on the same port (empty: nothing was persisted), as a primary or as a replica of <paramref name="primary"/>.</summary>
    public Task RestartAsync(RedisServer? primary = null) => LaunchAsync(primary?.Port, []);

    /// <summary>SIGKILL by PID: the crash a drill causes. Returns once the process is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is not { HasExited: false } p) return;
        Signals.TrySend(p.Id, Signals.Kill);
        await p.WaitForExitAsync();
    }

    /// <summary>SIGSTOP: connections stay open and nothing answers, as with a frozen host.</summary>
    public Task PauseAsync() => Freezer.FreezeAsync(_process!.Id, Name);

    public Task ResumeAsync() => Freezer.ThawAsync(_process!.Id, Name);

    /// <summary>SIGTERM (SIGCONT first, a paused server cannot act on it), then SIGKILL after 10 s; by PID.</summary>
    public Task StopAsync() => ProcessStop.TermThenKillAsync(_process, StopTimeout);

    /// <summary>
    /// One command in RESP on a new connection, the reply as text (bulk strings and simple replies; arrays joined by
    /// newlines). For the ASCII replies the fixtures read (PING, INFO, ROLE): bulk lengths are taken as characters.
    /// </summary>
    public Task<string> CommandAsync(params string[] args) => CommandAsync(Port, args);

    /// <summary>As above, to any port on 127.0.0.1: a proxy's, say, as a client that connects per request.</summary>
    public static async Task<string> CommandAsync(int port, params string[] args)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await client.ConnectAsync("127.0.0.1", port, timeout.Token);
        var request = new StringBuilder($"*{args.Length}\r\n");
        foreach (string a in args) request.Append($"${Encoding.UTF8.GetByteCount(a)}\r\n{a}\r\n");
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), timeout.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await ReadReplyAsync(reader, timeout.Token);
    }

    /// <summary>INFO replication as key → value.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReplicationAsync() =>
        (await CommandAsync("INFO", "replication")).Split('\n', StringSplitOptions.TrimEntries)
            .Select(l => l.Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);

    /// <summary>"master" or "slave", as INFO says.</summary>
    public async Task<string> RoleAsync() => (await ReplicationAsync())["role"];

    /// <summary>Returns once this replica's link to its primary is up and it has caught up with <paramref name="primary"/>'s offset.</summary>
    public async Task WaitCaughtUpAsync(RedisServer primary, TimeSpan? within = null)
    {
        await Eventually.TrueAsync(async () =>
        {
            var mine = await ReplicationAsync();
            var theirs = await primary.ReplicationAsync();
            return mine.GetValueOrDefault("master_link_status") == "up" && mine.GetValueOrDefault("master_port") == primary.Port.ToString()
                && long.Parse(mine["slave_repl_offset"]) >= long.Parse(theirs["master_repl_offset"]);
        }, $"{Name} to replicate from {primary.Name} and catch up", within ?? TimeSpan.FromSeconds(30));
    }

    public string LogTail(int lines = 30) => File.Exists(LogFile) ? string.Join('\n', File.ReadLines(LogFile).TakeLast(lines)) : "(no log)";

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        _folder.Dispose();
    }

    private async Task LaunchAsync(int? primaryPort, string[] extraArgs)
    {
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList =
            {
                "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _folder.Path, "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--logfile", LogFile, "--protected-mode", "no",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (primaryPort is { } pp) foreach (string a in (string[])["--replicaof", "127.0.0.1", pp.ToString()]) start.ArgumentList.Add(a);
        foreach (string a in extraArgs) start.ArgumentList.Add(a);
        _process?.Dispose();
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        try
        {
            await Eventually.TrueAsync(async () => _process.HasExited || await AnswersAsync(), $"{Name} to answer PING", StartTimeout);
        }
        catch (TimeoutException e) { throw new InvalidOperationException($"{e.Message}\n{LogTail()}", e); }
        if (_process.HasExited) throw new InvalidOperationException($"redis-server {Name} exited with {_process.ExitCode}\n{LogTail()}");
    }

    private async Task<bool> AnswersAsync()
    {
        try { return await CommandAsync("PING") == "PONG"; }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException) { return false; }
    }

    private static async Task<string> ReadReplyAsync(StreamReader reader, CancellationToken ct)
    {
        string line = await reader.ReadLineAsync(ct) ?? throw new IOException("the connection closed before a reply");
        switch (line[0])
        {
            case '+' or ':': return line[1..];
            case '-': throw new InvalidOperationException($"Redis error: {line[1..]}");
            case '$':
                int length = int.Parse(line[1..]);
                if (length < 0) return "";
                var buffer = new char[length + 2];
                int read = 0;
                while (read < buffer.Length) read += await reader.ReadAsync(buffer.AsMemory(read), ct) is var n and > 0 ? n : throw new IOException("short bulk reply");
                return new string(buffer, 0, length);
            case '*':
                int count = int.Parse(line[1..]);
                var items = new List<string>();
                for (int i = 0; i < count; i++) items.Add(await ReadReplyAsync(reader, ct));
                return string.Join('\n', items);
            default: throw new IOException($"unexpected reply: {line}");
        }
    }
}
