using System.Collections.Immutable;
using Understudy.Core.Failover;
using Understudy.Core.Journal;
using Understudy.Core.Sites;
using Understudy.Core.Topology;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Sites;

public class SitePlanTests
{
    private static readonly SiteSpec East = new("east", ["db", "api", "web"]);

    /// <summary>An http service NAME with members NAME-a (east), NAME-b (east unless <paramref name="bWest"/>), and NAME-c (west) when three.</summary>
    private static ServiceSpec Service(string name, int members = 2, string primary = "a")
    {
        ServiceSpec web = Http(members: members, primary: $"web-{primary}");
        string[] sites = members == 2 ? ["east", "west"] : ["east", "east", "west"];
        return web with
        {
            Name = name, Primary = $"{name}-{primary}",
            Members = [.. web.Members.Select((m, i) => m with { Name = $"{name}-{(char)('a' + i)}", Site = sites[i] })],
        };
    }

    private static ServiceState Up(ServiceSpec spec)
    {
        ServiceState s = AllUp(spec, T0);
        foreach (var m in spec.Members) s = Decider.Decide(s, Ok(m.Name, At(0.2)), At(0.2)).State;
        return s;
    }

    private static ServiceState Down(ServiceState s, string member)
    {
        for (int i = 1; i <= 3; i++) s = Decider.Decide(s, Fail(member, At(1 + i * 0.2)), At(1 + i * 0.2)).State;
        return s;
    }

    private static Dictionary<string, ServiceState> States(params ServiceState[] states) => states.ToDictionary(s => s.Name);

    [Fact]
    public void Plan_HealthyPrimariesInTheSite_SwitchEachOverToTheOtherSiteInTheSitesOrder()
    {
        SitePlan plan = SitePlanner.Plan(East, States(Up(Service("web")), Up(Service("db")), Up(Service("api"))), 1);

        Assert.Null(plan.Refused);
        Assert.Equal([("db", RequestKind.Switchover, "db-b"), ("api", RequestKind.Switchover, "api-b"), ("web", RequestKind.Switchover, "web-b")],
            plan.Steps.Select(s => (s.Service, s.Kind!.Value, s.To!)));
        Assert.Equal(1, plan.ApprovalsNeeded);
    }

    [Fact]
    public void Plan_PrimaryAlreadyOutsideTheSite_IsSkippedAndSaysWhy()
    {
        SitePlan plan = SitePlanner.Plan(East, States(Up(Service("db", primary: "b")), Up(Service("api")), Up(Service("web"))), 0);

        SiteStep db = plan.Steps[0];
        Assert.False(db.Moves);
        Assert.Equal("skipped: its primary db-b is in west, not east", db.Why);
        Assert.Equal(["api", "web"], plan.Moves.Select(s => s.Service));
    }

    [Fact]
    public void Plan_PrimaryDown_FailsThatServiceOver()
    {
        ServiceSpec api = Service("api") with { Failover = Service("api").Failover with { Mode = FailoverMode.Manual } };
        SitePlan plan = SitePlanner.Plan(East, States(Up(Service("db")), Down(Up(api), "api-a"), Up(Service("web"))), 0);

        Assert.Null(plan.Refused);
        Assert.Equal([RequestKind.Switchover, RequestKind.Failover, RequestKind.Switchover], plan.Steps.Select(s => s.Kind!.Value));
        Assert.Equal("api-b", plan.Steps[1].To);
    }

    [Fact]
    public void Plan_TargetsOnlyMembersOutsideTheSite_EvenWhenAnEastStandbyRanksHigher()
    {
        ServiceSpec db = Service("db", members: 3);
        db = db with { Members = [.. db.Members.Select(m => m.Name == "db-b" ? m with { Priority = 10 } : m)] };

        SitePlan plan = SitePlanner.Plan(East, States(Up(db), Up(Service("api")), Up(Service("web"))), 0);

        Assert.Equal("db-c", plan.Steps[0].To);
    }

    [Fact]
    public void Plan_AServiceWithNoTargetOutsideTheSite_RefusesNamingItAndWhy()
    {
        SitePlan plan = SitePlanner.Plan(East, States(Up(Service("db")), Down(Up(Service("api")), "api-b"), Up(Service("web"))), 0);

        Assert.Equal("site failover of east refused: api: api-b cannot take over: it is down", plan.Refused);
        Assert.False(plan.Steps[1].Moves);
    }

    [Fact]
    public void Plan_AServiceTheControllerDoesNotHave_Refuses()
    {
        SitePlan plan = SitePlanner.Plan(East, States(Up(Service("db")), Up(Service("web"))), 0);

        Assert.Equal("site failover of east refused: api: the controller has no such service", plan.Refused);
    }

    [Fact]
    public void CanReturn_OriginalPrimaryUpAndACandidate_IsAllowed_ButNotWhenItIsDown()
    {
        ServiceState web = Up(Service("web"));
        Assert.True(SitePlanner.CanReturn(web, "web-a", out _));

        ServiceState moved = web with { Primary = "web-b", Routable = "web-b" };
        Assert.True(SitePlanner.CanReturn(moved, "web-a", out _));
        Assert.False(SitePlanner.CanReturn(Down(moved, "web-a"), "web-a", out string why));
        Assert.Equal("web-a cannot take over: it is down", why);
    }

    [Fact]
    public void ApprovalsNeeded_IsTheLargestOfItsServices_UnlessTheSiteSetsIt()
    {
        ServiceSpec db = Service("db"), api = Service("api"), web = Service("web");
        ImmutableArray<ServiceSpec> all = [db with { Failover = db.Failover with { Approvals = 2 } }, api with { Failover = api.Failover with { Approvals = 1 } }, web];

        Assert.Equal(2, East.ApprovalsNeeded(all));
        Assert.Equal(3, (East with { Approvals = 3 }).ApprovalsNeeded(all));
    }
}
