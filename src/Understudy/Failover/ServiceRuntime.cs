using Understudy.Checks;
using Understudy.Commands;
using Understudy.Core.Failover;
using Understudy.Core.Topology;
using Understudy.Failover;
using Understudy.Journal;
using Understudy.Traffic;

namespace Understudy.Failover;

/// <summary>Everything that runs for one service: its check schedulers, loop, executor and proxy.</summary>
public sealed class ServiceRuntime : IDisposable
{
    private readonly IHealthCheck _check;
    private IReadOnlyList<Traffic.Switches.HaproxyReconciler> _reconcilers = [];
    private readonly MemberProgress _progress;
    private readonly PassiveRelay _passive;

    /// <summary>Where the proxy reports a failed connect: the loop of whichever runtime of the service runs now (a reload replaces it, the proxy stays).</summary>
    private sealed class PassiveRelay
    {
        public volatile Action<Core.Detection.CheckResult>? To;
    }

    private ServiceRuntime(ServiceSpec spec, ServiceLoop loop, Executor executor, ServiceProxy? proxy, RouteBoard? routes, IReadOnlyList<CheckScheduler> schedulers, IHealthCheck check, MemberFaults faults,
        MemberProgress progress, PassiveRelay passive)
    {
        _progress = progress;
        _passive = passive;
        Routes = routes;
        Faults = faults;
        Spec = spec;
        Loop = loop;
        Executor = executor;
        Proxy = proxy;
        Schedulers = schedulers;
        _check = check;
    }

    public ServiceSpec Spec { get; }
    public ServiceLoop Loop { get; }
    public Executor Executor { get; }
    public ServiceProxy? Proxy { get; }

    /// <summary>The proxy's route: decided by the loop, gated by the routing lease with several controllers.</summary>
    public RouteBoard? Routes { get; }
    public IReadOnlyList<CheckScheduler> Schedulers { get; }

    /// <summary>Network faults injected toward members (drills); they affect both the proxy and the checks.</summary>
    public MemberFaults Faults { get; }

    /// <summary>Told when this instance's proxy could not connect (a cluster passes it on, so the leader confirms at once).</summary>
    public Action<Core.Detection.CheckResult>? PassiveSeen { get; set; }

    /// <param name="checkEnded">Told of every active check as it ends (check-duration metrics).</param>
    /// <param name="previous">
    /// A reload reconfigures a running service: its proxy, route, injected faults and members' progress carry over, so
    /// open connections stay open and the next fence still reaches them; checks, loop and executor are new.
    /// </param>
    public static ServiceRuntime Create(ServiceState initial, IServiceLog log, CommandRunner commands, TimeProvider time, ILoggerFactory logs, Action<string, Core.Detection.CheckResult> checkEnded,
        LoopRole role = LoopRole.Single, long position = 0, IEpochBarrier? barrier = null, StallWatch? stalls = null, ServiceRuntime? previous = null)
    {
        ServiceSpec spec = initial.Spec;
        ILogger logger = logs.CreateLogger($"Understudy.{spec.Name}");
        RouteBoard? routes = previous?.Routes ?? (spec.Proxy is null ? null : new RouteBoard(Routing.For(initial), time));
        var loop = new ServiceLoop(initial, log, routes, time, logger, role, position);
        void Report(Core.Detection.CheckResult r) => loop.Post(new CheckObserved(r));
        // Only active checks have a duration; the proxy's failed connects (passive) are reported without one.
        void Checked(Core.Detection.CheckResult r)
        {
            checkEnded(spec.Name, r);
            Report(r);
        }

        MemberFaults faults = previous?.Faults ?? new MemberFaults(time);
        IHealthCheck check = IHealthCheck.For(spec);
        var faulted = new FaultedHealthCheck(check, faults, time);
        MemberProgress progress = previous?._progress ?? new MemberProgress([]);
        progress.Include(spec.Members.Select(m => m.Name));
        var schedulers = spec.Members.Select(m => new CheckScheduler(m, spec.Check, faulted, time, Checked, stalls, progress,
            CheckScheduler.PhaseOf(spec.Name, m.Name, spec.Check.Interval))).ToList();
        ServiceRuntime? runtime = null;
        PassiveRelay passive = previous?._passive ?? new PassiveRelay();
        passive.To = r =>
        {
            Report(r);
            runtime?.PassiveSeen?.Invoke(r);
        };
        ServiceProxy? proxy = previous?.Proxy ?? (routes is null ? null : new ServiceProxy(spec, routes, r => passive.To?.Invoke(r), faults, time, logger, progress));
        if (previous?.Proxy is not null) proxy!.Spec = spec;
        var executor = new Executor(spec, proxy, schedulers.ToDictionary(s => s.Member.Name), commands, loop.Post, time, logger, barrier);
        return runtime = new ServiceRuntime(spec, loop, executor, proxy, routes, schedulers, check, faults, progress, passive)
        {
            // traffic.haproxy: one loop per instance puts its servers back where the journal says after HAProxy restarts.
            _reconcilers = [.. spec.TrafficSwitches.Haproxy.Select(h => new Traffic.Switches.HaproxyReconciler(spec, h, () => loop.State, () => loop.Role != LoopRole.Follower, loop.Post, time, logger))],
        };
    }

    /// <summary>Runs the loop (from <paramref name="start"/>) and the checks; the checks end at <paramref name="stopping"/>, the loop when completed.</summary>
    public Task RunAsync(Input? start, CancellationToken stopping, CancellationToken abort) =>
        Task.WhenAll([Loop.RunAsync(Executor, start, abort), .. Schedulers.Select(s => s.RunAsync(stopping)), .. _reconcilers.Select(r => r.RunAsync(stopping))]);

    public void Dispose() => (_check as IDisposable)?.Dispose();
}
