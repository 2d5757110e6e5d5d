using Microsoft.Net.Http.Headers;
using Understudy.Core.Topology;

namespace Understudy.Api;

/// <summary>
/// Guards against a web page driving the API from the operator's own browser. Writes must be JSON: a page
/// can send text/plain across sites without asking, but not application/json. Without tokens (loopback only),
/// the Host must be a loopback name too, so a DNS-rebound page cannot even read the API.
/// </summary>
public static class ApiGuards
{
    public static void UseApiGuards(this WebApplication app, ControllerSpec controller)
    {
        app.Use(async (context, next) =>
        {
            HttpRequest request = context.Request;
            if (controller.AuthTokens.IsEmpty && !IsLoopbackName(request.Host.Host))
            {
                await Problems.Bad($"Host: '{request.Host.Host}' is not a loopback name; a controller without tokens answers only to localhost, 127.0.0.1 or [::1]")
                    .ExecuteAsync(context);
                return;
            }
            bool write = HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method);
            if (write && request.Path.StartsWithSegments("/api")
                && !(MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)))
            {
                await TypedResults.Problem("Content-Type: expected application/json (also for an empty body: send {})", statusCode: 415, title: "Unsupported media type")
                    .ExecuteAsync(context);
                return;
            }
            await next(context);
        });
    }

    private static bool IsLoopbackName(string host) =>
        new HostPort(host.Trim('[', ']'), 1).IsLoopback;
}
