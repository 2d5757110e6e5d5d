using Understudy.Config;
using Understudy.Core.Topology;

namespace Understudy.Tests.Config;

/// <summary>alerts: global and per service channels, their secrets, events and rate limit.</summary>
public partial class ConfigLoaderTests
{
    private static readonly Dictionary<string, string> AlertSecrets = new()
    {
        ["SLACK_URL"] = "https://hooks.slack.com/services/T0/B0/s3cr3t", ["PD_KEY"] = "R0UT1NGKEY", ["SMTP_PASSWORD"] = "hunter22",
    };

    /// <summary>Base, then a top-level <c>alerts:</c> whose items start on line 9, 3 columns in.</summary>
    private static string Alerts(string items) => Base + "\nalerts:\n" + string.Join("\n", items.Split('\n').Select(l => "  " + l));

    [Fact]
    public void Parse_EveryChannel_GlobalAndPerServiceWithDefaults()
    {
        UnderstudySpec spec = AssertValid(Web("""
            alerts:
              - { webhook: { url: "http://127.0.0.1:9099/hook" }, events: [member, drill], min_interval: 0 }
            """) + """

            alerts:
              - slack: { url: "${SLACK_URL}" }
                min_interval: 5m
              - pagerduty: { routing_key: "${PD_KEY}" }
              - email:
                  smtp: 127.0.0.1:2525
                  from: Understudy <understudy@example.com>
                  to: [oncall@example.com, dba@example.com]
                  username: understudy
                  password: "${SMTP_PASSWORD}"
            """, AlertSecrets);

        var webhook = Assert.IsType<WebhookChannelSpec>(Assert.Single(spec.Services[0].AlertChannels));
        Assert.Equal(("services.web.alerts[0].webhook", AlertTopics.Member | AlertTopics.Drill, TimeSpan.Zero, "http://127.0.0.1:9099/hook"),
            (webhook.Name, webhook.Topics, webhook.MinInterval, webhook.Url.ToString()));
        Assert.Equal(3, spec.AlertChannels.Length);
        var slack = Assert.IsType<SlackChannelSpec>(spec.AlertChannels[0]);
        Assert.Equal(("alerts[0].slack", AlertTopics.All, TimeSpan.FromMinutes(5), AlertSecrets["SLACK_URL"]), (slack.Name, slack.Topics, slack.MinInterval, slack.Url.ToString()));
        var pager = Assert.IsType<PagerDutyChannelSpec>(spec.AlertChannels[1]);
        Assert.Equal(("alerts[1].pagerduty", "R0UT1NGKEY", AlertDefaults.PagerDutyUrl, AlertDefaults.MinInterval), (pager.Name, pager.RoutingKey, pager.Url, pager.MinInterval));
        var email = Assert.IsType<EmailChannelSpec>(spec.AlertChannels[2]);
        Assert.Equal((new HostPort("127.0.0.1", 2525), "\"Understudy\" <understudy@example.com>", "understudy", "hunter22", true),
            (email.Smtp, email.From, email.Username, email.Password, email.StartTls));
        Assert.Equal(["oncall@example.com", "dba@example.com"], email.To.AsEnumerable());
    }

    [Fact]
    public void Parse_NoAlerts_NoChannels()
    {
        UnderstudySpec spec = AssertValid(Base + "\nalerts:");

        Assert.Empty(spec.AlertChannels);
        Assert.Empty(spec.Services[0].AlertChannels);
    }

    [Fact]
    public void ToString_Channels_NeverShowTheirSecrets()
    {
        UnderstudySpec spec = AssertValid(Alerts("""
            - slack: { url: "${SLACK_URL}" }
            - pagerduty: { routing_key: "${PD_KEY}" }
            - email: { smtp: "127.0.0.1:25", from: a@example.com, to: [b@example.com], username: u, password: "${SMTP_PASSWORD}" }
            """), AlertSecrets);

        string printed = string.Join(" ", spec.AlertChannels) + spec;
        Assert.Contains("Name = alerts[0].slack", printed);
        Assert.DoesNotContain("s3cr3t", printed);
        Assert.DoesNotContain("R0UT1NGKEY", printed);
        Assert.DoesNotContain("hunter22", printed);
    }

    [Fact]
    public void Parse_UrlFromFile_IsItsText()
    {
        string folder = Directory.CreateTempSubdirectory("understudy-alerts-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "slack"), "https://hooks.slack.com/services/T/B/x\n");
            UnderstudySpec spec = AssertValid(Alerts($"- slack: {{ url: \"file:{folder}/slack\" }}"));
            Assert.Equal("https://hooks.slack.com/services/T/B/x", ((SlackChannelSpec)spec.AlertChannels[0]).Url.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Parse_AlertsNotASequence_ShowsTheShape() => AssertErrors(
        Base + "\nalerts: { slack: { url: x } }",
        "understudy.yaml:8:9 alerts: expected a sequence of channels, e.g. [ { slack: { url: \"${SLACK_URL}\" } } ], got a mapping");

    [Fact]
    public void Parse_ItemWithoutChannel_NamesTheChannels() => AssertErrors(
        Alerts("- { events: [member] }"),
        "understudy.yaml:9:5 alerts[0]: required: one channel: webhook, slack, pagerduty, email");

    [Fact]
    public void Parse_TwoChannelsInOneItem_PointsAtTheSecond() => AssertErrors(
        Alerts("- { slack: { url: \"http://127.0.0.1/a\" }, webhook: { url: \"http://127.0.0.1/b\" } }"),
        "understudy.yaml:9:45 alerts[0].webhook: one channel per item; this one already has slack");

    [Fact]
    public void Parse_UnknownChannel_ListsTheKeysAnItemTakes() => AssertErrors(
        Alerts("- { teams: { url: \"http://127.0.0.1/a\" } }"),
        "understudy.yaml:9:5 alerts[0]: required: one channel: webhook, slack, pagerduty, email",
        "understudy.yaml:9:7 alerts[0].teams: unknown key (accepted: webhook, slack, pagerduty, email, events, min_interval)");

    [Fact]
    public void Parse_BadUrls_NeverQuoteThem()
    {
        ConfigResult result = Parse(Alerts("""
            - slack: { url: "hooks.slack.com/services/T0/B0/inline-token" }
            - webhook: { url: "${SLACK_URL}" }
            - webhook: { url: "${NOT_SET}" }
            """), new() { ["SLACK_URL"] = "ftp://example.com/env-token" });

        Assert.Equal([
            "understudy.yaml:9:19 alerts[0].slack.url: expected an absolute http or https URL (the value is not shown: it may hold a token)",
            "understudy.yaml:10:21 alerts[1].webhook.url: expected an absolute http or https URL (the value is not shown: it may hold a token)",
            "understudy.yaml:11:21 alerts[2].webhook.url: environment variable NOT_SET is not set",
        ], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_SecretFileMissing_NamesThePath() => AssertErrors(
        Alerts("- pagerduty: { routing_key: file:pd-key, url: \"http://127.0.0.1:9/enqueue\" }"),
        $"understudy.yaml:9:31 alerts[0].pagerduty.routing_key: cannot read {Path.Combine(Folder, "pd-key")}: no such file");

    [Fact]
    public void Parse_PagerDutyWithoutKey_SaysWhatItNeeds() => AssertErrors(
        Alerts("- pagerduty: {}"),
        "understudy.yaml:9:16 alerts[0].pagerduty.routing_key: required: the integration's routing key, ${ENV_VAR} or file:PATH");

    [Fact]
    public void Parse_BadEmail_ReportsEveryField() => AssertErrors(
        Alerts("""
            - email:
                smtp: mail.example.com
                from: not-an-address
                to: []
                username: understudy
                starttls: yes
            """),
        "understudy.yaml:10:13 alerts[0].email.smtp: expected host:port (e.g. 127.0.0.1:8080), got 'mail.example.com'",
        "understudy.yaml:11:13 alerts[0].email.from: expected an email address such as alerts@example.com, got 'not-an-address'",
        "understudy.yaml:12:11 alerts[0].email.to: expected at least one address",
        "understudy.yaml:13:7 alerts[0].email.username: requires password as well",
        "understudy.yaml:14:17 alerts[0].email.starttls: expected true or false, got 'yes'");

    [Fact]
    public void Parse_BadEventsAndInterval_NameTheChoices() => AssertErrors(
        Alerts("""
            - slack: { url: "http://127.0.0.1/a" }
              events: [failover, paging]
              min_interval: 5
            - slack: { url: "http://127.0.0.1/b" }
              events: []
            """),
        "understudy.yaml:10:24 alerts[0].events[1]: expected one of failover, degraded, member, request, drill, safety, got 'paging'",
        "understudy.yaml:11:19 alerts[0].min_interval: '5' has no unit; use ms, s, m or h, e.g. 5s",
        "understudy.yaml:13:13 alerts[1].events: expected at least one of failover, degraded, member, request, drill, safety; leave events out for all of them");

    [Fact]
    public void Parse_ServiceAlerts_ErrorsNameTheService() => AssertErrors(
        Web("alerts:\n  - webhook: {}"),
        "understudy.yaml:9:18 services.web.alerts[0].webhook.url: required: an http or https URL, ${ENV_VAR} or file:PATH");
}
