using System.Globalization;
using System.Net;
using Understudy.Commands;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Drills.Network;
using Understudy.Hosting;

namespace Understudy.Drills.Steps;

/// <summary>Runs one drill step and records what was expected and what happened. Expected failures are outcomes.</summary>
public sealed class StepRunner(DrillContext ctx)
{
    private static readonly Dictionary<string, int> SignalNumbers = new()
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["KILL"] = 9, ["USR1"] = 10, ["USR2"] = 12, ["TERM"] = 15, ["CONT"] = 18, ["STOP"] = 19,
    };

    /// <summary>Runs the step; <see cref="EffectiveAt"/> then holds when its effect happened (a signal sent, a fault applied).</summary>
    public async Task<StepRecord> RunAsync(string phase, DrillStep step, CancellationToken ct)
    {
        DateTimeOffset start = ctx.Now;
        EffectiveAt = null;
        (bool ok, string actual) = await RunCoreAsync(step, ct);
        var record = new StepRecord(phase, step.Describe(), Expected(step), actual, start, ctx.Now, ok);
        ctx.Observer.StepFinished(record);
        return record;
    }

    /// <summary>
    /// When the last step's effect happened, if it is known more precisely than the step's start: a
    /// pidfile lookup before a kill must not count as outage.
    /// </summary>
    public DateTimeOffset? EffectiveAt { get; private set; }

    private async Task<(bool, string)> RunCoreAsync(DrillStep step, CancellationToken ct)
    {
        try
        {
            return step switch
            {
                KillProcess k => await KillAsync(k, ct),
                ExecStep e => await ExecAsync(e, ct),
                ProxyFault f => await ProxyAsync(f, ct),
                NetworkFault n => await NetworkAsync(n, ct),
                WaitStep w => await WaitAsync(w, ct),
                ManualStep m => await ManualAsync(m, ct),
                AlertReceived a => await AlertAsync(a, ct),
                HttpCheckStep h => await HttpAsync(h, ct),
                _ => (false, $"no runner for {step.GetType().Name}"),
            };
        }
        catch (DrillException e)
        {
            return (false, e.Message);
        }
    }

    public static string Expected(DrillStep step) => step switch
    {
        KillProcess k => $"the process gets SIG{k.Signal}",
        ExecStep e => $"exits 0 within {e.Timeout.TotalSeconds:0.###} s",
        ProxyFault => "the controller's proxy applies the fault",
        NetworkFault { Kind: NetworkFaultKind.Delay } => "the controller's proxy delays the member at the target",
        NetworkFault => "nft applies the rules",
        WaitStep w => $"{w.Duration.TotalSeconds:0.###} s pass",
        ManualStep m => $"an operator confirms within {m.Timeout.TotalMinutes:0.#} min",
        AlertReceived a => $"alert.delivered (alert.raised when the controller has no alert channels) in the controller's journal within {a.Within.TotalSeconds:0.###} s of the fault",
        HttpCheckStep h => $"HTTP {h.ExpectStatus}" + (h.ExpectBody is null ? "" : $" with '{h.ExpectBody}'"),
        _ => "",
    };

    private async Task<(bool, string)> KillAsync(KillProcess k, CancellationToken ct)
    {
        int pid = k.By switch
        {
            ProcessTarget.Pid => int.Parse(k.Value, CultureInfo.InvariantCulture),
            ProcessTarget.PidFile => await ReadPidAsync(k.Value, ct),
            _ => await ReadPidAsync(await MemberPidFileAsync(k.Value, ct), ct),
        };
        EffectiveAt = ctx.Now;
        return Signals.TrySend(pid, SignalNumbers[k.Signal])
            ? (true, $"sent SIG{k.Signal} to pid {pid}")
            : (false, $"could not signal pid {pid}: no such process (or not ours)");
    }

    private async Task<string> MemberPidFileAsync(string member, CancellationToken ct)
    {
        var service = await Controller().StatusAsync(ct);
        var m = service.Members.FirstOrDefault(x => x.Name == member) ?? throw new DrillException($"service {service.Name} has no member '{member}'");
        return m.Pidfile ?? throw new DrillException($"member {member} has no pidfile in the controller's config; name the process by pid or pidfile");
    }

    private static async Task<int> ReadPidAsync(string path, CancellationToken ct)
    {
        // The pid is the first line: PostgreSQL's postmaster.pid goes on with its data directory, port, etc.
        string text;
        try { text = (await File.ReadAllTextAsync(path, ct)).Split('\n', 2)[0].Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new DrillException($"cannot read pidfile {path}: {e.Message}"); }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0
            ? pid : throw new DrillException($"pidfile {path} holds '{text}', not a process id");
    }

    private async Task<(bool, string)> ExecAsync(ExecStep e, CancellationToken ct)
    {
        CommandOutcome o = await ctx.Commands.RunAsync(e.Command, e.Timeout, ct);
        string tail = o.Output.Trim();
        if (tail.Length > 300) tail = "…" + tail[^300..];
        return (o.Succeeded, o.Summary + (tail.Length > 0 ? $": {tail}" : ""));
    }

    private async Task<(bool, string)> ProxyAsync(ProxyFault f, CancellationToken ct)
    {
        EffectiveAt = await Controller().InjectAsync(f, ct);
        return (true, $"applied by the controller at {EffectiveAt:HH:mm:ss.fff}; it ends on its own after {f.Duration.TotalSeconds:0.###} s");
    }

    private async Task<(bool, string)> NetworkAsync(NetworkFault n, CancellationToken ct)
    {
        if (n.Kind == NetworkFaultKind.Delay) return await DelayAsync(n, ct);
        await ctx.Firewall.ApplyAsync(n, ct);
        EffectiveAt = ctx.Now;
        return (true, $"nft table inet {ctx.Firewall.Table} in force; removed after {n.Duration.TotalSeconds:0.###} s, " +
            $"and its rules expire on their own {NftRuleset.Margin.TotalSeconds:0} s later should nothing remove it");
    }

    /// <summary>
    /// A delay is the proxy's latency fault toward the member at the target (this kernel has no netem), so it
    /// disturbs what goes through the controller: client traffic and the controller's own checks.
    /// </summary>
    private async Task<(bool, string)> DelayAsync(NetworkFault n, CancellationToken ct)
    {
        var service = await Controller().StatusAsync(ct);
        var member = service.Members.FirstOrDefault(m => HostPort.TryParse(m.Address, out var a, out _) && a.Value.Port == n.Target.Port
                && IPAddress.TryParse(a.Value.Host, out var ip) && ip.Equals(n.Target.Address))
            ?? throw new DrillException($"no member of service {service.Name} has address {n.Target} " +
                $"({string.Join(", ", service.Members.Select(m => $"{m.Name} {m.Address}"))}); a delay needs a member behind the controller's proxy, since this kernel has no netem");
        ctx.FaultedMembers.Add(member.Name);
        EffectiveAt = await Controller().InjectAsync(new ProxyFault(member.Name, ProxyFaultKind.Latency, n.Duration, n.Delay, n.Jitter), ct);
        return (true, $"the controller's proxy delays traffic to {member.Name} from {EffectiveAt:HH:mm:ss.fff}; it ends on its own after {n.Duration.TotalSeconds:0.###} s");
    }

    private async Task<(bool, string)> WaitAsync(WaitStep w, CancellationToken ct)
    {
        await Task.Delay(w.Duration, ctx.Time, ct);
        return (true, "waited");
    }

    private async Task<(bool, string)> ManualAsync(ManualStep m, CancellationToken ct)
    {
        ctx.ManualSteps.Add(m.Describe());
        ctx.Observer.Manual(m.Instruction, m.Timeout);
        try
        {
            // Console input reads block and ignore cancellation, so the read gets a thread of its own and
            // the drill waits on it with the step's timeout and Ctrl-C.
            Task<string?> read = Task.Factory.StartNew(ctx.OperatorInput.ReadLine, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            string? line = await read.WaitAsync(m.Timeout, ctx.Time, ct);
            return line is null ? (false, "no operator input (end of input)") : (true, $"confirmed by the operator{(line.Trim().Length > 0 ? $": {line.Trim()}" : "")}");
        }
        catch (TimeoutException)
        {
            return (false, $"nobody confirmed within {m.Timeout.TotalMinutes:0.#} min");
        }
    }

    private async Task<(bool, string)> AlertAsync(AlertReceived a, CancellationToken ct)
    {
        if (ctx.FaultAt is not { } fault) return (false, "no fault was injected, so no alert was expected");
        DateTimeOffset deadline = fault + a.Within;
        // With channels configured, an alert counts once it reached a person's channel; without, the journal's is all there is.
        string wanted = (await Controller().StatusAsync(ct)).AlertChannels > 0 ? EventTypes.AlertDelivered : EventTypes.AlertRaised;
        while (true)
        {
            var alerts = (await Controller().EventsAsync(fault, ct)).Where(e => e.Type == wanted && e.Time <= deadline).ToList();
            if (alerts.Count > 0)
                return (true, $"{alerts[0].Type} +{(alerts[0].Time - fault).TotalMilliseconds:0} ms after the fault: {alerts[0].Details.GetValueOrDefault("reason")}");
            if (ctx.Now > deadline) return (false, $"no {wanted} within {a.Within.TotalSeconds:0.###} s of the fault");
            await Task.Delay(TimeSpan.FromMilliseconds(200), ctx.Time, ct);
        }
    }

    private static async Task<(bool, string)> HttpAsync(HttpCheckStep h, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = h.Timeout };
        try
        {
            using var response = await http.GetAsync(h.Url, ct);
            string body = await response.Content.ReadAsStringAsync(ct);
            int status = (int)response.StatusCode;
            bool ok = status == h.ExpectStatus && (h.ExpectBody is null || body.Contains(h.ExpectBody, StringComparison.Ordinal));
            return (ok, $"HTTP {status}" + (h.ExpectBody is null || ok ? "" : $" without '{h.ExpectBody}' in the body"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return (false, e is TaskCanceledException ? $"no answer within {h.Timeout.TotalSeconds:0.###} s" : e.Message);
        }
    }

    private ControllerClient Controller() => ctx.Controller ?? throw new DrillException("this step needs the drill's controller");
}
