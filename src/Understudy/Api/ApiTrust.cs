using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Understudy.Config;
using Understudy.Core.Topology;

namespace Understudy.Api;

/// <summary>
/// Which certificates a client of the API accepts (the CLI, a drill, a peer forwarding a write or asking in
/// failsafe): one the system's trust store vouches for under the name dialled; one of the certificates it was given,
/// byte for byte (a self-signed certificate, pinned: the name does not matter then); or one that chains to one of
/// them and names the host dialled (a private CA).
/// </summary>
public sealed class ApiTrust
{
    public static readonly ApiTrust SystemOnly = new([]);

    private readonly X509Certificate2Collection _known;

    private ApiTrust(X509Certificate2Collection known) => _known = known;

    /// <summary>What this controller's own config trusts: its API certificate (and the chain after it) and <c>controller.tls.ca</c>.</summary>
    public static ApiTrust? Of(ApiTlsSpec? tls, out string whyNot) => Read(FilesOf(tls), out whyNot);

    public static IEnumerable<string> FilesOf(ApiTlsSpec? tls) => tls is null ? [] : tls.Ca is { } ca ? [tls.Cert, ca] : [tls.Cert];

    /// <summary>Every certificate in the PEM files; null with why not when one cannot be read or holds none.</summary>
    public static ApiTrust? Read(IEnumerable<string> files, out string whyNot)
    {
        whyNot = "";
        var known = new X509Certificate2Collection();
        foreach (string file in files)
        {
            if (PemFiles.Text(file, file, out whyNot) is not { } text || PemFiles.Certificates(text, file, out whyNot) is not { } certificates)
            {
                known.DisposeAll();
                return null;
            }
            known.AddRange(certificates);
        }
        return new ApiTrust(known);
    }

    public bool Accepts(X509Certificate? presented, X509Chain? sent, SslPolicyErrors errors)
    {
        if (presented is not X509Certificate2 certificate) return false;
        if (errors == SslPolicyErrors.None) return true;
        if (_known.Count == 0) return false;
        if (_known.Any(k => k.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))) return true;
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_known);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // The intermediates the server sent; the root must be one of ours.
        if (sent is not null)
            foreach (X509ChainElement e in sent.ChainElements.Skip(1)) chain.ChainPolicy.ExtraStore.Add(e.Certificate);
        return chain.Build(certificate);
    }

    /// <summary><paramref name="handler"/>, checking the API's certificate with this trust.</summary>
    public SocketsHttpHandler Apply(SocketsHttpHandler handler)
    {
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Accepts(certificate, chain, errors);
        return handler;
    }
}
