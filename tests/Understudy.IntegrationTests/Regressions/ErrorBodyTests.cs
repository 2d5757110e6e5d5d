using System.Net;
using System.Net.Sockets;
using Understudy.IntegrationTests.Fixtures;

namespace Understudy.IntegrationTests.Regressions;

/// <summary>
/// Issue 13, item 13: answers carried server paths (an unreadable report.json in the drill listing, drills_dir's
/// I/O error, a rejoin command's output). Now they say what failed and leave the where to the journal and the log.
/// Run under DOTNET_ENVIRONMENT=Development too, where ASP.NET Core would show its page of stack traces to any
/// error that got past the controller's own handler.
/// </summary>
[Collection(RealProcesses.Name)]
public class ErrorBodyTests
{
    [Fact]
    public async Task UnreadableReportFiles_ListedAndServedWithoutAServerPath_EvenInDevelopment()
    {
        using var drills = new TempDir();
        string folder = Directory.CreateDirectory(Path.Combine(drills.Path, "2026-12-05T10-00-00Z-crash")).FullName;
        // A socket passes for a file until it is opened, which then fails (ENXIO) naming its path.
        using Socket json = Listening(Path.Combine(folder, "report.json")), html = Listening(Path.Combine(folder, "report.html"));
        await using var pair = await WebPair.StartAsync(controllerExtra: $"drills_dir: {drills.Path}");
        var environment = new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Development", ["ASPNETCORE_ENVIRONMENT"] = "Development" };
        await using var controller = await pair.StartControllerAsync(environment: environment);

        string listing = await controller.Http.GetStringAsync("/api/drills");
        Assert.Contains("report.json: cannot be read", listing);
        using HttpResponseMessage served = await controller.Http.GetAsync("/drills/2026-12-05T10-00-00Z-crash/report.html");
        string body = await served.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, served.StatusCode);
        Assert.Equal("application/problem+json", served.Content.Headers.ContentType?.MediaType);
        Assert.All(new[] { listing, body }, text =>
        {
            Assert.DoesNotContain(drills.Path, text);
            Assert.DoesNotContain("/src/", text);
            Assert.DoesNotContain("Exception", text);
        });
    }

    private static Socket Listening(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return socket;
    }
}
