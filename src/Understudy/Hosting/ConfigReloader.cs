using System.Collections.Immutable;
using System.Security.Cryptography;
using Understudy.Alerts;
using Understudy.Config;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Failover;
using Understudy.Journal;
using Understudy.Traffic;

namespace Understudy.Hosting;

/// <summary>What a reload did: applied (with what changed) or refused (with every reason); nothing is half-applied.</summary>
public sealed record ReloadOutcome(bool Applied, string Digest, string Summary, ImmutableArray<string> Errors);

/// <summary>
/// Reads the config file again and applies it to the running controller (<c>understudy reload</c>, SIGHUP,
/// <c>POST /api/reload</c>). Everything that can refuse runs first — the file's validation, what only a restart
/// can change, services in the middle of a change, binding new listeners — so a refused reload changes nothing.
/// Then removed services stop, changed ones get new checks, loop and executor over their kept proxy, added ones
/// start from their journal, tokens and alert channels switch; services that did not change are not touched.
/// </summary>
public sealed partial class ConfigReloader(LiveConfig live, Controller controller, IJournal journal, ProxyListeners listeners, Notifier notifier,
    IServiceProvider services, ILogger<ConfigReloader> logger)
{
    /// <summary>Bound for the steps a retired loop still had under way (the service was not mid-change, so they are short).</summary>
    private static readonly TimeSpan RetireTimeout = TimeSpan.FromSeconds(10);

    public async Task<ReloadOutcome> ReloadAsync(string by, CancellationToken ct)
    {
        if (live.Path is not { } path) return await RefuseAsync("", by, ["this controller was not started from a config file, so there is nothing to read again"], ct);
        if (!await controller.BeginChangeAsync(ct)) return new ReloadOutcome(false, "", "refused", ["the controller is starting or stopping; reload once it runs"]);
        try
        {
            string digest = Digest(path);
            ConfigResult loaded = ConfigLoader.Load(path);
            if (loaded.Spec is not { } next) return await RefuseAsync(digest, by, [.. loaded.Errors.Select(e => e.ToString())], ct);
            UnderstudySpec running = live.Current;
            if (running.Controller.Coordination is not null || services.GetService<RuntimeFactory>() is not { } factory)
                return await RefuseAsync(digest, by, ["reload applies to a single controller; in a cluster, restart the instances one at a time (each checks its config against the leader's)"], ct);
            ConfigDiff diff = ConfigDiff.Of(running, next);
            if (!diff.NotLive.IsEmpty) return await RefuseAsync(digest, by, diff.NotLive, ct);

            // What can refuse, checked on the states as they are; the changed services are checked again once their loops stopped.
            var errors = new List<string>();
            foreach (string name in diff.Removed)
                if (ServiceFold.Busy(controller.Service(name)!.Loop.State) is { } busy) errors.Add($"services.{name}: {busy}");
            foreach (ServiceSpec spec in diff.Changed)
                if (ServiceFold.Reconfigure(controller.Service(spec.Name)!.Loop.State, spec, out string? refusal) is null) errors.Add($"services.{spec.Name}: {refusal}");
            var added = new List<ServiceRuntime>();
            foreach (ServiceSpec spec in diff.Added)
            {
                IReadOnlyList<JournalEvent> history = await journal.ReadAsync(new JournalQuery(spec.Name), ct);
                ServiceState state = ServiceFold.Rebuild(spec, history, out string? error);
                if (error is null) added.Add(factory.Create(state));
                else errors.Add($"services.{spec.Name}: {error}");
            }
            if (errors.Count > 0)
            {
                foreach (ServiceRuntime r in added) r.Dispose();
                return await RefuseAsync(digest, by, errors, ct);
            }

            // The last step that can fail, a port taken: new listeners are bound before anything changes.
            var bound = new Dictionary<string, ProxyListener>();
            try
            {
                foreach (ServiceRuntime r in added.Where(r => r.Proxy is not null)) bound[r.Spec.Name] = listeners.Bind(r.Spec.Name, r.Proxy!, r.Spec.Proxy!.Listen);
                foreach (string name in diff.Moved) bound[name] = listeners.Bind(name, controller.Service(name)!.Proxy!, next.Service(name)!.Proxy!.Listen);
            }
            catch (StartupException e)
            {
                foreach (ProxyListener l in bound.Values) await l.DisposeAsync();
                foreach (ServiceRuntime r in added) r.Dispose();
                return await RefuseAsync(digest, by, [e.Message], ct);
            }

            var kept = await ApplyAsync(diff, factory, added, bound);
            // A service that kept its running config is listed with it, so the next reload sees the difference again.
            next = next with { Services = [.. next.Services.Select(s => kept.FirstOrDefault(k => k.Running.Name == s.Name).Running ?? s)] };
            live.Replace(next);
            if (diff.AlertsChanged) notifier.Apply(next);
            string summary = string.Join("; ", [diff.Summary(), .. kept.Select(k => $"{k.Running.Name} kept its running config ({k.Why}); reload again")]);
            await controller.NoteAsync("", new ConfigReloaded(digest, [.. diff.Added.Select(s => s.Name)], diff.Removed, [.. diff.Changed.Select(s => s.Name)])
            {
                Actor = by,
                Reason = $"{path} (sha256 {digest[..12]}) reloaded by {by}: {summary}",
            }, ct);
            Log.Reloaded(logger, path, summary);
            return new ReloadOutcome(true, digest, summary, []);
        }
        finally { controller.EndChange(); }
    }

    /// <returns>The changed services that kept their running config after all, each with why.</returns>
    private async Task<List<(ServiceSpec Running, string Why)>> ApplyAsync(ConfigDiff diff, RuntimeFactory factory, List<ServiceRuntime> added, Dictionary<string, ProxyListener> bound)
    {
        var kept = new List<(ServiceSpec, string)>();
        foreach (string name in diff.Removed)
        {
            ServiceRuntime old = controller.Service(name)!;
            await controller.RetireAsync(old, RetireTimeout);
            controller.Forget(name);
            await listeners.CloseAsync(name);
            // No one watches its members any more: a connection left open could outlive a failure unfenced.
            old.Proxy?.CloseAll();
            old.Dispose();
        }
        foreach (ServiceSpec spec in diff.Changed)
        {
            ServiceRuntime old = controller.Service(spec.Name)!;
            await controller.RetireAsync(old, RetireTimeout);
            // Read once the loop has stopped: a check or a request decided after the plan was made is in it.
            ServiceState final = old.Loop.State;
            ServiceState state = ServiceFold.Reconfigure(final, spec, out string? refusal) ?? final;
            if (refusal is not null)
            {
                Log.KeptOld(logger, spec.Name, refusal);
                kept.Add((old.Spec, refusal));
            }
            // A change begun meanwhile is resumed by the new loop as a restart would resume it.
            Input? resume = ServiceFold.Busy(final) is null ? null : new StateRebuilt(Controller.Version, Environment.ProcessId);
            controller.Run(factory.Create(state, previous: old), resume);
            if (bound.Remove(spec.Name, out ProxyListener? moved))
            {
                if (refusal is null) await listeners.AdoptAsync(spec.Name, moved);
                else await moved.DisposeAsync();
            }
            old.Dispose();
        }
        foreach (ServiceRuntime r in added)
        {
            controller.Run(r, start: null);
            if (bound.Remove(r.Spec.Name, out ProxyListener? listener)) await listeners.AdoptAsync(r.Spec.Name, listener);
        }
        return kept;
    }

    private async Task<ReloadOutcome> RefuseAsync(string digest, string by, IReadOnlyList<string> errors, CancellationToken ct)
    {
        string why = string.Join("; ", errors);
        Log.Refused(logger, why);
        await controller.NoteAsync("", new ConfigReloadRefused(digest) { Actor = by, Reason = $"reload refused, nothing changed: {why}" }, ct);
        return new ReloadOutcome(false, digest, "refused, nothing changed", [.. errors]);
    }

    /// <summary>The file's SHA-256 as sha256sum prints it; empty when it cannot be read (the loader says why).</summary>
    private static string Digest(string path)
    {
        try { return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 150, Level = LogLevel.Information, Message = "config {Path} reloaded: {Summary}")]
        public static partial void Reloaded(ILogger logger, string path, string summary);

        [LoggerMessage(EventId = 151, Level = LogLevel.Warning, Message = "reload refused, nothing changed: {Why}")]
        public static partial void Refused(ILogger logger, string why);

        [LoggerMessage(EventId = 152, Level = LogLevel.Warning, Message = "{Service}: kept its running config, as its state changed while the reload stopped it: {Why}")]
        public static partial void KeptOld(ILogger logger, string service, string why);
    }
}
