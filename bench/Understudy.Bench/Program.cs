using System.CommandLine;
using Understudy.Bench;

var rounds = new Option<int>("--rounds") { Description = "interleaved throughput rounds", DefaultValueFactory = _ => 5 };
var seconds = new Option<int>("--seconds") { Description = "wrk duration per path and round", DefaultValueFactory = _ => 5 };

var pgbenchSeconds = new Option<int>("--pgbench-seconds") { Description = "pgbench -T per path and round (0: no pgbench arm)", DefaultValueFactory = _ => 10 };
var throughput = new Command("throughput", "Requests/s and added latency, then pgbench -S: direct, Understudy, HAProxy tcp.") { rounds, seconds, pgbenchSeconds };
throughput.SetAction(async (p, _) =>
{
    var result = await ThroughputBench.RunAsync(p.GetValue(rounds), TimeSpan.FromSeconds(p.GetValue(seconds)), Console.Error);
    ThroughputBench.Print(result, Console.Out);
    if (p.GetValue(pgbenchSeconds) is var pgSeconds and > 0)
    {
        Console.WriteLine();
        PgbenchArm.Print(await PgbenchArm.RunAsync(p.GetValue(rounds), TimeSpan.FromSeconds(pgSeconds), Console.Error), Console.Out);
    }
});

var redisRounds = new Option<int>("--rounds") { Description = "interleaved rounds of every path", DefaultValueFactory = _ => 5 };
var redisSync = new Command("redis-sync", "Redis synchronous mode's write latency: direct, the proxy without and with synchronous: true.") { redisRounds };
redisSync.SetAction(async (p, _) => RedisSyncLatencyBench.Print(await RedisSyncLatencyBench.RunAsync(p.GetValue(redisRounds), Console.Error), Console.Out));

var journalEvents = new Option<long>("--events") { Description = "events in the journal", DefaultValueFactory = _ => 10_000_000 };
var journalScale = new Command("journal", "The journal at scale: /api/events reads in a journal of millions of events, with and without the type and time indexes.") { journalEvents };
journalScale.SetAction(async (p, _) => JournalScaleBench.Print(await JournalScaleBench.RunAsync(p.GetValue(journalEvents), Console.Error), Console.Out));

var scaleServices = new Option<int>("--services") { Description = "services (two http members each) in the one controller", DefaultValueFactory = _ => 1000 };
var scaleFailures = new Option<int>("--failures") { Description = "primaries failed, one at a time, in each setup", DefaultValueFactory = _ => 5 };
var scale = new Command("scale", "One controller with many services: CPU, memory, check spread, /health latency, and detection beside a one-service controller.")
    { scaleServices, scaleFailures };
scale.SetAction(async (p, _) => ScaleBench.Print(await ScaleBench.RunAsync(p.GetValue(scaleServices), p.GetValue(scaleFailures), Console.Error), Console.Out));

var connections = new Option<int>("--connections") { Description = "connections held open through the proxy", DefaultValueFactory = _ => 10_000 };
var openFiles = new Option<int>("--open-files") { Description = "open-file limit of every process (the proxy needs two per connection)", DefaultValueFactory = _ => 20_000 };
var conns = new Command("conns", "N connections through one proxy: memory per connection, requests/s, the fence closing them all at a failover, /health meanwhile.")
    { connections, openFiles };
conns.SetAction(async (p, ct) =>
    ConnectionsBench.Print(await ConnectionsBench.RunAsync(p.GetValue(connections), p.GetValue(openFiles), Console.Error, ct), Console.Out));

var clientPort = new Option<int>("--port") { Required = true };
var connsClient = new Command("conns-client", "The conns bench's client, driven through stdin.") { Hidden = true, Options = { clientPort } };
connsClient.SetAction(async (p, _) => await ConnectionsClient.RunAsync(p.GetValue(clientPort)));

var root = new RootCommand("Understudy benchmarks; results are Markdown on stdout, progress on stderr.")
{
    Bench("crash", "Primary SIGKILL: Understudy beside HAProxy, N runs.", "crash runs", 10, CrashBench.RunAsync, CrashBench.Print),
    throughput,
    Bench("drill", "Drill accuracy: the drill's RTO and recovery time against independent client loops, through Understudy and HAProxy.", "drill runs", 5,
        DrillAccuracyBench.RunAsync, DrillAccuracyBench.Print),
    Bench("switchover", "Planned switchover under load: Understudy's API beside HAProxy's runtime API (drain, then maint).", "switchover runs, alternately web-a → web-b and back", 10,
        SwitchoverBench.RunAsync, SwitchoverBench.Print),
    Bench("leader-kill", "Several controllers: SIGKILL of the leader instance of three on etcd, clients through the followers' proxies.", "leader kills, a fresh cluster each", 5,
        ClusterBench.RunAsync, ClusterBench.Print),
    Bench("coordination", "Several controllers: decision → every proxy switched, three instances on etcd beside a single controller.", "primary kills per system", 20,
        CoordinationBench.RunAsync, CoordinationBench.Print),
    redisSync,
    journalScale,
    scale,
    Bench("reload", "Reloads under load: connections cut and requests failed through unchanged and changed services, and the time of each reload.", "reloads", 100,
        ReloadBench.RunAsync, ReloadBench.Print),
    conns,
    connsClient,
};
return await root.Parse(args).InvokeAsync();

/// <summary>A bench with one option, <c>--runs</c>: progress to stderr, then its Markdown to stdout.</summary>
static Command Bench<T>(string name, string description, string runsMeaning, int defaultRuns, Func<int, TextWriter, Task<T>> run, Action<T, TextWriter> print)
{
    var runs = new Option<int>("--runs") { Description = runsMeaning, DefaultValueFactory = _ => defaultRuns };
    var command = new Command(name, description) { runs };
    command.SetAction(async (p, _) => print(await run(p.GetValue(runs), Console.Error), Console.Out));
    return command;
}
