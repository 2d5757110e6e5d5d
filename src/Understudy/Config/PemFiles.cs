using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Understudy.Config;

/// <summary>
/// PEM certificates and keys, read only as <see cref="SmallFile"/>s (a regular file of at most 1 MiB): the API's
/// certificate and key, and the certificates a client of the API trusts. Messages name the file as shown, never
/// anything read from it.
/// </summary>
internal static class PemFiles
{
    /// <summary>A key or a certificate chain is a few KiB; a device or a huge file is refused unread.</summary>
    public const long MaxBytes = 1024 * 1024;

    private static readonly string[] KeyLabels = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];

    public static string? Text(string path, string shown, out string whyNot) => SmallFile.Read(path, MaxBytes, shown, out whyNot);

    /// <summary>Every certificate in <paramref name="text"/>, in order; null with why not when it holds none.</summary>
    public static X509Certificate2Collection? Certificates(string text, string shown, out string whyNot)
    {
        whyNot = "";
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(text);
            if (certificates.Count > 0) return certificates;
        }
        catch (CryptographicException) { }
        whyNot = $"no PEM certificate (-----BEGIN CERTIFICATE-----) that can be read in {shown}";
        return null;
    }

    /// <summary>Why <paramref name="text"/> is not an unencrypted PEM private key, or null when it is one.</summary>
    public static string? KeyProblem(string text, string shown)
    {
        var labels = new List<string>();
        ReadOnlySpan<char> rest = text;
        while (PemEncoding.TryFind(rest, out PemFields found))
        {
            labels.Add(rest[found.Label].ToString());
            rest = rest[found.Location.End..];
        }
        if (labels.Any(KeyLabels.Contains)) return null;
        return labels.Contains("ENCRYPTED PRIVATE KEY")
            ? $"{shown} holds an encrypted key, which the controller cannot open unattended: decrypt it (openssl pkey -in KEY -out PLAIN.pem) and let only the controller's user read it"
            : $"no PEM private key (-----BEGIN PRIVATE KEY-----) in {shown}";
    }

    /// <summary>The first certificate of <paramref name="certText"/> with the key; null when the key is not that certificate's.</summary>
    public static X509Certificate2? WithKey(string certText, string keyText)
    {
        try
        {
            return X509Certificate2.CreateFromPem(certText, keyText);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
    }
}

internal static class CertificateCollections
{
    public static void DisposeAll(this X509Certificate2Collection certificates)
    {
        foreach (X509Certificate2 c in certificates) c.Dispose();
    }
}
