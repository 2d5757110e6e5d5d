using Understudy.Checks;
using Understudy.Core.Failover;
using Understudy.Core.Journal;

namespace Understudy.Failover;

/// <summary>Journals a pause of this process (<c>controller.stalled</c>) in every service whose check interval it outlasted.</summary>
internal static class StallNotes
{
    public static void Journal(this StallWatch stalls, Func<IReadOnlyList<ServiceRuntime>> services) =>
        stalls.Stalled += pause =>
        {
            long ms = (long)pause.TotalMilliseconds;
            foreach (ServiceRuntime s in services().Where(s => pause > s.Spec.Check.Interval))
                s.Loop.Post(new Noted((IInformational)new ControllerStalled(ms)
                {
                    Reason = $"this controller stood still for {ms} ms (a GC, SIGSTOP or an overloaded host), longer than the check interval "
                        + $"({s.Spec.Check.Interval.TotalMilliseconds:0} ms): checks that spanned it were discarded, not counted against the members",
                }));
        };
}
