using Understudy.Core.Failover;
using Understudy.Core.Topology;
using Understudy.Metrics;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Metrics;

public class LiveGaugesTests
{
    private static string Render(params ServiceSnapshot[] services)
    {
        var text = new PrometheusText();
        LiveGauges.WriteServices(text, services);
        return text.ToString();
    }

    private static void HasLine(string text, string line) => Assert.Contains(line + "\n", text);

    [Fact]
    public void WriteServices_MembersUpDownAndUnknown_UnknownIsAbsent()
    {
        ServiceSpec spec = Http(members: 3) with { Targets = new TargetsSpec(TimeSpan.FromSeconds(5), null, null) };
        ServiceState state = ServiceState.Initial(spec);
        Walk(ref state, (Ok("web-a", T0), T0), (Fail("web-b", T0), T0), (Fail("web-b", T0), T0), (Fail("web-b", T0), T0));

        string text = Render(new ServiceSnapshot(state, new ProxyCounters(Open: 3, Accepted: 40, Failed: 2, BytesIn: 1000, BytesOut: 64_000)));

        HasLine(text, "understudy_member_up{service=\"web\",member=\"web-a\"} 1");
        HasLine(text, "understudy_member_up{service=\"web\",member=\"web-b\"} 0");
        Assert.DoesNotContain("understudy_member_up{service=\"web\",member=\"web-c\"}", text);
        HasLine(text, "understudy_member_routable{service=\"web\",member=\"web-a\"} 1");
        HasLine(text, "understudy_member_routable{service=\"web\",member=\"web-c\"} 0");
        HasLine(text, "understudy_service_epoch{service=\"web\"} 1");
        HasLine(text, "understudy_service_paused{service=\"web\"} 0");
        HasLine(text, "understudy_healthy_failover_targets{service=\"web\"} 0");
        HasLine(text, "understudy_service_rto_target_seconds{service=\"web\"} 5");
        HasLine(text, "understudy_proxy_connections_open{service=\"web\"} 3");
        HasLine(text, "understudy_proxy_connections_total{service=\"web\"} 40");
        HasLine(text, "understudy_proxy_connections_failed_total{service=\"web\"} 2");
        HasLine(text, "understudy_proxy_bytes_total{service=\"web\",direction=\"in\"} 1000");
        HasLine(text, "understudy_proxy_bytes_total{service=\"web\",direction=\"out\"} 64000");
        Assert.DoesNotContain("understudy_member_replication_lag_bytes{", text);
    }

    [Fact]
    public void WriteServices_PostgresStandbys_LagIsThePrimarysPositionMinusTheirs()
    {
        ServiceState state = ServiceState.Initial(Postgres(members: 3));
        Walk(ref state, (PgPrimary("pg1", T0, lsn: 10_000), T0), (PgStandby("pg2", T0, received: 9_000), T0), (PgStandby("pg3", T0, received: 10_000), T0));

        string text = Render(new ServiceSnapshot(state, null));

        HasLine(text, "understudy_member_replication_lag_bytes{service=\"orders-db\",member=\"pg2\"} 1000");
        HasLine(text, "understudy_member_replication_lag_bytes{service=\"orders-db\",member=\"pg3\"} 0");
        Assert.DoesNotContain("member_replication_lag_bytes{service=\"orders-db\",member=\"pg1\"}", text);
        HasLine(text, "understudy_healthy_failover_targets{service=\"orders-db\"} 2");
        HasLine(text, "understudy_member_routable{service=\"orders-db\",member=\"pg1\"} 1");
        Assert.DoesNotContain("understudy_proxy_connections_open{", text);
    }

    [Fact]
    public void WriteController_WritesVersionStartTimeLeaderAndInstances()
    {
        var text = new PrometheusText();
        LiveGauges.WriteController(text, "1.2.3", T0, leader: false, instances: 3);

        HasLine(text.ToString(), "understudy_controller_info{version=\"1.2.3\"} 1");
        HasLine(text.ToString(), $"understudy_controller_start_time_seconds {T0.ToUnixTimeSeconds()}");
        HasLine(text.ToString(), "understudy_controller_leader 0");
        HasLine(text.ToString(), "understudy_controller_instances 3");
    }
}
