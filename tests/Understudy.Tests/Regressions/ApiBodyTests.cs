using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Understudy.Api;

namespace Understudy.Tests.Regressions;

/// <summary>
/// Issue 13, item 11: <c>"dry_run": true, "dry_run": false</c> made a real request. A key given twice is a 400.
/// Item 9, found by the fuzz tests (Fuzz/ApiBodyFuzzTests): bodies that made the fault endpoint throw (a 500).
/// </summary>
public class ApiBodyTests
{
    private sealed record Body(string? Reason, bool DryRun);

    private static Task<(Body? Value, ProblemHttpResult? Problem)> ReadAsync(string json) => ReadAsync<Body>(Encoding.UTF8.GetBytes(json));

    private static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(byte[] body)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(body);
        return await Problems.ReadBodyAsync<T>(context.Request, CancellationToken.None);
    }

    [Fact]
    public async Task ReadBody_DuplicateKey_IsRefusedWithA400NamingIt()
    {
        var (value, problem) = await ReadAsync("""{"reason": "x", "dry_run": true, "dry_run": false}""");

        Assert.Null(value);
        Assert.NotNull(problem);
        Assert.Equal(400, problem.StatusCode);
        Assert.Contains("dry_run", problem.ProblemDetails.Detail);
        Assert.Equal("body: dry_run: given twice; give each key once", problem.ProblemDetails.Detail);
    }

    [Fact]
    public async Task ReadBody_EachKeyOnce_IsRead()
    {
        var (value, problem) = await ReadAsync("""{"reason": "x", "dry_run": true}""");

        Assert.Null(problem);
        Assert.Equal(new Body("x", true), value);
    }

    [Fact]
    public async Task ReadBody_BytesThatAreNotUtf8_AreA400()
    {
        byte[] body = [.. """{"kind":"res"""u8, 0xFF, .. """et","duration":"500ms"}"""u8];

        var (value, problem) = await ReadAsync<JsonElement?>(body);

        Assert.Null(value);
        Assert.Equal((400, "body: not UTF-8 text; JSON is sent as UTF-8"), (problem!.StatusCode, problem.ProblemDetails.Detail));
    }

    [Fact]
    public async Task Fault_KindALoneSurrogateEscape_IsA400NamingKind()
    {
        var (body, _) = await ReadAsync<JsonElement?>(Encoding.UTF8.GetBytes("""{"kind":"\udc00\ud800","duration":"10s"}"""));

        var (fault, problem) = FaultEndpoints.Read(body!.Value);

        Assert.Null(fault);
        Assert.Equal((400, "kind: expected blackhole, latency or reset, got '\"\\udc00\\ud800\"'"), (problem!.StatusCode, problem.ProblemDetails.Detail));
    }
}
