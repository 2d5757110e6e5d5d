using System.Collections.Immutable;
using Understudy.Core.Detection;
using Understudy.Core.Journal;
using Understudy.Core.Topology;

namespace Understudy.Core.Failover;

/// <summary>
/// PostgreSQL and Redis: roles are read from the servers (the config's primary is only a hint); PostgreSQL's synchronous
/// standby is kept named (<see cref="SynchronousRules"/>); a Redis server that accepts writes out of turn is made a replica of the primary on sight.
/// </summary>
internal static class ReplicationRules
{
    /// <summary>The pause before a failed demotion or write of synchronous_standby_names is tried again.</summary>
    internal static readonly TimeSpan SyncRetry = TimeSpan.FromSeconds(5);

    /// <summary>
    /// What to keep of a check's server observation, and the check as it counts: a primary found in recovery
    /// (demoted behind our back) is a failed check, so fall applies as for any failure — also after a restart,
    /// for the primary the journal names.
    /// </summary>
    public static CheckResult Read(ServiceState s, MemberState member, CheckResult check, out ReplicationView? keep)
    {
        keep = member.Replication;
        if (!s.IsReplicated || !check.Ok || check.Replication is not { } pg) return check;
        // Candidates are judged against the primary's last writable view (its write position, who streamed from
        // it, who was synchronous), which a read-only answer must not erase.
        if (check.Member == s.Primary && pg.InRecovery && member.Replication is { CurrentLsn: not null } last)
            pg = pg with { CurrentLsn = last.CurrentLsn, Streaming = last.Streaming, SyncStandbys = last.SyncStandbys };
        keep = pg;
        return pg.InRecovery && check.Member == s.Primary && (s.RolesConfirmed || s.PrimaryKnown) && s.Failover is null
            ? check with { Ok = false, Detail = "the primary is in recovery (read-only)" }
            : check;
    }

    /// <summary>
    /// Confirms or discovers the writable server. With a new journal nothing is routed until every member
    /// has answered once and exactly one is writable (no first-answer-wins); after that, a second writable
    /// server is alerted on once per epoch and never routed.
    /// </summary>
    public static void EvaluateRoles(DecisionBuilder d, string memberName)
    {
        ServiceState s = d.State;
        MemberState member = s.Members[memberName];
        if (!s.IsReplicated || member.Replication is not { } pg || member.Health != Health.Up) return;

        if (!s.RolesConfirmed && s.Failover is null)
        {
            if (s.PrimaryKnown || s.Epoch != ServiceState.FirstEpoch || s.LastFailoverAt is not null)
            {
                if (!pg.InRecovery && memberName == s.Primary) Confirm(d, memberName, $"{memberName} is the writable primary the journal names; traffic may go to it (epoch {s.Epoch})");
                // Until the journal's primary has answered (or failed its checks), a writable other is not yet two writable servers.
                else if (!pg.InRecovery && (s.PrimaryMember.Health == Health.Unknown || Adoptable(s) == memberName)) return;
                else if (!pg.InRecovery)
                    RaiseOnce(d, $"writable:{memberName}:{s.Epoch}", new MemberWritable { Member = memberName },
                        $"{memberName} accepts writes but the journal's primary is {s.Primary} (epoch {s.Epoch}); nothing is routed until {s.Primary} is seen writable");
                return;
            }
            if (s.Members.Values.Any(m => m.Health == Health.Unknown)) return; // a new journal waits for every member's first answer
            var writable = s.Spec.Members.Select(m => s.Members[m.Name]).Where(m => m.Health == Health.Up && m.Replication is { InRecovery: false }).Select(m => m.Name).ToList();
            if (writable.Count > 1)
                RaiseOnce(d, $"writable:{string.Join(",", writable)}:{s.Epoch}", new MemberWritable { Member = writable[0] },
                    $"{string.Join(" and ", writable)} all accept writes; nothing is routed until only one does");
            else if (writable.Count == 1 && writable[0] == s.Primary)
                Confirm(d, s.Primary, $"{s.Primary} is the writable primary; traffic may go to it (epoch {s.Epoch})");
            else if (writable.Count == 1)
                d.Emit(new ConfigMismatch(writable[0])
                {
                    Member = writable[0], Reason = $"the config names {s.Primary} as primary but {writable[0]} is the writable server; following the servers",
                });
            else if (s.Members[s.Primary].Replication is { InRecovery: true })
                RaiseOnce(d, $"hint:{s.Primary}", new ConfigMismatch { Member = s.Primary },
                    $"the config names {s.Primary} as primary but it is a standby, and no server accepts writes; nothing is routed");
            return;
        }

        if (s.IsRedis && s.Spec.Failover.Rejoin == RejoinMode.Auto && member.NeedsRejoin && pg.InRecovery && s.Failover is null && s.StreamsFromPrimary(memberName))
        {
            d.Emit(new MemberRejoined(s.Primary)
            {
                Member = memberName, Actor = "understudy",
                Reason = $"{memberName} replicates from {s.Primary} again: rejoined by itself (failover.rejoin: auto); it may be promoted again",
            });
            return;
        }

        if (!pg.InRecovery && memberName != s.Primary && s.PrimaryMember.Health != Health.Unknown && Adoptable(s) != memberName)
        {
            if (s.IsRedis && CanDemote(s, d.Now))
            {
                Demote(d, memberName);
                return;
            }
            string why = member.NeedsRejoin
                ? $"{memberName}, failed over from, accepts writes again: it is kept out of traffic; rejoin it as a standby"
                : $"{memberName} accepts writes while {s.Primary} is the primary (epoch {s.Epoch}): two writable servers; {memberName} is kept out of traffic";
            RaiseOnce(d, $"writable:{memberName}:{s.Epoch}", new MemberWritable { Member = memberName }, why);
        }
    }

    /// <summary>
    /// The server promoted outside Understudy (by hand, while the primary was down) that is to become the primary of
    /// a new epoch: the journal's primary failed its checks, and exactly one other healthy member accepts writes.
    /// Never an old primary awaiting rejoin (its writes are the ones a failover left behind), nor a nofailover member.
    /// </summary>
    public static string? Adoptable(ServiceState s)
    {
        if (!s.IsReplicated || s.Failover is not null || s.PrimaryMember.Health != Health.Down) return null;
        var writable = s.Spec.Members.Where(m => m.Name != s.Primary && s.Members[m.Name] is { Health: Health.Up, Replication.InRecovery: false }).ToList();
        return writable is [var only] && !only.NoFailover && !s.Members[only.Name].NeedsRejoin ? only.Name : null;
    }

    /// <summary>Redis: the primary is settled and seen writable, so another writable server can be made its replica.</summary>
    private static bool CanDemote(ServiceState s, DateTimeOffset now) =>
        s.RolesConfirmed && s.Failover is null && s.Routable == s.Primary && s.PrimaryMember is { Health: Health.Up, Replication.InRecovery: false }
        && !(s.DemoteRetryAfter > now);

    /// <summary>
    /// Redis fences a server that accepts writes out of turn (an old primary back after a failover, or one promoted by
    /// hand) by making it a replica of the primary on sight: it never gets traffic, and its own writes would otherwise be
    /// read by nobody and lost at the next resync anyway. The executor counts them first. Once per sighting: the
    /// <c>writable:</c> key is held until the outcome is journaled.
    /// </summary>
    private static void Demote(DecisionBuilder d, string member)
    {
        ServiceState s = d.State;
        string key = $"writable:{member}:{s.Epoch}";
        if (s.Raised.Contains(key)) return;
        string why = s.Members[member].NeedsRejoin
            ? $"{member}, failed over from, is back and accepts writes: making it a replica of {s.Primary} (epoch {s.Epoch}); writes it holds that {s.Primary} lacks are counted and discarded"
            : $"{member} accepts writes while {s.Primary} is the primary (epoch {s.Epoch}): making it a replica of {s.Primary}; writes it took are counted and discarded";
        d.Emit(new MemberWritable { Member = member, Reason = why });
        d.Alert("warning", $"{s.Name}: {why}", member, key);
        d.Do(new DemoteMember(member, s.Primary, s.Epoch));
    }

    /// <summary>The demotion's outcome: journaled with the bytes lost; a failure alerts and is retried after a pause.</summary>
    public static void Demoted(DecisionBuilder d, DemoteMember step, StepCompleted done)
    {
        string lost = done.LostBytes switch
        {
            null => "its writes could not be compared with the primary's (another history, or it came back empty)",
            0 => $"it held no writes {step.Primary} lacked",
            long n => $"{ReplicationView.Bytes(n)} of writes it held that {step.Primary} lacked were discarded",
        };
        if (done.Succeeded)
        {
            d.Emit(new MemberDemoted(step.Primary, true, done.LostBytes) { Member = step.Member, Reason = $"{step.Member} is now a replica of {step.Primary}; {lost} ({done.Detail})" });
            if (done.LostBytes > 0) d.Alert("critical", $"{d.State.Name}: {step.Member} was made a replica of {step.Primary}; {lost}", step.Member);
            return;
        }
        string reason = $"making {step.Member} a replica of {step.Primary} failed ({done.Detail}); it stays out of traffic, retrying in {SyncRetry.TotalSeconds:0} s";
        d.Emit(new MemberDemoted(step.Primary, false, null, d.Now + SyncRetry) { Member = step.Member, Reason = reason });
        string key = $"demote-failed:{step.Member}:{d.State.Epoch}";
        if (!d.State.Raised.Contains(key)) d.Alert("critical", $"{d.State.Name}: {reason}", step.Member, key);
    }

    private static void Confirm(DecisionBuilder d, string primary, string reason) =>
        d.Emit(new MemberRole(primary) { Member = primary, Reason = reason });

    /// <summary>Redis synchronous mode, not strict: the primary, seen up, has no replica online, so nothing would answer a WAIT.</summary>
    public static bool Unreplicated(ServiceState s) =>
        s is { IsRedis: true, Spec.Failover: { Synchronous: true, SynchronousStrict: false } } && s.Routable == s.Primary
        && s.PrimaryMember is { Health: Health.Up, Replication: { InRecovery: false, Streaming.IsEmpty: true } };

    /// <summary>
    /// Redis synchronous mode with no replica left: non-strict, the proxy stops waiting and writes are acknowledged
    /// without a copy; strict, the primary refuses them (min-replicas-to-write). Alerted once per epoch.
    /// </summary>
    public static void WatchRedisReplicas(DecisionBuilder d)
    {
        ServiceState s = d.State;
        if (!s.IsRedis || !s.Spec.Failover.Synchronous || s.Failover is not null || s.Routable != s.Primary) return;
        if (s.PrimaryMember is not { Health: Health.Up, Replication: { InRecovery: false, Streaming.IsEmpty: true } }) return;
        string why = s.Spec.Failover.SynchronousStrict
            ? $"no replica replicates from {s.Primary}: writes are refused (min-replicas-to-write) until one is back (synchronous_strict)"
            : $"no replica replicates from {s.Primary}: the proxy stops waiting and writes are acknowledged without a copy until one is back";
        string key = $"unreplicated:{s.Primary}:{s.Epoch}";
        if (!s.Raised.Contains(key)) d.Alert("critical", $"{s.Name}: {why}", s.Primary, key);
    }

    /// <summary>A lasting condition is journaled and alerted on once, until it clears (a rejoin, the next epoch).</summary>
    private static void RaiseOnce(DecisionBuilder d, string key, JournalEvent e, string reason)
    {
        if (d.State.Raised.Contains(key)) return;
        d.Emit(e with { Reason = reason });
        d.Alert("critical", $"{d.State.Name}: {reason}", e.Member, key);
    }

    /// <summary>
    /// After the switch: re-point the other standbys, make a switchover's old primary (stopped cleanly) a standby of the
    /// new one, then hooks (always last, as the end marker). The synchronous standby is named again once one is seen
    /// streaming from the new primary.
    /// </summary>
    public static void AfterSwitch(DecisionBuilder d, FailoverProgress f)
    {
        ServiceState s = d.State;
        ImmutableArray<string> others = [.. s.Spec.Members.Select(m => m.Name).Where(n => n != f.To && n != f.From && !s.Members[n].NeedsRejoin)];
        if (!others.IsEmpty) d.Do(new RepointStandbys(f.To, others, f.Epoch));
        if (f.IsSwitchover && !s.Members[f.From].NeedsRejoin) d.Do(new FollowPrimary(f.From, f.To, f.Epoch));
        d.Do(new RunHooks(f.Hooks, f.From, f.To, f.Epoch, f.HooksFinished));
    }
}
