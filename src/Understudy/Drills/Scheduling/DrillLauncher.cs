using System.ComponentModel;
using System.Diagnostics;
using Understudy.Core.Drills;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Hosting;

namespace Understudy.Drills.Scheduling;

/// <summary>
/// Starts one scheduled run: through the <see cref="DrillGate"/> (pre-flight, drill lock), then as its own
/// <c>understudy drill run FILE</c> process, so a drill that hangs or crashes never takes the controller with it. The run
/// gets the lock the gate took through <see cref="LockVariable"/>, and the lock is released when the process ends,
/// whatever it did.
/// </summary>
public sealed partial class DrillLauncher(UnderstudySpec spec, DrillGate gate, DrillLocks locks, ProductionSchedules production, ILogger<DrillLauncher> logger)
{
    /// <summary>The drill lock's token, handed to a scheduled run: its <c>drill run</c> renews that lock instead of taking another.</summary>
    public const string LockVariable = "UNDERSTUDY_DRILL_LOCK";

    public async Task StartAsync(DrillScheduleSpec s, CancellationToken stopping)
    {
        if (await production.WhyNotAsync(s, stopping) is { } unapproved)
        {
            Log.Skipped(logger, s.Name, unapproved);
            await gate.SkippedAsync(s.Service, s.Name, s.File, unapproved, Actors.Controller, stopping);
            return;
        }
        var (taken, whyNot) = await gate.TryOpenAsync(s.Service, s.Name, s.File, Actors.Controller, $"the schedule of {s.File}", stopping);
        if (taken is null)
        {
            Log.Skipped(logger, s.Name, whyNot!);
            return;
        }
        Process child;
        try
        {
            // In the drill file's folder, as drill files expect of their exec steps; the report where the dashboard lists reports.
            child = SelfProcess.StartIn(Path.GetDirectoryName(s.File), line => Log.Output(logger, s.Name, line),
                new Dictionary<string, string> { [LockVariable] = taken.Token },
                ["drill", "run", s.File, "--out", spec.Controller.DrillsDir, .. s.Environment == DrillEnvironment.Production ? ["--confirm-production"] : Array.Empty<string>()]);
        }
        catch (Exception e) when (e is Win32Exception or IOException or InvalidOperationException)
        {
            locks.Release(s.Service, taken.Token);
            await gate.SkippedAsync(s.Service, s.Name, s.File, $"the drill process could not start: {e.Message}", Actors.Controller, stopping);
            return;
        }
        int pid = child.Id;
        _ = ReleaseAtExitAsync(child, s, taken, pid);
        Log.Started(logger, s.Name, pid);
        await gate.StartedAsync(s.Service, s.Name, s.File, pid, Actors.Controller, stopping);
    }

    /// <summary>The run's end frees the service whatever its outcome; a controller stopping meanwhile leaves the drill to finish.</summary>
    private async Task ReleaseAtExitAsync(Process child, DrillScheduleSpec s, DrillLock taken, int pid)
    {
        using (child)
        {
            await child.WaitForExitAsync();
            locks.Release(s.Service, taken.Token);
            Log.Ended(logger, s.Name, pid, child.ExitCode);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 140, Level = LogLevel.Information, Message = "scheduled drill '{Name}' started (pid {Pid})")]
        public static partial void Started(ILogger logger, string name, int pid);

        [LoggerMessage(EventId = 141, Level = LogLevel.Information, Message = "scheduled drill '{Name}' skipped: {Why}")]
        public static partial void Skipped(ILogger logger, string name, string why);

        [LoggerMessage(EventId = 142, Level = LogLevel.Information, Message = "scheduled drill '{Name}' (pid {Pid}) ended with exit code {ExitCode}")]
        public static partial void Ended(ILogger logger, string name, int pid, int exitCode);

        [LoggerMessage(EventId = 143, Level = LogLevel.Debug, Message = "drill '{Name}': {Line}")]
        public static partial void Output(ILogger logger, string name, string line);
    }
}
