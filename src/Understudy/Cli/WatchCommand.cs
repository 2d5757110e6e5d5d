using System.CommandLine;
using System.Globalization;
using Understudy.Api;
using Understudy.Commands;
using Understudy.Config;
using Understudy.Core.Drills;
using Understudy.Core.Topology;
using Understudy.Drills;
using Understudy.Drills.Probes;
using Understudy.Watch;

namespace Understudy.Cli;

/// <summary>The outcome of a watch, as <c>--json</c> prints it.</summary>
public sealed record WatchResultView(string Service, bool Healthy, double WatchedMs, GateBreach? Breach, WatchRollbackView? Rollback, long? EventId);

public sealed record WatchRollbackView(IReadOnlyList<string> Command, bool Succeeded, int? ExitCode, string Outcome);

/// <summary>
/// <c>watch SERVICE --after-deploy --for 5m --rollback "CMD ARGS"</c>: health-gated rollback. Exit codes: 0 the gate held
/// for the whole window, 1 the watch itself failed (controller unreachable at the start, interrupted), 2 bad input,
/// <see cref="RolledBack"/> the gate broke and the rollback exited 0, <see cref="RollbackFailed"/> it broke and the
/// rollback did not exit 0 (or could not start, or was killed at its timeout).
/// </summary>
internal static class WatchCommand
{
    public const int RolledBack = 3;
    public const int RollbackFailed = 4;
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);

    private const string Gate = """
        The gate breaks, and the rollback runs, at the first of: (1) the epoch moves or a failover or switchover starts;
        (2) the primary is out (down, not routable, or the service degraded, held or primary_down) for --grace or longer
        without a break; (3) a probe's attempts that started in the last --window succeed less than --min-availability
        of the time; (4) with --max-p99, those attempts' p99 latency (successful ones, nearest rank) is above it.
        An unanswered status poll counts as neither healthy nor out. Exit 0: the gate held for --for; 3: rolled back;
        4: the rollback failed; 2: bad input; 1: the watch could not run.
        """;

    private sealed record Options(TimeSpan For, TimeSpan Interval, TimeSpan RollbackTimeout, GateSettings Gate, IReadOnlyList<string> Rollback, IReadOnlyList<ProbeSpec> Probes);

    public static Command Create()
    {
        var api = new ApiOptions();
        var service = new Argument<string>("SERVICE") { Description = "the service that was just deployed" };
        var afterDeploy = new Option<bool>("--after-deploy") { Description = "watch a deploy that just finished (the only kind of watch so far; required)" };
        var duration = new Option<string>("--for") { HelpName = "DURATION", Description = "how long to watch, e.g. 5m", DefaultValueFactory = _ => "5m" };
        var rollback = new Option<string?>("--rollback")
        { HelpName = "COMMAND",
            Description = "the command that rolls the deploy back, one string run WITHOUT a shell: split at whitespace, double quotes group words "
                        + "(no single quotes, escapes, variables or pipes; use a script or \"sh -c \\\"...\\\"\" for those) (required)",
        };
        var rollbackTimeout = new Option<string>("--rollback-timeout") { HelpName = "DURATION", Description = "kill the rollback command (its whole process group) after this long", DefaultValueFactory = _ => "10m" };
        var probe = new Option<string[]>("--probe")
        { HelpName = "URL",
            Description = "a client-side probe, repeatable: an http:// or https:// URL (GET, 200 expected) or tcp://HOST:PORT (a connect), every --interval, timeout 1s",
            AllowMultipleArgumentsPerToken = false,
        };
        var probesFrom = new Option<FileInfo?>("--probes-from") { HelpName = "DRILL.yaml", Description = "also run the probes of this drill file (it must be a valid drill), at their own intervals" };
        var interval = new Option<string>("--interval") { HelpName = "DURATION", Description = "how often to poll the controller and to probe", DefaultValueFactory = _ => "1s" };
        var grace = new Option<string>("--grace") { HelpName = "DURATION", Description = "how long the primary may be out before the gate breaks", DefaultValueFactory = _ => Durations.Format(GateSettings.DefaultGrace) };
        var minAvailability = new Option<string>("--min-availability")
        { HelpName = "PERCENT",
            Description = "the share of each probe's attempts in the window that must succeed, in percent", DefaultValueFactory = _ => "99",
        };
        var window = new Option<string>("--window") { HelpName = "DURATION", Description = "how far back a probe's attempts count", DefaultValueFactory = _ => Durations.Format(GateSettings.DefaultWindow) };
        var maxP99 = new Option<string?>("--max-p99") { HelpName = "DURATION", Description = "the highest p99 latency of each probe's successful attempts in the window (default: not checked)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "print the gate and the rollback's argv, contact nothing and run nothing" };

        var cmd = api.AddTo(new Command("watch", "Watch a service after a deploy and run the rollback command when its health gate breaks.\n" + Gate)
        {
            service, afterDeploy, duration, rollback, rollbackTimeout, probe, probesFrom, interval, grace, minAvailability, window, maxP99, dryRun,
        });
        cmd.SetAction(async (parse, ct) =>
        {
            if (!parse.GetValue(afterDeploy))
                return ApiOptions.InputError(parse, "--after-deploy is required: it is the only kind of watch so far");
            string? whyNot = null;
            TimeSpan watchFor = Positive(parse.GetValue(duration)!, "--for", ref whyNot), every = Positive(parse.GetValue(interval)!, "--interval", ref whyNot),
                graceFor = Duration(parse.GetValue(grace)!, "--grace", ref whyNot), over = Positive(parse.GetValue(window)!, "--window", ref whyNot),
                killAfter = Positive(parse.GetValue(rollbackTimeout)!, "--rollback-timeout", ref whyNot);
            TimeSpan? p99 = parse.GetValue(maxP99) is { } p ? Positive(p, "--max-p99", ref whyNot) : null;
            double share = Share(parse.GetValue(minAvailability)!, ref whyNot);
            // Each interval polls the controller: more often than this would load it for nothing.
            if (every < MinInterval) whyNot ??= $"--interval: at least {Durations.Format(MinInterval)}, got '{parse.GetValue(interval)}'";
            if (whyNot is not null) return ApiOptions.InputError(parse, whyNot);
            if (!RollbackArgv.TryParse(parse.GetValue(rollback), out IReadOnlyList<string> argv, out whyNot)) return ApiOptions.InputError(parse, whyNot);
            if (Probes(parse.GetValue(probe) ?? [], every, ref whyNot) is not { } probes) return ApiOptions.InputError(parse, whyNot!);
            if (parse.GetValue(probesFrom) is { } file)
            {
                DrillResult drill = DrillLoader.Load(file.ToString());
                if (!drill.Ok)
                {
                    foreach (ConfigError e in drill.Errors) Console.Error.WriteLine(e.ToString());
                    return ApiOptions.InputError(parse, $"--probes-from {file}: not a valid drill file");
                }
                probes.AddRange(drill.Spec!.Probes);
            }
            var options = new Options(watchFor, every, killAfter, new GateSettings(graceFor, share, over, p99), argv, probes);
            string name = parse.GetValue(service)!;
            if (parse.GetValue(dryRun)) return DryRun(name, options);
            return await api.RunAsync(parse, client => WatchAsync(client, name, options, parse.GetValue(api.Json), ct), ct);
        });
        return cmd;
    }

    private static int DryRun(string service, Options o)
    {
        Console.WriteLine($"dry run: would watch {service} for {Durations.Format(o.For)}, polling the controller every {Durations.Format(o.Interval)}; nothing was contacted or run");
        Console.WriteLine("probes: " + (o.Probes.Count == 0 ? "none (the controller's view only)" : string.Join(", ", o.Probes.Select(p => $"{p.Name} every {Durations.Format(p.Interval)}"))));
        Console.WriteLine("the deploy stays while:");
        foreach (string rule in DeployGate.Describe(o.Gate)) Console.WriteLine($"  - {rule}");
        Console.WriteLine($"else it runs, without a shell (killed after {Durations.Format(o.RollbackTimeout)}):");
        for (int i = 0; i < o.Rollback.Count; i++) Console.WriteLine($"  argv[{i}] = {o.Rollback[i]}");
        return CliApp.Ok;
    }

    private static async Task<int> WatchAsync(ApiClient client, string service, Options o, bool json, CancellationToken ct)
    {
        // With --json, stdout is the result alone; what happens meanwhile goes to stderr.
        TextWriter say = json ? Console.Error : Console.Out;
        async Task<ServiceView?> ReadAsync(CancellationToken c) =>
            (await client.GetAsync<StatusView>("api/status", c)).Services.FirstOrDefault(s => s.Name == service);
        StatusView first = await client.GetAsync<StatusView>("api/status", ct);
        if (first.Services.FirstOrDefault(s => s.Name == service) is not { } start)
        {
            Console.Error.WriteLine($"understudy watch: no service '{service}' (services: {string.Join(", ", first.Services.Select(s => s.Name))})");
            return CliApp.BadInput;
        }

        var gate = new DeployGate(o.Gate, ServiceObservation.From(start));
        List<OpenLoopProbe> probes = [.. o.Probes.Select(p => ProbeFactory.Create(p, TimeProvider.System))];
        try
        {
            foreach (OpenLoopProbe p in probes)
            {
                try
                {
                    await p.PrepareAsync(ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Console.Error.WriteLine($"understudy watch: probe {p.Spec.Name} could not start: {e.Message}");
                    return CliApp.Failed;
                }
            }
            say.WriteLine($"watching {service} for {Durations.Format(o.For)} (epoch {start.Epoch}, primary {start.Primary}, {start.Phase}; "
                + $"{(probes.Count == 0 ? "no probes" : $"probes: {string.Join(", ", probes.Select(p => p.Spec.Name))}")})");
            long began = TimeProvider.System.GetTimestamp();
            var watch = new DeployWatch(gate, probes, async c => ServiceObservation.From(await ReadAsync(c)
                ?? throw new ApiException($"the controller no longer lists {service}")), TimeProvider.System, say.WriteLine);
            GateBreach? breach = await watch.RunAsync(o.For, o.Interval, ct);
            double watchedMs = TimeProvider.System.GetElapsedTime(began).TotalMilliseconds;
            if (breach is null)
            {
                say.WriteLine($"{service} stayed healthy for {Durations.Format(o.For)}: the deploy stays");
                if (json) ApiOptions.WriteJson(new WatchResultView(service, true, watchedMs, null, null, null));
                return CliApp.Ok;
            }
            return await RollBackAsync(client, service, o, breach, watchedMs, say, json, ct);
        }
        finally
        {
            foreach (OpenLoopProbe p in probes) p.Dispose();
        }
    }

    private static async Task<int> RollBackAsync(ApiClient client, string service, Options o, GateBreach breach, double watchedMs, TextWriter say, bool json, CancellationToken ct)
    {
        say.WriteLine($"gate breached after {watchedMs / 1000:0.0} s: {breach.Reason}");
        say.WriteLine($"rolling back: {RollbackArgv.Show(o.Rollback)}");
        CommandOutcome run = await new CommandRunner(Environment.CurrentDirectory, TimeProvider.System).RunAsync(o.Rollback, o.RollbackTimeout, ct);
        say.WriteLine($"rollback {run.Summary}");
        foreach (string line in run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)) say.WriteLine($"  | {line.TrimEnd('\r')}");

        long? eventId = null;
        try
        {
            EventView e = await client.PostAsync<EventView>($"api/services/{Uri.EscapeDataString(service)}/deploy-watch",
                new DeployWatchBody(breach.Reason, o.Rollback, run.Succeeded, run.ExitCode, run.Summary), ct);
            eventId = e.Id;
            say.WriteLine($"journaled as {e.Type} (event {e.Id.ToString(CultureInfo.InvariantCulture)})");
        }
        catch (ApiException e)
        {
            // The rollback ran either way: the exit code says so; only the record of it is missing.
            Console.Error.WriteLine($"understudy watch: the rollback is not journaled: {ApiOptions.Explain(e)}");
        }
        if (json) ApiOptions.WriteJson(new WatchResultView(service, false, watchedMs, breach,
            new WatchRollbackView(o.Rollback, run.Succeeded, run.ExitCode, run.Summary), eventId));
        return run.Succeeded ? RolledBack : RollbackFailed;
    }

    /// <summary>--probe values as probe specs: http(s):// URLs and tcp://HOST:PORT; null after saying which one is wrong.</summary>
    private static List<ProbeSpec>? Probes(IEnumerable<string> values, TimeSpan interval, ref string? whyNot)
    {
        var specs = new List<ProbeSpec>();
        foreach (string v in values)
        {
            if (v.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase) && HostPort.TryParse(v["tcp://".Length..].TrimEnd('/'), out HostPort? at, out _))
                specs.Add(new ProbeSpec(v, ProbeKind.Tcp, at.Value.ToString(), interval, ProbeDefaults.Timeout));
            else if (Uri.TryCreate(v, UriKind.Absolute, out Uri? url) && url.Scheme is "http" or "https")
                specs.Add(new ProbeSpec(v, ProbeKind.Http, url.ToString(), interval, ProbeDefaults.Timeout));
            else
            {
                whyNot = $"--probe: expected an http:// or https:// URL or tcp://HOST:PORT, got '{v}'";
                return null;
            }
        }
        return specs;
    }

    private static TimeSpan Duration(string text, string option, ref string? whyNot)
    {
        if (Durations.TryParse(text, out TimeSpan value, out string why)) return value;
        whyNot ??= $"{option}: {why}";
        return TimeSpan.Zero;
    }

    private static TimeSpan Positive(string text, string option, ref string? whyNot)
    {
        TimeSpan value = Duration(text, option, ref whyNot);
        if (value <= TimeSpan.Zero) whyNot ??= $"{option}: must be above 0, got '{text}'";
        return value;
    }

    /// <summary>"99", "99%" or "99.9" as a fraction; 0 to 100.</summary>
    private static double Share(string text, ref string? whyNot)
    {
        if (double.TryParse(text.Trim().TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out double pct) && pct is >= 0 and <= 100) return pct / 100;
        whyNot ??= $"--min-availability: expected a percentage from 0 to 100 such as 99 or 99.9, got '{text}'";
        return 0;
    }
}
