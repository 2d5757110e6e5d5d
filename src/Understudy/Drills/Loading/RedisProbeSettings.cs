using System.Text.RegularExpressions;
using Understudy.Config;
using Understudy.Core.Drills;
using YamlDotNet.RepresentationModel;

namespace Understudy.Drills.Loading;

/// <summary>
/// The settings only the Redis probes have: a password (a secret: <c>${ENV}</c> or <c>file:PATH</c>, never quoted
/// in an error), and for <c>redis_write</c> a key prefix and where to read the writes back (<c>verify</c>), for
/// <c>redis</c> the command.
/// </summary>
internal static partial class RedisProbeSettings
{
    private const string PasswordExpected = "a password, ${ENV_VAR} or file:PATH";
    private static readonly KeySet VerifyKeys = new(["address", "password"]);
    private static readonly Dictionary<string, RedisReadCommand> Commands = new(StringComparer.OrdinalIgnoreCase)
    {
        ["PING"] = RedisReadCommand.Ping,
        ["GET"] = RedisReadCommand.Get,
    };

    /// <summary>Null after an error, which is recorded.</summary>
    public static RedisProbeSpec? Read(ConfigMapping k, ProbeKind kind)
    {
        int before = k.Reader.ErrorCount;
        string? password = k.Optional("password") is { } pw ? Password(k.Reader, pw, k.KeyOf("password")) : null;
        string? prefix = k.Optional("key_prefix") is { } kp ? KeyPrefix(k.Reader, kp, k.KeyOf("key_prefix")) : RedisProbeSpec.DefaultKeyPrefix;
        RedisReadCommand? command = k.Optional("command") is { } c ? k.Reader.Choice(c, k.KeyOf("command"), Commands) : RedisReadCommand.Ping;
        (string? Address, string? Password) verify = (null, null);
        if (kind == ProbeKind.RedisWrite && k.Section("verify", VerifyKeys) is { } v)
        {
            verify.Address = ProbeKinds.Address(v, "the final primary's host:port, e.g. verify: { address: 127.0.0.1:6380 }");
            verify.Password = v.Optional("password") is { } vpw ? Password(k.Reader, vpw, v.KeyOf("password")) : password;
        }
        else if (kind == ProbeKind.RedisWrite && k.Has("verify") && !k.IsSet("verify"))
            k.Reader.Error(k.Optional("verify")!, k.KeyOf("verify"), "expected a mapping with the final primary's address, e.g. verify: { address: 127.0.0.1:6380 }; leave verify out to read back through address");

        return k.Reader.ErrorCount == before && prefix is not null && command is { } cmd
            ? new RedisProbeSpec(password, prefix, verify.Address, verify.Password, cmd)
            : null;
    }

    // As the config's redis.password: the value itself is never quoted in an error, whatever form it was written in.
    private static string? Password(ConfigReader reader, YamlNode node, string key)
    {
        if (reader.Secret(node, key, PasswordExpected) is not { } password) return null;
        if (password.Length > 0) return password;
        reader.Error(node, key, "the password is empty; leave password out when the server asks for none");
        return null;
    }

    private static string? KeyPrefix(ConfigReader reader, YamlNode node, string key)
    {
        if (reader.Text(node, key, "a key prefix") is not { } prefix) return null;
        if (Prefix().IsMatch(prefix)) return prefix;
        reader.Error(node, key, $"expected a key prefix of 1 to 100 characters without spaces, e.g. understudy:probe, got '{prefix}'");
        return null;
    }

    [GeneratedRegex(@"^[\x21-\x7e]{1,100}$")]
    private static partial Regex Prefix();
}
