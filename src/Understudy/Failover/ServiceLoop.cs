using System.Collections.Immutable;
using Understudy.Checks;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Journal;
using Understudy.Traffic;

namespace Understudy.Failover;

/// <summary>Whether this loop decides: alone (one controller), as a cluster's leader, or as a follower that folds the leader's log.</summary>
public enum LoopRole { Single, Leader, Follower }

/// <summary>
/// The shell around the decider for one service, and the only writer of its journal: reads messages one at a
/// time from its inbox (<see cref="LoopInbox{T}"/>, so the core needs no locks), reads the clock once per input,
/// commits each decision's events before anything acts on them, publishes the route, and hands the plan to the
/// executor. A decision that cannot be committed is never acted on. A follower decides too, but keeps only what
/// its own checks observed (its proxy's suspicion, confirming checks) and folds the leader's committed events
/// instead. Checks' results are read on the check grid's thread: what may block is done after leaving it.
/// </summary>
public sealed partial class ServiceLoop
{
    private readonly LoopInbox<Message> _inbox;
    private readonly LoopTicker? _ticker; // null: one of its own while it runs
    private long _lastInput; // the timestamp of the last input written
    private CancellationToken _abort;
    private readonly IServiceLog _log;
    private readonly RouteBoard? _routes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ServiceState _state;
    private long _position;
    private volatile bool _stopping;
    private bool _held; // read and written by the loop alone
    private Executor _executor = null!; // set by RunAsync; a reload replaces it
    private volatile LoopRole _role;
    private readonly Failpoint? _failpoint = Failpoint.FromEnvironment();
    private readonly long _snapshotEvery = SnapshotPolicy.Every;
    private readonly RefusalDigest _refusals = new(DigestWindow.Length);
    private long _sinceSnapshot;

    /// <param name="position">The last position of this service's log that <paramref name="initial"/> folds.</param>
    /// <param name="ticker">The controller's ticker (<see cref="LoopTicker"/>); null: the loop has one of its own.</param>
    public ServiceLoop(ServiceState initial, IServiceLog log, RouteBoard? routes, TimeProvider time, ILogger logger, LoopRole role = LoopRole.Single, long position = 0,
        LoopTicker? ticker = null)
    {
        _inbox = new LoopInbox<Message>(ReadAsync);
        _ticker = ticker;
        _lastInput = time.GetTimestamp();
        _state = initial;
        _log = log;
        _routes = routes;
        _time = time;
        _logger = logger;
        _role = role;
        _position = position;
    }

    /// <summary>The latest state; an immutable snapshot, safe to read from any thread.</summary>
    public ServiceState State => Volatile.Read(ref _state);

    public LoopRole Role => _role;

    /// <summary>The last position of the service's log folded into <see cref="State"/>.</summary>
    public long Position => Interlocked.Read(ref _position);

    /// <summary>Called with the state before and after whenever the epoch advanced (a cluster fences its proxy and acknowledges).</summary>
    public Action<ServiceState, ServiceState>? EpochAdvanced { get; set; }

    /// <summary>Called with the state before and after every decision or fold (a cluster publishes this instance's view of the members).</summary>
    public Action<ServiceState, ServiceState>? Published { get; set; }

    public void Post(Input input) => Write(new Decide(input, null));

    /// <summary>
    /// Hands in a scheduled check's result: read with other loops' at the check grid's next tick (<see cref="LoopInbox{T}"/>)
    /// on the real clock, at once on any other.
    /// </summary>
    public void PostCheck(Core.Detection.CheckResult result) => Write(new Decide(new CheckObserved(result), null), together: _time == TimeProvider.System);

    private bool Write(Decide input, bool together = false)
    {
        Volatile.Write(ref _lastInput, _time.GetTimestamp());
        return _inbox.TryWrite(input, together);
    }

    /// <summary>The ticker's turn (<see cref="LoopTicker"/>): time is handed in unless an input was written within <paramref name="idle"/>.</summary>
    internal void TickIfIdle(long now, TimeSpan idle)
    {
        if (!_stopping && _time.GetElapsedTime(Volatile.Read(ref _lastInput), now) >= idle) Post(new ClockTicked());
    }

    /// <summary>
    /// Hands in an input and waits until its decision is committed and can be read back from this instance's
    /// journal (what an operator's answer shows); the decision's events carry their journal ids.
    /// </summary>
    public async Task<Decision> SubmitAsync(Input input, CancellationToken ct)
    {
        var answer = new TaskCompletionSource<Decision>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Write(new Decide(input, answer))) throw new InvalidOperationException("the controller is stopping");
        Decision decision = await answer.Task.WaitAsync(ct);
        await _log.ReadableAsync(decision.Events, ct);
        return decision;
    }

    /// <summary>Records something that changes no decision (a fault, a drill's verdict, a delivery); returns it as stored.</summary>
    public async Task<JournalEvent> NoteAsync(IInformational record, CancellationToken ct) =>
        (await SubmitAsync(new Noted(record), ct)).Events.Single(e => e.Type == ((JournalEvent)record).Type);

    /// <summary>
    /// From here on only step outcomes and notes are decided (what is already under way is recorded), and no new
    /// step starts: a restarted controller resumes from the journal. Checks and the proxy stop feeding the loop.
    /// </summary>
    public void BeginStopping() => _stopping = true;

    /// <summary>No more inputs: <see cref="RunAsync"/> ends once the queue is empty.</summary>
    public void Complete() => _inbox.Complete();

    /// <summary>Decides <paramref name="start"/> first (a single controller's restart; none for a cluster member), then every message until <see cref="Complete"/>.</summary>
    public async Task RunAsync(Executor executor, Input? start, CancellationToken abort)
    {
        _executor = executor;
        _abort = abort;
        _routes?.Publish(Routing.For(State));
        if (start is not null) await HandleAsync(start, executor, abort);
        using LoopTicker? own = _ticker is null ? new LoopTicker(_time) : null;
        using IDisposable ticking = (_ticker ?? own!).Add(this);
        await _inbox.RunAsync(abort);
    }

    /// <summary>One message, in turn (the inbox reads the next only once this has ended).</summary>
    private async Task ReadAsync(Message message)
    {
        // The grid's thread reads checks' results (LoopInbox): anything else, which may block, is read on the pool.
        if (message is not Decide { Input: CheckObserved } && CheckGrid.IsCurrentThread) await Task.Yield();
        switch (message)
        {
            case Folded f: Apply(f); break;
            case Leading l when _role != LoopRole.Single && !_stopping:
                _role = LoopRole.Leader;
                Log.Leading(_logger, State.Name, l.Term, _position);
                // Its commit refused (logged, and the instance stepped down): the loop goes on as a follower.
                try { await HandleAsync(new LeadershipGained(l.Instance, l.Term), _executor, _abort); }
                catch (NotCommittedException) { }
                break;
            case Following f when _role == LoopRole.Leader:
                _role = LoopRole.Follower;
                Log.Following(_logger, State.Name, f.Why);
                break;
            case Decide d: await DecideAsync(d, _executor, _abort); break;
            case Hold h: h.Answer.TrySetResult(TryHold(h.Next)); break;
            case Release r: r.Answer.TrySetResult(Unhold(r.Next, r.Executor)); break;
        }
    }

    private async Task DecideAsync(Decide d, Executor executor, CancellationToken abort)
    {
        if ((_stopping || _held) && d.Input is not (StepCompleted or HookFinished or HookLaunched or StaleHookEnded or Noted))
        {
            d.Answer?.TrySetException(new InvalidOperationException(_stopping ? "the controller is stopping" : "a config reload is under way; try again in a moment"));
            return;
        }
        try
        {
            Decision? decision = await HandleAsync(d.Input, executor, abort);
            if (d.Answer is null) return;
            if (decision is null) d.Answer.TrySetException(new InvalidOperationException("the decider failed on this input; it is journaled as controller.error"));
            else d.Answer.TrySetResult(decision);
        }
        catch (NotCommittedException e)
        {
            d.Answer?.TrySetException(e);
        }
    }

    private async Task<Decision?> HandleAsync(Input input, Executor executor, CancellationToken abort)
    {
        DateTimeOffset now = _time.GetUtcNow();
        Decision decision;
        try
        {
            decision = Decider.Decide(State, input, now);
        }
        catch (Exception e)
        {
            if (CheckGrid.IsCurrentThread) await Task.Yield();
            // Patroni's run_cycle stance: report, stay safe, keep running on the old state.
            Log.DecideCrashed(_logger, e, State.Name, input.GetType().Name);
            await _log.RecordAsync(new UnexpectedError(input.ToString())
            {
                Time = now, Service = State.Name, Epoch = State.Epoch, Reason = $"unexpected error, please report: {e.Message}",
            }, abort);
            return null;
        }
        // A check's result that changes something (a commit, a log line, a step) is acted on from the pool, not the grid's thread.
        if ((!decision.Events.IsEmpty || !decision.Plan.IsEmpty) && CheckGrid.IsCurrentThread) await Task.Yield();

        if (_role == LoopRole.Follower)
        {
            // Operators' writes are forwarded to the leader; one that reaches a follower anyway is refused, not half-done.
            if (input is ChangeRequested or ApprovalGiven or RejectionGiven or Paused or Resumed or RejoinFinished)
                throw new NotCommittedException($"{State.Name}: this instance is not the leader; send the request to the leader");
            return await ObserveAsync(input, decision, executor, abort);
        }
        // Every decision (at least a tick every 1.5 s, LoopTicker) closes the refusal windows that ended; the stop closes them all.
        decision = decision with { Events = _refusals.Digest(decision.Events, now, closeAll: input is Noted { Event: ControllerStopped }) };
        if (!decision.Events.IsEmpty && CheckGrid.IsCurrentThread) await Task.Yield(); // a window the digest closed
        decision = await CommitAndPublishAsync(input, decision, executor, abort);
        // One entry per journaled event, named by its type, so logs and journal read the same.
        foreach (JournalEvent e in decision.Events) Log.Journaled(_logger, e.Service, e.Epoch, e.Type, e.Member ?? "", e.Actor, e.Reason);
        if (_stopping || _held) return decision;
        if (_log.MayAct) executor.Execute(decision.Plan);
        else if (!decision.Plan.IsEmpty) Log.NotActed(_logger, State.Name, decision.Plan.Length);
        return decision;
    }

    private abstract record Message;
    private sealed record Decide(Input Input, TaskCompletionSource<Decision>? Answer) : Message;

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "{Service} (epoch {Epoch}) {Type} {Member} by {Actor}: {Reason}")]
        public static partial void Journaled(ILogger logger, string service, long epoch, string type, string member, string actor, string reason);

        [LoggerMessage(EventId = 101, Level = LogLevel.Critical, Message = "{Service}: the decider failed on {Input}; state kept, please report")]
        public static partial void DecideCrashed(ILogger logger, Exception e, string service, string input);

        [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "{Service} (epoch {Epoch}) folded {Type} {Member}: {Reason}")]
        public static partial void Folded(ILogger logger, string service, long epoch, string type, string member, string reason);

        [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "{Service}: the decision on {Input} was not committed ({Why}); nothing acts on it")]
        public static partial void NotCommitted(ILogger logger, string service, string input, string why);

        [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "{Service}: leading from position {Position} (term {Term})")]
        public static partial void Leading(ILogger logger, string service, long term, long position);

        [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "{Service}: committed, but this instance's lease may have run out since: its {Steps} step(s) are left to the next leader")]
        public static partial void NotActed(ILogger logger, string service, int steps);

        [LoggerMessage(EventId = 106, Level = LogLevel.Critical, Message = "{Service}: failpoint {When} committing {Type}: this loop stops here")]
        public static partial void Failpoint(ILogger logger, string service, string when, string type);

        [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "{Service}: following the leader's log ({Why})")]
        public static partial void Following(ILogger logger, string service, string why);
    }
}

/// <summary>A decision this instance could not commit (it is not the leader, or the log moved on): nothing acted on it.</summary>
public sealed class NotCommittedException(string message) : Exception(message);
