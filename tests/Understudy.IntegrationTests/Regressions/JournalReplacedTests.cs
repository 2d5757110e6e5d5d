using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Regressions;

/// <summary>
/// Issue 13 item 4: a journal deleted or truncated under the running controller went unnoticed, and the next start
/// failed back to the config's primary at an epoch already used. Now the running controller starts a new file at
/// once (history copied, or every service's snapshot), alerts, and a start on a journal that knows less refuses.
/// </summary>
[Collection(RealProcesses.Name)]
public class JournalReplacedTests
{
    [Theory]
    [InlineData("deleted")]
    [InlineData("truncated")]
    public async Task JournalLostWhileRunning_NewFileStartedAtOnceAndTheRestartKeepsTheNewPrimary(string how)
    {
        await using var pair = await WebPair.StartAsync();
        string journal = pair.Dir.File("journal.db");
        var controller = await pair.StartControllerAsync();
        try
        {
            await FailOverToBAsync(pair, controller);

            if (how == "deleted") DeleteJournal(journal);
            else await using (var f = new FileStream(journal, FileMode.Open, FileAccess.Write)) f.SetLength(0);

            var replaced = Assert.Single(await Eventually.GetAsync(async () =>
                await controller.EventsAsync(type: EventTypes.JournalReplaced) is { Count: > 0 } e ? e : null, "journal.replaced"));
            Assert.Contains(how == "deleted" ? "was deleted" : "was truncated", replaced.Details["reason"]!.ToString());
            if (how == "deleted")
                Assert.Single(await controller.EventsAsync("web", EventTypes.FailoverCompleted)); // the whole history came along
            else
                await Eventually.TrueAsync(async () => (await controller.EventsAsync("web", EventTypes.Snapshot)).Count > 0, "web's snapshot in the new file");
            await controller.StopAsync();
        }
        finally { await controller.DisposeAsync(); }

        await pair.RestartAAsync();
        await using var again = await ControllerProcess.StartAsync(pair.Config, pair.ApiPort);
        var web = await again.ServiceAsync("web");
        Assert.Equal((2L, "web-b", "web-b"), (web.Epoch, web.Primary, web.Routable));
    }

    [Fact]
    public async Task StartOnAJournalThatKnowsLess_RefusedThenNewJournalStartsAfterTheLastEpoch()
    {
        await using var pair = await WebPair.StartAsync();
        await using (var controller = await pair.StartControllerAsync())
        {
            await FailOverToBAsync(pair, controller);
            await controller.StopAsync();
        }
        DeleteJournal(pair.Dir.File("journal.db")); // while nothing ran; the epoch marker beside it stays

        var refused = await CliRunner.RunAsync("serve", "-c", pair.Config);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("web at epoch 1, the last run reached 2", refused.Err);
        Assert.Contains("--new-journal", refused.Err);
        Assert.DoesNotContain("   at ", refused.Err);

        await pair.RestartAAsync();
        await using var accepted = await ControllerProcess.StartAsync(pair.Config, pair.ApiPort, extraArgs: "--new-journal");
        Assert.Equal(3L, (await accepted.ServiceAsync("web")).Epoch);
    }

    /// <summary>The journal as an operator would remove it: the file and SQLite's -wal and -shm.</summary>
    private static void DeleteJournal(string journal)
    {
        foreach (string suffix in new[] { "", "-wal", "-shm" }) File.Delete(journal + suffix);
    }

    private static async Task FailOverToBAsync(WebPair pair, ControllerProcess controller)
    {
        pair.A.Kill();
        await Eventually.TrueAsync(async () => (await controller.EventsAsync("web", EventTypes.FailoverCompleted)).Count == 1, "failover to web-b");
    }
}
