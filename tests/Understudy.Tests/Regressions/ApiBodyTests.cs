using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Understudy.Api;

namespace Understudy.Tests.Regressions;

/// <summary>Issue 13, item 11: <c>"dry_run": true, "dry_run": false</c> made a real request. A key given twice is a 400.</summary>
public class ApiBodyTests
{
    private sealed record Body(string? Reason, bool DryRun);

    private static async Task<(Body? Value, ProblemHttpResult? Problem)> ReadAsync(string json)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return await Problems.ReadBodyAsync<Body>(context.Request, CancellationToken.None);
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
}
