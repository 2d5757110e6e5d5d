using Understudy.Checks;
using Understudy.Commands;
using Understudy.Core.Failover;
using Understudy.Core.Topology;
using Understudy.Journal;
using Understudy.Traffic;

namespace Understudy.Failover;

/// <summary>
/// Everything that runs for one service: its loop and proxy for the whole run, and the parts a reload replaces
/// (<see cref="ReconfigureAsync"/>): the check schedulers, the executor and the HAProxy reconcilers of its config.
/// </summary>
public sealed class ServiceRuntime : IDisposable
{
    private readonly Func<ServiceSpec, Parts> _build;
    private readonly MemberProgress _progress;
    private volatile Parts _parts;
    private CancellationTokenSource? _checks;
    private Task _checking = Task.CompletedTask;
    private readonly CancellationTokenSource _ended = new(); // the controller stops, or a reload removed the service
    private CancellationTokenRegistration _stoppingRegistration;

    /// <summary>What one config of the service runs: rebuilt whole by a reload.</summary>
    private sealed record Parts(ServiceSpec Spec, IHealthCheck Check, IReadOnlyList<CheckScheduler> Schedulers, Executor Executor,
        IReadOnlyList<Traffic.Switches.HaproxyReconciler> Reconcilers);

    private ServiceRuntime(ServiceLoop loop, ServiceProxy? proxy, RouteBoard? routes, MemberFaults faults, MemberProgress progress, Func<ServiceSpec, Parts> build, Parts parts)
    {
        Loop = loop;
        Proxy = proxy;
        Routes = routes;
        Faults = faults;
        _progress = progress;
        _build = build;
        _parts = parts;
    }

    public ServiceSpec Spec => _parts.Spec;
    public ServiceLoop Loop { get; }
    public Executor Executor => _parts.Executor;
    public ServiceProxy? Proxy { get; }

    /// <summary>The proxy's route: decided by the loop, gated by the routing lease with several controllers.</summary>
    public RouteBoard? Routes { get; }
    public IReadOnlyList<CheckScheduler> Schedulers => _parts.Schedulers;

    /// <summary>Network faults injected toward members (drills); they affect both the proxy and the checks.</summary>
    public MemberFaults Faults { get; }

    /// <summary>Told when this instance's proxy could not connect (a cluster passes it on, so the leader confirms at once).</summary>
    public Action<Core.Detection.CheckResult>? PassiveSeen { get; set; }

    /// <param name="checkEnded">Told of every active check as it ends (check-duration metrics).</param>
    public static ServiceRuntime Create(ServiceState initial, IServiceLog log, CommandRunner commands, TimeProvider time, ILoggerFactory logs, Action<string, Core.Detection.CheckResult> checkEnded,
        LoopRole role = LoopRole.Single, long position = 0, IEpochBarrier? barrier = null, StallWatch? stalls = null, LoopTicker? ticker = null)
    {
        ServiceSpec first = initial.Spec;
        ILogger logger = logs.CreateLogger($"Understudy.{first.Name}");
        RouteBoard? routes = first.Proxy is null ? null : new RouteBoard(Routing.For(initial), time);
        var loop = new ServiceLoop(initial, log, routes, time, logger, role, position, ticker);
        var faults = new MemberFaults(time);
        var progress = new MemberProgress(first.Members.Select(m => m.Name));
        ServiceRuntime? runtime = null;
        void Passive(Core.Detection.CheckResult r)
        {
            loop.Post(new CheckObserved(r));
            runtime?.PassiveSeen?.Invoke(r);
        }
        ServiceProxy? proxy = routes is null ? null : new ServiceProxy(first, routes, Passive, faults, time, logger, progress);

        Parts Build(ServiceSpec spec)
        {
            // Only active checks have a duration; the proxy's failed connects (passive) are reported without one.
            void Checked(Core.Detection.CheckResult r)
            {
                checkEnded(spec.Name, r);
                loop.PostCheck(r);
            }
            IHealthCheck check = IHealthCheck.For(spec);
            var faulted = new FaultedHealthCheck(check, faults, time);
            var schedulers = spec.Members.Select(m => new CheckScheduler(m, spec.Check, faulted, time, Checked, stalls, progress,
                CheckScheduler.PhaseOf(spec.Name, m.Name, spec.Check.Interval), logger, CheckScheduler.WakeStep)).ToList();
            var executor = new Executor(spec, proxy, schedulers.ToDictionary(s => s.Member.Name), commands, loop.Post, time, logger, barrier);
            // traffic.haproxy: one loop per instance puts its servers back where the journal says after HAProxy restarts.
            var reconcilers = spec.TrafficSwitches.Haproxy.Select(h => new Traffic.Switches.HaproxyReconciler(spec, h, () => loop.State, () => loop.Role != LoopRole.Follower,
                loop.Post, time, logger)).ToList();
            return new Parts(spec, check, schedulers, executor, reconcilers);
        }

        return runtime = new ServiceRuntime(loop, proxy, routes, faults, progress, Build, Build(first));
    }

    /// <summary>Runs the loop (from <paramref name="start"/>) and the checks; the checks end at <paramref name="stopping"/>, the loop when completed.</summary>
    public Task RunAsync(Input? start, CancellationToken stopping, CancellationToken abort)
    {
        _stoppingRegistration = stopping.Register(_ended.Cancel);
        StartChecks();
        return Task.WhenAll(Loop.RunAsync(Executor, start, abort), ChecksEndedAsync());
    }

    /// <summary>
    /// A reload's second phase for a service whose loop is held (<see cref="ServiceLoop.HoldAsync"/>): the old checks
    /// end, the loop goes on under <paramref name="next"/> with a new executor, new checks start. The loop and the proxy
    /// are the same, so what was posted to the loop and the connections the proxy holds carry on, and the next fence
    /// reaches them. Says why if the loop could not take <paramref name="next"/> after all; the service runs as before then.
    /// </summary>
    public async Task<string?> ReconfigureAsync(ServiceSpec next)
    {
        Parts before = _parts;
        _checks?.Cancel();
        await _checking;
        Parts after = _build(next);
        string? refusal = await Loop.ReleaseAsync(next, after.Executor);
        if (refusal is not null)
        {
            (after.Check as IDisposable)?.Dispose();
            after = _build(before.Spec); // fresh schedulers: the stopped ones do not start again
        }
        else
        {
            _progress.Include(next.Members.Select(m => m.Name));
            if (Proxy is not null) Proxy.Spec = next;
        }
        _parts = after;
        if (after.Check != before.Check) (before.Check as IDisposable)?.Dispose();
        StartChecks();
        return refusal;
    }

    /// <summary>Ends the checks for good (a reload removed the service); the loop is completed apart.</summary>
    public Task EndChecksAsync()
    {
        _ended.Cancel();
        return _checking;
    }

    private void StartChecks()
    {
        Parts parts = _parts;
        var checks = CancellationTokenSource.CreateLinkedTokenSource(_ended.Token);
        _checks?.Dispose();
        _checks = checks;
        _checking = Task.WhenAll([.. parts.Schedulers.Select(s => s.RunAsync(checks.Token)), .. parts.Reconcilers.Select(r => r.RunAsync(checks.Token))]);
    }

    /// <summary>Ends once the checks running when the controller stops (or the service is removed) have ended; a reload swaps them meanwhile.</summary>
    private async Task ChecksEndedAsync()
    {
        await Task.Delay(Timeout.Infinite, _ended.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _checking;
    }

    public void Dispose()
    {
        _stoppingRegistration.Dispose();
        (_parts.Check as IDisposable)?.Dispose();
        _checks?.Dispose();
        _ended.Dispose();
    }
}
