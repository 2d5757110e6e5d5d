using Understudy.Api;
using Understudy.Drills.Scheduling;

namespace Understudy.Drills;

/// <summary>
/// A linked drill's hold on its service for the whole run: taken before the drill starts (after the controller's
/// pre-flight), renewed while it runs, released at the end. A drill killed on the way stops renewing, and the
/// controller frees the service when the lease runs out.
/// </summary>
public sealed class DrillLockLease : IAsyncDisposable
{
    private readonly ControllerClient _controller;
    private readonly string _token;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;

    private DrillLockLease(ControllerClient controller, DrillLockView taken)
    {
        _controller = controller;
        _token = taken.Token;
        _renewing = RenewAsync(_stop.Token);
    }

    /// <summary>Takes the lock, or throws <see cref="DrillException"/> with the controller's reason (a pre-flight refusal, another drill).</summary>
    /// <param name="scheduledToken">The lock a scheduled run was started with (<see cref="DrillLauncher.LockVariable"/>), if any.</param>
    public static async Task<DrillLockLease> TakeAsync(ControllerClient controller, string name, string file, string? scheduledToken, CancellationToken ct) =>
        new(controller, await controller.TakeDrillLockAsync(name, file, scheduledToken, ct));

    private async Task RenewAsync(CancellationToken stop)
    {
        using var every = new PeriodicTimer(DrillLocks.RenewEvery);
        try
        {
            while (await every.WaitForNextTickAsync(stop))
            {
                // One lost renewal is no reason to stop a drill under way: the lease outlasts two of them.
                try { await _controller.RenewDrillLockAsync(_token, stop); }
                catch (DrillException) { }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renewing;
        _stop.Dispose();
        // Best effort: a lock not released expires with its lease.
        try { await _controller.ReleaseDrillLockAsync(_token, CancellationToken.None); }
        catch (DrillException) { }
    }
}
