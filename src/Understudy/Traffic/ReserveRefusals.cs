using System.Net.Sockets;

namespace Understudy.Traffic;

/// <summary>
/// A listener's check of each accepted connection against the <see cref="DescriptorReserve"/>: one that came within it
/// is set to reset when closed, counted and logged once per 1000 (at the limit every accept is one).
/// </summary>
internal sealed partial class ReserveRefusals(string key, ILogger logger)
{
    private long _refused;

    /// <summary>True when <paramref name="accepted"/> is refused: its owner should close it at once, which resets it.</summary>
    public bool Refuse(Socket accepted)
    {
        if (!DescriptorReserve.Short(accepted)) return false;
        accepted.LingerState = new LingerOption(true, 0);
        if (Interlocked.Increment(ref _refused) is var n && n % 1000 == 1)
            Log.Refused(logger, key, DescriptorReserve.Reserve, DescriptorReserve.Limit, n);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "{Key}: connection refused: the controller keeps its last {Reserve} of {Limit} open files for itself (raise LimitNOFILE); {Refused} refused so far, logged once per 1000")]
        public static partial void Refused(ILogger logger, string key, long reserve, long limit, long refused);
    }
}
