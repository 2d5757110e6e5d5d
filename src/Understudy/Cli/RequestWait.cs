using System.CommandLine;
using Understudy.Api;
using Understudy.Config;
using Understudy.Core.Failover;

namespace Understudy.Cli;

/// <summary><c>--wait</c> and <c>--timeout</c> of the commands that make or approve a request.</summary>
internal sealed class RequestWait
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public Option<bool> Wait { get; } = new("--wait")
    {
        Description = "wait until the request is completed, failed, rejected or expired; exit 0 only if completed",
    };

    public Option<string?> Timeout { get; } = new("--timeout") { Description = "how long --wait waits, e.g. 5m (default 60s)" };

    public Command AddTo(Command command)
    {
        command.Options.Add(Wait);
        command.Options.Add(Timeout);
        return command;
    }

    public bool TryGetTimeout(ParseResult parse, out TimeSpan timeout, out string whyNot)
    {
        (timeout, whyNot) = (TimeSpan.FromSeconds(60), "");
        if (parse.GetValue(Timeout) is not { } text) return true;
        if (Durations.TryParse(text, out timeout, out whyNot) && timeout > TimeSpan.Zero) return true;
        whyNot = $"--timeout: {(whyNot.Length > 0 ? whyNot : "must be more than 0")}";
        return false;
    }

    public static bool IsFinished(RequestView r) =>
        r.State == RequestState.Completed.Text() || r.State == RequestState.Failed.Text()
        || r.State == RequestState.Rejected.Text() || r.State == RequestState.Expired.Text();

    /// <summary>Prints the request, and with --wait each change until it is finished; exit 0 unless --wait saw it end otherwise.</summary>
    public async Task<int> FollowAsync(ParseResult parse, ApiClient client, RequestView request, bool json, TimeSpan timeout, CancellationToken ct)
    {
        if (!parse.GetValue(Wait))
        {
            RequestsCommand.Print(request, json);
            return CliApp.Ok;
        }
        // JSON prints only the last state, so that stdout stays one document.
        Action<RequestView> changed = json ? _ => { } : r => Console.WriteLine(RequestsCommand.Line(r));
        changed(request);
        RequestView last = await UntilFinishedAsync(client, request, timeout, changed, ct);
        if (json) ApiOptions.WriteJson(last);
        if (IsFinished(last)) return last.State == RequestState.Completed.Text() ? CliApp.Ok : CliApp.Failed;
        Console.Error.WriteLine($"understudy {parse.CommandResult.Command.Name}: {last.Id} is still {last.State} after {timeout.TotalSeconds:0.#} s; it goes on (see understudy requests)");
        return CliApp.Failed;
    }

    /// <summary>Polls the request until it is finished or <paramref name="timeout"/> passed; returns the last state seen.</summary>
    public static async Task<RequestView> UntilFinishedAsync(ApiClient client, RequestView request, TimeSpan timeout, Action<RequestView> changed, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            while (!IsFinished(request))
            {
                await Task.Delay(PollInterval, deadline.Token);
                RequestView now = await client.GetAsync<RequestView>($"api/requests/{Uri.EscapeDataString(request.Id)}", deadline.Token);
                if (now.State != request.State || now.Detail != request.Detail) changed(now);
                request = now;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The deadline passed: the request goes on in the controller; the caller says so.
        }
        return request;
    }
}
