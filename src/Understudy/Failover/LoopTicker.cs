using System.Collections.Immutable;
using Understudy.Core.Failover;

namespace Understudy.Failover;

/// <summary>
/// Hands time to the service loops of a controller (<see cref="ClockTicked"/>) that have decided nothing for
/// <see cref="Idle"/>: the decider re-reads its deadlines at every input, so a loop whose checks report twice a second
/// needs no tick. One timer for them all: a timer per loop fired 1,000 work items a second, and woke 1,000 loops, at
/// 1,000 services. Time reaches every loop's decider at least every <see cref="Idle"/> + <see cref="Every"/>.
/// </summary>
public sealed class LoopTicker : IDisposable
{
    public static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Every = Idle / 2;

    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private ImmutableArray<ServiceLoop> _loops = [];

    public LoopTicker(TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(static s => ((LoopTicker)s!).Tick(), this, Every, Every);
    }

    /// <summary>Ticks <paramref name="loop"/> from now until the returned handle is disposed.</summary>
    public IDisposable Add(ServiceLoop loop)
    {
        ImmutableInterlocked.Update(ref _loops, static (loops, l) => loops.Add(l), loop);
        return new Removal(this, loop);
    }

    private void Tick()
    {
        long now = _time.GetTimestamp();
        foreach (ServiceLoop loop in _loops) loop.TickIfIdle(now, Idle);
    }

    public void Dispose() => _timer.Dispose();

    private sealed class Removal(LoopTicker ticker, ServiceLoop loop) : IDisposable
    {
        public void Dispose() => ImmutableInterlocked.Update(ref ticker._loops, static (loops, l) => loops.Remove(l), loop);
    }
}
