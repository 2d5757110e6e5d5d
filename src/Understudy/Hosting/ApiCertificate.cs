using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Understudy.Config;
using Understudy.Core.Topology;

namespace Understudy.Hosting;

/// <summary>The API's certificate for Kestrel: the first certificate of <c>controller.tls.cert</c> with its key, the rest of that file as its chain.</summary>
internal static class ApiCertificate
{
    public static HttpsConnectionAdapterOptions Load(ApiTlsSpec tls)
    {
        // Checked when the config was loaded; read again here, so a file changed since is still one line, not a stack trace.
        string cert = Read(tls.Cert, "cert"), key = Read(tls.Key, "key");
        X509Certificate2 leaf = PemFiles.WithKey(cert, key)
            ?? throw new StartupException($"controller.tls.key: {tls.Key} is not the private key of the certificate in {tls.Cert}");
        X509Certificate2Collection all = PemFiles.Certificates(cert, tls.Cert, out string whyNot) ?? throw new StartupException($"controller.tls.cert: {whyNot}");
        all[0].Dispose();
        all.RemoveAt(0);
        return new HttpsConnectionAdapterOptions { ServerCertificate = leaf, ServerCertificateChain = all };
    }

    private static string Read(string path, string key) =>
        PemFiles.Text(path, path, out string whyNot) ?? throw new StartupException($"controller.tls.{key}: {whyNot}");
}
