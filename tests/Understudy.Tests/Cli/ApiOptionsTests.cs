using System.Net;
using Understudy.Cli;
using Understudy.Core.Topology;

namespace Understudy.Tests.Cli;

public class ApiOptionsTests
{
    private static readonly Uri FromConfig = new ControllerSpec(new HostPort("10.0.0.5", 7500), "j.db").ApiUrl;

    private static string Resolve(string? option, string? environment, Uri? config)
    {
        Assert.True(ApiOptions.TryResolveUrl(option, environment, config, out Uri url, out string whyNot), whyNot);
        return url.ToString();
    }

    [Fact]
    public void TryResolveUrl_ApiOptionGiven_WinsOverEnvironmentAndConfig() =>
        Assert.Equal("http://option:1/", Resolve("http://option:1", "http://env:2", FromConfig));

    [Fact]
    public void TryResolveUrl_NoOption_EnvironmentWinsOverConfig() =>
        Assert.Equal("http://env:2/", Resolve(null, "http://env:2", FromConfig));

    [Fact]
    public void TryResolveUrl_OnlyConfig_UsesItsControllerApi() =>
        Assert.Equal("http://10.0.0.5:7500/", Resolve(" ", "", FromConfig));

    [Fact]
    public void TryResolveUrl_NothingGiven_IsTheLocalDefault() =>
        Assert.Equal("http://127.0.0.1:7400/", Resolve(null, null, null));

    [Theory]
    [InlineData("127.0.0.1:7401", "http://127.0.0.1:7401/")]
    [InlineData("https://ctl.example/understudy", "https://ctl.example/understudy/")]
    public void TryResolveUrl_HostPortOrPathPrefix_BecomesABaseForRelativePaths(string given, string expected) =>
        Assert.Equal(expected, Resolve(given, null, null));

    [Fact]
    public void TryResolveUrl_EnvironmentNotAUrl_NamesTheVariable()
    {
        Assert.False(ApiOptions.TryResolveUrl(null, "ftp://x", FromConfig, out _, out string whyNot));
        Assert.Equal("UNDERSTUDY_API: expected a URL such as http://127.0.0.1:7400, got 'ftp://x'", whyNot);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, CliApp.BadInput)]
    [InlineData(HttpStatusCode.Unauthorized, CliApp.BadInput)]
    [InlineData(HttpStatusCode.Forbidden, CliApp.BadInput)]
    [InlineData(HttpStatusCode.NotFound, CliApp.BadInput)]
    [InlineData(HttpStatusCode.Conflict, CliApp.BadInput)]
    [InlineData(HttpStatusCode.InternalServerError, CliApp.Failed)]
    [InlineData(HttpStatusCode.ServiceUnavailable, CliApp.Failed)]
    [InlineData(null, CliApp.Failed)]
    public void ExitCodeFor_Status_TwoForThePersonsMistakeOneForTheControllers(HttpStatusCode? status, int expected) =>
        Assert.Equal(expected, ApiOptions.ExitCodeFor(status));

    [Fact]
    public void Explain_Unauthorized_SaysHowToPassAToken() =>
        Assert.Equal("401 Unauthorized: no token; pass --token TOKEN or set UNDERSTUDY_TOKEN",
            ApiOptions.Explain(new ApiException("401 Unauthorized: no token", HttpStatusCode.Unauthorized)));

    [Fact]
    public void Explain_Forbidden_IsTheApisReason() =>
        Assert.Equal("403 Forbidden: alice made request r-1 and cannot approve it",
            ApiOptions.Explain(new ApiException("403 Forbidden: alice made request r-1 and cannot approve it", HttpStatusCode.Forbidden)));
}
