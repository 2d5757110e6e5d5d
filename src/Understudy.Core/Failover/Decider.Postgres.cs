using System.Collections.Immutable;
using Understudy.Core.Detection;
using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>PostgreSQL: roles are read from the servers; the config's primary is only a hint.</summary>
public static partial class Decider
{
    /// <summary>
    /// Keeps the server's observation and reads the primary's role: a primary found in recovery (demoted
    /// behind our back) counts as a failed check, so fall applies as for any failure.
    /// </summary>
    private static CheckResult ObservePostgres(Outcome o, CheckResult check)
    {
        if (!o.State.IsPostgres || !check.Ok || check.Pg is not { } pg) return check;
        ServiceState s = o.State;
        MemberState member = s.Members[check.Member];
        // Lag is measured against the primary's last known write position, which a read-only answer must not erase.
        if (check.Member == s.Primary && pg.CurrentLsn is null && member.Pg?.CurrentLsn is { } lastWritten)
            pg = pg with { CurrentLsn = lastWritten };
        o.State = s.WithMember(member with { Pg = pg });
        return pg.InRecovery && check.Member == s.Primary && s.RolesConfirmed && s.Failover is null
            ? check with { Ok = false, Detail = "the primary is in recovery (read-only)" }
            : check;
    }

    /// <summary>Confirms or discovers the writable server, and raises once per epoch when a second one accepts writes.</summary>
    private static void EvaluateRoles(Outcome o, string memberName)
    {
        ServiceState s = o.State;
        MemberState member = s.Members[memberName];
        if (!s.IsPostgres || member.Pg is not { } pg || member.Health != Health.Up) return;

        if (!s.RolesConfirmed && s.Failover is null)
        {
            bool fresh = s.Epoch == ServiceState.FirstEpoch && s.LastFailoverAt is null && !s.Members.Values.Any(m => m.NeedsRejoin);
            if (!pg.InRecovery && memberName == s.Primary)
            {
                o.State = s with { RolesConfirmed = true, Routable = s.Primary };
                o.Event(EventTypes.MemberRole, memberName, $"{memberName} is the writable primary; traffic may go to it (epoch {s.Epoch})");
            }
            else if (!pg.InRecovery && fresh)
            {
                o.State = s with { RolesConfirmed = true, Primary = memberName, Routable = memberName };
                o.Event(EventTypes.ConfigMismatch, memberName, $"the config names {s.Primary} as primary but {memberName} is the writable server; following the servers",
                    ("primary", memberName));
            }
            else if (!pg.InRecovery)
            {
                RaiseOnce(o, $"writable:{memberName}:{s.Epoch}", EventTypes.MemberWritable, memberName,
                    $"{memberName} accepts writes but the journal's primary is {s.Primary} (epoch {s.Epoch}); nothing is routed until {s.Primary} is seen writable");
            }
            else if (memberName == s.Primary && fresh)
            {
                RaiseOnce(o, $"hint:{memberName}", EventTypes.ConfigMismatch, memberName,
                    $"the config names {memberName} as primary but it is a standby; waiting to see which server is writable");
            }
            return;
        }

        if (!pg.InRecovery && memberName != s.Primary)
        {
            string why = member.NeedsRejoin
                ? $"{memberName}, failed over from, accepts writes again: it is kept out of traffic; rejoin it as a standby"
                : $"{memberName} accepts writes while {s.Primary} is the primary (epoch {s.Epoch}): two writable servers; {memberName} is kept out of traffic";
            RaiseOnce(o, $"writable:{memberName}:{s.Epoch}", EventTypes.MemberWritable, memberName, why);
        }
    }

    /// <summary>
    /// Synchronous mode: synchronous_standby_names names the healthy standbys. With none left it is cleared
    /// so writes go on (non-strict, as Patroni's synchronous_mode) or names any standby so commits wait
    /// (strict); either way an alert goes out.
    /// </summary>
    private static void ManageSynchronousStandbys(Outcome o)
    {
        ServiceState s = o.State;
        if (!s.IsPostgres || !s.Spec.Failover.Synchronous || !s.RolesConfirmed || s.Failover is not null || s.Routable is null) return;
        if (s.PrimaryMember.Health != Health.Up) return;
        ImmutableArray<string> wanted = DesiredSyncStandbys(s, s.Primary);
        if (s.SyncStandbys is { } current && current.SequenceEqual(wanted)) return;
        SetSync(o, s.Primary, wanted);
    }

    private static ImmutableArray<string> DesiredSyncStandbys(ServiceState s, string primary) =>
        [.. s.Spec.Members.Select(m => s.Members[m.Name])
            .Where(m => m.Name != primary && !m.NeedsRejoin && m.Health == Health.Up && m.Pg is { InRecovery: true })
            .Select(m => m.Name)];

    private static void SetSync(Outcome o, string primary, ImmutableArray<string> standbys)
    {
        bool strict = o.State.Spec.Failover.SynchronousStrict;
        o.State = o.State with { SyncStandbys = standbys };
        o.Do(new SetSynchronousStandbys(primary, standbys, strict, o.State.Epoch));
        if (standbys.IsEmpty)
        {
            string why = strict
                ? $"no healthy standby for {primary}: synchronous_standby_names names any standby, so writes wait until one is back (synchronous_strict)"
                : $"no healthy standby for {primary}: synchronous_standby_names cleared, so writes go on without a synchronous copy";
            o.Event(EventTypes.SyncStandbysChanged, primary, why);
            o.Alert("critical", $"{o.State.Name}: {why}", primary);
        }
        else
        {
            o.Event(EventTypes.SyncStandbysChanged, primary, $"synchronous_standby_names on {primary} names {string.Join(", ", standbys)}");
        }
    }

    private static void RaiseOnce(Outcome o, string key, string type, string member, string reason)
    {
        if (o.State.Raised.Contains(key)) return;
        o.State = o.State with { Raised = o.State.Raised.Add(key) };
        o.Event(type, member, reason);
        o.Alert("critical", $"{o.State.Name}: {reason}", member);
    }

    /// <summary>After the switch: re-point the other standbys and reset the synchronous set, then hooks (always last, as the end marker).</summary>
    private static void PostgresAfterSwitch(Outcome o, FailoverProgress f)
    {
        ServiceState s = o.State;
        ImmutableArray<string> others = [.. s.Spec.Members.Select(m => m.Name).Where(n => n != f.To && n != f.From && !s.Members[n].NeedsRejoin)];
        if (!others.IsEmpty) o.Do(new RepointStandbys(f.To, others, f.Epoch));
        if (s.Spec.Failover.Synchronous) SetSync(o, f.To, DesiredSyncStandbys(s, f.To));
        o.Do(new RunHooks(HookTrigger.OnFailover, f.From, f.To, f.Epoch, f.HooksFinished));
    }
}
