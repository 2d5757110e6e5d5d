using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Understudy.Tests.Testing;

/// <summary>PEM files for the API's TLS, made on the spot: self-signed certificates, or a CA and certificates it signed.</summary>
public static class Certificates
{
    /// <summary>A self-signed certificate naming <paramref name="host"/> and its key, as <c>NAME.pem</c> and <c>NAME-key.pem</c>.</summary>
    public static (string Cert, string Key) SelfSigned(string folder, string name, string host = "127.0.0.1")
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 cert = Request(host, key).CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return Write(folder, name, cert, key);
    }

    /// <summary>A CA (with its key, to sign with) written as <c>NAME.pem</c>.</summary>
    public static X509Certificate2 Authority(string folder, string name)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        X509Certificate2 ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(folder, $"{name}.pem"), ca.ExportCertificatePem());
        return ca;
    }

    /// <summary>A certificate for <paramref name="host"/> signed by <paramref name="ca"/>, and its key.</summary>
    public static (string Cert, string Key) SignedBy(X509Certificate2 ca, string folder, string name, string host = "127.0.0.1")
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 cert = Request(host, key).Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), ca.NotAfter.AddMinutes(-1), RandomNumberGenerator.GetBytes(8));
        return Write(folder, name, cert, key);
    }

    /// <summary>A key encrypted with a password, as a controller cannot open unattended.</summary>
    public static string EncryptedKey(string folder, string name)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string path = Path.Combine(folder, $"{name}.pem");
        File.WriteAllText(path, key.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)));
        return path;
    }

    private static CertificateRequest Request(string host, ECDsa key)
    {
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(host, out IPAddress? ip)) san.AddIpAddress(ip); else san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request;
    }

    private static (string Cert, string Key) Write(string folder, string name, X509Certificate2 cert, ECDsa key)
    {
        string certFile = Path.Combine(folder, $"{name}.pem"), keyFile = Path.Combine(folder, $"{name}-key.pem");
        File.WriteAllText(certFile, cert.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certFile, keyFile);
    }
}
