using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// <c>controller:</c> where the API listens, where the journal is written, where drill reports are listed from,
/// the API's TLS, and, with several instances, this one's name and how they coordinate.
/// </summary>
internal static class ControllerSection
{
    private static readonly KeySet Keys = new(["name", "api", "journal", "drills_dir", "auth", "tls", "allow_insecure_http", "coordination"]);

    public static ControllerSpec? Read(ConfigMapping top, AddressBook addresses)
    {
        ConfigReader reader = top.Reader;
        ConfigMapping? c = top.Section("controller", Keys);

        HostPort? api = ControllerDefaults.Api;
        if (c?.Optional("api") is { } apiNode)
        {
            api = reader.Address(apiNode, c.KeyOf("api"));
            if (api is { } given) addresses.AddApi(given, c.KeyOf("api"));
        }

        string? journal = c?.Optional("journal") is { } journalNode
            ? Journal(reader, journalNode, c.KeyOf("journal"))
            : reader.ResolvePath(ControllerDefaults.Journal);
        string? drills = c?.Optional("drills_dir") is { } drillsNode
            ? Folder(reader, drillsNode, c.KeyOf("drills_dir"))
            : reader.ResolvePath(ControllerDefaults.DrillsDir);

        var tokens = c is null ? [] : AuthSection.Read(c);
        ApiTlsSpec? tls = null;
        bool tlsOk = c is null || ApiTlsSection.TryRead(c, out tls);
        bool? insecure = c?.Optional("allow_insecure_http") is { } i ? reader.Bool(i, c.KeyOf("allow_insecure_http")) : false;
        string? name = CoordinationSection.Name(c);
        bool coordinationOk = CoordinationSection.TryRead(c, out CoordinationSpec? coordination);
        if (api is { IsLoopback: false } open && tokens is { } list && tlsOk && insecure is { } allowed) Exposed(c!, open, list.IsEmpty, tls is not null, allowed);

        return api is { } ok && journal is not null && drills is not null && tokens is { } t && tlsOk && insecure is { } plain && name is not null && coordinationOk
            ? new ControllerSpec(ok, journal, t, drills, name, coordination, tls, plain)
            : null;
    }

    /// <summary>
    /// An API other machines reach: without tokens anyone could fail a service over, and tokens sent without TLS
    /// can be read off the network, unless the operator says a TLS-terminating proxy carries them.
    /// </summary>
    private static void Exposed(ConfigMapping c, HostPort api, bool noTokens, bool tls, bool allowInsecure)
    {
        if (noTokens)
            c.Reader.Error(c.Optional("api")!, c.KeyOf("api"), $"{api} is reachable from other machines, so the API needs controller.auth.tokens (or listen on 127.0.0.1)");
        else if (!tls && !allowInsecure)
            c.Reader.Error(c.Optional("api")!, c.KeyOf("api"),
                $"{api} is reachable from other machines and tokens would cross the network in clear text: set controller.tls {{ cert, key }}, "
                + "or allow_insecure_http: true if a TLS-terminating proxy is all that reaches it");
    }

    // The folder need not exist yet: the first drill run makes it, and until then the list is empty.
    private static string? Folder(ConfigReader reader, YamlNode node, string key)
    {
        if (reader.Scalar(node, key, "a folder path") is not { } v) return null;
        if (v.Text.Trim().Length > 0) return reader.ResolvePath(v.Text);
        reader.Fail(node, key, v, "expected a folder path, got an empty value");
        return null;
    }

    // A postgres:// URL is DESIGN's shared journal for several controllers; refuse it clearly rather than
    // creating a SQLite file named "postgres:".
    private static string? Journal(ConfigReader reader, YamlNode node, string key)
    {
        if (reader.Scalar(node, key, "a SQLite file path") is not { } v) return null;
        if (v.Text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || v.Text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            reader.Error(node, key, "a shared PostgreSQL journal is not supported yet; use a SQLite file path");
            return null;
        }
        return reader.FilePath(node, key, v);
    }
}
