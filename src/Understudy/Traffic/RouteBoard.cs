using Understudy.Core.Failover;

namespace Understudy.Traffic;

/// <summary>
/// The current route of one service and a signal that fires when it is replaced. The service loop is
/// the only writer; any number of held connections wait on <see cref="Snapshot.Changed"/>.
/// </summary>
public sealed class RouteBoard
{
    public sealed record Snapshot(TrafficRoute Route, Task Changed);

    private readonly object _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Snapshot _current;

    public RouteBoard(TrafficRoute initial) => _current = new Snapshot(initial, _changed.Task);

    public Snapshot Current => Volatile.Read(ref _current);

    /// <summary>Replaces the route unless it is the same; routes of an older epoch are refused (fencing token).</summary>
    public bool Publish(TrafficRoute route)
    {
        TaskCompletionSource fired;
        lock (_gate)
        {
            if (route == _current.Route || route.Epoch < _current.Route.Epoch) return false;
            fired = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _current, new Snapshot(route, _changed.Task));
        }
        fired.TrySetResult();
        return true;
    }
}
