using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;

namespace Understudy.Traffic.Switches;

/// <summary>
/// Keeps one HAProxy instance's servers where the journal says. HAProxy's own restart or reload resets runtime state to
/// its config file (every server ready, unless <c>server-state-file</c> is used), and a person may change a server by
/// hand: every <see cref="Every"/> this polls <c>show info</c> (a new pid or a smaller uptime is a restart) and
/// <c>show servers state</c>, and when the servers drifted resets them and journals <c>traffic.reconciled</c>.
/// With a routable primary and no failover under way: its server ready, every other maint. Otherwise (a failover under
/// way, nothing routable, the service paused) it only puts non-primary members in maint and never makes a server ready: the executor's
/// fence and switch do that, under the same gate, so the two never interleave.
/// </summary>
public sealed partial class HaproxyReconciler(
    ServiceSpec service,
    HaproxySpec spec,
    Func<ServiceState> state,
    Func<bool> mayAct,
    Action<Input> post,
    TimeProvider time,
    ILogger logger)
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(2);

    private readonly HaproxyRuntime _runtime = new(spec);
    private HaproxyInfo? _seen;
    private string? _lastError;

    public string Name => $"HAProxy {spec.Where} backend {spec.Backend}";

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await RoundAsync(stop);
                _lastError = null;
            }
            catch (HaproxyException e)
            {
                // Logged once per distinct failure, not every round: a wrong backend name would repeat forever.
                if (e.Message != _lastError) Log.CannotReconcile(logger, service.Name, Name, e.Message);
                _lastError = e.Message;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            try { await Task.Delay(Every, time, stop); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One look: the reason journaled when it reset something, else null.</summary>
    public async Task<string?> RoundAsync(CancellationToken cancel)
    {
        HaproxyInfo info = await _runtime.InfoAsync(cancel);
        string why = _seen is not { } before ? "found when the controller started watching it"
            : info.Pid != before.Pid || info.UptimeSeconds < before.UptimeSeconds
                ? $"HAProxy restarted or reloaded (pid {before.Pid} → {info.Pid}, up {info.UptimeSeconds} s), which resets runtime state"
                : "changed outside Understudy (by hand or another tool)";
        _seen = info;
        if (!mayAct()) return null;

        SemaphoreSlim gate = HaproxyRuntime.GateOf(spec);
        await gate.WaitAsync(cancel);
        try
        {
            // Read under the gate: a fence or switch that ran before it is already in the state (the loop publishes before it acts).
            ServiceState s = state();
            Dictionary<string, bool> wanted = Wanted(s);
            IReadOnlyDictionary<string, HaproxyServerState> servers = await _runtime.ServersAsync(spec.Backend, cancel);
            if (HaproxySwitch.Drift(spec, servers, wanted) is not { } drift) return null;
            // A member that was wrongly ready may hold sessions: they end with its maint.
            string[] shut = [.. wanted.Where(w => !w.Value && servers.TryGetValue(spec.ServerOf(w.Key), out HaproxyServerState x) && !x.InMaint).Select(w => w.Key)];
            string done = await HaproxySwitch.ApplyAsync(_runtime, spec, wanted, shut, cancel);
            string reason = $"{Name} had drifted from the journal ({why}): {drift}; reset: {done}";
            post(new Noted((IInformational)new TrafficReconciled($"HAProxy {spec.Where}") { Service = service.Name, Member = s.Routable ?? s.Primary, Reason = reason }));
            return reason;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Member → ready (true) or maint (false); members left out are not touched. While the service is paused a person may
    /// be draining the primary's server by hand: only the others are kept in maint (a fenced member never gets traffic back).
    /// </summary>
    public static Dictionary<string, bool> Wanted(ServiceState s)
    {
        bool routed = s.Failover is null && s.Routable is not null && s.Pause is null;
        return s.Spec.Members
            .Where(m => routed || m.Name != s.Primary)
            .ToDictionary(m => m.Name, m => routed && m.Name == s.Routable);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 320, Level = LogLevel.Warning, Message = "{Service}: cannot reconcile {Switch}: {Error}")]
        public static partial void CannotReconcile(ILogger logger, string service, string @switch, string error);
    }
}
