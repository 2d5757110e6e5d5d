using System.Security.Cryptography;
using System.Text;
using Understudy.Core.Topology;

namespace Understudy.Dashboard;

/// <summary>
/// <c>GET /</c>: the dashboard, one page with its CSS and script inline, assembled once from the files
/// beside this class (embedded in the program: the machine it runs on may be offline). The page holds no
/// data, so it needs no token; what it shows comes from the API with the token pasted into it.
/// </summary>
public static class DashboardPage
{
    private static readonly string[] Scripts = ["render.js", "sites.js", "dashboard.js"];

    public static void MapDashboard(this IEndpointRouteBuilder app)
    {
        var (html, policy) = Build(app.ServiceProvider.GetRequiredService<ControllerSpec>());
        app.MapGet("/", (HttpResponse response) =>
        {
            response.Headers.ContentSecurityPolicy = policy;
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers["Referrer-Policy"] = "no-referrer";
            response.Headers.CacheControl = "no-cache";
            return TypedResults.Text(html, "text/html; charset=utf-8");
        }).AllowAnonymous().ExcludeFromDescription();
    }

    /// <summary>
    /// The page and its Content-Security-Policy. Only the page's own script may run (allowed by its hash), and
    /// it may talk only to this controller. Inline styles are allowed because a drill report opened in the
    /// page's sandboxed frame inherits this policy and is styled inline.
    /// </summary>
    public static (string Html, string Policy) Build(ControllerSpec controller)
    {
        string script = string.Join("\n", Scripts.Select(Resource));
        string hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(script)));
        string html = Resource("index.html")
            .Replace("{{auth}}", controller.AuthTokens.IsEmpty ? "none" : "tokens")
            .Replace("/*{{style}}*/", Resource("dashboard.css"))
            .Replace("//{{script}}", script);
        string policy = $"default-src 'none'; script-src 'sha256-{hash}'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        return (html, policy);
    }

    private static string Resource(string name)
    {
        using Stream stream = typeof(DashboardPage).Assembly.GetManifestResourceStream($"Understudy.Dashboard.{name}")
            ?? throw new InvalidOperationException($"the dashboard's {name} is not embedded in the program");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
