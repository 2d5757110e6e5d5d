using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary><c>check:</c> how often and how strictly members are probed; http-only keys refused on tcp.</summary>
internal static class CheckSection
{
    private static readonly KeySet Keys = new(["interval", "timeout", "fall", "rise", "path", "expect_status", "expect_body"]);

    /// <summary>Defaults fill what is absent; null after an error, which is recorded.</summary>
    public static CheckSpec? Read(ConfigMapping service, ServiceKind? kind)
    {
        ConfigReader reader = service.Reader;
        ConfigMapping? c = service.Section("check", Keys);

        TimeSpan? interval = c?.Optional("interval") is { } i ? reader.Duration(i, c.KeyOf("interval"), zeroAllowed: false) : CheckDefaults.Interval;
        TimeSpan? timeout = c?.Optional("timeout") is { } t ? Timeout(c, t, interval) : interval is { } iv ? CheckDefaults.TimeoutFor(iv) : null;
        int? fall = c?.Optional("fall") is { } f ? reader.Int(f, c.KeyOf("fall"), min: 1) : CheckDefaults.Fall;
        int? rise = c?.Optional("rise") is { } r ? reader.Int(r, c.KeyOf("rise"), min: 1) : CheckDefaults.Rise;

        string? path = HttpOnly(c, "path", kind, out string pathKey) is { } p ? Path(reader, p, pathKey) : CheckDefaults.HttpPath;
        int? status = HttpOnly(c, "expect_status", kind, out string statusKey) is { } st ? reader.Int(st, statusKey, 100, 599) : CheckDefaults.ExpectStatus;
        string? body = HttpOnly(c, "expect_body", kind, out string bodyKey) is { } b ? reader.Text(b, bodyKey) : null;

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

    private static YamlNode? HttpOnly(ConfigMapping? c, string key, ServiceKind? kind, out string keyPath)
    {
        keyPath = c?.KeyOf(key) ?? key;
        if (c?.Optional(key) is not { } node) return null;
        if (kind is not ServiceKind.Tcp) return node;
        // Like an unknown key, this points at the key: the value may be fine, the key does not belong here.
        c.Reader.Error(c.KeyNode(key), keyPath, "only for kind http (this service is tcp)");
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
