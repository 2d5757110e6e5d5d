using System.CommandLine;
using System.Globalization;
using Understudy.Api;
using Understudy.Core.Journal;
using Understudy.Incidents;
using Understudy.Journal;

namespace Understudy.Cli;

/// <summary>
/// <c>incident SERVICE --epoch N (-c FILE | --api URL [--token T]) [-o FILE]</c>: the timeline of a real failover
/// or switchover from the journal, as Markdown shaped like a drill report, so a post-mortem starts from facts.
/// </summary>
internal static class IncidentCommand
{
    /// <summary>Where the events come from: a running controller's API when a URL is known, else the config's journal.</summary>
    private sealed record Source(FileInfo? Config, string? Api, string? Token, string? CaCert);

    public static Command Create()
    {
        var service = new Argument<string>("SERVICE") { Description = "the service that failed over or switched over" };
        // The number and the source are checked in the action, so bad input exits 2 like every other of ours (the parser's own errors exit 1).
        var epoch = new Option<string?>("--epoch", "-e") { Description = "the epoch the failover or switchover created (failover.started carries it)" };
        var config = CommonOptions.Config();
        config.Required = false;
        config.Description = "read the journal of this understudy.yaml (read-only; works with the controller stopped)";
        var api = new Option<string?>("--api") { Description = $"ask the running controller at this URL instead, e.g. http://127.0.0.1:7400 (default: ${ApiClient.UrlVariable} when no -c)" };
        var token = new Option<string?>("--token") { Description = $"the API token (default: ${ApiClient.TokenVariable})" };
        var caCert = new Option<FileInfo?>("--cacert") { Description = $"for an https:// API: a PEM file of its certificate, or of its CA, to trust (default: ${ApiClient.CaCertVariable})" };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "write the report to this file instead of printing it" };
        var cmd = new Command("incident", "Write the timeline of a real failover or switchover from the journal, as Markdown in the shape of a drill report.")
            { service, epoch, config, api, token, caCert, output };
        cmd.SetAction(async (parse, ct) =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output, stderr = parse.InvocationConfiguration.Error;
            string name = parse.GetValue(service)!;
            string? epochText = parse.GetValue(epoch);
            if (!long.TryParse(epochText, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n < 1)
                return Say(stderr, CliApp.BadInput, $"--epoch: expected the epoch a failover created (a whole number from 1), {(epochText is null ? "got none" : $"got '{epochText}'")}");
            FileInfo? file = parse.GetValue(config);
            var source = new Source(file,
                parse.GetValue(api) ?? (file is null ? Variable(ApiClient.UrlVariable) : null),
                parse.GetValue(token) ?? Variable(ApiClient.TokenVariable),
                parse.GetValue(caCert)?.FullName ?? Variable(ApiClient.CaCertVariable));
            try
            {
                if (await ReadAsync(source, name, stderr, ct) is not { } events) return CliApp.BadInput;
                if (IncidentTimeline.Find(name, n, events) is not { } incident) return Say(stderr, CliApp.BadInput, IncidentTimeline.NotFound(name, n, events));
                string markdown = IncidentReport.Render(incident);
                if (parse.GetValue(output) is not { } target)
                {
                    stdout.Write(markdown);
                    return CliApp.Ok;
                }
                await File.WriteAllTextAsync(target.FullName, markdown, ct);
                stdout.WriteLine(target.FullName);
                return CliApp.Ok;
            }
            catch (Exception e) when (e is JournalException or ApiException)
            {
                return Say(stderr, CliApp.Failed, e.Message);
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

    /// <summary>The service's events; null after saying what is wrong with the input.</summary>
    private static async Task<IReadOnlyList<JournalEvent>?> ReadAsync(Source source, string service, TextWriter stderr, CancellationToken ct)
    {
        if (source.Api is { } url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            {
                Say(stderr, CliApp.BadInput, $"--api: expected a URL such as http://127.0.0.1:7400, got '{url}'");
                return null;
            }
            if (ApiTrust.Read(source.CaCert is { } pem ? [pem] : [], out string untrusted) is not { } trust)
            {
                Say(stderr, CliApp.BadInput, untrusted);
                return null;
            }
            using var client = new ApiClient(baseUrl, source.Token, trust: trust);
            return await ServiceEvents.FromApiAsync(client, service, ct);
        }
        if (source.Config is not { } file)
        {
            Say(stderr, CliApp.BadInput, $"give -c FILE to read the journal, or --api URL (or ${ApiClient.UrlVariable}) to ask a running controller");
            return null;
        }
        if (CommonOptions.LoadOrReport(file) is not { } spec) return null;
        if (spec.Service(service) is null)
        {
            Say(stderr, CliApp.BadInput, $"{file} has no service '{service}' (it has {string.Join(", ", spec.Services.Select(s => s.Name))})");
            return null;
        }
        return await ServiceEvents.FromJournalAsync(spec.Controller.Journal, service, ct);
    }

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    /// <summary>One line on stderr, never a stack trace; returns the exit code to go with it.</summary>
    private static int Say(TextWriter stderr, int exit, string message)
    {
        stderr.WriteLine($"understudy incident: {message}");
        return exit;
    }
}
