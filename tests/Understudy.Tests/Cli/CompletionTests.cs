using System.CommandLine;
using Understudy.Cli;

namespace Understudy.Tests.Cli;

/// <summary>The completion scripts ask the program through [suggest:POSITION]; these are the answers they get.</summary>
public class CompletionTests
{
    private static string[] Suggest(string line, int? position = null)
    {
        var output = new StringWriter();
        int exit = CliApp.Build().Parse([$"[suggest:{position ?? line.Length}]", line]).Invoke(new InvocationConfiguration { Output = output });
        Assert.Equal(0, exit);
        return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    [Fact]
    public void Suggest_APrefixOfACommand_GivesThatCommand() => Assert.Equal(["drill"], Suggest("understudy dri"));

    [Fact]
    public void Suggest_AfterASubcommand_GivesItsSubcommandsAndOptions()
    {
        string[] words = Suggest("understudy drill ");
        Assert.Contains("run", words);
        Assert.Contains("validate", words);
        Assert.DoesNotContain("serve", words);
    }

    [Fact]
    public void Suggest_TheShellArgument_GivesBashAndZsh()
    {
        string[] words = Suggest("understudy completion ");
        Assert.Contains("bash", words);
        Assert.Contains("zsh", words);
        Assert.Equal(["zsh"], Suggest("understudy completion z"));
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _understudy_complete understudy")]
    [InlineData("zsh", "#compdef understudy")]
    public void Completion_PrintsTheShellsScript(string shell, string expected)
    {
        var output = new StringWriter();
        int exit = CliApp.Build().Parse(["completion", shell]).Invoke(new InvocationConfiguration { Output = output });
        Assert.Equal(0, exit);
        Assert.Contains(expected, output.ToString());
        Assert.Contains("[suggest:", output.ToString());
    }
}
