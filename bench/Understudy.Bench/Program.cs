using System.CommandLine;
using Understudy.Bench;

var runs = new Option<int>("--runs") { Description = "crash runs", DefaultValueFactory = _ => 10 };
var rounds = new Option<int>("--rounds") { Description = "interleaved throughput rounds", DefaultValueFactory = _ => 5 };
var seconds = new Option<int>("--seconds") { Description = "wrk duration per path and round", DefaultValueFactory = _ => 5 };

var crash = new Command("crash", "Primary SIGKILL: Understudy beside HAProxy, N runs.") { runs };
crash.SetAction(async (p, _) =>
{
    var result = await CrashBench.RunAsync(p.GetValue(runs), Console.Error);
    CrashBench.Print(result, Console.Out);
});

var throughput = new Command("throughput", "Requests/s and added latency: direct, Understudy, HAProxy tcp.") { rounds, seconds };
throughput.SetAction(async (p, _) =>
{
    var result = await ThroughputBench.RunAsync(p.GetValue(rounds), TimeSpan.FromSeconds(p.GetValue(seconds)), Console.Error);
    ThroughputBench.Print(result, Console.Out);
});

var drillRuns = new Option<int>("--runs") { Description = "drill runs", DefaultValueFactory = _ => 5 };
var drill = new Command("drill", "Drill accuracy: the drill's RTO and recovery time against independent client loops, through Understudy and HAProxy.") { drillRuns };
drill.SetAction(async (p, _) =>
{
    var result = await DrillAccuracyBench.RunAsync(p.GetValue(drillRuns), Console.Error);
    DrillAccuracyBench.Print(result, Console.Out);
});

var switchoverRuns = new Option<int>("--runs") { Description = "switchover runs, alternately web-a → web-b and back", DefaultValueFactory = _ => 10 };
var switchover = new Command("switchover", "Planned switchover under load: Understudy's API beside HAProxy's runtime API (drain, then maint).") { switchoverRuns };
switchover.SetAction(async (p, _) =>
{
    var result = await SwitchoverBench.RunAsync(p.GetValue(switchoverRuns), Console.Error);
    SwitchoverBench.Print(result, Console.Out);
});

var leaderRuns = new Option<int>("--runs") { Description = "leader kills, a fresh cluster each", DefaultValueFactory = _ => 5 };
var leaderKill = new Command("leader-kill", "Several controllers: SIGKILL of the leader instance of three on etcd, clients through the followers' proxies.") { leaderRuns };
leaderKill.SetAction(async (p, _) =>
{
    var result = await ClusterBench.RunAsync(p.GetValue(leaderRuns), Console.Error);
    ClusterBench.Print(result, Console.Out);
});

var coordinationRuns = new Option<int>("--runs") { Description = "primary kills per system", DefaultValueFactory = _ => 20 };
var coordination = new Command("coordination", "Several controllers: decision → every proxy switched, three instances on etcd beside a single controller.") { coordinationRuns };
coordination.SetAction(async (p, _) =>
{
    var result = await CoordinationBench.RunAsync(p.GetValue(coordinationRuns), Console.Error);
    CoordinationBench.Print(result, Console.Out);
});

var root = new RootCommand("Understudy benchmarks; results are Markdown on stdout, progress on stderr.") { crash, throughput, drill, switchover, leaderKill, coordination };
return await root.Parse(args).InvokeAsync();
