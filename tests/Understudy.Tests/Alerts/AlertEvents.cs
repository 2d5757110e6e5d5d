using System.Collections.Immutable;
using Understudy.Core.Alerts;
using Understudy.Core.Journal;

using Understudy.Tests.Testing;

namespace Understudy.Tests.Alerts;

/// <summary>Journal events and their notifications as the decider and the API write them.</summary>
internal static class AlertEvents
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    public static JournalEvent Event(string type, string? member = null, string reason = "why", long id = 7, string service = "web",
        string actor = Actors.Controller, params (string Key, object? Value)[] details)
    {
        var d = ImmutableDictionary.CreateBuilder<string, object?>();
        d["reason"] = reason;
        foreach (var (key, value) in details) d[key] = value;
        return Journaled.Make(T0, service, member, 2, type, actor, d.ToImmutable()) with { Id = id };
    }

    public static Notification Notify(string type, string? member = null, params (string Key, object? Value)[] details) =>
        NotificationRules.For(Event(type, member, details: details)) ?? throw new InvalidOperationException($"{type} is not notified");
}
