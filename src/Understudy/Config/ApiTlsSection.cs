using System.Security.Cryptography.X509Certificates;
using Understudy.Core.Topology;
using YamlDotNet.RepresentationModel;

namespace Understudy.Config;

/// <summary>
/// <c>controller.tls</c>: the API's certificate and key (PEM), read and matched when the file is loaded, so
/// <c>validate</c> names a missing file, an encrypted key or a key of another certificate rather than the first
/// client finding out; and, optionally, the CA that signed the API certificates of the cluster's instances.
/// </summary>
internal static class ApiTlsSection
{
    private static readonly KeySet Keys = new(["cert", "key", "ca"]);

    private sealed record PemFile(string Path, string Shown, string Text);

    /// <summary>False after an error (recorded); true with a null spec when the API speaks plain HTTP.</summary>
    public static bool TryRead(ConfigMapping controller, out ApiTlsSpec? spec)
    {
        spec = null;
        // "tls:" alone is no TLS, as an absent key is.
        if (controller.Section("tls", Keys) is not { } t) return !controller.IsSet("tls");
        int before = t.Reader.ErrorCount;
        PemFile? cert = t.Required("cert", "the API's certificate (PEM), its chain after it if any") is { } c ? Read(t, c, "cert") : null;
        PemFile? key = t.Required("key", "the certificate's private key (PEM, not encrypted)") is { } k ? Read(t, k, "key") : null;
        PemFile? ca = t.Optional("ca") is { } a ? Read(t, a, "ca") : null;

        X509Certificate2Collection? chain = cert is null ? null : Certificates(t, "cert", cert);
        string? keyProblem = key is null ? null : PemFiles.KeyProblem(key.Text, key.Shown);
        if (keyProblem is not null) t.Reader.Error(t.Optional("key")!, t.KeyOf("key"), keyProblem);
        if (chain is not null && key is not null && keyProblem is null)
        {
            using X509Certificate2? paired = PemFiles.WithKey(cert!.Text, key.Text);
            if (paired is null)
                t.Reader.Error(t.Optional("key")!, t.KeyOf("key"), $"{key.Shown} is not the private key of the certificate in {t.KeyOf("cert")} ({cert.Shown})");
        }
        if (ca is not null) Certificates(t, "ca", ca)?.DisposeAll();
        chain?.DisposeAll();

        if (t.Reader.ErrorCount != before || cert is null || key is null) return false;
        spec = new ApiTlsSpec(cert.Path, key.Path, ca?.Path);
        return true;
    }

    private static PemFile? Read(ConfigMapping t, YamlNode node, string key)
    {
        if (t.Reader.Scalar(node, t.KeyOf(key), "a file path") is not { } v
            || t.Reader.FilePath(node, t.KeyOf(key), v) is not { } path)
            return null;
        // A path built from the environment is shown as written, as every value from there is.
        string shown = v.FromEnvironment ? v.Written : path;
        if (PemFiles.Text(path, shown, out string whyNot) is { } text) return new PemFile(path, shown, text);
        t.Reader.Error(node, t.KeyOf(key), whyNot);
        return null;
    }

    private static X509Certificate2Collection? Certificates(ConfigMapping t, string key, PemFile file)
    {
        if (PemFiles.Certificates(file.Text, file.Shown, out string whyNot) is { } certificates) return certificates;
        t.Reader.Error(t.Optional(key)!, t.KeyOf(key), whyNot);
        return null;
    }
}
