using Spectre.Console;
using Understudy.Core.Drills;

namespace Understudy.Drills;

/// <summary>
/// Live progress in the terminal: one line per phase and step, and the running availability and error
/// count (every second on a terminal, every 5 s when the output is a file or a pipe).
/// </summary>
public sealed class ConsoleDrillObserver(IAnsiConsole console) : IDrillObserver
{
    private readonly bool _interactive = console.Profile.Capabilities.Interactive;
    private int _ticks;

    public void PhaseStarted(string phase) => console.MarkupLine($"[bold]▶ {Markup.Escape(phase.Replace('_', ' '))}[/]");

    public void StepFinished(StepRecord step) => console.MarkupLine(
        $"  {(step.Ok ? "[green]✔[/]" : "[red]✘[/]")} {Markup.Escape(step.Step)} [grey]({(step.End - step.Start).TotalMilliseconds:0} ms)[/]: {Markup.Escape(step.Actual)}");

    public void Progress(string phase, TimeSpan elapsed, int attempts, int failures)
    {
        if (!_interactive && ++_ticks % 5 != 0) return;
        double availability = attempts == 0 ? 100 : 100.0 * (attempts - failures) / attempts;
        console.MarkupLine($"  [grey]{elapsed.TotalSeconds,5:0} s  {Markup.Escape(phase.Replace('_', ' '))}: {attempts} attempts, {failures} failed, availability {availability:0.##} %[/]");
    }

    public void Manual(string instruction, TimeSpan timeout) =>
        console.MarkupLine($"[yellow]  ✋ manual step: {Markup.Escape(instruction)} — press Enter when done (waiting up to {timeout.TotalMinutes:0.#} min)[/]");
}
