using Understudy.Core.Journal;

namespace Understudy.Core.Failover;

/// <summary>
/// Hooks as the journal records them: each start (its process group, so a later controller can end it), each end,
/// and the end of one a previous controller left running.
/// </summary>
internal static class HookRules
{
    public static void OnLaunched(DecisionBuilder d, HookLaunched l) =>
        d.Emit(new HookStarted(l.Hook)
        {
            Epoch = l.Hook.Epoch,
            Reason = $"{l.Hook.Describe()} started in its own process group {l.Hook.ProcessGroup}",
        });

    /// <summary>Each hook is journaled as it ends; one of the running list counts toward the list's end after a restart.</summary>
    public static void OnFinished(DecisionBuilder d, HookFinished h)
    {
        HookOutcome o = h.Outcome;
        string trigger = h.Trigger.ConfigKey();
        bool? required = h.Trigger == HookTrigger.Fence && h.Index < d.State.Spec.Hooks.Fence.Length ? d.State.Spec.Hooks.Fence[h.Index].Required : null;
        string reason = $"{trigger} hook {h.Index + 1} `{o.Command}` {o.Summary}";
        HookEvent e = o.Succeeded
            ? new HookCompleted { Trigger = trigger, Index = h.Index, Command = o.Command, Reason = reason }
            : new HookFailed
            {
                Trigger = trigger, Index = h.Index, Command = o.Command, Severity = required == true ? "critical" : "warning",
                Reason = required switch
                {
                    true => $"{reason}; it is required, so the failover stops before promotion",
                    false => $"{reason}; it is not required, so the failover goes on",
                    null => reason,
                },
            };
        d.Emit(e with
        {
            Member = h.NewPrimary, Epoch = h.Epoch, ExitCode = o.ExitCode, TimedOut = o.TimedOut,
            DurationMs = (long)o.Duration.TotalMilliseconds, Output = o.Output, Required = required,
        });
    }

    /// <summary>A hook that may still run beside its re-run is worth a person's attention; one ended or gone is only recorded.</summary>
    public static void OnStaleEnded(DecisionBuilder d, StaleHookEnded s)
    {
        string hook = s.Hook.Describe();
        string reason = s.Outcome switch
        {
            HookEndOutcome.Gone => $"{hook}, started before the takeover and never journaled as ended, no longer runs",
            HookEndOutcome.Terminated => $"{hook} was still running, left by the previous controller: process group {s.Hook.ProcessGroup} ended with SIGTERM ({s.Detail})",
            HookEndOutcome.Killed => $"{hook} was still running, left by the previous controller: process group {s.Hook.ProcessGroup} ignored SIGTERM and was killed ({s.Detail})",
            HookEndOutcome.Elsewhere => $"{hook} was started on another host ({s.Detail}) and cannot be ended from here: it may still run there",
            _ => $"{hook} could not be ended ({s.Detail}): it may run beside its re-run",
        };
        d.Emit(new HookEnded(s.Hook, s.Outcome) { Epoch = s.Hook.Epoch, Reason = reason });
        if (s.Outcome is HookEndOutcome.Elsewhere or HookEndOutcome.Survived) d.Alert("critical", $"{d.State.Name}: {reason}");
    }
}
