using System.Net;
using System.Net.Sockets;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Scenarios;

[Collection(RealProcesses.Name)]
public class StartupTests
{
    [Fact]
    public async Task Serve_SecondControllerOnTheSameJournal_RefusesToStart()
    {
        await using var pair = await WebPair.StartAsync();
        await using var first = await ControllerProcess.StartAsync(pair.Config, pair.ApiPort);

        var second = await CliRunner.RunAsync("serve", "-c", pair.Config);

        Assert.Equal(1, second.ExitCode);
        Assert.Contains($"another controller (pid {first.Process.Id}) is writing", second.Err);
        Assert.DoesNotContain("   at ", second.Err);
    }

    [Fact]
    public async Task Serve_ProxyPortTaken_ExitsWithOneLineAndJournalsNothing()
    {
        await using var pair = await WebPair.StartAsync();
        using var squatter = new TcpListener(IPAddress.Loopback, pair.ProxyPort);
        squatter.Start();

        var r = await CliRunner.RunAsync("serve", "-c", pair.Config);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("address already in use", r.Err, StringComparison.OrdinalIgnoreCase);
        Assert.False((r.Err + r.Out).Contains("   at "), $"a stack trace:\n{r.Err}\n{r.Out}");
        var events = await CliRunner.RunAsync("events", "-c", pair.Config, "--json");
        Assert.Equal("[]", events.Out.Trim());
    }

    [Fact]
    public async Task Serve_JournalIsNotADatabase_SaysSoWithoutAStackTrace()
    {
        await using var pair = await WebPair.StartAsync();
        await File.WriteAllTextAsync(pair.Dir.File("journal.db"), "this is not sqlite, it is a text file long enough to have a header");

        var r = await CliRunner.RunAsync("serve", "-c", pair.Config);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("journal.db as a journal: it is not an SQLite database", r.Err);
        Assert.DoesNotContain("   at ", r.Err + r.Out);
    }
}
