using Understudy.Core.Drills;

namespace Understudy.Drills;

/// <summary>Live progress of a drill, for the terminal.</summary>
public interface IDrillObserver
{
    void PhaseStarted(string phase);

    void StepFinished(StepRecord step);

    /// <summary>Called about once a second while probes run.</summary>
    void Progress(string phase, TimeSpan elapsed, int attempts, int failures);

    /// <summary>A manual step: tell the operator what to do, then the drill waits for a line on its input.</summary>
    void Manual(string instruction, TimeSpan timeout);
}
