using Understudy.Config;
using Understudy.Core.Drills;

namespace Understudy.Drills.Loading;

/// <summary>Steps only <c>verify</c> takes: <c>alert_received</c> and the <c>http</c> check.</summary>
internal static class VerifySteps
{
    /// <summary>How long a verify http check may take when the file does not say.</summary>
    public static readonly TimeSpan HttpTimeout = TimeSpan.FromSeconds(5);

    private const string UrlExample = "http://127.0.0.1:9000/health";

    private static readonly KeySet AlertKeys = new(["within"]);
    private static readonly KeySet HttpKeys = new(["url", "expect_status", "expect_body", "timeout"]);

    public static DrillStep? AlertReceived(StepContext context, ConfigMapping item, string kind)
    {
        ConfigReader reader = context.Reader;
        context.NeedsController(item.KeyNode(kind), item.KeyOf(kind), "alerts are read from the controller's journal");
        if (reader.Mapping(item.Optional(kind)!, item.KeyOf(kind), AlertKeys) is not { } a) return null;
        return a.Required("within", "how long after the fault the alert may arrive, e.g. within: 30s") is { } w
            && reader.Duration(w, a.KeyOf("within"), zeroAllowed: false) is { } within
            ? new AlertReceived(within)
            : null;
    }

    public static DrillStep? Http(StepContext context, ConfigMapping item, string kind)
    {
        ConfigReader reader = context.Reader;
        if (reader.Mapping(item.Optional(kind)!, item.KeyOf(kind), HttpKeys) is not { } h) return null;
        int before = reader.ErrorCount;

        string? url = h.Required("url", $"an absolute http or https URL such as {UrlExample}") is { } u
            ? DrillValues.Url(reader, u, h.KeyOf("url"), UrlExample)?.Text
            : null;
        int? status = h.Optional("expect_status") is { } s ? reader.Int(s, h.KeyOf("expect_status"), 100, 599) : 200;
        string? body = h.Optional("expect_body") is { } b ? reader.Text(b, h.KeyOf("expect_body")) : null;
        TimeSpan? timeout = h.Optional("timeout") is { } t ? reader.Duration(t, h.KeyOf("timeout"), zeroAllowed: false) : HttpTimeout;

        return reader.ErrorCount == before && url is not null && status is { } code && timeout is { } limit
            ? new HttpCheckStep(url, code, body, limit)
            : null;
    }
}
