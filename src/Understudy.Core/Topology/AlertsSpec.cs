using System.Collections.Immutable;

namespace Understudy.Core.Topology;

/// <summary>Which notifications a channel takes (<c>events:</c> in the config).</summary>
[Flags]
public enum AlertTopics
{
    None = 0,
    /// <summary>failover started, completed or failed; switchover completed.</summary>
    Failover = 1,
    /// <summary>No healthy target (degraded), or failover held; and restored.</summary>
    Degraded = 2,
    /// <summary>A member down or up.</summary>
    Member = 4,
    /// <summary>A request awaiting approval.</summary>
    Request = 8,
    /// <summary>A drill failed or aborted.</summary>
    Drill = 16,
    /// <summary>
    /// What risks data or hides failures and needs a person now: two writable servers, a failed fence or hook,
    /// synchronous replication lost, standbys not re-pointed, a decider error, the journal unavailable.
    /// </summary>
    Safety = 32,
    All = Failover | Degraded | Member | Request | Drill | Safety,
}

/// <summary>
/// One place notifications go. <see cref="Name"/> is its config path (<c>alerts[0].slack</c>), which the
/// journal and logs use: the URL, key or password is a secret, so no <c>ToString</c> here shows it.
/// </summary>
/// <param name="MinInterval">At most one notification of a kind per dedup key this often; zero: no limit.</param>
public abstract record AlertChannelSpec(string Name, AlertTopics Topics, TimeSpan MinInterval)
{
    public bool Takes(AlertTopics topic) => (Topics & topic) != 0;

    // Sealed, so the derived records print no URL, key or password either.
    public sealed override string ToString() => $"{GetType().Name} {{ Name = {Name}, Topics = {Topics}, MinInterval = {MinInterval} }}";
}

/// <summary>Generic JSON POSTed to <see cref="Url"/>.</summary>
public sealed record WebhookChannelSpec(string Name, AlertTopics Topics, TimeSpan MinInterval, Uri Url) : AlertChannelSpec(Name, Topics, MinInterval);

/// <summary>A Slack incoming webhook: <c>{"text": ...}</c>.</summary>
public sealed record SlackChannelSpec(string Name, AlertTopics Topics, TimeSpan MinInterval, Uri Url) : AlertChannelSpec(Name, Topics, MinInterval);

/// <summary>PagerDuty Events API v2: trigger and resolve with one dedup key.</summary>
public sealed record PagerDutyChannelSpec(string Name, AlertTopics Topics, TimeSpan MinInterval, string RoutingKey, Uri Url) : AlertChannelSpec(Name, Topics, MinInterval);

/// <summary>Mail through an SMTP server; <see cref="StartTls"/> upgrades the connection before any credentials are sent.</summary>
public sealed record EmailChannelSpec(string Name, AlertTopics Topics, TimeSpan MinInterval, HostPort Smtp, string From, ImmutableArray<string> To,
    string? Username, string? Password, bool StartTls) : AlertChannelSpec(Name, Topics, MinInterval);

public static class AlertDefaults
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromMinutes(1);
    public static readonly Uri PagerDutyUrl = new("https://events.pagerduty.com/v2/enqueue");

    /// <summary>Tries per notification: waits of 0.5, 1, 2 and 4 s between them.</summary>
    public const int Attempts = 5;
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Bounds one notification's tries and waits together, so a dead sink cannot stall its queue for long.</summary>
    public static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);

    /// <summary>At shutdown, how long deliveries under way may still take.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);
}
