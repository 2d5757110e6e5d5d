using Understudy.Core.Drills;

namespace Understudy.Core.Topology;

/// <summary>
/// One entry of the top-level <c>drills:</c> list: a drill file the controller runs at <paramref name="Cron"/>'s times
/// (read in <paramref name="TimeZone"/>), each run delayed by a random part of <paramref name="Jitter"/>.
/// <paramref name="Name"/> and <paramref name="Service"/> come from the drill file, read when the config was loaded.
/// </summary>
/// <param name="File">The drill file's full path.</param>
public sealed record DrillScheduleSpec(string File, string Cron, string TimeZone, DrillEnvironment Environment, TimeSpan Jitter, string Name, string Service);
