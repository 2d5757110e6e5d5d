using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Understudy.Api;
using Understudy.Cli;
using static Understudy.Tests.Cli.RequestsCommandTests;

namespace Understudy.Tests.Cli;

/// <summary>Against a tiny in-process API on a free port: the polling loop and the client's errors.</summary>
public sealed class RequestWaitTests : IAsyncLifetime
{
    private readonly Queue<string> _states = new();
    private WebApplication _app = null!;
    private ApiClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        // Each poll takes the next state; the last one stays.
        _app.MapGet("/api/requests/{id}", (string id) =>
        {
            lock (_states) return TypedResults.Json(Request(id, _states.Count > 1 ? _states.Dequeue() : _states.Peek()), ApiJson.Options);
        });
        _app.MapPost("/api/requests/{id}/approve", (string id) =>
            TypedResults.Problem($"carol made request {id} and cannot approve it", statusCode: 403, title: "Forbidden"));
        await _app.StartAsync();
        _client = new ApiClient(new Uri(_app.Urls.Single() + "/"), token: "t");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task UntilFinishedAsync_ExecutingThenCompleted_ReportsEachChangeAndEndsCompleted()
    {
        foreach (string s in new[] { "executing", "executing", "completed" }) _states.Enqueue(s);
        var seen = new List<string>();

        RequestView last = await RequestWait.UntilFinishedAsync(_client, Request(state: "awaiting_approval"), TimeSpan.FromSeconds(5), r => seen.Add(r.State), CancellationToken.None);

        Assert.Equal("completed", last.State);
        Assert.Equal(["executing", "completed"], seen);
    }

    [Fact]
    public async Task UntilFinishedAsync_NeverFinishes_ReturnsTheLastStateAtTheDeadline()
    {
        _states.Enqueue("executing");
        var clock = Stopwatch.StartNew();

        RequestView last = await RequestWait.UntilFinishedAsync(_client, Request(state: "executing"), TimeSpan.FromMilliseconds(300), _ => { }, CancellationToken.None);

        Assert.Equal("executing", last.State);
        Assert.False(RequestWait.IsFinished(last));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task PostAsync_Forbidden_OneLineWithTheApisReasonAndExitTwo()
    {
        var e = await Assert.ThrowsAsync<ApiException>(() => _client.PostAsync<RequestView>("api/requests/r-1/approve", new CommentBody(null, null), CancellationToken.None));

        Assert.Equal("403 Forbidden: carol made request r-1 and cannot approve it", ApiOptions.Explain(e));
        Assert.Equal(CliApp.BadInput, ApiOptions.ExitCodeFor(e.Status));
    }
}
