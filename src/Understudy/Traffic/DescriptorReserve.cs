using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Understudy.Traffic;

/// <summary>
/// The open files the proxies leave to the rest of the controller. Each proxied connection takes two descriptors; were
/// the proxies to take the last ones, the journal, the checks, the API and the runtime itself would fail: a new thread
/// opens a pipe as it starts, a first use of an assembly opens its file, and the controller aborted ("Out of memory.")
/// there (BENCHMARKS.md, issue 17). So a listener refuses a connection whose descriptor is within <see cref="Reserve"/> of the limit.
/// </summary>
internal static class DescriptorReserve
{
    /// <summary>The soft open-file limit (the runtime raises it to the hard one at start); unbounded off Linux.</summary>
    public static long Limit { get; } = ReadLimit();

    /// <summary>A sixteenth of the limit, at least 256: several times what a controller of a few services keeps open besides.</summary>
    public static long Reserve { get; } = Math.Max(256, Limit / 16);

    /// <summary>
    /// True when <paramref name="accepted"/> came within the reserve: Linux gives the lowest free number, so every
    /// descriptor below an accepted socket's number is in use. Read from an accepted socket only: exposing the handle
    /// of a socket that will connect stops it from retrying another address.
    /// </summary>
    public static bool Short(Socket accepted) => accepted.Handle.ToInt64() >= Limit - Reserve;

    private static long ReadLimit()
    {
        const int nofile = 7; // RLIMIT_NOFILE on Linux
        if (!OperatingSystem.IsLinux() || getrlimit(nofile, out RLimit limit) != 0) return long.MaxValue;
        return limit.Current > long.MaxValue ? long.MaxValue : (long)limit.Current;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current, Max;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrlimit(int resource, out RLimit limit);
}
