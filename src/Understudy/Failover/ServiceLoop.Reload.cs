using Understudy.Core.Failover;
using Understudy.Core.Topology;

namespace Understudy.Failover;

/// <summary>A config reload's two phases, decided in the loop's turn like every other input.</summary>
public sealed partial class ServiceLoop
{
    /// <summary>
    /// A reload's first phase, decided in turn with every other input: the loop is held — it decides only step outcomes
    /// and notes, starts nothing — if nothing is under way (no change, hook or veto, no step running) and
    /// <paramref name="next"/>, if any, can take over its state; otherwise it says why and goes on as before.
    /// </summary>
    public Task<string?> HoldAsync(ServiceSpec? next) => AskAsync(answer => new Hold(next, answer));

    /// <summary>
    /// A reload's second phase: the held loop goes on, under <paramref name="next"/> with <paramref name="executor"/>
    /// when given (null: as it was). Says why if <paramref name="next"/> could not take over after all; it runs as before then.
    /// </summary>
    public Task<string?> ReleaseAsync(ServiceSpec? next, Executor? executor) => AskAsync(answer => new Release(next, executor, answer));

    private async Task<string?> AskAsync(Func<TaskCompletionSource<string?>, Message> message)
    {
        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inbox.TryWrite(message(answer))) return "the controller is stopping";
        return await answer.Task;
    }

    private string? TryHold(ServiceSpec? next)
    {
        if (_stopping) return "the controller is stopping";
        if (ServiceFold.Busy(State) is { } busy) return busy;
        if (!_executor.Idle.IsCompleted) return "a step is still running; reload once it has ended";
        if (next is not null && ServiceFold.Reconfigure(State, next, out string? refusal) is null) return refusal;
        _held = true;
        return null;
    }

    private string? Unhold(ServiceSpec? next, Executor? executor)
    {
        string? refusal = null;
        if (next is not null && ServiceFold.Reconfigure(State, next, out refusal) is { } reconfigured)
        {
            Publish(reconfigured);
            _executor = executor ?? _executor;
        }
        _held = false;
        return refusal;
    }

    private sealed record Hold(ServiceSpec? Next, TaskCompletionSource<string?> Answer) : Message;
    private sealed record Release(ServiceSpec? Next, Executor? Executor, TaskCompletionSource<string?> Answer) : Message;
}
