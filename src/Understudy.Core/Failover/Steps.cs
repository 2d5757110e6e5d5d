using System.Collections.Immutable;
using Understudy.Core.Journal;
using Understudy.Core.Topology;

namespace Understudy.Core.Failover;

/// <summary>An action for the executor. Steps are imperatives and carry the epoch as a fencing token.</summary>
public abstract record Step(long Epoch);

/// <summary>Stop routing to <paramref name="Member"/>, close its open connections, and run the fence hooks (the failover waits for them).</summary>
/// <remarks><paramref name="NewPrimary"/> is what the fence hooks are told (<c>{{new_primary}}</c>); a <paramref name="Planned"/> fence (a switchover, after its drain) runs none.</remarks>
public sealed record FenceMember(string Member, string NewPrimary, long Epoch, bool Planned = false) : Step(Epoch);

/// <summary>Run a hook list after traffic moved, from <paramref name="FirstHook"/> on; each hook's outcome is journaled by the executor.</summary>
public sealed record RunHooks(HookTrigger Trigger, string OldPrimary, string NewPrimary, long Epoch, int FirstHook = 0) : Step(Epoch);

/// <summary>
/// End hooks a previous controller (or leader) started and never saw end, before anything runs again: each one's
/// process group gets SIGTERM, then SIGKILL after a grace, if its leader is still the process that was started.
/// </summary>
public sealed record EndStaleHooks(ImmutableArray<RunningHook> Hooks, long Epoch) : Step(Epoch)
{
    public bool Equals(EndStaleHooks? other) => other is not null && Epoch == other.Epoch && Hooks.SequenceEqual(other.Hooks);
    public override int GetHashCode() => HashCode.Combine(Epoch, Hooks.Length);
}

/// <summary>
/// Redis: make <paramref name="Member"/>, seen accepting writes while <paramref name="Primary"/> is the primary, a replica
/// of it (REPLICAOF); first count the bytes of writes it holds that the primary lacks (same history, by offset).
/// </summary>
public sealed record DemoteMember(string Member, string Primary, long Epoch) : Step(Epoch);

/// <summary>Promote the standby (PostgreSQL: pg_promote, wait; Redis: REPLICAOF NO ONE) and verify its new role. Idempotent: a server already writable counts as promoted.</summary>
public sealed record PromoteMember(string Member, long Epoch) : Step(Epoch);

/// <summary>Point these standbys at the new primary (PostgreSQL: primary_conninfo and reload; Redis: REPLICAOF).</summary>
public sealed record RepointStandbys(string NewPrimary, ImmutableArray<string> Standbys, long Epoch) : Step(Epoch)
{
    public bool Equals(RepointStandbys? other) => other is not null && NewPrimary == other.NewPrimary && Epoch == other.Epoch && Standbys.SequenceEqual(other.Standbys);
    public override int GetHashCode() => HashCode.Combine(NewPrimary, Epoch, Standbys.Length);
}

/// <summary>
/// PostgreSQL synchronous mode: set synchronous_standby_names on the primary to these standbys; empty
/// clears it (writes go on unprotected) unless <paramref name="Strict"/>, which names any standby so
/// commits wait until one is back.
/// </summary>
public sealed record SetSynchronousStandbys(string Primary, ImmutableArray<string> Standbys, bool Strict, long Epoch) : Step(Epoch)
{
    /// <summary>
    /// The number of the sync.changed that decided this write (<see cref="ServiceState.SyncChanges"/>): only the latest
    /// decided write's completion says the setting now holds what the state names. Not part of equality (what it does).
    /// </summary>
    public int Change { get; init; }

    public bool Equals(SetSynchronousStandbys? other) => other is not null && Primary == other.Primary && Strict == other.Strict && Epoch == other.Epoch && Standbys.SequenceEqual(other.Standbys);
    public override int GetHashCode() => HashCode.Combine(Primary, Strict, Epoch, Standbys.Length);
}

/// <summary>
/// Planned switchover: new connections are already held; give open connections to <paramref name="Member"/>
/// up to <paramref name="Timeout"/> to close by themselves, then close the rest.
/// </summary>
public sealed record DrainMember(string Member, TimeSpan Timeout, long Epoch) : Step(Epoch);

/// <summary>
/// PostgreSQL switchover: stop the old primary cleanly (<c>pg_ctl stop -m fast</c> on its data_dir) and report its shutdown
/// checkpoint (<c>pg_controldata</c>) as <see cref="StepCompleted.Lsn"/>. Idempotent: a server already shut down cleanly reports it again.
/// </summary>
public sealed record StopMember(string Member, long Epoch) : Step(Epoch);

/// <summary>PostgreSQL switchover: wait (bounded) until <paramref name="Member"/> has replayed past <paramref name="Lsn"/>.</summary>
public sealed record AwaitReplay(string Member, long Lsn, long Epoch) : Step(Epoch);

/// <summary>PostgreSQL switchover called off: start the old primary again (<c>pg_ctl start</c>). Idempotent: a running server counts as started.</summary>
public sealed record StartMember(string Member, long Epoch) : Step(Epoch);

/// <summary>
/// PostgreSQL switchover done: make the old primary a streaming standby of <paramref name="Primary"/> (standby.signal and
/// primary_conninfo, then start it; pg_rewind first if it did not stop cleanly). Idempotent: a standby already running is only re-pointed.
/// </summary>
public sealed record FollowPrimary(string Member, string Primary, long Epoch) : Step(Epoch);

/// <summary>
/// Switch traffic.haproxy, traffic.dns and traffic.hooks to <paramref name="To"/>, each within its own timeout, in that order.
/// Idempotent: a switch already pointing at <paramref name="To"/> is left as it is.
/// </summary>
public sealed record SwitchTraffic(string From, string To, long Epoch) : Step(Epoch);

/// <summary>
/// Ask the veto hooks whether a <paramref name="Kind"/> from <paramref name="From"/> to <paramref name="To"/> may start
/// (for <paramref name="Request"/>, or automatic when null). Succeeds only when every hook exits 0; the first that does not
/// (or cannot answer in time) refuses the change, and its output is the reason.
/// </summary>
public sealed record AskVeto(RequestKind Kind, string From, string To, long Epoch, string? Request) : Step(Epoch);

/// <summary>Run up to <paramref name="Checks"/> active checks back to back, stopping at the first success.</summary>
public sealed record ConfirmMember(string Member, int Checks, long Epoch) : Step(Epoch);

public enum HookTrigger { OnFailover, OnSwitchover, Fence, Veto }

public static class HookTriggerNames
{
    public static string ConfigKey(this HookTrigger trigger) => trigger switch
    {
        HookTrigger.OnFailover => "on_failover",
        HookTrigger.OnSwitchover => "on_switchover",
        HookTrigger.Fence => "fence",
        HookTrigger.Veto => "veto",
        _ => throw new ArgumentOutOfRangeException(nameof(trigger)),
    };

    public static IReadOnlyList<HookSpec> Of(this HooksSpec hooks, HookTrigger trigger) => trigger switch
    {
        HookTrigger.OnFailover => hooks.OnFailover,
        HookTrigger.OnSwitchover => hooks.OnSwitchover,
        HookTrigger.Fence => hooks.Fence,
        HookTrigger.Veto => hooks.VetoHooks,
        _ => throw new ArgumentOutOfRangeException(nameof(trigger)),
    };
}
