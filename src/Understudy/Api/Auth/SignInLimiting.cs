using System.Globalization;

namespace Understudy.Api.Auth;

/// <summary>
/// The gate before authentication: a client that used up its failed sign-ins (<see cref="SignInLimits"/>) is answered
/// 429 with Retry-After, before its token is looked at.
/// </summary>
public static class SignInLimiting
{
    public static IServiceCollection AddSignInLimits(this IServiceCollection services) => services.AddSingleton<SignInLimits>();

    public static IApplicationBuilder UseSignInLimits(this IApplicationBuilder app)
    {
        SignInLimits limits = app.ApplicationServices.GetRequiredService<SignInLimits>();
        return app.Use(async (context, next) =>
        {
            if (limits.RefusedFor(context) is { } wait) await RefuseAsync(context, wait, limits);
            else await next(context);
        });
    }

    private static async Task RefuseAsync(HttpContext context, TimeSpan wait, SignInLimits limits)
    {
        limits.Refused();
        int seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem($"{SignInLimits.Limit} failed sign-ins from this address within a minute: requests with a token are refused for {seconds} s",
            statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed sign-ins").ExecuteAsync(context);
    }
}
