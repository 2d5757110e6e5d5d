using System.Globalization;
using System.Collections.Immutable;
using Understudy.Checks;
using Understudy.Commands;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Traffic;
using Understudy.Traffic.Switches;

namespace Understudy.Failover;

/// <summary>
/// Runs a plan's steps in order, one plan after another, and reports each outcome back to the decider
/// as <see cref="StepCompleted"/> (and each hook's as <see cref="HookFinished"/>, which the loop journals);
/// the first failed step ends its plan. A step carries its target and epoch: nothing here reads the decider's
/// state. Confirmation requests go straight to the member's check scheduler.
/// </summary>
public sealed partial class Executor(
    ServiceSpec service,
    ServiceProxy? proxy,
    IReadOnlyDictionary<string, CheckScheduler> schedulers,
    CommandRunner commands,
    Action<Input> report,
    TimeProvider time,
    ILogger logger,
    IEpochBarrier? barrier = null)
{
    private Task _running = Task.CompletedTask;

    /// <summary>Completes when every plan handed in so far has finished.</summary>
    public Task Idle => _running;

    public void Execute(ImmutableArray<Step> plan)
    {
        foreach (ConfirmMember c in plan.OfType<ConfirmMember>()) schedulers[c.Member].Confirm(c.Checks);
        Step[] steps = [.. plan.Where(s => s is not ConfirmMember)];
        if (steps.Length > 0) _running = RunAfterAsync(_running, steps);
    }

    private async Task RunAfterAsync(Task previous, Step[] steps)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (Step step in steps)
        {
            if (step is DemoteMember demote)
            {
                report(await DemoteAsync(demote));
                continue;
            }
            if (step is StopMember stop)
            {
                report(await StopAsync(stop));
                continue;
            }
            (bool ok, string detail) = await RunStepAsync(step);
            report(new StepCompleted(step, ok, detail));
            // Only a failed fence or promotion makes the rest of a plan wrong; after the switch, steps are independent.
            if (!ok && step is FenceMember or PromoteMember) return;
        }
    }

    private async Task<(bool, string)> RunStepAsync(Step step)
    {
        try
        {
            return step switch
            {
                FenceMember f => await FenceAsync(f),
                SwitchTraffic t => ToTuple(await Switches().SwitchAsync(t)),
                AskVeto v => await AskVetoAsync(v),
                DrainMember d => proxy is null ? (true, "no built-in proxy: nothing to drain") : (true, await proxy.DrainAsync(d.Member, d.Timeout)),
                RunHooks h => await RunHooksAsync(h),
                EndStaleHooks e => await EndStaleAsync(e),
                PromoteMember p when service.Kind == ServiceKind.Redis => await Redis().PromoteAsync(p, CancellationToken.None),
                PromoteMember p => await Postgres().PromoteAsync(p, CancellationToken.None),
                RepointStandbys r when service.Kind == ServiceKind.Redis => await Redis().RepointAsync(r, CancellationToken.None),
                RepointStandbys r => await Postgres().RepointAsync(r, CancellationToken.None),
                SetSynchronousStandbys y => await Postgres().SetSynchronousAsync(y, CancellationToken.None),
                AwaitReplay a when service.Kind == ServiceKind.Redis => await Redis().AwaitOffsetAsync(a, CancellationToken.None),
                AwaitReplay a => await Postgres().AwaitReplayAsync(a, CancellationToken.None),
                StartMember m when service.Kind == ServiceKind.Redis => await Redis().ResumeWritesAsync(m.Member, CancellationToken.None),
                StartMember m => await Switchover().StartAsync(m, CancellationToken.None),
                FollowPrimary f when service.Kind == ServiceKind.Redis => await Redis().FollowAsync(f, CancellationToken.None),
                FollowPrimary f => await Switchover().FollowAsync(f, CancellationToken.None),
                _ => (false, $"no executor for {step.GetType().Name}"),
            };
        }
        catch (Exception e)
        {
            Log.StepCrashed(logger, e, service.Name, step.GetType().Name);
            return (false, $"unexpected error, please report: {e.Message}");
        }
    }

    private static (bool, string) ToTuple(SwitchOutcome o) => (o.Ok, o.Detail);

    private TrafficSwitchboard Switches() => _switches ??= TrafficSwitchboard.For(service, commands, time);
    private TrafficSwitchboard? _switches;

    private Postgres.PostgresActions Postgres() => _postgres ??= new Postgres.PostgresActions(service, time);
    private Postgres.PostgresActions? _postgres;

    private Postgres.Switchover Switchover() => _switchover ??= new Postgres.Switchover(service, commands, Postgres());
    private Postgres.Switchover? _switchover;

    private async Task<StepCompleted> StopAsync(StopMember step)
    {
        try
        {
            var (ok, detail, lsn) = service.Kind == ServiceKind.Redis
                ? await Redis().PauseForSwitchoverAsync(step, CancellationToken.None)
                : await Switchover().StopAsync(step, CancellationToken.None);
            return new StepCompleted(step, ok, detail) { Lsn = lsn };
        }
        catch (Exception e)
        {
            Log.StepCrashed(logger, e, service.Name, step.GetType().Name);
            return new StepCompleted(step, false, $"unexpected error, please report: {e.Message}");
        }
    }

    private Redis.RedisActions Redis() => _redis ??= new Redis.RedisActions(service, time);
    private Redis.RedisActions? _redis;

    private async Task<StepCompleted> DemoteAsync(DemoteMember step)
    {
        try
        {
            var (ok, detail, lost) = await Redis().DemoteAsync(step, CancellationToken.None);
            return new StepCompleted(step, ok, detail) { LostBytes = lost };
        }
        catch (Exception e) when (Failover.Redis.RedisActions.IsRedisFailure(e))
        {
            return new StepCompleted(step, false, e.Message);
        }
    }

    /// <summary>
    /// The proxy fence cannot fail; fence hooks (e.g. stop the old server) run after it, all of them, and are waited
    /// for. Whether a failed one stops the failover is the decider's to say (it knows which are required, from the
    /// hooks' journaled outcomes): the step itself reports the proxies. With several controllers the fence holds only
    /// once every instance's proxy has stopped routing to the old primary (the epoch barrier); one that cannot be
    /// confirmed fails the fence.
    /// </summary>
    private async Task<(bool, string)> FenceAsync(FenceMember f)
    {
        string closed = proxy is null ? "no built-in proxy" : $"{await proxy.FenceAsync(f.Member)} open connections closed by the proxy";
        // HAProxy in front: the old primary's server goes to maint and its sessions are shut; one that cannot be reached fails the fence.
        if (Switches().CanFence)
        {
            SwitchOutcome routed = await Switches().FenceAsync(f.Member, f.Epoch);
            closed = $"{closed}; {routed.Detail}";
            if (!routed.Ok) return (false, closed);
        }
        // A Redis old primary that still answers (an operator's failover, a partition) stops taking writes now.
        if (!f.Planned && service.Kind == ServiceKind.Redis) closed = $"{closed}; {await Redis().PauseWritesAsync(f.Member, CancellationToken.None)}";
        if (!f.Planned && !service.Hooks.Fence.IsEmpty)
        {
            var (_, hooks) = await RunHooksAsync(new RunHooks(HookTrigger.Fence, f.Member, f.NewPrimary, f.Epoch));
            closed = $"{closed}; {hooks}";
        }
        long waited = time.GetTimestamp();
        if (await (barrier ?? IEpochBarrier.Alone).WaitAsync(service.Name, f.Epoch, CancellationToken.None) is { } notConfirmed) return (false, $"{closed}; {notConfirmed}");
        return barrier is null ? (true, closed) : (true, $"{closed}; every instance routes by epoch {f.Epoch} ({time.GetElapsedTime(waited).TotalMilliseconds:0} ms)");
    }

    private async Task<(bool, string)> RunHooksAsync(RunHooks step)
    {
        var placeholders = HookPlaceholders(service, step.OldPrimary, step.NewPrimary, step.Epoch);
        var list = service.Hooks.Of(step.Trigger);
        int failed = 0;
        for (int i = step.FirstHook; i < list.Count; i++)
        {
            // Hooks run to their own timeout even when the controller is stopping: cutting one off
            // would leave its work half-done (a restart runs unfinished hooks again).
            string[] argv = Argv(list[i], placeholders);
            int index = i;
            // Reported as soon as it runs and journaled by the loop moments later, so a controller killed while it runs
            // leaves a record to end it by (one killed within those moments leaves none: the PID exists only once it runs).
            void Started(SpawnedProcess p) => report(new HookLaunched(new RunningHook(step.Trigger.ConfigKey(), index, step.Epoch, string.Join(' ', argv),
                p.Pid, p.ProcessGroup, p.StartTicks, p.BootId, p.Host)));
            CommandOutcome o = await commands.RunAsync(argv, list[i].Timeout, CancellationToken.None, started: Started);
            if (!o.Succeeded) failed++;
            report(new HookFinished(step.Trigger, step.NewPrimary, step.Epoch, i,
                new HookOutcome(o.Command, o.Succeeded, o.ExitCode, o.TimedOut, o.Duration, o.Output, o.Summary)));
        }
        int ran = list.Count - step.FirstHook;
        return (failed == 0, $"{ran - failed} of {ran} {step.Trigger.ConfigKey()} hooks succeeded");
    }

    /// <summary>
    /// The veto hooks, in order, until one refuses: exit 0 allows, anything else refuses with the hook's output as the reason.
    /// A hook that times out or cannot start refuses too: a policy that cannot be read does not allow a change.
    /// </summary>
    private async Task<(bool, string)> AskVetoAsync(AskVeto ask)
    {
        var placeholders = HookPlaceholders(service, ask.From, ask.To, ask.Epoch + 1);
        placeholders["change"] = ask.Kind == Core.Journal.RequestKind.Failover ? "failover" : "switchover";
        var hooks = service.Hooks.VetoHooks;
        for (int i = 0; i < hooks.Length; i++)
        {
            string[] argv = Argv(hooks[i], placeholders);
            CommandOutcome o = await commands.RunAsync(argv, hooks[i].Timeout, CancellationToken.None);
            if (o.Succeeded) continue;
            string said = o.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
            return (false, $"veto hook {i + 1} `{o.Command}` {o.Summary}{(said.Length > 0 ? $": {said}" : "")}");
        }
        return (true, $"{hooks.Length} of {hooks.Length} veto hooks exited 0");
    }

    /// <summary>Each hook a previous controller left is looked for and ended if it still runs here; each outcome is journaled.</summary>
    private async Task<(bool, string)> EndStaleAsync(EndStaleHooks step)
    {
        int left = 0;
        foreach (RunningHook hook in step.Hooks)
        {
            (HookEndOutcome outcome, string detail) = await ProcessGroups.EndAsync(hook, time);
            if (outcome is HookEndOutcome.Survived or HookEndOutcome.Elsewhere) left++;
            report(new StaleHookEnded(hook, outcome, detail));
        }
        return (left == 0, $"{step.Hooks.Length - left} of {step.Hooks.Length} no longer run");
    }

    /// <summary>What every hook's <c>{{name}}</c> placeholders stand for in a change from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static Dictionary<string, string> HookPlaceholders(ServiceSpec service, string from, string to, long epoch)
    {
        HostPort newAddress = service.Member(to).Address;
        return new Dictionary<string, string>
        {
            ["service"] = service.Name,
            ["old_primary"] = from,
            ["new_primary"] = to,
            ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
            ["new_primary_address"] = newAddress.ToString(),
            ["new_primary_host"] = newAddress.Host,
            ["new_primary_port"] = newAddress.Port.ToString(CultureInfo.InvariantCulture),
            ["old_primary_address"] = service.Member(from).Address.ToString(),
        };
    }

    /// <summary>The command of <paramref name="hook"/> with its placeholders filled in: what runs, and what a dry run shows.</summary>
    public static string[] Argv(HookSpec hook, IReadOnlyDictionary<string, string> placeholders) => [.. hook.Exec.Select(a => Fill(a, placeholders))];

    /// <summary>Replaces <c>{{name}}</c> placeholders; the config validator has already refused unknown ones.</summary>
    public static string Fill(string arg, IReadOnlyDictionary<string, string> placeholders)
    {
        foreach (var (name, value) in placeholders) arg = arg.Replace("{{" + name + "}}", value, StringComparison.Ordinal);
        return arg;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "{Service}: step {Step} failed unexpectedly; please report")]
        public static partial void StepCrashed(ILogger logger, Exception e, string service, string step);
    }
}
