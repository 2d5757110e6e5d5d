using System.Net;
using Microsoft.AspNetCore.Authentication;

namespace Understudy.Cluster;

/// <summary>
/// Operator writes sent to a follower are forwarded server-side to the leader with the caller's
/// <c>Authorization</c> and <c>X-Forwarded-For</c>, and the leader's answer is returned as it is: the leader
/// authorizes, decides and answers. A token this instance does not know is refused here, not forwarded: the
/// leader would count the failed sign-in against this instance's address and hold back every write it forwards.
/// Never forwarded: member faults (they model this instance's network), <c>/health</c>, <c>/ready</c>,
/// <c>/primary</c> and reads, which every instance answers from its own mirror.
/// </summary>
public static partial class LeaderForwarding
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <param name="trust">Which certificates the leader's API may present: the caller's token goes to it.</param>
    public static void UseLeaderForwarding(this WebApplication app, IClusterState cluster, Api.ApiTrust trust)
    {
        var client = new HttpClient(trust.Apply(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })) { Timeout = Timeout };
        app.Lifetime.ApplicationStopped.Register(client.Dispose);
        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LeaderForwarding));
        app.Use(async (context, next) =>
        {
            if (cluster.IsLeader || !IsForwarded(context.Request))
            {
                await next(context);
                return;
            }
            if (context.Request.Headers.Authorization.Count > 0 && context.User.Identity?.IsAuthenticated != true)
            {
                await context.ChallengeAsync();
                return;
            }
            if (cluster.LeaderApi is not { } leader)
            {
                await TypedResults.Problem($"this instance ({cluster.Instance}) does not lead and knows no leader to forward the request to; try again in a moment",
                    statusCode: 503, title: "No leader").ExecuteAsync(context);
                return;
            }
            await ForwardAsync(client, logger, context, leader, cluster.Instance);
        });
    }

    /// <summary>The writes a leader decides on.</summary>
    public static bool IsForwarded(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method) || !request.Path.StartsWithSegments("/api", out PathString rest)) return false;
        string[] parts = rest.Value!.Trim('/').Split('/');
        return parts switch
        {
            ["services", _, "switchover" or "failover" or "pause" or "resume"] => true,
            ["services", _, "members", _, "rejoin"] => true,
            ["services", _, "drill-lock"] or ["services", _, "drill-lock", "release"] => true,
            ["requests", _, "approve" or "reject"] => true,
            ["sites", _, "failover"] or ["sites", "operations", _, "approve" or "reject"] => true,
            ["drills"] => true,
            // Drill approvals are decided one at a time, so on one instance: the leader.
            ["drills", "requests" or "authorize"] or ["drills", "requests", _, "approve"] => true,
            _ => false,
        };
    }

    private static async Task ForwardAsync(HttpClient http, ILogger logger, HttpContext context, Uri leader, string me)
    {
        HttpRequest request = context.Request;
        var target = new Uri(leader, request.Path + request.QueryString);
        using var message = new HttpRequestMessage(HttpMethod.Post, target) { Content = new StreamContent(request.Body) };
        if (request.ContentType is { } type) message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        if (request.Headers.Authorization is { Count: > 0 } auth) message.Headers.TryAddWithoutValidation("Authorization", auth.ToString());
        string client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        string chain = request.Headers["X-Forwarded-For"] is { Count: > 0 } earlier ? $"{earlier}, {client}" : client;
        message.Headers.TryAddWithoutValidation("X-Forwarded-For", chain);
        message.Headers.TryAddWithoutValidation("X-Understudy-Forwarded-By", me);
        try
        {
            using HttpResponseMessage answer = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
            context.Response.StatusCode = (int)answer.StatusCode;
            if (answer.Content.Headers.ContentType is { } contentType) context.Response.ContentType = contentType.ToString();
            if (answer.Headers.Location is { } location) context.Response.Headers.Location = location.ToString();
            await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !context.RequestAborted.IsCancellationRequested)
        {
            // Why (refused, a certificate not trusted, a timeout) is this instance's log's to tell, not the caller's.
            Log.LeaderUnreachable(logger, e, leader);
            await TypedResults.Problem($"this instance ({me}) forwards writes to the leader at {leader}, which did not answer; this instance's log says why",
                statusCode: (int)HttpStatusCode.BadGateway, title: "Leader unreachable").ExecuteAsync(context);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 120, Level = LogLevel.Warning, Message = "forwarding a write to the leader at {Leader} failed")]
        public static partial void LeaderUnreachable(ILogger logger, Exception e, Uri leader);
    }
}
