using Spectre.Console;
using Understudy.Core.Drills;

namespace Understudy.Drills;

/// <summary>Prints <see cref="DrillPlanText"/> for <c>drill run --dry-run</c>.</summary>
public static class DrillPlanPrinter
{
    internal const int UnwrappedWidth = 4096;

    public static void Write(TextWriter output, DrillSpec spec)
    {
        var target = new AnsiConsoleOutput(output);
        // Piped into a file or grep: plain text, and a step stays on one line instead of wrapping at 80 columns.
        IAnsiConsole console = AnsiConsole.Create(target.IsTerminal
            ? new AnsiConsoleSettings { Out = target }
            : new AnsiConsoleSettings { Out = target, Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        if (!target.IsTerminal) console.Profile.Width = UnwrappedWidth;
        console.MarkupLine("[grey]dry run: the drill would do this; nothing was started, contacted or written[/]");
        foreach (string line in DrillPlanText.Lines(spec))
            console.MarkupLine(line.StartsWith(' ') ? Markup.Escape(line) : $"[bold]{Markup.Escape(line)}[/]");
    }
}
