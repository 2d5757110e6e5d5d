using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Understudy.Core.Journal;
using Understudy.Core.Topology;

namespace Understudy.Api.Auth;

/// <summary>
/// Bearer tokens from <c>controller.auth.tokens</c>: the presented token's SHA-256 is compared in constant
/// time with each configured hash; a token that matches none counts against its client (<see cref="SignInLimits"/>).
/// With no tokens configured (loopback only, see the config check) every caller is the anonymous "operator" with
/// every right. 401 and 403 answer with a JSON problem body.
/// </summary>
public sealed class TokenAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ControllerSpec controller,
    SignInLimits limits)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string RoleClaim = "understudy_role";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (controller.AuthTokens.IsEmpty) return Task.FromResult(Success(Actors.Operator, ApiRole.Admin));
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return Task.FromResult(AuthenticateResult.NoResult());
        byte[] presented = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        ApiToken? match = null;
        // Every hash is compared, so the time taken says nothing about which token nearly matched.
        foreach (ApiToken t in controller.AuthTokens)
            if (CryptographicOperations.FixedTimeEquals(t.Sha256.AsSpan(), presented)) match = t;
        if (match is not null) return Task.FromResult(Success(match.Name, match.Role));
        limits.Failed(Context);
        return Task.FromResult(AuthenticateResult.Fail("unknown token"));
    }

    private AuthenticateResult Success(string name, ApiRole role)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(RoleClaim, role.ToString())], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        await Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
            Request.Headers.Authorization.Count == 0
                ? "no token: send Authorization: Bearer TOKEN (the CLI reads --token or UNDERSTUDY_TOKEN)"
                : "the token is not one of controller.auth.tokens");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        string needed = Context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>()?.Policy ?? "a higher role";
        await Problem(StatusCodes.Status403Forbidden, "Forbidden", $"{ApiCaller.Name(Context)} has role {ApiCaller.Role(Context).ToString().ToLowerInvariant()}; this needs {needed}");
    }

    private Task Problem(int status, string title, string detail)
    {
        Response.StatusCode = status;
        return Response.WriteAsJsonAsync(new { type = $"https://httpstatuses.io/{status}", title, status, detail }, options: null, contentType: "application/problem+json");
    }
}

/// <summary>Who is calling, once authenticated; their name is the actor in the journal.</summary>
public static class ApiCaller
{
    public static string Name(HttpContext context) => context.User.Identity?.Name ?? Actors.Operator;

    public static ApiRole Role(HttpContext context) => RoleOf(context.User) ?? ApiRole.Viewer;

    private static ApiRole? RoleOf(ClaimsPrincipal user) =>
        Enum.TryParse(user.FindFirst(TokenAuthentication.RoleClaim)?.Value, out ApiRole role) ? role : null;

    /// <summary>
    /// One policy per role, named as in the config; each role includes the ones before it. An endpoint that names
    /// none (one added without thinking of it, or a path that matches nothing) needs a caller who signed in: the
    /// endpoints open to anyone say so with AllowAnonymous.
    /// </summary>
    public static IServiceCollection AddApiAuth(this IServiceCollection services)
    {
        services.AddAuthentication(TokenAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, TokenAuthentication>(TokenAuthentication.SchemeName, null);
        services.AddAuthorization(o =>
        {
            o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
            foreach (ApiRole role in Enum.GetValues<ApiRole>())
                o.AddPolicy(Policy(role), p => p.RequireAuthenticatedUser().RequireAssertion(c => RoleOf(c.User) >= role));
        });
        return services;
    }

    public static string Policy(ApiRole role) => role.ToString().ToLowerInvariant();
}
