using Understudy.Checks;
using Understudy.Commands;
using Understudy.Core.Failover;
using Understudy.Failover;
using Understudy.Journal;
using Understudy.Metrics;

namespace Understudy.Hosting;

/// <summary>Builds a single controller's service runtimes: at start, and when a reload adds one.</summary>
public sealed class RuntimeFactory(IServiceLog log, CommandRunner commands, TimeProvider time, ILoggerFactory logs, ControllerMetrics metrics, StallWatch stalls, LoopTicker ticker)
{
    public IServiceLog Log => log;

    public ServiceRuntime Create(ServiceState state) => ServiceRuntime.Create(state, log, commands, time, logs, metrics.CheckEnded, stalls: stalls, ticker: ticker);
}
