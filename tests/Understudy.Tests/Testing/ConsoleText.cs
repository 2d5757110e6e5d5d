using Spectre.Console;
using Spectre.Console.Rendering;

namespace Understudy.Tests.Testing;

/// <summary>What a Spectre renderable prints on a wide terminal without colours, so tests can read it as text.</summary>
public static class ConsoleText
{
    public static string Of(IRenderable renderable, int width = 200)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer) });
        console.Profile.Width = width;
        console.Write(renderable);
        return writer.ToString();
    }
}
