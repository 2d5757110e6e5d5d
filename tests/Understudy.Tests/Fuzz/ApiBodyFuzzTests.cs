using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Understudy.Api;
using Understudy.Tests.Testing;
using Xunit.Abstractions;

namespace Understudy.Tests.Fuzz;

/// <summary>
/// Issue 13, item 9: every POST body the API reads (change requests, approvals and pauses, drill verdicts, faults)
/// is answered with the value or a 400/413 problem naming what is wrong, never an exception (a 500).
/// </summary>
public class ApiBodyFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Bodies_OfEveryPostEndpoint_AreReadOrAProblem() =>
        JsonBodies.Any.SampleSeeded(body =>
        {
            ReadOrProblem<ChangeBody>(body);
            ReadOrProblem<CommentBody>(body);
            if (ReadOrProblem<DrillResultBody>(body) is { } verdict) AssertBadRequestOrNull(DrillResultEndpoints.Check(verdict));
            if (ReadOrProblem<JsonElement?>(body) is { } fault)
            {
                var (asked, problem) = FaultEndpoints.Read(fault);
                Assert.True(asked is null != problem is null, "a fault and a problem, or neither");
                AssertBadRequestOrNull(problem);
            }
        }, cases: 20_000, budget: TimeSpan.FromSeconds(6), output.WriteLine, Print);

    /// <summary>What <see cref="Problems.ReadBodyAsync"/> reads from <paramref name="body"/>, after checking it read a value or a problem.</summary>
    private static T? ReadOrProblem<T>(byte[] body)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(body);
        var (value, problem) = Problems.ReadBodyAsync<T>(context.Request, CancellationToken.None).GetAwaiter().GetResult();
        Assert.True(value is null != problem is null, "a value and a problem, or neither");
        if (problem is not null) AssertProblem(problem, 400, 413);
        return value;
    }

    private static void AssertBadRequestOrNull(ProblemHttpResult? problem)
    {
        if (problem is not null) AssertProblem(problem, 400);
    }

    private static void AssertProblem(ProblemHttpResult problem, params int[] statuses)
    {
        Assert.Contains(problem.StatusCode, statuses);
        Assert.False(string.IsNullOrWhiteSpace(problem.ProblemDetails.Detail));
        Assert.DoesNotContain("Exception", problem.ProblemDetails.Detail);
    }

    /// <summary>The body as a C# string when it is UTF-8 (short bodies whole), else its bytes in hex.</summary>
    private static string Print(byte[] body)
    {
        string shown = System.Text.Unicode.Utf8.IsValid(body) ? JsonSerializer.Serialize(System.Text.Encoding.UTF8.GetString(body)) : Convert.ToHexString(body);
        return shown.Length > 2000 ? $"{shown[..2000]}... ({body.Length} bytes)" : shown;
    }
}
