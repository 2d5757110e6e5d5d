using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Understudy.IntegrationTests.Fixtures.Etcd;

/// <summary>
/// A private CA and, signed by it, a server certificate for 127.0.0.1 and a client certificate, as PEM files in
/// <paramref name="folder"/>: what etcd's --trusted-ca-file, --cert-file and --client-cert-auth and Understudy's
/// coordination.tls need, and a second server certificate for another controller's API on 127.0.0.1. <see cref="OtherCa"/>
/// signed nothing here: trusting it must fail.
/// </summary>
public sealed class TestCertificates(string folder)
{
    public string Ca => Path.Combine(folder, "ca.pem");
    public string OtherCa => Path.Combine(folder, "other-ca.pem");
    public string ServerCert => Path.Combine(folder, "server.pem");
    public string ServerKey => Path.Combine(folder, "server-key.pem");
    public string ClientCert => Path.Combine(folder, "client.pem");
    public string ClientKey => Path.Combine(folder, "client-key.pem");
    public string PeerCert => Path.Combine(folder, "peer.pem");
    public string PeerKey => Path.Combine(folder, "peer-key.pem");

    public static TestCertificates Write(string folder)
    {
        var files = new TestCertificates(folder);
        using ECDsa caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256), otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 ca = Authority("understudy test CA", caKey), other = Authority("some other CA", otherKey);
        File.WriteAllText(files.Ca, ca.ExportCertificatePem());
        File.WriteAllText(files.OtherCa, other.ExportCertificatePem());
        Leaf(ca, "127.0.0.1", files.ServerCert, files.ServerKey);
        Leaf(ca, "ctl-a", files.ClientCert, files.ClientKey);
        Leaf(ca, "127.0.0.1", files.PeerCert, files.PeerKey);
        return files;
    }

    private static X509Certificate2 Authority(string name, ECDsa key)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static void Leaf(X509Certificate2 ca, string name, string certFile, string keyFile)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(name, out IPAddress? ip)) san.AddIpAddress(ip); else san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        // etcd checks client certificates for clientAuth; give both, as etcd's own examples do.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        // Inside the CA's own validity: a leaf may not outlive its issuer.
        using X509Certificate2 cert = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), ca.NotAfter.AddMinutes(-1), RandomNumberGenerator.GetBytes(8));
        File.WriteAllText(certFile, cert.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
    }
}
