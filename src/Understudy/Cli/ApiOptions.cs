using System.CommandLine;
using System.Net;
using System.Text.Json;
using Understudy.Api;
using Understudy.Core.Topology;

namespace Understudy.Cli;

/// <summary>
/// What every command that talks to a running controller shares: where it is, the token, <c>--json</c>, and how
/// an API error becomes one line on stderr and an exit code.
/// </summary>
internal sealed class ApiOptions
{
    private const string DefaultApi = "http://127.0.0.1:7400";
    public static readonly Uri DefaultUrl = new(DefaultApi + "/");

    public Option<string?> Api { get; } = new("--api")
    {
        Description = $"the controller's URL, e.g. http://127.0.0.1:7400 (default: ${ApiClient.UrlVariable}, else controller.api of -c FILE, else {DefaultApi})",
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = $"bearer token (default: ${ApiClient.TokenVariable}, which keeps the token out of shell history and ps)",
    };

    public Option<FileInfo?> Config { get; } = new("--config", "-c") { Description = "an understudy.yaml whose controller.api to call (trusting its controller.tls certificates)" };

    public Option<FileInfo?> CaCert { get; } = new("--cacert")
    {
        Description = $"for an https:// API: a PEM file of its certificate, or of the CA that signed it, to trust besides the system's (default: ${ApiClient.CaCertVariable})",
    };

    public Option<bool> Json { get; } = CommonOptions.Json();

    public Command AddTo(Command command)
    {
        command.Options.Add(Api);
        command.Options.Add(Token);
        command.Options.Add(Config);
        command.Options.Add(CaCert);
        command.Options.Add(Json);
        return command;
    }

    public string? TokenOf(ParseResult parse) => parse.GetValue(Token) ?? Environment.GetEnvironmentVariable(ApiClient.TokenVariable);

    /// <summary>
    /// The certificates to trust: --cacert (else $UNDERSTUDY_CACERT) and, when a config decides the URL, its
    /// controller.tls cert and ca; null after saying which file could not be read.
    /// </summary>
    public ApiTrust? TrustOf(ParseResult parse, ApiTlsSpec? config)
    {
        string? given = parse.GetValue(CaCert)?.FullName ?? (Environment.GetEnvironmentVariable(ApiClient.CaCertVariable) is { Length: > 0 } v ? v : null);
        string[] files = [.. given is null ? [] : new[] { given }, .. ApiTrust.FilesOf(config)];
        if (ApiTrust.Read(files, out string whyNot) is { } trust) return trust;
        InputError(parse, whyNot);
        return null;
    }

    /// <summary>--api, else the environment, else the config's controller.api, else the default.</summary>
    public static bool TryResolveUrl(string? option, string? environment, Uri? config, out Uri url, out string whyNot)
    {
        if (!string.IsNullOrWhiteSpace(option)) return TryParseUrl(option, "--api", out url, out whyNot);
        if (!string.IsNullOrWhiteSpace(environment)) return TryParseUrl(environment, ApiClient.UrlVariable, out url, out whyNot);
        url = config ?? DefaultUrl;
        whyNot = "";
        return true;
    }

    private static bool TryParseUrl(string text, string source, out Uri url, out string whyNot)
    {
        string t = text.Trim();
        if (!t.Contains("://", StringComparison.Ordinal)) t = "http://" + t; // host:port, as controller.api is written
        // A trailing slash makes the API's relative paths resolve below a prefix, e.g. behind a reverse proxy.
        if (!t.EndsWith('/')) t += "/";
        if (Uri.TryCreate(t, UriKind.Absolute, out Uri? parsed) && parsed.Scheme is "http" or "https" && parsed.Query.Length == 0)
        {
            (url, whyNot) = (parsed, "");
            return true;
        }
        (url, whyNot) = (DefaultUrl, $"{source}: expected a URL such as http://127.0.0.1:7400, got '{text}'");
        return false;
    }

    /// <summary>
    /// Runs <paramref name="body"/> with a client of the resolved controller. An API error is one line on stderr,
    /// never a stack trace, and exits 2 when the person's input or rights are wrong, 1 otherwise.
    /// </summary>
    public async Task<int> RunAsync(ParseResult parse, Func<ApiClient, Task<int>> body, CancellationToken ct, TimeSpan? timeout = null)
    {
        string? option = parse.GetValue(Api), environment = Environment.GetEnvironmentVariable(ApiClient.UrlVariable);
        ControllerSpec? fromConfig = null;
        // The config is read only when it decides the URL, so a broken one does not stop --api from working.
        if (string.IsNullOrWhiteSpace(option) && string.IsNullOrWhiteSpace(environment) && parse.GetValue(Config) is { } file)
        {
            if (CommonOptions.LoadOrReport(file) is not { } spec) return CliApp.BadInput;
            fromConfig = spec.Controller;
        }
        if (!TryResolveUrl(option, environment, fromConfig?.ApiUrl, out Uri url, out string whyNot)) return InputError(parse, whyNot);
        if (TrustOf(parse, fromConfig?.Tls) is not { } trust) return CliApp.BadInput;
        using var client = new ApiClient(url, TokenOf(parse), timeout, trust);
        try
        {
            return await body(client);
        }
        catch (ApiException e)
        {
            Console.Error.WriteLine($"understudy {parse.CommandResult.Command.Name}: {Explain(e)}");
            return ExitCodeFor(e.Status);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.Error.WriteLine($"understudy {parse.CommandResult.Command.Name}: interrupted");
            return CliApp.Failed;
        }
    }

    /// <summary>4xx: the request, the token or the person's rights are wrong; 5xx or no answer: the controller's side.</summary>
    public static int ExitCodeFor(HttpStatusCode? status) => (int?)status is >= 400 and < 500 ? CliApp.BadInput : CliApp.Failed;

    public static string Explain(ApiException e) => e.Status == HttpStatusCode.Unauthorized
        ? $"{e.Message}; pass --token TOKEN or set {ApiClient.TokenVariable}"
        : e.Message;

    public static int InputError(ParseResult parse, string message)
    {
        Console.Error.WriteLine($"understudy {parse.CommandResult.Command.Name}: {message}");
        return CliApp.BadInput;
    }

    public static void WriteJson<T>(T value) => Console.WriteLine(JsonOf(value));

    /// <summary>The API's own JSON for <paramref name="value"/>: what <c>--json</c> prints.</summary>
    public static string JsonOf<T>(T value) => JsonSerializer.Serialize(value, ApiJson.Options);
}
