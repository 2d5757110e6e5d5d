using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Understudy.Alerts;
using Understudy.Config;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Failover;
using Understudy.Journal;
using Understudy.Core.Cluster;
using Understudy.Traffic;

namespace Understudy.Hosting;

/// <summary>What a reload did: applied (with what changed) or refused (with every reason); nothing is half-applied.</summary>
public sealed record ReloadOutcome(bool Applied, string Digest, string Summary, ImmutableArray<string> Errors);

/// <summary>
/// Reads the config file again and applies it to the running controller (<c>understudy reload</c>, SIGHUP,
/// <c>POST /api/reload</c>). Everything that can refuse runs first — the file's validation, what only a restart can
/// change, what the journal would refuse at the next start, binding new listeners, and holding each loop to change
/// or remove (in the loop itself, so no change can start in between) — so a refused reload changes nothing. Then
/// removed services end, changed ones go on in the same loop and proxy under the new config with new checks and
/// executor, added ones start from their journal, and tokens and alert channels switch. Unchanged services are not touched.
/// </summary>
public sealed partial class ConfigReloader(LiveConfig live, Controller controller, IJournal journal, ProxyListeners listeners, Notifier notifier,
    IServiceProvider services, ILogger<ConfigReloader> logger)
{
    /// <summary>The applied reload's journal entry is written even if the controller begins to stop meanwhile, within this.</summary>
    private static readonly TimeSpan JournalTimeout = TimeSpan.FromSeconds(30);

    public async Task<ReloadOutcome> ReloadAsync(string by, CancellationToken ct)
    {
        if (live.Path is not { } path) return await RefuseAsync("", by, ["this controller was not started from a config file, so there is nothing to read again"]);
        try
        {
            if (!await controller.BeginChangeAsync(ct)) return new ReloadOutcome(false, "", "refused", ["the controller is starting or stopping; reload once it runs"]);
        }
        catch (OperationCanceledException)
        {
            return new ReloadOutcome(false, "", "refused", ["the controller is stopping"]);
        }
        var plan = new Plan();
        try
        {
            return await ReloadAsync(path, by, plan, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return new ReloadOutcome(false, plan.Digest, "refused", ["the controller is stopping"]);
        }
        finally
        {
            await plan.UndoAsync();
            controller.EndChange();
        }
    }

    /// <summary>What a reload holds until it commits: the loops it held, the listeners it bound, the runtimes it built; undone unless committed.</summary>
    private sealed class Plan
    {
        public string Digest = "";
        public readonly List<ServiceRuntime> Held = [];
        public readonly Dictionary<string, ProxyListener> Bound = [];
        public readonly List<ServiceRuntime> Added = [];
        public bool Committed;

        public async Task UndoAsync()
        {
            if (Committed) return;
            foreach (ServiceRuntime r in Held) await r.Loop.ReleaseAsync(null, null);
            foreach (ProxyListener l in Bound.Values) await l.DisposeAsync();
            foreach (ServiceRuntime r in Added) r.Dispose();
        }
    }

    private async Task<ReloadOutcome> ReloadAsync(string path, string by, Plan plan, CancellationToken ct)
    {
        (string? text, plan.Digest, string? unreadable) = Read(path);
        ConfigResult loaded = text is null ? new ConfigResult(null, []) : ConfigLoader.Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
        if (loaded.Spec is not { } next) return await RefuseAsync(plan.Digest, by, unreadable is null ? [.. loaded.Errors.Select(e => e.ToString())] : [unreadable]);
        UnderstudySpec running = live.Current;
        if (running.Controller.Coordination is not null || services.GetService<RuntimeFactory>() is not { } factory)
            return await RefuseAsync(plan.Digest, by, ["reload applies to a single controller; in a cluster, restart the instances one at a time (each checks its config against the leader's)"]);
        ConfigDiff diff = ConfigDiff.Of(running, next);
        if (!diff.NotLive.IsEmpty) return await RefuseAsync(plan.Digest, by, diff.NotLive);

        // What the next start would refuse is refused now: a journal naming a member this file no longer has.
        var errors = new List<string>();
        foreach (ServiceSpec spec in diff.Changed.Concat(diff.Added))
        {
            ServiceState rebuilt = ServiceFold.Rebuild(spec, await journal.ReadAsync(new JournalQuery(spec.Name), ct), out string? error);
            if (error is not null) errors.Add($"services.{spec.Name}: {error}");
            else if (diff.Added.Contains(spec)) plan.Added.Add(factory.Create(rebuilt));
        }
        if (errors.Count > 0) return await RefuseAsync(plan.Digest, by, errors);

        // New listeners are bound, not yet accepting: a port taken refuses the reload before anything changed.
        try
        {
            foreach (ServiceRuntime r in plan.Added.Where(r => r.Proxy is not null)) plan.Bound[r.Spec.Name] = listeners.Bind(r.Spec.Name, r.Proxy!, r.Spec.Proxy!.Listen);
            foreach (string name in diff.Moved) plan.Bound[name] = listeners.Bind(name, controller.Service(name)!.Proxy!, next.Service(name)!.Proxy!.Listen);
        }
        catch (StartupException e)
        {
            return await RefuseAsync(plan.Digest, by, [e.Message]);
        }

        // Each loop to change or remove is held by itself, between two inputs: only then is "nothing under way" still true when it changes.
        foreach ((string name, ServiceSpec? spec) in diff.Removed.Select(n => (n, (ServiceSpec?)null)).Concat(diff.Changed.Select(s => (s.Name, (ServiceSpec?)s))))
        {
            ServiceRuntime r = controller.Service(name)!;
            if (await r.Loop.HoldAsync(spec) is { } refusal) errors.Add($"services.{name}: {refusal}");
            else plan.Held.Add(r);
        }
        if (errors.Count > 0) return await RefuseAsync(plan.Digest, by, errors);

        plan.Committed = true;
        await ApplyAsync(diff, plan);
        live.Replace(next);
        if (diff.AlertsChanged) notifier.Apply(next);
        string summary = diff.Summary();
        using var journalTimeout = new CancellationTokenSource(JournalTimeout);
        await controller.NoteAsync("", new ConfigReloaded(plan.Digest, [.. diff.Added.Select(s => s.Name)], diff.Removed, [.. diff.Changed.Select(s => s.Name)])
        {
            Actor = by,
            Reason = $"{path} (sha256 {plan.Digest[..12]}) reloaded by {by}: {summary}",
        }, journalTimeout.Token);
        Log.Reloaded(logger, path, summary);
        return new ReloadOutcome(true, plan.Digest, summary, []);
    }

    private async Task ApplyAsync(ConfigDiff diff, Plan plan)
    {
        foreach (string name in diff.Removed)
        {
            ServiceRuntime old = plan.Held.Single(r => r.Spec.Name == name);
            await listeners.CloseAsync(name);
            // Nothing watches its members any more: no connection may outlive that (a late one finds the route closed).
            old.Routes?.SetGate(RouteGate.Closed);
            if (old.Proxy is { } proxy) await proxy.CloseAllAsync();
            await controller.RemoveAsync(old);
            old.Dispose();
        }
        foreach (ServiceSpec spec in diff.Changed)
        {
            ServiceRuntime r = plan.Held.Single(h => h.Spec.Name == spec.Name);
            // Held since its check, nothing has changed its state: the loop takes the new config as it agreed to.
            if (await r.ReconfigureAsync(spec) is { } refusal) Log.KeptOld(logger, spec.Name, refusal);
            if (plan.Bound.Remove(spec.Name, out ProxyListener? moved)) await listeners.AdoptAsync(spec.Name, moved);
        }
        foreach (ServiceRuntime r in plan.Added)
        {
            // A change the journal shows under way is resumed as a start would resume it.
            controller.Add(r, ServiceFold.Busy(r.Loop.State) is null ? null : new StateRebuilt(Controller.Version, Environment.ProcessId));
            if (plan.Bound.Remove(r.Spec.Name, out ProxyListener? listener)) await listeners.AdoptAsync(r.Spec.Name, listener);
        }
    }

    private async Task<ReloadOutcome> RefuseAsync(string digest, string by, IReadOnlyList<string> errors)
    {
        string why = string.Join("; ", errors);
        Log.Refused(logger, why);
        using var journalTimeout = new CancellationTokenSource(JournalTimeout);
        await controller.NoteAsync("", new ConfigReloadRefused(digest) { Actor = by, Reason = $"reload refused, nothing changed: {why}" }, journalTimeout.Token);
        return new ReloadOutcome(false, digest, "refused, nothing changed", [.. errors]);
    }

    /// <summary>The file's text and SHA-256 (as sha256sum prints it) from one read, so the digest journaled is of what was applied.</summary>
    private static (string? Text, string Digest, string? Unreadable) Read(string path)
    {
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            return (new UTF8Encoding(false, true).GetString(bytes), Convert.ToHexStringLower(SHA256.HashData(bytes)), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            return (null, "", $"{path}: cannot read it: {e.Message}");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 150, Level = LogLevel.Information, Message = "config {Path} reloaded: {Summary}")]
        public static partial void Reloaded(ILogger logger, string path, string summary);

        [LoggerMessage(EventId = 151, Level = LogLevel.Warning, Message = "reload refused, nothing changed: {Why}")]
        public static partial void Refused(ILogger logger, string why);

        [LoggerMessage(EventId = 152, Level = LogLevel.Error, Message = "{Service}: kept its running config although its loop agreed to the new one, please report: {Why}")]
        public static partial void KeptOld(ILogger logger, string service, string why);
    }
}
