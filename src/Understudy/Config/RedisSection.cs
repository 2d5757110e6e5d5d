using Understudy.Core.Topology;

namespace Understudy.Config;

/// <summary>
/// <c>redis:</c> how Understudy connects to a Redis service's members: an optional ACL user and password, and
/// TLS. Optional for kind redis (no AUTH, plain TCP), refused on any other kind.
/// </summary>
internal static class RedisSection
{
    private static readonly KeySet Keys = new(["user", "password", "tls", "tls_ca"]);

    /// <summary>The connection for a redis service; null for other kinds, or after an error, which is recorded.</summary>
    public static RedisSpec? Read(ConfigMapping service, ServiceKind? kind)
    {
        ConfigReader reader = service.Reader;
        // As for postgres: the kind is in the same mapping, so the refusal is said here, at the key.
        if (kind is { } other && other != ServiceKind.Redis)
        {
            if (service.Has("redis"))
                reader.Error(service.KeyNode("redis"), service.KeyOf("redis"), ServiceKinds.OnlyFor(ServiceKind.Redis, other));
            return null;
        }
        ConfigMapping? r = service.Section("redis", Keys);
        if (r is null && service.IsSet("redis")) return null;

        int before = reader.ErrorCount;
        string? user = r?.Optional("user") is { } u ? reader.Scalar(u, r.KeyOf("user"), "an ACL user name")?.Text : null;
        if (user is { Length: 0 }) reader.Error(r!.Optional("user")!, r.KeyOf("user"), "expected an ACL user name, got an empty value; leave user out for the default user");
        string? password = null;
        if (r?.Optional("password") is { } pw && reader.Secret(pw, r.KeyOf("password"), "a password, ${ENV_VAR} or file:PATH") is { } secret)
        {
            if (secret.Length == 0) reader.Error(pw, r.KeyOf("password"), "the password is empty; leave password out when the servers ask for none");
            else password = secret;
        }
        bool? tls = r?.Optional("tls") is { } t ? reader.Bool(t, r.KeyOf("tls")) : false;
        string? ca = r?.Optional("tls_ca") is { } c ? PemFile(reader, c, r.KeyOf("tls_ca")) : null;
        if (ca is not null && tls is false && r!.Has("tls"))
            reader.Error(r.Optional("tls_ca")!, r.KeyOf("tls_ca"), "a CA is only used with tls: true");

        return kind is ServiceKind.Redis && reader.ErrorCount == before && tls is { } useTls
            ? new RedisSpec(password, user, useTls || ca is not null, ca)
            : null;
    }

    private static string? PemFile(ConfigReader reader, YamlDotNet.RepresentationModel.YamlNode node, string key)
    {
        if (reader.FilePath(node, key) is not { } path) return null;
        if (PemFiles.Text(path, path, out string whyNot) is { } text && PemFiles.Certificates(text, path, out whyNot) is not null) return path;
        reader.Error(node, key, whyNot);
        return null;
    }
}
