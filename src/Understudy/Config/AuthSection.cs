using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// <c>controller.auth.tokens</c>: who may call the API and with which role. A token is given as
/// <c>${ENV}</c>, <c>file:PATH</c> or <c>sha256:HEX</c>, never inline, and only its hash is kept.
/// </summary>
internal static class AuthSection
{
    /// <summary>Shorter than this a token can be guessed; 16 characters of base64 is 96 bits.</summary>
    public const int MinTokenLength = 16;

    private static readonly KeySet Keys = new(["tokens"]);
    private static readonly KeySet TokenKeys = new(["name", "role", "token"]);

    private static readonly Dictionary<string, ApiRole> Roles = new()
    {
        ["viewer"] = ApiRole.Viewer, ["operator"] = ApiRole.Operator, ["approver"] = ApiRole.Approver, ["admin"] = ApiRole.Admin,
    };

    public static ImmutableArray<ApiToken>? Read(ConfigMapping controller)
    {
        ConfigReader reader = controller.Reader;
        if (controller.Section("auth", Keys) is not { } auth) return controller.IsSet("auth") ? null : [];
        if (auth.Optional("tokens") is not { } node || reader.Sequence(node, auth.KeyOf("tokens"), "a sequence of { name, role, token }") is not { } list)
            return auth.Has("tokens") ? null : [];

        int before = reader.ErrorCount;
        var tokens = ImmutableArray.CreateBuilder<ApiToken>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < list.Children.Count; i++)
        {
            if (reader.Mapping(list.Children[i], $"{auth.KeyOf("tokens")}[{i}]", TokenKeys) is not { } t) continue;
            string? name = t.Required("name", "who the token belongs to (it is the actor in the journal)") is { } n ? Name(t, n, names, i) : null;
            ApiRole? role = t.Required("role", "viewer, operator, approver or admin") is { } r ? reader.Choice(r, t.KeyOf("role"), Roles) : null;
            byte[]? hash = t.Required("token", "${ENV_VAR}, file:PATH or sha256:HEX") is { } k ? Hash(reader, k, t.KeyOf("token")) : null;
            if (name is null || role is not { } ok || hash is null) continue;
            if (tokens.FirstOrDefault(x => x.Sha256.SequenceEqual(hash)) is { } same)
            {
                reader.Error(t.Optional("token")!, t.KeyOf("token"), $"the same token as {same.Name}'s: each person needs their own, so the journal names who acted");
                continue;
            }
            tokens.Add(new ApiToken(name, ok, [.. hash]));
        }
        return reader.ErrorCount == before ? tokens.ToImmutable() : null;
    }

    private static string? Name(ConfigMapping t, YamlNode node, Dictionary<string, int> names, int index)
    {
        if (t.Reader.Scalar(node, t.KeyOf("name"), "a name") is not { } v) return null;
        if (!Names.IsValid(v.Text)) t.Reader.Fail(node, t.KeyOf("name"), v, Names.WhyNot(v.Text));
        else if (v.Text is Core.Journal.Actors.Controller or Core.Journal.Actors.Drill)
            t.Reader.Fail(node, t.KeyOf("name"), v, $"'{v.Text}' is reserved for the controller's own journal entries");
        else if (names.TryGetValue(v.Text, out int first)) t.Reader.Fail(node, t.KeyOf("name"), v, $"duplicate token name '{v.Text}' (first at tokens[{first}])");
        else { names.Add(v.Text, index); return v.Text; }
        return null;
    }

    private static byte[]? Hash(ConfigReader reader, YamlNode node, string key)
    {
        if (reader.Scalar(node, key, "${ENV_VAR}, file:PATH or sha256:HEX") is not { } v) return null;
        const string prefix = "sha256:";
        if (v.Written.StartsWith(prefix, StringComparison.Ordinal))
        {
            string hex = v.Text[prefix.Length..];
            if (hex.Length == 64 && hex.All(Uri.IsHexDigit)) return Convert.FromHexString(hex);
            reader.Error(node, key, "expected sha256: followed by 64 hex digits (e.g. from `printf %s \"$TOKEN\" | sha256sum`)");
            return null;
        }
        if (!FileReferences.IsReference(v.Written) && !v.FromEnvironment)
        {
            // Never quote the value: it is a secret written where it should not be.
            reader.Error(node, key, "a token must not be written in the file: use ${ENV_VAR}, file:PATH or sha256:HEX");
            return null;
        }
        if (reader.Secret(node, key, "${ENV_VAR}, file:PATH or sha256:HEX") is not { } secret) return null;
        if (secret.Length < MinTokenLength)
        {
            reader.Error(node, key, string.Create(CultureInfo.InvariantCulture, $"the token is {secret.Length} characters long; use at least {MinTokenLength} (e.g. `openssl rand -base64 24`)"));
            return null;
        }
        return SHA256.HashData(Encoding.UTF8.GetBytes(secret));
    }
}
