using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Understudy.Api;
using Understudy.Cluster;
using Understudy.Demo;
using Understudy.Hosting;

namespace Understudy.Bench;

/// <summary>
/// Several Understudy instances of one cluster on one etcd (or a single controller without etcd), in front of two
/// sample apps, in a temp folder: each instance with its own config (name, API, proxy, journal) and the same
/// service, as each host of a cluster would have (docs/operations.md, "Several controllers"). Everything started
/// here is stopped by PID on dispose.
/// </summary>
internal sealed class ClusterRig : IDisposable
{
    public const string Lease = "2s";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("understudy-bench-cluster-").FullName;
    private readonly System.Text.StringBuilder _etcdOutput = new();
    private readonly Dictionary<string, Instance> _instances = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private Process? _etcd;
    private string? _etcdUrl;

    /// <summary>One <c>understudy serve</c>: its ports, process and output.</summary>
    internal sealed class Instance(string name, int api, int proxy)
    {
        public string Name => name;
        public int ApiPort => api;
        public int ProxyPort => proxy;
        public Process? Process { get; set; }
        public System.Text.StringBuilder Output { get; } = new();
        public bool Running => Process is { HasExited: false };
        /// <summary>Killed on purpose: its exit is not an error.</summary>
        public bool Killed { get; set; }
    }

    public int PortA { get; } = FreePort.Next();
    public int PortB { get; } = FreePort.Next();
    public SampleAppProcess A { get; private set; } = null!;
    public SampleAppProcess B { get; private set; } = null!;
    public IReadOnlyList<string> Names { get; private init; } = [];
    public Instance this[string name] => _instances[name];
    public IEnumerable<string> Running => Names.Where(n => _instances[n].Running);

    /// <param name="instances">How many instances; with <paramref name="coordinated"/> false, one controller without etcd.</param>
    public static async Task<ClusterRig> StartAsync(int instances, bool coordinated = true, string hold = "5s")
    {
        var rig = new ClusterRig { Names = [.. Enumerable.Range(0, instances).Select(i => $"ctl-{(char)('a' + i)}")] };
        try
        {
            string? etcd = null;
            if (coordinated)
            {
                int client = FreePort.Next(), peer = FreePort.Next();
                rig._etcd = Children.Etcd(Path.Combine(rig._dir, "etcd"), client, peer, rig._etcdOutput);
                etcd = rig._etcdUrl = $"http://127.0.0.1:{client}";
                await rig.UntilAsync(async () => (await rig.TryGetAsync<Dictionary<string, string>>($"{etcd}/health"))?.GetValueOrDefault("health") == "true",
                    "etcd to answer /health", () => rig._etcdOutput.ToString());
            }
            rig.A = await SampleAppProcess.StartAsync("web-a", rig.PortA, Limit);
            rig.B = await SampleAppProcess.StartAsync("web-b", rig.PortB, Limit);
            foreach (string name in rig.Names)
            {
                var instance = rig._instances[name] = new Instance(name, FreePort.Next(), FreePort.Next());
                File.WriteAllText(rig.Config(name), rig.ConfigText(instance, etcd, hold));
            }
            // One after another, the first alone until it leads: then the leader is known (ctl-a) and the others join it.
            foreach (string name in rig.Names)
            {
                rig.Start(name);
                if (name == rig.Names[0]) await rig.LeaderAsync();
            }
            await rig.ReadyAsync();
            return rig;
        }
        catch
        {
            rig.Dispose();
            throw;
        }
    }

    private string Config(string name) => Path.Combine(_dir, $"{name}.yaml");

    /// <summary>Only the controller section differs between instances: services must be identical.</summary>
    private string ConfigText(Instance i, string? etcd, string hold) => $$"""
        controller:
          name: {{i.Name}}
          api: 127.0.0.1:{{i.ApiPort}}
          journal: {{Path.Combine(_dir, i.Name + ".db")}}
        {{(etcd is null ? "" : $"  coordination: {{ etcd: [{etcd}], cluster: bench, lease: {Lease} }}")}}

        """ + Configs.Service(PortA, PortB, i.ProxyPort, "http", "{ path: /health, interval: 200ms, timeout: 150ms, fall: 3, rise: 2 }", cooldown: "0s", hold);

    private void Start(string name)
    {
        var i = _instances[name];
        i.Process = Children.Controller(Config(name), i.Output);
    }

    /// <summary>SIGKILL by PID: nothing of it runs after this (no resign, no revoke).</summary>
    public void Kill(string name)
    {
        var p = _instances[name].Process!;
        _instances[name].Killed = true;
        Signals.TrySend(p.Id, Signals.Kill);
        p.WaitForExit(5000);
    }

    /// <summary>The sample app of that name again, on its port (after a kill).</summary>
    public async Task RestartAppAsync(string member)
    {
        if (member == "web-a") { A.Dispose(); A = await SampleAppProcess.StartAsync("web-a", PortA, Limit); }
        else { B.Dispose(); B = await SampleAppProcess.StartAsync("web-b", PortB, Limit); }
    }

    public SampleAppProcess App(string member) => member == "web-a" ? A : B;

    public Task<ClusterView?> ClusterAsync(string name) => TryGetAsync<ClusterView>(Url(name, "/api/cluster"));

    public async Task<ServiceView?> ServiceAsync(string name) => (await TryGetAsync<StatusView>(Url(name, "/api/status")))?.Services[0];

    public async Task<IReadOnlyList<EventView>> EventsAsync(string name, string type) =>
        (await TryGetAsync<EventsPage>(Url(name, $"/api/events?service=web&type={type}")))?.Events ?? [];

    /// <summary>POST to the API of <paramref name="name"/> (forwarded to the leader if it is a follower); throws unless 2xx.</summary>
    public async Task PostAsync(string name, string path, object? body = null)
    {
        using var response = await _http.PostAsJsonAsync(Url(name, path), body ?? new { }, ApiJson.Options);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path} on {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// <c>understudy_proxy_routed_since_seconds{service="web"}</c> of that instance: the member its proxy sends new
    /// connections to and since when; null while it sends them nowhere (held) or does not answer.
    /// </summary>
    public async Task<(string Member, DateTimeOffset Since)?> RoutedSinceAsync(string name)
    {
        string text;
        try { text = await _http.GetStringAsync(Url(name, "/metrics")); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return null; }
        const string Prefix = "understudy_proxy_routed_since_seconds{service=\"web\",member=\"";
        foreach (string line in text.Split('\n'))
        {
            if (!line.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            int close = line.IndexOf('"', Prefix.Length);
            double seconds = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            return (line[Prefix.Length..close], DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond)));
        }
        return null;
    }

    /// <summary>
    /// etcd's WAL fsyncs so far (<c>etcd_disk_wal_fsync_duration_seconds</c>): how many, their mean, and how many took
    /// over 128 ms; null without etcd. Every commit waits for one, so this is where a slow commit's time goes.
    /// </summary>
    public async Task<(long Count, double MeanMs, long Over128Ms)?> EtcdFsyncsAsync()
    {
        if (_etcdUrl is null) return null;
        string text = await _http.GetStringAsync($"{_etcdUrl}/metrics");
        double Value(string series) => text.Split('\n').Where(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(series.Length + 1)..], CultureInfo.InvariantCulture)).FirstOrDefault();
        const string Name = "etcd_disk_wal_fsync_duration_seconds";
        double count = Value($"{Name}_count");
        return ((long)count, count == 0 ? double.NaN : Value($"{Name}_sum") / count * 1000, (long)(count - Value($"{Name}_bucket{{le=\"0.128\"}}")));
    }

    /// <summary>The leader every running instance names, once they all name the same running one.</summary>
    public Task<string> LeaderAsync() => UntilAsync(async () =>
    {
        var views = await Task.WhenAll(Running.Select(ClusterAsync));
        string? leader = views.FirstOrDefault()?.Leader;
        return leader is not null && views.All(v => v?.Leader == leader) && Running.Contains(leader) ? leader : null;
    }, "every running instance to name the same live leader");

    /// <summary>Every running instance sees the others, routes (GET /ready) and has seen both members up.</summary>
    public Task ReadyAsync() => UntilAsync(async () =>
    {
        foreach (string n in Running)
        {
            var view = await ClusterAsync(n);
            if (view is null || Running.Any(r => view.Instances.All(i => i.Name != r))) return false;
            if (await ServiceAsync(n) is not { } s || s.Members.Any(m => m.Health != "up" || m.NeedsRejoin) || s.Failover is not null) return false;
            try { if (!(await _http.GetAsync(Url(n, "/ready"))).IsSuccessStatusCode) return false; }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return false; }
        }
        return true;
    }, "every instance to see the others, route, and see both members up");

    private string Url(string name, string path) => $"http://127.0.0.1:{_instances[name].ApiPort}{path}";

    private async Task<T?> TryGetAsync<T>(string url) where T : class
    {
        try { return await _http.GetFromJsonAsync<T>(url, ApiJson.Options); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException) { return null; }
    }

    private Task UntilAsync(Func<Task<bool>> condition, string what, Func<string>? output = null) =>
        UntilAsync(async () => await condition() ? "" : null, what, output);

    /// <summary>Polls every 50 ms until <paramref name="value"/> is not null, at most 30 s; the outputs explain a timeout.</summary>
    private async Task<T> UntilAsync<T>(Func<Task<T?>> value, string what, Func<string>? output = null) where T : class
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < Limit)
        {
            if (await value() is { } v) return v;
            if (_instances.Values.FirstOrDefault(i => i.Process is { HasExited: true } && !i.Killed) is { } dead)
                throw new InvalidOperationException($"{dead.Name} exited:\n{dead.Output}");
            await Task.Delay(50);
        }
        string outputs = output?.Invoke() ?? string.Join("\n", _instances.Values.Select(i => $"--- {i.Name}\n{string.Join('\n', i.Output.ToString().Split('\n').TakeLast(15))}"));
        throw new TimeoutException($"waited {Limit.TotalSeconds:0} s for {what}\n{outputs}");
    }

    public void Dispose()
    {
        foreach (var i in _instances.Values) if (i.Process is { } p) Children.Stop(p);
        if (_etcd is not null) Children.Stop(_etcd);
        A?.Dispose();
        B?.Dispose();
        _http.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
