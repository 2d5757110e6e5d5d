using System.Text.Json;
using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.Hosting;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Sites;

/// <summary>
/// Issue 15: three http services (db, api, web) of sample apps, each with an east member (-a, primary) and a west one (-b),
/// and <c>sites.east: [db, api, web]</c>; one approval each. A site failover through the real CLI and controller.
/// </summary>
[Collection(RealProcesses.Name)]
public partial class SiteFailoverTests
{
    private const string AliceToken = SiteSetup.AliceToken, BobToken = SiteSetup.BobToken;
    private static readonly string[] Order = ["db", "api", "web"];

    [Fact]
    public async Task FailoverSite_OneApproval_MovesEveryServiceWestInTheSitesOrder()
    {
        await using var setup = await TwoSites.StartAsync();
        await using var controller = await setup.StartControllerAsync();

        CliRunner.Result plan = await setup.CliAsync(AliceToken, "failover", "--site", "east", "--reason", "region drill", "--dry-run");
        Assert.True(plan.ExitCode == 0, plan.Err);
        Assert.Contains("dry run: failover of site east (needs 1 approval); nothing was changed", plan.Out);
        Assert.Contains("1. db: switchover from db-a to db-b", plan.Out);
        Assert.Contains("3. web: switchover from web-a to web-b", plan.Out);

        string id = await setup.RequestAsync();
        CliRunner.Result approved = await setup.CliAsync(BobToken, "approve", id, "--comment", "go", "--wait", "--timeout", "90s");
        Assert.True(approved.ExitCode == 0, approved.Out + approved.Err + controller.Output);
        Assert.Contains($"{id} site east completed", approved.Out);

        foreach (string service in Order) Assert.Equal($"{service}-b", (await controller.ServiceAsync(service)).Routable);
        var switched = new List<EventView>();
        foreach (string service in Order)
        {
            switched.Add(Assert.Single(await controller.EventsAsync(service, EventTypes.SwitchoverCompleted)));
            // Each service's own request carried the site's approval, said so, and the move was journaled as the site's.
            var approval = Assert.Single(await controller.EventsAsync(service, EventTypes.RequestApproved));
            Assert.Equal("bob", approval.Actor);
            Assert.Contains($"approved site failover {id} of east", Text(approval, "comment"));
            Assert.Single(await controller.EventsAsync(service, EventTypes.SiteServiceMoved));
            Assert.Single(await controller.EventsAsync(service, EventTypes.SiteCompleted));
        }
        Assert.Equal(switched.OrderBy(e => e.Id).Select(e => e.Service), Order);
        await AssertCompletedReportAsync(setup, controller, id);
    }

    [Fact]
    public async Task FailoverSite_ThirdServiceVetoed_RollsTheFirstTwoBackEast()
    {
        await using var setup = await TwoSites.StartAsync(webHooks: """{ veto: [ { exec: [sh, -c, "echo change freeze on web; exit 1"], timeout: 5s } ] }""");
        await using var controller = await setup.StartControllerAsync();

        string id = await setup.RequestAsync();
        CliRunner.Result approved = await setup.CliAsync(BobToken, "approve", id, "--wait", "--timeout", "90s");
        Assert.True(approved.ExitCode == 1, approved.Out + approved.Err + controller.Output);
        Assert.Contains($"{id} site east failed", approved.Out);

        foreach (string service in Order) Assert.Equal($"{service}-a", (await controller.ServiceAsync(service)).Routable);
        EventView failed = Assert.Single(await controller.EventsAsync("web", EventTypes.SiteFailed));
        Assert.Contains("change freeze on web", Text(failed, "reason"));
        var rolledBack = new List<EventView>();
        foreach (string service in new[] { "api", "db" })
        {
            Assert.Equal(2, (await controller.EventsAsync(service, EventTypes.SwitchoverCompleted)).Count);
            EventView back = Assert.Single(await controller.EventsAsync(service, EventTypes.SiteRolledBack));
            Assert.True(((JsonElement)back.Details["succeeded"]!).GetBoolean());
            rolledBack.Add(back);
        }
        // Newest first: api went back before db.
        Assert.True(rolledBack[0].Id < rolledBack[1].Id);
        Assert.Empty(await controller.EventsAsync("web", EventTypes.SwitchoverCompleted));
        await AssertRolledBackReportAsync(setup, controller, id);
    }

    [Fact]
    public async Task FailoverSite_SecondServicesWestMemberDown_PlanRefusesNamingItAndNothingMoves()
    {
        await using var setup = await TwoSites.StartAsync();
        await using var controller = await setup.StartControllerAsync();
        setup.App("api-b").Kill();
        await Eventually.TrueAsync(async () => (await controller.ServiceAsync("api")).Members.Single(m => m.Name == "api-b").Health == "down", "api-b down");

        CliRunner.Result refused = await setup.CliAsync(AliceToken, "failover", "--site", "east", "--reason", "region drill");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("site failover of east refused: api: api-b cannot take over: it is down", refused.Err);
        foreach (string service in Order) Assert.Equal($"{service}-a", (await controller.ServiceAsync(service)).Routable);
        Assert.Empty(await controller.EventsAsync("db", EventTypes.SiteRequested));
    }

    [Fact]
    public async Task ApproveAndReject_SiteOperation_RequesterCannotApproveThenBobRejectsAndNothingMoves()
    {
        await using var setup = await TwoSites.StartAsync();
        await using var controller = await setup.StartControllerAsync();
        string id = await setup.RequestAsync();

        CliRunner.Result self = await setup.CliAsync(AliceToken, "approve", id);
        Assert.Equal(2, self.ExitCode);
        Assert.Contains($"alice requested site operation {id} and cannot approve it", self.Err);

        CliRunner.Result rejected = await setup.CliAsync(BobToken, "reject", id, "--comment", "not tonight");
        Assert.True(rejected.ExitCode == 0, rejected.Out + rejected.Err);
        Assert.Contains($"{id} site east rejected", rejected.Out);
        Assert.Equal(2, (await setup.CliAsync(BobToken, "approve", id)).ExitCode);

        foreach (string service in Order)
        {
            Assert.Equal($"{service}-a", (await controller.ServiceAsync(service)).Routable);
            Assert.Equal("bob", Assert.Single(await controller.EventsAsync(service, EventTypes.SiteRejected)).Actor);
            Assert.Empty(await controller.EventsAsync(service, EventTypes.RequestCreated));
        }
    }

    [Theory]
    [InlineData("give the SERVICE to fail over, or --site NAME to fail over a whole site")]
    [InlineData("give a SERVICE or --site, not both", "web", "--site", "east")]
    public async Task Failover_NeitherOrBothOfServiceAndSite_IsAnInputError(string message, params string[] args)
    {
        CliRunner.Result result = await CliRunner.RunAsync(["failover", .. args, "--reason", "x", "--api", "http://127.0.0.1:9"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Err);
    }

    private static string Text(EventView e, string key) => ((JsonElement)e.Details[key]!).GetString()!;

    private sealed class TwoSites : SiteSetup, IAsyncDisposable
    {
        /// <param name="approvalTimeout">Every service's <c>failover.approval_timeout</c>, when not the default.</param>
        public static async Task<TwoSites> StartAsync(string webHooks = "{}", string? approvalTimeout = null)
        {
            var setup = new TwoSites();
            try
            {
                var services = new List<string>();
                foreach (string name in Order)
                    services.Add(await setup.StartAppServiceAsync(name, FreePort.Next(),
                        $"{{ mode: manual, cooldown: 0s, approvals: 1{(approvalTimeout is null ? "" : $", approval_timeout: {approvalTimeout}")} }}", name == "web" ? webHooks : "{}"));
                await setup.WriteConfigAsync(services, "  east: { services: [db, api, web] }");
                return setup;
            }
            catch
            {
                await setup.DisposeAsync();
                throw;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
