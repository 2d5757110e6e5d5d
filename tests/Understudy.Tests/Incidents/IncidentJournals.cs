using System.Collections.Immutable;
using Understudy.Core.Journal;
using static Understudy.Tests.Testing.Services;

using Understudy.Tests.Testing;

namespace Understudy.Tests.Incidents;

/// <summary>Journals of the service web written by hand as the controller writes them, times in milliseconds after T0.</summary>
internal static class IncidentJournals
{
    public static JournalEvent E(int ms, long epoch, string type, string? member, string reason, string actor = Actors.Controller, params (string Key, object? Value)[] details)
    {
        var d = ImmutableDictionary.CreateBuilder<string, object?>();
        d["reason"] = reason;
        foreach (var (key, value) in details) d[key] = value;
        return Journaled.Make(T0.AddMilliseconds(ms), "web", member, epoch, type, actor, d.ToImmutable());
    }

    private static JournalEvent Hook(int ms, long epoch, string trigger, int index, string command, int? exitCode, long durationMs) =>
        E(ms, epoch, exitCode == 0 ? EventTypes.HookCompleted : EventTypes.HookFailed, "web-b", $"{trigger} hook {index + 1} `{command}` exited {exitCode}", Actors.Controller,
            ("trigger", trigger), ("index", (long)index), ("command", command), ("exit_code", exitCode), ("timed_out", false), ("duration_ms", durationMs));

    /// <summary>web-a crashes; the proxy suspects it, checks confirm it, web-b takes epoch 2; two on_failover hooks, the second fails.</summary>
    public static List<JournalEvent> AutomaticFailover() =>
    [
        E(-600_000, 1, EventTypes.ControllerStarted, null, "controller started"),
        E(-599_000, 1, EventTypes.MemberUp, "web-a", "web-a passed its first check"),
        E(-300_000, 1, EventTypes.MemberSuspected, "web-a", "the proxy could not connect to web-a (refused); confirming with active checks now"),
        E(0, 1, EventTypes.MemberSuspected, "web-a", "the proxy could not connect to web-a (refused); confirming with active checks now"),
        E(40, 1, EventTypes.MemberDown, "web-a", "web-a failed 3 checks in a row (last: refused)"),
        E(41, 2, EventTypes.FailoverStarted, "web-b", "primary web-a is down; failing over to web-b, the first healthy candidate", Actors.Controller, ("from", "web-a"), ("to", "web-b")),
        E(60, 2, EventTypes.MemberFenced, "web-a", "web-a no longer receives traffic (2 connections closed)"),
        E(75, 2, EventTypes.TrafficSwitched, "web-b", "traffic now goes to web-b (epoch 2)"),
        Hook(180, 2, "on_failover", 0, "echo web-a", 0, 105),
        Hook(5_200, 2, "on_failover", 1, "notify.sh web-a", 3, 5_020),
        E(5_200, 2, EventTypes.FailoverCompleted, "web-b", "failover from web-a to web-b completed in epoch 2", Actors.Controller,
            ("from", "web-a"), ("to", "web-b"), ("duration_ms", 5_159L), ("request", null)),
        E(5_200, 2, EventTypes.AlertRaised, "web-b", "web failed over from web-a to web-b (epoch 2)", Actors.Controller, ("severity", "warning")),
        E(60_000, 2, EventTypes.MemberUp, "web-a", "web-a passed 2 checks in a row"),
    ];

    /// <summary>failover.mode manual: web-a is down, alice asks for a failover, bob approves it a minute later with a comment.</summary>
    public static List<JournalEvent> ManualFailover() =>
    [
        E(-20_000, 1, EventTypes.ControllerStopped, null, "controller stopped"),
        E(-10_000, 1, EventTypes.ControllerStarted, null, "controller started"),
        E(0, 1, EventTypes.MemberDown, "web-a", "web-a failed 3 checks in a row (last: timeout after 150 ms)"),
        E(0, 1, EventTypes.FailoverHeld, "web-a", "primary web-a is down and failover.mode is manual: an operator must request a failover"),
        E(0, 1, EventTypes.AlertRaised, "web-a", "web: primary web-a is down and failover.mode is manual: an operator must request a failover", Actors.Controller, ("severity", "critical")),
        E(30_000, 1, EventTypes.RequestCreated, "web-b", "alice requests a failover of web from web-a to web-b (web-a disk failed); needs 1 approval", "alice",
            ("id", "r-1"), ("kind", "failover"), ("from", "web-a"), ("to", "web-b"), ("request_reason", "web-a disk failed"), ("requested_by", "alice"),
            ("approvals_needed", 1L), ("expires_at", "2026-11-22T12:15:30.0000000+00:00")),
        E(35_000, 1, EventTypes.RequestRefused, null, "alice made request r-1 and cannot approve it", "alice",
            ("id", "r-1"), ("action", "approve"), ("refused", "alice made request r-1 and cannot approve it")),
        E(90_000, 1, EventTypes.RequestApproved, "web-b", "bob approved request r-1 (1 of 1): checked replication lag first", "bob",
            ("id", "r-1"), ("approved_by", "bob"), ("comment", "checked replication lag first"), ("approvals", 1L), ("approvals_needed", 1L)),
        E(90_000, 1, EventTypes.RequestExecuting, "web-b", "request r-1 is carried out: failover from web-a to web-b, approved by bob", "alice",
            ("id", "r-1"), ("approved_by", "bob"), ("to", "web-b")),
        E(90_000, 2, EventTypes.FailoverStarted, "web-b", "primary web-a is down; failing over to web-b as alice requested (request r-1)", "alice",
            ("from", "web-a"), ("to", "web-b"), ("request", "r-1")),
        E(90_020, 2, EventTypes.MemberFenced, "web-a", "web-a no longer receives traffic (0 connections closed)"),
        E(90_050, 2, EventTypes.TrafficSwitched, "web-b", "traffic now goes to web-b (epoch 2)"),
        E(90_050, 2, EventTypes.FailoverCompleted, "web-b", "failover from web-a to web-b completed in epoch 2", Actors.Controller,
            ("from", "web-a"), ("to", "web-b"), ("duration_ms", 50L), ("request", "r-1")),
        E(90_050, 2, EventTypes.RequestCompleted, "web-b", "request r-1: failover from web-a to web-b completed in epoch 2", Actors.Controller, ("id", "r-1"), ("to", "web-b")),
    ];

    /// <summary>web-b is primary in epoch 3; a first switchover back to web-a is abandoned, a second one drains and makes epoch 4.</summary>
    public static List<JournalEvent> Switchover() =>
    [
        E(-60_000, 3, EventTypes.SwitchoverStarted, "web-a", "switchover from web-b to web-a (request r-2): new connections held", "alice",
            ("from", "web-b"), ("to", "web-a"), ("request", "r-2")),
        E(-59_000, 3, EventTypes.SwitchoverFailed, "web-a", "switchover from web-b to web-a abandoned: web-a is down after the drain; traffic stays on web-b (epoch 3)", Actors.Controller,
            ("from", "web-b"), ("to", "web-a"), ("request", "r-2")),
        E(0, 3, EventTypes.RequestCreated, "web-a", "carol requests a switchover of web from web-b to web-a (planned kernel update on web-b); no approval needed", "carol",
            ("id", "r-3"), ("kind", "switchover"), ("from", "web-b"), ("to", "web-a"), ("request_reason", "planned kernel update on web-b"), ("requested_by", "carol"),
            ("approvals_needed", 0L)),
        E(0, 3, EventTypes.RequestExecuting, "web-a", "request r-3 is carried out: switchover from web-b to web-a", "carol", ("id", "r-3"), ("approved_by", ""), ("to", "web-a")),
        E(0, 3, EventTypes.SwitchoverStarted, "web-a", "switchover from web-b to web-a (request r-3): new connections held, open ones to web-b drain for up to 5 s", "carol",
            ("from", "web-b"), ("to", "web-a"), ("request", "r-3")),
        E(2_000, 4, EventTypes.MemberFenced, "web-b", "web-b drained (all 3 connections closed by themselves); epoch 4 makes web-a the primary", Actors.Controller,
            ("from", "web-b"), ("to", "web-a")),
        E(2_001, 4, EventTypes.TrafficSwitched, "web-a", "traffic now goes to web-a (epoch 4)"),
        E(2_100, 4, EventTypes.HookCompleted, "web-a", "on_switchover hook 1 `echo moved` exited 0 after 99 ms", Actors.Controller,
            ("trigger", "on_switchover"), ("index", 0L), ("command", "echo moved"), ("exit_code", 0L), ("timed_out", false), ("duration_ms", 99L)),
        E(2_100, 4, EventTypes.SwitchoverCompleted, "web-a", "switchover from web-b to web-a completed in epoch 4", Actors.Controller,
            ("from", "web-b"), ("to", "web-a"), ("duration_ms", 2_100L), ("request", "r-3")),
        E(2_100, 4, EventTypes.AlertRaised, "web-a", "web switched over from web-b to web-a (epoch 4)", Actors.Controller, ("severity", "info")),
    ];
}
