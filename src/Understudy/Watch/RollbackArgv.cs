using System.CommandLine.Parsing;

namespace Understudy.Watch;

/// <summary>
/// <c>--rollback "COMMAND ARGS"</c> as the argv it runs, without a shell. The split is System.CommandLine's own
/// (<see cref="CommandLineParser.SplitCommandLine"/>, already a dependency): words are separated by whitespace and
/// double quotes group words into one argument and are removed. Nothing else is special: no single quotes, no
/// backslash escapes, no <c>$VAR</c>, globs, pipes or <c>&amp;&amp;</c>. So that a command meant for a shell is not
/// run wrong, a single quote or a shell operator as a word is refused with a message saying what to do instead.
/// </summary>
public static class RollbackArgv
{
    private static readonly string[] ShellOperators = ["|", "||", "&&", "&", ";", ">", ">>", "<", "2>&1"];

    public static bool TryParse(string? text, out IReadOnlyList<string> argv, out string whyNot)
    {
        argv = [];
        whyNot = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            whyNot = "--rollback is required: the command that rolls the deploy back, e.g. --rollback \"kubectl rollout undo deployment/web\"";
            return false;
        }
        if (text.Contains('\''))
        {
            whyNot = "--rollback: single quotes are not understood (no shell runs the command): group words with double quotes";
            return false;
        }
        List<string> words = [.. CommandLineParser.SplitCommandLine(text)];
        if (words.FirstOrDefault(w => ShellOperators.Contains(w)) is { } op)
        {
            whyNot = $"--rollback: '{op}' needs a shell, and none runs the command: put the steps in a script, or pass --rollback \"sh -c \\\"...\\\"\"";
            return false;
        }
        if (words.Count == 0 || words[0].Length == 0)
        {
            whyNot = "--rollback: no command in it";
            return false;
        }
        argv = words;
        return true;
    }

    /// <summary>The argv as one line a person can read back: each word in double quotes when it has whitespace or is empty.</summary>
    public static string Show(IReadOnlyList<string> argv) =>
        string.Join(' ', argv.Select(a => a.Length == 0 || a.Any(char.IsWhiteSpace) ? $"\"{a}\"" : a));
}
