using System.Text.RegularExpressions;
using Understudy.Core.Topology;

namespace Understudy.Runbooks;

/// <summary>
/// The exact command lines a runbook shows for one service: the CLI against the configured API address, and
/// curl against the REST API. Request commands leave out <c>--api</c>: the CLI reads UNDERSTUDY_API.
/// </summary>
internal sealed partial class RunbookCommands(ServiceSpec service, ControllerSpec controller, string configPath)
{
    public string Api { get; } = controller.ApiUrl.ToString().TrimEnd('/');

    private string S => service.Name;

    public string Status => $"understudy status --api {Api}";

    public string Events => $"understudy events --api {Api} --service {S} --since 30m";

    public string Requests => $"understudy requests --api {Api} --service {S}";

    /// <summary><paramref name="verb"/> is failover or switchover.</summary>
    public string Request(string verb, string? to, bool dryRun = false) =>
        $"understudy {verb} {S}{(to is null ? "" : $" --to {to}")} --reason \"...\"{(dryRun ? " --dry-run" : "")}";

    /// <summary>Carries on a failover stopped at a failed required fence hook.</summary>
    public string Force => $"understudy failover {S} --force --reason \"...\"";

    public static string Decide(string verb) => $"understudy {verb} REQUEST_ID --comment \"...\"";

    public string Pause => $"understudy pause {S} --reason \"...\"";

    public string Resume => $"understudy resume {S}";

    public string Rejoin(string member) => $"understudy rejoin -c {Shell(configPath)} {S} {member}";

    public string Incident => $"understudy incident {S} --epoch N -c {Shell(configPath)}";

    public string CurlRequest(string verb, string? to) =>
        Curl($"{Api}/api/services/{S}/{verb}", to is null ? "{\"reason\": \"...\"}" : $"{{\"to\": \"{to}\", \"reason\": \"...\"}}");

    public string CurlApprove => Curl($"{Api}/api/requests/REQUEST_ID/approve", "{\"comment\": \"...\"}");

    /// <summary>Answers 200 only while <paramref name="member"/> is the routable primary; needs no token, so load balancers can use it.</summary>
    public string PrimaryProbe(string member) => $"curl -si {CaCert}{Api}/services/{S}/members/{member}/primary";

    /// <summary>With TLS, what the CLI and curl trust: the API's CA, else its own certificate.</summary>
    public string? TrustFile => controller.Tls is { } tls ? tls.Ca ?? tls.Cert : null;

    private string CaCert => TrustFile is null ? "" : "--cacert \"$UNDERSTUDY_CACERT\" ";

    private string Curl(string url, string json) =>
        $"curl -X POST {CaCert}{url} \\\n  -H \"Authorization: Bearer $UNDERSTUDY_TOKEN\" -H \"Content-Type: application/json\" \\\n  -d '{json}'";

    [GeneratedRegex("^[A-Za-z0-9_./:@%+=,-]+$")]
    private static partial Regex ShellSafe();

    /// <summary>A path as a shell word: as written when it needs no quoting, else in single quotes.</summary>
    public static string Shell(string word) => ShellSafe().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''") + "'";
}
