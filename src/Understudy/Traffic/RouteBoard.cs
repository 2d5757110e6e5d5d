using Understudy.Core.Cluster;
using Understudy.Core.Failover;

namespace Understudy.Traffic;

/// <summary>
/// The current route of one service and a signal that fires when it is replaced. The service loop publishes
/// the decided route; with several controllers the routing lease may gate it (hold, or close). Any number of
/// held connections wait on <see cref="Snapshot.Changed"/>.
/// </summary>
public sealed class RouteBoard
{
    public sealed record Snapshot(TrafficRoute Route, Task Changed);

    private readonly object _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Snapshot _current;
    private TrafficRoute _decided;
    private RouteGate _routeGate = RouteGate.Open;
    private readonly TimeProvider _time;
    private DateTimeOffset? _routedSince;

    public RouteBoard(TrafficRoute initial, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _decided = initial;
        _current = new Snapshot(initial, _changed.Task);
        if (initial.Target is not null) _routedSince = _time.GetUtcNow();
    }

    /// <summary>When new connections began to go to the current target; null while none does.</summary>
    public DateTimeOffset? RoutedSince
    {
        get { lock (_gate) return _routedSince; }
    }

    public Snapshot Current => Volatile.Read(ref _current);

    public RouteGate Gate
    {
        get { lock (_gate) return _routeGate; }
    }

    /// <summary>Replaces the decided route unless it is the same; routes of an older epoch are refused (fencing token).</summary>
    public bool Publish(TrafficRoute route)
    {
        lock (_gate)
        {
            if (route.Epoch < _decided.Epoch) return false;
            _decided = route;
        }
        return Refresh();
    }

    /// <summary>Gates the decided route: held, new connections wait; closed, they fail at once.</summary>
    public bool SetGate(RouteGate gate)
    {
        lock (_gate) _routeGate = gate;
        return Refresh();
    }

    private bool Refresh()
    {
        TaskCompletionSource fired;
        lock (_gate)
        {
            TrafficRoute route = _routeGate switch
            {
                RouteGate.Hold => _decided with { Target = null, Hold = true, TargetDown = false },
                RouteGate.Closed => _decided with { Target = null, Hold = false, TargetDown = false },
                _ => _decided,
            };
            if (route == _current.Route) return false;
            if (route.Target != _current.Route.Target) _routedSince = route.Target is null ? null : _time.GetUtcNow();
            fired = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _current, new Snapshot(route, _changed.Task));
        }
        fired.TrySetResult();
        return true;
    }
}
