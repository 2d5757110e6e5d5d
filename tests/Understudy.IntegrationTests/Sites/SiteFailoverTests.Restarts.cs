using System.Net.Http.Json;
using System.Text.Json;
using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.Core.Sites;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;
using Understudy.Sites;

namespace Understudy.IntegrationTests.Sites;

/// <summary>Site operations live in the journal: they outlive the controller that took them, and expire unapproved.</summary>
public partial class SiteFailoverTests
{
    [Fact]
    public async Task FailoverSite_ControllerRestartedWhileAwaitingApproval_ApprovedAfterTheRestartItCompletes()
    {
        await using var setup = await TwoSites.StartAsync();
        string id;
        await using (var first = await setup.StartControllerAsync())
        {
            id = await setup.RequestAsync();
            await first.StopAsync();
        }

        await using var controller = await setup.StartControllerAsync();
        SiteOperationView before = await OperationAsync(controller, id);
        Assert.Equal((SiteStates.AwaitingApproval, "alice", "region drill"), (before.State, before.RequestedBy, before.Reason));
        Assert.Equal(Order, before.Steps.Select(s => s.Service));

        CliRunner.Result approved = await setup.CliAsync(BobToken, "approve", id, "--comment", "after the restart", "--wait", "--timeout", "90s");
        Assert.True(approved.ExitCode == 0, approved.Out + approved.Err + controller.Output);
        Assert.Contains($"{id} site east completed", approved.Out);

        foreach (string service in Order)
        {
            Assert.Equal($"{service}-b", (await controller.ServiceAsync(service)).Routable);
            EventView approval = Assert.Single(await controller.EventsAsync(service, EventTypes.SiteApproved));
            Assert.Equal("bob", approval.Actor);
            Assert.Contains("after the restart", Text(approval, "comment"));
        }
        SiteView east = Assert.Single((await controller.Http.GetFromJsonAsync<List<SiteView>>("/api/sites", ApiJson.Options))!);
        Assert.Equal(("east", 1), (east.Name, east.ApprovalsNeeded));
        Assert.Equal((id, SiteStates.Completed), (Assert.Single(east.Operations).Id, east.Operations[0].State));
    }

    [Fact]
    public async Task FailoverSite_ControllerKilledAfterTheFirstMove_TheNextControllerResumesItAndEveryServiceLeavesTheSite()
    {
        // web's veto hook takes its time, so the operation is still under way when the controller is killed.
        await using var setup = await TwoSites.StartAsync(webHooks: """{ veto: [ { exec: [sh, -c, "sleep 4"], timeout: 10s } ] }""");
        string id;
        await using (var first = await setup.StartControllerAsync())
        {
            id = await setup.RequestAsync();
            CliRunner.Result approved = await setup.CliAsync(BobToken, "approve", id);
            Assert.True(approved.ExitCode == 0, approved.Out + approved.Err);
            await Eventually.TrueAsync(async () => (await first.EventsAsync("db", EventTypes.SiteServiceMoved)).Count == 1, "db moved", TimeSpan.FromSeconds(60));
            await first.KillAsync();
        }

        await using var controller = await setup.StartControllerAsync();
        SiteOperationView? done = null;
        try
        {
            done = await Eventually.GetAsync(async () => await OperationAsync(controller, id) is { State: SiteStates.Completed } op ? op : null,
                "the resumed operation completed", TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            Assert.Fail(JsonSerializer.Serialize(await OperationAsync(controller, id)) + "\n" + controller.Output);
        }

        EventView resumed = (await controller.EventsAsync(type: EventTypes.SiteResumed)).First();
        Assert.Contains($"resumed site failover {id} of east after this controller restarted: moved so far: db to db-b", Text(resumed, "reason"));
        foreach (string service in Order)
        {
            Assert.Equal($"{service}-b", (await controller.ServiceAsync(service)).Routable);
            Assert.Equal("moved", done.Steps.Single(s => s.Service == service).Status);
            // Each service moved once: the resumed operation neither moved db again nor asked twice for a request it had handed in.
            Assert.Single(await controller.EventsAsync(service, EventTypes.SwitchoverCompleted));
            Assert.Single(await controller.EventsAsync(service, EventTypes.SiteServiceMoved));
        }
    }

    [Fact]
    public async Task FailoverSite_NotApprovedWithinApprovalTimeout_ExpiresAndCannotBeApproved()
    {
        await using var setup = await TwoSites.StartAsync(approvalTimeout: "2s");
        await using var controller = await setup.StartControllerAsync();
        string id = await setup.RequestAsync();

        await Eventually.TrueAsync(async () => (await controller.EventsAsync("db", EventTypes.SiteExpired)).Count == 1, "site.expired");
        CliRunner.Result late = await setup.CliAsync(BobToken, "approve", id);

        Assert.Equal(2, late.ExitCode);
        Assert.Contains($"site operation {id} is already expired: site failover {id} of east expired: nobody approved it by", late.Err);
        Assert.Equal(SiteStates.Expired, (await OperationAsync(controller, id)).State);
        foreach (string service in Order)
        {
            Assert.Equal($"{service}-a", (await controller.ServiceAsync(service)).Routable);
            Assert.Empty(await controller.EventsAsync(service, EventTypes.RequestCreated));
        }
    }

    private static async Task<SiteOperationView> OperationAsync(ControllerProcess controller, string id) =>
        (await controller.Http.GetFromJsonAsync<SiteOperationView>($"/api/sites/operations/{id}", ApiJson.Options))!;
}
