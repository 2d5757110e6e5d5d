using Understudy.Core.Failover;
using Understudy.Core.Topology;

namespace Understudy.Traffic.Switches;

/// <summary>
/// <c>traffic.haproxy[i]</c>: the members are servers of one HAProxy backend. The primary's server is <c>ready</c>, every
/// other member's <c>maint</c>, set through the runtime API and verified by <c>show servers state</c>. A fence puts the
/// old primary's server in maint and shuts its sessions down, so routing itself fences it. Every operation is
/// idempotent: after a failure it runs again whole.
/// </summary>
public sealed class HaproxySwitch(ServiceSpec service, HaproxySpec spec) : ITrafficSwitch
{
    private readonly HaproxyRuntime _runtime = new(spec);

    public string Name => $"HAProxy {spec.Where} backend {spec.Backend}";

    // Each exchange has its own timeout; a switch makes one or two a member, then one to verify.
    public TimeSpan Timeout => spec.Timeout * (2 * service.Members.Length + 2);

    public bool CanFence => true;

    public Task<SwitchOutcome> FenceAsync(string member, long epoch, CancellationToken cancel) =>
        GatedAsync(new Dictionary<string, bool> { [member] = false }, [member], cancel);

    public Task<SwitchOutcome> SwitchAsync(SwitchTraffic step, CancellationToken cancel) =>
        GatedAsync(service.Members.ToDictionary(m => m.Name, m => m.Name == step.To), [step.From], cancel);

    private async Task<SwitchOutcome> GatedAsync(IReadOnlyDictionary<string, bool> ready, IReadOnlyCollection<string> shutDown, CancellationToken cancel)
    {
        SemaphoreSlim gate = HaproxyRuntime.GateOf(spec);
        await gate.WaitAsync(cancel);
        try
        {
            return SwitchOutcome.Done(await ApplyAsync(_runtime, spec, ready, shutDown, cancel));
        }
        catch (HaproxyException e)
        {
            return SwitchOutcome.Failed(e.Message);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Sets each member's server of <paramref name="ready"/> (true: ready, false: maint), maint first so no two servers are
    /// ever ready together, shuts down the sessions of the servers of <paramref name="shutDown"/>, then reads the states back.
    /// The caller holds <see cref="HaproxyRuntime.GateOf"/>. Throws <see cref="HaproxyException"/> with HAProxy's text.
    /// </summary>
    public static async Task<string> ApplyAsync(HaproxyRuntime runtime, HaproxySpec spec, IReadOnlyDictionary<string, bool> ready, IReadOnlyCollection<string> shutDown, CancellationToken cancel)
    {
        foreach (var (member, _) in ready.Where(r => !r.Value)) await runtime.SetStateAsync(spec.Backend, spec.ServerOf(member), ready: false, cancel);
        foreach (var (member, _) in ready.Where(r => r.Value)) await runtime.SetStateAsync(spec.Backend, spec.ServerOf(member), ready: true, cancel);
        if (!spec.ShutdownSessions) shutDown = [];
        foreach (string member in shutDown) await runtime.ShutdownSessionsAsync(spec.Backend, spec.ServerOf(member), cancel);
        IReadOnlyDictionary<string, HaproxyServerState> states = await runtime.ServersAsync(spec.Backend, cancel);
        if (Drift(spec, states, ready) is { } wrong) throw new HaproxyException($"set, but `show servers state {spec.Backend}` then shows {wrong}");
        string Shown(string member) => spec.ServerOf(member) == member ? member : $"{member} (server {spec.ServerOf(member)})";
        var parts = new List<string>();
        if (ready.Where(r => r.Value).Select(r => Shown(r.Key)).ToList() is { Count: > 0 } up) parts.Add($"{string.Join(", ", up)} ready");
        if (ready.Where(r => !r.Value).Select(r => Shown(r.Key)).ToList() is { Count: > 0 } down) parts.Add($"{string.Join(", ", down)} in maint");
        if (shutDown.Count > 0) parts.Add($"sessions of {string.Join(", ", shutDown)} shut down");
        return $"{string.Join(", ", parts)} (verified)";
    }

    /// <summary>Where <paramref name="states"/> differ from <paramref name="ready"/>, as a sentence; null when they agree.</summary>
    public static string? Drift(HaproxySpec spec, IReadOnlyDictionary<string, HaproxyServerState> states, IReadOnlyDictionary<string, bool> ready)
    {
        var wrong = new List<string>();
        foreach (var (member, wantReady) in ready)
        {
            string server = spec.ServerOf(member);
            if (!states.TryGetValue(server, out HaproxyServerState s)) wrong.Add($"no server {server} (for member {member}) in backend {spec.Backend}");
            else if (wantReady ? !s.Ready : !s.InMaint) wrong.Add($"{server} {s.Word}, not {(wantReady ? "ready" : "maint")}");
        }
        return wrong.Count == 0 ? null : string.Join(", ", wrong);
    }
}
