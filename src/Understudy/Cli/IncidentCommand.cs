using System.CommandLine;
using System.Globalization;
using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.Core.Topology;
using Understudy.Incidents;
using Understudy.Journal;

namespace Understudy.Cli;

/// <summary>
/// <c>incident SERVICE --epoch N (-c FILE | --api URL [--token T]) [-o FILE]</c>: the timeline of a real failover
/// or switchover from the journal, as Markdown shaped like a drill report, so a post-mortem starts from facts.
/// <c>incident --site-operation ID … [--format md|html|json]</c>: the same for a site failover, across its services.
/// </summary>
internal static partial class IncidentCommand
{
    /// <summary>Where the events come from: a running controller's API when a URL is known, else the config's journal.</summary>
    private sealed record Source(FileInfo? Config, string? Api, string? Token, string? CaCert);

    public static Command Create()
    {
        var service = new Argument<string?>("SERVICE") { Arity = ArgumentArity.ZeroOrOne, Description = "the service that failed over or switched over (with --epoch)" };
        // The number and the source are checked in the action, so bad input exits 2 like every other of ours (the parser's own errors exit 1).
        var epoch = new Option<string?>("--epoch", "-e") { Description = "the epoch the failover or switchover created (failover.started carries it)" };
        var siteOperation = new Option<string?>("--site-operation") { Description = "instead of SERVICE --epoch: a site failover's id (s-…), reported across its services" };
        var format = new Option<string?>("--format") { Description = "md (default), html or json; html and json with --site-operation" };
        var config = CommonOptions.Config();
        config.Required = false;
        config.Description = "read the journal of this understudy.yaml (read-only; works with the controller stopped)";
        var api = new Option<string?>("--api") { Description = $"ask the running controller at this URL instead, e.g. http://127.0.0.1:7400 (default: ${ApiClient.UrlVariable} when no -c)" };
        var token = new Option<string?>("--token") { Description = $"the API token (default: ${ApiClient.TokenVariable})" };
        var caCert = new Option<FileInfo?>("--cacert") { Description = $"for an https:// API: a PEM file of its certificate, or of its CA, to trust (default: ${ApiClient.CaCertVariable})" };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "write the report to this file instead of printing it" };
        var cmd = new Command("incident", "Write the timeline of a real failover or switchover (or of a site failover) from the journal, in the shape of a drill report.")
            { service, epoch, siteOperation, format, config, api, token, caCert, output };
        cmd.SetAction(async (parse, ct) =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output, stderr = parse.InvocationConfiguration.Error;
            string? name = parse.GetValue(service), operation = parse.GetValue(siteOperation), epochText = parse.GetValue(epoch);
            string form = parse.GetValue(format) ?? SiteReportFormat.Markdown;
            if ((name is null) == (operation is null))
                return Say(stderr, CliApp.BadInput, "give SERVICE --epoch N for one service's failover or switchover, or --site-operation ID for a site failover (exactly one of the two)");
            if (!SiteReportFormat.IsKnown(form)) return Say(stderr, CliApp.BadInput, SiteReportFormat.Expected("--format", form));
            if (operation is not null && epochText is not null) return Say(stderr, CliApp.BadInput, "--epoch: goes with SERVICE, not with --site-operation");
            if (operation is null && form != SiteReportFormat.Markdown) return Say(stderr, CliApp.BadInput, "--format: a service's incident report is Markdown (md); html and json are for --site-operation");
            long n = 0;
            if (operation is null && (!long.TryParse(epochText, NumberStyles.None, CultureInfo.InvariantCulture, out n) || n < 1))
                return Say(stderr, CliApp.BadInput, $"--epoch: expected the epoch a failover created (a whole number from 1), {(epochText is null ? "got none" : $"got '{epochText}'")}");
            FileInfo? file = parse.GetValue(config);
            var source = new Source(file,
                parse.GetValue(api) ?? (file is null ? Variable(ApiClient.UrlVariable) : null),
                parse.GetValue(token) ?? Variable(ApiClient.TokenVariable),
                parse.GetValue(caCert)?.FullName ?? Variable(ApiClient.CaCertVariable));
            try
            {
                string? report = operation is not null
                    ? await SiteReportAsync(source, operation, form, stderr, ct)
                    : await ServiceReportAsync(source, name!, n, stderr, ct);
                if (report is null) return CliApp.BadInput;
                if (parse.GetValue(output) is not { } target)
                {
                    stdout.Write(report);
                    return CliApp.Ok;
                }
                await File.WriteAllTextAsync(target.FullName, report, ct);
                stdout.WriteLine(target.FullName);
                return CliApp.Ok;
            }
            catch (JournalException e)
            {
                return Say(stderr, CliApp.Failed, e.Message);
            }
            catch (ApiException e)
            {
                return Say(stderr, ApiOptions.ExitCodeFor(e.Status), ApiOptions.Explain(e));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Say(stderr, CliApp.Failed, $"cannot write {parse.GetValue(output)}: {e.Message}");
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return Say(stderr, CliApp.Failed, "cancelled");
            }
        });
        return cmd;
    }

    /// <summary>The report of the change that created <paramref name="epoch"/>; null after saying what is wrong with the input.</summary>
    private static async Task<string?> ServiceReportAsync(Source source, string service, long epoch, TextWriter stderr, CancellationToken ct)
    {
        if (await ReadAsync(source, service, stderr, ct) is not { } events) return null;
        if (IncidentTimeline.Find(service, epoch, events) is not { } incident)
        {
            Say(stderr, CliApp.BadInput, IncidentTimeline.NotFound(service, epoch, events));
            return null;
        }
        return IncidentReport.Render(incident);
    }

    /// <summary>The service's events; null after saying what is wrong with the input.</summary>
    private static async Task<IReadOnlyList<JournalEvent>?> ReadAsync(Source source, string service, TextWriter stderr, CancellationToken ct)
    {
        if (source.Api is not null)
        {
            if (Client(source, stderr) is not { } client) return null;
            using (client) return await ServiceEvents.FromApiAsync(client, service, ct);
        }
        if (Spec(source, stderr) is not { } spec) return null;
        if (spec.Service(service) is null)
        {
            Say(stderr, CliApp.BadInput, $"{source.Config} has no service '{service}' (it has {string.Join(", ", spec.Services.Select(s => s.Name))})");
            return null;
        }
        return await ServiceEvents.FromJournalAsync(spec.Controller.Journal, service, ct);
    }

    /// <summary>A client of <see cref="Source.Api"/>; null after saying what is wrong with the URL or the certificate file.</summary>
    private static ApiClient? Client(Source source, TextWriter stderr)
    {
        if (!Uri.TryCreate(source.Api, UriKind.Absolute, out Uri? baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            Say(stderr, CliApp.BadInput, $"--api: expected a URL such as http://127.0.0.1:7400, got '{source.Api}'");
            return null;
        }
        if (ApiTrust.Read(source.CaCert is { } pem ? [pem] : [], out string untrusted) is not { } trust)
        {
            Say(stderr, CliApp.BadInput, untrusted);
            return null;
        }
        return new ApiClient(baseUrl, source.Token, trust: trust);
    }

    /// <summary>The config of <see cref="Source.Config"/>; null after saying there is none or what is wrong with it.</summary>
    private static UnderstudySpec? Spec(Source source, TextWriter stderr)
    {
        if (source.Config is { } file) return CommonOptions.LoadOrReport(file);
        Say(stderr, CliApp.BadInput, $"give -c FILE to read the journal, or --api URL (or ${ApiClient.UrlVariable}) to ask a running controller");
        return null;
    }

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    /// <summary>One line on stderr, never a stack trace; returns the exit code to go with it.</summary>
    private static int Say(TextWriter stderr, int exit, string message)
    {
        stderr.WriteLine($"understudy incident: {message}");
        return exit;
    }
}
