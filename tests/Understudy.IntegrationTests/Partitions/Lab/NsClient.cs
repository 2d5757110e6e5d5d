using System.Text.Json;
using Understudy.IntegrationTests.Partitions.Net;
using Understudy.PartitionClient;

namespace Understudy.IntegrationTests.Partitions.Lab;

/// <summary>
/// The partition-client program on an instance's host, writing through that host's proxy every <see cref="Every"/>,
/// each attempt a JSON line in its log (see <see cref="Attempt"/>). A client whose host is cut off sees what a real
/// application there would: its own proxy's answer.
/// </summary>
public sealed class NsClient : IAsyncDisposable
{
    public static readonly TimeSpan Every = TimeSpan.FromMilliseconds(50);
    private readonly NsProcess _process;

    private NsClient(string name, string attemptsFile, NsProcess process)
    {
        Name = name;
        AttemptsFile = attemptsFile;
        _process = process;
    }

    public string Name { get; }
    public string AttemptsFile { get; }

    public static NsClient Start(string name, LabHost host, string proxyAddress, string folder)
    {
        string[] hostPort = proxyAddress.Split(':');
        // Connect and command timeouts above the proxy's hold (3 s), so a held connection that is routed in time counts.
        string connection = $"Host={hostPort[0]};Port={hostPort[1]};Username=postgres;Database=postgres;Pooling=false;Timeout=5;Command Timeout=5";
        string attempts = Path.Combine(folder, $"client-{name}.jsonl");
        string dll = Path.Combine(AppContext.BaseDirectory, "Understudy.PartitionClient.dll"), apphost = Path.ChangeExtension(dll, null);
        var (program, args) = File.Exists(apphost) ? (apphost, Array.Empty<string>()) : ("dotnet", [dll]);
        var process = NsProcess.Start(host, Path.Combine(folder, $"client-{name}.log"), program,
            [.. args, name, connection, attempts, ((int)Every.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return new NsClient(name, attempts, process);
    }

    /// <summary>What it has logged so far (a line being written is skipped).</summary>
    public IReadOnlyList<Attempt> Attempts()
    {
        if (!File.Exists(AttemptsFile)) return [];
        using var reader = new StreamReader(new FileStream(AttemptsFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var list = new List<Attempt>();
        while (reader.ReadLine() is { } line)
        {
            try { if (JsonSerializer.Deserialize(line, AttemptJson.Default.Attempt) is { } a) list.Add(a); }
            catch (JsonException) { }
        }
        if (_process.HasExited && list.Count == 0) throw new InvalidOperationException($"client {Name} exited:\n{_process.LogTail()}");
        return list;
    }

    /// <summary>SIGTERM: it starts no new attempt and exits once those in flight have ended (their timeouts bound that).</summary>
    public Task StopAsync() => _process.StopAsync(TimeSpan.FromSeconds(20));

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
