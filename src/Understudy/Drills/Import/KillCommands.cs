using System.Text.RegularExpressions;

namespace Understudy.Drills.Import;

/// <summary>
/// Recognises a process action that signals one process it names outright: <c>kill -9 4242</c>, <c>kill -TERM $(cat run/a.pid)</c>,
/// <c>pkill -F run/a.pid</c>. Only those become <c>kill_process</c>; a kill by name or pattern may hit other processes, so it stays an exec.
/// </summary>
internal static partial class KillCommands
{
    /// <summary>A kill_process step's target (<c>pid</c> or <c>pidfile</c>) and its signal, named as the drill file names them.</summary>
    public sealed record KillTarget(string Key, string Value, string Signal);

    private static readonly HashSet<string> Programs = ["kill", "pkill", "killall", "killall5", "skill", "slay"];

    // Linux numbers for the signals a drill can send.
    private static readonly Dictionary<string, string> Numbers = new()
    {
        ["1"] = "HUP", ["2"] = "INT", ["3"] = "QUIT", ["9"] = "KILL", ["10"] = "USR1", ["12"] = "USR2", ["15"] = "TERM", ["18"] = "CONT", ["19"] = "STOP",
    };

    private const string PidFileMark = "\u0001pidfile:";

    [GeneratedRegex(@"\$\(\s*cat\s+(?<file>[^\s;|&()`$'""]+)\s*\)|`\s*cat\s+(?<file>[^\s;|&()`$'""]+)\s*`")]
    private static partial Regex CatPidFile();

    [GeneratedRegex(@"[;|&<>()`$'""\\\n]")]
    private static partial Regex ShellSyntax();

    public static bool IsKillLike(string program) => Programs.Contains(Path.GetFileName(program));

    /// <summary>The target of an argument list, or null when it names no single pid or pidfile.</summary>
    public static KillTarget? Recognize(string program, IReadOnlyList<string> args) => Path.GetFileName(program) switch
    {
        "kill" => Kill(args),
        "pkill" => PKill(args),
        _ => null,
    };

    /// <summary>As <see cref="Recognize(string, IReadOnlyList{string})"/> for a shell line, where <c>$(cat FILE)</c> names a pidfile.</summary>
    public static KillTarget? RecognizeShellLine(string program, string line)
    {
        string marked = CatPidFile().Replace(line, m => PidFileMark + m.Groups["file"].Value);
        if (ShellSyntax().IsMatch(marked)) return null;
        return Recognize(program, marked.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    private static KillTarget? Kill(IReadOnlyList<string> args)
    {
        string signal = "TERM";
        var targets = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if ((a is "-s" or "-n" or "--signal") && i + 1 < args.Count) { if (Signal(args[++i]) is not { } s) return null; signal = s; }
            else if (a.Length > 1 && a[0] == '-') // -9, -KILL, -SIGKILL; anything else (-l, --, a process group) is not one process
            {
                if (Signal(a[1..]) is not { } s) return null;
                signal = s;
            }
            else targets.Add(a);
        }
        return targets is [var only] ? Target(only, signal) : null;
    }

    private static KillTarget? PKill(IReadOnlyList<string> args)
    {
        string signal = "TERM";
        string? pidFile = null;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if ((a is "-F" or "--pidfile") && i + 1 < args.Count) pidFile = args[++i];
            else if (a == "--signal" && i + 1 < args.Count) { if (Signal(args[++i]) is not { } s) return null; signal = s; }
            else if (a.Length > 1 && a[0] == '-' && Signal(a[1..]) is { } s) signal = s;
            else return null; // a pattern or another option: the processes it matches are not named here
        }
        return pidFile is null ? null : new KillTarget("pidfile", pidFile, signal);
    }

    private static KillTarget? Target(string written, string signal)
    {
        if (written.StartsWith(PidFileMark, StringComparison.Ordinal)) return new KillTarget("pidfile", written[PidFileMark.Length..], signal);
        return int.TryParse(written, out int pid) && pid > 0 ? new KillTarget("pid", written, signal) : null;
    }

    private static string? Signal(string written)
    {
        if (Numbers.TryGetValue(written, out string? byNumber)) return byNumber;
        string name = written.ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal)) name = name[3..];
        return Numbers.ContainsValue(name) ? name : null;
    }
}
