using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary><c>check:</c> how often and how strictly members are probed; http-only keys refused on other kinds.</summary>
internal static class CheckSection
{
    private static readonly KindKeySet Keys = new(
        ["interval", "timeout", "fall", "rise"],
        [([ServiceKind.Http], ["path", "expect_status", "expect_body"])]);

    /// <summary>Defaults fill what is absent; null after an error, which is recorded.</summary>
    public static CheckSpec? Read(ConfigMapping service, ServiceKind? kind)
    {
        ConfigReader reader = service.Reader;
        ConfigMapping? c = service.Section("check", Keys.For(kind));

        TimeSpan? interval = c?.Optional("interval") is { } i ? reader.Duration(i, c.KeyOf("interval"), zeroAllowed: false) : CheckDefaults.Interval;
        TimeSpan? timeout = c?.Optional("timeout") is { } t ? Timeout(c, t, interval) : interval is { } iv ? CheckDefaults.TimeoutFor(iv) : null;
        int? fall = c?.Optional("fall") is { } f ? reader.Int(f, c.KeyOf("fall"), min: 1) : CheckDefaults.Fall;
        int? rise = c?.Optional("rise") is { } r ? reader.Int(r, c.KeyOf("rise"), min: 1) : CheckDefaults.Rise;

        // On other kinds the http keys never get here: the key set reported them at the key.
        string? path = c?.Optional("path") is { } p ? Path(reader, p, c.KeyOf("path")) : CheckDefaults.HttpPath;
        int? status = c?.Optional("expect_status") is { } st ? reader.Int(st, c.KeyOf("expect_status"), 100, 599) : CheckDefaults.ExpectStatus;
        string? body = c?.Optional("expect_body") is { } b ? reader.Text(b, c.KeyOf("expect_body")) : null;

        return interval is { } every && timeout is { } limit && fall is { } down && rise is { } up && path is not null && status is { } code
            ? new CheckSpec(every, limit, down, up, path, code, body)
            : null;
    }

    // A timeout at or above the interval would let checks of one member overlap.
    private static TimeSpan? Timeout(ConfigMapping c, YamlNode node, TimeSpan? interval)
    {
        if (c.Reader.Duration(node, c.KeyOf("timeout"), zeroAllowed: false) is not { } timeout || interval is not { } limit) return null;
        if (timeout < limit) return timeout;
        string which = c.Has("interval") ? "" : ", the default";
        c.Reader.Error(node, c.KeyOf("timeout"),
            $"must be shorter than interval ({Durations.Format(limit)}{which}), got {Durations.Format(timeout)}");
        return null;
    }

    private static string? Path(ConfigReader reader, YamlNode node, string key)
    {
        if (reader.Scalar(node, key, "a URL path such as /health") is not { } v) return null;
        if (v.Text.StartsWith('/')) return v.Text;
        reader.Fail(node, key, v, $"must start with '/', got '{v.Text}'");
        return null;
    }
}
