using System.Collections.Immutable;
using Understudy.Core.Topology;

namespace Understudy.Config;

/// <summary>
/// What a reload would change between the running config and a new one, and what of it only a restart can apply
/// (<see cref="NotLive"/>, each a key and why). Services compare as a whole: a service whose text differs in any key
/// is <see cref="Changed"/> and is reconfigured; one that does not is left alone, connections and all.
/// </summary>
/// <param name="Moved">Changed services whose proxy listens elsewhere now: only that listener is handed over.</param>
public sealed record ConfigDiff(
    ImmutableArray<ServiceSpec> Added,
    ImmutableArray<string> Removed,
    ImmutableArray<ServiceSpec> Changed,
    ImmutableArray<string> Moved,
    bool TokensChanged,
    bool AlertsChanged,
    ImmutableArray<string> NotLive)
{
    public bool ChangesNothing => Added.IsEmpty && Removed.IsEmpty && Changed.IsEmpty && !TokensChanged && !AlertsChanged;

    public static ConfigDiff Of(UnderstudySpec running, UnderstudySpec next)
    {
        var notLive = new List<string>();
        ControllerSpec a = running.Controller, b = next.Controller;
        Compare(notLive, "controller.api", a.Api, b.Api);
        Compare(notLive, "controller.journal", a.Journal, b.Journal);
        Compare(notLive, "controller.name", a.Name, b.Name);
        Compare(notLive, "controller.drills_dir", a.DrillsDir, b.DrillsDir);
        Compare(notLive, "controller.coordination", a.Coordination, b.Coordination);
        Compare(notLive, "controller.tls", a.Tls, b.Tls);
        Compare(notLive, "controller.allow_insecure_http", a.AllowInsecureHttp, b.AllowInsecureHttp);
        // The API's guards and the dashboard are set up for one or the other when the controller starts.
        if (a.AuthTokens.IsEmpty != b.AuthTokens.IsEmpty)
            notLive.Add($"controller.auth.tokens: turning token authentication {(b.AuthTokens.IsEmpty ? "off" : "on")} needs a restart");
        Compare(notLive, "sites", running.SiteList, next.SiteList);
        Compare(notLive, "drills", running.DrillSchedules, next.DrillSchedules);

        var added = next.Services.Where(s => running.Service(s.Name) is null).ToImmutableArray();
        var removed = running.Services.Where(s => next.Service(s.Name) is null).Select(s => s.Name).ToImmutableArray();
        var changed = next.Services.Where(s => running.Service(s.Name) is { } old && Text(old) != Text(s)).ToImmutableArray();
        foreach (ServiceSpec s in added.Where(s => s.Sentinel is not null))
            notLive.Add($"services.{s.Name}.traffic.sentinel: a service with a Sentinel listener is added by a restart");
        foreach (ServiceSpec s in running.Services.Where(s => removed.Contains(s.Name) && s.Sentinel is not null))
            notLive.Add($"services.{s.Name}.traffic.sentinel: a service with a Sentinel listener is removed by a restart");
        foreach (ServiceSpec s in changed)
        {
            ServiceSpec old = running.Service(s.Name)!;
            if (old.Kind != s.Kind) notLive.Add($"services.{s.Name}.kind: {Lower(old.Kind)} → {Lower(s.Kind)} needs a restart (or a new name)");
            if (old.Sentinel is not null || s.Sentinel is not null) notLive.Add($"services.{s.Name}: a service with a Sentinel listener is changed by a restart");
            if ((old.Proxy is null) != (s.Proxy is null))
                notLive.Add($"services.{s.Name}.traffic.proxy: {(s.Proxy is null ? "removing" : "adding")} the proxy of a running service needs a restart");
        }
        var moved = changed.Where(s => running.Service(s.Name)!.Proxy is { } p && s.Proxy is { } q && p.Listen != q.Listen).Select(s => s.Name).ToImmutableArray();

        bool tokens = Text(a.AuthTokens) != Text(b.AuthTokens);
        bool alerts = Text(running.AlertChannels) != Text(next.AlertChannels)
                      || next.Services.Any(s => Text(running.Service(s.Name)?.AlertChannels ?? []) != Text(s.AlertChannels))
                      || running.Services.Any(s => next.Service(s.Name) is null && !s.AlertChannels.IsEmpty);
        return new ConfigDiff(added, removed, changed, moved, tokens, alerts, [.. notLive]);
    }

    /// <summary>One line for the journal and the answer: what the reload changed.</summary>
    public string Summary()
    {
        var parts = new List<string>();
        if (!Added.IsEmpty) parts.Add($"added {string.Join(", ", Added.Select(s => s.Name))}");
        if (!Removed.IsEmpty) parts.Add($"removed {string.Join(", ", Removed)}");
        if (!Changed.IsEmpty) parts.Add($"changed {string.Join(", ", Changed.Select(s => s.Name))}");
        if (!Moved.IsEmpty) parts.Add($"listener moved for {string.Join(", ", Moved)}");
        if (TokensChanged) parts.Add("API tokens changed");
        if (AlertsChanged) parts.Add("alert channels changed");
        return parts.Count == 0 ? "nothing changed" : string.Join("; ", parts);
    }

    private static string Text<T>(T value) => SpecText.Of(value);

    private static void Compare<T>(List<string> notLive, string key, T running, T next)
    {
        if (Text(running) != Text(next)) notLive.Add($"{key}: changed; a restart applies it");
    }

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
