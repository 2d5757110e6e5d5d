using System.Collections.Concurrent;
using System.Diagnostics;
using Understudy.Hosting;

namespace Understudy.IntegrationTests.Fixtures.Dns;

/// <summary>
/// Debian's BIND 9 (<c>named -g</c>, in the foreground) on 127.0.0.1 and a free port, authoritative for one zone that takes
/// RFC 2136 updates signed with a TSIG key made by <c>tsig-keygen</c>. Everything (named.conf, the zone, its journal,
/// the key, the PID file) is in a temporary folder; stopped by signals to its PID only.
/// </summary>
public sealed class BindServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20), StopTimeout = TimeSpan.FromSeconds(10);
    private readonly TempDir _folder = new();
    private readonly ConcurrentQueue<string> _log = new();
    private Process? _process;

    private BindServer(int port, string zone, string keyName, string algorithm, int ttl = 60)
    {
        Ttl = ttl;
        Port = port;
        Zone = zone;
        KeyName = keyName;
        Algorithm = algorithm;
    }

    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";
    public string Zone { get; }
    public string KeyName { get; }
    public string Algorithm { get; }

    /// <summary>The zone's records' TTL in seconds (<c>$TTL</c>): how long a resolver keeps them.</summary>
    public int Ttl { get; }

    /// <summary>The key clause tsig-keygen wrote, which named.conf includes: <c>file:</c> this as a config's tsig.secret.</summary>
    public string KeyFile => _folder.File("tsig.key");

    public string Log => string.Join('\n', _log);

    /// <summary>
    /// Starts named for <paramref name="zone"/>, whose names are given in <paramref name="records"/> (owner relative to the
    /// zone → A address, with <paramref name="ttl"/> seconds), and returns once it runs.
    /// </summary>
    public static Task<BindServer> StartAsync(string zone = "example.test", string keyName = "understudy", string algorithm = "hmac-sha256",
        int ttl = 60, params (string Name, string Address)[] records)
    {
        var server = new BindServer(FreePort.Next(), zone, keyName, algorithm, ttl);
        return server.StartAsync(async () =>
        {
            await File.WriteAllTextAsync(server.KeyFile, await KeyGenAsync(keyName, algorithm));
            await server.WriteConfigAsync(records);
        });
    }

    /// <summary>
    /// A caching resolver in front of <paramref name="authority"/> (its zone forwarded to it), as clients use: it keeps an
    /// answer for the record's TTL, so after a switch it gives the old address until then.
    /// </summary>
    public static Task<BindServer> StartResolverAsync(BindServer authority)
    {
        var server = new BindServer(FreePort.Next(), authority.Zone, "", "", authority.Ttl);
        string dir = server._folder.Path;
        return server.StartAsync(() => File.WriteAllTextAsync(server._folder.File("named.conf"), $$"""
            options {
              directory "{{dir}}";
              pid-file "{{dir}}/named.pid";
              session-keyfile "{{dir}}/session.key";
              managed-keys-directory "{{dir}}";
              listen-on port {{server.Port}} { 127.0.0.1; };
              listen-on-v6 { none; };
              recursion yes;
              allow-query { 127.0.0.1; };
              dnssec-validation no;
            };
            controls { };
            zone "{{authority.Zone}}" { type forward; forward only; forwarders { 127.0.0.1 port {{authority.Port}}; }; };
            """));
    }

    private async Task<BindServer> StartAsync(Func<Task> writeFiles)
    {
        try
        {
            await writeFiles();
            await LaunchAsync();
            return this;
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>A fresh key clause from <c>tsig-keygen -a ALGORITHM NAME</c>: same name, another secret than the server's.</summary>
    public static async Task<string> KeyGenAsync(string keyName, string algorithm = "hmac-sha256") =>
        await RunAsync("tsig-keygen", "-a", algorithm, keyName);

    /// <summary>What <c>dig +short</c> asked of this server (not recursively) answers for <paramref name="name"/>, one address a line.</summary>
    public async Task<string[]> DigAsync(string name, string type = "A") =>
        (await RunAsync("dig", "@127.0.0.1", "-p", Port.ToString(), "+short", "+norecurse", "+time=2", "+tries=1", name, type))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Points <paramref name="name"/> at <paramref name="address"/> (A, the zone's TTL) with <c>nsupdate</c> and the server's
    /// own key: a change made without Understudy's code, for tests of what clients see.
    /// </summary>
    public Task UpdateAsync(string name, string address) => RunAsync("nsupdate", ["-k", KeyFile], $"""
        server 127.0.0.1 {Port}
        zone {Zone}
        update delete {name} A
        update add {name} {Ttl} A {address}
        send

        """);

    /// <summary>The zone's SOA serial, which every applied update raises.</summary>
    public async Task<long> SerialAsync() => long.Parse((await DigAsync(Zone, "SOA")).Single().Split(' ')[2]);

    public Task StopAsync() => ProcessStop.TermThenKillAsync(_process, StopTimeout);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        _folder.Dispose();
    }

    private async Task WriteConfigAsync((string Name, string Address)[] records)
    {
        string dir = _folder.Path;
        await File.WriteAllTextAsync(_folder.File("named.conf"), $$"""
            options {
              directory "{{dir}}";
              pid-file "{{dir}}/named.pid";
              session-keyfile "{{dir}}/session.key";
              managed-keys-directory "{{dir}}";
              listen-on port {{Port}} { 127.0.0.1; };
              listen-on-v6 { none; };
              recursion no;
              dnssec-validation no;
              notify no;
            };
            controls { };
            include "{{KeyFile}}";
            zone "{{Zone}}" {
              type primary;
              file "{{dir}}/zone.db";
              allow-update { key "{{KeyName}}"; };
            };
            """);
        var zone = new List<string>
        {
            $"$TTL {Ttl}",
            $"@ IN SOA ns1.{Zone}. hostmaster.{Zone}. 1 3600 600 86400 60",
            $"@ IN NS ns1.{Zone}.",
            "ns1 IN A 127.0.0.1",
        };
        zone.AddRange(records.Select(r => $"{r.Name} IN A {r.Address}"));
        await File.WriteAllLinesAsync(_folder.File("zone.db"), zone);
    }

    private async Task LaunchAsync()
    {
        var start = new ProcessStartInfo("named")
        {
            ArgumentList = { "-g", "-4", "-c", _folder.File("named.conf") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("named did not start");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _log.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _log.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        try
        {
            // "running" is what named -g logs once it has loaded the zones and listens.
            await Eventually.TrueAsync(() => _process.HasExited || _log.Any(l => l.EndsWith(" running", StringComparison.Ordinal)), "named to run", StartTimeout);
        }
        catch (TimeoutException e) { throw new InvalidOperationException($"{e.Message}\n{Log}", e); }
        if (_process.HasExited) throw new InvalidOperationException($"named exited with {_process.ExitCode}\n{Log}");
    }

    private static Task<string> RunAsync(string program, params string[] args) => RunAsync(program, args, null);

    private static async Task<string> RunAsync(string program, string[] args, string? input)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        foreach (string a in args) start.ArgumentList.Add(a);
        using Process p = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        if (input is not null)
        {
            await p.StandardInput.WriteAsync(input);
            p.StandardInput.Close();
        }
        Task<string> output = p.StandardOutput.ReadToEndAsync(), error = p.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await p.WaitForExitAsync(patience.Token);
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {p.ExitCode}: {await error}");
        return await output;
    }
}
