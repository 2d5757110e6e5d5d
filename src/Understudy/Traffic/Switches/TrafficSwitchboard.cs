using Understudy.Commands;
using Understudy.Core.Failover;
using Understudy.Core.Topology;

namespace Understudy.Traffic.Switches;

/// <summary>
/// A service's traffic switches in their order (HAProxy instances, DNS, hooks). Every switch is tried even after one
/// failed: each only ever points at the new primary, so moving what can be moved gets clients back sooner, and the
/// failed ones are retried by the decider as a whole.
/// </summary>
public sealed class TrafficSwitchboard(IReadOnlyList<ITrafficSwitch> switches, TimeProvider time)
{
    /// <summary>The service's switches in the order they run: HAProxy instances, DNS, then commands.</summary>
    public static TrafficSwitchboard For(ServiceSpec service, CommandRunner commands, TimeProvider time)
    {
        TrafficSwitchesSpec spec = service.TrafficSwitches;
        var switches = new List<ITrafficSwitch>();
        switches.AddRange(spec.Haproxy.Select(h => new HaproxySwitch(service, h)));
        if (spec.Dns is { } dns) switches.Add(new DnsSwitch(service, dns));
        switches.AddRange(spec.Hooks.Select((hook, i) => new HookSwitch(service, i, hook, commands)));
        return new TrafficSwitchboard(switches, time);
    }

    public bool Any => switches.Count > 0;

    public bool CanFence => switches.Any(s => s.CanFence);

    public Task<SwitchOutcome> FenceAsync(string member, long epoch) =>
        RunAsync(switches.Where(s => s.CanFence), (s, cancel) => s.FenceAsync(member, epoch, cancel));

    public Task<SwitchOutcome> SwitchAsync(SwitchTraffic step) => RunAsync(switches, (s, cancel) => s.SwitchAsync(step, cancel));

    private async Task<SwitchOutcome> RunAsync(IEnumerable<ITrafficSwitch> which, Func<ITrafficSwitch, CancellationToken, Task<SwitchOutcome>> run)
    {
        var details = new List<string>();
        bool ok = true;
        foreach (ITrafficSwitch s in which)
        {
            SwitchOutcome outcome = await OneAsync(s, run);
            ok &= outcome.Ok;
            details.Add($"{s.Name}: {outcome.Detail}");
        }
        return new SwitchOutcome(ok, string.Join("; ", details));
    }

    private async Task<SwitchOutcome> OneAsync(ITrafficSwitch s, Func<ITrafficSwitch, CancellationToken, Task<SwitchOutcome>> run)
    {
        using var cancel = new CancellationTokenSource(s.Timeout, time);
        long started = time.GetTimestamp();
        try
        {
            return await run(s, cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return SwitchOutcome.Failed($"no answer within its timeout ({s.Timeout.TotalMilliseconds:0} ms, {time.GetElapsedTime(started).TotalMilliseconds:0} ms spent)");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A switch reports its own expected failures; anything else still fails the switch with its message, not the controller.
            return SwitchOutcome.Failed($"unexpected {e.GetType().Name}: {e.Message}");
        }
    }
}
