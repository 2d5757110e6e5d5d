using System.Net;

namespace Understudy.Cluster;

/// <summary>
/// Operator writes sent to a follower are forwarded server-side to the leader with the caller's
/// <c>Authorization</c> and <c>X-Forwarded-For</c>, and the leader's answer is returned as it is: the leader
/// authenticates, decides and answers. Never forwarded: member faults (they model this instance's network),
/// <c>/health</c>, <c>/ready</c>, <c>/primary</c> and reads, which every instance answers from its own mirror.
/// </summary>
public static class LeaderForwarding
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly HttpClient Client = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = Timeout };

    public static void UseLeaderForwarding(this WebApplication app, IClusterState cluster)
    {
        app.Use(async (context, next) =>
        {
            if (cluster.IsLeader || !IsForwarded(context.Request))
            {
                await next(context);
                return;
            }
            if (cluster.LeaderApi is not { } leader)
            {
                await TypedResults.Problem($"this instance ({cluster.Instance}) does not lead and knows no leader to forward the request to; try again in a moment",
                    statusCode: 503, title: "No leader").ExecuteAsync(context);
                return;
            }
            await ForwardAsync(context, leader, cluster.Instance);
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
            ["requests", _, "approve" or "reject"] => true,
            ["drills"] => true,
            _ => false,
        };
    }

    private static async Task ForwardAsync(HttpContext context, Uri leader, string me)
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
            using HttpResponseMessage answer = await Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
            context.Response.StatusCode = (int)answer.StatusCode;
            if (answer.Content.Headers.ContentType is { } contentType) context.Response.ContentType = contentType.ToString();
            if (answer.Headers.Location is { } location) context.Response.Headers.Location = location.ToString();
            await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !context.RequestAborted.IsCancellationRequested)
        {
            await TypedResults.Problem($"this instance ({me}) forwards writes to the leader at {leader}, which did not answer: {e.Message}",
                statusCode: (int)HttpStatusCode.BadGateway, title: "Leader unreachable").ExecuteAsync(context);
        }
    }
}
