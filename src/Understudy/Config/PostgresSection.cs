using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// <c>postgres:</c> how Understudy connects to a PostgreSQL service's members (checks, promotion,
/// re-pointing standbys), and the command that turns an old primary into a standby. Required for kind
/// postgres, refused on any other kind.
/// </summary>
internal static class PostgresSection
{
    private static readonly KeySet Keys = new(["user", "password", "database", "rejoin"]);

    /// <summary>The connection for a postgres service; null for other kinds, or after an error, which is recorded.</summary>
    public static PostgresSpec? Read(ConfigMapping service, ServiceKind? kind)
    {
        ConfigReader reader = service.Reader;
        // The service mapping holds the kind itself, so this key cannot be in a per-kind key set; it says
        // the same as one would, at the key.
        if (kind is { } other && other != ServiceKind.Postgres)
        {
            if (service.Has("postgres"))
                reader.Error(service.KeyNode("postgres"), service.KeyOf("postgres"), ServiceKinds.OnlyFor(ServiceKind.Postgres, other));
            return null;
        }
        if (kind is ServiceKind.Postgres
            && service.Required("postgres", "how to connect to the members, e.g. { user: postgres, database: postgres }") is null)
            return null;

        // "postgres:" with nothing after it, or {}, means every default (trust or peer auth, no password).
        ConfigMapping? p = service.Section("postgres", Keys);
        if (p is null && service.IsSet("postgres")) return null;

        int before = reader.ErrorCount;
        string? user = p?.Optional("user") is { } u ? NonEmpty(reader, u, p.KeyOf("user"), "a user name") : PostgresDefaults.User;
        string? password = p?.Optional("password") is { } pw ? Password(reader, pw, p.KeyOf("password")) : null;
        string? database = p?.Optional("database") is { } d ? NonEmpty(reader, d, p.KeyOf("database"), "a database name") : PostgresDefaults.Database;
        // "rejoin:" alone, like no rejoin at all, means the built-in one.
        HookSpec? rejoin = p is not null && p.IsSet("rejoin")
            ? HooksSection.Hook(reader, p.Optional("rejoin")!, p.KeyOf("rejoin"), Placeholders.Rejoin, PostgresDefaults.RejoinTimeout)
            : null;

        return kind is ServiceKind.Postgres && reader.ErrorCount == before && user is not null && database is not null
            ? new PostgresSpec(user, password, database, rejoin)
            : null;
    }

    private static string? NonEmpty(ConfigReader reader, YamlNode node, string key, string expected)
    {
        if (reader.Scalar(node, key, expected) is not { } v) return null;
        if (v.Text.Length > 0) return v.Text;
        reader.Error(node, key, $"expected {expected}, got an empty value");
        return null;
    }

    // The value itself is never quoted in an error, whatever form it was written in.
    private static string? Password(ConfigReader reader, YamlNode node, string key)
    {
        if (reader.Secret(node, key, "a password, ${ENV_VAR} or file:PATH") is not { } password) return null;
        if (password.Length > 0) return password;
        reader.Error(node, key, "the password is empty; leave password out for trust or peer authentication");
        return null;
    }
}
