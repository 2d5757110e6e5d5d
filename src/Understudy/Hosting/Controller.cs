using System.Collections.Immutable;
using System.Reflection;
using Understudy.Core.Journal;
using Understudy.Journal;

namespace Understudy.Hosting;

/// <summary>
/// Runs every service's runtime once the host has started (so nothing decides before the proxy and API
/// listeners are bound); journals the controller's start and stop.
/// </summary>
public sealed class Controller(IReadOnlyList<ServiceRuntime> services, IJournal journal, IHostApplicationLifetime lifetime, TimeProvider time) : BackgroundService
{
    public static string Version { get; } =
        typeof(Controller).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public IReadOnlyList<ServiceRuntime> Services => services;

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stopping.Register(() => started.TrySetCanceled(stopping)))
            await started.Task;

        await journal.AppendAsync([.. services.Select(s => Lifecycle(s, EventTypes.ControllerStarted,
            $"controller {Version} (pid {Environment.ProcessId}) started at epoch {s.Loop.State.Epoch} with {s.Loop.State.Primary} as primary"))], stopping);
        await Task.WhenAll(services.Select(s => s.RunAsync(stopping)));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (ExecuteTask is not { IsCompletedSuccessfully: true }) return;
        // In-flight steps (a fence, a hook) finish or hit their own timeouts within the host's deadline.
        await Task.WhenAll(services.Select(s => s.Executor.Idle)).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await journal.AppendAsync([.. services.Select(s => Lifecycle(s, EventTypes.ControllerStopped,
            $"controller (pid {Environment.ProcessId}) stopped at epoch {s.Loop.State.Epoch}"))], cancellationToken);
    }

    public override void Dispose()
    {
        foreach (var s in services) s.Dispose();
        base.Dispose();
    }

    private JournalEvent Lifecycle(ServiceRuntime s, string type, string reason) => new(
        time.GetUtcNow(), s.Spec.Name, null, s.Loop.State.Epoch, type, Actors.Controller,
        ImmutableDictionary<string, object?>.Empty.Add("reason", reason).Add("version", Version).Add("pid", Environment.ProcessId));
}
