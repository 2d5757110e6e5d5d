using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Understudy.Core.Alerts;
using Understudy.Core.Topology;

namespace Understudy.Alerts;

/// <summary>Sends one notification to one channel, once: retries are the caller's. Throws <see cref="AlertDeliveryException"/> on failure.</summary>
public interface IAlertSender
{
    Task SendAsync(Notification n, CancellationToken ct);
}

/// <summary>A failed send; <see cref="Retryable"/> is false when trying again cannot help (a 4xx answer, a refused mailbox).</summary>
public sealed class AlertDeliveryException(string message, bool retryable) : Exception(message)
{
    public bool Retryable => retryable;
}

public static class AlertSenders
{
    public static IAlertSender Create(AlertChannelSpec spec, HttpClient http) => spec switch
    {
        WebhookChannelSpec w => new HttpJsonSender(http, w.Url, AlertPayloads.Webhook),
        SlackChannelSpec s => new HttpJsonSender(http, s.Url, AlertPayloads.Slack),
        PagerDutyChannelSpec p => new HttpJsonSender(http, p.Url, n => AlertPayloads.PagerDuty(n, p.RoutingKey)),
        EmailChannelSpec e => new SmtpSender(e),
        _ => throw new ArgumentException($"no sender for {spec.GetType().Name}", nameof(spec)),
    };

    /// <summary>What a channel's errors and logs must never show: a webhook URL's path is its token.</summary>
    public static IReadOnlyList<string> Secrets(AlertChannelSpec spec)
    {
        string[] secrets = spec switch
        {
            WebhookChannelSpec w => [w.Url.OriginalString, w.Url.PathAndQuery],
            SlackChannelSpec s => [s.Url.OriginalString, s.Url.PathAndQuery],
            PagerDutyChannelSpec p => [p.RoutingKey],
            EmailChannelSpec { Password: { } password } => [password],
            _ => [],
        };
        return [.. secrets.Where(s => s.Length > 1).OrderByDescending(s => s.Length)];
    }
}

/// <summary>POSTs a JSON payload; webhook, Slack and PagerDuty differ only in the payload.</summary>
internal sealed class HttpJsonSender(HttpClient http, Uri url, Func<Notification, JsonObject?> payload) : IAlertSender
{
    public async Task SendAsync(Notification n, CancellationToken ct)
    {
        JsonObject body = payload(n) ?? throw new ArgumentException($"{n.Kind} has no payload for this channel", nameof(n));
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        try
        {
            using HttpResponseMessage response = await http.PostAsync(url, content, ct);
            int status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode) return;
            // 408 and 429 ask to come back later; other 4xx answers will not change on a retry.
            throw new AlertDeliveryException($"HTTP {status} {response.ReasonPhrase}", retryable: status is 408 or 429 or >= 500);
        }
        catch (HttpRequestException e)
        {
            throw new AlertDeliveryException(e.Message, retryable: true);
        }
    }
}
