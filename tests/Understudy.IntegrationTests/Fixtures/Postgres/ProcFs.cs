namespace Understudy.IntegrationTests.Fixtures.Postgres;

/// <summary>
/// What the fixture needs to know about PostgreSQL's processes, read from /proc: <c>runuser</c> and
/// <c>pg_ctl</c> fork, so no <see cref="System.Diagnostics.Process"/> we start is the postmaster itself.
/// </summary>
internal static class ProcFs
{
    /// <summary>How the kernel marks a working folder that no longer exists.</summary>
    private const string Deleted = " (deleted)";

    /// <summary>Alive means it exists and is not a zombie: this machine's PID 1 reaps orphans only after a while.</summary>
    public static bool IsAlive(int pid) => State(pid) is { } s && s != 'Z' && s != 'X';

    /// <summary>The one-letter state from /proc/PID/stat (R, S, T, Z …), or null when there is no such process.</summary>
    public static char? State(int pid) => Stat(pid) is { } f ? f[0][0] : null;

    /// <summary>Direct children, from the kernel's children lists, or by scanning every process's parent when the kernel lacks them.</summary>
    public static IReadOnlyList<int> Children(int pid)
    {
        string tasks = $"/proc/{pid}/task";
        try
        {
            var lists = Directory.GetDirectories(tasks).Select(t => Path.Combine(t, "children")).ToList();
            if (lists.All(File.Exists))
                return [.. lists.SelectMany(f => Read(f)?.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries) ?? []).Select(int.Parse).Distinct()];
        }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
        return [.. AllPids().Where(p => Stat(p) is { } f && int.Parse(f[1]) == pid)];
    }

    /// <summary>Every live process running <paramref name="exe"/> from the working folder <paramref name="cwd"/>:
    /// postgres chdirs into its data folder and its children inherit that, so this also finds orphans of a killed postmaster.</summary>
    public static IReadOnlyList<int> Running(string exe, string cwd) => [.. AllPids().Where(p => Runs(p, exe, cwd))];

    /// <summary>Whether <paramref name="pid"/> is alive and runs <paramref name="exe"/> from <paramref name="cwd"/>; a zombie has neither.</summary>
    public static bool Runs(int pid, string exe, string cwd) =>
        Link($"/proc/{pid}/cwd") == cwd && Exe(pid) == exe && IsAlive(pid);

    /// <summary>Every live process whose working folder is <paramref name="folder"/> or under it.</summary>
    public static IReadOnlyList<int> Under(string folder) =>
        [.. AllPids().Where(p => Link($"/proc/{p}/cwd") is { } c && IsUnder(c.EndsWith(Deleted, StringComparison.Ordinal) ? c[..^Deleted.Length] : c, folder) && IsAlive(p))];

    /// <summary>The program a process runs (resolved, so postmaster shows as postgres).</summary>
    public static string? Exe(int pid) => Link($"/proc/{pid}/exe");

    private static bool IsUnder(string path, string folder) => path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);

    /// <summary>The command line as postgres sets it (its process title, e.g. "postgres: pg2: walreceiver").</summary>
    public static string? CommandLine(int pid) => Read($"/proc/{pid}/cmdline")?.Replace('\0', ' ').Trim();

    private static IEnumerable<int> AllPids() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Select(n => int.TryParse(n, out int p) ? p : 0).Where(p => p > 0);

    /// <summary>The fields after "pid (comm)": comm may hold spaces and parentheses, so split after the last ')'.</summary>
    private static string[]? Stat(int pid) =>
        Read($"/proc/{pid}/stat") is { } s && s.LastIndexOf(')') is int i and >= 0 ? s[(i + 2)..].Split(' ') : null;

    private static string? Read(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static string? Link(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
