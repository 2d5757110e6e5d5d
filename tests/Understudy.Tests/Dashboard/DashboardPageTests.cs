using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Understudy.Core.Topology;
using Understudy.Dashboard;

namespace Understudy.Tests.Dashboard;

public partial class DashboardPageTests
{
    private static readonly ControllerSpec Open = new(new HostPort("127.0.0.1", 7400), "understudy.db");

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex InlineScript();

    [Fact]
    public void Build_OnePageWithEveryPlaceholderFilled_ItsScriptAllowedByHashAlone()
    {
        var (html, policy) = DashboardPage.Build(Open);

        Assert.DoesNotContain("{{", html);
        string script = Assert.Single(InlineScript().Matches(html)).Groups[1].Value;
        Assert.Contains("function el(", script);
        Assert.Contains("async function poll(", script);
        string hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(script)));
        Assert.Contains($"script-src 'sha256-{hash}';", policy);
        Assert.DoesNotContain("unsafe-eval", policy);
        Assert.DoesNotContain("://", html); // the machine may be offline: nothing is loaded from elsewhere
    }

    [Fact]
    public void Build_Header_HasTheClusterLineHiddenUntilTheApiNamesACluster()
    {
        string html = DashboardPage.Build(Open).Html;
        string script = InlineScript().Match(html).Groups[1].Value;

        Assert.Contains("<p id=\"cluster\" class=\"muted\" hidden></p>", html);
        Assert.Contains("getJson('/api/cluster')", script);
        Assert.Contains("function clusterLine(c) {\n  if (!c.cluster) return null;", script); // a single controller shows nothing
        Assert.Contains("`cluster ${c.cluster} · ${leader} · this instance ${c.instance} (routing ${fmt.words(c.routing)})${problem}`", script);
    }

    [Fact]
    public void Build_SitesPanel_HiddenUntilTheApiListsSites_PlansBeforeAsking_DecidesLikeRequests()
    {
        string html = DashboardPage.Build(Open).Html;
        string script = InlineScript().Match(html).Groups[1].Value;

        Assert.Contains("<section id=\"sites-section\" aria-labelledby=\"sites-title\" hidden>", html);
        Assert.Contains("getJson('/api/sites')", script);
        Assert.Contains("function showSites(sites, services) {\n  $('sites-section').hidden = sites.length === 0;", script);
        Assert.Contains("body: JSON.stringify({ reason: f.reason.value.trim(), dry_run: dryRun }),", script);
        // Approving a site operation goes through the request cards' controls and their decide().
        Assert.Contains("decisionControls(op.id, ", script);
        Assert.Contains("decide(`/api/sites/operations/${encodeURIComponent(op.id)}`, verb, card)", script);
        Assert.Contains("decide(`/api/requests/${encodeURIComponent(r.id)}`, verb, card)", script);
        Assert.Single(Regex.Matches(script, "class: 'approve'"));
    }

    [Fact]
    public void Build_ServiceCard_SaysWhenVetoHooksHoldAChange()
    {
        string script = InlineScript().Match(DashboardPage.Build(Open).Html).Groups[1].Value;

        Assert.Contains("s.veto && fact('Veto', vetoText(s.veto), 'veto')", script);
        Assert.Contains("`⛔ ${change} vetoed: ${v.reason}; asked again at ${fmt.time(v.retry_at)}`", script);
        Assert.Contains("`asking veto hooks whether the ${change} may start (since ${fmt.time(v.since)})…`", script);
    }

    [Fact]
    public void Build_WithOrWithoutTokens_TellsThePageWhetherToAskForOne()
    {
        var token = new ApiToken("bob", ApiRole.Approver, [.. SHA256.HashData("bob-0123456789abcdef"u8)]);

        Assert.Contains("<body data-auth=\"none\">", DashboardPage.Build(Open).Html);
        Assert.Contains("<body data-auth=\"tokens\">", DashboardPage.Build(Open with { Tokens = [token] }).Html);
    }

    [Fact]
    public void Scripts_NeverUseInnerHtml()
    {
        // Data from the API reaches the DOM only as text nodes and attribute values.
        string script = InlineScript().Match(DashboardPage.Build(Open).Html).Groups[1].Value;

        Assert.DoesNotContain("innerHTML", script);
        Assert.DoesNotContain("outerHTML", script);
        Assert.DoesNotContain("insertAdjacentHTML", script);
        Assert.DoesNotContain("document.write", script);
        Assert.DoesNotContain("console.", script);
        Assert.DoesNotContain("localStorage", script);
    }
}
