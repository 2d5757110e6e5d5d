using System.Collections.Concurrent;
using System.Collections.Immutable;
using Understudy.Core.Detection;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Sites;
using Understudy.Core.Topology;
using Understudy.Failover;
using Understudy.Hosting;
using Understudy.Journal;

namespace Understudy.Sites;

/// <summary>One service of a site operation as the API shows it: planned, moving, moved, failed, skipped, rolled back or not.</summary>
public sealed record SiteStepView(string Service, string From, string? Kind, string? To, string? Request, string Status, string Detail);

/// <summary>A site failover as the API shows it; <see cref="State"/>: awaiting_approval, executing, rolling_back, completed, failed, rejected, expired.</summary>
public sealed record SiteOperationView(string Id, string Site, string State, string Reason, string RequestedBy, DateTimeOffset CreatedAt,
    int ApprovalsNeeded, IReadOnlyList<string> ApprovedBy, IReadOnlyList<SiteStepView> Steps, string Detail, DateTimeOffset? ExpiresAt = null);

/// <summary>
/// Site failovers: an orchestrator above the service loops. Once approved it hands each service's loop an ordinary
/// request (and the site's approvals, when the service needs them), waits for it, verifies the move, and goes on; on a
/// failure it switches the services it already moved back, newest first, where their original primary can take over.
/// Each phase is journaled through the loop of the service it concerns, and the journal is the operations' only record:
/// every instance folds its <c>site.*</c> events (<see cref="SiteOperationLog"/>) to answer, and the instance that decides
/// (a restarted controller, a new leader) takes over from it: an operation awaiting approval can still be approved or
/// expires, one under way is resumed where the journal says it stopped.
/// </summary>
public sealed partial class SiteOperations(Controller controller, UnderstudySpec spec, IJournal journal, JournalFeed feed, TimeProvider time,
    IHostApplicationLifetime lifetime, ILogger<SiteOperations> logger) : BackgroundService
{
    /// <summary>How long one service's request may take, from hand-in to verified.</summary>
    public static readonly TimeSpan PerService = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private ImmutableDictionary<string, SiteOperationRecord> _ops = SiteOperationLog.Empty;
    private readonly HashSet<long> _folded = [];
    private readonly Lock _fold = new();
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Approvals, rejections, expiry and launches of one instance decide one at a time, from the fold as it stands.
    private readonly SemaphoreSlim _decide = new(1, 1);
    private readonly ConcurrentDictionary<string, byte> _running = new();
    private readonly Lock _leading = new();
    private CancellationTokenSource? _term;
    private readonly SiteVerifier _verifier = new(time);

    public const string AwaitingApproval = SiteStates.AwaitingApproval, Executing = SiteStates.Executing, RollingBack = SiteStates.RollingBack,
        Completed = SiteStates.Completed, Failed = SiteStates.Failed, Rejected = SiteStates.Rejected, Expired = SiteStates.Expired;

    public SitePlan Plan(SiteSpec site) =>
        SitePlanner.Plan(site, controller.Services.ToDictionary(s => s.Spec.Name, s => s.Loop.State), site.ApprovalsNeeded(controller.Services.Select(s => s.Spec)));

    public SiteOperationView? Get(string id) => Ops.TryGetValue(id, out SiteOperationRecord? op) ? View(op) : null;

    /// <summary>Every operation this journal knows, newest first.</summary>
    public IReadOnlyList<SiteOperationView> List() => [.. Ops.Values.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id, StringComparer.Ordinal).Select(View)];

    private ImmutableDictionary<string, SiteOperationRecord> Ops => Volatile.Read(ref _ops);

    /// <summary>How long an operation waits for its approvals: as long as the least patient of its services lets a request wait (<c>failover.approval_timeout</c>).</summary>
    public TimeSpan ApprovalWindow(SitePlan plan) =>
        plan.Moves.Select(m => controller.Service(m.Service)?.Spec.Failover.ApprovalWindow ?? FailoverDefaults.ApprovalTimeout).DefaultIfEmpty(FailoverDefaults.ApprovalTimeout).Min();

    /// <summary>Folds what the journal has, then every site event stored after (this instance's and, in a cluster, the leader's).</summary>
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var stored = feed.Subscribe();
        try
        {
            await CatchUpAsync(ct);
            _loaded.TrySetResult();
            await foreach (JournalEvent e in stored.ReadAllAsync(ct))
                if (e is ISiteEvent) Fold(e);
        }
        // A host that failed to start (a port taken) stops its services without its own stop: the end is not a fault to log.
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>Folds every site event the journal has now (each once: the feed brings some of them too).</summary>
    private async Task CatchUpAsync(CancellationToken ct)
    {
        foreach (JournalEvent e in await journal.ReadAsync(new JournalQuery(TypePrefix: SiteOperationLog.EventPrefix), ct)) Fold(e);
    }

    /// <summary>Folds one stored event once (it comes back through the feed after this instance noted it).</summary>
    private JournalEvent Fold(JournalEvent e)
    {
        lock (_fold)
            if (e.Id == 0 || _folded.Add(e.Id)) _ops = SiteOperationLog.Evolve(_ops, e);
        return e;
    }

    /// <summary>
    /// This instance decides from now on (a single controller once its loops run, a cluster member once its loops lead):
    /// operations the journal shows under way are resumed, and those awaiting approval expire on time.
    /// </summary>
    public void Lead(string why)
    {
        var term = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        CancellationToken token = term.Token;
        CancellationTokenSource? before;
        lock (_leading) (before, _term) = (_term, term);
        Stop(before);
        _ = Task.Run(() => TakeOverAsync(why, token), token);
    }

    /// <summary>Another instance decides: what runs here stops where it is, and that one resumes it from the log.</summary>
    public void Follow()
    {
        CancellationTokenSource? before;
        lock (_leading) (before, _term) = (_term, null);
        Stop(before);
    }

    private static void Stop(CancellationTokenSource? term)
    {
        term?.Cancel();
        term?.Dispose();
    }

    private CancellationToken? Term
    {
        get { lock (_leading) return _term?.Token; }
    }

    private async Task TakeOverAsync(string why, CancellationToken ct)
    {
        try
        {
            await _loaded.Task.WaitAsync(ct);
            // A new leader has just mirrored the log up to its term; the feed may not have brought all of it here yet.
            await CatchUpAsync(ct);
            foreach (SiteOperationRecord op in Ops.Values.OrderBy(o => o.CreatedAt))
            {
                // A site no longer configured: the journal keeps its record; nothing can carry it on.
                if (spec.Site(op.Site) is null) continue;
                if (op.State == AwaitingApproval && !op.IsApproved) ExpireOnTime(op.Id, ct);
                else if (op.IsResumable) Launch(op.Id, why);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>Runs the operation here while this instance decides; <paramref name="resumedWhy"/> set when it takes over one already approved.</summary>
    private void Launch(string id, string? resumedWhy)
    {
        // Not deciding (yet): the instance that decides takes it over from the journal.
        if (Term is not { } ct || !_running.TryAdd(id, 0)) return;
        _ = Task.Run(async () =>
        {
            try { await RunAsync(Ops[id], resumedWhy, ct); }
            // Stopping, or no longer leading: the journal says where it stopped, and whoever decides next resumes it.
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
            catch (Exception e) { Log.Stopped(logger, id, e.Message); }
            finally { _running.TryRemove(id, out _); }
        }, ct);
    }

    private async Task RunAsync(SiteOperationRecord record, string? resumedWhy, CancellationToken ct)
    {
        SiteSpec site = spec.Site(record.Site)!;
        var op = new Operation(record.Id, site, record.Reason, record.RequestedBy, record.ApprovedBy);
        var moved = record.ToRollBack.ToList();
        if (resumedWhy is not null)
        {
            await ResumedAsync(record, resumedWhy, ct);
            await UntilHealthKnownAsync(site, ct);
        }
        if (record.State == RollingBack)
        {
            // A switchback handed in before the stop ends in its service first (bounded), then the rollback goes on from the state it left.
            DateTimeOffset deadline = time.GetUtcNow() + PerService;
            while (moved.Any(m => controller.Service(m.Service)?.Loop.State.Request is not null) && time.GetUtcNow() < deadline) await Task.Delay(Poll, time, ct);
            await RollBackAsync(op, record.Steps.FirstOrDefault(s => s.Status == "failed")?.Service ?? "an earlier step", moved, ct);
            return;
        }
        // The request handed in before the stop, still open in its service (or completed meanwhile), is waited for, not asked again.
        // One that ended otherwise (a switchover abandoned at the restart) is planned again below, like any service still in the site.
        if (resumedWhy is not null && record.InFlight is { Request: { } started, Kind: { } kind, From: { } from, To: { } to } inFlight
            && await GoesOnAsync(inFlight.Service, started, ct))
        {
            SiteStep step = new(inFlight.Service, from, Enum.Parse<RequestKind>(kind, ignoreCase: true), to, inFlight.Detail);
            if (!await MovedAsync(op, step, started, moved, ct, resumed: true)) return;
        }
        // Checked again: the world may have changed while people approved (services moved before a restart are off the site now).
        SitePlan plan = Plan(site);
        if (plan.Refused is { } refused)
        {
            await FailAsync(op, plan.Steps.FirstOrDefault(s => !s.Moves && s.Kind is not null)?.Service ?? site.Services[0], $"not started: {refused}", moved, ct);
            return;
        }
        foreach (SiteStep step in plan.Moves)
        {
            string request = NewRequestId();
            await NoteAsync(step.Service, new SiteStarted(op.Id, site.Name, request, step.Kind!.Value.Text(), step.From, step.To!)
            {
                Member = step.To, Actor = op.RequestedBy,
                Reason = $"site failover {op.Id} of {site.Name}: {step.Service} moves by {step.Kind.Value.Text()} from {step.From} to {step.To} (request {request})",
            }, ct);
            if (!await MovedAsync(op, step, request, moved, ct)) return;
        }
        string detail = $"every service of {site.Name} is off the site: "
                      + string.Join(", ", site.Services.Select(s => moved.FirstOrDefault(m => m.Service == s) is { } m ? $"{s} on {m.To}" : $"{s} skipped"));
        foreach (string service in Involved(Ops[op.Id]))
            await NoteAsync(service, new SiteCompleted(op.Id, site.Name) { Actor = op.RequestedBy, Reason = $"site failover {op.Id} of {site.Name} completed: {detail}" }, ct);
    }

    /// <summary>Carries one service's move through and journals it; false when the operation stopped there (and rolled back).</summary>
    private async Task<bool> MovedAsync(Operation op, SiteStep step, string request, List<SiteMove> moved, CancellationToken ct, bool resumed = false)
    {
        string verified = "";
        string? whyNot = await ChangeAsync(op, step.Service, request, step.Kind!.Value, step.To!, $"site failover {op.Id} of {op.Site.Name}: {op.Reason}", ct, resumed,
            passed => verified = $"; {passed}");
        if (whyNot is not null)
        {
            // Moved but not verified (its probe failed): it goes back with the others rather than stay where clients fail.
            if (controller.Service(step.Service)!.Loop.State.Primary != step.From) moved.Add(new SiteMove(step.Service, request, step.From, step.To!));
            await FailAsync(op, step.Service, whyNot, moved, ct);
            return false;
        }
        await NoteAsync(step.Service, new SiteServiceMoved(op.Id, op.Site.Name, request, step.From, step.To!)
        {
            Member = step.To, Actor = op.RequestedBy,
            Reason = $"site failover {op.Id} of {op.Site.Name}: {step.Service} moved from {step.From} to {step.To}, verified routable and up{verified}",
        }, ct);
        moved.Add(new SiteMove(step.Service, request, step.From, step.To!));
        return true;
    }

    private async Task ResumedAsync(SiteOperationRecord op, string why, CancellationToken ct)
    {
        string state = op.State == RollingBack ? RollingBack : Executing;
        string done = op.Moved.Count == 0 ? "nothing moved yet" : $"moved so far: {string.Join(", ", op.Moved.Select(m => $"{m.Service} to {m.To}"))}";
        string next = op.State == RollingBack ? $"; goes on rolling back {string.Join(", ", op.ToRollBack.Select(m => m.Service).Reverse())}"
                    : op.InFlight is { } s ? $"; waits for {s.Service}'s request {s.Request} instead of asking again" : "";
        foreach (string service in Involved(op))
            await NoteAsync(service, new SiteResumed(op.Id, op.Site, spec.Controller.Name, state)
            {
                Reason = $"{spec.Controller.Name} (pid {Environment.ProcessId}) resumed site failover {op.Id} of {op.Site} {why}: {done}{next}",
            }, ct);
    }

    /// <summary>After a restart every member's health is unknown until its checks count: the plan waits for them (bounded) rather than read unknown as down.</summary>
    private async Task UntilHealthKnownAsync(SiteSpec site, CancellationToken ct)
    {
        DateTimeOffset deadline = time.GetUtcNow() + PerService;
        while (time.GetUtcNow() < deadline
               && site.Services.Select(controller.Service).Any(r => r is not null && r.Loop.State.Members.Values.Any(m => m.Health == Health.Unknown)))
            await Task.Delay(Poll, time, ct);
    }

    /// <summary>The services an operation-wide event is journaled through: every one the operation planned or touched.</summary>
    private static IEnumerable<string> Involved(SiteOperationRecord op) => op.Steps.Select(s => s.Service);


    private async Task NoteAsync(string service, IInformational record, CancellationToken ct) => Fold(await controller.NoteAsync(service, record, ct));

    private SiteOperationView View(SiteOperationRecord op)
    {
        // Approved and launched here, before its first service's start is journaled.
        string state = op.State == AwaitingApproval && _running.ContainsKey(op.Id) ? Executing : op.State;
        ImmutableArray<string> order = spec.Site(op.Site)?.Services ?? [];
        return new SiteOperationView(op.Id, op.Site, state, op.Reason, op.RequestedBy, op.CreatedAt, op.ApprovalsNeeded, op.ApprovedBy,
            [.. op.Steps.OrderBy(s => order.IndexOf(s.Service) is var i and >= 0 ? i : int.MaxValue)
                .Select(s => new SiteStepView(s.Service, s.From ?? "", s.Kind, s.To, s.Request, s.Status, s.Detail))],
            op.Detail, op.ExpiresAt);
    }

    /// <summary>What a running operation needs of its record: who asked, why, and whose approvals each service's request gets.</summary>
    private sealed record Operation(string Id, SiteSpec Site, string Reason, string RequestedBy, IReadOnlyList<string> ApprovedBy);

    public override void Dispose()
    {
        Follow();
        _decide.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1500, Level = LogLevel.Warning, Message = "site operation {Id} stopped: {Why} (the journal records where; it resumes when this controller restarts or another instance leads)")]
        public static partial void Stopped(ILogger logger, string id, string why);

        [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "site operation {Id} could not be journaled expired: {Why} (tried again when this controller restarts or another instance leads)")]
        public static partial void ExpiryFailed(ILogger logger, string id, string why);
    }
}
