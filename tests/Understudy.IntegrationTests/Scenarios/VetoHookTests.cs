using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Scenarios;

/// <summary>Issue 15: a veto hook that exits non-zero refuses a switchover or a failover, with its words in the journal.</summary>
[Collection(RealProcesses.Name)]
public class VetoHookTests
{
    [Fact]
    public async Task Veto_RefusesTheSwitchoverWhileTheFreezeFileExists_ThenAllowsIt()
    {
        await using var pair = await WebPair.StartAsync(
            hooks: """{ veto: [ { exec: [sh, -c, "if [ -e freeze ]; then echo \"change freeze: $(cat freeze)\"; exit 1; fi", "{{change}}"], timeout: 5s } ] }""");
        await File.WriteAllTextAsync(pair.Dir.File("freeze"), "release 4.2 in progress");
        await using var controller = await pair.StartControllerAsync();
        var api = new Dictionary<string, string> { ["UNDERSTUDY_API"] = $"http://127.0.0.1:{pair.ApiPort}" };

        var refused = await CliRunner.RunAsync(api, "switchover", "web", "--to", "web-b", "--reason", "patch web-a", "--wait");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("change freeze: release 4.2 in progress", refused.Out + refused.Err);
        var vetoed = Assert.Single(await controller.EventsAsync("web", EventTypes.ChangeVetoed));
        Assert.Contains("change freeze: release 4.2 in progress", vetoed.Details["reason"]?.ToString());
        Assert.Single(await controller.EventsAsync("web", EventTypes.RequestFailed));
        Assert.Equal("web-a", (await controller.ServiceAsync("web")).Routable);

        File.Delete(pair.Dir.File("freeze"));
        var allowed = await CliRunner.RunAsync(api, "switchover", "web", "--to", "web-b", "--reason", "patch web-a", "--wait");

        Assert.True(allowed.ExitCode == 0, allowed.Out + allowed.Err);
        await Eventually.TrueAsync(async () => (await controller.ServiceAsync("web")).Routable == "web-b", "the allowed switchover");
        var types = (await controller.EventsAsync("web")).Select(e => e.Type).Where(t => t is EventTypes.VetoAsked or EventTypes.ChangeAllowed or EventTypes.SwitchoverStarted).ToList();
        Assert.Equal([EventTypes.VetoAsked, EventTypes.VetoAsked, EventTypes.ChangeAllowed, EventTypes.SwitchoverStarted], types);
    }

    [Fact]
    public async Task Veto_AutomaticFailover_StatusSaysAskingThenVetoedWithTheHooksWordsAndWhenItAsksAgain()
    {
        // The hook answers once the test has seen the question, so "asking" is observed without racing it.
        await using var pair = await WebPair.StartAsync(
            hooks: """{ veto: [ { exec: [sh, -c, "while [ ! -e answer ]; do sleep 0.05; done; echo 'change freeze: release 4.2'; exit 1"], timeout: 20s } ] }""");
        await using var controller = await pair.StartControllerAsync();

        pair.A.Kill();
        VetoView asking = await Eventually.GetAsync(async () => (await controller.ServiceAsync("web")).Veto, "the veto hooks asked");
        Assert.Equal(new VetoView("asking", "failover", "web-a", "web-b", null, asking.Since), asking);

        await File.WriteAllTextAsync(pair.Dir.File("answer"), "");
        ServiceView web = await Eventually.GetAsync(async () => await controller.ServiceAsync("web") is { Veto.State: "vetoed" } s ? s : null, "the failover vetoed");

        VetoView vetoed = web.Veto!;
        Assert.Equal(("failover", "web-a", "web-b", null), (vetoed.Kind, vetoed.From, vetoed.To, vetoed.Request));
        Assert.Contains("change freeze: release 4.2", vetoed.Reason);
        // Asked again 30 s after the refusal (the event and the decision take their instants a moment apart).
        Assert.InRange((vetoed.RetryAt - vetoed.Since)!.Value, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(31));
        Assert.Equal(("held", "web-a", "web-a"), (web.Phase, web.Primary, web.Routable));
        Assert.Equal(vetoed.Since, Assert.Single(await controller.EventsAsync("web", EventTypes.ChangeVetoed)).Time);
    }
}
