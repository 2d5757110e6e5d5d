using System.Collections.Immutable;

namespace Understudy.Core.Journal;

/// <summary>The other standbys were pointed at the new primary (or not all of them: <paramref name="Succeeded"/> false).</summary>
public sealed record StandbysRepointed(ImmutableArray<string> Standbys, bool Succeeded) : JournalEvent, IInformational;

/// <summary>Synchronous mode: synchronous_standby_names on the event's member now names <paramref name="Standbys"/> (empty: cleared, or any standby when strict).</summary>
public sealed record SyncStandbysChanged(ImmutableArray<string> Standbys) : JournalEvent;

/// <summary>Writing synchronous_standby_names failed: what it holds is unknown, and the next attempt waits until <paramref name="RetryAfter"/>.</summary>
public sealed record SyncStandbysFailed(DateTimeOffset RetryAfter) : JournalEvent;

/// <summary>
/// Synchronous mode: the standby synchronous_standby_names names was seen synchronous and has received the WAL up to
/// <paramref name="Lsn"/>, the primary's position once the setting was in force, so it holds every acknowledged
/// commit: from now on it alone may be promoted automatically, until the setting names another or none.
/// </summary>
public sealed record SyncStandbyCaughtUp(string Standby, long Lsn) : JournalEvent;

/// <summary>
/// The config and the servers disagree. With <paramref name="Primary"/>, a new journal follows the writable
/// server it names; without, nothing is routed.
/// </summary>
public sealed record ConfigMismatch(string? Primary = null) : JournalEvent;
