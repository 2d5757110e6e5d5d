using System.Collections.Immutable;
using System.Reflection;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Failover;
using Understudy.Journal;

namespace Understudy.Hosting;

/// <summary>
/// Runs every service's runtime once the host has started (so nothing decides before the proxy and API
/// listeners are bound). At stop, checks end first, steps under way finish, each loop journals the stop and
/// drains its queue: the loops stay the journal's only writers to the end.
/// </summary>
/// <param name="start">What each loop decides first: a single controller's restart; none for a cluster member, whose loops follow until it leads.</param>
public sealed partial class Controller(IReadOnlyList<ServiceRuntime> services, IServiceLog log, IHostApplicationLifetime lifetime, TimeProvider time, Input? start)
    : BackgroundService, IEventRecorder
{
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _running;
    private ImmutableArray<ServiceRuntime> _services = [.. services];

    /// <summary>The build's version and commit (1.0.0+abc1234), as <c>understudy --version</c> prints it.</summary>
    public static string Version { get; } =
        typeof(Controller).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    /// <summary>The services run now; a reload swaps the list, so read it once per use.</summary>
    public IReadOnlyList<ServiceRuntime> Services => _services;

    /// <summary>Work above the loops that only the deciding instance does (site operations): told here once a single controller's loops run.</summary>
    public Action<string>? Leading { get; init; }

    /// <summary>The runtime of <paramref name="name"/>, or null for a service the config does not have.</summary>
    public ServiceRuntime? Service(string name) => Services.FirstOrDefault(s => s.Spec.Name == name);

    /// <summary>
    /// Returns once every commit in flight of <paramref name="service"/> (null: of every service) is in its state: awaited after
    /// reading the journal, so that what a reader saw there the status shows too (<see cref="ServiceLoop.PublishedAsync"/>).
    /// Bounded by <see cref="PublishWait"/>: a commit the journal holds up (a full disk, retried) does not hold readers up.
    /// </summary>
    public async Task PublishedAsync(string? service, CancellationToken ct)
    {
        Task published;
        if (service is not null) published = Service(service)?.Loop.PublishedAsync() ?? Task.CompletedTask;
        else
        {
            List<Task>? pending = null;
            foreach (ServiceRuntime s in Services)
                if (s.Loop.PublishedAsync() is { IsCompleted: false } t) (pending ??= []).Add(t);
            published = pending is null ? Task.CompletedTask : Task.WhenAll(pending);
        }
        if (published.IsCompleted) return;
        try { await published.WaitAsync(PublishWait, time, ct); }
        catch (TimeoutException) { }
    }

    public static readonly TimeSpan PublishWait = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Records something that changes no decision: through the service's loop, or — for a record of no service
    /// (a drill of none) — straight to the log, as no decision can depend on it.
    /// </summary>
    public async Task<JournalEvent> NoteAsync(string service, IInformational record, CancellationToken ct)
    {
        if (Service(service) is { } runtime) return await runtime.Loop.NoteAsync(record, ct);
        var e = (JournalEvent)record;
        return await log.RecordAsync(e with { Service = "", Time = e.Time == default ? time.GetUtcNow() : e.Time }, ct);
    }

    protected override async Task ExecuteAsync(CancellationToken abort)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (abort.Register(() => started.TrySetCanceled(abort)))
        {
            // A host that fails to start (a port in use) stops before it started: nothing ran, nothing to report here
            // (the failure is said once, by the command); letting the cancellation escape printed a stack trace.
            try { await started.Task; }
            catch (OperationCanceledException) when (abort.IsCancellationRequested) { return; }
        }

        _checks = CancellationTokenSource.CreateLinkedTokenSource(abort, _stopping.Token);
        _abort = abort;
        _running = true;
        foreach (ServiceRuntime s in Services) Launch(s, start);
        // A cluster member's loops follow until it leads: its node tells the work then.
        if (start is not null) Leading?.Invoke("after this controller restarted");
        // A loop that ends with an error stops the controller at once (its supervisor restarts it from the journal):
        // waiting for the others would leave that service unattended meanwhile.
        try { await _failed.Task.WaitAsync(abort); }
        catch (OperationCanceledException) when (abort.IsCancellationRequested) { }
        await Task.WhenAll(_loops.Values);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        // A host that failed to start (a port in use) never ran the loops: there is nothing to drain or journal.
        if (_running && ExecuteTask is { IsCompleted: false })
        {
            // A reload under way finishes first: it owns the list of services while it runs.
            await _reloading.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            IReadOnlyList<ServiceRuntime> services = Services;
            foreach (ServiceRuntime s in services) s.Loop.BeginStopping();
            // In-flight steps (a fence, a hook) finish or hit their own timeouts within the host's deadline.
            await Task.WhenAll(services.Select(s => s.Executor.Idle)).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Task.WhenAll(services.Select(s => Stopped(s, cancellationToken))).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (ServiceRuntime s in services) s.Loop.Complete();
        }
        await base.StopAsync(cancellationToken);
    }

    private static Task Stopped(ServiceRuntime s, CancellationToken ct) =>
        s.Loop.NoteAsync(new ControllerStopped(Version, Environment.ProcessId)
        {
            Reason = $"controller (pid {Environment.ProcessId}) stopped at epoch {s.Loop.State.Epoch}",
        }, ct);

    public override void Dispose()
    {
        foreach (var s in Services) s.Dispose();
        _stopping.Dispose();
        _checks?.Dispose();
        base.Dispose();
    }
}
