using System.Collections.Immutable;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// <c>alerts:</c> (top level, for every service) and <c>services.S.alerts:</c> (added for that service):
/// a sequence of channels, each <c>{ webhook | slack | pagerduty | email: {...}, events?, min_interval? }</c>.
/// URLs, routing keys and passwords are secrets: <c>${ENV}</c> or <c>file:PATH</c>, never quoted in an error.
/// </summary>
internal static class AlertsSection
{
    private static readonly string[] ChannelKinds = ["webhook", "slack", "pagerduty", "email"];
    private static readonly KeySet ItemKeys = new([.. ChannelKinds, "events", "min_interval"]);
    private static readonly KeySet UrlKeys = new(["url"]);
    private static readonly KeySet PagerDutyKeys = new(["routing_key", "url"]);
    private static readonly KeySet EmailKeys = new(["smtp", "from", "to", "username", "password", "starttls"]);

    private static readonly Dictionary<string, AlertTopics> Topics = new()
    {
        ["failover"] = AlertTopics.Failover, ["degraded"] = AlertTopics.Degraded, ["member"] = AlertTopics.Member,
        ["request"] = AlertTopics.Request, ["drill"] = AlertTopics.Drill, ["safety"] = AlertTopics.Safety,
    };

    private const string Expected = "a sequence of channels, e.g. [ { slack: { url: \"${SLACK_URL}\" } } ]";
    private const string UrlExpected = "an http or https URL, ${ENV_VAR} or file:PATH";

    /// <summary>No channels when absent; null after an error, which is recorded.</summary>
    public static ImmutableArray<AlertChannelSpec>? Read(ConfigMapping parent)
    {
        ConfigReader reader = parent.Reader;
        string path = parent.KeyOf("alerts");
        // "alerts:" with nothing after it is no channels, as an absent key is.
        if (parent.Optional("alerts") is not { } node || NodeText.IsNull(node)) return [];
        if (reader.Sequence(node, path, Expected) is not { } list) return null;

        int before = reader.ErrorCount;
        var channels = ImmutableArray.CreateBuilder<AlertChannelSpec>();
        for (int i = 0; i < list.Children.Count; i++)
            if (reader.Mapping(list.Children[i], $"{path}[{i}]", ItemKeys) is { } item && Channel(item) is { } channel) channels.Add(channel);
        return reader.ErrorCount == before ? channels.ToImmutable() : null;
    }

    private static AlertChannelSpec? Channel(ConfigMapping item)
    {
        ConfigReader reader = item.Reader;
        // In file order, so the second channel written is the one reported.
        var kinds = item.Node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value!).Where(ChannelKinds.Contains).ToList();
        if (kinds.Count == 0)
        {
            reader.Error(item.Node, item.Path, $"required: one channel: {NodeText.List(ChannelKinds)}");
            return null;
        }
        foreach (string extra in kinds.Skip(1))
            reader.Error(item.KeyNode(extra), item.KeyOf(extra), $"one channel per item; this one already has {kinds[0]}");

        AlertTopics? topics = item.Optional("events") is { } e ? Events(reader, e, item.KeyOf("events")) : AlertTopics.All;
        TimeSpan? interval = item.Optional("min_interval") is { } m ? reader.Duration(m, item.KeyOf("min_interval"), zeroAllowed: true) : AlertDefaults.MinInterval;
        string kind = kinds[0], name = item.KeyOf(kind);
        if (reader.Mapping(item.Optional(kind)!, name, kind switch { "pagerduty" => PagerDutyKeys, "email" => EmailKeys, _ => UrlKeys }) is not { } c) return null;
        // The channel is read even after an error above, so its own errors come out in the same pass.
        AlertTopics t = topics ?? AlertTopics.All;
        TimeSpan every = interval ?? AlertDefaults.MinInterval;
        AlertChannelSpec? channel = kind switch
        {
            "webhook" => Url(c, "url") is { } url ? new WebhookChannelSpec(name, t, every, url) : null,
            "slack" => Url(c, "url") is { } url ? new SlackChannelSpec(name, t, every, url) : null,
            "pagerduty" => PagerDuty(c, name, t, every),
            _ => EmailSection.Read(c, name, t, every),
        };
        return kinds.Count == 1 && topics is not null && interval is not null ? channel : null;
    }

    private static PagerDutyChannelSpec? PagerDuty(ConfigMapping c, string name, AlertTopics topics, TimeSpan interval)
    {
        string? key = c.Required("routing_key", "the integration's routing key, ${ENV_VAR} or file:PATH") is { } k
            ? NotEmpty(c.Reader, k, c.KeyOf("routing_key"), c.Reader.Secret(k, c.KeyOf("routing_key"), "a routing key, ${ENV_VAR} or file:PATH"), "routing key")
            : null;
        Uri? url = c.Has("url") ? Url(c, "url") : AlertDefaults.PagerDutyUrl;
        return key is not null && url is not null ? new PagerDutyChannelSpec(name, topics, interval, key, url) : null;
    }

    /// <summary>A URL given as a secret: an incoming webhook's path is its token, so a bad one is never quoted.</summary>
    private static Uri? Url(ConfigMapping c, string key)
    {
        if (c.Required(key, UrlExpected) is not { } node || c.Reader.Secret(node, c.KeyOf(key), UrlExpected) is not { } text) return null;
        if (Uri.TryCreate(text.Trim(), UriKind.Absolute, out Uri? url) && url.Scheme is "http" or "https") return url;
        c.Reader.Error(node, c.KeyOf(key), "expected an absolute http or https URL (the value is not shown: it may hold a token)");
        return null;
    }

    public static string? NotEmpty(ConfigReader reader, YamlNode node, string key, string? secret, string what)
    {
        if (secret is null || secret.Trim().Length > 0) return secret?.Trim();
        reader.Error(node, key, $"the {what} is empty");
        return null;
    }

    private static AlertTopics? Events(ConfigReader reader, YamlNode node, string key)
    {
        string list = NodeText.List(Topics.Keys);
        if (reader.Sequence(node, key, $"a sequence of {list}") is not { } sequence) return null;
        if (sequence.Children.Count == 0)
        {
            reader.Error(sequence, key, $"expected at least one of {list}; leave events out for all of them");
            return null;
        }
        AlertTopics topics = AlertTopics.None;
        bool ok = true;
        for (int i = 0; i < sequence.Children.Count; i++)
            if (reader.Choice(sequence.Children[i], $"{key}[{i}]", Topics) is { } topic) topics |= topic;
            else ok = false;
        return ok ? topics : null;
    }
}
